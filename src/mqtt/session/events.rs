//! What the session reports: one event per packet and per QoS-flow state change.
//!
//! The visualiser, the packet log and the metrics are all built from this one
//! stream, so every variant carries enough to be drawn without asking the
//! session anything else. [`EventKind::describe`] gives a one-line text.
//!
//! Order, within one input or command: the `PacketReceived` that caused it,
//! then each answer's `PacketSent` followed by the `Flow` change it made, then
//! the outcome (`Delivered`, `PublishComplete`, ...). A resend is announced by
//! `Retry` just before its `PacketSent`.

use serde::{Deserialize, Serialize};

use crate::mqtt::packet::{Packet, PacketId, PacketType, Properties, QoS};

/// What happened, with the time it happened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Milliseconds, as passed in by the caller.
    pub at: u64,
    /// What happened.
    pub kind: EventKind,
}

/// Direction of a QoS flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FlowDirection {
    /// We publish.
    Outgoing,
    /// We receive.
    Incoming,
}

/// The state of one QoS flow, named as pre-sales material on QoS names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FlowState {
    /// Outgoing QoS 1: PUBLISH sent, waiting for PUBACK.
    AwaitingPuback,
    /// Outgoing QoS 2: PUBLISH sent, waiting for PUBREC.
    AwaitingPubrec,
    /// Outgoing QoS 2: PUBREL sent, waiting for PUBCOMP.
    AwaitingPubcomp,
    /// Incoming QoS 2: id stored, PUBREC sent, waiting for PUBREL.
    IdStored,
    /// Flow finished (acknowledged, released or completed).
    Done,
    /// Not yet sent (waiting for the in-flight window or a connection).
    Queued,
    /// Dropped without completion (session lost, rejected).
    Abandoned,
    /// The flow did not exist yet: the `from` of a flow's first transition.
    New,
}

impl FlowState {
    /// The state's name as shown in diagrams ("AwaitingPubrec").
    pub fn name(self) -> &'static str {
        match self {
            FlowState::AwaitingPuback => "AwaitingPuback",
            FlowState::AwaitingPubrec => "AwaitingPubrec",
            FlowState::AwaitingPubcomp => "AwaitingPubcomp",
            FlowState::IdStored => "IdStored",
            FlowState::Done => "Done",
            FlowState::Queued => "Queued",
            FlowState::Abandoned => "Abandoned",
            FlowState::New => "New",
        }
    }
}

/// What the broker told us about itself in CONNACK (MQTT 5 properties, with
/// the spec's defaults when absent; 3.1.1 brokers get the defaults).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrokerLimits {
    /// Receive Maximum: QoS>0 PUBLISHes we may have in flight (default 65535).
    pub receive_maximum: u16,
    /// Topic Alias Maximum: aliases we may assign (default 0 = none).
    pub topic_alias_maximum: u16,
    /// Maximum Packet Size the broker accepts (None = protocol limit).
    pub maximum_packet_size: Option<u32>,
    /// Maximum QoS the broker accepts on PUBLISH (default 2).
    pub maximum_qos: QoS,
    /// Retain Available (default true).
    pub retain_available: bool,
    /// Keep-alive in effect, seconds: Server Keep Alive if sent, else ours.
    pub keep_alive_secs: u16,
    /// Assigned Client Identifier, when we connected with an empty id.
    pub assigned_client_id: Option<String>,
    /// Session Expiry Interval the broker applies, if it sent one.
    pub session_expiry_secs: Option<u32>,
    /// Subscription Identifier Available (default true).
    #[serde(default = "yes")]
    pub subscription_identifiers_available: bool,
}

fn yes() -> bool {
    true
}

impl BrokerLimits {
    /// What a CONNACK without properties means (every 3.1.1 CONNACK): the
    /// spec's defaults, and our own keep-alive.
    pub fn spec_defaults(keep_alive_secs: u16) -> Self {
        BrokerLimits {
            receive_maximum: u16::MAX,
            topic_alias_maximum: 0,
            maximum_packet_size: None,
            maximum_qos: QoS::ExactlyOnce,
            retain_available: true,
            keep_alive_secs,
            assigned_client_id: None,
            session_expiry_secs: None,
            subscription_identifiers_available: true,
        }
    }
}

/// The outcome for one filter of a SUBSCRIBE or UNSUBSCRIBE.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilterResult {
    /// The topic filter.
    pub filter: String,
    /// Granted QoS for a SUBSCRIBE that succeeded; None otherwise.
    pub granted: Option<QoS>,
    /// Return / reason code from SUBACK / UNSUBACK (0 for a 3.1.1 UNSUBACK).
    pub code: u8,
    /// The code in words.
    pub reason: String,
}

impl FilterResult {
    /// True for codes below 0x80.
    pub fn is_success(&self) -> bool {
        self.code < 0x80
    }
}

/// An application message handed to the application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// Topic name (aliases already resolved).
    pub topic: String,
    /// Payload.
    #[serde(with = "crate::mqtt::packet::payload_serde")]
    pub payload: Vec<u8>,
    /// Effective QoS: min(published, granted by the matching subscriptions).
    pub qos: QoS,
    /// RETAIN flag as received.
    pub retain: bool,
    /// DUP flag as received.
    pub dup: bool,
    /// Packet id (QoS > 0).
    pub packet_id: Option<PacketId>,
    /// MQTT 5 properties as received (topic alias removed).
    #[serde(default, skip_serializing_if = "Properties::is_empty")]
    pub properties: Properties,
    /// Our subscription filters that match the topic.
    pub matched_filters: Vec<String>,
}

/// Why the connection ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum DisconnectReason {
    /// We sent DISCONNECT ([`super::Session::disconnect`]).
    ClientDisconnect,
    /// The transport closed under us.
    TransportClosed,
    /// No PINGRESP in time after PINGREQ.
    KeepAliveTimeout,
    /// No CONNACK within the keep-alive period.
    ConnackTimeout,
    /// CONNECT could not be encoded from the configuration (see the Warning).
    InvalidConnect,
    /// The broker refused the connection in CONNACK.
    Refused {
        /// CONNACK code.
        code: u8,
    },
    /// The broker broke the protocol (message in the ProtocolError event).
    ProtocolError,
    /// The broker sent DISCONNECT (MQTT 5).
    ServerDisconnect {
        /// Reason code.
        code: u8,
        /// Reason in words.
        reason: String,
    },
}

impl DisconnectReason {
    /// One-line text.
    pub fn describe(&self) -> String {
        match self {
            DisconnectReason::ClientDisconnect => "client disconnected".into(),
            DisconnectReason::TransportClosed => "transport closed".into(),
            DisconnectReason::KeepAliveTimeout => "keep-alive timeout (no PINGRESP)".into(),
            DisconnectReason::InvalidConnect => "CONNECT could not be encoded".into(),
            DisconnectReason::ConnackTimeout => "no CONNACK within the keep-alive period".into(),
            DisconnectReason::Refused { code } => format!("connection refused (code {code})"),
            DisconnectReason::ProtocolError => "protocol error".into(),
            DisconnectReason::ServerDisconnect { code, reason } => {
                format!("broker disconnected: {reason} (0x{code:02X})")
            }
        }
    }
}

/// Kinds of events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum EventKind {
    /// A packet left the session (to the transport).
    PacketSent {
        /// Packet.
        packet: Packet,
        /// Encoded bytes.
        bytes: Vec<u8>,
    },
    /// A packet arrived.
    PacketReceived {
        /// Packet.
        packet: Packet,
        /// Raw bytes.
        bytes: Vec<u8>,
    },
    /// A QoS flow changed state.
    Flow {
        /// Packet id.
        packet_id: PacketId,
        /// Which side.
        direction: FlowDirection,
        /// Its QoS.
        qos: QoS,
        /// Old state.
        from: FlowState,
        /// New state.
        to: FlowState,
    },
    /// CONNACK accepted the connection.
    Connected {
        /// Session Present flag.
        session_present: bool,
        /// The broker's limits.
        broker: BrokerLimits,
    },
    /// CONNACK refused the connection.
    ConnectionRefused {
        /// Return / reason code.
        code: u8,
        /// The code in words.
        reason: String,
    },
    /// A message was handed to the application.
    Delivered {
        /// The message.
        message: Message,
    },
    /// An incoming QoS 2 PUBLISH repeated a stored id: PUBREC again, no delivery.
    DuplicateSuppressed {
        /// Packet id.
        packet_id: PacketId,
    },
    /// A PUBLISH (DUP=1) or PUBREL was sent again.
    Retry {
        /// Packet id.
        packet_id: PacketId,
        /// PUBLISH or PUBREL.
        packet_type: PacketType,
        /// 2 for the first resend, 3 for the next, ...
        attempt: u32,
    },
    /// An outgoing QoS>0 publish finished: PUBACK (QoS 1) or PUBCOMP (QoS 2).
    PublishComplete {
        /// Packet id.
        packet_id: PacketId,
        /// QoS.
        qos: QoS,
        /// From the first PUBLISH to the acknowledgement.
        latency_ms: u64,
    },
    /// An outgoing publish failed (error reason code, packet too large).
    PublishFailed {
        /// Packet id (None for QoS 0).
        packet_id: Option<PacketId>,
        /// Why, in words.
        reason: String,
    },
    /// An unacknowledged message was dropped: the broker had no session.
    MessageDropped {
        /// Packet id.
        packet_id: PacketId,
        /// Why, in words.
        why: String,
    },
    /// SUBACK: one result per filter.
    Subscribed {
        /// Packet id.
        packet_id: PacketId,
        /// Per-filter results, in request order.
        results: Vec<FilterResult>,
    },
    /// UNSUBACK: one result per filter.
    Unsubscribed {
        /// Packet id.
        packet_id: PacketId,
        /// Per-filter results, in request order.
        results: Vec<FilterResult>,
    },
    /// A SUBSCRIBE / UNSUBSCRIBE got no answer before the connection closed.
    RequestAbandoned {
        /// Packet id.
        packet_id: PacketId,
        /// SUBSCRIBE or UNSUBSCRIBE.
        packet_type: PacketType,
    },
    /// The broker had no session: these subscriptions are gone.
    SubscriptionsLost {
        /// Filters.
        filters: Vec<String>,
    },
    /// No PINGRESP in time.
    KeepAliveTimeout,
    /// The connection ended; if the session closed it, `poll_close` says so.
    Disconnected {
        /// Why.
        reason: DisconnectReason,
    },
    /// The broker broke the protocol (malformed packet, bad alias, ...).
    ProtocolError {
        /// What was wrong.
        message: String,
    },
    /// Something odd but harmless (an ack for an unknown id, an ignored option).
    Warning {
        /// What.
        message: String,
    },
}

impl EventKind {
    /// A one-line human text, e.g. "id 7: AwaitingPubrec → AwaitingPubcomp".
    // A flat table: one arm per event kind, each a sentence.
    pub fn describe(&self) -> String {
        use EventKind::*;
        match self {
            PacketSent { packet, bytes } => {
                format!("sent {} ({} bytes)", packet_summary(packet), bytes.len())
            }
            PacketReceived { packet, bytes } => {
                format!(
                    "received {} ({} bytes)",
                    packet_summary(packet),
                    bytes.len()
                )
            }
            Flow {
                packet_id,
                direction,
                qos,
                from,
                to,
            } => format!(
                "id {packet_id}: {} → {} ({} QoS {})",
                from.name(),
                to.name(),
                direction_word(*direction),
                qos.as_u8()
            ),
            Connected {
                session_present,
                broker,
            } => format!(
                "connected, session present: {}, receive maximum {}, topic alias maximum {}",
                yes_no(*session_present),
                broker.receive_maximum,
                broker.topic_alias_maximum
            ),
            ConnectionRefused { code, reason } => {
                format!("connection refused: {reason} (0x{code:02X})")
            }
            Delivered { message } => format!(
                "delivered '{}' ({} bytes, QoS {})",
                message.topic,
                message.payload.len(),
                message.qos.as_u8()
            ),
            DuplicateSuppressed { packet_id } => {
                format!("id {packet_id}: duplicate QoS 2 PUBLISH suppressed, PUBREC sent again")
            }
            Retry {
                packet_id,
                packet_type,
                attempt,
            } => {
                format!(
                    "id {packet_id}: resending {} (attempt {attempt})",
                    packet_type.name()
                )
            }
            PublishComplete {
                packet_id,
                qos,
                latency_ms,
            } => {
                format!(
                    "id {packet_id}: QoS {} publish complete in {latency_ms} ms",
                    qos.as_u8()
                )
            }
            PublishFailed { packet_id, reason } => {
                format!("{}publish failed: {reason}", id_prefix(*packet_id))
            }
            MessageDropped { packet_id, why } => format!("id {packet_id}: message dropped: {why}"),
            Subscribed { packet_id, results } => {
                format!("id {packet_id}: subscribed {}", results_text(results))
            }
            Unsubscribed { packet_id, results } => {
                format!("id {packet_id}: unsubscribed {}", results_text(results))
            }
            RequestAbandoned {
                packet_id,
                packet_type,
            } => {
                format!(
                    "id {packet_id}: {} got no answer before the connection closed",
                    packet_type.name()
                )
            }
            SubscriptionsLost { filters } => format!(
                "broker had no session; lost subscriptions: {}",
                filters.join(", ")
            ),
            KeepAliveTimeout => "keep-alive timeout: no PINGRESP".into(),
            Disconnected { reason } => format!("disconnected: {}", reason.describe()),
            ProtocolError { message } => format!("protocol error: {message}"),
            Warning { message } => format!("warning: {message}"),
        }
    }
}

/// "id 7: " for a packet id, nothing without one.
fn id_prefix(packet_id: Option<PacketId>) -> String {
    packet_id.map_or_else(String::new, |id| format!("id {id}: "))
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

fn direction_word(d: FlowDirection) -> &'static str {
    match d {
        FlowDirection::Outgoing => "outgoing",
        FlowDirection::Incoming => "incoming",
    }
}

fn results_text(results: &[FilterResult]) -> String {
    let parts: Vec<String> = results
        .iter()
        .map(|r| match r.granted {
            Some(qos) => format!("'{}' (QoS {})", r.filter, qos.as_u8()),
            None if r.is_success() => format!("'{}'", r.filter),
            None => format!("'{}' failed: {}", r.filter, r.reason),
        })
        .collect();
    parts.join(", ")
}

/// A short text of a packet for `describe`: its name and, if any, its id.
fn packet_summary(packet: &Packet) -> String {
    match (packet, packet.packet_id()) {
        (Packet::Publish(p), id) => format!(
            "PUBLISH {} QoS {}{}{}",
            match p.properties.topic_alias {
                Some(alias) if p.topic.is_empty() => format!("alias {alias}"),
                Some(alias) => format!("'{}' (alias {alias})", p.topic),
                None => format!("'{}'", p.topic),
            },
            p.qos.as_u8(),
            id.map(|i| format!(" id {i}")).unwrap_or_default(),
            if p.dup { " DUP" } else { "" }
        ),
        (_, Some(id)) => format!("{} id {id}", packet.packet_type().name()),
        (_, None) => packet.packet_type().name().to_string(),
    }
}

impl EventKind {
    /// Whether this event may change the persistable session state: an
    /// outgoing QoS 1/2 flow, an incoming QoS 2 flow (its id is stored until
    /// PUBREL), a dropped message, or the subscriptions.
    pub fn changes_session_state(&self) -> bool {
        match self {
            EventKind::Flow { direction, qos, .. } => match direction {
                FlowDirection::Outgoing => *qos != QoS::AtMostOnce,
                FlowDirection::Incoming => *qos == QoS::ExactlyOnce,
            },
            EventKind::MessageDropped { .. }
            | EventKind::PublishFailed { .. }
            | EventKind::Subscribed { .. }
            | EventKind::Unsubscribed { .. }
            | EventKind::SubscriptionsLost { .. } => true,
            _ => false,
        }
    }
}
