//! The pieces of the diagram the transcript ([`super::transcript`]) builds
//! from engine output: which lane a client is, flow changes and their lane
//! notes, the notes for deliveries and downgrades.

use crate::mqtt::broker::BrokerEventKind;
use crate::mqtt::packet::{ProtocolVersion, QoS};
use crate::mqtt::session::{Event, EventKind, FlowDirection, FlowState};
use crate::net::ws::LinkUpdate;

use super::live_trace::LiveTranscript;
use super::model::{DiagramEvent, FlowChip, Lane, LaneNote};
use super::words::{self, NoteWords};
use crate::i18n::Locale;

/// Which client a session event came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientRole {
    /// The publishing client: its lane is [`Lane::Publisher`].
    Publisher,
    /// The subscribing client: its lane is [`Lane::Subscriber`].
    Subscriber,
}

impl ClientRole {
    /// The lane this client is drawn on.
    pub fn lane(self) -> Lane {
        match self {
            ClientRole::Publisher => Lane::Publisher,
            ClientRole::Subscriber => Lane::Subscriber,
        }
    }
}

/// The first diagram event one session event of `role`'s session draws, if
/// any: drawn by the one transcript both modes share, as live mode draws it.
pub fn from_session_event(
    role: ClientRole,
    version: ProtocolVersion,
    event: &Event,
) -> Option<DiagramEvent> {
    let mut events = Vec::new();
    let update = LinkUpdate::Session(std::sync::Arc::new(event.clone()));
    LiveTranscript::new(version).ingest(&mut events, role, &[update]);
    events.into_iter().next()
}

/// The lane note for a session event that is neither a packet nor a flow
/// change: what the application was handed, what was suppressed.
pub fn session_note(lane: Lane, at: u64, kind: &EventKind) -> Option<LaneNote> {
    let said = match kind {
        // The payload is on the PUBLISH arrow; the note stays short enough
        // for the lane's margin.
        EventKind::Delivered { message } => NoteWords::Delivered {
            qos: message.qos,
            dup: message.dup,
        },
        EventKind::DuplicateSuppressed { packet_id } => NoteWords::NotDeliveredTwice {
            packet_id: *packet_id,
        },
        _ => return None,
    };
    Some(LaneNote::said(lane, at, said, None))
}

/// One QoS flow's state change, as the session (or the broker) reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlowChange {
    /// Packet id of the flow.
    pub packet_id: u16,
    /// Sender or receiver side.
    pub direction: FlowDirection,
    /// QoS of the flow.
    pub qos: QoS,
    /// State before.
    pub from: FlowState,
    /// State after.
    pub to: FlowState,
}

impl FlowChange {
    /// The flow change a session reports, if `kind` is one.
    pub fn of_session(kind: &EventKind) -> Option<FlowChange> {
        match kind {
            EventKind::Flow {
                packet_id,
                direction,
                qos,
                from,
                to,
            } => Some(FlowChange {
                packet_id: *packet_id,
                direction: *direction,
                qos: *qos,
                from: *from,
                to: *to,
            }),
            _ => None,
        }
    }

    /// The flow change a broker reports (simulated, or observed on the wire),
    /// with the client it concerns, if `kind` is one.
    pub fn of_broker(kind: &BrokerEventKind) -> Option<(&str, FlowChange)> {
        match kind {
            BrokerEventKind::Flow {
                client_id,
                direction,
                packet_id,
                qos,
                from,
                to,
            } => Some((
                client_id,
                FlowChange {
                    packet_id: *packet_id,
                    direction: *direction,
                    qos: *qos,
                    from: *from,
                    to: *to,
                },
            )),
            _ => None,
        }
    }
}

/// The lane note for a flow change: "id 1: awaiting PUBREC → awaiting PUBCOMP".
pub fn flow_note(lane: Lane, at: u64, change: FlowChange) -> LaneNote {
    let id = change.packet_id;
    let said = match change.to {
        FlowState::Done => NoteWords::Finished {
            packet_id: id,
            direction: change.direction,
            qos: change.qos,
        },
        _ => NoteWords::Flow {
            packet_id: id,
            from: change.from,
            to: change.to,
        },
    };
    let open = !matches!(change.to, FlowState::Done | FlowState::Abandoned);
    let chip = FlowChip {
        packet_id: id,
        qos: change.qos,
        direction: change.direction,
        peer: None,
        state: state_words(change.to).to_string(),
        open,
    };
    LaneNote::said(lane, at, said, Some(chip))
}

/// A flow state in the words QoS diagrams use (English).
pub fn state_words(state: FlowState) -> &'static str {
    words::state_in(state, Locale::en)
}

/// The note for a PUBLISH forwarded at a lower QoS than published: delivered
/// QoS = min(published, subscribed) (MQTT-3.8.4-6).
pub fn downgrade_note(at: u64, published: QoS, subscribed: QoS) -> Option<LaneNote> {
    let effective = published.min(subscribed);
    (effective < published).then(|| {
        LaneNote::said(
            Lane::Broker,
            at,
            NoteWords::Downgrade {
                effective,
                published,
                subscribed,
            },
            None,
        )
    })
}
