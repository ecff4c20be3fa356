//! The rows the client view lists: delivered messages, packet log lines,
//! subscriptions, and the one-line feedback under a form.

use super::Said;
use crate::app::payload::{render_payload, PayloadView};
use crate::i18n::Locale;
use crate::mqtt::packet::{PacketId, QoS};
use crate::mqtt::session::Message;

/// One received message, ready to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageRow {
    /// Milliseconds (session time) it was delivered.
    pub at: u64,
    /// Topic name.
    pub topic: String,
    /// Delivered (effective) QoS.
    pub qos: QoS,
    /// RETAIN flag.
    pub retain: bool,
    /// DUP flag.
    pub dup: bool,
    /// Packet id (QoS > 0).
    pub packet_id: Option<PacketId>,
    /// Payload size in bytes.
    pub size: usize,
    /// MQTT 5 Subscription Identifiers: which of our subscriptions matched.
    pub subscription_ids: Vec<u32>,
    /// Payload, rendered as text.
    pub payload: PayloadView,
}

impl MessageRow {
    /// A row for a delivered message.
    pub fn from_message(at: u64, message: &Message) -> Self {
        MessageRow {
            at,
            topic: message.topic.clone(),
            qos: message.qos,
            retain: message.retain,
            dup: message.dup,
            packet_id: message.packet_id,
            size: message.payload.len(),
            subscription_ids: message.properties.subscription_identifiers.clone(),
            payload: render_payload(&message.payload),
        }
    }

    /// The payload as the view shows it, notes in `locale`.
    pub fn payload_text_in(&self, locale: Locale) -> String {
        self.payload.text_in(self.size, locale)
    }
}

/// Whether a log line is a packet we sent, one we received, or a note.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogKind {
    /// A packet we sent.
    Sent,
    /// A packet we received.
    Received,
    /// Something that is not a packet (resend, duplicate suppressed, warning).
    Note,
}

/// One packet log line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    /// Milliseconds (session time).
    pub at: u64,
    /// Sent, received or note.
    pub kind: LogKind,
    /// The text (`mosquitto_pub -d` style for packets), in English.
    pub text: String,
    /// What a note says, to say it in the reader's language (None for packets).
    pub said: Option<Said>,
}

impl LogLine {
    /// The text in `locale`: a note in the reader's language, a packet as
    /// `mosquitto_pub -d` prints it.
    pub fn text_in(&self, locale: Locale) -> String {
        match &self.said {
            Some(said) => said.words_in(locale),
            None => self.text.clone(),
        }
    }
}

/// Where a subscription stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubState {
    /// SUBSCRIBE sent, no SUBACK yet.
    Pending,
    /// Granted at this QoS.
    Granted(QoS),
    /// Refused, with the reason (say it with [`Said::words_in`]).
    Failed(Said),
    /// UNSUBSCRIBE sent, no UNSUBACK yet.
    Leaving,
}

/// One row of the subscription table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriptionRow {
    /// Topic filter.
    pub filter: String,
    /// QoS asked for.
    pub requested: QoS,
    /// Packet id of the last SUBSCRIBE / UNSUBSCRIBE for it.
    pub packet_id: PacketId,
    /// Where it stands.
    pub state: SubState,
}

/// A one-line result shown under a form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feedback {
    /// The sentence, in English.
    pub text: String,
    /// False for failures (shown as an error).
    pub ok: bool,
    /// What it says, to say it in the reader's language.
    pub said: Said,
}

impl Feedback {
    pub(super) fn ok(said: Said) -> Self {
        Feedback {
            text: said.words_in(Locale::en),
            ok: true,
            said,
        }
    }
    pub(super) fn error(said: Said) -> Self {
        Feedback {
            text: said.words_in(Locale::en),
            ok: false,
            said,
        }
    }

    /// The sentence in `locale`.
    pub fn text_in(&self, locale: Locale) -> String {
        self.said.words_in(locale)
    }
}
