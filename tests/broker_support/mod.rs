//! Shared set-up for the broker tests: connecting clients, subscribing,
//! publishing, and collecting what the broker sent, through its public API.

#![allow(dead_code)] // each test file uses a different part

use qoscope::mqtt::broker::{Broker, BrokerConfig, ConnectionId};
use qoscope::mqtt::packet::{
    Connack, Connect, Packet, PacketId, Properties, ProtocolVersion, PubResponse, Publish, QoS,
    Subscribe, SubscribeFilter,
};

/// The publisher's connection.
pub const PUB: ConnectionId = ConnectionId(1);
/// The subscriber's connection.
pub const SUB: ConnectionId = ConnectionId(2);

/// A PUBACK / PUBREC / PUBREL / PUBCOMP body with `reason` and no properties.
pub fn ack(packet_id: PacketId, reason: u8) -> PubResponse {
    PubResponse {
        packet_id,
        reason,
        properties: Properties::default(),
    }
}

/// Changes the broker's configuration in place.
pub fn configure(broker: &mut Broker, change: impl FnOnce(&mut BrokerConfig)) {
    let mut config = broker.config().clone();
    change(&mut config);
    broker.set_config(config);
}

pub fn connect(
    broker: &mut Broker,
    now: u64,
    conn: ConnectionId,
    id: &str,
    clean: bool,
    version: ProtocolVersion,
) -> Connack {
    broker.handle_connection_opened(now, conn);
    let connect = Connect {
        protocol: version,
        clean_start: clean,
        client_id: id.to_string(),
        keep_alive: 0,
        ..Connect::default()
    };
    broker.handle_packet(now, conn, Packet::Connect(connect));
    match sent(broker).first() {
        Some((c, Packet::Connack(ack))) if *c == conn => ack.clone(),
        other => panic!("expected CONNACK, got {other:?}"),
    }
}

pub fn sent(broker: &mut Broker) -> Vec<(ConnectionId, Packet)> {
    std::iter::from_fn(|| broker.poll_transmit())
        .map(|t| (t.connection, t.packet))
        .collect()
}

pub fn subscribe(broker: &mut Broker, conn: ConnectionId, filter: &str, qos: QoS) -> Vec<u8> {
    subscribe_and_collect(broker, conn, filter, qos).0
}

/// The SUBACK codes and everything sent with them (retained messages).
pub fn subscribe_and_collect(
    broker: &mut Broker,
    conn: ConnectionId,
    filter: &str,
    qos: QoS,
) -> (Vec<u8>, Vec<(ConnectionId, Packet)>) {
    let subscribe = Subscribe {
        packet_id: 1,
        filters: vec![SubscribeFilter {
            filter: filter.to_string(),
            qos,
            ..SubscribeFilter::default()
        }],
        properties: Properties::default(),
    };
    broker.handle_packet(0, conn, Packet::Subscribe(subscribe));
    let out = sent(broker);
    match out.first() {
        Some((_, Packet::Suback(s))) => (s.codes.clone(), out.clone()),
        other => panic!("expected SUBACK, got {other:?}"),
    }
}

pub fn publish(topic: &str, qos: QoS, id: Option<PacketId>) -> Packet {
    Packet::Publish(Publish {
        qos,
        topic: topic.to_string(),
        packet_id: id,
        payload: b"42".to_vec(),
        ..Publish::default()
    })
}

pub fn pubrel(id: PacketId) -> Packet {
    Packet::Pubrel(ack(id, 0))
}

/// A broker with a publisher and a subscriber on `filter` at `qos`.
pub fn pair(filter: &str, qos: QoS) -> Broker {
    let mut broker = Broker::new(BrokerConfig::default());
    connect(&mut broker, 0, PUB, "pub", true, ProtocolVersion::V311);
    connect(&mut broker, 0, SUB, "sub", false, ProtocolVersion::V311);
    subscribe(&mut broker, SUB, filter, qos);
    broker
}

pub fn publishes_to(packets: &[(ConnectionId, Packet)], conn: ConnectionId) -> Vec<Publish> {
    packets
        .iter()
        .filter_map(|(c, p)| match p {
            Packet::Publish(p) if *c == conn => Some(p.clone()),
            _ => None,
        })
        .collect()
}
