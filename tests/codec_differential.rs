#![cfg(not(target_arch = "wasm32"))]
//! Differential tests against an independent codec, `mqtt-protocol-core`
//! (3.1.1 and 5.0, sans-IO): what we encode it decodes to the same fields,
//! and what it encodes we decode to the same packet, for CONNECT, PUBLISH,
//! PUBACK, PUBREC, PUBREL, PUBCOMP and SUBSCRIBE in both versions, with every
//! property the spec allows on them.

mod codec_samples;
mod peer;

use codec_samples::all_packets;
use peer::{ours_to_peer, peer_to_ours, split_with_peer, PeerPacket};
use qoscope::mqtt::packet::*;

/// The packet types the peer is compared on.
fn compared(p: &Packet) -> bool {
    matches!(
        p,
        Packet::Connect(_)
            | Packet::Publish(_)
            | Packet::Puback(_)
            | Packet::Pubrec(_)
            | Packet::Pubrel(_)
            | Packet::Pubcomp(_)
            | Packet::Subscribe(_)
    )
}

fn samples(version: ProtocolVersion) -> Vec<Packet> {
    let mut packets: Vec<Packet> = all_packets(version).into_iter().filter(compared).collect();
    packets.extend(extra_samples(version));
    packets
}

/// Plain packets without properties, the shapes a demo sends most.
fn extra_samples(version: ProtocolVersion) -> Vec<Packet> {
    let publish = |qos, packet_id| {
        Packet::Publish(Publish {
            qos,
            packet_id,
            topic: "shop/stock/42".into(),
            payload: vec![0xAB; 1024],
            ..Default::default()
        })
    };
    vec![
        publish(QoS::AtMostOnce, None),
        publish(QoS::AtLeastOnce, Some(1)),
        publish(QoS::ExactlyOnce, Some(65535)),
        Packet::Pubrel(PubResponse {
            packet_id: 300,
            ..Default::default()
        }),
        Packet::Connect(Connect {
            protocol: version,
            keep_alive: 30,
            client_id: "qoscope".into(),
            ..Default::default()
        }),
    ]
}

#[test]
fn the_peer_decodes_what_we_encode_to_the_same_fields() {
    for version in [ProtocolVersion::V311, ProtocolVersion::V5] {
        let packets = samples(version);
        assert!(
            packets.len() >= 14,
            "{version:?}: {} samples",
            packets.len()
        );
        for packet in packets {
            let bytes = packet.to_bytes(version).unwrap();
            let (raw, used) = split_with_peer(&bytes).expect("the peer frames our packet");
            assert_eq!(used, bytes.len());
            let theirs = PeerPacket::parse(&raw, version)
                .unwrap_or_else(|e| panic!("peer rejects {packet:?}: {e}"));
            assert_eq!(peer_to_ours(&theirs), packet, "{version:?}");
        }
    }
}

#[test]
fn we_decode_what_the_peer_encodes_to_the_same_packet() {
    for version in [ProtocolVersion::V311, ProtocolVersion::V5] {
        for packet in samples(version) {
            let theirs = ours_to_peer(&packet, version)
                .unwrap_or_else(|e| panic!("peer cannot build {packet:?}: {e}"));
            let bytes = theirs.to_bytes();
            let decoded =
                decode(&bytes, version, None).unwrap_or_else(|e| panic!("{e} in {bytes:02x?}"));
            assert_eq!(decoded, Some((packet, bytes.len())), "{version:?}");
        }
    }
}

#[test]
fn packets_without_properties_are_byte_for_byte_the_same() {
    for version in [ProtocolVersion::V311, ProtocolVersion::V5] {
        for packet in extra_samples(version) {
            let theirs = ours_to_peer(&packet, version).unwrap().to_bytes();
            assert_eq!(packet.to_bytes(version).unwrap(), theirs, "{packet:?}");
        }
    }
}
