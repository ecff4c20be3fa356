//! A small in-process MQTT broker for the offline simulation, sans-IO.
//!
//! It routes PUBLISH packets between the sessions of [`super::sim`] so the
//! whole publisher → broker → subscriber path can be shown without a network.
//! It is not a production broker: no authentication, no shared subscriptions,
//! no topic aliases, no message expiry.
//!
//! Like [`super::session::Session`] it never does I/O and never reads a
//! clock. Its methods come in four families:
//! - getters (`&self`): [`Broker::open_qos2_transactions`],
//!   [`Broker::outbound_flows`], [`Broker::sessions`], [`Broker::retained`];
//! - inputs: [`Broker::handle_connection_opened`], [`Broker::handle_bytes`] /
//!   [`Broker::handle_packet`], [`Broker::handle_connection_closed`],
//!   [`Broker::handle_timeout`];
//! - configuration: [`Broker::config`], [`Broker::set_config`];
//! - outputs, drained in order by the caller: [`Broker::poll_transmit`],
//!   [`Broker::poll_close`], [`Broker::poll_timeout`], [`Broker::poll_event`].
//!
//! What it keeps, per MQTT client identifier (not per connection), is a
//! [`ClientSession`]: subscriptions, QoS 1/2 flows towards that client
//! (resent with DUP on reconnect, MQTT-4.4.0-1), messages queued while the
//! client is away, and the QoS 2 receiver table for messages the client
//! published ([`Qos2Transaction`]).
//!
//! QoS is agreed hop by hop: a message is delivered to each subscriber at
//! min(published QoS, granted QoS) (MQTT-3.8.4-6), with the broker's own
//! packet ids for that subscriber.
//!
//! Modules: `lifecycle` (CONNECT/CONNACK, take-over, DISCONNECT, will,
//! session end), `inbound` (what clients publish, and the QoS 2 receiver
//! table), `outbound` (delivery to subscribers: queue, in-flight window,
//! acknowledgements), `routing` (subscriptions, retained messages, fan-out),
//! `timers` (keep-alive, resends, session expiry), `client_session` (what is
//! kept per client identifier), `config`, `events`, `reason`.

mod client_session;
mod config;
mod events;
mod inbound;
mod lifecycle;
mod outbound;
mod reason;
mod routing;
mod timers;

use std::collections::{BTreeMap, VecDeque};

use serde::{Deserialize, Serialize};

use super::packet::{
    Decoder, Packet, PacketId, Properties, ProtocolVersion, PubResponse, Publish, QoS,
};
use super::session::{FlowDirection, FlowState};

pub use client_session::{ClientSession, SessionExpiry, SessionSummary, Subscription};
pub use config::{BrokerConfig, Qos2Forwarding};
pub use events::{
    BrokerEvent, BrokerEventKind, BrokerTransmit, CloseReason, DropReason, ResendReason, SessionEnd,
};
pub use inbound::{Qos2Transaction, Qos2TransactionState, Qos2TransactionView};
pub use outbound::OutboundFlow;

/// The broker's handle on one transport connection. A client that reconnects
/// comes back on a new `ConnectionId`; its session is found by its MQTT
/// client identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ConnectionId(pub u64);

/// A transport connection and what the broker knows of it.
#[derive(Debug)]
struct Transport {
    client_id: Option<String>,
    version: ProtocolVersion,
    keep_alive_ms: u64,
    last_heard: u64,
    decoder: Decoder,
}

/// The outputs, with the time of the input being handled.
#[derive(Debug, Default)]
struct Outputs {
    now: u64,
    transmits: VecDeque<BrokerTransmit>,
    closes: VecDeque<ConnectionId>,
    events: VecDeque<BrokerEvent>,
}

impl Outputs {
    fn event(&mut self, kind: BrokerEventKind) {
        self.events.push_back(BrokerEvent { at: self.now, kind });
    }

    /// Encodes and queues `packet`. A packet the codec refuses (it cannot
    /// happen for packets the broker builds from decoded ones) is reported
    /// as a violation rather than sent half-formed.
    fn send(&mut self, connection: ConnectionId, version: ProtocolVersion, packet: Packet) {
        match packet.to_bytes(version) {
            Ok(bytes) => {
                self.transmits.push_back(BrokerTransmit {
                    connection,
                    packet,
                    bytes,
                });
            }
            Err(e) => self.event(BrokerEventKind::ProtocolViolation {
                connection,
                detail: format!("cannot encode {}: {e}", packet.packet_type().name()),
            }),
        }
    }
}

fn ack(packet_id: PacketId, reason: u8) -> PubResponse {
    PubResponse {
        packet_id,
        reason,
        properties: Properties::default(),
    }
}

/// The broker.
#[derive(Debug, Default)]
pub struct Broker {
    config: BrokerConfig,
    transports: BTreeMap<ConnectionId, Transport>,
    sessions: BTreeMap<String, ClientSession>,
    retained: BTreeMap<String, Publish>,
    out: Outputs,
    assigned_ids: u64,
}

impl Broker {
    /// A broker with no sessions.
    pub fn new(config: BrokerConfig) -> Self {
        Broker {
            config,
            ..Broker::default()
        }
    }

    // ----- getters -------------------------------------------------------

    /// The configuration in force.
    pub fn config(&self) -> &BrokerConfig {
        &self.config
    }

    /// The open QoS 2 receiver transactions, oldest first: the broker's
    /// table the visualiser shows next to its lane.
    pub fn open_qos2_transactions(&self, now: u64) -> Vec<Qos2TransactionView> {
        let mut rows: Vec<Qos2TransactionView> = self
            .sessions
            .values()
            .flat_map(|s| s.inbound_qos2.values())
            .map(|t| Qos2TransactionView {
                client_id: t.client_id.clone(),
                packet_id: t.packet_id,
                topic: t.message.topic.clone(),
                state: t.state,
                created_at: t.created_at,
                age_ms: now.saturating_sub(t.created_at),
                pubrec_resends: t.pubrec_resends,
            })
            .collect();
        rows.sort_by_key(|r| (r.created_at, r.client_id.clone(), r.packet_id));
        rows
    }

    /// The full QoS 2 receiver table entries of one publisher.
    pub fn qos2_transactions_of(&self, client_id: &str) -> Vec<&Qos2Transaction> {
        self.sessions
            .get(client_id)
            .map(|s| s.inbound_qos2.values().collect())
            .unwrap_or_default()
    }

    /// QoS 1/2 messages in flight from the broker to clients.
    pub fn outbound_flows(&self) -> Vec<&OutboundFlow> {
        self.sessions
            .values()
            .flat_map(|s| s.outbound.iter())
            .collect()
    }

    /// Every session, connected or not.
    pub fn sessions(&self) -> Vec<SessionSummary> {
        self.sessions
            .values()
            .map(|s| SessionSummary {
                client_id: s.client_id.clone(),
                connection: s.connection,
                subscriptions: s
                    .subscriptions
                    .iter()
                    .map(|(f, o)| (f.clone(), o.qos))
                    .collect(),
                inflight: s.outbound.len(),
                queued: s.queued.len(),
                open_qos2: s.inbound_qos2.len(),
            })
            .collect()
    }

    /// The retained messages, by topic.
    pub fn retained(&self) -> &BTreeMap<String, Publish> {
        &self.retained
    }

    /// True when no message is in flight or queued in either direction.
    pub fn is_quiescent(&self) -> bool {
        self.sessions
            .values()
            .all(|s| s.outbound.is_empty() && s.queued.is_empty() && s.inbound_qos2.is_empty())
    }

    // ----- configuration -------------------------------------------------

    /// Replaces the configuration; it applies from the next input on.
    pub fn set_config(&mut self, config: BrokerConfig) {
        self.config = config;
    }

    // ----- outputs -------------------------------------------------------

    /// The next packet to send.
    #[must_use]
    pub fn poll_transmit(&mut self) -> Option<BrokerTransmit> {
        self.out.transmits.pop_front()
    }

    /// The next connection the broker closed: the caller closes its
    /// transport after sending what [`Broker::poll_transmit`] gave for it.
    #[must_use]
    pub fn poll_close(&mut self) -> Option<ConnectionId> {
        self.out.closes.pop_front()
    }

    /// The next event.
    #[must_use]
    pub fn poll_event(&mut self) -> Option<BrokerEvent> {
        self.out.events.pop_front()
    }

    /// The earliest time [`Broker::handle_timeout`] has work to do.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<u64> {
        let keep_alive = self
            .transports
            .values()
            .filter(|l| l.keep_alive_ms > 0)
            .map(|l| l.last_heard + l.keep_alive_ms * 3 / 2);
        let sessions = self
            .sessions
            .values()
            .filter_map(|s| self.session_deadline(s));
        keep_alive.chain(sessions).min()
    }

    // ----- inputs --------------------------------------------------------

    /// A transport connection was accepted; CONNECT must come first.
    pub fn handle_connection_opened(&mut self, now: u64, connection: ConnectionId) {
        self.transports.insert(
            connection,
            Transport {
                client_id: None,
                version: ProtocolVersion::V311,
                keep_alive_ms: 0,
                last_heard: now,
                decoder: Decoder::new(ProtocolVersion::V311, None),
            },
        );
    }

    /// Bytes arrived on `connection`: decode and handle every whole packet.
    /// Malformed bytes close the connection (MQTT-4.8.0-1).
    pub fn handle_bytes(&mut self, now: u64, connection: ConnectionId, bytes: &[u8]) {
        self.out.now = now;
        let Some(transport) = self.transports.get_mut(&connection) else {
            return;
        };
        transport.decoder.feed(bytes);
        loop {
            let Some(transport) = self.transports.get_mut(&connection) else {
                return;
            };
            match transport.decoder.next_packet() {
                Ok(Some((packet, _raw))) => self.handle_packet(now, connection, packet),
                Ok(None) => return,
                Err(e) => {
                    self.out.event(BrokerEventKind::MalformedPacket {
                        connection,
                        detail: e.to_string(),
                    });
                    self.disconnect_with(
                        connection,
                        reason::MALFORMED_PACKET,
                        CloseReason::ProtocolError,
                    );
                    return;
                }
            }
        }
    }

    /// A decoded packet arrived on `connection`.
    pub fn handle_packet(&mut self, now: u64, connection: ConnectionId, packet: Packet) {
        self.out.now = now;
        let Some(transport) = self.transports.get_mut(&connection) else {
            return;
        };
        transport.last_heard = now;
        let client_id = transport.client_id.clone();
        match (client_id, packet) {
            (None, Packet::Connect(connect)) => self.on_connect(connection, connect),
            (None, _) => self.violation(
                connection,
                "the first packet must be CONNECT (MQTT-3.1.0-1)",
            ),
            (Some(client_id), packet) => self.on_session_packet(connection, &client_id, packet),
        }
    }

    /// The transport of `connection` closed (the client went away, or the
    /// caller cut it). Publishes the will unless DISCONNECT came first.
    pub fn handle_connection_closed(&mut self, now: u64, connection: ConnectionId) {
        self.out.now = now;
        self.drop_transport(connection, CloseReason::TransportClosed, true);
    }

    /// Time passed: keep-alive timeouts, PUBREC / PUBLISH / PUBREL resends,
    /// session expiry.
    pub fn handle_timeout(&mut self, now: u64) {
        self.out.now = now;
        self.expire_keep_alives(now);
        let ids: Vec<String> = self.sessions.keys().cloned().collect();
        for client_id in ids {
            self.session_timeouts(now, &client_id);
        }
    }

    // ----- plumbing shared by the submodules -----------------------------

    fn on_session_packet(&mut self, connection: ConnectionId, client_id: &str, packet: Packet) {
        match packet {
            Packet::Connect(_) => self.violation(connection, "a second CONNECT (MQTT-3.1.0-2)"),
            Packet::Publish(publish) => self.on_publish(connection, client_id, publish),
            Packet::Puback(r) => self.on_puback(client_id, r.packet_id),
            Packet::Pubrec(r) => self.on_pubrec(client_id, r),
            Packet::Pubrel(r) => self.on_pubrel(connection, client_id, r.packet_id),
            Packet::Pubcomp(r) => self.on_pubcomp(client_id, r.packet_id),
            Packet::Subscribe(s) => self.on_subscribe(connection, client_id, s),
            Packet::Unsubscribe(u) => self.on_unsubscribe(connection, client_id, u),
            Packet::Pingreq => self.reply(connection, Packet::Pingresp),
            Packet::Disconnect(d) => self.on_client_disconnect(connection, d),
            Packet::Auth(_) => self.violation(
                connection,
                "AUTH without an authentication method in CONNECT",
            ),
            Packet::Connack(_) | Packet::Suback(_) | Packet::Unsuback(_) | Packet::Pingresp => {
                self.violation(connection, "a packet only a server may send")
            }
        }
    }

    fn reply(&mut self, connection: ConnectionId, packet: Packet) {
        if let Some(transport) = self.transports.get(&connection) {
            let version = transport.version;
            self.out.send(connection, version, packet);
        }
    }

    fn flow_event(
        &mut self,
        client_id: &str,
        direction: FlowDirection,
        packet_id: PacketId,
        qos: QoS,
        from: FlowState,
        to: FlowState,
    ) {
        self.out.event(BrokerEventKind::Flow {
            client_id: client_id.to_string(),
            direction,
            packet_id,
            qos,
            from,
            to,
        });
    }
}
