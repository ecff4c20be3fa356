//! Live mode's diagram: the two live links' updates, written as the merged
//! log the simulation writes, and drawn by the same [`Transcript`].
//!
//! Live mode runs two real sessions against a real broker: the publisher's
//! and the subscriber's. Each sees only its own hop, so a packet its session
//! sent or received becomes a wire entry between its lane and the broker,
//! sent and arrived in the same instant. A packet the link's fault rules lost
//! ([`LinkUpdate::Dropped`]) is a wire entry that was dropped. The broker's
//! side comes from a [`BrokerObserver`] fed with the packets that crossed,
//! which reports the broker's flow changes as the simulated broker does.
//! What only a browser link has (reconnecting, a close code, an unreachable
//! URL) is written on the client's lane.

use crate::mqtt::broker::{BrokerEvent, ConnectionId};
use crate::mqtt::fault::{Direction, FaultCause};
use crate::mqtt::observer::{BrokerObserver, Crossing};
use crate::mqtt::packet::{Packet, PacketType, ProtocolVersion};
use crate::mqtt::session::{Event, EventKind};
use crate::mqtt::sim::{CloseOrigin, Fate, Node, SimEvent, SimEventKind, WireEvent};
use crate::net::ws::{LinkUpdate, TransportEvent};

use super::adapt::ClientRole;
use super::faults::Hop;
use super::model::{DiagramEvent, Lane};
use super::transcript::{DropUsed, Transcript};
use super::words::NoteWords;

pub use super::live_status::{LinkStatus, Trouble};

/// Most events a live diagram keeps; older ones are let go in chunks, so a
/// broker left running all day costs bounded memory.
pub const MAX_EVENTS: usize = 6_000;

/// Accumulates the diagram of a live run.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveTranscript {
    transcript: Transcript,
    /// The broker's flows, as the packets that crossed prove them.
    observer: BrokerObserver,
    /// Ids for the wire entries, in sending order.
    next_wire: u64,
}

impl LiveTranscript {
    /// A transcript of clients speaking `version`.
    pub fn new(version: ProtocolVersion) -> Self {
        LiveTranscript {
            transcript: Transcript::new(vec![Lane::Publisher, Lane::Subscriber], version),
            observer: BrokerObserver::new(),
            next_wire: 0,
        }
    }

    /// Adds `role`'s updates to `events`; returns the one-shot drops that
    /// fired, so the fault panel can disarm them.
    pub fn ingest(
        &mut self,
        events: &mut Vec<DiagramEvent>,
        role: ClientRole,
        updates: &[LinkUpdate],
    ) -> Vec<(PacketType, Hop)> {
        let client = client_index(role);
        let mut log = Vec::new();
        let mut used = Vec::new();
        for (i, update) in updates.iter().enumerate() {
            match update {
                LinkUpdate::Session(event) => {
                    // A packet the link lost right after the session sent it.
                    let lost = match (&event.kind, updates.get(i + 1)) {
                        (
                            EventKind::PacketSent { bytes, .. },
                            Some(LinkUpdate::Dropped {
                                bytes: b, cause, ..
                            }),
                        ) if b == bytes => Some(cause.clone()),
                        _ => None,
                    };
                    self.session(&mut log, role, event, lost);
                }
                LinkUpdate::Dropped {
                    at,
                    direction,
                    packet,
                    bytes,
                    cause,
                } => {
                    let after_sent = i > 0
                        && matches!(
                            &updates[i - 1],
                            LinkUpdate::Session(e) if matches!(
                                &e.kind, EventKind::PacketSent { bytes: b, .. } if b == bytes
                            )
                        );
                    if *direction == Direction::ClientToBroker && after_sent {
                        continue; // drawn with the PacketSent it follows
                    }
                    let wire = self.wire(*at, role, *direction, packet, bytes);
                    log.push(entry(*at, dropped(wire, cause.clone())));
                    if *direction == Direction::BrokerToClient {
                        // The broker did send it: what it says about the broker holds.
                        self.observe(&mut log, *at, role, Crossing::FromBroker, packet);
                    }
                }
                LinkUpdate::Transport { at, event } => {
                    used.extend(self.transport(events, &mut log, client, *at, event));
                }
            }
        }
        used.extend(self.transcript.draw(events, &log));
        bound(events, &mut self.transcript);
        used.into_iter()
            .map(|(packet, _)| (packet, hop_of(role)))
            .collect()
    }

    /// A session event: its packets as wire entries (and what they prove of
    /// the broker), everything else as it is.
    fn session(
        &mut self,
        log: &mut Vec<SimEvent>,
        role: ClientRole,
        event: &Event,
        lost: Option<FaultCause>,
    ) {
        let at = event.at;
        match &event.kind {
            EventKind::PacketSent { packet, bytes } => {
                let wire = self.wire(at, role, Direction::ClientToBroker, packet, bytes);
                match lost {
                    Some(cause) => log.push(entry(at, dropped(wire, cause))),
                    None => {
                        log.push(entry(at, SimEventKind::Wire(wire)));
                        self.observe(log, at, role, Crossing::ToBroker, packet);
                    }
                }
            }
            EventKind::PacketReceived { packet, bytes } => {
                let wire = self.wire(at, role, Direction::BrokerToClient, packet, bytes);
                log.push(entry(at, SimEventKind::Wire(wire)));
                self.observe(log, at, role, Crossing::FromBroker, packet);
            }
            kind => log.push(entry(
                at,
                SimEventKind::Session {
                    client: client_index(role),
                    event: kind.clone(),
                },
            )),
        }
    }

    fn observe(
        &mut self,
        log: &mut Vec<SimEvent>,
        at: u64,
        role: ClientRole,
        crossing: Crossing,
        packet: &Packet,
    ) {
        let mut seen: Vec<BrokerEvent> = Vec::new();
        self.observer
            .observe(at, &client_name(role), crossing, packet, &mut seen);
        log.extend(
            seen.into_iter()
                .map(|e| entry(e.at, SimEventKind::Broker(e.kind))),
        );
    }

    fn wire(
        &mut self,
        at: u64,
        role: ClientRole,
        direction: Direction,
        packet: &Packet,
        bytes: &[u8],
    ) -> WireEvent {
        let client = Node::Client(client_index(role));
        let (from, to) = match direction {
            Direction::ClientToBroker => (client, Node::Broker),
            Direction::BrokerToClient => (Node::Broker, client),
        };
        self.next_wire += 1;
        WireEvent {
            id: self.next_wire,
            sent_at: at,
            arrive_at: at,
            from,
            to,
            connection: ConnectionId(0),
            packet: packet.clone(),
            bytes: bytes.to_vec(),
            fate: Fate::Delivered,
        }
    }

    /// What the client's lane says about its connection: a cut as the
    /// simulation logs it; the browser link's own news as notes, drawn after
    /// what came before them in the batch (whose fired drops it returns).
    fn transport(
        &mut self,
        events: &mut Vec<DiagramEvent>,
        log: &mut Vec<SimEvent>,
        client: usize,
        at: u64,
        event: &TransportEvent,
    ) -> Vec<DropUsed> {
        let said = match event {
            TransportEvent::Cut { .. } => {
                log.push(entry(
                    at,
                    SimEventKind::LinkClosed {
                        client,
                        connection: ConnectionId(0),
                        by: CloseOrigin::Cut(None),
                        end: Node::Client(client),
                    },
                ));
                return Vec::new();
            }
            TransportEvent::Opening { attempt, .. } if *attempt > 0 => NoteWords::Reconnecting,
            TransportEvent::Lost { code, .. } => NoteWords::ConnectionLost { code: *code },
            TransportEvent::Unreachable { url, .. } => NoteWords::Unreachable { url: url.clone() },
            _ => return Vec::new(),
        };
        let earlier = std::mem::take(log);
        let used = self.transcript.draw(events, &earlier);
        self.transcript.note(events, client, at, said);
        used
    }
}

fn entry(at: u64, kind: SimEventKind) -> SimEvent {
    SimEvent { at, kind }
}

fn dropped(mut wire: WireEvent, cause: FaultCause) -> SimEventKind {
    wire.fate = Fate::Dropped { rule: cause };
    SimEventKind::Wire(wire)
}

/// The client index of a role: the publisher is client 0, as in the simulation.
fn client_index(role: ClientRole) -> usize {
    match role {
        ClientRole::Publisher => 0,
        ClientRole::Subscriber => 1,
    }
}

/// The role's name on the broker's flow chips, as the simulation names its clients.
fn client_name(role: ClientRole) -> String {
    role.lane().title().to_lowercase()
}

/// The hop a client's link is.
pub fn hop_of(role: ClientRole) -> Hop {
    match role {
        ClientRole::Publisher => Hop::PublisherBroker,
        ClientRole::Subscriber => Hop::BrokerSubscriber,
    }
}

/// Lets the oldest quarter go once the diagram holds [`MAX_EVENTS`].
fn bound(events: &mut Vec<DiagramEvent>, transcript: &mut Transcript) {
    if events.len() > MAX_EVENTS {
        events.drain(..MAX_EVENTS / 4);
        transcript.forget_positions();
    }
}
