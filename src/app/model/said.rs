//! What the client model tells the user, kept as what happened so that it
//! can be said in any language: the view turns a [`Said`] into words with
//! [`Said::words_in`] when it renders, so a language switch takes effect at
//! once. [`Said`]'s `Display` is the English, which the tests read.
//!
//! Words the engine hands over only as English text (a broker's DISCONNECT
//! reason string, a codec message) stay as given, inside translated frames.

use std::fmt;

mod words;

pub use words::{command_words, sentence_in, topic_error_sentence, topic_error_words};

use super::reasons::{connack_version, reason_words};
use crate::app::failure;
use crate::i18n::{td_string, Locale};
use crate::mqtt::fault::{Direction, FaultCause};
use crate::mqtt::packet::{PacketId, PacketType, ProtocolVersion};
use crate::mqtt::session::CommandError;
use words::{
    direction_words, dropped_words, fault_cause_words, protocol_error_words, publish_failure_words,
};

/// One sentence (or phrase) the client view shows.
#[derive(Debug, Clone)]
pub enum Said {
    /// Text from elsewhere, shown as given (the form's own messages).
    Verbatim(String),
    /// A reason / return code of `packet`; `words` is the engine's English.
    Code {
        /// The packet that carried it.
        packet: PacketType,
        /// The protocol version of the connection.
        version: ProtocolVersion,
        /// The code.
        code: u8,
        /// The engine's words for it (English).
        words: String,
    },
    /// The socket never opened.
    Unreachable {
        /// Broker URL.
        url: String,
        /// The browser's own explanation.
        detail: Option<String>,
        /// The page was loaded over https://.
        page_secure: bool,
    },
    /// Packet log: the socket never opened.
    CouldNotReach {
        /// Broker URL.
        url: String,
    },
    /// An open connection dropped.
    Lost {
        /// Broker URL.
        url: String,
        /// WebSocket close code.
        code: u16,
        /// Close reason sent by the peer (may be empty).
        reason: String,
    },
    /// The WebSocket opened, then closed before CONNACK.
    ClosedBeforeConnack {
        /// Broker URL.
        url: String,
        /// WebSocket close code.
        code: u16,
        /// Close reason sent by the peer (may be empty).
        reason: String,
    },
    /// CONNACK refused the connection (the error line, with a hint).
    Refused {
        /// CONNACK return / reason code.
        code: u8,
        /// The engine's words for it (English).
        words: String,
    },
    /// No PINGRESP in time.
    KeepAliveTimeout,
    /// The broker sent DISCONNECT.
    ServerDisconnect {
        /// Reason code.
        code: u8,
        /// The engine's words: the code's words, then the broker's reason string.
        words: String,
    },
    /// The WebSocket opened but no CONNACK came in time.
    ConnackTimeout {
        /// Broker URL.
        url: String,
    },
    /// The broker broke the protocol; `message` is the engine's.
    ProtocolError {
        /// What was wrong (English).
        message: String,
    },
    /// A QoS 0 PUBLISH went out.
    Qos0Sent,
    /// A QoS 1/2 PUBLISH went out; `waiting` is PUBACK or PUBREC.
    Sent {
        /// Packet id.
        id: PacketId,
        /// The acknowledgement awaited.
        waiting: PacketType,
    },
    /// Queued while a reconnect counts down.
    QueuedForAttempt {
        /// Packet id.
        id: PacketId,
        /// The attempt that will send it.
        attempt: u32,
        /// Seconds until it starts.
        secs: u32,
    },
    /// Queued until the broker accepts the connection.
    Queued {
        /// Packet id.
        id: PacketId,
    },
    /// Not sent: there is no connection (and why, if known).
    NotConnected {
        /// The error line at the time.
        why: Option<Box<Said>>,
    },
    /// The session refused a command.
    Command(CommandError),
    /// PUBACK / PUBCOMP arrived.
    Completed {
        /// Packet id.
        id: PacketId,
        /// PUBACK or PUBCOMP.
        ack: PacketType,
        /// From the first PUBLISH to the acknowledgement.
        latency_ms: u64,
    },
    /// An outgoing publish failed; `reason` is the engine's.
    PublishFailed {
        /// Packet id (None for QoS 0).
        id: Option<PacketId>,
        /// Why (English).
        reason: String,
        /// The protocol version of the connection.
        version: ProtocolVersion,
    },
    /// An unacknowledged message was dropped; `why` is the engine's.
    MessageDropped {
        /// Packet id.
        id: PacketId,
        /// Why (English).
        why: String,
    },
    /// A SUBSCRIBE / UNSUBSCRIBE got no answer before the connection closed.
    NoAnswer {
        /// Packet id.
        id: PacketId,
        /// SUBSCRIBE or UNSUBSCRIBE.
        packet: PacketType,
    },
    /// The subscription table's short form of [`Said::NoAnswer`].
    NoAnswerShort,
    /// Packet log: a reconnect attempt starts.
    Reconnecting {
        /// Broker URL.
        url: String,
        /// Attempt number.
        attempt: u32,
    },
    /// Packet log: the connection was cut on purpose.
    Cut {
        /// Broker URL.
        url: String,
    },
    /// Packet log: the broker kept no session, subscribing again.
    Resubscribing {
        /// The filters.
        filters: Vec<String>,
    },
    /// Packet log: fault injection lost a packet.
    FaultDrop {
        /// The packet's type.
        packet: PacketType,
        /// Which way it was going.
        direction: Direction,
        /// The rule or draw that lost it.
        cause: FaultCause,
    },
    /// Packet log: a duplicate QoS 2 PUBLISH was suppressed.
    DuplicateSuppressed {
        /// Packet id.
        id: PacketId,
    },
    /// Packet log: a PUBLISH or PUBREL was sent again.
    Retry {
        /// Packet id.
        id: PacketId,
        /// PUBLISH or PUBREL.
        packet: PacketType,
        /// 2 for the first resend, ...
        attempt: u32,
    },
    /// Packet log: the engine's warning (English).
    Warning {
        /// What.
        message: String,
    },
}

impl From<String> for Said {
    fn from(text: String) -> Self {
        Said::Verbatim(text)
    }
}

impl From<&str> for Said {
    fn from(text: &str) -> Self {
        Said::Verbatim(text.to_string())
    }
}

/// Two texts are the same when they say the same in English.
impl PartialEq for Said {
    fn eq(&self, other: &Said) -> bool {
        self.words_in(Locale::en) == other.words_in(Locale::en)
    }
}

impl Eq for Said {}

impl PartialEq<&str> for Said {
    fn eq(&self, other: &&str) -> bool {
        self.words_in(Locale::en) == *other
    }
}

impl fmt::Display for Said {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.words_in(Locale::en))
    }
}

/// "0x87".
fn hex(code: u8) -> String {
    format!("0x{code:02X}")
}

impl Said {
    /// The text in `locale`.
    // A flat table: one arm per kind of sentence, each a translated text.
    pub fn words_in(&self, locale: Locale) -> String {
        match self {
            Said::Verbatim(text) => text.clone(),
            Said::Code {
                packet,
                version,
                code,
                words,
            } => code_words(*packet, *version, *code, words, locale),
            Said::Unreachable {
                url,
                detail,
                page_secure,
            } => failure::unreachable_in(url, detail.as_deref(), *page_secure, locale),
            Said::CouldNotReach { url } => {
                td_string!(locale, protocol.log.could_not_reach, url = url).to_string()
            }
            Said::Lost { url, code, reason } => lost_words(url, *code, reason, locale),
            Said::ClosedBeforeConnack { url, code, reason } => failure::closed_before_connack_in(
                url,
                &lost_words(url, *code, reason, locale),
                locale,
            ),
            Said::Refused { code, words } => td_string!(
                locale,
                protocol.connection.refused,
                reason = refusal_words(*code, words, locale),
                code = hex(*code),
                hint = failure::refusal_hint_in(*code, locale)
            )
            .to_string(),
            Said::KeepAliveTimeout => {
                td_string!(locale, protocol.connection.keep_alive_timeout).into()
            }
            Said::ServerDisconnect { code, words } => td_string!(
                locale,
                protocol.connection.server_disconnect,
                reason = disconnect_words(*code, words, locale),
                code = hex(*code)
            )
            .to_string(),
            Said::ConnackTimeout { url } => {
                td_string!(locale, protocol.connection.connack_timeout, url = url).to_string()
            }
            Said::ProtocolError { message } => td_string!(
                locale,
                protocol.connection.protocol_error,
                message = protocol_error_words(message, locale)
            )
            .to_string(),
            Said::Qos0Sent => td_string!(locale, protocol.feedback.qos0_sent).into(),
            Said::Sent { id, waiting } => td_string!(
                locale,
                protocol.feedback.sent,
                id = id,
                waiting = waiting.name()
            )
            .to_string(),
            Said::QueuedForAttempt { id, attempt, secs } => td_string!(
                locale,
                protocol.feedback.queued_for_attempt,
                id = id,
                attempt = attempt,
                secs = secs
            )
            .to_string(),
            Said::Queued { id } => {
                td_string!(locale, protocol.feedback.queued, id = id).to_string()
            }
            Said::NotConnected { why: Some(why) } => td_string!(
                locale,
                protocol.feedback.not_connected_because,
                why = sentence_in(&why.words_in(locale), locale)
            )
            .to_string(),
            Said::NotConnected { why: None } => {
                td_string!(locale, protocol.feedback.not_connected).into()
            }
            Said::Command(error) => sentence_in(&command_words(error, locale), locale),
            Said::Completed {
                id,
                ack,
                latency_ms,
            } => td_string!(
                locale,
                protocol.feedback.completed,
                id = id,
                ack = ack.name(),
                ms = latency_ms
            )
            .to_string(),
            Said::PublishFailed {
                id,
                reason,
                version,
            } => publish_failed_words(*id, reason, *version, locale),
            Said::MessageDropped { id, why } => td_string!(
                locale,
                protocol.feedback.message_dropped,
                id = id,
                why = dropped_words(why, locale)
            )
            .to_string(),
            Said::NoAnswer { id, packet } => td_string!(
                locale,
                protocol.feedback.no_answer,
                id = id,
                packet = packet.name()
            )
            .to_string(),
            Said::NoAnswerShort => td_string!(locale, protocol.feedback.no_answer_short).into(),
            Said::Reconnecting { url, attempt } => td_string!(
                locale,
                protocol.log.reconnecting,
                url = url,
                attempt = attempt
            )
            .to_string(),
            Said::Cut { url } => td_string!(locale, protocol.log.cut, url = url).to_string(),
            Said::Resubscribing { filters } => td_string!(
                locale,
                protocol.log.resubscribing,
                filters = filters.join(", ")
            )
            .to_string(),
            Said::FaultDrop {
                packet,
                direction,
                cause,
            } => td_string!(
                locale,
                protocol.log.fault_drop,
                packet = packet.name(),
                direction = direction_words(*direction, locale),
                cause = fault_cause_words(cause, locale)
            )
            .to_string(),
            Said::DuplicateSuppressed { id } => {
                td_string!(locale, protocol.log.duplicate_suppressed, id = id).to_string()
            }
            Said::Retry {
                id,
                packet,
                attempt,
            } => td_string!(
                locale,
                protocol.log.retry,
                id = id,
                packet = packet.name(),
                attempt = attempt
            )
            .to_string(),
            Said::Warning { message } => {
                td_string!(locale, protocol.log.warning, message = message).to_string()
            }
        }
    }
}

/// A code in words: the engine's own in English, the table's otherwise
/// (or the engine's, for a code the table does not know).
fn code_words(
    packet: PacketType,
    version: ProtocolVersion,
    code: u8,
    words: &str,
    locale: Locale,
) -> String {
    if locale == Locale::en {
        words.to_string()
    } else {
        reason_words(packet, version, code, locale)
    }
}

/// A CONNACK refusal in words.
pub(crate) fn refusal_words(code: u8, words: &str, locale: Locale) -> String {
    code_words(
        PacketType::Connack,
        connack_version(code),
        code,
        words,
        locale,
    )
}

/// A broker's DISCONNECT in words: the code's, then the broker's own reason string.
fn disconnect_words(code: u8, words: &str, locale: Locale) -> String {
    if locale == Locale::en {
        return words.to_string();
    }
    let english = reason_words(
        PacketType::Disconnect,
        ProtocolVersion::V5,
        code,
        Locale::en,
    );
    let said = reason_words(PacketType::Disconnect, ProtocolVersion::V5, code, locale);
    match words.strip_prefix(&english) {
        Some("") => said,
        Some(rest) => match rest.strip_prefix(": ") {
            Some(theirs) => td_string!(
                locale,
                protocol.connection.disconnect_reason_string,
                reason = said,
                theirs = theirs
            )
            .to_string(),
            None => words.to_string(),
        },
        None => words.to_string(),
    }
}

/// An outgoing publish failed, with its packet id when it had one.
fn publish_failed_words(
    id: Option<PacketId>,
    reason: &str,
    version: ProtocolVersion,
    locale: Locale,
) -> String {
    let reason = publish_failure_words(reason, version, locale);
    match id {
        Some(id) => td_string!(
            locale,
            protocol.feedback.publish_failed_id,
            id = id,
            reason = reason
        )
        .to_string(),
        None => td_string!(locale, protocol.feedback.publish_failed, reason = reason).to_string(),
    }
}

/// An open connection dropped: the URL, the close code and the reason, if any.
fn lost_words(url: &str, code: u16, reason: &str, locale: Locale) -> String {
    // The link's own close reason (MQTT-6.0.0-1); a peer's is shown as sent.
    let reason = match reason {
        "text frame received" => td_string!(locale, protocol.connection.text_frame_received),
        other => other,
    };
    if reason.is_empty() {
        td_string!(locale, protocol.connection.lost, url = url, code = code).to_string()
    } else {
        td_string!(
            locale,
            protocol.connection.lost_reason,
            url = url,
            code = code,
            reason = reason
        )
        .to_string()
    }
}

#[cfg(test)]
mod tests;
