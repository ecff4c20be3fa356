//! [`Decoder`]: reassembles packets from a byte stream split anywhere (one
//! WebSocket frame may hold several packets or part of one).

use super::decode::decode;
use super::error::DecodeError;
use super::types::{Packet, ProtocolVersion};

/// Buffers incoming bytes and yields whole packets with their raw bytes.
///
/// After an error the stream is unusable (MQTT closes the connection on a
/// malformed packet, MQTT-4.8.0-1 / 5.0 4.13): the same error is returned
/// again until [`Decoder::clear`].
#[derive(Debug, Clone, Default)]
pub struct Decoder {
    buf: Vec<u8>,
    /// Start of the first byte not yet decoded.
    start: usize,
    version: ProtocolVersion,
    max_packet_size: Option<u32>,
}

impl Decoder {
    /// A decoder for `version` that refuses packets above `max_packet_size` bytes.
    pub fn new(version: ProtocolVersion, max_packet_size: Option<u32>) -> Self {
        Decoder {
            buf: Vec::new(),
            start: 0,
            version,
            max_packet_size,
        }
    }

    /// The version non-CONNECT packets are read as (CONNECT carries its own).
    pub fn version(&self) -> ProtocolVersion {
        self.version
    }

    /// Changes the version, e.g. once CONNECT / CONNACK agreed on one.
    pub fn set_version(&mut self, version: ProtocolVersion) {
        self.version = version;
    }

    /// Changes the maximum packet size (MQTT 5 Maximum Packet Size).
    pub fn set_max_packet_size(&mut self, max_packet_size: Option<u32>) {
        self.max_packet_size = max_packet_size;
    }

    /// Appends received bytes.
    pub fn feed(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// Bytes received but not yet returned as a packet.
    pub fn buffered(&self) -> usize {
        self.buf.len() - self.start
    }

    /// The bytes received but not yet returned as a packet.
    pub fn pending(&self) -> &[u8] {
        self.buf.get(self.start..).unwrap_or_default()
    }

    /// Drops everything buffered.
    pub fn clear(&mut self) {
        self.buf.clear();
        self.start = 0;
    }

    /// The next whole packet and its raw bytes, or `None` until more bytes arrive.
    pub fn next_packet(&mut self) -> Result<Option<(Packet, Vec<u8>)>, DecodeError> {
        let pending = self.buf.get(self.start..).unwrap_or_default();
        let Some((packet, used)) = decode(pending, self.version, self.max_packet_size)? else {
            self.compact();
            return Ok(None);
        };
        let raw = pending.get(..used).unwrap_or_default().to_vec();
        self.start += used;
        Ok(Some((packet, raw)))
    }

    /// Moves the undecoded tail to the front so the buffer does not grow forever.
    fn compact(&mut self) {
        if self.start > 0 {
            self.buf.drain(..self.start);
            self.start = 0;
        }
    }
}
