#![cfg(not(target_arch = "wasm32"))]
//! Every control packet, in both versions, survives encode → decode unchanged,
//! and a few packets match the spec's bytes exactly.

mod codec_samples;

use codec_samples::{all_packets, full_properties};
use qoscope::mqtt::packet::*;

fn round_trip(packet: &Packet, version: ProtocolVersion) {
    let bytes = packet.to_bytes(version).expect("encodes");
    let (decoded, used) = decode(&bytes, version, None)
        .expect("decodes")
        .expect("complete");
    assert_eq!(used, bytes.len(), "{packet:?} used every byte");
    assert_eq!(&decoded, packet, "{version:?} round trip");
}

#[test]
fn every_packet_type_round_trips_in_mqtt_5_with_properties() {
    let packets = all_packets(ProtocolVersion::V5);
    assert_eq!(
        packets.len(),
        15 + 6,
        "all 15 types, some in several shapes"
    );
    for p in &packets {
        round_trip(p, ProtocolVersion::V5);
    }
}

#[test]
fn every_packet_type_but_auth_round_trips_in_mqtt_3_1_1() {
    for p in &all_packets(ProtocolVersion::V311) {
        round_trip(p, ProtocolVersion::V311);
    }
}

#[test]
fn connect_decodes_with_the_version_of_its_protocol_level_byte() {
    for protocol in [ProtocolVersion::V311, ProtocolVersion::V5] {
        let connect = Packet::Connect(Connect {
            protocol,
            client_id: "c".into(),
            ..Default::default()
        });
        let other = match protocol {
            ProtocolVersion::V311 => ProtocolVersion::V5,
            ProtocolVersion::V5 => ProtocolVersion::V311,
        };
        let bytes = connect.to_bytes(other).unwrap();
        assert_eq!(decode(&bytes, other, None).unwrap().unwrap().0, connect);
    }
}

#[test]
fn every_property_is_carried_by_some_packet_and_round_trips() {
    // full_properties(ctx) sets every property allowed in that place; together
    // they must cover all 27 identifiers.
    let mut seen = std::collections::BTreeSet::new();
    for p in all_packets(ProtocolVersion::V5) {
        let bytes = p.to_bytes(ProtocolVersion::V5).unwrap();
        for f in fields(&bytes, ProtocolVersion::V5).unwrap() {
            if let Some(rest) = f
                .name
                .strip_prefix("Property 0x")
                .or(f.name.strip_prefix("Will property 0x"))
            {
                seen.insert(rest[..2].to_string());
            }
        }
    }
    assert_eq!(seen.len(), 27, "{seen:?}");
    assert!(!full_properties(PacketType::Connack).is_empty());
}

// --- byte-exact tests against the spec ---

#[test]
fn a_3_1_1_connect_matches_the_spec_bytes() {
    let connect = Packet::Connect(Connect {
        protocol: ProtocolVersion::V311,
        clean_start: true,
        keep_alive: 60,
        client_id: "id".into(),
        username: Some("u".into()),
        password: Some(b"p".to_vec()),
        ..Default::default()
    });
    let expected = [
        0x10,
        20, // CONNECT, remaining length
        0,
        4,
        b'M',
        b'Q',
        b'T',
        b'T',
        4, // protocol name, level 4
        0b1100_0010,
        0,
        60, // flags: user name, password, clean session; keep alive 60
        0,
        2,
        b'i',
        b'd',
        0,
        1,
        b'u',
        0,
        1,
        b'p',
    ];
    assert_eq!(connect.to_bytes(ProtocolVersion::V311).unwrap(), expected);
}

#[test]
fn a_qos_1_publish_carries_its_packet_id_after_the_topic() {
    let publish = Packet::Publish(Publish {
        qos: QoS::AtLeastOnce,
        retain: true,
        topic: "a/b".into(),
        packet_id: Some(10),
        payload: b"hi".to_vec(),
        ..Default::default()
    });
    let expected = [0x33, 9, 0, 3, b'a', b'/', b'b', 0, 10, b'h', b'i'];
    assert_eq!(publish.to_bytes(ProtocolVersion::V311).unwrap(), expected);
    // MQTT 5 adds a property length of 0 after the packet id.
    let v5 = [0x33, 10, 0, 3, b'a', b'/', b'b', 0, 10, 0, b'h', b'i'];
    assert_eq!(publish.to_bytes(ProtocolVersion::V5).unwrap(), v5);
}

#[test]
fn acknowledgements_match_the_spec_bytes_in_both_versions() {
    let ack = |reason| PubResponse {
        packet_id: 0x1234,
        reason,
        properties: Properties::default(),
    };
    assert_eq!(
        Packet::Puback(ack(0))
            .to_bytes(ProtocolVersion::V311)
            .unwrap(),
        [0x40, 2, 0x12, 0x34]
    );
    assert_eq!(
        Packet::Pubrel(ack(0))
            .to_bytes(ProtocolVersion::V311)
            .unwrap(),
        [0x62, 2, 0x12, 0x34]
    );
    // 5.0 leaves out reason 0 without properties (MQTT 5 3.4.2.1) ...
    assert_eq!(
        Packet::Pubrec(ack(0))
            .to_bytes(ProtocolVersion::V5)
            .unwrap(),
        [0x50, 2, 0x12, 0x34]
    );
    // ... but keeps any other reason.
    assert_eq!(
        Packet::Pubcomp(ack(0x92))
            .to_bytes(ProtocolVersion::V5)
            .unwrap(),
        [0x70, 3, 0x12, 0x34, 0x92]
    );
    assert_eq!(
        Packet::Pingreq.to_bytes(ProtocolVersion::V5).unwrap(),
        [0xC0, 0]
    );
    assert_eq!(
        Packet::Pingresp.to_bytes(ProtocolVersion::V311).unwrap(),
        [0xD0, 0]
    );
}

/// Remaining length boundaries from the spec's table 2.4 (3.1.1) / 1.5.5 (5.0).
const REMAINING_LENGTHS: [(usize, &[u8]); 8] = [
    (0, &[0x00]),
    (127, &[0x7F]),
    (128, &[0x80, 0x01]),
    (16_383, &[0xFF, 0x7F]),
    (16_384, &[0x80, 0x80, 0x01]),
    (2_097_151, &[0xFF, 0xFF, 0x7F]),
    (2_097_152, &[0x80, 0x80, 0x80, 0x01]),
    (268_435_455, &[0xFF, 0xFF, 0xFF, 0x7F]),
];

/// A QoS 0 PUBLISH to topic "t" whose remaining length is `len` (len >= 3).
fn publish_with_remaining_length(len: usize) -> Packet {
    Packet::Publish(Publish {
        topic: "t".into(),
        payload: vec![7; len - 3],
        ..Default::default()
    })
}

#[test]
fn remaining_length_boundaries_encode_as_in_the_spec_table() {
    for (len, expected) in REMAINING_LENGTHS {
        if len < 3 {
            assert_eq!(
                Packet::Pingreq.to_bytes(ProtocolVersion::V311).unwrap()[1..],
                *expected
            );
            continue;
        }
        let bytes = publish_with_remaining_length(len)
            .to_bytes(ProtocolVersion::V311)
            .unwrap();
        assert_eq!(
            &bytes[1..1 + expected.len()],
            expected,
            "remaining length {len}"
        );
        assert_eq!(bytes.len(), 1 + expected.len() + len);
        let (_, used) = decode(&bytes, ProtocolVersion::V311, None)
            .unwrap()
            .unwrap();
        assert_eq!(used, bytes.len());
    }
}

#[test]
fn a_remaining_length_of_more_than_268435455_cannot_be_encoded() {
    let too_big = publish_with_remaining_length(268_435_456);
    assert_eq!(
        too_big.to_bytes(ProtocolVersion::V311),
        Err(EncodeError::PacketTooLarge {
            remaining_length: 268_435_456
        })
    );
}

#[test]
fn a_failed_encode_leaves_the_output_untouched() {
    let mut out = vec![1, 2, 3];
    let bad = Packet::Publish(Publish {
        qos: QoS::AtLeastOnce,
        topic: "t".into(),
        ..Default::default()
    });
    assert_eq!(
        encode(&bad, ProtocolVersion::V5, &mut out),
        Err(EncodeError::MissingPacketId)
    );
    assert_eq!(out, [1, 2, 3]);
}
