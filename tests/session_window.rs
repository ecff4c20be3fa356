//! MQTT 5 Receive Maximum, both ways, and packet ids.
#![cfg(not(target_arch = "wasm32"))]

mod session_harness;

use qoscope::mqtt::packet::ProtocolVersion;
use qoscope::mqtt::packet::{Connack, Packet, PropertyValues, QoS};
use qoscope::mqtt::session::{ConnectionState, EventKind, SessionConfig};
use session_harness::*;

fn broker_receive_maximum(n: u16) -> Connack {
    Connack {
        properties: PropertyValues {
            receive_maximum: Some(n),
            ..Default::default()
        }
        .into(),
        ..Default::default()
    }
}

#[test]
fn receive_maximum_queues_excess_publishes() {
    let mut b = Broker::v5();
    b.connect_with(broker_receive_maximum(2));
    let ids: Vec<_> = (0..4)
        .map(|_| b.publish("t", b"x", QoS::AtLeastOnce).unwrap())
        .collect();
    let (sent, events) = b.drain();
    assert_eq!(publishes(&sent).len(), 2);
    assert_eq!(
        flows(&events)[2..],
        [(ids[2], "New", "Queued"), (ids[3], "New", "Queued")]
    );
    assert_eq!((b.session.inflight_len(), b.session.queued_len()), (2, 2));
    let (sent, events) = b.feed(Packet::Puback(ack(ids[0])));
    assert_eq!(publishes(&sent)[0].packet_id, Some(ids[2]));
    assert!(flows(&events).contains(&(ids[2], "Queued", "AwaitingPuback")));
}

#[test]
fn qos2_flow_holds_its_window_slot_until_pubcomp() {
    let mut b = Broker::v5();
    b.connect_with(broker_receive_maximum(1));
    let first = b.publish("t", b"x", QoS::ExactlyOnce).unwrap();
    let second = b.publish("t", b"y", QoS::ExactlyOnce).unwrap();
    b.drain();
    let (sent, _) = b.feed(Packet::Pubrec(ack(first)));
    assert!(publishes(&sent).is_empty());
    let (sent, _) = b.feed(Packet::Pubcomp(ack(first)));
    assert_eq!(publishes(&sent)[0].packet_id, Some(second));
}

#[test]
fn broker_exceeding_our_receive_maximum_is_disconnected_with_0x93() {
    let config = SessionConfig {
        version: ProtocolVersion::V5,
        receive_maximum: 1,
        ..SessionConfig::default()
    };
    let mut b = Broker::with(config).connected();
    b.feed(incoming("a", QoS::ExactlyOnce, Some(1)));
    let (sent, events) = b.feed(incoming("a", QoS::ExactlyOnce, Some(2)));
    assert!(matches!(&sent[..], [Packet::Disconnect(d)] if d.reason == 0x93));
    assert!(events
        .iter()
        .any(|e| matches!(e, EventKind::ProtocolError { .. })));
    assert_eq!(b.session.state(), ConnectionState::Disconnected);
}

#[test]
fn packet_ids_skip_ids_still_in_flight_and_pending_subscribes() {
    let mut b = Broker::v311().connected();
    let a = b.publish("t", b"x", QoS::AtLeastOnce).unwrap();
    let f = qoscope::mqtt::packet::SubscribeFilter {
        filter: "s".into(),
        ..Default::default()
    };
    let s = b.session.subscribe(b.now, vec![f]).unwrap();
    let c = b.publish("t", b"x", QoS::ExactlyOnce).unwrap();
    assert_eq!(vec![a, s, c], vec![1, 2, 3]);
    b.feed(Packet::Puback(ack(a)));
    let next = b.publish("t", b"x", QoS::AtLeastOnce).unwrap();
    assert!(![s, c].contains(&next));
}
