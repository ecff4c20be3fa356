//! A deterministic virtual network and clock: client [`Session`]s and the
//! [`Broker`] joined by links with latency and [`FaultRules`].
//!
//! Modelled on quinn-proto's test `Pair`: nothing here reads a clock or a
//! socket. Virtual time jumps straight to the next thing that can happen (a
//! packet arriving, a session or broker deadline), so a run is exactly
//! reproducible and a minute of retries costs microseconds.
//!
//! Everything crosses the links as bytes: sessions and broker encode what
//! they send and decode what they receive, so the codec is exercised on
//! every hop.
//!
//! A link carries one transport connection at a time. A *cut* (a fault rule,
//! or [`Sim::cut`]) closes both ends at once and loses whatever was in
//! flight on it; a *close* by one end (DISCONNECT, keep-alive timeout)
//! travels like a packet, behind the data sent before it. [`Sim::reconnect`]
//! opens a new connection and lets the session send CONNECT again.
//!
//! The merged [`SimEvent`] log holds session events, broker events, wire
//! events ([`WireEvent`], one per packet put on a link, with its fate) and
//! link events, each with its virtual time: what the visualiser replays.
//!
//! Driving it:
//! - commands: [`Sim::connect`], [`Sim::reconnect`], [`Sim::publish`],
//!   [`Sim::subscribe`], [`Sim::disconnect`], [`Sim::cut`], or any session
//!   command through [`Sim::command`];
//! - time: [`Sim::step`], [`Sim::run_until`], [`Sim::run_for`],
//!   [`Sim::run_until_idle`];
//! - faults: [`Sim::faults_mut`], [`Sim::set_link`];
//! - reading: [`Sim::log`] / [`Sim::take_log`], [`Sim::wire`],
//!   [`Sim::deliveries`], [`Sim::session`], [`Sim::broker`].

use std::cmp::Ordering;
use std::collections::{BTreeMap, BinaryHeap};

use serde::{Deserialize, Serialize};

use super::broker::{Broker, BrokerConfig, BrokerEventKind, BrokerTransmit, ConnectionId};
use super::fault::{Direction, FaultCause, FaultRules, FaultyWire, Judged, TargetedRule, Verdict};
use super::packet::{Packet, PacketId, SubscribeFilter};
use super::session::{
    CommandError, EventKind, Message, PublishRequest, Session, SessionConfig, Transmit,
};

/// An end of a link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Node {
    /// The simulated broker.
    Broker,
    /// A client session, by its index in the simulation.
    Client(usize),
}

/// One-way delays of a client's link, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkConfig {
    /// Client → broker.
    pub client_to_broker_ms: u64,
    /// Broker → client.
    pub broker_to_client_ms: u64,
}

impl Default for LinkConfig {
    fn default() -> Self {
        LinkConfig {
            client_to_broker_ms: 10,
            broker_to_client_ms: 10,
        }
    }
}

impl LinkConfig {
    /// The same delay both ways.
    pub fn symmetric(ms: u64) -> Self {
        LinkConfig {
            client_to_broker_ms: ms,
            broker_to_client_ms: ms,
        }
    }

    /// The latency of `direction`, ms.
    pub fn latency(&self, direction: Direction) -> u64 {
        match direction {
            Direction::ClientToBroker => self.client_to_broker_ms,
            Direction::BrokerToClient => self.broker_to_client_ms,
        }
    }
}

/// What happened to a packet put on a link.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Fate {
    /// It was let through and is due at `arrive_at` (unless a cut loses it on
    /// the way: then a [`SimEventKind::WireLost`] follows).
    Delivered,
    /// A fault rule or the loss draw dropped it.
    Dropped {
        /// The rule responsible.
        rule: FaultCause,
    },
}

/// One packet put on a link.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WireEvent {
    /// Unique within a run, in sending order.
    pub id: u64,
    /// When it left.
    pub sent_at: u64,
    /// When it arrives (or would have, if dropped).
    pub arrive_at: u64,
    /// Sender.
    pub from: Node,
    /// Receiver.
    pub to: Node,
    /// The transport connection it travels on.
    pub connection: ConnectionId,
    /// The packet.
    pub packet: Packet,
    /// Its bytes on the wire.
    pub bytes: Vec<u8>,
    /// Delivered or dropped.
    pub fate: Fate,
}

/// Who ended a connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CloseOrigin {
    /// Cut by a fault rule (`Some`) or by [`Sim::cut`] (`None`): both ends at once.
    Cut(Option<TargetedRule>),
    /// The client session closed it (after DISCONNECT, on keep-alive timeout, ...).
    Client,
    /// The broker closed it.
    Broker,
}

/// An entry of the merged log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimEvent {
    /// Virtual milliseconds.
    pub at: u64,
    /// What happened.
    pub kind: SimEventKind,
}

/// Kinds of log entries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum SimEventKind {
    /// A session event of client `client`.
    Session {
        /// Client index.
        client: usize,
        /// The event.
        event: EventKind,
    },
    /// A broker event.
    Broker(BrokerEventKind),
    /// A packet was put on a link.
    Wire(WireEvent),
    /// A delivered packet never arrived: its connection closed under it.
    WireLost {
        /// The [`WireEvent::id`].
        wire_id: u64,
        /// Why.
        cause: FaultCause,
    },
    /// A transport connection opened.
    LinkOpened {
        /// Client index.
        client: usize,
        /// The new connection.
        connection: ConnectionId,
    },
    /// One end of a connection closed (a cut closes both: one entry).
    LinkClosed {
        /// Client index.
        client: usize,
        /// The connection.
        connection: ConnectionId,
        /// Who closed it.
        by: CloseOrigin,
        /// The end that saw it close now.
        end: Node,
    },
}

/// What travels on a link: bytes, or the news that the sender closed.
#[derive(Debug)]
enum Cargo {
    Bytes { wire_id: u64, bytes: Vec<u8> },
    Close,
}

#[derive(Debug)]
struct Flight {
    arrive_at: u64,
    seq: u64,
    connection: ConnectionId,
    to: Node,
    cargo: Cargo,
}

impl PartialEq for Flight {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Flight {}

impl PartialOrd for Flight {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Flight {
    /// Reversed, so that `BinaryHeap` pops the earliest arrival first (ties
    /// in sending order).
    fn cmp(&self, other: &Self) -> Ordering {
        (other.arrive_at, other.seq).cmp(&(self.arrive_at, self.seq))
    }
}

/// Both ends of one transport connection.
#[derive(Debug)]
struct Connection {
    client: usize,
    client_open: bool,
    broker_open: bool,
}

/// A client session with its link.
#[derive(Debug)]
struct SimClient {
    session: Session,
    link: LinkConfig,
    /// Fault rules and the link's FIFO clock.
    wire: FaultyWire,
    current: Option<ConnectionId>,
}

/// The simulation.
#[derive(Debug)]
pub struct Sim {
    now: u64,
    broker: Broker,
    clients: Vec<SimClient>,
    connections: BTreeMap<ConnectionId, Connection>,
    flights: BinaryHeap<Flight>,
    log: Vec<SimEvent>,
    next_seq: u64,
    next_wire_id: u64,
    next_connection: u64,
}

/// The most steps [`Sim::run_until_idle`] takes at one instant before it
/// decides a deadline is stuck (a deadline that never clears).
const MAX_STEPS_AT_ONE_INSTANT: u32 = 10_000;

/// How far ahead [`Sim::run_until_idle`] looks before giving up.
const IDLE_HORIZON_MS: u64 = 3_600_000;

impl Sim {
    /// A simulation at time 0 with a broker and no clients.
    pub fn new(broker: BrokerConfig) -> Self {
        Sim {
            now: 0,
            broker: Broker::new(broker),
            clients: Vec::new(),
            connections: BTreeMap::new(),
            flights: BinaryHeap::new(),
            log: Vec::new(),
            next_seq: 0,
            next_wire_id: 0,
            next_connection: 0,
        }
    }

    /// Adds a client session (not connected yet); returns its index.
    pub fn add_client(&mut self, config: SessionConfig, link: LinkConfig) -> usize {
        self.clients.push(SimClient {
            session: Session::new(config),
            link,
            wire: FaultyWire::new(FaultRules::none()),
            current: None,
        });
        self.clients.len() - 1
    }

    // ----- getters -------------------------------------------------------

    /// Virtual time, milliseconds.
    pub fn now(&self) -> u64 {
        self.now
    }

    /// Number of clients.
    pub fn client_count(&self) -> usize {
        self.clients.len()
    }

    /// A client's session.
    ///
    /// # Panics
    /// If `client` is not an index returned by [`Sim::add_client`].
    pub fn session(&self, client: usize) -> &Session {
        &self.clients[client].session
    }

    /// The broker.
    pub fn broker(&self) -> &Broker {
        &self.broker
    }

    /// The broker, to change its configuration.
    pub fn broker_mut(&mut self) -> &mut Broker {
        &mut self.broker
    }

    /// A client's link delays.
    pub fn link(&self, client: usize) -> LinkConfig {
        self.clients[client].link
    }

    /// The current connection of a client's link, if open at the client end.
    pub fn connection(&self, client: usize) -> Option<ConnectionId> {
        self.clients[client].current
    }

    /// The merged log so far (since the last [`Sim::take_log`]).
    pub fn log(&self) -> &[SimEvent] {
        &self.log
    }

    /// Takes the log, leaving it empty: long runs drain it as they go.
    pub fn take_log(&mut self) -> Vec<SimEvent> {
        std::mem::take(&mut self.log)
    }

    /// The wire events in the log.
    pub fn wire(&self) -> impl Iterator<Item = &WireEvent> {
        self.log.iter().filter_map(|e| match &e.kind {
            SimEventKind::Wire(w) => Some(w),
            _ => None,
        })
    }

    /// Messages a client's session handed to its application, with times.
    pub fn deliveries(&self, client: usize) -> Vec<(u64, Message)> {
        self.log
            .iter()
            .filter_map(|e| match &e.kind {
                SimEventKind::Session {
                    client: c,
                    event: EventKind::Delivered { message },
                } if *c == client => Some((e.at, message.clone())),
                _ => None,
            })
            .collect()
    }

    /// Packets in flight on links.
    pub fn in_flight(&self) -> usize {
        self.flights.len()
    }

    /// The next time something can happen: an arrival or a deadline.
    pub fn next_deadline(&self) -> Option<u64> {
        let arrival = self.flights.peek().map(|f| f.arrive_at);
        let sessions = self.clients.iter().filter_map(|c| c.session.poll_timeout());
        arrival
            .into_iter()
            .chain(sessions)
            .chain(self.broker.poll_timeout())
            .min()
    }

    /// True when nothing is in flight and no message is unfinished anywhere
    /// (sessions and broker): only keep-alive timers remain.
    pub fn is_idle(&self) -> bool {
        self.flights.is_empty()
            && self.broker.is_quiescent()
            && self.clients.iter().all(|c| {
                c.session.inflight_len() == 0
                    && c.session.queued_len() == 0
                    && c.session.incoming_qos2_len() == 0
            })
    }

    // ----- faults and links ----------------------------------------------

    /// A client's fault rules, to add or change rules.
    pub fn faults_mut(&mut self, client: usize) -> &mut FaultRules {
        self.clients[client].wire.rules_mut()
    }

    /// A client's fault rules.
    pub fn faults(&self, client: usize) -> &FaultRules {
        self.clients[client].wire.rules()
    }

    /// Changes a client's link delays (for packets sent from now on).
    pub fn set_link(&mut self, client: usize, link: LinkConfig) {
        self.clients[client].link = link;
    }

    // ----- commands ------------------------------------------------------

    /// Opens a transport connection for `client` now and sends CONNECT. A
    /// connection still open at the client end is cut first.
    pub fn connect(&mut self, client: usize) {
        if self.clients[client].current.is_some() {
            self.cut_with(client, None);
        }
        self.next_connection += 1;
        let connection = ConnectionId(self.next_connection);
        self.connections.insert(
            connection,
            Connection {
                client,
                client_open: true,
                broker_open: true,
            },
        );
        self.clients[client].current = Some(connection);
        self.broker.handle_connection_opened(self.now, connection);
        self.record(SimEventKind::LinkOpened { client, connection });
        let now = self.now;
        self.clients[client].session.connect(now);
        self.flush();
    }

    /// Runs until `now`, cuts `client`'s connection if it is still open, then
    /// connects again: the session resends what is unacknowledged.
    pub fn reconnect(&mut self, client: usize, now: u64) {
        self.run_until(now);
        self.connect(client);
    }

    /// Cuts `client`'s connection now: both ends see it close, and what is
    /// in flight on it is lost.
    pub fn cut(&mut self, client: usize) {
        self.cut_with(client, None);
        self.flush();
    }

    /// Runs a session command at the current time, then sends what it produced.
    pub fn command<R>(&mut self, client: usize, f: impl FnOnce(&mut Session, u64) -> R) -> R {
        let now = self.now;
        let result = f(&mut self.clients[client].session, now);
        self.flush();
        result
    }

    /// Publishes from `client` now.
    pub fn publish(
        &mut self,
        client: usize,
        request: PublishRequest,
    ) -> Result<Option<PacketId>, CommandError> {
        self.command(client, |s, now| s.publish(now, request))
    }

    /// Subscribes `client` now.
    pub fn subscribe(
        &mut self,
        client: usize,
        filters: Vec<SubscribeFilter>,
    ) -> Result<PacketId, CommandError> {
        self.command(client, |s, now| s.subscribe(now, filters))
    }

    /// Sends DISCONNECT from `client` now; the session then closes its end.
    pub fn disconnect(&mut self, client: usize) -> Result<(), CommandError> {
        self.command(client, |s, now| s.disconnect(now))
    }

    // ----- time ----------------------------------------------------------

    /// Jumps to the next arrival or deadline and handles everything due then.
    /// Returns false when nothing is left to happen.
    pub fn step(&mut self) -> bool {
        let Some(next) = self.next_deadline() else {
            return false;
        };
        self.now = self.now.max(next);
        self.deliver_due_flights();
        self.fire_due_timers();
        true
    }

    /// Runs everything due up to and including `until`, then sets the clock to
    /// it. Returns false if it stopped early on a stuck deadline.
    pub fn run_until(&mut self, until: u64) -> bool {
        let mut guard = StuckGuard::default();
        while let Some(next) = self.next_deadline().filter(|t| *t <= until) {
            if guard.stuck(next) {
                return false;
            }
            self.step();
        }
        self.now = self.now.max(until);
        true
    }

    /// Runs for `ms` virtual milliseconds.
    pub fn run_for(&mut self, ms: u64) -> bool {
        self.run_until(self.now + ms)
    }

    /// Runs until [`Sim::is_idle`] (true) or until an hour of virtual time
    /// passed / nothing can happen any more without being idle (false).
    pub fn run_until_idle(&mut self) -> bool {
        let horizon = self.now + IDLE_HORIZON_MS;
        let mut guard = StuckGuard::default();
        while !self.is_idle() {
            let Some(next) = self.next_deadline().filter(|t| *t <= horizon) else {
                return false;
            };
            if guard.stuck(next) {
                return false;
            }
            self.step();
        }
        true
    }

    // ----- internals: arrivals and timers --------------------------------

    fn deliver_due_flights(&mut self) {
        while self.flights.peek().is_some_and(|f| f.arrive_at <= self.now) {
            if let Some(flight) = self.flights.pop() {
                self.arrive(flight);
                self.flush();
            }
        }
    }

    fn fire_due_timers(&mut self) {
        let now = self.now;
        for i in 0..self.clients.len() {
            if self.clients[i]
                .session
                .poll_timeout()
                .is_some_and(|t| t <= now)
            {
                self.clients[i].session.handle_timeout(now);
                self.flush();
            }
        }
        if self.broker.poll_timeout().is_some_and(|t| t <= now) {
            self.broker.handle_timeout(now);
            self.flush();
        }
    }

    fn arrive(&mut self, flight: Flight) {
        let now = self.now;
        let Some(connection) = self.connections.get_mut(&flight.connection) else {
            return;
        };
        let client = connection.client;
        let open = match flight.to {
            Node::Broker => &mut connection.broker_open,
            Node::Client(_) => &mut connection.client_open,
        };
        match flight.cargo {
            Cargo::Bytes { wire_id, .. } if !*open => self.record(SimEventKind::WireLost {
                wire_id,
                cause: FaultCause::ConnectionCut,
            }),
            Cargo::Bytes { bytes, .. } => match flight.to {
                Node::Broker => self.broker.handle_bytes(now, flight.connection, &bytes),
                Node::Client(_) => self.clients[client].session.handle_bytes(now, &bytes),
            },
            Cargo::Close if !*open => {}
            Cargo::Close => {
                *open = false;
                self.peer_closed(client, flight.connection, flight.to);
            }
        }
    }

    /// The close sent by the other end arrived at `end`.
    fn peer_closed(&mut self, client: usize, connection: ConnectionId, end: Node) {
        let now = self.now;
        let by = match end {
            Node::Broker => CloseOrigin::Client,
            Node::Client(_) => CloseOrigin::Broker,
        };
        self.record(SimEventKind::LinkClosed {
            client,
            connection,
            by,
            end,
        });
        match end {
            Node::Broker => self.broker.handle_connection_closed(now, connection),
            Node::Client(_) if self.clients[client].current == Some(connection) => {
                self.clients[client].current = None;
                self.clients[client].session.handle_closed(now);
            }
            Node::Client(_) => {} // an old connection: the session has moved on
        }
        self.forget_if_closed(connection);
    }

    fn forget_if_closed(&mut self, connection: ConnectionId) {
        if self
            .connections
            .get(&connection)
            .is_some_and(|c| !c.client_open && !c.broker_open)
        {
            self.connections.remove(&connection);
        }
    }

    // ----- internals: outputs --------------------------------------------

    /// Drains every output of every session and of the broker until none is
    /// left: events into the log, packets onto links, closes onto links.
    fn flush(&mut self) {
        loop {
            let mut progressed = false;
            for client in 0..self.clients.len() {
                progressed |= self.flush_client(client);
            }
            progressed |= self.flush_broker();
            if !progressed {
                return;
            }
        }
    }

    fn flush_client(&mut self, client: usize) -> bool {
        let mut progressed = false;
        while let Some(event) = self.clients[client].session.poll_event() {
            progressed = true;
            self.log.push(SimEvent {
                at: event.at,
                kind: SimEventKind::Session {
                    client,
                    event: event.kind,
                },
            });
        }
        while let Some(transmit) = self.clients[client].session.poll_transmit() {
            progressed = true;
            self.send_from_client(client, transmit);
        }
        if self.clients[client].session.poll_close() {
            progressed = true;
            self.close_from_client(client);
        }
        progressed
    }

    fn flush_broker(&mut self) -> bool {
        let mut progressed = false;
        while let Some(event) = self.broker.poll_event() {
            progressed = true;
            self.log.push(SimEvent {
                at: event.at,
                kind: SimEventKind::Broker(event.kind),
            });
        }
        while let Some(transmit) = self.broker.poll_transmit() {
            progressed = true;
            self.send_from_broker(transmit);
        }
        while let Some(connection) = self.broker.poll_close() {
            progressed = true;
            self.close_from_broker(connection);
        }
        progressed
    }

    fn send_from_client(&mut self, client: usize, transmit: Transmit) {
        let Some(connection) = self.clients[client].current else {
            return; // the session sends only while connected; nothing to carry it
        };
        let Transmit { packet, bytes } = transmit;
        self.put_on_link(client, connection, Direction::ClientToBroker, packet, bytes);
    }

    fn send_from_broker(&mut self, transmit: BrokerTransmit) {
        let Some(client) = self.connections.get(&transmit.connection).map(|c| c.client) else {
            return;
        };
        let BrokerTransmit {
            connection,
            packet,
            bytes,
        } = transmit;
        self.put_on_link(client, connection, Direction::BrokerToClient, packet, bytes);
    }

    /// Judges a packet with the link's fault rules, logs it, and schedules its
    /// arrival (or cuts the connection).
    fn put_on_link(
        &mut self,
        client: usize,
        connection: ConnectionId,
        direction: Direction,
        packet: Packet,
        bytes: Vec<u8>,
    ) {
        let base = self.clients[client].link.latency(direction);
        let Judged { verdict, arrive_at } = self.clients[client]
            .wire
            .judge(self.now, base, direction, &packet);
        let (from, to) = match direction {
            Direction::ClientToBroker => (Node::Client(client), Node::Broker),
            Direction::BrokerToClient => (Node::Broker, Node::Client(client)),
        };
        let (fate, cut) = match verdict {
            Verdict::Deliver => (Fate::Delivered, None),
            Verdict::Drop { rule } => (Fate::Dropped { rule }, None),
            Verdict::Cut { rule } => (
                Fate::Dropped {
                    rule: FaultCause::Rule(rule.clone()),
                },
                Some(rule),
            ),
        };
        self.next_wire_id += 1;
        let wire_id = self.next_wire_id;
        if fate == Fate::Delivered {
            self.schedule(
                arrive_at,
                connection,
                to,
                Cargo::Bytes {
                    wire_id,
                    bytes: bytes.clone(),
                },
            );
        }
        self.record(SimEventKind::Wire(WireEvent {
            id: wire_id,
            sent_at: self.now,
            arrive_at,
            from,
            to,
            connection,
            packet,
            bytes,
            fate,
        }));
        if let Some(rule) = cut {
            self.cut_with(client, Some(rule));
        }
    }

    fn schedule(&mut self, arrive_at: u64, connection: ConnectionId, to: Node, cargo: Cargo) {
        self.next_seq += 1;
        self.flights.push(Flight {
            arrive_at,
            seq: self.next_seq,
            connection,
            to,
            cargo,
        });
    }

    /// The session closed its end: the broker learns it after the data
    /// already on the way.
    fn close_from_client(&mut self, client: usize) {
        let Some(connection) = self.clients[client].current.take() else {
            return;
        };
        self.close_one_end(
            client,
            connection,
            Node::Client(client),
            CloseOrigin::Client,
        );
    }

    /// The broker closed its end: the client learns it after the data
    /// already on the way.
    fn close_from_broker(&mut self, connection: ConnectionId) {
        let Some(client) = self.connections.get(&connection).map(|c| c.client) else {
            return;
        };
        self.close_one_end(client, connection, Node::Broker, CloseOrigin::Broker);
    }

    fn close_one_end(
        &mut self,
        client: usize,
        connection: ConnectionId,
        end: Node,
        by: CloseOrigin,
    ) {
        let Some(state) = self.connections.get_mut(&connection) else {
            return;
        };
        let (open, direction, peer) = match end {
            Node::Broker => (
                &mut state.broker_open,
                Direction::BrokerToClient,
                Node::Client(client),
            ),
            Node::Client(_) => (
                &mut state.client_open,
                Direction::ClientToBroker,
                Node::Broker,
            ),
        };
        if !std::mem::replace(open, false) {
            return;
        }
        self.record(SimEventKind::LinkClosed {
            client,
            connection,
            by,
            end,
        });
        let base = self.clients[client].link.latency(direction);
        let arrive_at = self.clients[client]
            .wire
            .arrival(self.now, base, direction, true);
        self.schedule(arrive_at, connection, peer, Cargo::Close);
        self.forget_if_closed(connection);
    }

    /// Both ends close now; what is in flight on the connection is lost.
    fn cut_with(&mut self, client: usize, rule: Option<TargetedRule>) {
        let Some(connection) = self.clients[client].current.take() else {
            return;
        };
        let now = self.now;
        let lost: Vec<u64> = self
            .flights
            .iter()
            .filter(|f| f.connection == connection)
            .filter_map(|f| match f.cargo {
                Cargo::Bytes { wire_id, .. } => Some(wire_id),
                Cargo::Close => None,
            })
            .collect();
        self.flights.retain(|f| f.connection != connection);
        for wire_id in lost {
            self.record(SimEventKind::WireLost {
                wire_id,
                cause: FaultCause::ConnectionCut,
            });
        }
        self.record(SimEventKind::LinkClosed {
            client,
            connection,
            by: CloseOrigin::Cut(rule),
            end: Node::Client(client),
        });
        let broker_was_open = self
            .connections
            .remove(&connection)
            .is_some_and(|c| c.broker_open);
        self.clients[client].session.handle_closed(now);
        if broker_was_open {
            self.broker.handle_connection_closed(now, connection);
        }
    }

    fn record(&mut self, kind: SimEventKind) {
        self.log.push(SimEvent { at: self.now, kind });
    }
}

/// Detects a deadline that handling does not move (a session or broker bug):
/// too many steps at the same instant.
#[derive(Default)]
struct StuckGuard {
    at: u64,
    steps: u32,
}

impl StuckGuard {
    fn stuck(&mut self, next: u64) -> bool {
        if next == self.at {
            self.steps += 1;
        } else {
            self.at = next;
            self.steps = 0;
        }
        self.steps > MAX_STEPS_AT_ONE_INSTANT
    }
}
