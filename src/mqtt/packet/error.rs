//! Errors of the codec: [`DecodeError`] (with the byte offset where the
//! packet went wrong) and [`EncodeError`], each with a message a user can act on.

use std::fmt;

use super::properties::property_name;
use super::types::PacketType;

/// Why a packet could not be decoded, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    /// Byte index within the packet (0 = the fixed header byte) where it went wrong.
    pub offset: usize,
    /// What went wrong.
    pub kind: DecodeErrorKind,
}

impl DecodeError {
    /// An error of `kind` at byte `offset` of the packet.
    pub fn new(offset: usize, kind: DecodeErrorKind) -> Self {
        DecodeError { offset, kind }
    }
}

/// The kinds of malformed or forbidden packets the decoder reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeErrorKind {
    /// The high nibble of the first byte is 0 (reserved) — or 15 in 3.1.1.
    UnknownPacketType(u8),
    /// The remaining length does not end within 4 bytes (MQTT-2.2.3 / 1.5.5).
    RemainingLengthTooLong,
    /// The whole packet would exceed the agreed Maximum Packet Size.
    PacketTooLarge {
        /// Size of the whole packet in bytes, from its fixed header.
        size: u64,
        /// The limit.
        max: u32,
    },
    /// Flags in the low nibble of the first byte that must have a fixed value (MQTT-2.2.2-2).
    ReservedFlags {
        /// The packet.
        packet: PacketType,
        /// The flags found.
        found: u8,
        /// The only allowed value.
        expected: u8,
    },
    /// A QoS field holds 3 (MQTT-3.3.1-4).
    InvalidQos {
        /// Which QoS field ("PUBLISH", "will", "subscription options").
        what: &'static str,
    },
    /// DUP set on a QoS 0 PUBLISH (MQTT-3.3.1-2).
    DupOnQos0,
    /// The remaining length ends before a field that must be there.
    Truncated {
        /// The field that is cut off.
        what: &'static str,
    },
    /// The bytes given hold less than the packet its fixed header announces.
    Incomplete {
        /// Bytes the packet needs.
        expected: usize,
        /// Bytes given.
        got: usize,
    },
    /// Bytes left over after the last field of the packet.
    TrailingBytes {
        /// How many bytes are left over.
        count: usize,
    },
    /// A UTF-8 string field is not valid UTF-8 (MQTT-1.5.3-1).
    InvalidUtf8 {
        /// The field.
        what: &'static str,
    },
    /// A UTF-8 string field contains U+0000 (MQTT-1.5.3-2).
    NullCharacter {
        /// The field.
        what: &'static str,
    },
    /// A packet that needs a packet identifier ends before it.
    MissingPacketId {
        /// The packet.
        packet: PacketType,
    },
    /// A packet identifier is 0 (MQTT-2.3.1-1).
    ZeroPacketId {
        /// The packet.
        packet: PacketType,
    },
    /// CONNECT protocol name is not "MQTT" (MQTT-3.1.2-1).
    UnknownProtocolName(String),
    /// CONNECT protocol level is neither 4 (3.1.1) nor 5 (5.0) (MQTT-3.1.2-2).
    UnsupportedProtocolLevel(u8),
    /// CONNECT flags bit 0 is set (MQTT-3.1.2-3).
    ReservedConnectFlag,
    /// Will QoS or Will Retain set while the Will Flag is 0 (MQTT-3.1.2-13, -15).
    WillFlagsWithoutWill,
    /// 3.1.1 Password Flag set without the User Name Flag (MQTT-3.1.2-22).
    PasswordWithoutUsername,
    /// CONNACK acknowledge flags bits 7..1 are not 0 (MQTT-3.2.2-1).
    ReservedConnackFlags(u8),
    /// A variable byte integer does not end within 4 bytes.
    VarIntTooLong {
        /// The field.
        what: &'static str,
    },
    /// A property identifier that MQTT 5 does not define.
    UnknownProperty(u8),
    /// A property that is not allowed on this packet (MQTT 5 section 2.2.2.2).
    PropertyNotAllowed {
        /// Property identifier.
        id: u8,
        /// The packet or "will properties".
        on: &'static str,
    },
    /// A property that may appear once appears again.
    DuplicateProperty(u8),
    /// A property value outside its allowed range (e.g. Receive Maximum 0).
    InvalidPropertyValue {
        /// Property identifier.
        id: u8,
        /// The value found.
        value: u32,
    },
    /// A reason / return code not defined for this packet.
    InvalidReasonCode {
        /// The packet.
        packet: PacketType,
        /// The code found.
        code: u8,
    },
    /// SUBSCRIBE / UNSUBSCRIBE without any topic filter (MQTT-3.8.3-3, MQTT-3.10.3-2).
    NoTopicFilters {
        /// The packet.
        packet: PacketType,
    },
    /// SUBACK / UNSUBACK without any reason code.
    NoReasonCodes {
        /// The packet.
        packet: PacketType,
    },
    /// Reserved bits of a subscription options byte are set (MQTT-3.8.3-4 / -5).
    ReservedSubscriptionOptions(u8),
    /// Retain Handling 3 in a subscription options byte.
    InvalidRetainHandling,
    /// A PUBLISH topic name contains `+` or `#` (MQTT-3.3.2-2).
    WildcardInTopicName,
    /// A PUBLISH topic name is empty (MQTT-4.7.3-1), without a Topic Alias in 5.0.
    EmptyTopicName,
}

impl DecodeErrorKind {
    /// The MQTT 5 reason code a receiver sends (in CONNACK or DISCONNECT) for
    /// this error: 0x95 Packet too large, 0x84 Unsupported Protocol Version,
    /// 0x90 Topic Name invalid, 0x82 Protocol Error for well-formed packets
    /// the spec forbids, 0x81 Malformed Packet for the rest.
    pub fn reason_code(&self) -> u8 {
        use DecodeErrorKind::*;
        match self {
            PacketTooLarge { .. } => 0x95,
            UnsupportedProtocolLevel(_) => 0x84,
            WildcardInTopicName => 0x90,
            // "It is a Protocol Error to include ... more than once", a zero
            // Receive Maximum, Topic Alias or Subscription Identifier, a
            // Retain Handling of 3, an empty topic without a Topic Alias.
            DuplicateProperty(_)
            | InvalidPropertyValue { .. }
            | InvalidRetainHandling
            | EmptyTopicName => 0x82,
            _ => 0x81,
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            DecodeErrorKind::PacketTooLarge { .. } | DecodeErrorKind::Incomplete { .. } => {
                write!(f, "{}", self.kind)
            }
            _ => write!(f, "byte {}: {}", self.offset, self.kind),
        }
    }
}

impl fmt::Display for DecodeErrorKind {
    // A flat table: one arm per decode error, each a sentence.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use DecodeErrorKind::*;
        match self {
            UnknownPacketType(15) => {
                write!(f, "packet type 15 (AUTH) does not exist in MQTT 3.1.1")
            }
            UnknownPacketType(n) => write!(f, "unknown packet type {n}"),
            RemainingLengthTooLong => write!(f, "remaining length uses more than 4 bytes"),
            PacketTooLarge { size, max } => {
                write!(
                    f,
                    "packet of {size} bytes exceeds the maximum packet size of {max}"
                )
            }
            ReservedFlags {
                packet,
                found,
                expected,
            } => write!(
                f,
                "reserved flags {found:#06b} set on {} (must be {expected:#06b})",
                packet.name()
            ),
            InvalidQos { what } => write!(f, "QoS 3 in {what} is not a valid QoS level"),
            DupOnQos0 => write!(f, "DUP is set on a QoS 0 PUBLISH (must be 0, MQTT-3.3.1-2)"),
            Truncated { what } => write!(
                f,
                "packet ends before the {what} (remaining length too short)"
            ),
            Incomplete { expected, got } => {
                write!(f, "packet is incomplete: {got} of {expected} bytes")
            }
            TrailingBytes { count } => write!(f, "{count} unexpected byte(s) after the last field"),
            InvalidUtf8 { what } => write!(f, "{what} is not valid UTF-8"),
            NullCharacter { what } => write!(f, "{what} contains the null character U+0000"),
            MissingPacketId { packet } => {
                write!(f, "{} is missing its packet identifier", packet.name())
            }
            ZeroPacketId { packet } => {
                write!(
                    f,
                    "packet identifier 0 on {} (must be 1..=65535)",
                    packet.name()
                )
            }
            UnknownProtocolName(name) => write!(f, "protocol name {name:?} is not \"MQTT\""),
            UnsupportedProtocolLevel(l) => {
                write!(
                    f,
                    "protocol level {l} is not supported (4 = 3.1.1, 5 = 5.0)"
                )
            }
            ReservedConnectFlag => write!(f, "reserved connect flag (bit 0) is set (must be 0)"),
            WillFlagsWithoutWill => write!(f, "will QoS or will retain set without the will flag"),
            PasswordWithoutUsername => {
                write!(
                    f,
                    "password flag set without the user name flag (not allowed in 3.1.1)"
                )
            }
            ReservedConnackFlags(b) => {
                write!(
                    f,
                    "reserved acknowledge flags {b:#010b} set on CONNACK (only bit 0 may be set)"
                )
            }
            VarIntTooLong { what } => write!(f, "{what} uses more than 4 bytes"),
            UnknownProperty(id) => write!(f, "unknown property identifier {id:#04x}"),
            PropertyNotAllowed { id, on } => {
                write!(
                    f,
                    "property {id:#04x} {} is not allowed on {on}",
                    prop_name(*id)
                )
            }
            DuplicateProperty(id) => {
                write!(
                    f,
                    "property {id:#04x} {} appears more than once",
                    prop_name(*id)
                )
            }
            InvalidPropertyValue { id, value } => {
                write!(
                    f,
                    "property {id:#04x} {} has invalid value {value}",
                    prop_name(*id)
                )
            }
            InvalidReasonCode { packet, code } => {
                write!(
                    f,
                    "reason code {code:#04x} is not defined for {}",
                    packet.name()
                )
            }
            NoTopicFilters { packet } => write!(f, "{} carries no topic filter", packet.name()),
            NoReasonCodes { packet } => write!(f, "{} carries no reason code", packet.name()),
            ReservedSubscriptionOptions(b) => {
                write!(f, "reserved bits set in subscription options {b:#010b}")
            }
            InvalidRetainHandling => {
                write!(f, "retain handling 3 is not defined (must be 0, 1 or 2)")
            }
            WildcardInTopicName => write!(f, "topic name contains a wildcard (+ or #)"),
            EmptyTopicName => write!(f, "topic name is empty"),
        }
    }
}

fn prop_name(id: u8) -> &'static str {
    property_name(id).unwrap_or("(unknown)")
}

impl std::error::Error for DecodeError {}

/// Why a packet could not be encoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EncodeError {
    /// The remaining length would exceed 268,435,455 bytes.
    PacketTooLarge {
        /// Remaining length the packet would need.
        remaining_length: usize,
    },
    /// A UTF-8 string longer than 65,535 bytes.
    StringTooLong {
        /// The field.
        what: &'static str,
        /// Its length in bytes.
        len: usize,
    },
    /// Binary data longer than 65,535 bytes.
    BinaryTooLong {
        /// The field.
        what: &'static str,
        /// Its length in bytes.
        len: usize,
    },
    /// A QoS 1 or 2 PUBLISH without a packet id.
    MissingPacketId,
    /// A QoS 0 PUBLISH with a packet id (MQTT-2.3.1-5).
    PacketIdOnQos0,
    /// A packet id of 0.
    ZeroPacketId(PacketType),
    /// AUTH does not exist in 3.1.1.
    AuthInV311,
    /// SUBSCRIBE / UNSUBSCRIBE without filters.
    NoTopicFilters(PacketType),
    /// SUBACK / UNSUBACK (5.0) without reason codes.
    NoReasonCodes(PacketType),
    /// Retain Handling above 2.
    InvalidRetainHandling(u8),
    /// A variable byte integer value above 268,435,455 (or a Subscription Identifier of 0).
    InvalidVarInt {
        /// The field.
        what: &'static str,
        /// The value.
        value: u32,
    },
    /// A property the spec does not allow on this packet.
    PropertyNotAllowed {
        /// Property identifier.
        id: u8,
        /// The packet or "will properties".
        on: &'static str,
    },
    /// 3.1.1 forbids a password without a user name (MQTT-3.1.2-22).
    PasswordWithoutUsername,
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use EncodeError::*;
        match self {
            PacketTooLarge { remaining_length } => write!(
                f,
                "remaining length {remaining_length} exceeds the MQTT limit of 268435455 bytes"
            ),
            StringTooLong { what, len } => write!(f, "{what} is {len} bytes long (at most 65535)"),
            BinaryTooLong { what, len } => write!(f, "{what} is {len} bytes long (at most 65535)"),
            MissingPacketId => write!(f, "a QoS 1 or 2 PUBLISH needs a packet identifier"),
            PacketIdOnQos0 => write!(f, "a QoS 0 PUBLISH must not carry a packet identifier"),
            ZeroPacketId(p) => write!(f, "packet identifier 0 on {} (must be 1..=65535)", p.name()),
            AuthInV311 => write!(f, "AUTH does not exist in MQTT 3.1.1"),
            NoTopicFilters(p) => write!(f, "{} needs at least one topic filter", p.name()),
            NoReasonCodes(p) => write!(f, "{} needs at least one reason code", p.name()),
            InvalidRetainHandling(v) => write!(f, "retain handling {v} is not 0, 1 or 2"),
            InvalidVarInt { what, value } => write!(f, "{what} {value} is out of range"),
            PropertyNotAllowed { id, on } => {
                write!(
                    f,
                    "property {id:#04x} {} is not allowed on {on}",
                    prop_name(*id)
                )
            }
            PasswordWithoutUsername => {
                write!(
                    f,
                    "MQTT 3.1.1 does not allow a password without a user name"
                )
            }
        }
    }
}

impl std::error::Error for EncodeError {}
