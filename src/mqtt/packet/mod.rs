//! MQTT 3.1.1 and 5.0 control packets: types, codec, field spans.
//!
//! - `types` (re-exported here): the packets as plain data, shared by both versions (the contract).
//! - [`encode()`] / [`Packet::to_bytes`]: packets to bytes.
//! - [`decode()`] and the streaming [`Decoder`]: bytes to packets, with
//!   [`DecodeError`]s that say which byte went wrong and why.
//! - [`fields()`]: byte spans of every field, for the inspector.
//! - [`reason_text`]: reason and return codes in words.
//!
//! Private parts: `primitives` (integers, strings, the bounds-checked reader),
//! `properties` (MQTT 5 property table and codec).

mod decode;
mod decoder;
mod encode;
mod error;
mod fields;
pub mod payload_serde;
mod primitives;
mod properties;
mod reason;
mod types;

pub use decode::decode;
pub use decoder::Decoder;
pub use encode::encode;
pub use error::{DecodeError, DecodeErrorKind, EncodeError};
pub use fields::{fields, Field};
pub use properties::property_name;
pub use reason::{is_valid_reason, reason_text};
pub use types::*;

/// Largest remaining length MQTT can express (268,435,455 bytes).
pub const MAX_REMAINING_LENGTH: usize = primitives::MAX_VARINT;
