#![cfg(not(target_arch = "wasm32"))]
//! Delivery to subscribers: what is resent on reconnect (PUBLISH with DUP,
//! or PUBREL once PUBREC came), queued messages, and resends on a timer.

mod broker_support;

use broker_support::*;
use qoscope::mqtt::broker::ConnectionId;
use qoscope::mqtt::packet::{Connect, Packet, QoS};

#[test]
fn unacknowledged_delivery_is_resent_with_dup_on_reconnect_and_queued_ones_follow() {
    let mut broker = pair("t", QoS::AtLeastOnce);
    broker.handle_packet(0, PUB, publish("t", QoS::AtLeastOnce, Some(1)));
    sent(&mut broker);
    broker.handle_connection_closed(1, SUB);
    broker.handle_packet(2, PUB, publish("t", QoS::AtLeastOnce, Some(2)));
    broker.handle_packet(2, PUB, publish("t", QoS::AtMostOnce, None));
    sent(&mut broker);

    let again = ConnectionId(9);
    broker.handle_connection_opened(3, again);
    let reconnect = Connect {
        client_id: "sub".into(),
        ..Connect::default()
    };
    broker.handle_packet(3, again, Packet::Connect(reconnect));
    let out = sent(&mut broker);
    assert!(matches!(&out[0].1, Packet::Connack(c) if c.session_present));
    let got = publishes_to(&out, again);
    assert_eq!(got.len(), 2, "QoS 0 is not kept for an offline client");
    assert!(got[0].dup && got[0].packet_id == Some(1));
    assert!(!got[1].dup && got[1].packet_id == Some(2));
}

#[test]
fn pubrel_is_resent_on_reconnect_once_pubrec_came() {
    let mut broker = pair("t", QoS::ExactlyOnce);
    broker.handle_packet(0, PUB, publish("t", QoS::ExactlyOnce, Some(1)));
    broker.handle_packet(0, PUB, pubrel(1));
    sent(&mut broker);
    broker.handle_packet(1, SUB, Packet::Pubrec(ack(1, 0)));
    assert_eq!(sent(&mut broker), vec![(SUB, Packet::Pubrel(ack(1, 0)))]);
    broker.handle_connection_closed(2, SUB);
    broker.handle_connection_opened(3, ConnectionId(5));
    let reconnect = Connect {
        client_id: "sub".into(),
        ..Connect::default()
    };
    broker.handle_packet(3, ConnectionId(5), Packet::Connect(reconnect));
    let out = sent(&mut broker);
    assert_eq!(out[1], (ConnectionId(5), Packet::Pubrel(ack(1, 0))));
    assert!(
        publishes_to(&out, ConnectionId(5)).is_empty(),
        "never PUBLISH again after PUBREC"
    );
}

#[test]
fn outbound_publish_is_resent_on_timeout_only_when_configured() {
    let mut broker = pair("t", QoS::AtLeastOnce);
    broker.handle_packet(0, PUB, publish("t", QoS::AtLeastOnce, Some(1)));
    sent(&mut broker);
    assert_eq!(broker.poll_timeout(), None);
    configure(&mut broker, |c| c.retry_interval_ms = Some(500));
    broker.handle_timeout(500);
    let got = publishes_to(&sent(&mut broker), SUB);
    assert!(got.len() == 1 && got[0].dup);
}
