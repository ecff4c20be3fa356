//! Why a command could not be carried out.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::mqtt::packet::QoS;
use crate::mqtt::topic::TopicError;

/// Why a command ([`super::Session::publish`], [`super::Session::subscribe`], ...)
/// was refused. Nothing was sent and no state changed when one is returned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CommandError {
    /// QoS 0 publish, SUBSCRIBE, UNSUBSCRIBE or DISCONNECT without a connection.
    /// (QoS>0 publishes are queued instead: they belong to the session.)
    NotConnected,
    /// The topic name of a publish is not valid.
    InvalidTopic {
        /// The topic as given.
        topic: String,
        /// What is wrong with it.
        error: TopicError,
    },
    /// A topic filter of a subscribe / unsubscribe is not valid.
    InvalidFilter {
        /// The filter as given.
        filter: String,
        /// What is wrong with it.
        error: TopicError,
    },
    /// SUBSCRIBE / UNSUBSCRIBE needs at least one filter (MQTT-3.8.3-3).
    NoFilters,
    /// The packet would exceed the broker's Maximum Packet Size (MQTT-3.2.2-15),
    /// or the protocol's 268,435,455-byte limit.
    PacketTooLarge {
        /// Encoded size, bytes.
        size: usize,
        /// The limit, bytes.
        max: usize,
    },
    /// The broker's CONNACK Maximum QoS is below the requested QoS (MQTT-3.2.2-11).
    QosNotSupported {
        /// What was asked.
        requested: QoS,
        /// What the broker accepts.
        maximum: QoS,
    },
    /// The broker said Retain Available = 0 (MQTT-3.2.2-14).
    RetainNotSupported,
    /// All 65535 packet ids are in flight.
    NoPacketIdAvailable,
    /// The codec cannot encode the packet (a property or field too long, ...).
    InvalidPacket {
        /// The codec's reason.
        reason: String,
    },
    /// The protocol version, the broker or the spec does not allow what was
    /// asked; the sentence says which and why.
    NotAllowed(String),
    /// The queue of messages waiting to be sent is full
    /// ([`super::SessionConfig::max_queued_messages`] / `max_queued_bytes`).
    QueueFull {
        /// Messages waiting.
        messages: usize,
        /// Their payload bytes.
        bytes: usize,
    },
}

impl fmt::Display for CommandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CommandError::NotConnected => write!(
                f,
                "not connected: connect first (QoS 1 and 2 publishes are queued)"
            ),
            CommandError::InvalidTopic { topic, error } => {
                write!(f, "invalid topic '{topic}': {error}")
            }
            CommandError::InvalidFilter { filter, error } => {
                write!(f, "invalid topic filter '{filter}': {error}")
            }
            CommandError::NoFilters => write!(f, "give at least one topic filter"),
            CommandError::PacketTooLarge { size, max } => {
                write!(
                    f,
                    "the packet would be {size} bytes; the broker accepts at most {max} bytes"
                )
            }
            CommandError::QosNotSupported { requested, maximum } => write!(
                f,
                "the broker accepts QoS {} at most; QoS {} was asked",
                maximum.as_u8(),
                requested.as_u8()
            ),
            CommandError::RetainNotSupported => {
                write!(f, "the broker does not support retained messages")
            }
            CommandError::NoPacketIdAvailable => {
                write!(
                    f,
                    "all 65535 packet ids are in flight; wait for acknowledgements"
                )
            }
            CommandError::InvalidPacket { reason } => {
                write!(f, "the packet cannot be encoded: {reason}")
            }
            CommandError::NotAllowed(reason) => f.write_str(reason),
            CommandError::QueueFull { messages, bytes } => write!(
                f,
                "not queued: {messages} messages ({} KB) already wait for the connection; \
                 nothing more is queued until they go out",
                bytes.div_ceil(1024)
            ),
        }
    }
}

impl std::error::Error for CommandError {}
