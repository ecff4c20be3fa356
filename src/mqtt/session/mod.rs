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
//! flows), `connection` (CONNECT/CONNACK, keep-alive, DISCONNECT), `config`
//! ([`SessionConfig`] and its defaults), `subscriptions`, `aliases`, `ids`,
//! `timers`, `snapshot`, `events`, `log` (the `mosquitto_pub -d` lines),
//! `codec` (the only contact with the packet codec).

#![warn(missing_docs, unreachable_pub)]

mod aliases;
mod codec;
mod config;
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

use std::collections::{BTreeMap, VecDeque};

use serde::{Deserialize, Serialize};

use super::packet::{Packet, PacketId, Properties, ProtocolVersion, QoS, SubscribeFilter};

pub use config::{
    Qos2Delivery, RetryPolicy, SessionConfig, DEFAULT_CONNACK_TIMEOUT_MS, DEFAULT_MAX_INFLIGHT,
    DEFAULT_MAX_QUEUED_BYTES, DEFAULT_MAX_QUEUED_MESSAGES,
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
enum ConnState {
    Disconnected,
    Connecting,
    Connected(LiveConnection),
}

/// What lives exactly as long as one accepted connection.
#[derive(Debug)]
struct LiveConnection {
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
    conn_state: ConnState,
    ids: PacketIds,
    /// Our QoS>0 flows, oldest first (resends keep this order, MQTT-4.6.0-1).
    outgoing: flows::Flows,
    /// Incoming QoS 2 ids awaiting PUBREL, with the message for `OnPubrel`.
    incoming: BTreeMap<PacketId, Option<Message>>,
    pending: BTreeMap<PacketId, PendingRequest>,
    /// Subscribed filters: granted QoS, and how each was asked for.
    subscriptions: BTreeMap<String, Subscription>,
    timers: TimerTable,
    decoder: codec::FrameDecoder,
    transmits: VecDeque<Transmit>,
    /// The bytes `transmits` holds.
    transmit_bytes: usize,
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
        let decoder = codec::FrameDecoder::new(config.version, config.maximum_packet_size);
        Session {
            config,
            conn_state: ConnState::Disconnected,
            ids: PacketIds::default(),
            outgoing: flows::Flows::default(),
            incoming: BTreeMap::new(),
            pending: BTreeMap::new(),
            subscriptions: BTreeMap::new(),
            timers: TimerTable::default(),
            decoder,
            transmits: VecDeque::new(),
            transmit_bytes: 0,
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
        if matches!(self.conn_state, ConnState::Disconnected) {
            return;
        }
        self.decoder.feed(bytes);
        loop {
            match self.decoder.next_packet() {
                Ok(Some((packet, raw))) => self.receive(now, packet, raw),
                Ok(None) => break,
                Err(codec::Malformed { message, code }) => {
                    // MQTT-4.13.1-1: a malformed packet closes the connection.
                    let text = format!("malformed packet from the broker: {message}");
                    self.protocol_error(now, text, code);
                    break;
                }
            }
            if matches!(self.conn_state, ConnState::Disconnected) {
                break;
            }
        }
        self.arm_retry_timer();
    }

    /// An already decoded packet (simulation, tests): as `handle_bytes`, the
    /// `PacketReceived` event carries the packet re-encoded.
    pub fn handle_packet(&mut self, now: u64, packet: Packet) {
        if matches!(self.conn_state, ConnState::Disconnected) {
            return;
        }
        let raw = codec::encode(&packet, self.config.version).unwrap_or_default();
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
        if !matches!(self.conn_state, ConnState::Disconnected) {
            self.end_connection(now, DisconnectReason::TransportClosed);
        }
    }

    // ---- outputs ----

    /// Next packet to send, in order.
    #[must_use]
    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        let transmit = self.transmits.pop_front()?;
        self.transmit_bytes -= transmit.bytes.len();
        Some(transmit)
    }

    /// Packets ready to send that [`Session::poll_transmit`] has not handed
    /// out (a driver holds them back while its socket is full).
    pub fn unsent_len(&self) -> usize {
        self.transmits.len()
    }

    /// The bytes of those packets.
    pub fn unsent_bytes(&self) -> usize {
        self.transmit_bytes
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
        match self.conn_state {
            ConnState::Disconnected => ConnectionState::Disconnected,
            ConnState::Connecting => ConnectionState::Connecting,
            ConnState::Connected(_) => ConnectionState::Connected,
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

    fn connection(&self) -> Option<&LiveConnection> {
        match &self.conn_state {
            ConnState::Connected(c) => Some(c),
            _ => None,
        }
    }

    fn is_connected(&self) -> bool {
        matches!(self.conn_state, ConnState::Connected(_))
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
        match codec::encode(&packet, self.config.version) {
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
        self.transmit_bytes += bytes.len();
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
        let bytes = codec::encode(packet, self.config.version)
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
        if matches!(self.conn_state, ConnState::Connecting) && !matches!(packet, Packet::Connack(_))
        {
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
