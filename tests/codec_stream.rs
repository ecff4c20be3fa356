#![cfg(not(target_arch = "wasm32"))]
//! The streaming Decoder reassembles packets however the bytes are split:
//! one byte at a time, several packets in one feed, a packet across feeds.

mod codec_samples;

use codec_samples::all_packets;
use qoscope::mqtt::packet::*;

fn encoded_stream(version: ProtocolVersion) -> (Vec<Packet>, Vec<Vec<u8>>) {
    let packets: Vec<Packet> = all_packets(version)
        .into_iter()
        .filter(|p| !matches!(p, Packet::Connect(c) if c.protocol != version))
        .collect();
    let raws = packets
        .iter()
        .map(|p| p.to_bytes(version).unwrap())
        .collect();
    (packets, raws)
}

fn drain(decoder: &mut Decoder) -> Vec<(Packet, Vec<u8>)> {
    let mut out = Vec::new();
    while let Some(item) = decoder.next_packet().expect("valid stream") {
        out.push(item);
    }
    out
}

#[test]
fn fed_one_byte_at_a_time_every_packet_comes_out_once_with_its_raw_bytes() {
    for version in [ProtocolVersion::V311, ProtocolVersion::V5] {
        let (packets, raws) = encoded_stream(version);
        let mut decoder = Decoder::new(version, None);
        let mut got = Vec::new();
        for byte in raws.concat() {
            decoder.feed(&[byte]);
            got.extend(drain(&mut decoder));
        }
        let expected: Vec<_> = packets.into_iter().zip(raws).collect();
        assert_eq!(got, expected);
        assert_eq!(decoder.buffered(), 0);
    }
}

#[test]
fn several_packets_in_one_feed_all_come_out_in_order() {
    let (packets, raws) = encoded_stream(ProtocolVersion::V5);
    let mut decoder = Decoder::new(ProtocolVersion::V5, None);
    decoder.feed(&raws.concat());
    let got: Vec<Packet> = drain(&mut decoder).into_iter().map(|(p, _)| p).collect();
    assert_eq!(got, packets);
}

#[test]
fn a_partial_packet_waits_for_the_rest() {
    let puback = Packet::Puback(PubResponse {
        packet_id: 9,
        ..Default::default()
    });
    let bytes = puback.to_bytes(ProtocolVersion::V311).unwrap();
    let mut decoder = Decoder::new(ProtocolVersion::V311, None);
    decoder.feed(&bytes[..3]);
    assert_eq!(decoder.next_packet(), Ok(None));
    assert_eq!(decoder.buffered(), 3);
    decoder.feed(&bytes[3..]);
    assert_eq!(decoder.next_packet(), Ok(Some((puback, bytes))));
    assert_eq!(decode(&[0x40], ProtocolVersion::V311, None), Ok(None));
    assert_eq!(decode(&[], ProtocolVersion::V311, None), Ok(None));
}

#[test]
fn set_version_switches_how_later_packets_are_read() {
    let ack = Packet::Puback(PubResponse {
        packet_id: 1,
        reason: 0x10,
        ..Default::default()
    });
    let bytes = ack.to_bytes(ProtocolVersion::V5).unwrap();
    let mut decoder = Decoder::new(ProtocolVersion::V311, None);
    decoder.feed(&bytes);
    // In 3.1.1 a PUBACK is exactly 2 bytes long after the header.
    assert!(decoder.next_packet().is_err());
    decoder.clear();
    decoder.set_version(ProtocolVersion::V5);
    decoder.feed(&bytes);
    assert_eq!(decoder.next_packet(), Ok(Some((ack, bytes))));
}

#[test]
fn an_oversize_packet_fails_before_its_body_arrives() {
    let mut decoder = Decoder::new(ProtocolVersion::V5, Some(100));
    decoder.feed(&[0x30, 0x7F]); // 129 bytes announced
    let e = decoder.next_packet().unwrap_err();
    assert_eq!(
        e.kind,
        DecodeErrorKind::PacketTooLarge {
            size: 129,
            max: 100
        }
    );
    decoder.set_max_packet_size(None);
    assert_eq!(decoder.next_packet(), Ok(None));
}

#[test]
fn what_is_not_yet_a_packet_stays_pending_and_is_there_after_an_error() {
    use qoscope::mqtt::packet::{Decoder, ProtocolVersion};
    let mut d = Decoder::new(ProtocolVersion::V311, None);
    // PINGRESP split over two frames: nothing to return after the first byte.
    d.feed(&[0xD0]);
    assert!(matches!(d.next_packet(), Ok(None)));
    assert_eq!(d.pending(), [0xD0]);
    d.feed(&[0x00]);
    assert!(matches!(d.next_packet(), Ok(Some(_))));
    assert!(d.pending().is_empty());
    // Packet type 0 is reserved: an error, and the bytes are still there
    // for whoever reports it.
    d.feed(&[0x00, 0x00]);
    assert!(d.next_packet().is_err());
    assert_eq!(d.pending(), [0x00, 0x00]);
}
