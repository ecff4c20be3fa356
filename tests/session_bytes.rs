//! The byte side: real encodings out, any framing in, malformed bytes handled.
#![cfg(not(target_arch = "wasm32"))]

mod session_harness;

use qoscope::mqtt::packet::{
    decode, Connack, Packet, PropertyValues, ProtocolVersion, PubResponse, QoS,
};
use qoscope::mqtt::session::{
    CommandError, ConnectionState, DisconnectReason, EventKind, PublishRequest, SessionConfig,
};
use session_harness::*;

fn v5() -> SessionConfig {
    SessionConfig {
        version: ProtocolVersion::V5,
        ..SessionConfig::default()
    }
}

/// Packets and events are moved through queues for every packet on the wire:
/// they stay small. MQTT 5 properties inline made a Packet 792 bytes and an
/// Event 832, and copying them was a third of the engine's time.
#[test]
fn packets_and_events_stay_small_to_move() {
    use qoscope::mqtt::packet::Properties;
    use qoscope::mqtt::session::Event;
    let sizes = [
        ("Properties", std::mem::size_of::<Properties>(), 8),
        ("Packet", std::mem::size_of::<Packet>(), 160),
        ("Event", std::mem::size_of::<Event>(), 200),
    ];
    for (name, size, most) in sizes {
        assert!(size <= most, "{name} is {size} bytes, more than {most}");
    }
    // No property set: nothing allocated, and equal to a box of nothing.
    let mut set = Properties::default();
    set.topic_alias = Some(3);
    set.topic_alias = None;
    assert!(set.is_empty());
    assert_eq!(set, Properties::default());
    assert_eq!(
        Properties::from(PropertyValues::default()),
        Properties::default()
    );
}

#[test]
fn transmits_carry_the_codecs_bytes_for_their_packet() {
    let mut b = Broker::v311().connected();
    b.publish("qos2/test", b"test", QoS::ExactlyOnce);
    let t = b.session.poll_transmit().unwrap();
    let (decoded, used) = decode(&t.bytes, ProtocolVersion::V311, None)
        .unwrap()
        .unwrap();
    assert_eq!((decoded, used), (t.packet, t.bytes.len()));
}

#[test]
fn packet_events_carry_the_bytes_on_the_wire() {
    let mut b = Broker::v311().connected();
    let bytes = Packet::Puback(ack(1))
        .to_bytes(ProtocolVersion::V311)
        .unwrap();
    let (_, events) = b.feed_bytes(&bytes);
    assert!(events.contains(&EventKind::PacketReceived {
        packet: Packet::Puback(ack(1)),
        bytes
    }));
}

#[test]
fn several_packets_in_one_frame_and_one_packet_over_two_frames_are_reassembled() {
    let mut b = Broker::v311().connected();
    let a = b.publish("t", b"1", QoS::AtLeastOnce).unwrap();
    let c = b.publish("t", b"2", QoS::AtLeastOnce).unwrap();
    b.drain();
    let mut frame = Packet::Puback(ack(a))
        .to_bytes(ProtocolVersion::V311)
        .unwrap();
    frame.extend(
        Packet::Puback(ack(c))
            .to_bytes(ProtocolVersion::V311)
            .unwrap(),
    );
    let (_, events) = b.feed_bytes(&frame[..3]);
    let done = |events: &[EventKind]| {
        events
            .iter()
            .filter(|e| matches!(e, EventKind::PublishComplete { .. }))
            .count()
    };
    assert_eq!(done(&events), 0, "half a packet is not a packet");
    let (_, events) = b.feed_bytes(&frame[3..]);
    assert_eq!(done(&events), 2);
}

#[test]
fn malformed_bytes_from_the_broker_are_a_protocol_error_with_the_codecs_reason() {
    let mut b = Broker::with(v5()).connected();
    // PUBACK with remaining length 2 but a reserved flag bit set (MQTT-2.2.2-2).
    let (sent, events) = b.feed_bytes(&[0x41, 0x02, 0x00, 0x01]);
    let message = events.iter().find_map(|e| match e {
        EventKind::ProtocolError { message } => Some(message.clone()),
        _ => None,
    });
    assert!(message.is_some_and(|m| m.starts_with("malformed packet from the broker: byte 0")));
    assert!(matches!(&sent[..], [Packet::Disconnect(d)] if d.reason == 0x81));
    assert!(events.contains(&EventKind::Disconnected {
        reason: DisconnectReason::ProtocolError
    }));
    assert_eq!(b.session.state(), ConnectionState::Disconnected);
    assert!(b.session.poll_close());
}

#[test]
fn garbage_never_panics_and_bytes_after_the_close_are_ignored() {
    let mut b = Broker::v311().connected();
    b.feed_bytes(&[0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F]);
    assert_eq!(b.session.state(), ConnectionState::Disconnected);
    let (sent, events) = b.feed_bytes(&[0x20, 0x02, 0x00, 0x00]);
    assert!(sent.is_empty() && events.is_empty());
}

#[test]
fn packet_over_our_maximum_packet_size_gets_disconnect_0x95() {
    let config = SessionConfig {
        maximum_packet_size: Some(32),
        ..v5()
    };
    let mut b = Broker::with(config).connected();
    let big = incoming("t", QoS::AtMostOnce, None);
    let Packet::Publish(mut p) = big else {
        unreachable!()
    };
    p.payload = vec![7; 64];
    let (sent, _) = b.feed(Packet::Publish(p));
    assert!(matches!(&sent[..], [Packet::Disconnect(d)] if d.reason == 0x95));
}

#[test]
fn publish_larger_than_the_brokers_maximum_packet_size_is_refused() {
    let mut b = Broker::with(v5());
    let props = PropertyValues {
        maximum_packet_size: Some(64),
        ..Default::default()
    }
    .into();
    b.connect_with(Connack {
        properties: props,
        ..Default::default()
    });
    let big = PublishRequest {
        topic: "t".into(),
        payload: vec![0; 100],
        qos: QoS::AtLeastOnce,
        ..Default::default()
    };
    assert!(matches!(
        b.session.publish(b.now, big),
        Err(CommandError::PacketTooLarge { max: 64, .. })
    ));
    assert_eq!(
        b.session.inflight_len() + b.session.queued_len(),
        0,
        "no id taken"
    );
}

#[test]
fn queued_publish_too_large_for_the_new_broker_fails_when_sent() {
    let mut b = Broker::with(v5());
    let id = b.publish("t", &[0; 100], QoS::AtLeastOnce).unwrap();
    let props = PropertyValues {
        maximum_packet_size: Some(64),
        ..Default::default()
    }
    .into();
    let (sent, events) = b.connect_with(Connack {
        properties: props,
        ..Default::default()
    });
    assert!(publishes(&sent).is_empty());
    assert!(flows(&events).contains(&(id, "Queued", "Abandoned")));
    assert!(events
        .iter()
        .any(|e| matches!(e, EventKind::PublishFailed { packet_id: Some(i), .. } if *i == id)));
}

#[test]
fn reason_codes_are_surfaced_in_words() {
    let mut b = Broker::with(v5()).connected();
    let id = b.publish("t", b"x", QoS::ExactlyOnce).unwrap();
    b.drain();
    let pubrec = PubResponse {
        packet_id: id,
        reason: 0x87,
        ..Default::default()
    };
    let (sent, events) = b.feed(Packet::Pubrec(pubrec));
    assert!(sent.is_empty(), "a failed PUBREC ends the flow: no PUBREL");
    let reason = events.iter().find_map(|e| match e {
        EventKind::PublishFailed { reason, .. } => Some(reason.clone()),
        _ => None,
    });
    assert_eq!(reason.as_deref(), Some("PUBREC Not authorized (0x87)"));
}

#[test]
fn refused_connection_says_why_in_words() {
    let mut b = Broker::v311();
    let (_, events) = b.connect_with(Connack {
        code: 4,
        ..Default::default()
    });
    let reason = events.iter().find_map(|e| match e {
        EventKind::ConnectionRefused { reason, .. } => Some(reason.clone()),
        _ => None,
    });
    assert!(reason.is_some_and(|r| r.to_lowercase().contains("user name or password")));
}
