//! Byte spans of every field of a packet, for the byte-level inspector.
//!
//! [`fields`] runs the decoder's own parse with span recording on, so every
//! span is exactly what the decoder read: contiguous, ordered, and covering
//! the whole packet.

use serde::Serialize;

use super::decode::{parse_body, parse_fixed_header};
use super::error::{DecodeError, DecodeErrorKind};
use super::primitives::Reader;
use super::types::{PacketType, ProtocolVersion};

/// One field of a packet: bytes `start..end` of the raw packet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Field {
    /// First byte of the field.
    pub start: usize,
    /// One past its last byte.
    pub end: usize,
    /// What the field is ("Topic name", "Property 0x23 Topic Alias").
    pub name: String,
    /// Its value in words ("\"a/b\"", "PUBLISH, DUP=1 QoS=2 RETAIN=0").
    pub value: String,
}

/// The fields of the one packet in `raw`, in order, tiling all of `raw`.
pub fn fields(raw: &[u8], version: ProtocolVersion) -> Result<Vec<Field>, DecodeError> {
    let header = parse_fixed_header(raw, version, None)?.ok_or_else(|| incomplete(raw, 2))?;
    let total = header.total_len();
    if raw.len() != total {
        let kind = match raw.len() < total {
            true => DecodeErrorKind::Incomplete {
                expected: total,
                got: raw.len(),
            },
            false => DecodeErrorKind::TrailingBytes {
                count: raw.len() - total,
            },
        };
        return Err(DecodeError::new(total.min(raw.len()), kind));
    }
    let mut r = Reader::new(raw, 0, true);
    r.take(1, "fixed header")?;
    r.field("Fixed header", || {
        describe_first_byte(header.packet_type, header.flags)
    });
    r.take(header.header_len - 1, "remaining length")?;
    r.field("Remaining length", || {
        format!("{} bytes", header.remaining_length)
    });
    parse_body(&mut r, &header, version)?;
    Ok(r.into_fields())
}

fn incomplete(raw: &[u8], expected: usize) -> DecodeError {
    DecodeError::new(
        raw.len(),
        DecodeErrorKind::Incomplete {
            expected,
            got: raw.len(),
        },
    )
}

fn describe_first_byte(t: PacketType, flags: u8) -> String {
    if t == PacketType::Publish {
        let (dup, qos, retain) = (flags >> 3, (flags >> 1) & 0b11, flags & 1);
        return format!("PUBLISH, DUP={dup} QoS={qos} RETAIN={retain}");
    }
    format!("{}, flags {flags:#06b}", t.name())
}

/// Lower-case hex of up to 32 bytes, with "…" when there are more.
pub(crate) fn hex(bytes: &[u8]) -> String {
    let mut s: String = bytes
        .iter()
        .take(32)
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(" ");
    if bytes.len() > 32 {
        s.push_str(" …");
    }
    s
}

/// "5 bytes: \"hello\"" for text, hex for anything else.
pub(crate) fn describe_bytes(bytes: &[u8]) -> String {
    let n = bytes.len();
    match std::str::from_utf8(bytes) {
        Ok(s) if !s.chars().any(|c| c.is_control() && c != '\n' && c != '\t') => {
            let preview: String = s.chars().take(64).collect();
            let more = if preview.len() < s.len() { "…" } else { "" };
            format!("{n} bytes: {preview:?}{more}")
        }
        _ => format!("{n} bytes: {}", hex(bytes)),
    }
}
