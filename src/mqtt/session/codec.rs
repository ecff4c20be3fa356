//! The session's only contact with the codec: encode, decode, reason words.
//!
//! Kept in one place so that the session's logic never depends on codec details.

use crate::mqtt::packet::{
    reason_text, DecodeErrorKind, Decoder, Packet, PacketType, ProtocolVersion,
};

/// Encodes a packet for the wire; Err carries the codec's reason in words.
pub(crate) fn encode(packet: &Packet, version: ProtocolVersion) -> Result<Vec<u8>, String> {
    packet.to_bytes(version).map_err(|e| e.to_string())
}

/// A reason / return code in words ("Packet Identifier not found").
pub(crate) fn reason_words(packet_type: PacketType, version: ProtocolVersion, code: u8) -> String {
    reason_text(packet_type, version, code).to_string()
}

/// Reassembles packets from a byte stream (a WebSocket frame may hold several
/// packets or part of one).
#[derive(Debug, Clone)]
pub(crate) struct FrameDecoder {
    decoder: Decoder,
}

impl FrameDecoder {
    pub(crate) fn new(version: ProtocolVersion, max_packet_size: Option<u32>) -> Self {
        FrameDecoder {
            decoder: Decoder::new(version, max_packet_size),
        }
    }

    pub(crate) fn feed(&mut self, bytes: &[u8]) {
        self.decoder.feed(bytes);
    }

    /// The next whole packet with its raw bytes, None when more bytes are
    /// needed, Err with the codec's message and the DISCONNECT reason code
    /// on bad input: 0x95 Packet too large, else 0x81 Malformed Packet.
    pub(crate) fn next_packet(&mut self) -> Result<Option<(Packet, Vec<u8>)>, Malformed> {
        self.decoder.next_packet().map_err(|e| {
            let code = match e.kind {
                DecodeErrorKind::PacketTooLarge { .. } => 0x95,
                _ => 0x81,
            };
            Malformed {
                message: e.to_string(),
                code,
            }
        })
    }
}

/// Bytes the codec rejected.
#[derive(Debug, Clone)]
pub(crate) struct Malformed {
    /// The codec's message (with the byte offset).
    pub(crate) message: String,
    /// The DISCONNECT reason code it calls for.
    pub(crate) code: u8,
}
