//! The visualiser's words in the reader's language.
//!
//! The diagram's data ([`super::model`]) keeps what happened: a note keeps a
//! [`NoteWords`] beside its English text, a loss its English reason, a
//! caption its marker. The words for the language the reader chose are made
//! here, when the view draws them, so switching the language redraws the
//! diagram in place. English is made from the same locale files, so the
//! stored English and the English on screen are one text.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::i18n::{td_string, Locale};
use crate::mqtt::packet::{PacketId, PacketType, QoS};
use crate::mqtt::session::{FlowDirection, FlowState};

use super::model::Lane;

/// The interface language as a signal: the reader's choice, or English where
/// no language context exists (a component mounted on its own).
pub fn locale() -> Signal<Locale> {
    crate::app::locale::reader()
}

/// What a lane note says, as the numbers and names it is made of.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum NoteWords {
    /// A message handed to the application.
    Delivered {
        /// Its QoS.
        qos: QoS,
        /// Its DUP flag.
        dup: bool,
    },
    /// A QoS 2 resend the receiver did not deliver again.
    NotDeliveredTwice {
        /// Packet id.
        packet_id: PacketId,
    },
    /// A flow moved from one state to another.
    Flow {
        /// Packet id.
        packet_id: PacketId,
        /// State before.
        from: FlowState,
        /// State after.
        to: FlowState,
    },
    /// A flow finished.
    Finished {
        /// Packet id.
        packet_id: PacketId,
        /// Sender or receiver side.
        direction: FlowDirection,
        /// QoS of the flow.
        qos: QoS,
    },
    /// Forwarded at a lower QoS than published.
    Downgrade {
        /// min(published, subscribed).
        effective: QoS,
        /// As published.
        published: QoS,
        /// As subscribed.
        subscribed: QoS,
    },
    /// No answer: the packet goes again.
    Retry {
        /// Packet id.
        packet_id: PacketId,
        /// PUBLISH or PUBREL.
        packet: PacketType,
        /// 2 for the first resend.
        attempt: u32,
    },
    /// CONNACK accepted.
    Connected {
        /// The broker kept the session.
        session_present: bool,
    },
    /// CONNACK refused.
    Refused {
        /// The broker's reason, as the protocol words it.
        reason: String,
    },
    /// The connection was cut.
    Cut,
    /// Reconnecting now.
    Reconnecting,
    /// The WebSocket closed.
    ConnectionLost {
        /// Close code.
        code: u16,
    },
    /// The broker could not be reached.
    Unreachable {
        /// Broker URL.
        url: String,
    },
    /// The broker answered a PUBLISH resend for an id it holds.
    KnownAgain {
        /// Packet id.
        packet_id: PacketId,
        /// What it sent again.
        packet: PacketType,
    },
    /// A PUBREL for an id the broker does not hold.
    UnknownPubrel {
        /// Packet id.
        packet_id: PacketId,
    },
}

impl NoteWords {
    /// The note in `locale`.
    // A flat table: one arm per note, each its translated sentence.
    pub fn words_in(&self, locale: Locale) -> String {
        match self {
            NoteWords::Delivered { qos, dup: false } => {
                td_string!(locale, visualiser.note.delivered, qos = qos.as_u8()).to_string()
            }
            NoteWords::Delivered { qos, dup: true } => {
                td_string!(locale, visualiser.note.delivered_dup, qos = qos.as_u8()).to_string()
            }
            NoteWords::NotDeliveredTwice { packet_id } => {
                td_string!(locale, visualiser.note.not_twice, id = packet_id).to_string()
            }
            NoteWords::Flow {
                packet_id,
                from,
                to,
            } => td_string!(
                locale,
                visualiser.note.flow,
                id = packet_id,
                from = state_in(*from, locale),
                to = state_in(*to, locale)
            )
            .to_string(),
            NoteWords::Finished {
                packet_id,
                direction,
                qos,
            } => td_string!(
                locale,
                visualiser.note.finished,
                id = packet_id,
                how = finished_in(*direction, *qos, locale)
            )
            .to_string(),
            NoteWords::Downgrade {
                effective,
                published,
                subscribed,
            } => td_string!(
                locale,
                visualiser.note.downgrade,
                effective = effective.as_u8(),
                published = published.as_u8(),
                subscribed = subscribed.as_u8()
            )
            .to_string(),
            NoteWords::Retry {
                packet_id,
                packet,
                attempt,
            } => td_string!(
                locale,
                visualiser.note.retry,
                id = packet_id,
                packet = packet.name(),
                attempt = attempt
            )
            .to_string(),
            NoteWords::Connected {
                session_present: true,
            } => td_string!(locale, visualiser.note.session_kept).to_string(),
            NoteWords::Connected {
                session_present: false,
            } => td_string!(locale, visualiser.note.session_new).to_string(),
            NoteWords::Refused { reason } => {
                td_string!(locale, visualiser.note.refused, reason = reason).to_string()
            }
            NoteWords::Cut => td_string!(locale, visualiser.note.cut).to_string(),
            NoteWords::Reconnecting => td_string!(locale, visualiser.note.reconnecting).to_string(),
            NoteWords::ConnectionLost { code } => {
                td_string!(locale, visualiser.note.lost, code = code).to_string()
            }
            NoteWords::Unreachable { url } => {
                td_string!(locale, visualiser.note.unreachable, url = url).to_string()
            }
            NoteWords::KnownAgain { packet_id, packet } => td_string!(
                locale,
                visualiser.note.known_again,
                id = packet_id,
                packet = packet.name()
            )
            .to_string(),
            NoteWords::UnknownPubrel { packet_id } => {
                td_string!(locale, visualiser.note.unknown_pubrel, id = packet_id).to_string()
            }
        }
    }
}

/// Every flow state, for reading a stored English state back.
const STATES: [FlowState; 8] = [
    FlowState::AwaitingPuback,
    FlowState::AwaitingPubrec,
    FlowState::AwaitingPubcomp,
    FlowState::IdStored,
    FlowState::New,
    FlowState::Done,
    FlowState::Queued,
    FlowState::Abandoned,
];

/// A flow state in the words QoS diagrams use, in `locale`.
pub fn state_in(state: FlowState, locale: Locale) -> &'static str {
    match state {
        FlowState::AwaitingPuback => td_string!(locale, visualiser.state.awaiting_puback),
        FlowState::AwaitingPubrec => td_string!(locale, visualiser.state.awaiting_pubrec),
        FlowState::AwaitingPubcomp => td_string!(locale, visualiser.state.awaiting_pubcomp),
        FlowState::IdStored => td_string!(locale, visualiser.state.id_stored),
        FlowState::New => td_string!(locale, visualiser.state.new_flow),
        FlowState::Done => td_string!(locale, visualiser.state.done),
        FlowState::Queued => td_string!(locale, visualiser.state.queued),
        FlowState::Abandoned => td_string!(locale, visualiser.state.abandoned),
    }
}

/// A chip's stored (English) state in `locale`; a text this version did not
/// write is shown as it is.
pub fn stored_state_in(state: &str, locale: Locale) -> String {
    STATES
        .iter()
        .find(|s| state_in(**s, Locale::en) == state)
        .map_or_else(|| state.to_string(), |s| state_in(*s, locale).to_string())
}

/// How a finished flow ended, from the side that finished it.
pub fn finished_in(direction: FlowDirection, qos: QoS, locale: Locale) -> &'static str {
    match (direction, qos) {
        // MQTT-4.3.3: the receiver discards the stored id on PUBREL.
        (FlowDirection::Incoming, QoS::ExactlyOnce) => {
            td_string!(locale, visualiser.state.released)
        }
        (FlowDirection::Outgoing, QoS::ExactlyOnce) => {
            td_string!(locale, visualiser.state.complete)
        }
        (FlowDirection::Outgoing, _) => td_string!(locale, visualiser.state.acknowledged_free),
        (FlowDirection::Incoming, _) => td_string!(locale, visualiser.state.acknowledged),
    }
}

/// A lane's title in `locale`.
pub fn lane_in(lane: Lane, locale: Locale) -> &'static str {
    match lane {
        Lane::Publisher => td_string!(locale, visualiser.diagram.publisher),
        Lane::Broker => td_string!(locale, visualiser.diagram.broker),
        Lane::Subscriber => td_string!(locale, visualiser.diagram.subscriber),
    }
}

/// The broker's peer on a flow chip in `locale`: the visualiser's own two
/// clients by their role, any other client by its id.
pub fn peer_in(peer: &str, locale: Locale) -> String {
    match peer {
        "publisher" => td_string!(locale, visualiser.peer.publisher).into(),
        "subscriber" => td_string!(locale, visualiser.peer.subscriber).into(),
        other => other.to_string(),
    }
}

/// Why a packet was lost ("drop next PUBREC"), in English as the diagram
/// keeps it.
pub fn loss_drop_next(packet: PacketType) -> String {
    td_string!(
        Locale::en,
        visualiser.loss.drop_next,
        packet = packet.name()
    )
    .to_string()
}

/// A stored loss reason in `locale`: the reasons this version writes are
/// "drop next PUBREC", "connection cut" and "random loss (30%)"; any other
/// text is shown as it is.
pub fn loss_in(why: &str, locale: Locale) -> String {
    if locale == Locale::en {
        return why.to_string();
    }
    if let Some(name) = why.strip_prefix("drop next ") {
        return td_string!(locale, visualiser.loss.drop_next, packet = name).to_string();
    }
    if why == td_string!(Locale::en, visualiser.loss.cut) {
        return td_string!(locale, visualiser.loss.cut).to_string();
    }
    if let Some(percent) = why
        .strip_prefix("random loss (")
        .and_then(|rest| rest.strip_suffix("%)"))
    {
        return td_string!(locale, visualiser.loss.random, percent = percent).to_string();
    }
    why.to_string()
}

/// A caption's marker in `locale`: "Setup", "Free play", "Step 2"; a
/// recording's own label is shown as it is.
pub fn marker_in(label: Option<&str>, index: usize, locale: Locale) -> String {
    match label {
        None => step_in(index + 1, locale),
        Some(l) if l == td_string!(Locale::en, visualiser.marker.setup) => {
            td_string!(locale, visualiser.marker.setup).into()
        }
        Some(l) if l == td_string!(Locale::en, visualiser.marker.free_play) => {
            td_string!(locale, visualiser.marker.free_play).into()
        }
        Some(l) => match l
            .strip_prefix("Step ")
            .and_then(|n| n.parse::<usize>().ok())
        {
            Some(n) => step_in(n, locale),
            None => l.to_string(),
        },
    }
}

/// "Step 2" in `locale`.
pub fn step_in(n: usize, locale: Locale) -> String {
    td_string!(locale, visualiser.marker.step, n = n).to_string()
}

/// "Steps 1–2" in `locale`.
pub fn steps_in(first: usize, last: usize, locale: Locale) -> String {
    td_string!(locale, visualiser.marker.steps, first = first, last = last).to_string()
}
