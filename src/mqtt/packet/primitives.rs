//! Wire primitives shared by encoder and decoder: big-endian integers,
//! variable byte integers, length-prefixed UTF-8 strings and binary data.
//!
//! [`Reader`] is a bounds-checked cursor over one whole packet. Every read
//! reports errors with the byte offset in the packet; when recording is on it
//! also records each field's span, so [`super::fields()`] reuses the decoder's
//! own parse and the spans cannot drift from what the decoder does.

use super::error::{DecodeError, DecodeErrorKind, EncodeError};
use super::fields::Field;

/// Largest value a variable byte integer can hold (4 bytes, MQTT 5 1.5.5).
pub(crate) const MAX_VARINT: usize = 268_435_455;

/// Bounds-checked reader over the bytes of one packet.
pub(crate) struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    /// Reads may not go past this (the packet end, or a property block end).
    end: usize,
    /// Start of the field not yet recorded.
    mark: usize,
    spans: Option<Vec<Field>>,
}

type Res<T> = Result<T, DecodeError>;

impl<'a> Reader<'a> {
    /// A reader over `packet`, starting at `pos`; `record` keeps field spans.
    pub(crate) fn new(packet: &'a [u8], pos: usize, record: bool) -> Self {
        Reader {
            buf: packet,
            pos,
            end: packet.len(),
            mark: pos,
            spans: record.then(Vec::new),
        }
    }

    /// Current offset in the packet.
    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    /// Bytes left before the current end.
    pub(crate) fn remaining(&self) -> usize {
        self.end.saturating_sub(self.pos)
    }

    /// An error at `offset`.
    pub(crate) fn error(&self, offset: usize, kind: DecodeErrorKind) -> DecodeError {
        DecodeError::new(offset, kind)
    }

    /// Takes `n` bytes or fails with "packet ends before the {what}".
    pub(crate) fn take(&mut self, n: usize, what: &'static str) -> Res<&'a [u8]> {
        let stop = self.pos.checked_add(n).filter(|&s| s <= self.end);
        match stop.and_then(|s| self.buf.get(self.pos..s)) {
            Some(bytes) => {
                self.pos += n;
                Ok(bytes)
            }
            None => Err(self.error(self.pos, DecodeErrorKind::Truncated { what })),
        }
    }

    /// Everything up to the current end.
    pub(crate) fn rest(&mut self) -> &'a [u8] {
        let bytes = self.buf.get(self.pos..self.end).unwrap_or_default();
        self.pos = self.end.max(self.pos);
        bytes
    }

    pub(crate) fn u8(&mut self, what: &'static str) -> Res<u8> {
        Ok(self.take(1, what)?.first().copied().unwrap_or_default())
    }

    pub(crate) fn u16(&mut self, what: &'static str) -> Res<u16> {
        let b = self.take(2, what)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    pub(crate) fn u32(&mut self, what: &'static str) -> Res<u32> {
        let b = self.take(4, what)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// A variable byte integer of at most 4 bytes.
    pub(crate) fn varint(&mut self, what: &'static str) -> Res<u32> {
        let start = self.pos;
        let mut value = 0u32;
        for i in 0..4 {
            let byte = self.u8(what)?;
            value |= u32::from(byte & 0x7F) << (7 * i);
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(self.error(start, DecodeErrorKind::VarIntTooLong { what }))
    }

    /// Binary data with a two-byte length prefix.
    pub(crate) fn binary(&mut self, what: &'static str) -> Res<&'a [u8]> {
        let len = self.u16(what)?;
        self.take(usize::from(len), what)
    }

    /// A UTF-8 string with a two-byte length prefix (MQTT-1.5.3-1, -2).
    pub(crate) fn utf8(&mut self, what: &'static str) -> Res<&'a str> {
        let bytes = self.binary(what)?;
        let data_start = self.pos - bytes.len();
        let s = std::str::from_utf8(bytes).map_err(|e| {
            self.error(
                data_start + e.valid_up_to(),
                DecodeErrorKind::InvalidUtf8 { what },
            )
        })?;
        if let Some(i) = s.find('\0') {
            return Err(self.error(data_start + i, DecodeErrorKind::NullCharacter { what }));
        }
        Ok(s)
    }

    /// A packet identifier that must be present and non-zero (MQTT-2.3.1-1).
    pub(crate) fn packet_id(&mut self, packet: super::PacketType) -> Res<u16> {
        let at = self.pos;
        if self.remaining() < 2 {
            return Err(self.error(at, DecodeErrorKind::MissingPacketId { packet }));
        }
        let id = self.u16("packet identifier")?;
        if id == 0 {
            return Err(self.error(at, DecodeErrorKind::ZeroPacketId { packet }));
        }
        self.field("Packet identifier", || id.to_string());
        Ok(id)
    }

    /// Narrows the readable region to the next `len` bytes; returns the old end.
    pub(crate) fn narrow(&mut self, len: usize, what: &'static str) -> Res<usize> {
        match self.pos.checked_add(len).filter(|&e| e <= self.end) {
            Some(e) => Ok(std::mem::replace(&mut self.end, e)),
            None => Err(self.error(self.pos, DecodeErrorKind::Truncated { what })),
        }
    }

    /// Restores the end saved by [`Reader::narrow`].
    pub(crate) fn widen(&mut self, old_end: usize) {
        self.end = old_end;
    }

    /// Fails if any byte is left before the current end.
    pub(crate) fn expect_end(&self) -> Res<()> {
        match self.remaining() {
            0 => Ok(()),
            count => Err(self.error(self.pos, DecodeErrorKind::TrailingBytes { count })),
        }
    }

    /// True when spans are recorded (values worth formatting).
    pub(crate) fn recording(&self) -> bool {
        self.spans.is_some()
    }

    /// Records the bytes read since the last field as one field.
    pub(crate) fn field(&mut self, name: &str, value: impl FnOnce() -> String) {
        if self.recording() {
            self.field_with(|| (name.to_string(), value()));
        }
    }

    /// Like [`Reader::field`] with a computed name.
    pub(crate) fn field_with(&mut self, f: impl FnOnce() -> (String, String)) {
        let (start, end) = (self.mark, self.pos);
        self.mark = end;
        if let (Some(spans), true) = (self.spans.as_mut(), end > start) {
            let (name, value) = f();
            spans.push(Field {
                start,
                end,
                name,
                value,
            });
        }
    }

    /// The recorded spans.
    pub(crate) fn into_fields(self) -> Vec<Field> {
        self.spans.unwrap_or_default()
    }
}

/// Encodes `value` as a variable byte integer: (bytes, length).
pub(crate) fn varint_bytes(value: usize) -> Option<([u8; 4], usize)> {
    if value > MAX_VARINT {
        return None;
    }
    let (mut bytes, mut v, mut n) = ([0u8; 4], value, 0);
    loop {
        let mut byte = (v % 128) as u8;
        v /= 128;
        if v > 0 {
            byte |= 0x80;
        }
        bytes[n] = byte;
        n += 1;
        if v == 0 {
            return Some((bytes, n));
        }
    }
}

pub(crate) fn put_u16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_be_bytes());
}

pub(crate) fn put_u32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_be_bytes());
}

pub(crate) fn put_varint(
    out: &mut Vec<u8>,
    value: u32,
    what: &'static str,
) -> Result<(), EncodeError> {
    let (bytes, n) =
        varint_bytes(value as usize).ok_or(EncodeError::InvalidVarInt { what, value })?;
    out.extend_from_slice(&bytes[..n]);
    Ok(())
}

pub(crate) fn put_binary(
    out: &mut Vec<u8>,
    data: &[u8],
    what: &'static str,
) -> Result<(), EncodeError> {
    let len = u16::try_from(data.len()).map_err(|_| EncodeError::BinaryTooLong {
        what,
        len: data.len(),
    })?;
    put_u16(out, len);
    out.extend_from_slice(data);
    Ok(())
}

pub(crate) fn put_str(out: &mut Vec<u8>, s: &str, what: &'static str) -> Result<(), EncodeError> {
    let len =
        u16::try_from(s.len()).map_err(|_| EncodeError::StringTooLong { what, len: s.len() })?;
    put_u16(out, len);
    out.extend_from_slice(s.as_bytes());
    Ok(())
}

/// Writes what `body` writes, preceded by its length as a variable byte integer.
///
/// Reserves the longest prefix (4 bytes) first and closes the gap afterwards,
/// so the body is written once, straight into `out`.
pub(crate) fn put_length_prefixed(
    out: &mut Vec<u8>,
    body: impl FnOnce(&mut Vec<u8>) -> Result<(), EncodeError>,
) -> Result<(), EncodeError> {
    let at = out.len();
    out.extend_from_slice(&[0; 4]);
    body(out)?;
    let len = out.len() - at - 4;
    let (bytes, n) = varint_bytes(len).ok_or(EncodeError::PacketTooLarge {
        remaining_length: len,
    })?;
    // Close the gap of 4 - n unused prefix bytes, then write the prefix.
    out.copy_within(at + 4.., at + n);
    out.truncate(out.len() - (4 - n));
    out[at..at + n].copy_from_slice(&bytes[..n]);
    Ok(())
}
