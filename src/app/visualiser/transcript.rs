//! One transcript for both modes: the merged log of the MQTT layer
//! ([`SimEvent`]s) turned into diagram events.
//!
//! The simulation writes that log itself. Live mode writes the same log from
//! its two links ([`super::live_trace`]): the sessions' packets become wire
//! entries and the broker's flow changes come from
//! [`crate::mqtt::observer::BrokerObserver`], which the wire feeds as it feeds
//! the simulated broker. So nothing here knows which mode it draws.
//!
//! Lane notes come from the sessions' and the broker's own events, never
//! re-derived here.

use std::collections::BTreeMap;

use crate::i18n::{td_string, Locale};
use crate::mqtt::broker::{BrokerEventKind, ResendReason};
use crate::mqtt::fault::{FaultCause, TargetedRule};
use crate::mqtt::packet::{PacketType, ProtocolVersion};
use crate::mqtt::session::EventKind;
use crate::mqtt::sim::{CloseOrigin, Fate, Node, SimEvent, SimEventKind, WireEvent};

use super::adapt::{downgrade_note, flow_note, session_note, FlowChange};
use super::model::{Arrow, DiagramEvent, Lane, LaneNote, PacketSummary};
use super::words::{self, NoteWords};

/// A one-shot drop rule that fired: (packet type, client index).
pub type DropUsed = (PacketType, usize);

/// Draws a merged log into a list of diagram events, batch by batch.
#[derive(Debug, Clone, PartialEq)]
pub struct Transcript {
    /// Lane of each client index (`Node::Client(i)`).
    lanes: Vec<Lane>,
    /// Protocol version, for the byte inspector.
    version: ProtocolVersion,
    /// Where each wire packet's arrow is in the events, to mark a later loss.
    arrow_of_wire: BTreeMap<u64, usize>,
    /// A client's retry note, written beside its resent packet (the session
    /// reports the retry just before the packet goes).
    retry_note: Option<(usize, DiagramEvent)>,
}

impl Transcript {
    /// A transcript where client `i` is drawn on `lanes[i]`.
    pub fn new(lanes: Vec<Lane>, version: ProtocolVersion) -> Self {
        Transcript {
            lanes,
            version,
            arrow_of_wire: BTreeMap::new(),
            retry_note: None,
        }
    }

    /// Draws `log` into `events`; returns the one-shot drop rules that fired
    /// in it, so the fault panel can disarm them.
    pub fn draw(&mut self, events: &mut Vec<DiagramEvent>, log: &[SimEvent]) -> Vec<DropUsed> {
        log.iter()
            .filter_map(|entry| self.add(events, entry))
            .collect()
    }

    /// A note of the client `client`'s own (what its transport did).
    pub fn note(&self, events: &mut Vec<DiagramEvent>, client: usize, at: u64, said: NoteWords) {
        events.push(note(self.lane(Node::Client(client)), at, said));
    }

    /// Forgets where arrows are: `events` lost its oldest entries.
    pub fn forget_positions(&mut self) {
        self.arrow_of_wire.clear();
    }

    fn lane(&self, node: Node) -> Lane {
        match node {
            Node::Broker => Lane::Broker,
            Node::Client(i) => self.lanes.get(i).copied().unwrap_or(Lane::Subscriber),
        }
    }

    fn add(&mut self, events: &mut Vec<DiagramEvent>, entry: &SimEvent) -> Option<DropUsed> {
        let at = entry.at;
        match &entry.kind {
            SimEventKind::Wire(wire) => return self.add_wire(events, wire),
            SimEventKind::WireLost { wire_id, cause } => {
                if let Some(DiagramEvent::Arrow(a)) = self
                    .arrow_of_wire
                    .get(wire_id)
                    .and_then(|&i| events.get_mut(i))
                {
                    a.dropped = Some(loss_words(cause));
                }
            }
            SimEventKind::Session { client, event } => self.add_session(events, *client, at, event),
            SimEventKind::Broker(kind) => add_broker(events, at, kind),
            SimEventKind::LinkClosed {
                client,
                by: CloseOrigin::Cut(_),
                ..
            } => self.note(events, *client, at, NoteWords::Cut),
            SimEventKind::LinkOpened { .. } | SimEventKind::LinkClosed { .. } => {}
        }
        None
    }

    fn add_wire(&mut self, events: &mut Vec<DiagramEvent>, wire: &WireEvent) -> Option<DropUsed> {
        let client = match (wire.from, wire.to) {
            (Node::Client(i), _) | (_, Node::Client(i)) => Some(i),
            _ => None,
        };
        let (dropped, used) = match &wire.fate {
            Fate::Delivered => (None, None),
            Fate::Dropped { rule } => {
                // A "drop next" rule is spent once it fired: the fault panel disarms it.
                let one_shot = matches!(rule, FaultCause::Rule(TargetedRule::DropNext { .. }));
                (
                    Some(loss_words(rule)),
                    client
                        .filter(|_| one_shot)
                        .map(|c| (wire.packet.packet_type(), c)),
                )
            }
        };
        self.arrow_of_wire.insert(wire.id, events.len());
        events.push(DiagramEvent::Arrow(Arrow {
            from: self.lane(wire.from),
            to: self.lane(wire.to),
            sent_at: wire.sent_at,
            arrive_at: wire.arrive_at,
            packet: PacketSummary::new(&wire.packet, wire.bytes.clone(), self.version),
            dropped,
        }));
        if matches!(wire.from, Node::Client(_)) && self.retry_note.as_ref().map(|r| r.0) == client {
            events.extend(self.retry_note.take().map(|(_, n)| n));
        }
        used
    }

    fn add_session(
        &mut self,
        events: &mut Vec<DiagramEvent>,
        client: usize,
        at: u64,
        event: &EventKind,
    ) {
        let lane = self.lane(Node::Client(client));
        if let Some(change) = FlowChange::of_session(event) {
            return events.push(DiagramEvent::Note(flow_note(lane, at, change)));
        }
        let said = match event {
            EventKind::Retry {
                packet_id,
                packet_type,
                attempt,
            } => {
                let said = NoteWords::Retry {
                    packet_id: *packet_id,
                    packet: *packet_type,
                    attempt: *attempt,
                };
                self.retry_note = Some((client, note(lane, at, said)));
                return;
            }
            EventKind::Connected {
                session_present, ..
            } => NoteWords::Connected {
                session_present: *session_present,
            },
            EventKind::ConnectionRefused { reason, .. } => NoteWords::Refused {
                reason: reason.clone(),
            },
            other => {
                return events.extend(session_note(lane, at, other).map(DiagramEvent::Note));
            }
        };
        events.push(note(lane, at, said));
    }
}

/// The broker lane's notes: its flow changes, downgrades and what it knew again.
fn add_broker(events: &mut Vec<DiagramEvent>, at: u64, kind: &BrokerEventKind) {
    if let Some((client_id, change)) = FlowChange::of_broker(kind) {
        let mut note = flow_note(Lane::Broker, at, change);
        if let Some(chip) = note.flow.as_mut() {
            chip.peer = Some(client_id.to_string());
        }
        return events.push(DiagramEvent::Note(note));
    }
    let said = match kind {
        BrokerEventKind::MessageRouted {
            published_qos,
            granted_qos,
            ..
        } => {
            let downgrade = downgrade_note(at, *published_qos, *granted_qos);
            return events.extend(downgrade.map(DiagramEvent::Note));
        }
        BrokerEventKind::Resent {
            packet_id,
            packet,
            reason: ResendReason::DuplicatePublish,
            ..
        } => NoteWords::KnownAgain {
            packet_id: *packet_id,
            packet: *packet,
        },
        BrokerEventKind::PubrelForUnknownId { packet_id, .. } => NoteWords::UnknownPubrel {
            packet_id: *packet_id,
        },
        _ => return,
    };
    events.push(note(Lane::Broker, at, said));
}

fn note(lane: Lane, at: u64, said: NoteWords) -> DiagramEvent {
    DiagramEvent::Note(LaneNote::said(lane, at, said, None))
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
