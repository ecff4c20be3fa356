//! QoS 0/1/2 flows in both directions, driven by a scripted broker.
#![cfg(not(target_arch = "wasm32"))]

mod session_harness;

use qoscope::mqtt::packet::{Packet, PubResponse, QoS};
use qoscope::mqtt::session::{ConnectionState, EventKind, Qos2Delivery, SessionConfig};
use session_harness::*;

#[test]
fn connect_sends_connect_and_connack_connects() {
    let mut b = Broker::v311();
    b.session.connect(b.now);
    let (sent, _) = b.drain();
    assert!(
        matches!(&sent[..], [Packet::Connect(c)] if c.client_id == "qoscope-1" && c.clean_start)
    );
    assert_eq!(b.session.state(), ConnectionState::Connecting);
    let (_, events) = b.feed(Packet::Connack(Default::default()));
    assert_eq!(b.session.state(), ConnectionState::Connected);
    assert!(events.iter().any(|e| matches!(
        e,
        EventKind::Connected {
            session_present: false,
            ..
        }
    )));
}

#[test]
fn qos0_publish_is_sent_once_without_id_or_flow() {
    let mut b = Broker::v311().connected();
    assert_eq!(b.publish("t", b"x", QoS::AtMostOnce), None);
    let (sent, events) = b.drain();
    assert_eq!(publishes(&sent)[0].packet_id, None);
    assert!(flows(&events).is_empty());
}

#[test]
fn qos1_publish_completes_on_puback_and_frees_its_id() {
    let mut b = Broker::v311().connected();
    let id = b.publish("t", b"x", QoS::AtLeastOnce).unwrap();
    let (sent, events) = b.drain();
    assert_eq!(publishes(&sent)[0].packet_id, Some(id));
    assert_eq!(flows(&events), vec![(id, "New", "AwaitingPuback")]);
    b.now += 7;
    let (_, events) = b.feed(Packet::Puback(ack(id)));
    assert_eq!(flows(&events), vec![(id, "AwaitingPuback", "Done")]);
    assert!(events.contains(&EventKind::PublishComplete {
        packet_id: id,
        qos: QoS::AtLeastOnce,
        latency_ms: 7
    }));
    assert_eq!(b.session.inflight_len(), 0);
}

#[test]
fn qos2_publish_walks_pubrec_pubrel_pubcomp() {
    let mut b = Broker::v311().connected();
    let id = b.publish("qos2/test", b"test", QoS::ExactlyOnce).unwrap();
    let (_, events) = b.drain();
    assert_eq!(flows(&events), vec![(id, "New", "AwaitingPubrec")]);
    let (sent, events) = b.feed(Packet::Pubrec(ack(id)));
    assert_eq!(sent, vec![Packet::Pubrel(ack(id))]);
    assert_eq!(
        flows(&events),
        vec![(id, "AwaitingPubrec", "AwaitingPubcomp")]
    );
    let (sent, events) = b.feed(Packet::Pubcomp(ack(id)));
    assert!(sent.is_empty());
    assert_eq!(flows(&events), vec![(id, "AwaitingPubcomp", "Done")]);
    assert!(events.iter().any(|e| matches!(
        e,
        EventKind::PublishComplete {
            qos: QoS::ExactlyOnce,
            ..
        }
    )));
}

#[test]
fn repeated_pubrec_after_lost_pubrel_gets_pubrel_again() {
    let mut b = Broker::v311().connected();
    let id = b.publish("t", b"x", QoS::ExactlyOnce).unwrap();
    b.feed(Packet::Pubrec(ack(id)));
    let (sent, events) = b.feed(Packet::Pubrec(ack(id)));
    assert_eq!(sent, vec![Packet::Pubrel(ack(id))]);
    assert!(events
        .iter()
        .any(|e| matches!(e, EventKind::Retry { attempt: 2, .. })));
}

#[test]
fn incoming_qos1_is_delivered_and_acknowledged() {
    let mut b = Broker::v311().connected();
    let (sent, events) = b.feed(incoming("a/b", QoS::AtLeastOnce, Some(9)));
    assert_eq!(sent, vec![Packet::Puback(ack(9))]);
    assert!(events
        .iter()
        .any(|e| matches!(e, EventKind::Delivered { message } if message.topic == "a/b")));
}

#[test]
fn incoming_qos2_duplicate_is_suppressed_until_pubrel() {
    let mut b = Broker::v311().connected();
    let (sent, events) = b.feed(incoming("a", QoS::ExactlyOnce, Some(5)));
    assert_eq!(sent, vec![Packet::Pubrec(ack(5))]);
    assert_eq!(
        events
            .iter()
            .filter(|e| matches!(e, EventKind::Delivered { .. }))
            .count(),
        1
    );
    let (sent, events) = b.feed(incoming("a", QoS::ExactlyOnce, Some(5)));
    assert_eq!(sent, vec![Packet::Pubrec(ack(5))]);
    assert!(events.contains(&EventKind::DuplicateSuppressed { packet_id: 5 }));
    assert!(!events
        .iter()
        .any(|e| matches!(e, EventKind::Delivered { .. })));
    let (sent, _) = b.feed(Packet::Pubrel(ack(5)));
    assert_eq!(sent, vec![Packet::Pubcomp(ack(5))]);
    let (_, events) = b.feed(incoming("a", QoS::ExactlyOnce, Some(5)));
    assert!(
        events
            .iter()
            .any(|e| matches!(e, EventKind::Delivered { .. })),
        "a released id is a new message"
    );
}

#[test]
fn incoming_qos2_on_pubrel_delivers_only_at_release() {
    let config = SessionConfig {
        qos2_delivery: Qos2Delivery::OnPubrel,
        ..SessionConfig::default()
    };
    let mut b = Broker::with(config).connected();
    let (_, events) = b.feed(incoming("a", QoS::ExactlyOnce, Some(5)));
    assert!(!events
        .iter()
        .any(|e| matches!(e, EventKind::Delivered { .. })));
    let (_, events) = b.feed(Packet::Pubrel(ack(5)));
    assert!(events
        .iter()
        .any(|e| matches!(e, EventKind::Delivered { message } if message.packet_id == Some(5))));
}

#[test]
fn pubrel_for_unknown_id_still_gets_pubcomp() {
    let mut b = Broker::v311().connected();
    let (sent, _) = b.feed(Packet::Pubrel(ack(77)));
    assert_eq!(sent, vec![Packet::Pubcomp(ack(77))]);
}

#[test]
fn pubrel_for_unknown_id_gets_pubcomp_packet_identifier_not_found_in_v5() {
    let mut b = Broker::v5().connected();
    let (sent, _) = b.feed(Packet::Pubrel(ack(77)));
    assert_eq!(
        sent,
        vec![Packet::Pubcomp(PubResponse {
            packet_id: 77,
            reason: 0x92,
            ..Default::default()
        })]
    );
}

#[test]
fn delivery_reports_effective_qos_and_matching_subscriptions() {
    let mut b = Broker::v311().connected();
    b.subscribe("plant/+/alarm", QoS::ExactlyOnce, 1);
    b.subscribe("plant/#", QoS::AtMostOnce, 0);
    let (_, events) = b.feed(incoming("plant/a/alarm", QoS::ExactlyOnce, Some(3)));
    let message = events
        .iter()
        .find_map(|e| match e {
            EventKind::Delivered { message } => Some(message),
            _ => None,
        })
        .unwrap();
    assert_eq!(message.qos, QoS::AtLeastOnce);
    assert_eq!(
        message.matched_filters,
        vec!["plant/#".to_string(), "plant/+/alarm".to_string()]
    );
}
