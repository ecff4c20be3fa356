//! Fuzzes the MQTT decoder: arbitrary bytes, split at an arbitrary point, go
//! through the streaming Decoder and `fields()`. Nothing may panic, and every
//! packet the decoder accepts must tile into fields and survive re-encoding.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qoscope::mqtt::packet::{decode, fields, Decoder, Packet, ProtocolVersion};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, bytes)) = data.split_first() else {
        return;
    };
    let version = if selector & 1 == 0 {
        ProtocolVersion::V311
    } else {
        ProtocolVersion::V5
    };
    let cut = usize::from(selector >> 1) % (bytes.len() + 1);
    let mut decoder = Decoder::new(version, Some(1 << 20));
    for chunk in [&bytes[..cut], &bytes[cut..]] {
        decoder.feed(chunk);
        while let Ok(Some((packet, raw))) = decoder.next_packet() {
            check_accepted(&packet, &raw, version);
        }
    }
    let _ = fields(bytes, version);
});

/// A packet the decoder accepted: its spans tile it, and it re-encodes to
/// bytes that decode to the same packet.
fn check_accepted(packet: &Packet, raw: &[u8], version: ProtocolVersion) {
    let spans = fields(raw, version).expect("fields of an accepted packet");
    let mut next = 0;
    for f in &spans {
        assert_eq!(f.start, next);
        next = f.end;
    }
    assert_eq!(next, raw.len());
    let bytes = packet
        .to_bytes(version)
        .expect("an accepted packet re-encodes");
    let again = decode(&bytes, version, None).expect("re-encoded bytes decode");
    assert_eq!(again.map(|(p, _)| p).as_ref(), Some(packet));
}
