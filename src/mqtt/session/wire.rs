//! The session's only contact with the codec: encode, decode, reason words.
//!
//! Kept in one place so that the session's logic never depends on codec details.

use crate::mqtt::packet::{Packet, PacketType, ProtocolVersion};

/// Encodes a packet for the wire.
pub(crate) fn encode(packet: &Packet, version: ProtocolVersion) -> Result<Vec<u8>, String> {
    // Placeholder until the codec lands on main: no bytes.
    let _ = (packet, version);
    Ok(Vec::new())
}

/// A reason / return code in words.
pub(crate) fn reason_words(packet_type: PacketType, version: ProtocolVersion, code: u8) -> String {
    let _ = (packet_type, version);
    format!("reason code 0x{code:02X}")
}

/// Reassembles packets from a byte stream (a WebSocket frame may hold several
/// packets or part of one).
#[derive(Debug, Clone)]
pub(crate) struct FrameDecoder {
    buffered: Vec<u8>,
}

impl FrameDecoder {
    pub(crate) fn new(version: ProtocolVersion, max_packet_size: Option<u32>) -> Self {
        let _ = (version, max_packet_size);
        FrameDecoder {
            buffered: Vec::new(),
        }
    }

    pub(crate) fn feed(&mut self, bytes: &[u8]) {
        self.buffered.extend_from_slice(bytes);
    }

    /// The next whole packet with its raw bytes, None when more bytes are
    /// needed, Err with the codec's message on malformed input.
    pub(crate) fn next_packet(&mut self) -> Result<Option<(Packet, Vec<u8>)>, String> {
        if self.buffered.is_empty() {
            Ok(None)
        } else {
            Err("no decoder yet".into())
        }
    }
}
