//! The client side of an MQTT session, sans-IO. (Skeleton: the engine helper fills this in.)
//!
//! Methods come in four families, after quinn-proto's `Connection`:
//! - getters (`&self`): [`Session::state`], [`Session::inflight_len`], ...
//! - commands: [`Session::connect`], [`Session::publish`], [`Session::subscribe`],
//!   [`Session::unsubscribe`], [`Session::disconnect`]
//! - inputs: [`Session::handle_bytes`], [`Session::handle_timeout`], [`Session::handle_closed`]
//! - outputs, drained in order by the caller: [`Session::poll_transmit`],
//!   [`Session::poll_timeout`], [`Session::poll_event`]
//!
//! Time is milliseconds since any fixed origin, passed in as `now`.

use serde::{Deserialize, Serialize};

use super::packet::{
    LastWill, Packet, PacketId, PacketType, Properties, ProtocolVersion, QoS, SubscribeFilter,
};

/// When unacknowledged PUBLISH / PUBREL packets are resent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum RetryPolicy {
    /// Only on reconnect with a session present (MQTT-4.4.0-1). Default, both versions.
    #[default]
    OnReconnect,
    /// Also after `interval_ms` without an acknowledgement, within the session
    /// (3.1.1 only; MQTT 5 forbids it).
    OnTimeout {
        /// Milliseconds to wait for PUBACK / PUBREC / PUBCOMP before resending.
        interval_ms: u64,
    },
}

/// When an incoming QoS 2 message is handed to the application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Qos2Delivery {
    /// On the first PUBLISH of an id (store the id, suppress repeats until PUBREL).
    #[default]
    OnPublish,
    /// On PUBREL (store the message until released), as the seeds' "more complete" variant.
    OnPubrel,
}

/// Everything a session needs to know to connect.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionConfig {
    /// Protocol version.
    pub version: ProtocolVersion,
    /// Client identifier.
    pub client_id: String,
    /// Clean Session (3.1.1) / Clean Start (5.0).
    pub clean_start: bool,
    /// Keep alive in seconds (0 = off).
    pub keep_alive_secs: u16,
    /// MQTT 5 Session Expiry Interval, seconds.
    pub session_expiry_secs: Option<u32>,
    /// User name.
    pub username: Option<String>,
    /// Password.
    pub password: Option<Vec<u8>>,
    /// Last will.
    pub will: Option<LastWill>,
    /// MQTT 5 Receive Maximum we announce (incoming QoS>0 window).
    pub receive_maximum: u16,
    /// MQTT 5 Maximum Packet Size we accept.
    pub maximum_packet_size: Option<u32>,
    /// MQTT 5 Topic Alias Maximum we accept from the broker.
    pub topic_alias_maximum: u16,
    /// Retry policy.
    pub retry: RetryPolicy,
    /// Incoming QoS 2 delivery point.
    pub qos2_delivery: Qos2Delivery,
}

/// A message the application wants to publish.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PublishRequest {
    /// Topic name.
    pub topic: String,
    /// Payload.
    pub payload: Vec<u8>,
    /// QoS.
    pub qos: QoS,
    /// Retain.
    pub retain: bool,
    /// MQTT 5 properties (user properties, content type, ...).
    pub properties: Properties,
}

/// One packet ready for the transport.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transmit {
    /// The packet, for fault rules and logs.
    pub packet: Packet,
    /// Its encoded bytes.
    pub bytes: Vec<u8>,
}

/// Connection state as the UI shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ConnectionState {
    /// No transport.
    Disconnected,
    /// CONNECT sent, waiting for CONNACK.
    Connecting,
    /// CONNACK accepted.
    Connected,
}

/// The state of one QoS flow, as the seeds name them.
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
}

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
}

/// Why a command could not be carried out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CommandError {
    /// Placeholder.
    NotConnected,
}

/// The client session.
#[derive(Debug)]
pub struct Session {
    _config: SessionConfig,
}

impl Session {
    /// A new, disconnected session.
    pub fn new(config: SessionConfig) -> Self {
        Session { _config: config }
    }
    /// Transport is open: queue CONNECT.
    pub fn connect(&mut self, _now: u64) {
        todo!()
    }
    /// Publish a message; returns its packet id for QoS > 0.
    pub fn publish(
        &mut self,
        _now: u64,
        _req: PublishRequest,
    ) -> Result<Option<PacketId>, CommandError> {
        todo!()
    }
    /// Subscribe.
    pub fn subscribe(
        &mut self,
        _now: u64,
        _filters: Vec<SubscribeFilter>,
    ) -> Result<PacketId, CommandError> {
        todo!()
    }
    /// Bytes from the transport.
    pub fn handle_bytes(&mut self, _now: u64, _bytes: &[u8]) {
        todo!()
    }
    /// A deadline from poll_timeout passed.
    pub fn handle_timeout(&mut self, _now: u64) {
        todo!()
    }
    /// Transport closed.
    pub fn handle_closed(&mut self, _now: u64) {
        todo!()
    }
    /// Next packet to send.
    #[must_use]
    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        todo!()
    }
    /// Next deadline.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<u64> {
        todo!()
    }
    /// Next event.
    #[must_use]
    pub fn poll_event(&mut self) -> Option<Event> {
        todo!()
    }
    /// Connection state.
    pub fn state(&self) -> ConnectionState {
        todo!()
    }
    #[allow(dead_code)]
    fn _unused(_: PacketType) {}
}
