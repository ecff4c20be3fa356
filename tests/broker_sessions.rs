#![cfg(not(target_arch = "wasm32"))]
//! Sessions kept per client identifier: Session Present, Clean Start,
//! MQTT 5 session expiry, take-over by a second connection, and the will.

mod broker_support;

use broker_support::*;
use qoscope::mqtt::broker::{Broker, BrokerConfig, ConnectionId};
use qoscope::mqtt::packet::{Connect, Disconnect, LastWill, Packet, ProtocolVersion, QoS};

#[test]
fn persistent_session_is_present_on_reconnect_and_clean_start_discards_it() {
    let mut broker = Broker::new(BrokerConfig::default());
    assert!(!connect(&mut broker, 0, PUB, "a", false, ProtocolVersion::V311).session_present);
    broker.handle_connection_closed(1, PUB);
    assert!(
        connect(
            &mut broker,
            2,
            ConnectionId(3),
            "a",
            false,
            ProtocolVersion::V311
        )
        .session_present
    );
    broker.handle_connection_closed(3, ConnectionId(3));
    assert!(
        !connect(
            &mut broker,
            4,
            ConnectionId(4),
            "a",
            true,
            ProtocolVersion::V311
        )
        .session_present
    );
}

#[test]
fn mqtt5_session_without_expiry_ends_with_its_connection() {
    let mut broker = Broker::new(BrokerConfig::default());
    connect(&mut broker, 0, PUB, "a", false, ProtocolVersion::V5);
    broker.handle_connection_closed(1, PUB);
    assert!(broker.sessions().is_empty());
}

#[test]
fn a_second_connection_with_the_same_client_id_takes_the_session_over() {
    let mut broker = Broker::new(BrokerConfig::default());
    connect(&mut broker, 0, PUB, "same", false, ProtocolVersion::V311);
    let connack = connect(&mut broker, 1, SUB, "same", false, ProtocolVersion::V311);
    assert!(connack.session_present);
    assert_eq!(broker.poll_close(), Some(PUB));
    assert_eq!(broker.sessions()[0].connection, Some(SUB));
}

#[test]
fn a_will_is_published_when_the_transport_drops_but_not_after_disconnect() {
    let mut broker = pair("wills/#", QoS::AtMostOnce);
    let with_will = |id: &str| Connect {
        clean_start: true,
        client_id: id.into(),
        will: Some(LastWill {
            topic: format!("wills/{id}"),
            payload: b"gone".to_vec(),
            ..LastWill::default()
        }),
        ..Connect::default()
    };
    for (conn, id) in [(ConnectionId(7), "crash"), (ConnectionId(8), "polite")] {
        broker.handle_connection_opened(0, conn);
        broker.handle_packet(0, conn, Packet::Connect(with_will(id)));
    }
    sent(&mut broker);
    broker.handle_connection_closed(1, ConnectionId(7));
    broker.handle_packet(
        1,
        ConnectionId(8),
        Packet::Disconnect(Disconnect::default()),
    );
    let topics: Vec<String> = publishes_to(&sent(&mut broker), SUB)
        .into_iter()
        .map(|p| p.topic)
        .collect();
    assert_eq!(topics, ["wills/crash"]);
}

#[test]
fn mqtt5_session_expires_after_its_interval_once_disconnected() {
    let mut broker = Broker::new(BrokerConfig::default());
    broker.handle_connection_opened(0, PUB);
    let mut connect = Connect {
        protocol: ProtocolVersion::V5,
        client_id: "e".into(),
        ..Connect::default()
    };
    connect.properties.session_expiry_interval = Some(30);
    broker.handle_packet(0, PUB, Packet::Connect(connect));
    broker.handle_connection_closed(1_000, PUB);
    assert_eq!(broker.poll_timeout(), Some(31_000));
    broker.handle_timeout(30_999);
    assert_eq!(broker.sessions().len(), 1);
    broker.handle_timeout(31_000);
    assert!(broker.sessions().is_empty());
}
