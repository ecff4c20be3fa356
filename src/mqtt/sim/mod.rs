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

//!
//! Modules: `link` (the ends of a link and its delays), `events` (the merged
//! log), `arrivals` (packets and closes reaching an end, timers firing),
//! `outputs` (what sessions and broker emit, put on links, and cuts).

mod arrivals;
mod events;
mod link;
mod outputs;

use std::cmp::Ordering;
use std::collections::{BTreeMap, BinaryHeap};

use super::broker::{Broker, BrokerConfig, ConnectionId};
use super::fault::{FaultRules, FaultyWire};
use super::packet::{PacketId, SubscribeFilter};
use super::session::{CommandError, EventKind, Message, PublishRequest, Session, SessionConfig};

pub use events::{CloseOrigin, Fate, SimEvent, SimEventKind, WireEvent};
pub use link::{LinkConfig, Node};

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

/// Both ends of one transport connection: which client it serves and
/// which ends are still open.
#[derive(Debug)]
struct Pipe {
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
    pipes: BTreeMap<ConnectionId, Pipe>,
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
            pipes: BTreeMap::new(),
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
        self.pipes.insert(
            connection,
            Pipe {
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
