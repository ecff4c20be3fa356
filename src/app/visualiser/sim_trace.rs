//! Turning the simulation's merged log (`mqtt::sim`) into diagram events.
//!
//! The simulation sees both ends of every hop, so unlike live mode its
//! arrows carry real send and arrival times, and a packet the network lost
//! is drawn as lost (its [`WireEvent`] says so). Lane notes come from the
//! sessions' and the broker's own flow events, never re-derived here.

use std::collections::BTreeMap;

use crate::mqtt::broker::{BrokerEventKind, ResendReason};
use crate::mqtt::fault::{FaultCause, TargetedRule};
use crate::mqtt::packet::{PacketType, ProtocolVersion};
use crate::mqtt::session::EventKind;
use crate::mqtt::sim::{CloseOrigin, Fate, Node, SimEvent, SimEventKind, WireEvent};

use super::adapt::{downgrade_note, flow_note, session_note, FlowChange};
use super::model::{Arrow, DiagramEvent, Lane, LaneNote, PacketSummary};
use super::words::{self, NoteWords};
use crate::i18n::{td_string, Locale};

/// Accumulates the diagram of one simulation run, batch by batch.
#[derive(Debug, Clone, PartialEq)]
pub struct SimTranscript {
    /// Lane of each client index (`Node::Client(i)`).
    lanes: Vec<Lane>,
    /// Protocol version, for the byte inspector.
    version: ProtocolVersion,
    /// Everything so far.
    events: Vec<DiagramEvent>,
    /// Where each wire packet's arrow is in `events`, to mark a later loss.
    arrow_of_wire: BTreeMap<u64, usize>,
}

/// A one-shot drop rule that fired: (packet type, client index).
pub type DropUsed = (PacketType, usize);

impl SimTranscript {
    /// A transcript where client `i` is drawn on `lanes[i]`.
    pub fn new(lanes: Vec<Lane>, version: ProtocolVersion) -> Self {
        SimTranscript {
            lanes,
            version,
            events: Vec::new(),
            arrow_of_wire: BTreeMap::new(),
        }
    }

    /// The diagram so far.
    pub fn events(&self) -> &[DiagramEvent] {
        &self.events
    }

    /// Add a diagram event of our own (a scenario caption).
    pub fn push(&mut self, event: DiagramEvent) {
        self.events.push(event);
    }

    /// Add a batch of the simulation's log; returns the one-shot drop rules
    /// that fired in it, so the fault panel can disarm them.
    pub fn extend(&mut self, log: &[SimEvent]) -> Vec<DropUsed> {
        let mut used = Vec::new();
        for entry in log {
            if let Some(u) = self.add(entry) {
                used.push(u);
            }
        }
        used
    }

    fn lane(&self, node: Node) -> Lane {
        match node {
            Node::Broker => Lane::Broker,
            Node::Client(i) => self.lanes.get(i).copied().unwrap_or(Lane::Subscriber),
        }
    }

    fn client_lane(&self, client: usize) -> Lane {
        self.lane(Node::Client(client))
    }

    fn note(&mut self, lane: Lane, at: u64, words: NoteWords) {
        self.events
            .push(DiagramEvent::Note(LaneNote::said(lane, at, words, None)));
    }

    fn add(&mut self, entry: &SimEvent) -> Option<DropUsed> {
        let at = entry.at;
        match &entry.kind {
            SimEventKind::Wire(wire) => return self.add_wire(wire),
            SimEventKind::WireLost { wire_id, cause } => {
                if let Some(DiagramEvent::Arrow(a)) = self
                    .arrow_of_wire
                    .get(wire_id)
                    .and_then(|&i| self.events.get_mut(i))
                {
                    a.dropped = Some(loss_words(cause));
                }
            }
            SimEventKind::Session { client, event } => self.add_session(*client, at, event),
            SimEventKind::Broker(kind) => self.add_broker(at, kind),
            SimEventKind::LinkClosed {
                client,
                by: CloseOrigin::Cut(_),
                ..
            } => {
                self.note(self.client_lane(*client), at, NoteWords::Cut);
            }
            SimEventKind::LinkOpened { .. } | SimEventKind::LinkClosed { .. } => {}
        }
        None
    }

    fn add_wire(&mut self, wire: &WireEvent) -> Option<DropUsed> {
        let (dropped, used) = match &wire.fate {
            Fate::Delivered => (None, None),
            Fate::Dropped { rule } => {
                let client = match (wire.from, wire.to) {
                    (Node::Client(i), _) | (_, Node::Client(i)) => Some(i),
                    _ => None,
                };
                let one_shot = matches!(rule, FaultCause::Rule(_));
                (
                    Some(loss_words(rule)),
                    client
                        .filter(|_| one_shot)
                        .map(|c| (wire.packet.packet_type(), c)),
                )
            }
        };
        self.arrow_of_wire.insert(wire.id, self.events.len());
        self.events.push(DiagramEvent::Arrow(Arrow {
            from: self.lane(wire.from),
            to: self.lane(wire.to),
            sent_at: wire.sent_at,
            arrive_at: wire.arrive_at,
            packet: PacketSummary::new(&wire.packet, wire.bytes.clone(), self.version),
            dropped,
        }));
        used
    }

    fn add_session(&mut self, client: usize, at: u64, event: &EventKind) {
        let lane = self.client_lane(client);
        match event {
            EventKind::Flow {
                packet_id,
                direction,
                qos,
                from,
                to,
            } => {
                let change = FlowChange {
                    packet_id: *packet_id,
                    direction: *direction,
                    qos: *qos,
                    from: *from,
                    to: *to,
                };
                self.events
                    .push(DiagramEvent::Note(flow_note(lane, at, change)));
            }
            other => {
                if let Some(note) = session_note(lane, at, other) {
                    self.events.push(DiagramEvent::Note(note));
                }
            }
        }
    }

    fn add_broker(&mut self, at: u64, kind: &BrokerEventKind) {
        match kind {
            BrokerEventKind::Flow {
                client_id,
                direction,
                packet_id,
                qos,
                from,
                to,
            } => {
                let change = FlowChange {
                    packet_id: *packet_id,
                    direction: *direction,
                    qos: *qos,
                    from: *from,
                    to: *to,
                };
                let mut note = flow_note(Lane::Broker, at, change);
                if let Some(chip) = note.flow.as_mut() {
                    chip.peer = Some(client_id.clone());
                }
                self.events.push(DiagramEvent::Note(note));
            }
            BrokerEventKind::MessageRouted {
                published_qos,
                granted_qos,
                ..
            } => {
                if let Some(note) = downgrade_note(at, *published_qos, *granted_qos) {
                    self.events.push(DiagramEvent::Note(note));
                }
            }
            BrokerEventKind::Resent {
                packet_id,
                packet,
                reason: ResendReason::DuplicatePublish,
                ..
            } => {
                let said = NoteWords::KnownAgain {
                    packet_id: *packet_id,
                    packet: *packet,
                };
                self.note(Lane::Broker, at, said);
            }
            BrokerEventKind::PubrelForUnknownId { packet_id, .. } => {
                let said = NoteWords::UnknownPubrel {
                    packet_id: *packet_id,
                };
                self.note(Lane::Broker, at, said);
            }
            _ => {}
        }
    }
}

/// Why a packet was lost, in the fault panel's words ("drop next PUBREC"),
/// in English as the diagram keeps it ([`words::loss_in`] words it for the reader).
pub fn loss_words(cause: &FaultCause) -> String {
    match cause {
        FaultCause::Rule(TargetedRule::DropNext { packet, .. }) => words::loss_drop_next(*packet),
        FaultCause::Rule(TargetedRule::CutAtNext { .. } | TargetedRule::CutAfter { .. })
        | FaultCause::ConnectionCut => td_string!(Locale::en, visualiser.loss.cut).into(),
        FaultCause::RandomLoss { probability } => td_string!(
            Locale::en,
            visualiser.loss.random,
            percent = format!("{:.0}", probability * 100.0)
        )
        .to_string(),
    }
}
