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

use std::collections::{BTreeMap, VecDeque};

use serde::{Deserialize, Serialize};

use super::packet::{
    Connack, Connect, Decoder, Disconnect, LastWill, Packet, PacketId, PacketType, Properties,
    ProtocolVersion, PubResponse, Publish, QoS, Suback, Subscribe, SubscribeFilter, Unsuback,
    Unsubscribe,
};
use super::session::{FlowDirection, FlowState};
use super::topic;

/// MQTT 5 reason codes the broker sends (MQTT 5.0 §2.4).
mod reason {
    pub(super) const SUCCESS: u8 = 0x00;
    pub(super) const NO_SUBSCRIPTION_EXISTED: u8 = 0x11;
    pub(super) const UNSPECIFIED_ERROR: u8 = 0x80;
    pub(super) const MALFORMED_PACKET: u8 = 0x81;
    pub(super) const PROTOCOL_ERROR: u8 = 0x82;
    pub(super) const CLIENT_ID_NOT_VALID: u8 = 0x85;
    pub(super) const KEEP_ALIVE_TIMEOUT: u8 = 0x8D;
    pub(super) const SESSION_TAKEN_OVER: u8 = 0x8E;
    pub(super) const TOPIC_FILTER_INVALID: u8 = 0x8F;
    pub(super) const TOPIC_NAME_INVALID: u8 = 0x90;
    pub(super) const PACKET_ID_NOT_FOUND: u8 = 0x92;
    pub(super) const QOS_NOT_SUPPORTED: u8 = 0x9B;
    /// 3.1.1 CONNACK return code 2: identifier rejected.
    pub(super) const V311_IDENTIFIER_REJECTED: u8 = 0x02;
    /// 3.1.1 SUBACK return code: failure.
    pub(super) const V311_SUBACK_FAILURE: u8 = 0x80;
}

/// The broker's handle on one transport connection. A client that reconnects
/// comes back on a new `ConnectionId`; its session is found by its MQTT
/// client identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ConnectionId(pub u64);

/// When the broker passes on a QoS 2 message it received.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Qos2Forwarding {
    /// Keep the message in the QoS 2 table and forward it on PUBREL (as
    /// Mosquitto does, and as the "more complete" receiver of QoS tutorials does).
    #[default]
    OnPubrel,
    /// Forward on the first PUBLISH of an id; the table only suppresses repeats.
    OnPublish,
}

/// What the broker can be told to do differently. Serde-serialisable for the lab.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrokerConfig {
    /// The highest QoS granted in SUBACK (and announced in an MQTT 5 CONNACK
    /// when below 2).
    pub maximum_qos: QoS,
    /// When a received QoS 2 message is forwarded.
    pub qos2_forwarding: Qos2Forwarding,
    /// Resend PUBREC when no PUBREL came for this long (seed scenario 2,
    /// "Broker 未收到 PUBREL,重发 PUBREC"). `None`: only answer repeats.
    pub pubrec_resend_ms: Option<u64>,
    /// Resend unacknowledged PUBLISH (DUP=1) / PUBREL to subscribers after
    /// this long, within the connection (3.1.1 behaviour; never done for
    /// MQTT 5 clients, which forbid it). `None`: only on reconnect.
    pub retry_interval_ms: Option<u64>,
    /// The most QoS 1/2 messages in flight to one client (further ones wait
    /// in its queue); an MQTT 5 client's Receive Maximum lowers it.
    pub max_inflight_per_client: u16,
    /// The most messages queued for one client; `None` for no limit.
    pub max_queued_messages: Option<usize>,
}

impl Default for BrokerConfig {
    fn default() -> Self {
        BrokerConfig {
            maximum_qos: QoS::ExactlyOnce,
            qos2_forwarding: Qos2Forwarding::default(),
            pubrec_resend_ms: None,
            retry_interval_ms: None,
            max_inflight_per_client: 20,
            max_queued_messages: None,
        }
    }
}

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

/// The state of an entry of the broker's QoS 2 receiver table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Qos2TransactionState {
    /// PUBREC sent; waiting for PUBREL. Repeats of the PUBLISH are answered
    /// with PUBREC and not forwarded again (MQTT-4.3.3-10 in 5.0, §4.3.3 in 3.1.1).
    WaitingPubrel,
}

/// One open entry of the QoS 2 receiver table: a message a client published
/// with QoS 2 whose PUBREL has not arrived yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Qos2Transaction {
    /// The publisher's MQTT client identifier.
    pub client_id: String,
    /// The publisher's packet id.
    pub packet_id: PacketId,
    /// The message as received (forwarded on PUBREL, or already on PUBLISH).
    pub message: Publish,
    /// Where the handshake stands.
    pub state: Qos2TransactionState,
    /// When the first PUBLISH arrived.
    pub created_at: u64,
    /// When PUBREC was last sent.
    pub pubrec_sent_at: u64,
    /// How many times PUBREC was sent again (for a repeat or on timeout).
    pub pubrec_resends: u32,
    /// True once the message went to subscribers.
    pub forwarded: bool,
}

/// A row of the QoS 2 table as the visualiser shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Qos2TransactionView {
    /// Publisher's client identifier.
    pub client_id: String,
    /// Publisher's packet id.
    pub packet_id: PacketId,
    /// Topic of the stored message.
    pub topic: String,
    /// State.
    pub state: Qos2TransactionState,
    /// When it was opened.
    pub created_at: u64,
    /// Milliseconds since it was opened.
    pub age_ms: u64,
    /// PUBREC resends so far.
    pub pubrec_resends: u32,
}

/// A QoS 1/2 message in flight from the broker to a client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboundFlow {
    /// The subscriber's client identifier.
    pub client_id: String,
    /// The broker's packet id for this subscriber.
    pub packet_id: PacketId,
    /// The PUBLISH as sent (resent with DUP=1).
    pub publish: Publish,
    /// [`FlowState::AwaitingPuback`], [`FlowState::AwaitingPubrec`] or
    /// [`FlowState::AwaitingPubcomp`].
    pub state: FlowState,
    /// When its last packet (PUBLISH or PUBREL) went out.
    pub last_sent_at: u64,
}

/// A subscription's options, as granted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subscription {
    /// Granted QoS.
    pub qos: QoS,
    /// MQTT 5 No Local: not sent the client's own messages.
    pub no_local: bool,
    /// MQTT 5 Retain As Published: keep the RETAIN flag when forwarding.
    pub retain_as_published: bool,
}

/// How long a session outlives its connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SessionExpiry {
    /// Ends with the connection (3.1.1 clean session, MQTT 5 expiry 0).
    AtClose,
    /// Ends this many seconds after the connection (MQTT 5).
    AfterSecs(u32),
    /// Never ends (3.1.1 persistent session, MQTT 5 expiry 0xFFFFFFFF).
    Never,
}

/// What the broker keeps for one MQTT client identifier.
#[derive(Debug, Clone)]
pub struct ClientSession {
    client_id: String,
    connection: Option<ConnectionId>,
    version: ProtocolVersion,
    expiry: SessionExpiry,
    expires_at: Option<u64>,
    subscriptions: BTreeMap<String, Subscription>,
    outbound: VecDeque<OutboundFlow>,
    queued: VecDeque<Publish>,
    inbound_qos2: BTreeMap<PacketId, Qos2Transaction>,
    next_packet_id: PacketId,
    receive_maximum: u16,
    will: Option<LastWill>,
}

/// A session as the UI lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionSummary {
    /// Client identifier.
    pub client_id: String,
    /// Its current connection, if connected.
    pub connection: Option<ConnectionId>,
    /// Filters and granted QoS.
    pub subscriptions: Vec<(String, QoS)>,
    /// QoS 1/2 messages in flight to it.
    pub inflight: usize,
    /// Messages waiting to be sent to it.
    pub queued: usize,
    /// Open QoS 2 receiver transactions for messages it published.
    pub open_qos2: usize,
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

/// A transport connection and what the broker knows of it.
#[derive(Debug)]
struct Link {
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
    links: BTreeMap<ConnectionId, Link>,
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
            .links
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
        self.links.insert(
            connection,
            Link {
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
        let Some(link) = self.links.get_mut(&connection) else {
            return;
        };
        link.decoder.feed(bytes);
        loop {
            let Some(link) = self.links.get_mut(&connection) else {
                return;
            };
            match link.decoder.next_packet() {
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
        let Some(link) = self.links.get_mut(&connection) else {
            return;
        };
        link.last_heard = now;
        let client_id = link.client_id.clone();
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
        self.drop_link(connection, CloseReason::TransportClosed, true);
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

    // ----- connection lifecycle ------------------------------------------

    fn on_connect(&mut self, connection: ConnectionId, connect: Connect) {
        let version = connect.protocol;
        if let Some(link) = self.links.get_mut(&connection) {
            link.version = version;
            link.keep_alive_ms = u64::from(connect.keep_alive) * 1000;
            link.decoder.set_version(version);
        }
        let assigned = connect.client_id.is_empty();
        if assigned && version == ProtocolVersion::V311 && !connect.clean_start {
            // MQTT-3.1.3-8: an empty id needs Clean Session = 1 in 3.1.1.
            return self.refuse(connection, version, reason::V311_IDENTIFIER_REJECTED);
        }
        let client_id = if assigned {
            self.assigned_ids += 1;
            format!("qoscope-sim-{}", self.assigned_ids)
        } else {
            connect.client_id.clone()
        };
        self.take_over(connection, &client_id);
        let session_present = self.open_session(connection, &client_id, &connect);
        if let Some(link) = self.links.get_mut(&connection) {
            link.client_id = Some(client_id.clone());
        }
        let connack = self.connack(
            session_present,
            assigned.then(|| client_id.clone()),
            version,
        );
        self.out.send(connection, version, Packet::Connack(connack));
        self.out.event(BrokerEventKind::ClientConnected {
            connection,
            client_id: client_id.clone(),
            version,
            clean_start: connect.clean_start,
            session_present,
        });
        self.resume(&client_id);
    }

    fn refuse(&mut self, connection: ConnectionId, version: ProtocolVersion, v311_code: u8) {
        let code = match version {
            ProtocolVersion::V311 => v311_code,
            ProtocolVersion::V5 => reason::CLIENT_ID_NOT_VALID,
        };
        let connack = Connack {
            session_present: false,
            code,
            properties: Properties::default(),
        };
        self.out.send(connection, version, Packet::Connack(connack));
        self.close_link(connection, CloseReason::ConnectRefused, false);
    }

    /// MQTT-3.1.4-2: a second connection with the same client identifier
    /// closes the first. The session itself survives for the new connection.
    fn take_over(&mut self, connection: ConnectionId, client_id: &str) {
        let old = self.sessions.get(client_id).and_then(|s| s.connection);
        if let Some(old) = old.filter(|old| *old != connection) {
            self.disconnect_with(
                old,
                reason::SESSION_TAKEN_OVER,
                CloseReason::SessionTakenOver,
            );
        }
    }

    /// Finds or creates the session; returns Session Present.
    fn open_session(
        &mut self,
        connection: ConnectionId,
        client_id: &str,
        connect: &Connect,
    ) -> bool {
        if connect.clean_start && self.sessions.remove(client_id).is_some() {
            self.out.event(BrokerEventKind::SessionEnded {
                client_id: client_id.to_string(),
                reason: SessionEnd::CleanStart,
            });
        }
        let session_present = self.sessions.contains_key(client_id);
        let session = self
            .sessions
            .entry(client_id.to_string())
            .or_insert_with(|| ClientSession::new(client_id));
        session.connection = Some(connection);
        session.version = connect.protocol;
        session.expiry = session_expiry(connect);
        session.expires_at = None;
        session.receive_maximum = connect.properties.receive_maximum.unwrap_or(u16::MAX);
        session.will = connect.will.clone();
        session_present
    }

    fn connack(
        &self,
        session_present: bool,
        assigned: Option<String>,
        version: ProtocolVersion,
    ) -> Connack {
        let mut properties = Properties::default();
        if version == ProtocolVersion::V5 {
            properties.assigned_client_identifier = assigned;
            if self.config.maximum_qos < QoS::ExactlyOnce {
                properties.maximum_qos = Some(self.config.maximum_qos.as_u8());
            }
        }
        Connack {
            session_present,
            code: reason::SUCCESS,
            properties,
        }
    }

    /// After CONNACK: resend what was in flight, in order (MQTT-4.4.0-1,
    /// MQTT-4.6.0-1), then send what was queued.
    fn resume(&mut self, client_id: &str) {
        let Some(session) = self.sessions.get_mut(client_id) else {
            return;
        };
        let Some(connection) = session.connection else {
            return;
        };
        let now = self.out.now;
        for flow in session.outbound.iter_mut() {
            let packet = flow.resend_packet(now);
            self.out.event(BrokerEventKind::Resent {
                client_id: client_id.to_string(),
                packet_id: flow.packet_id,
                packet: packet.packet_type(),
                reason: ResendReason::Reconnect,
            });
            self.out.send(connection, session.version, packet);
        }
        self.pump(client_id);
    }

    fn on_client_disconnect(&mut self, connection: ConnectionId, disconnect: Disconnect) {
        // MQTT-3.14.4-3: a normal DISCONNECT discards the will; 5.0 reason
        // 0x04 asks for it to be published anyway.
        let publish_will = disconnect.reason == 0x04;
        if let Some(expiry) = disconnect.properties.session_expiry_interval {
            if let Some(session) = self.session_of(connection) {
                session.expiry = expiry_from_secs(expiry);
            }
        }
        self.close_link(connection, CloseReason::ClientDisconnected, publish_will);
    }

    fn violation(&mut self, connection: ConnectionId, detail: &str) {
        self.out.event(BrokerEventKind::ProtocolViolation {
            connection,
            detail: detail.to_string(),
        });
        self.disconnect_with(
            connection,
            reason::PROTOCOL_ERROR,
            CloseReason::ProtocolError,
        );
    }

    /// Sends DISCONNECT with `code` to an MQTT 5 client, then closes.
    fn disconnect_with(&mut self, connection: ConnectionId, code: u8, why: CloseReason) {
        let Some(link) = self.links.get(&connection) else {
            return;
        };
        if link.version == ProtocolVersion::V5 && link.client_id.is_some() {
            let disconnect = Disconnect {
                reason: code,
                properties: Properties::default(),
            };
            self.out
                .send(connection, link.version, Packet::Disconnect(disconnect));
        }
        self.close_link(connection, why, true);
    }

    /// The broker closes `connection`: the caller is told via `poll_close`.
    fn close_link(&mut self, connection: ConnectionId, why: CloseReason, publish_will: bool) {
        if self.links.contains_key(&connection) {
            self.out.closes.push_back(connection);
        }
        self.drop_link(connection, why, publish_will);
    }

    /// Forgets `connection` and detaches its session.
    fn drop_link(&mut self, connection: ConnectionId, why: CloseReason, publish_will: bool) {
        let Some(link) = self.links.remove(&connection) else {
            return;
        };
        self.out.event(BrokerEventKind::ConnectionClosed {
            connection,
            client_id: link.client_id.clone(),
            reason: why,
        });
        if let Some(client_id) = link.client_id {
            self.detach(connection, &client_id, publish_will);
        }
    }

    fn detach(&mut self, connection: ConnectionId, client_id: &str, publish_will: bool) {
        let Some(session) = self.sessions.get_mut(client_id) else {
            return;
        };
        if session.connection != Some(connection) {
            return; // already taken over by a newer connection
        }
        session.connection = None;
        let will = session.will.take().filter(|_| publish_will);
        match session.expiry {
            SessionExpiry::AtClose => self.end_session(client_id, SessionEnd::ConnectionClosed),
            SessionExpiry::AfterSecs(secs) => {
                session.expires_at = Some(self.out.now + u64::from(secs) * 1000);
            }
            SessionExpiry::Never => {}
        }
        if let Some(will) = will {
            self.publish_will(client_id, will);
        }
    }

    fn publish_will(&mut self, client_id: &str, will: LastWill) {
        self.out.event(BrokerEventKind::WillPublished {
            client_id: client_id.to_string(),
            topic: will.topic.clone(),
        });
        let message = Publish {
            dup: false,
            qos: will.qos,
            retain: will.retain,
            topic: will.topic,
            packet_id: None,
            payload: will.payload,
            properties: will.properties,
        };
        self.route(client_id, &message);
    }

    fn end_session(&mut self, client_id: &str, reason: SessionEnd) {
        if self.sessions.remove(client_id).is_some() {
            self.out.event(BrokerEventKind::SessionEnded {
                client_id: client_id.to_string(),
                reason,
            });
        }
    }

    fn session_of(&mut self, connection: ConnectionId) -> Option<&mut ClientSession> {
        let client_id = self.links.get(&connection)?.client_id.as_ref()?;
        self.sessions.get_mut(client_id)
    }

    // ----- packets of a connected client ---------------------------------

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
        if let Some(link) = self.links.get(&connection) {
            let version = link.version;
            self.out.send(connection, version, packet);
        }
    }

    fn on_publish(&mut self, connection: ConnectionId, client_id: &str, publish: Publish) {
        if topic::validate_topic_name(&publish.topic).is_err() {
            return self.disconnect_with(
                connection,
                reason::TOPIC_NAME_INVALID,
                CloseReason::ProtocolError,
            );
        }
        let v5 = self.links.get(&connection).map(|l| l.version) == Some(ProtocolVersion::V5);
        if v5 && publish.qos > self.config.maximum_qos {
            // MQTT 5.0 §3.2.2.3.4: above the Maximum QoS announced in CONNACK.
            return self.disconnect_with(
                connection,
                reason::QOS_NOT_SUPPORTED,
                CloseReason::ProtocolError,
            );
        }
        match (publish.qos, publish.packet_id) {
            (QoS::AtMostOnce, _) => self.route(client_id, &publish),
            (QoS::AtLeastOnce, Some(id)) => {
                self.route(client_id, &publish);
                self.reply(connection, Packet::Puback(ack(id, reason::SUCCESS)));
            }
            (QoS::ExactlyOnce, Some(id)) => {
                self.on_qos2_publish(connection, client_id, id, publish)
            }
            (_, None) => self.violation(
                connection,
                "QoS > 0 PUBLISH without a packet id (MQTT-2.3.1-1)",
            ),
        }
    }

    /// QoS 2 receiver, step 1: store the id (and message), answer PUBREC.
    /// A repeat of a stored id is answered with PUBREC again and not
    /// forwarded again (MQTT-4.3.3-10 in 5.0, §4.3.3 in 3.1.1).
    fn on_qos2_publish(
        &mut self,
        connection: ConnectionId,
        client_id: &str,
        id: PacketId,
        publish: Publish,
    ) {
        let now = self.out.now;
        let forward_now = self.config.qos2_forwarding == Qos2Forwarding::OnPublish;
        let Some(session) = self.sessions.get_mut(client_id) else {
            return;
        };
        if let Some(open) = session.inbound_qos2.get_mut(&id) {
            open.pubrec_sent_at = now;
            open.pubrec_resends += 1;
            self.out.event(BrokerEventKind::Resent {
                client_id: client_id.to_string(),
                packet_id: id,
                packet: PacketType::Pubrec,
                reason: ResendReason::DuplicatePublish,
            });
            return self.reply(connection, Packet::Pubrec(ack(id, reason::SUCCESS)));
        }
        session.inbound_qos2.insert(
            id,
            Qos2Transaction {
                client_id: client_id.to_string(),
                packet_id: id,
                message: publish.clone(),
                state: Qos2TransactionState::WaitingPubrel,
                created_at: now,
                pubrec_sent_at: now,
                pubrec_resends: 0,
                forwarded: forward_now,
            },
        );
        self.flow_event(
            client_id,
            FlowDirection::Incoming,
            id,
            QoS::ExactlyOnce,
            FlowState::New,
            FlowState::IdStored,
        );
        if forward_now {
            self.route(client_id, &publish);
        }
        self.reply(connection, Packet::Pubrec(ack(id, reason::SUCCESS)));
    }

    /// QoS 2 receiver, step 3: release the id, forward if not done yet,
    /// answer PUBCOMP. An unknown id still gets PUBCOMP (§4.3.3; 5.0 with
    /// reason 0x92 Packet Identifier not found).
    fn on_pubrel(&mut self, connection: ConnectionId, client_id: &str, id: PacketId) {
        let released = self
            .sessions
            .get_mut(client_id)
            .and_then(|s| s.inbound_qos2.remove(&id));
        let code = match released {
            Some(transaction) => {
                self.flow_event(
                    client_id,
                    FlowDirection::Incoming,
                    id,
                    QoS::ExactlyOnce,
                    FlowState::IdStored,
                    FlowState::Done,
                );
                if !transaction.forwarded {
                    self.route(client_id, &transaction.message);
                }
                reason::SUCCESS
            }
            None => {
                self.out.event(BrokerEventKind::PubrelForUnknownId {
                    client_id: client_id.to_string(),
                    packet_id: id,
                });
                reason::PACKET_ID_NOT_FOUND
            }
        };
        let v5 = self.links.get(&connection).map(|l| l.version) == Some(ProtocolVersion::V5);
        let code = if v5 { code } else { reason::SUCCESS };
        self.reply(connection, Packet::Pubcomp(ack(id, code)));
    }

    fn on_puback(&mut self, client_id: &str, id: PacketId) {
        self.finish_outbound(client_id, id, FlowState::AwaitingPuback, PacketType::Puback);
    }

    fn on_pubcomp(&mut self, client_id: &str, id: PacketId) {
        self.finish_outbound(
            client_id,
            id,
            FlowState::AwaitingPubcomp,
            PacketType::Pubcomp,
        );
    }

    /// QoS 2 sender, step 2: PUBREC → PUBREL. A repeat PUBREC gets PUBREL
    /// again; a failing MQTT 5 PUBREC ends the flow (§4.3.3).
    fn on_pubrec(&mut self, client_id: &str, r: PubResponse) {
        let now = self.out.now;
        let Some(session) = self.sessions.get_mut(client_id) else {
            return;
        };
        let Some(connection) = session.connection else {
            return;
        };
        let version = session.version;
        let Some(index) = session
            .outbound
            .iter()
            .position(|f| f.packet_id == r.packet_id)
        else {
            let code = if version == ProtocolVersion::V5 {
                reason::PACKET_ID_NOT_FOUND
            } else {
                reason::SUCCESS
            };
            return self
                .out
                .send(connection, version, Packet::Pubrel(ack(r.packet_id, code)));
        };
        let flow = &mut session.outbound[index];
        match flow.state {
            FlowState::AwaitingPubrec if r.reason >= reason::UNSPECIFIED_ERROR => {
                return self.finish_outbound(
                    client_id,
                    r.packet_id,
                    FlowState::AwaitingPubrec,
                    PacketType::Pubrec,
                );
            }
            FlowState::AwaitingPubrec => {
                flow.state = FlowState::AwaitingPubcomp;
                flow.last_sent_at = now;
                self.flow_event(
                    client_id,
                    FlowDirection::Outgoing,
                    r.packet_id,
                    QoS::ExactlyOnce,
                    FlowState::AwaitingPubrec,
                    FlowState::AwaitingPubcomp,
                );
            }
            FlowState::AwaitingPubcomp => {
                flow.last_sent_at = now;
                self.out.event(BrokerEventKind::Resent {
                    client_id: client_id.to_string(),
                    packet_id: r.packet_id,
                    packet: PacketType::Pubrel,
                    reason: ResendReason::DuplicatePubrec,
                });
            }
            _ => {
                return self.out.event(BrokerEventKind::UnexpectedAck {
                    client_id: client_id.to_string(),
                    packet: PacketType::Pubrec,
                    packet_id: r.packet_id,
                })
            }
        }
        self.out.send(
            connection,
            version,
            Packet::Pubrel(ack(r.packet_id, reason::SUCCESS)),
        );
    }

    /// Removes the outbound flow `id` if it is `expected`, then sends what
    /// the freed window allows.
    fn finish_outbound(
        &mut self,
        client_id: &str,
        id: PacketId,
        expected: FlowState,
        ack: PacketType,
    ) {
        let Some(session) = self.sessions.get_mut(client_id) else {
            return;
        };
        let found = session
            .outbound
            .iter()
            .position(|f| f.packet_id == id && f.state == expected);
        let Some(flow) = found.and_then(|i| session.outbound.remove(i)) else {
            return self.out.event(BrokerEventKind::UnexpectedAck {
                client_id: client_id.to_string(),
                packet: ack,
                packet_id: id,
            });
        };
        let to = if ack == PacketType::Pubrec {
            FlowState::Abandoned
        } else {
            FlowState::Done
        };
        self.flow_event(
            client_id,
            FlowDirection::Outgoing,
            id,
            flow.publish.qos,
            expected,
            to,
        );
        self.pump(client_id);
    }

    fn on_subscribe(&mut self, connection: ConnectionId, client_id: &str, subscribe: Subscribe) {
        let Some(version) = self.links.get(&connection).map(|l| l.version) else {
            return;
        };
        let codes: Vec<u8> = subscribe
            .filters
            .iter()
            .map(|f| self.subscribe_one(client_id, f, version))
            .collect();
        let suback = Suback {
            packet_id: subscribe.packet_id,
            codes,
            properties: Properties::default(),
        };
        self.out.send(connection, version, Packet::Suback(suback));
        // MQTT-3.3.1-6: retained messages go out after the SUBACK.
        for filter in &subscribe.filters {
            self.send_retained(client_id, filter);
        }
    }

    /// Adds or replaces one subscription; returns its SUBACK code.
    fn subscribe_one(
        &mut self,
        client_id: &str,
        filter: &SubscribeFilter,
        version: ProtocolVersion,
    ) -> u8 {
        let granted = (topic::validate_topic_filter(&filter.filter).is_ok())
            .then(|| filter.qos.min(self.config.maximum_qos));
        self.out.event(BrokerEventKind::Subscribed {
            client_id: client_id.to_string(),
            filter: filter.filter.clone(),
            requested: filter.qos,
            granted,
        });
        let (Some(granted), Some(session)) = (granted, self.sessions.get_mut(client_id)) else {
            return match version {
                ProtocolVersion::V311 => reason::V311_SUBACK_FAILURE,
                ProtocolVersion::V5 => reason::TOPIC_FILTER_INVALID,
            };
        };
        session.subscriptions.insert(
            filter.filter.clone(),
            Subscription {
                qos: granted,
                no_local: filter.no_local,
                retain_as_published: filter.retain_as_published,
            },
        );
        granted.as_u8()
    }

    /// Retained messages matching a new subscription, with RETAIN=1
    /// (MQTT-3.3.1-8), unless MQTT 5 Retain Handling says not to.
    fn send_retained(&mut self, client_id: &str, filter: &SubscribeFilter) {
        let granted = match self
            .sessions
            .get(client_id)
            .and_then(|s| s.subscriptions.get(&filter.filter))
        {
            Some(sub) if filter.retain_handling != 2 => sub.qos,
            _ => return,
        };
        let messages: Vec<Publish> = self
            .retained
            .values()
            .filter(|m| topic::matches(&filter.filter, &m.topic))
            .cloned()
            .collect();
        for message in messages {
            let qos = message.qos.min(granted);
            let publish = Publish {
                dup: false,
                qos,
                retain: true,
                packet_id: None,
                ..message
            };
            self.deliver(client_id, publish);
        }
    }

    fn on_unsubscribe(
        &mut self,
        connection: ConnectionId,
        client_id: &str,
        unsubscribe: Unsubscribe,
    ) {
        let Some(version) = self.links.get(&connection).map(|l| l.version) else {
            return;
        };
        let mut codes = Vec::new();
        for filter in unsubscribe.filters {
            let existed = self
                .sessions
                .get_mut(client_id)
                .is_some_and(|s| s.subscriptions.remove(&filter).is_some());
            codes.push(if existed {
                reason::SUCCESS
            } else {
                reason::NO_SUBSCRIPTION_EXISTED
            });
            self.out.event(BrokerEventKind::Unsubscribed {
                client_id: client_id.to_string(),
                filter,
                existed,
            });
        }
        if version == ProtocolVersion::V311 {
            codes.clear(); // 3.1.1 UNSUBACK has no payload
        }
        let unsuback = Unsuback {
            packet_id: unsubscribe.packet_id,
            codes,
            properties: Properties::default(),
        };
        self.out
            .send(connection, version, Packet::Unsuback(unsuback));
    }

    // ----- routing -------------------------------------------------------

    /// Stores or clears the retained message, then delivers `message` to every
    /// matching subscriber at min(published, granted) QoS.
    fn route(&mut self, from: &str, message: &Publish) {
        if message.retain {
            self.retain(message);
        }
        let targets: Vec<(String, Subscription)> = self
            .sessions
            .values()
            .filter_map(|s| {
                Some((
                    s.client_id.clone(),
                    s.best_subscription(&message.topic, from)?,
                ))
            })
            .collect();
        for (to, sub) in targets {
            let qos = message.qos.min(sub.qos);
            self.out.event(BrokerEventKind::MessageRouted {
                from: from.to_string(),
                to: to.clone(),
                topic: message.topic.clone(),
                published_qos: message.qos,
                granted_qos: sub.qos,
                delivered_qos: qos,
            });
            let mut properties = message.properties.clone();
            properties.topic_alias = None;
            let publish = Publish {
                dup: false,
                qos,
                // MQTT-3.3.1-9: RETAIN=0 towards existing subscribers, unless
                // MQTT 5 Retain As Published.
                retain: message.retain && sub.retain_as_published,
                topic: message.topic.clone(),
                packet_id: None,
                payload: message.payload.clone(),
                properties,
            };
            self.deliver(&to, publish);
        }
    }

    fn retain(&mut self, message: &Publish) {
        if message.payload.is_empty() {
            // MQTT-3.3.1-10/11: an empty retained message clears the topic.
            if self.retained.remove(&message.topic).is_some() {
                self.out.event(BrokerEventKind::RetainedCleared {
                    topic: message.topic.clone(),
                });
            }
            return;
        }
        self.retained.insert(message.topic.clone(), message.clone());
        self.out.event(BrokerEventKind::RetainedStored {
            topic: message.topic.clone(),
        });
    }

    /// Sends `publish` to `client_id` now (QoS 0 online) or queues it.
    fn deliver(&mut self, client_id: &str, publish: Publish) {
        let limit = self.config.max_queued_messages;
        let Some(session) = self.sessions.get_mut(client_id) else {
            return;
        };
        let drop_reason = match (session.connection, publish.qos) {
            (Some(connection), QoS::AtMostOnce) => {
                return self
                    .out
                    .send(connection, session.version, Packet::Publish(publish));
            }
            (None, QoS::AtMostOnce) => Some(DropReason::Qos0WhileOffline),
            _ if limit.is_some_and(|max| session.queued.len() >= max) => {
                Some(DropReason::QueueFull)
            }
            _ => None,
        };
        if let Some(reason) = drop_reason {
            return self.out.event(BrokerEventKind::MessageDropped {
                client_id: client_id.to_string(),
                topic: publish.topic,
                reason,
            });
        }
        let online = session.connection.is_some();
        let (topic, qos) = (publish.topic.clone(), publish.qos);
        session.queued.push_back(publish);
        if online {
            self.pump(client_id);
        }
        let still_queued = self
            .sessions
            .get(client_id)
            .is_some_and(|s| !s.queued.is_empty());
        if still_queued {
            self.out.event(BrokerEventKind::MessageQueued {
                client_id: client_id.to_string(),
                topic,
                qos,
            });
        }
    }

    /// Moves queued messages into flight while the window allows.
    fn pump(&mut self, client_id: &str) {
        let window = self.config.max_inflight_per_client;
        let now = self.out.now;
        let Some(session) = self.sessions.get_mut(client_id) else {
            return;
        };
        let Some(connection) = session.connection else {
            return;
        };
        let window = usize::from(window.min(session.receive_maximum).max(1));
        while session.outbound.len() < window {
            let Some(mut publish) = session.queued.pop_front() else {
                break;
            };
            if publish.qos == QoS::AtMostOnce {
                self.out
                    .send(connection, session.version, Packet::Publish(publish));
                continue;
            }
            let Some(id) = session.allocate_packet_id() else {
                session.queued.push_front(publish);
                break;
            };
            publish.packet_id = Some(id);
            let state = match publish.qos {
                QoS::AtLeastOnce => FlowState::AwaitingPuback,
                _ => FlowState::AwaitingPubrec,
            };
            let qos = publish.qos;
            session.outbound.push_back(OutboundFlow {
                client_id: client_id.to_string(),
                packet_id: id,
                publish: publish.clone(),
                state,
                last_sent_at: now,
            });
            self.out.event(BrokerEventKind::Flow {
                client_id: client_id.to_string(),
                direction: FlowDirection::Outgoing,
                packet_id: id,
                qos,
                from: FlowState::New,
                to: state,
            });
            self.out
                .send(connection, session.version, Packet::Publish(publish));
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

    // ----- timers --------------------------------------------------------

    fn session_deadline(&self, session: &ClientSession) -> Option<u64> {
        if session.connection.is_none() {
            return session.expires_at;
        }
        let pubrec = self.config.pubrec_resend_ms.and_then(|after| {
            session
                .inbound_qos2
                .values()
                .map(|t| t.pubrec_sent_at + after)
                .min()
        });
        let retry = self.retry_interval(session).and_then(|after| {
            session
                .outbound
                .iter()
                .map(|f| f.last_sent_at + after)
                .min()
        });
        pubrec.into_iter().chain(retry).min()
    }

    /// Resending within a connection is a 3.1.1 habit MQTT 5 forbids
    /// (MQTT 5.0 §4.4), so it never applies to MQTT 5 clients.
    fn retry_interval(&self, session: &ClientSession) -> Option<u64> {
        self.config
            .retry_interval_ms
            .filter(|_| session.version == ProtocolVersion::V311)
    }

    fn expire_keep_alives(&mut self, now: u64) {
        let expired: Vec<ConnectionId> = self
            .links
            .iter()
            .filter(|(_, l)| l.keep_alive_ms > 0 && now >= l.last_heard + l.keep_alive_ms * 3 / 2)
            .map(|(c, _)| *c)
            .collect();
        for connection in expired {
            self.disconnect_with(
                connection,
                reason::KEEP_ALIVE_TIMEOUT,
                CloseReason::KeepAliveTimeout,
            );
        }
    }

    fn session_timeouts(&mut self, now: u64, client_id: &str) {
        let Some(session) = self.sessions.get(client_id) else {
            return;
        };
        if session.connection.is_none() {
            if session.expires_at.is_some_and(|t| now >= t) {
                self.end_session(client_id, SessionEnd::Expired);
            }
            return;
        }
        self.resend_pubrecs(now, client_id);
        self.resend_outbound(now, client_id);
    }

    /// Seed scenario 2: no PUBREL for a while, so PUBREC again.
    fn resend_pubrecs(&mut self, now: u64, client_id: &str) {
        let Some(after) = self.config.pubrec_resend_ms else {
            return;
        };
        let Some(session) = self.sessions.get_mut(client_id) else {
            return;
        };
        let Some(connection) = session.connection else {
            return;
        };
        for t in session
            .inbound_qos2
            .values_mut()
            .filter(|t| now >= t.pubrec_sent_at + after)
        {
            t.pubrec_sent_at = now;
            t.pubrec_resends += 1;
            self.out.event(BrokerEventKind::Resent {
                client_id: client_id.to_string(),
                packet_id: t.packet_id,
                packet: PacketType::Pubrec,
                reason: ResendReason::Timeout,
            });
            self.out.send(
                connection,
                session.version,
                Packet::Pubrec(ack(t.packet_id, reason::SUCCESS)),
            );
        }
    }

    fn resend_outbound(&mut self, now: u64, client_id: &str) {
        let Some(after) = self
            .sessions
            .get(client_id)
            .and_then(|s| self.retry_interval(s))
        else {
            return;
        };
        let Some(session) = self.sessions.get_mut(client_id) else {
            return;
        };
        let Some(connection) = session.connection else {
            return;
        };
        for flow in session
            .outbound
            .iter_mut()
            .filter(|f| now >= f.last_sent_at + after)
        {
            let packet = flow.resend_packet(now);
            self.out.event(BrokerEventKind::Resent {
                client_id: client_id.to_string(),
                packet_id: flow.packet_id,
                packet: packet.packet_type(),
                reason: ResendReason::Timeout,
            });
            self.out.send(connection, session.version, packet);
        }
    }
}

impl ClientSession {
    fn new(client_id: &str) -> Self {
        ClientSession {
            client_id: client_id.to_string(),
            connection: None,
            version: ProtocolVersion::V311,
            expiry: SessionExpiry::AtClose,
            expires_at: None,
            subscriptions: BTreeMap::new(),
            outbound: VecDeque::new(),
            queued: VecDeque::new(),
            inbound_qos2: BTreeMap::new(),
            next_packet_id: 1,
            receive_maximum: u16::MAX,
            will: None,
        }
    }

    /// The highest granted QoS among the subscriptions matching `topic`
    /// (MQTT-3.3.5-1: one copy at the maximum QoS of overlapping
    /// subscriptions), skipping No Local ones for the publisher itself.
    fn best_subscription(&self, topic_name: &str, from: &str) -> Option<Subscription> {
        self.subscriptions
            .iter()
            .filter(|(filter, sub)| {
                topic::matches(filter, topic_name) && !(sub.no_local && self.client_id == from)
            })
            .map(|(_, sub)| *sub)
            .reduce(|best, sub| Subscription {
                qos: best.qos.max(sub.qos),
                retain_as_published: best.retain_as_published || sub.retain_as_published,
                no_local: false,
            })
    }

    /// The next packet id not in flight (1..=65535; MQTT-2.3.1-2/4).
    fn allocate_packet_id(&mut self) -> Option<PacketId> {
        for _ in 0..u16::MAX {
            let id = self.next_packet_id;
            self.next_packet_id = if id == u16::MAX { 1 } else { id + 1 };
            if !self.outbound.iter().any(|f| f.packet_id == id) {
                return Some(id);
            }
        }
        None
    }
}

impl OutboundFlow {
    /// The packet to send again: PUBLISH with DUP=1 before PUBREC, PUBREL after
    /// (§4.3.3: never PUBLISH again once PUBREC came).
    fn resend_packet(&mut self, now: u64) -> Packet {
        self.last_sent_at = now;
        match self.state {
            FlowState::AwaitingPubcomp => Packet::Pubrel(ack(self.packet_id, reason::SUCCESS)),
            _ => {
                self.publish.dup = true;
                Packet::Publish(self.publish.clone())
            }
        }
    }
}

fn session_expiry(connect: &Connect) -> SessionExpiry {
    match connect.protocol {
        ProtocolVersion::V311 if connect.clean_start => SessionExpiry::AtClose,
        ProtocolVersion::V311 => SessionExpiry::Never,
        ProtocolVersion::V5 => {
            expiry_from_secs(connect.properties.session_expiry_interval.unwrap_or(0))
        }
    }
}

fn expiry_from_secs(secs: u32) -> SessionExpiry {
    match secs {
        0 => SessionExpiry::AtClose,
        u32::MAX => SessionExpiry::Never,
        secs => SessionExpiry::AfterSecs(secs),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PUB: ConnectionId = ConnectionId(1);
    const SUB: ConnectionId = ConnectionId(2);

    fn connect(
        broker: &mut Broker,
        now: u64,
        conn: ConnectionId,
        id: &str,
        clean: bool,
        version: ProtocolVersion,
    ) -> Connack {
        broker.handle_connection_opened(now, conn);
        let connect = Connect {
            protocol: version,
            clean_start: clean,
            client_id: id.to_string(),
            keep_alive: 0,
            ..Connect::default()
        };
        broker.handle_packet(now, conn, Packet::Connect(connect));
        match sent(broker).first() {
            Some((c, Packet::Connack(ack))) if *c == conn => ack.clone(),
            other => panic!("expected CONNACK, got {other:?}"),
        }
    }

    fn sent(broker: &mut Broker) -> Vec<(ConnectionId, Packet)> {
        std::iter::from_fn(|| broker.poll_transmit())
            .map(|t| (t.connection, t.packet))
            .collect()
    }

    fn subscribe(broker: &mut Broker, conn: ConnectionId, filter: &str, qos: QoS) -> Vec<u8> {
        subscribe_and_collect(broker, conn, filter, qos).0
    }

    /// The SUBACK codes and everything sent with them (retained messages).
    fn subscribe_and_collect(
        broker: &mut Broker,
        conn: ConnectionId,
        filter: &str,
        qos: QoS,
    ) -> (Vec<u8>, Vec<(ConnectionId, Packet)>) {
        let subscribe = Subscribe {
            packet_id: 1,
            filters: vec![SubscribeFilter {
                filter: filter.to_string(),
                qos,
                ..SubscribeFilter::default()
            }],
            properties: Properties::default(),
        };
        broker.handle_packet(0, conn, Packet::Subscribe(subscribe));
        let out = sent(broker);
        match out.first() {
            Some((_, Packet::Suback(s))) => (s.codes.clone(), out.clone()),
            other => panic!("expected SUBACK, got {other:?}"),
        }
    }

    fn publish(topic: &str, qos: QoS, id: Option<PacketId>) -> Packet {
        Packet::Publish(Publish {
            qos,
            topic: topic.to_string(),
            packet_id: id,
            payload: b"42".to_vec(),
            ..Publish::default()
        })
    }

    fn pubrel(id: PacketId) -> Packet {
        Packet::Pubrel(ack(id, 0))
    }

    /// A broker with a publisher and a subscriber on `filter` at `qos`.
    fn pair(filter: &str, qos: QoS) -> Broker {
        let mut broker = Broker::new(BrokerConfig::default());
        connect(&mut broker, 0, PUB, "pub", true, ProtocolVersion::V311);
        connect(&mut broker, 0, SUB, "sub", false, ProtocolVersion::V311);
        subscribe(&mut broker, SUB, filter, qos);
        broker
    }

    fn publishes_to(packets: &[(ConnectionId, Packet)], conn: ConnectionId) -> Vec<Publish> {
        packets
            .iter()
            .filter_map(|(c, p)| match p {
                Packet::Publish(p) if *c == conn => Some(p.clone()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn persistent_session_is_present_on_reconnect_and_clean_start_discards_it() {
        let mut broker = Broker::new(BrokerConfig::default());
        assert!(!connect(&mut broker, 0, PUB, "a", false, ProtocolVersion::V311).session_present);
        broker.handle_connection_closed(1, PUB);
        assert!(
            connect(
                &mut broker,
                2,
                ConnectionId(3),
                "a",
                false,
                ProtocolVersion::V311
            )
            .session_present
        );
        broker.handle_connection_closed(3, ConnectionId(3));
        assert!(
            !connect(
                &mut broker,
                4,
                ConnectionId(4),
                "a",
                true,
                ProtocolVersion::V311
            )
            .session_present
        );
    }

    #[test]
    fn mqtt5_session_without_expiry_ends_with_its_connection() {
        let mut broker = Broker::new(BrokerConfig::default());
        connect(&mut broker, 0, PUB, "a", false, ProtocolVersion::V5);
        broker.handle_connection_closed(1, PUB);
        assert!(broker.sessions().is_empty());
    }

    #[test]
    fn pingreq_gets_pingresp() {
        let mut broker = Broker::new(BrokerConfig::default());
        connect(&mut broker, 0, PUB, "a", true, ProtocolVersion::V311);
        broker.handle_packet(1, PUB, Packet::Pingreq);
        assert_eq!(sent(&mut broker), vec![(PUB, Packet::Pingresp)]);
    }

    #[test]
    fn suback_grants_the_lower_of_requested_and_maximum_qos_and_refuses_bad_filters() {
        let mut broker = Broker::new(BrokerConfig {
            maximum_qos: QoS::AtLeastOnce,
            ..BrokerConfig::default()
        });
        connect(&mut broker, 0, SUB, "sub", true, ProtocolVersion::V311);
        assert_eq!(
            subscribe(&mut broker, SUB, "a/#", QoS::ExactlyOnce),
            vec![1]
        );
        assert_eq!(
            subscribe(&mut broker, SUB, "a/#/b", QoS::AtMostOnce),
            vec![0x80]
        );
    }

    #[test]
    fn qos2_message_is_held_in_the_table_until_pubrel_then_forwarded_and_completed() {
        let mut broker = pair("alarms/fire", QoS::ExactlyOnce);
        broker.handle_packet(10, PUB, publish("alarms/fire", QoS::ExactlyOnce, Some(7)));
        assert_eq!(sent(&mut broker), vec![(PUB, Packet::Pubrec(ack(7, 0)))]);
        let table = broker.open_qos2_transactions(25);
        assert_eq!(table.len(), 1);
        assert_eq!(
            (
                table[0].client_id.as_str(),
                table[0].packet_id,
                table[0].age_ms
            ),
            ("pub", 7, 15)
        );

        broker.handle_packet(30, PUB, pubrel(7));
        let out = sent(&mut broker);
        let forwarded = publishes_to(&out, SUB);
        assert_eq!(forwarded.len(), 1);
        assert_eq!(
            (forwarded[0].qos, forwarded[0].packet_id),
            (QoS::ExactlyOnce, Some(1))
        );
        assert!(out.contains(&(PUB, Packet::Pubcomp(ack(7, 0)))));
        assert!(broker.open_qos2_transactions(30).is_empty());
    }

    #[test]
    fn repeated_qos2_publish_gets_pubrec_again_and_is_not_forwarded_twice() {
        let mut broker = pair("t", QoS::ExactlyOnce);
        broker.config.qos2_forwarding = Qos2Forwarding::OnPublish;
        broker.handle_packet(0, PUB, publish("t", QoS::ExactlyOnce, Some(3)));
        assert_eq!(publishes_to(&sent(&mut broker), SUB).len(), 1);
        let mut again = publish("t", QoS::ExactlyOnce, Some(3));
        if let Packet::Publish(p) = &mut again {
            p.dup = true;
        }
        broker.handle_packet(5, PUB, again);
        assert_eq!(sent(&mut broker), vec![(PUB, Packet::Pubrec(ack(3, 0)))]);
        assert_eq!(broker.open_qos2_transactions(5)[0].pubrec_resends, 1);
    }

    #[test]
    fn pubrel_for_an_unknown_id_still_gets_pubcomp() {
        let mut broker = pair("t", QoS::ExactlyOnce);
        broker.handle_packet(0, PUB, pubrel(99));
        assert_eq!(sent(&mut broker), vec![(PUB, Packet::Pubcomp(ack(99, 0)))]);
        assert!(std::iter::from_fn(|| broker.poll_event()).any(|e| matches!(
            e.kind,
            BrokerEventKind::PubrelForUnknownId { packet_id: 99, .. }
        )));
    }

    #[test]
    fn qos2_publish_is_delivered_at_qos1_to_a_qos1_subscription_with_the_brokers_own_id() {
        let mut broker = pair("t", QoS::AtLeastOnce);
        broker.handle_packet(0, PUB, publish("t", QoS::ExactlyOnce, Some(500)));
        broker.handle_packet(1, PUB, pubrel(500));
        let forwarded = publishes_to(&sent(&mut broker), SUB);
        assert_eq!(
            (forwarded[0].qos, forwarded[0].packet_id),
            (QoS::AtLeastOnce, Some(1))
        );
        assert!(std::iter::from_fn(|| broker.poll_event()).any(|e| matches!(
            e.kind,
            BrokerEventKind::MessageRouted {
                published_qos: QoS::ExactlyOnce,
                delivered_qos: QoS::AtLeastOnce,
                ..
            }
        )));
        broker.handle_packet(2, SUB, Packet::Puback(ack(1, 0)));
        assert!(broker.is_quiescent());
    }

    #[test]
    fn wildcards_route_but_do_not_match_dollar_topics() {
        let mut broker = pair("#", QoS::AtMostOnce);
        subscribe(&mut broker, SUB, "sensors/+/temp", QoS::AtMostOnce);
        broker.handle_packet(0, PUB, publish("sensors/a/temp", QoS::AtMostOnce, None));
        broker.handle_packet(0, PUB, publish("$SYS/uptime", QoS::AtMostOnce, None));
        let topics: Vec<String> = publishes_to(&sent(&mut broker), SUB)
            .into_iter()
            .map(|p| p.topic)
            .collect();
        assert_eq!(
            topics,
            vec!["sensors/a/temp".to_string()],
            "one copy for overlapping filters, none for $SYS"
        );
    }

    #[test]
    fn retained_message_goes_to_new_subscribers_and_an_empty_one_clears_it() {
        let mut broker = pair("other", QoS::AtMostOnce);
        let mut retained = publish("stock/count", QoS::AtLeastOnce, Some(1));
        if let Packet::Publish(p) = &mut retained {
            p.retain = true;
        }
        broker.handle_packet(0, PUB, retained);
        sent(&mut broker);
        let (_, out) = subscribe_and_collect(&mut broker, SUB, "stock/#", QoS::AtMostOnce);
        let got = publishes_to(&out, SUB);
        assert_eq!(got.len(), 1);
        assert!(got[0].retain && got[0].qos == QoS::AtMostOnce);

        let clear = Packet::Publish(Publish {
            retain: true,
            topic: "stock/count".into(),
            ..Publish::default()
        });
        broker.handle_packet(1, PUB, clear);
        assert!(broker.retained().is_empty());
    }

    #[test]
    fn unacknowledged_delivery_is_resent_with_dup_on_reconnect_and_queued_ones_follow() {
        let mut broker = pair("t", QoS::AtLeastOnce);
        broker.handle_packet(0, PUB, publish("t", QoS::AtLeastOnce, Some(1)));
        sent(&mut broker);
        broker.handle_connection_closed(1, SUB);
        broker.handle_packet(2, PUB, publish("t", QoS::AtLeastOnce, Some(2)));
        broker.handle_packet(2, PUB, publish("t", QoS::AtMostOnce, None));
        sent(&mut broker);

        let again = ConnectionId(9);
        broker.handle_connection_opened(3, again);
        let reconnect = Connect {
            client_id: "sub".into(),
            ..Connect::default()
        };
        broker.handle_packet(3, again, Packet::Connect(reconnect));
        let out = sent(&mut broker);
        assert!(matches!(&out[0].1, Packet::Connack(c) if c.session_present));
        let got = publishes_to(&out, again);
        assert_eq!(got.len(), 2, "QoS 0 is not kept for an offline client");
        assert!(got[0].dup && got[0].packet_id == Some(1));
        assert!(!got[1].dup && got[1].packet_id == Some(2));
    }

    #[test]
    fn pubrel_is_resent_on_reconnect_once_pubrec_came() {
        let mut broker = pair("t", QoS::ExactlyOnce);
        broker.handle_packet(0, PUB, publish("t", QoS::ExactlyOnce, Some(1)));
        broker.handle_packet(0, PUB, pubrel(1));
        sent(&mut broker);
        broker.handle_packet(1, SUB, Packet::Pubrec(ack(1, 0)));
        assert_eq!(sent(&mut broker), vec![(SUB, Packet::Pubrel(ack(1, 0)))]);
        broker.handle_connection_closed(2, SUB);
        broker.handle_connection_opened(3, ConnectionId(5));
        let reconnect = Connect {
            client_id: "sub".into(),
            ..Connect::default()
        };
        broker.handle_packet(3, ConnectionId(5), Packet::Connect(reconnect));
        let out = sent(&mut broker);
        assert_eq!(out[1], (ConnectionId(5), Packet::Pubrel(ack(1, 0))));
        assert!(
            publishes_to(&out, ConnectionId(5)).is_empty(),
            "never PUBLISH again after PUBREC"
        );
    }

    #[test]
    fn pubrec_is_resent_when_no_pubrel_comes_if_configured() {
        let mut broker = pair("t", QoS::ExactlyOnce);
        broker.config.pubrec_resend_ms = Some(1000);
        broker.handle_packet(0, PUB, publish("t", QoS::ExactlyOnce, Some(4)));
        sent(&mut broker);
        assert_eq!(broker.poll_timeout(), Some(1000));
        broker.handle_timeout(1000);
        assert_eq!(sent(&mut broker), vec![(PUB, Packet::Pubrec(ack(4, 0)))]);
        assert_eq!(broker.poll_timeout(), Some(2000));
    }

    #[test]
    fn outbound_publish_is_resent_on_timeout_only_when_configured() {
        let mut broker = pair("t", QoS::AtLeastOnce);
        broker.handle_packet(0, PUB, publish("t", QoS::AtLeastOnce, Some(1)));
        sent(&mut broker);
        assert_eq!(broker.poll_timeout(), None);
        broker.config.retry_interval_ms = Some(500);
        broker.handle_timeout(500);
        let got = publishes_to(&sent(&mut broker), SUB);
        assert!(got.len() == 1 && got[0].dup);
    }

    #[test]
    fn keep_alive_timeout_closes_the_connection_after_one_and_a_half_periods() {
        let mut broker = Broker::new(BrokerConfig::default());
        broker.handle_connection_opened(0, PUB);
        let connect = Connect {
            clean_start: true,
            client_id: "a".into(),
            keep_alive: 10,
            ..Connect::default()
        };
        broker.handle_packet(0, PUB, Packet::Connect(connect));
        assert_eq!(broker.poll_timeout(), Some(15_000));
        broker.handle_timeout(15_000);
        assert_eq!(broker.poll_close(), Some(PUB));
    }

    #[test]
    fn a_packet_before_connect_closes_the_connection() {
        let mut broker = Broker::new(BrokerConfig::default());
        broker.handle_connection_opened(0, PUB);
        broker.handle_packet(0, PUB, Packet::Pingreq);
        assert_eq!(broker.poll_close(), Some(PUB));
        assert!(sent(&mut broker).is_empty());
    }

    #[test]
    fn mqtt5_unsuback_says_whether_the_subscription_existed() {
        let mut broker = Broker::new(BrokerConfig::default());
        connect(&mut broker, 0, SUB, "s", true, ProtocolVersion::V5);
        subscribe(&mut broker, SUB, "a", QoS::AtMostOnce);
        let unsubscribe = Unsubscribe {
            packet_id: 2,
            filters: vec!["a".into(), "b".into()],
            properties: Properties::default(),
        };
        broker.handle_packet(1, SUB, Packet::Unsubscribe(unsubscribe));
        match &sent(&mut broker)[0].1 {
            Packet::Unsuback(u) => assert_eq!(u.codes, vec![0x00, 0x11]),
            other => panic!("expected UNSUBACK, got {other:?}"),
        }
    }

    #[test]
    fn bytes_are_decoded_and_answers_encoded_for_the_clients_version() {
        let mut broker = Broker::new(BrokerConfig::default());
        broker.handle_connection_opened(0, PUB);
        let connect = Packet::Connect(Connect {
            protocol: ProtocolVersion::V5,
            clean_start: true,
            client_id: "bytes".into(),
            ..Connect::default()
        });
        let bytes = connect.to_bytes(ProtocolVersion::V5).expect("encodes");
        let (head, tail) = bytes.split_at(3);
        broker.handle_bytes(0, PUB, head);
        assert!(
            broker.poll_transmit().is_none(),
            "half a packet is buffered"
        );
        broker.handle_bytes(0, PUB, tail);
        let connack = broker.poll_transmit().expect("CONNACK");
        assert_eq!(
            connack.bytes,
            connack
                .packet
                .to_bytes(ProtocolVersion::V5)
                .expect("encodes")
        );
        broker.handle_bytes(1, PUB, &[0xF0, 0x00, 0x00]);
        assert_eq!(
            broker.poll_close(),
            Some(PUB),
            "malformed bytes close the connection"
        );
    }

    #[test]
    fn a_second_connection_with_the_same_client_id_takes_the_session_over() {
        let mut broker = Broker::new(BrokerConfig::default());
        connect(&mut broker, 0, PUB, "same", false, ProtocolVersion::V311);
        let connack = connect(&mut broker, 1, SUB, "same", false, ProtocolVersion::V311);
        assert!(connack.session_present);
        assert_eq!(broker.poll_close(), Some(PUB));
        assert_eq!(broker.sessions()[0].connection, Some(SUB));
    }

    #[test]
    fn a_will_is_published_when_the_transport_drops_but_not_after_disconnect() {
        let mut broker = pair("wills/#", QoS::AtMostOnce);
        let with_will = |id: &str| Connect {
            clean_start: true,
            client_id: id.into(),
            will: Some(LastWill {
                topic: format!("wills/{id}"),
                payload: b"gone".to_vec(),
                ..LastWill::default()
            }),
            ..Connect::default()
        };
        for (conn, id) in [(ConnectionId(7), "crash"), (ConnectionId(8), "polite")] {
            broker.handle_connection_opened(0, conn);
            broker.handle_packet(0, conn, Packet::Connect(with_will(id)));
        }
        sent(&mut broker);
        broker.handle_connection_closed(1, ConnectionId(7));
        broker.handle_packet(
            1,
            ConnectionId(8),
            Packet::Disconnect(Disconnect::default()),
        );
        let topics: Vec<String> = publishes_to(&sent(&mut broker), SUB)
            .into_iter()
            .map(|p| p.topic)
            .collect();
        assert_eq!(topics, ["wills/crash"]);
    }

    #[test]
    fn mqtt5_publish_above_the_announced_maximum_qos_is_refused_with_0x9b() {
        let mut broker = Broker::new(BrokerConfig {
            maximum_qos: QoS::AtLeastOnce,
            ..BrokerConfig::default()
        });
        let connack = connect(&mut broker, 0, PUB, "p", true, ProtocolVersion::V5);
        assert_eq!(connack.properties.maximum_qos, Some(1));
        broker.handle_packet(1, PUB, publish("t", QoS::ExactlyOnce, Some(1)));
        assert_eq!(
            sent(&mut broker),
            vec![(
                PUB,
                Packet::Disconnect(Disconnect {
                    reason: 0x9B,
                    ..Disconnect::default()
                })
            )]
        );
        assert_eq!(broker.poll_close(), Some(PUB));
    }

    #[test]
    fn mqtt5_session_expires_after_its_interval_once_disconnected() {
        let mut broker = Broker::new(BrokerConfig::default());
        broker.handle_connection_opened(0, PUB);
        let mut connect = Connect {
            protocol: ProtocolVersion::V5,
            client_id: "e".into(),
            ..Connect::default()
        };
        connect.properties.session_expiry_interval = Some(30);
        broker.handle_packet(0, PUB, Packet::Connect(connect));
        broker.handle_connection_closed(1_000, PUB);
        assert_eq!(broker.poll_timeout(), Some(31_000));
        broker.handle_timeout(30_999);
        assert_eq!(broker.sessions().len(), 1);
        broker.handle_timeout(31_000);
        assert!(broker.sessions().is_empty());
    }
}
