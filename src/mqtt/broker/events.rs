//! What the broker hands its caller: packets to send and events saying what
//! happened, with the reasons they carry.

use serde::{Deserialize, Serialize};

use super::ConnectionId;
use crate::mqtt::packet::{Packet, PacketId, PacketType, ProtocolVersion, QoS};
use crate::mqtt::session::{FlowDirection, FlowState};

/// One packet the caller must send on `connection`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokerTransmit {
    /// Where to send it.
    pub connection: ConnectionId,
    /// The packet, for fault rules and logs.
    pub packet: Packet,
    /// Its bytes, encoded for the connection's protocol version.
    pub bytes: Vec<u8>,
}

/// Why a connection ended, from the broker's point of view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CloseReason {
    /// The client sent DISCONNECT.
    ClientDisconnected,
    /// The transport closed without DISCONNECT.
    TransportClosed,
    /// Nothing heard for 1.5 × keep alive (MQTT-3.1.2-24).
    KeepAliveTimeout,
    /// Another connection took over the client identifier (MQTT-3.1.4-2).
    SessionTakenOver,
    /// The client broke a protocol rule.
    ProtocolError,
    /// CONNECT was refused.
    ConnectRefused,
}

/// Why a session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SessionEnd {
    /// A CONNECT with Clean Start discarded it (MQTT-3.1.2-4).
    CleanStart,
    /// Its connection closed and it was not persistent.
    ConnectionClosed,
    /// The MQTT 5 Session Expiry Interval passed.
    Expired,
}

/// Why a routed message was not delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DropReason {
    /// QoS 0 to a client that is not connected.
    Qos0WhileOffline,
    /// The client's queue is full.
    QueueFull,
}

/// Why a packet was sent again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ResendReason {
    /// The client reconnected with its session present (MQTT-4.4.0-1).
    Reconnect,
    /// No acknowledgement within the configured interval.
    Timeout,
    /// A repeat of the PUBLISH arrived (PUBREC again, §4.3.3).
    DuplicatePublish,
    /// A repeat PUBREC arrived (PUBREL again).
    DuplicatePubrec,
}

/// What happened, with when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BrokerEvent {
    /// Milliseconds, as passed in.
    pub at: u64,
    /// What happened.
    pub kind: BrokerEventKind,
}

/// The kinds of broker events: everything the broker lane and its QoS 2 table
/// in the visualiser are drawn from. Packets themselves are not repeated here:
/// whoever carries them (the simulation's wire log) records them once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum BrokerEventKind {
    /// Bytes on a connection could not be decoded; the connection is closed.
    MalformedPacket {
        /// Connection.
        connection: ConnectionId,
        /// The decoder's message.
        detail: String,
    },
    /// CONNACK accepted a client.
    ClientConnected {
        /// Connection.
        connection: ConnectionId,
        /// Client identifier (assigned if the client sent none).
        client_id: String,
        /// Protocol version.
        version: ProtocolVersion,
        /// Clean Start / Clean Session as requested.
        clean_start: bool,
        /// Session Present as answered.
        session_present: bool,
    },
    /// A connection ended.
    ConnectionClosed {
        /// Connection.
        connection: ConnectionId,
        /// Its client identifier, if CONNECT was accepted.
        client_id: Option<String>,
        /// Why.
        reason: CloseReason,
    },
    /// A session was discarded.
    SessionEnded {
        /// Client identifier.
        client_id: String,
        /// Why.
        reason: SessionEnd,
    },
    /// A client broke a protocol rule.
    ProtocolViolation {
        /// Connection.
        connection: ConnectionId,
        /// The rule, with its number.
        detail: String,
    },
    /// A subscription was added or replaced.
    Subscribed {
        /// Client identifier.
        client_id: String,
        /// Filter.
        filter: String,
        /// QoS asked for.
        requested: QoS,
        /// QoS granted; `None` when refused.
        granted: Option<QoS>,
    },
    /// A subscription was removed (or did not exist).
    Unsubscribed {
        /// Client identifier.
        client_id: String,
        /// Filter.
        filter: String,
        /// Whether it existed.
        existed: bool,
    },
    /// A retained message was stored or replaced.
    RetainedStored {
        /// Topic.
        topic: String,
    },
    /// An empty retained PUBLISH removed the retained message (MQTT-3.3.1-10).
    RetainedCleared {
        /// Topic.
        topic: String,
    },
    /// A message was routed to a subscriber at min(published, granted) QoS.
    MessageRouted {
        /// Publisher's client identifier.
        from: String,
        /// Subscriber's client identifier.
        to: String,
        /// Topic.
        topic: String,
        /// QoS the publisher used.
        published_qos: QoS,
        /// QoS the subscriber was granted.
        granted_qos: QoS,
        /// QoS of the delivery (lower than published: downgraded).
        delivered_qos: QoS,
    },
    /// A message waits for a client that is away or whose window is full.
    MessageQueued {
        /// Client identifier.
        client_id: String,
        /// Topic.
        topic: String,
        /// QoS of the delivery.
        qos: QoS,
    },
    /// A routed message was not delivered.
    MessageDropped {
        /// Client identifier.
        client_id: String,
        /// Topic.
        topic: String,
        /// Why.
        reason: DropReason,
    },
    /// A QoS flow changed state, on the broker's side of it.
    Flow {
        /// The peer's client identifier.
        client_id: String,
        /// Incoming: the client published to the broker. Outgoing: the
        /// broker delivers to the client.
        direction: FlowDirection,
        /// Packet id.
        packet_id: PacketId,
        /// QoS.
        qos: QoS,
        /// Old state.
        from: FlowState,
        /// New state.
        to: FlowState,
    },
    /// A PUBLISH, PUBREC or PUBREL was sent again.
    Resent {
        /// The peer's client identifier.
        client_id: String,
        /// Packet id.
        packet_id: PacketId,
        /// Which packet.
        packet: PacketType,
        /// Why.
        reason: ResendReason,
    },
    /// A PUBREL for an id not in the QoS 2 table: PUBCOMP anyway (§4.3.3;
    /// the case of a PUBCOMP that was lost and a PUBREL resent).
    PubrelForUnknownId {
        /// Client identifier.
        client_id: String,
        /// Packet id.
        packet_id: PacketId,
    },
    /// An acknowledgement for a packet id with no matching flow; ignored.
    UnexpectedAck {
        /// Client identifier.
        client_id: String,
        /// The acknowledgement.
        packet: PacketType,
        /// Packet id.
        packet_id: PacketId,
    },
    /// A will message was published for a client that vanished.
    WillPublished {
        /// Client identifier.
        client_id: String,
        /// Will topic.
        topic: String,
    },
}
