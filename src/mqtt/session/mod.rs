//! The client side of an MQTT session, sans-IO.
//!
//! A [`Session`] holds everything MQTT calls session state (QoS 1/2 flows in
//! both directions, packet ids, subscriptions) plus the state of the current
//! connection (keep-alive, topic aliases, the broker's limits). It never does
//! I/O and never reads a clock: the caller moves bytes and passes time in.
//!
//! Methods come in four families, after quinn-proto's `Connection`:
//! - getters (`&self`): [`Session::state`], [`Session::inflight_len`],
//!   [`Session::queued_len`], [`Session::broker`], [`Session::subscriptions`],
//!   [`Session::snapshot`], [`Session::state_revision`], [`Session::config`]
//! - commands: [`Session::connect`], [`Session::publish`], [`Session::subscribe`],
//!   [`Session::unsubscribe`], [`Session::disconnect`]
//! - inputs: [`Session::handle_bytes`] (or [`Session::handle_packet`]),
//!   [`Session::handle_timeout`], [`Session::handle_closed`]
//! - outputs, drained in order by the caller after every command or input:
//!   [`Session::poll_transmit`], [`Session::poll_timeout`], [`Session::poll_event`],
//!   [`Session::poll_close`]
//!
//! Time is milliseconds since any fixed origin, passed in as `now`.
//!
//! Connection life: open the transport, call `connect`, send what
//! `poll_transmit` gives. When the transport closes, call `handle_closed`;
//! to reconnect, open a new transport and call `connect` again: the session
//! (unacknowledged PUBLISH / PUBREL, incoming QoS 2 ids) carries over and is
//! resent or dropped depending on CONNACK's Session Present. When the session
//! itself ends the connection (keep-alive timeout, protocol error,
//! `disconnect`), it emits `Disconnected` and `poll_close` returns true once:
//! the caller then closes the transport.
//!
//! QoS 1 and 2 publishes made while disconnected, or beyond the broker's
//! Receive Maximum, are queued (state `Queued`) and sent in order as soon as
//! the connection and the in-flight window allow. QoS 0 needs a connection.
//!
//! Modules: `outgoing` (our PUBLISH flows), `incoming` (the broker's PUBLISH
//! flows), `connection` (CONNECT/CONNACK, keep-alive, DISCONNECT),
//! `subscriptions`, `aliases`, `ids`, `timers`, `snapshot`, `events`, `log`
//! (the `mosquitto_pub -d` lines), `wire` (the only contact with the codec).

#![warn(missing_docs, unreachable_pub)]

mod aliases;
mod connection;
mod error;
mod events;
mod flows;
mod ids;
mod incoming;
mod log;
mod outgoing;
mod snapshot;
mod subscriptions;
mod timers;
mod wire;

use std::collections::{BTreeMap, VecDeque};

use serde::{Deserialize, Serialize};

use super::packet::{
    LastWill, Packet, PacketId, Properties, ProtocolVersion, QoS, SubscribeFilter,
};

pub use error::CommandError;
pub use events::{
    BrokerLimits, DisconnectReason, Event, EventKind, FilterResult, FlowDirection, FlowState,
    Message,
};
pub use log::log_line;
pub use snapshot::{
    IncomingQos2, OutgoingEntry, OutgoingPublish, SessionSnapshot, StateChanges, Subscription,
};
pub use subscriptions::SUBSCRIPTION_IDS;

use aliases::TopicAliases;
use ids::PacketIds;
use timers::{Timer, TimerTable};

/// When unacknowledged PUBLISH / PUBREL packets are resent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum RetryPolicy {
    /// Only on reconnect with a session present (MQTT-4.4.0-1). Default, both versions.
    #[default]
    OnReconnect,
    /// Also after `interval_ms` without an acknowledgement, within the session
    /// (3.1.1 only; MQTT 5 forbids it: a 5.0 session ignores it with a
    /// `Warning` event at `connect`).
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
    /// On PUBREL (store the message until released): the "more complete"
    /// receiver that QoS tutorials describe, and what Mosquitto does.
    OnPubrel,
}

/// Everything a session needs to know to connect. Build it with
/// `SessionConfig { client_id: ..., ..SessionConfig::default() }` so that new
/// fields do not break callers.
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
    /// How long to wait for PINGRESP after PINGREQ, ms (None = half the keep-alive).
    #[serde(default)]
    pub pingresp_timeout_ms: Option<u64>,
    /// Most QoS 1/2 messages waiting to be sent (no connection, or the
    /// broker's Receive Maximum reached); a publish beyond it is refused.
    #[serde(default = "default_max_queued_messages")]
    pub max_queued_messages: usize,
    /// Most payload bytes those waiting messages may hold together.
    #[serde(default = "default_max_queued_bytes")]
    pub max_queued_bytes: usize,
    /// Give topics aliases of our own when the broker allows them (MQTT 5).
    /// Off on a link that may lose packets on purpose: a lost PUBLISH that
    /// set an alias would leave the broker not knowing it.
    #[serde(default = "assign_aliases_by_default")]
    pub assign_topic_aliases: bool,
    /// Subscribe again, by itself, to every filter a broker lost (CONNACK
    /// without a session), with the options and identifier first asked for.
    #[serde(default)]
    pub resubscribe: bool,
    /// How long to wait for CONNACK after CONNECT, ms, whatever the
    /// keep-alive (with keep-alive 0 nothing else would end the wait).
    #[serde(default = "default_connack_timeout_ms")]
    pub connack_timeout_ms: u64,
    /// Most of our QoS 1/2 PUBLISHes in flight at once, whatever the
    /// broker announces (a 3.1.1 broker announces nothing); the rest wait,
    /// queued. A broker may hold a limit it cannot tell a 3.1.1 client:
    /// Mosquitto 2.0.11 takes at most `max_inflight_messages` (20 unless
    /// configured) from a client at once, and answers the 21st QoS 2 PUBLISH
    /// with a PUBREC whose reason, 0x97 "quota exceeded", a 3.1.1 PUBREC
    /// cannot carry, then discards the message. Seen here: a page with 100 in
    /// flight lost four messages in five while every one of them was
    /// acknowledged. Everything in flight is also sent again on every
    /// reconnect (MQTT-4.4.0-1), so a small window is cheap to recover.
    #[serde(default = "default_max_inflight")]
    pub max_inflight: u16,
}

/// [`SessionConfig::max_inflight`] unless set: Mosquitto's own default, and
/// libmosquitto's (an MQTT 5 broker's Receive Maximum lowers it further).
pub const DEFAULT_MAX_INFLIGHT: u16 = 20;

fn default_max_inflight() -> u16 {
    DEFAULT_MAX_INFLIGHT
}

/// [`SessionConfig::connack_timeout_ms`] unless set: 30 s, long enough for
/// a TLS handshake on a slow link, short enough for a user watching a spinner.
pub const DEFAULT_CONNACK_TIMEOUT_MS: u64 = 30_000;

fn default_connack_timeout_ms() -> u64 {
    DEFAULT_CONNACK_TIMEOUT_MS
}

impl Default for SessionConfig {
    fn default() -> Self {
        SessionConfig {
            version: ProtocolVersion::V311,
            client_id: "qoscope".into(),
            clean_start: true,
            keep_alive_secs: 60,
            session_expiry_secs: None,
            username: None,
            password: None,
            will: None,
            receive_maximum: u16::MAX,
            maximum_packet_size: None,
            topic_alias_maximum: 0,
            retry: RetryPolicy::OnReconnect,
            qos2_delivery: Qos2Delivery::OnPublish,
            pingresp_timeout_ms: None,
            connack_timeout_ms: DEFAULT_CONNACK_TIMEOUT_MS,
            resubscribe: false,
            assign_topic_aliases: true,
            max_queued_messages: DEFAULT_MAX_QUEUED_MESSAGES,
            max_queued_bytes: DEFAULT_MAX_QUEUED_BYTES,
            max_inflight: DEFAULT_MAX_INFLIGHT,
        }
    }
}

/// [`SessionConfig::max_queued_messages`] unless set.
pub const DEFAULT_MAX_QUEUED_MESSAGES: usize = 1_000;
/// [`SessionConfig::max_queued_bytes`] unless set: 8 MiB.
pub const DEFAULT_MAX_QUEUED_BYTES: usize = 8 * 1024 * 1024;

fn default_max_queued_messages() -> usize {
    DEFAULT_MAX_QUEUED_MESSAGES
}

fn default_max_queued_bytes() -> usize {
    DEFAULT_MAX_QUEUED_BYTES
}

fn assign_aliases_by_default() -> bool {
    true
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
    /// MQTT 5 properties (user properties, content type, ...). A Topic Alias
    /// here is ignored: the session assigns aliases itself.
    pub properties: Properties,
}

/// How a client ends its connection (MQTT 5; a 3.1.1 DISCONNECT has neither).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DisconnectRequest {
    /// Reason code: 0x00 normal, 0x04 disconnect with the will message.
    pub reason: u8,
    /// A new Session Expiry Interval, seconds.
    pub session_expiry_secs: Option<u32>,
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

/// The current connection; each variant carries only its own data.
#[derive(Debug)]
enum Link {
    Disconnected,
    Connecting,
    Connected(Connection),
}

/// What lives exactly as long as one accepted connection.
#[derive(Debug)]
struct Connection {
    broker: BrokerLimits,
    keep_alive_ms: u64,
    aliases: TopicAliases,
}

/// A SUBSCRIBE or UNSUBSCRIBE waiting for its acknowledgement.
#[derive(Debug, Clone)]
enum PendingRequest {
    Subscribe(Vec<SubscribeFilter>, Box<Properties>),
    Unsubscribe(Vec<String>),
}

/// The client session.
#[derive(Debug)]
pub struct Session {
    config: SessionConfig,
    link: Link,
    ids: PacketIds,
    /// Our QoS>0 flows, oldest first (resends keep this order, MQTT-4.6.0-1).
    outgoing: flows::Flows,
    /// Incoming QoS 2 ids awaiting PUBREL, with the message for `OnPubrel`.
    incoming: BTreeMap<PacketId, Option<Message>>,
    pending: BTreeMap<PacketId, PendingRequest>,
    /// Subscribed filters: granted QoS, and how each was asked for.
    subscriptions: BTreeMap<String, Subscription>,
    timers: TimerTable,
    decoder: wire::FrameDecoder,
    transmits: VecDeque<Transmit>,
    events: VecDeque<Event>,
    close_requested: bool,
    /// This client holds session state the broker may share: it was
    /// restored, or a broker accepted it once (MQTT-3.2.2-4 asks).
    has_state: bool,
    /// Bumped whenever what [`Session::snapshot`] returns may have changed.
    state_revision: u64,
    /// What changed since [`Session::take_state_changes`] last took it;
    /// none until a store first asks, so a session nobody stores (the
    /// simulator's, a bench's) keeps no such list.
    changes: Option<snapshot::StateChanges>,
}

impl Session {
    /// A new, disconnected session with empty state.
    pub fn new(config: SessionConfig) -> Self {
        let decoder = wire::FrameDecoder::new(config.version, config.maximum_packet_size);
        Session {
            config,
            link: Link::Disconnected,
            ids: PacketIds::default(),
            outgoing: flows::Flows::default(),
            incoming: BTreeMap::new(),
            pending: BTreeMap::new(),
            subscriptions: BTreeMap::new(),
            timers: TimerTable::default(),
            decoder,
            transmits: VecDeque::new(),
            events: VecDeque::new(),
            close_requested: false,
            has_state: false,
            state_revision: 0,
            changes: None,
        }
    }

    // ---- inputs ----

    /// Bytes from the transport, in any framing: several packets or part of one.
    /// A malformed packet ends the connection with a `ProtocolError` event.
    pub fn handle_bytes(&mut self, now: u64, bytes: &[u8]) {
        if matches!(self.link, Link::Disconnected) {
            return;
        }
        self.decoder.feed(bytes);
        loop {
            match self.decoder.next_packet() {
                Ok(Some((packet, raw))) => self.receive(now, packet, raw),
                Ok(None) => break,
                Err(wire::Malformed { message, code }) => {
                    // MQTT-4.13.1-1: a malformed packet closes the connection.
                    let text = format!("malformed packet from the broker: {message}");
                    self.protocol_error(now, text, code);
                    break;
                }
            }
            if matches!(self.link, Link::Disconnected) {
                break;
            }
        }
        self.arm_retry_timer();
    }

    /// An already decoded packet (simulation, tests): as `handle_bytes`, the
    /// `PacketReceived` event carries the packet re-encoded.
    pub fn handle_packet(&mut self, now: u64, packet: Packet) {
        if matches!(self.link, Link::Disconnected) {
            return;
        }
        let raw = wire::encode(&packet, self.config.version).unwrap_or_default();
        self.receive(now, packet, raw);
        self.arm_retry_timer();
    }

    /// A deadline from `poll_timeout` passed.
    pub fn handle_timeout(&mut self, now: u64) {
        for timer in self.timers.take_expired(now) {
            match timer {
                Timer::KeepAlive => self.on_keep_alive_due(now),
                Timer::Pingresp => self.on_pingresp_overdue(now),
                Timer::Retry => self.retry_overdue(now),
            }
        }
        self.arm_retry_timer();
    }

    /// The transport closed (whoever closed it). The session state is kept
    /// for the next `connect`.
    pub fn handle_closed(&mut self, now: u64) {
        self.close_requested = false;
        if !matches!(self.link, Link::Disconnected) {
            self.end_connection(now, DisconnectReason::TransportClosed);
        }
    }

    // ---- outputs ----

    /// Next packet to send, in order.
    #[must_use]
    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        self.transmits.pop_front()
    }

    /// The earliest time `handle_timeout` should be called.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<u64> {
        self.timers.next_deadline()
    }

    /// Next event, in order.
    #[must_use]
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// True once after the session ended the connection itself: close the transport.
    #[must_use]
    pub fn poll_close(&mut self) -> bool {
        std::mem::take(&mut self.close_requested)
    }

    // ---- getters ----

    /// Connection state.
    pub fn state(&self) -> ConnectionState {
        match self.link {
            Link::Disconnected => ConnectionState::Disconnected,
            Link::Connecting => ConnectionState::Connecting,
            Link::Connected(_) => ConnectionState::Connected,
        }
    }

    /// A number that changes whenever the persistable session state
    /// ([`Session::snapshot`]) may have: a caller that stores snapshots
    /// stores one again only when it moved.
    pub fn state_revision(&self) -> u64 {
        self.state_revision
    }

    /// The configuration.
    pub fn config(&self) -> &SessionConfig {
        &self.config
    }

    /// Outgoing QoS>0 flows sent and not yet finished (the in-flight window).
    pub fn inflight_len(&self) -> usize {
        self.outgoing.in_flight()
    }

    /// A QoS 1/2 publish made now would be sent at once: connected, nothing
    /// queued, and the in-flight window (the broker's Receive Maximum or
    /// [`SessionConfig::max_inflight`]) has room.
    pub fn has_room(&self) -> bool {
        self.outgoing.queued() == 0 && self.window_open()
    }

    /// Outgoing QoS>0 publishes waiting for a connection or window room.
    pub fn queued_len(&self) -> usize {
        self.outgoing.queued()
    }

    /// Payload bytes those waiting publishes hold.
    pub fn queued_bytes(&self) -> usize {
        self.outgoing.queued_bytes()
    }

    /// Incoming QoS 2 ids stored, waiting for PUBREL.
    pub fn incoming_qos2_len(&self) -> usize {
        self.incoming.len()
    }

    /// The broker's limits from CONNACK, while connected.
    pub fn broker(&self) -> Option<&BrokerLimits> {
        self.connection().map(|c| &c.broker)
    }

    /// Subscribed filters with their granted QoS.
    pub fn subscriptions(&self) -> Vec<(String, QoS)> {
        self.subscriptions
            .values()
            .map(|s| (s.filter.clone(), s.qos))
            .collect()
    }

    // ---- plumbing shared by the submodules ----

    fn connection(&self) -> Option<&Connection> {
        match &self.link {
            Link::Connected(c) => Some(c),
            _ => None,
        }
    }

    fn is_connected(&self) -> bool {
        matches!(self.link, Link::Connected(_))
    }

    fn is_v5(&self) -> bool {
        self.config.version == ProtocolVersion::V5
    }

    fn emit(&mut self, now: u64, kind: EventKind) {
        if snapshot::StateChanges::is_change(&kind) {
            self.state_revision += 1;
            if let Some(changes) = &mut self.changes {
                changes.note(&kind);
            }
        }
        self.events.push_back(Event { at: now, kind });
    }

    fn warn(&mut self, now: u64, message: String) {
        self.emit(now, EventKind::Warning { message });
    }

    /// Queues a packet the session built itself (acks, PINGREQ, ...).
    fn send(&mut self, now: u64, packet: Packet) {
        self.try_send(now, packet);
    }

    /// As `send`; false, with a `Warning`, if the codec refused the packet.
    fn try_send(&mut self, now: u64, packet: Packet) -> bool {
        match wire::encode(&packet, self.config.version) {
            Ok(bytes) => {
                self.send_encoded(now, packet, bytes);
                true
            }
            Err(e) => {
                let name = packet.packet_type().name();
                self.warn(now, format!("{name} not sent: {e}"));
                false
            }
        }
    }

    fn send_encoded(&mut self, now: u64, packet: Packet, bytes: Vec<u8>) {
        self.emit(
            now,
            EventKind::PacketSent {
                packet: packet.clone(),
                bytes: bytes.clone(),
            },
        );
        self.transmits.push_back(Transmit { packet, bytes });
        if let Some(conn) = self.connection() {
            // MQTT-3.1.2-23: the keep-alive clock restarts with every packet we send.
            if conn.keep_alive_ms > 0 {
                let at = now + conn.keep_alive_ms;
                self.timers.set(Timer::KeepAlive, at);
            }
        }
    }

    /// Encodes and checks against the broker's Maximum Packet Size.
    fn encode_checked(&self, packet: &Packet) -> Result<Vec<u8>, CommandError> {
        let bytes = wire::encode(packet, self.config.version)
            .map_err(|reason| CommandError::InvalidPacket { reason })?;
        let max = self
            .broker()
            .and_then(|b| b.maximum_packet_size)
            .map_or(MAX_PACKET_BYTES, |m| (m as usize).min(MAX_PACKET_BYTES));
        if bytes.len() > max {
            return Err(CommandError::PacketTooLarge {
                size: bytes.len(),
                max,
            });
        }
        Ok(bytes)
    }

    /// One received packet, dispatched to its handler.
    fn receive(&mut self, now: u64, packet: Packet, raw: Vec<u8>) {
        self.emit(
            now,
            EventKind::PacketReceived {
                packet: packet.clone(),
                bytes: raw,
            },
        );
        if matches!(self.link, Link::Connecting) && !matches!(packet, Packet::Connack(_)) {
            // MQTT-3.2.0-1: the first packet from the server is CONNACK.
            let name = packet.packet_type().name();
            return self.protocol_error(now, format!("expected CONNACK first, got {name}"), 0x82);
        }
        match packet {
            Packet::Connack(c) => self.on_connack(now, c),
            Packet::Publish(p) => self.on_publish(now, p),
            Packet::Puback(r) => self.on_puback(now, r),
            Packet::Pubrec(r) => self.on_pubrec(now, r),
            Packet::Pubrel(r) => self.on_pubrel(now, r),
            Packet::Pubcomp(r) => self.on_pubcomp(now, r),
            Packet::Suback(s) => self.on_suback(now, s),
            Packet::Unsuback(u) => self.on_unsuback(now, u),
            Packet::Pingresp => self.on_pingresp(now),
            Packet::Disconnect(d) => self.on_server_disconnect(now, d),
            Packet::Auth(_) => {
                self.protocol_error(now, "AUTH without an authentication method".into(), 0x82)
            }
            other => {
                let name = other.packet_type().name();
                self.protocol_error(now, format!("a broker never sends {name}"), 0x82);
            }
        }
    }
}

/// Largest packet MQTT can frame: 1 fixed-header byte, 4 length bytes, 268,435,455 bytes.
const MAX_PACKET_BYTES: usize = 268_435_455 + 5;
