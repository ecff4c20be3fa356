#![cfg(not(target_arch = "wasm32"))]
//! The broker's side of one connection: the first packet, keep-alive,
//! PINGREQ, decoding bytes and refusing what breaks the rules.

mod broker_support;

use broker_support::*;
use qoscope::mqtt::broker::{Broker, BrokerConfig};
use qoscope::mqtt::packet::{Connect, Disconnect, Packet, ProtocolVersion, QoS};

#[test]
fn pingreq_gets_pingresp() {
    let mut broker = Broker::new(BrokerConfig::default());
    connect(&mut broker, 0, PUB, "a", true, ProtocolVersion::V311);
    broker.handle_packet(1, PUB, Packet::Pingreq);
    assert_eq!(sent(&mut broker), vec![(PUB, Packet::Pingresp)]);
}

#[test]
fn keep_alive_timeout_closes_the_connection_after_one_and_a_half_periods() {
    let mut broker = Broker::new(BrokerConfig::default());
    broker.handle_connection_opened(0, PUB);
    let connect = Connect {
        clean_start: true,
        client_id: "a".into(),
        keep_alive: 10,
        ..Connect::default()
    };
    broker.handle_packet(0, PUB, Packet::Connect(connect));
    assert_eq!(broker.poll_timeout(), Some(15_000));
    broker.handle_timeout(15_000);
    assert_eq!(broker.poll_close(), Some(PUB));
}

#[test]
fn a_packet_before_connect_closes_the_connection() {
    let mut broker = Broker::new(BrokerConfig::default());
    broker.handle_connection_opened(0, PUB);
    broker.handle_packet(0, PUB, Packet::Pingreq);
    assert_eq!(broker.poll_close(), Some(PUB));
    assert!(sent(&mut broker).is_empty());
}

#[test]
fn bytes_are_decoded_and_answers_encoded_for_the_clients_version() {
    let mut broker = Broker::new(BrokerConfig::default());
    broker.handle_connection_opened(0, PUB);
    let connect = Packet::Connect(Connect {
        protocol: ProtocolVersion::V5,
        clean_start: true,
        client_id: "bytes".into(),
        ..Connect::default()
    });
    let bytes = connect.to_bytes(ProtocolVersion::V5).expect("encodes");
    let (head, tail) = bytes.split_at(3);
    broker.handle_bytes(0, PUB, head);
    assert!(
        broker.poll_transmit().is_none(),
        "half a packet is buffered"
    );
    broker.handle_bytes(0, PUB, tail);
    let connack = broker.poll_transmit().expect("CONNACK");
    assert_eq!(
        connack.bytes,
        connack
            .packet
            .to_bytes(ProtocolVersion::V5)
            .expect("encodes")
    );
    broker.handle_bytes(1, PUB, &[0xF0, 0x00, 0x00]);
    assert_eq!(
        broker.poll_close(),
        Some(PUB),
        "malformed bytes close the connection"
    );
}

#[test]
fn mqtt5_publish_above_the_announced_maximum_qos_is_refused_with_0x9b() {
    let mut broker = Broker::new(BrokerConfig {
        maximum_qos: QoS::AtLeastOnce,
        ..BrokerConfig::default()
    });
    let connack = connect(&mut broker, 0, PUB, "p", true, ProtocolVersion::V5);
    assert_eq!(connack.properties.maximum_qos, Some(1));
    broker.handle_packet(1, PUB, publish("t", QoS::ExactlyOnce, Some(1)));
    assert_eq!(
        sent(&mut broker),
        vec![(
            PUB,
            Packet::Disconnect(Disconnect {
                reason: 0x9B,
                ..Disconnect::default()
            })
        )]
    );
    assert_eq!(broker.poll_close(), Some(PUB));
}
