//! The byte inspector's model: a hex dump whose bytes know their field.

use serde::{Deserialize, Serialize};

use crate::mqtt::packet::fields;

use super::model::PacketSummary;

/// The named fields of a packet's bytes, from the codec's field spans;
/// bytes the codec cannot read (a truncated capture) still get their fixed
/// header named.
pub fn packet_fields(packet: &PacketSummary) -> Vec<FieldSpan> {
    match fields(&packet.bytes, packet.version) {
        Ok(spans) => spans
            .into_iter()
            .map(|f| FieldSpan {
                start: f.start,
                end: f.end,
                name: f.name,
                value: f.value,
            })
            .collect(),
        Err(_) => fixed_header_fields(&packet.bytes),
    }
}

/// A named byte range of a packet: `bytes[start..end]` is `name`, meaning `value`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldSpan {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
    /// Field name, e.g. "Packet Identifier".
    pub name: String,
    /// Decoded value, e.g. "1".
    pub value: String,
}

/// One byte in the dump.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HexCell {
    /// Offset in the packet.
    pub offset: usize,
    /// The byte.
    pub byte: u8,
    /// Index of the field it belongs to, if any.
    pub field: Option<usize>,
}

/// Bytes per dump row: eight, so a row fits the side panel (24rem) whole.
pub const ROW: usize = 8;

/// The dump of `bytes`, [`ROW`] bytes per row, each byte tagged with its field.
pub fn hex_rows(bytes: &[u8], fields: &[FieldSpan]) -> Vec<Vec<HexCell>> {
    bytes
        .chunks(ROW)
        .enumerate()
        .map(|(r, chunk)| {
            chunk
                .iter()
                .enumerate()
                .map(|(i, &byte)| {
                    let offset = r * ROW + i;
                    HexCell {
                        offset,
                        byte,
                        field: field_at(offset, fields),
                    }
                })
                .collect()
        })
        .collect()
}

/// The innermost field covering `offset` (the shortest span wins, so a
/// property inside "Properties" is highlighted as itself).
pub fn field_at(offset: usize, fields: &[FieldSpan]) -> Option<usize> {
    fields
        .iter()
        .enumerate()
        .filter(|(_, f)| f.start <= offset && offset < f.end)
        .min_by_key(|(_, f)| f.end - f.start)
        .map(|(i, _)| i)
}

/// CSS class for field `i`: a small palette, repeated.
pub fn field_class(i: usize) -> &'static str {
    const CLASSES: [&str; 6] = ["f0", "f1", "f2", "f3", "f4", "f5"];
    CLASSES[i % CLASSES.len()]
}

/// The fixed header's fields (MQTT 2.2), which every packet has: used when
/// the codec cannot name the rest.
pub fn fixed_header_fields(bytes: &[u8]) -> Vec<FieldSpan> {
    let Some(&first) = bytes.first() else {
        return Vec::new();
    };
    let mut fields = vec![FieldSpan {
        start: 0,
        end: 1,
        name: "Packet type and flags".into(),
        value: format!("type {}, flags {:04b}", first >> 4, first & 0x0F),
    }];
    // Remaining Length: 1..=4 bytes, 7 bits each, high bit = more (MQTT 2.2.3).
    let mut value: u32 = 0;
    let mut end = 1;
    for (i, &b) in bytes.iter().skip(1).take(4).enumerate() {
        value |= u32::from(b & 0x7F) << (7 * i);
        end = i + 2;
        if b & 0x80 == 0 {
            break;
        }
    }
    if end > 1 {
        fields.push(FieldSpan {
            start: 1,
            end,
            name: "Remaining Length".into(),
            value: value.to_string(),
        });
    }
    if bytes.len() > end {
        fields.push(FieldSpan {
            start: end,
            end: bytes.len(),
            name: "Variable header and payload".into(),
            value: format!("{} bytes", bytes.len() - end),
        });
    }
    fields
}
