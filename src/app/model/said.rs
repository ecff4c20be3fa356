//! What the client model tells the user, kept as what happened so that it
//! can be said in any language: the view turns a [`Said`] into words with
//! [`Said::words_in`] when it renders, so a language switch takes effect at
//! once. [`Said`]'s `Display` is the English, which the tests read.
//!
//! Words the engine hands over only as English text (a broker's DISCONNECT
//! reason string, a codec message) stay as given, inside translated frames.

use std::fmt;

use super::reasons::{connack_version, reason_words};
use crate::app::failure;
use crate::i18n::{td_string, Locale};
use crate::mqtt::fault::{Direction, FaultCause, TargetedRule};
use crate::mqtt::packet::{PacketId, PacketType, ProtocolVersion, QoS};
use crate::mqtt::session::CommandError;
use crate::mqtt::topic::{TopicError, MAX_TOPIC_BYTES};

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
            } => {
                let reason = publish_failure_words(reason, *version, locale);
                match id {
                    Some(id) => td_string!(
                        locale,
                        protocol.feedback.publish_failed_id,
                        id = id,
                        reason = reason
                    )
                    .to_string(),
                    None => td_string!(locale, protocol.feedback.publish_failed, reason = reason)
                        .to_string(),
                }
            }
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

/// Sentence-cases `text` for `locale`: in English a capital first letter and
/// a final full stop, in Chinese a final 。.
pub fn sentence_in(text: &str, locale: Locale) -> String {
    if locale == Locale::en {
        return super::sentence(text);
    }
    let mut out = text.to_string();
    if !out.is_empty() && !out.ends_with(['。', '.', '！', '？']) {
        out.push('。');
    }
    out
}

/// Why the session refused a command, in `locale` (the English is the
/// engine's `Display`).
pub fn command_words(error: &CommandError, locale: Locale) -> String {
    match error {
        CommandError::NotConnected => td_string!(locale, protocol.command.not_connected).into(),
        CommandError::InvalidTopic { topic, error } => td_string!(
            locale,
            protocol.command.invalid_topic,
            topic = topic,
            error = topic_error_words(error, locale)
        )
        .to_string(),
        CommandError::InvalidFilter { filter, error } => td_string!(
            locale,
            protocol.command.invalid_filter,
            filter = filter,
            error = topic_error_words(error, locale)
        )
        .to_string(),
        CommandError::NoFilters => td_string!(locale, protocol.command.no_filters).into(),
        CommandError::PacketTooLarge { size, max } => td_string!(
            locale,
            protocol.command.packet_too_large,
            size = size,
            max = max
        )
        .to_string(),
        CommandError::QosNotSupported { requested, maximum } => td_string!(
            locale,
            protocol.command.qos_not_supported,
            maximum = maximum.as_u8(),
            requested = requested.as_u8()
        )
        .to_string(),
        CommandError::RetainNotSupported => {
            td_string!(locale, protocol.command.retain_not_supported).into()
        }
        CommandError::NoPacketIdAvailable => {
            td_string!(locale, protocol.command.no_packet_id).into()
        }
        CommandError::InvalidPacket { reason } => {
            td_string!(locale, protocol.command.invalid_packet, reason = reason).to_string()
        }
        CommandError::NotAllowed(reason) => not_allowed_words(reason, locale),
        CommandError::QueueFull { messages, bytes } => td_string!(
            locale,
            protocol.command.queue_full,
            messages = messages,
            kb = bytes.div_ceil(1024)
        )
        .to_string(),
    }
}

/// The session's fixed "not allowed" sentences, by their English.
fn not_allowed_words(reason: &str, locale: Locale) -> String {
    let known: [(&str, &str); 6] = [
        (
            "a DISCONNECT reason or session expiry needs MQTT 5",
            td_string!(locale, protocol.not_allowed.disconnect_needs_v5),
        ),
        (
            "the session was opened with a Session Expiry of 0: a DISCONNECT may not extend it \
             (MQTT-3.14.2-2); connect with a session expiry first",
            td_string!(locale, protocol.not_allowed.expiry_not_extendable),
        ),
        (
            "SUBSCRIBE properties (subscription identifier, user properties) need MQTT 5",
            td_string!(locale, protocol.not_allowed.subscribe_properties_need_v5),
        ),
        (
            "a SUBSCRIBE carries one subscription identifier, from 1 to 268,435,455",
            td_string!(locale, protocol.not_allowed.one_subscription_identifier),
        ),
        (
            "the broker does not support subscription identifiers (CONNACK)",
            td_string!(locale, protocol.not_allowed.no_subscription_identifiers),
        ),
        (
            "UNSUBSCRIBE carries user properties only, and only in MQTT 5",
            td_string!(locale, protocol.not_allowed.unsubscribe_properties),
        ),
    ];
    known
        .iter()
        .find(|(english, _)| *english == reason)
        .map_or_else(|| reason.to_string(), |(_, said)| (*said).to_string())
}

/// [`topic_error_words`] as a sentence, for a form's error line.
pub fn topic_error_sentence(error: &TopicError, locale: Locale) -> String {
    sentence_in(&topic_error_words(error, locale), locale)
}

/// What is wrong with a topic name or filter, in `locale`.
pub fn topic_error_words(error: &TopicError, locale: Locale) -> String {
    match error {
        TopicError::Empty => td_string!(locale, protocol.topic.empty).into(),
        TopicError::TooLong { len } => td_string!(
            locale,
            protocol.topic.too_long,
            len = len,
            max = MAX_TOPIC_BYTES
        )
        .to_string(),
        TopicError::NullCharacter => td_string!(locale, protocol.topic.null_character).into(),
        TopicError::WildcardInName { wildcard } => {
            td_string!(locale, protocol.topic.wildcard_in_name, wildcard = wildcard).to_string()
        }
        TopicError::MultiLevelNotLast => {
            td_string!(locale, protocol.topic.multi_level_not_last).into()
        }
        TopicError::MultiLevelNotAlone => {
            td_string!(locale, protocol.topic.multi_level_not_alone).into()
        }
        TopicError::SingleLevelNotAlone => {
            td_string!(locale, protocol.topic.single_level_not_alone).into()
        }
        TopicError::InvalidShareName => {
            td_string!(locale, protocol.topic.invalid_share_name).into()
        }
        TopicError::MissingSharedFilter => {
            td_string!(locale, protocol.topic.missing_shared_filter).into()
        }
    }
}

/// Why a publish failed: the engine says "PUBACK Quota exceeded (0x97)" for
/// an error reason code, or a command error's text; both are recognised and
/// said in `locale`, anything else stays as given.
fn publish_failure_words(reason: &str, version: ProtocolVersion, locale: Locale) -> String {
    if locale == Locale::en {
        return reason.to_string();
    }
    for ack in [PacketType::Puback, PacketType::Pubrec] {
        let Some(rest) = reason
            .strip_prefix(ack.name())
            .and_then(|r| r.strip_prefix(' '))
        else {
            continue;
        };
        let Some(code) = rest
            .strip_suffix(')')
            .and_then(|r| r.rsplit_once(" (0x"))
            .and_then(|(_, hex)| u8::from_str_radix(hex, 16).ok())
        else {
            continue;
        };
        let words = reason_words(ack, version, code, locale);
        return format!("{} {words}（{}）", ack.name(), hex(code));
    }
    let qos = [QoS::AtMostOnce, QoS::AtLeastOnce, QoS::ExactlyOnce];
    let mut errors = vec![CommandError::RetainNotSupported];
    for maximum in qos {
        for requested in qos {
            errors.push(CommandError::QosNotSupported { requested, maximum });
        }
    }
    errors
        .iter()
        .find(|e| e.to_string() == reason)
        .map_or_else(|| reason.to_string(), |e| command_words(e, locale))
}

/// The session's two reasons for dropping a message, by their English.
fn dropped_words(why: &str, locale: Locale) -> String {
    match why {
        "the broker has no session; it had received the message (PUBREC), PUBCOMP never came" => {
            td_string!(locale, protocol.feedback.dropped_after_pubrec).into()
        }
        "the broker has no session; the message may or may not have arrived" => {
            td_string!(locale, protocol.feedback.dropped_unknown).into()
        }
        other => other.to_string(),
    }
}

/// A protocol error in words: the session's own sentences are recognised,
/// a malformed packet keeps the codec's detail (byte offset, field) as given.
fn protocol_error_words(message: &str, locale: Locale) -> String {
    if locale == Locale::en {
        return message.to_string();
    }
    if let Some(detail) = message.strip_prefix("malformed packet from the broker: ") {
        return td_string!(locale, protocol.protocol_error.malformed, detail = detail).to_string();
    }
    if let Some(name) = message.strip_prefix("expected CONNACK first, got ") {
        return td_string!(locale, protocol.protocol_error.connack_first, packet = name)
            .to_string();
    }
    if let Some(name) = message.strip_prefix("a broker never sends ") {
        return td_string!(
            locale,
            protocol.protocol_error.never_from_broker,
            packet = name
        )
        .to_string();
    }
    if let Some(alias) = message.strip_prefix("unknown topic alias ") {
        return td_string!(locale, protocol.protocol_error.unknown_alias, alias = alias)
            .to_string();
    }
    if let Some(rest) = message.strip_prefix("topic alias ") {
        if let Some((alias, maximum)) = rest.split_once(" outside the allowed 1..=") {
            return td_string!(
                locale,
                protocol.protocol_error.alias_out_of_range,
                alias = alias,
                max = maximum
            )
            .to_string();
        }
    }
    if let Some(maximum) = message.strip_prefix("the broker exceeded our Receive Maximum of ") {
        return td_string!(
            locale,
            protocol.protocol_error.receive_maximum,
            max = maximum
        )
        .to_string();
    }
    match message {
        "a second CONNACK" => td_string!(locale, protocol.protocol_error.second_connack).into(),
        "QoS>0 PUBLISH without a packet id" => {
            td_string!(locale, protocol.protocol_error.publish_without_id).into()
        }
        "PUBLISH with an empty topic and no topic alias" => {
            td_string!(locale, protocol.protocol_error.empty_topic).into()
        }
        "AUTH without an authentication method" => {
            td_string!(locale, protocol.protocol_error.auth_without_method).into()
        }
        m if m.starts_with("the broker resumed a session for this client id") => {
            td_string!(locale, protocol.protocol_error.unknown_session).into()
        }
        other => other.to_string(),
    }
}

fn direction_words(direction: Direction, locale: Locale) -> &'static str {
    match direction {
        Direction::ClientToBroker => td_string!(locale, protocol.fault.client_to_broker),
        Direction::BrokerToClient => td_string!(locale, protocol.fault.broker_to_client),
    }
}

/// The rule or draw that lost a packet (the English is the engine's label).
fn fault_cause_words(cause: &FaultCause, locale: Locale) -> String {
    let way = |d: &Option<Direction>| match d {
        Some(d) => direction_words(*d, locale),
        None => td_string!(locale, protocol.fault.either_way),
    };
    match cause {
        FaultCause::Rule(TargetedRule::DropNext { packet, direction }) => td_string!(
            locale,
            protocol.fault.drop_next,
            packet = packet.name(),
            way = way(direction)
        )
        .to_string(),
        FaultCause::Rule(TargetedRule::CutAtNext { packet, direction }) => td_string!(
            locale,
            protocol.fault.cut_at_next,
            packet = packet.name(),
            way = way(direction)
        )
        .to_string(),
        FaultCause::Rule(TargetedRule::CutAfter { remaining }) => {
            td_string!(locale, protocol.fault.cut_after, remaining = remaining).to_string()
        }
        FaultCause::RandomLoss { probability } => td_string!(
            locale,
            protocol.fault.random_loss,
            percent = format!("{:.0}", probability * 100.0)
        )
        .to_string(),
        FaultCause::ConnectionCut => td_string!(locale, protocol.fault.connection_cut).into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mqtt::session::EventKind;

    fn topic_errors() -> Vec<TopicError> {
        vec![
            TopicError::Empty,
            TopicError::TooLong { len: 70_000 },
            TopicError::NullCharacter,
            TopicError::WildcardInName { wildcard: '+' },
            TopicError::MultiLevelNotLast,
            TopicError::MultiLevelNotAlone,
            TopicError::SingleLevelNotAlone,
            TopicError::InvalidShareName,
            TopicError::MissingSharedFilter,
        ]
    }

    #[test]
    fn topic_errors_in_english_are_the_errors_own_words_as_sentences() {
        for e in topic_errors() {
            assert_eq!(
                topic_error_sentence(&e, Locale::en),
                crate::app::model::sentence(&e.to_string())
            );
            let zh = topic_error_sentence(&e, Locale::zh_CN);
            assert!(zh.ends_with('。'), "{zh}");
        }
        assert!(
            topic_error_sentence(&TopicError::TooLong { len: 70_000 }, Locale::zh_CN)
                .contains("70000")
        );
    }

    fn command_errors() -> Vec<CommandError> {
        let mut errors = vec![
            CommandError::NotConnected,
            CommandError::NoFilters,
            CommandError::PacketTooLarge {
                size: 300,
                max: 256,
            },
            CommandError::QosNotSupported {
                requested: QoS::ExactlyOnce,
                maximum: QoS::AtLeastOnce,
            },
            CommandError::RetainNotSupported,
            CommandError::NoPacketIdAvailable,
            CommandError::InvalidPacket {
                reason: "user property is 70000 bytes long (at most 65535)".into(),
            },
            CommandError::NotAllowed("something new".into()),
            CommandError::QueueFull {
                messages: 1000,
                bytes: 5000,
            },
        ];
        for error in topic_errors() {
            errors.push(CommandError::InvalidTopic {
                topic: "a/+".into(),
                error: error.clone(),
            });
            errors.push(CommandError::InvalidFilter {
                filter: "a#".into(),
                error,
            });
        }
        errors
    }

    #[test]
    fn in_english_command_errors_read_as_the_engine_says_them() {
        for error in command_errors() {
            assert_eq!(command_words(&error, Locale::en), error.to_string());
        }
    }

    #[test]
    fn in_chinese_command_errors_are_chinese_and_keep_their_values() {
        let zh = |e: &CommandError| command_words(e, Locale::zh_CN);
        assert_eq!(
            zh(&CommandError::NoPacketIdAvailable),
            "全部 65535 个报文标识符都在途中；请等待确认"
        );
        assert_eq!(
            zh(&CommandError::InvalidFilter {
                filter: "a#".into(),
                error: TopicError::MultiLevelNotAlone
            }),
            "主题过滤器“a#”无效：“#”必须单独占一级，例如“alarms/#”而不是“alarms#”"
        );
        assert!(zh(&CommandError::QueueFull {
            messages: 1000,
            bytes: 5000
        })
        .contains("1000 条消息（5 KB）"));
        assert_eq!(
            zh(&CommandError::NotAllowed(
                "a DISCONNECT reason or session expiry needs MQTT 5".into()
            )),
            "DISCONNECT 原因码或会话过期间隔需要 MQTT 5"
        );
        assert_eq!(
            sentence_in(&zh(&CommandError::NoFilters), Locale::zh_CN),
            "请至少给出一个主题过滤器。"
        );
    }

    #[test]
    fn fault_notes_read_in_english_as_the_engine_labels_them() {
        let causes = [
            FaultCause::Rule(TargetedRule::DropNext {
                packet: PacketType::Pubrec,
                direction: Some(Direction::BrokerToClient),
            }),
            FaultCause::Rule(TargetedRule::CutAtNext {
                packet: PacketType::Puback,
                direction: None,
            }),
            FaultCause::Rule(TargetedRule::CutAfter { remaining: 3 }),
            FaultCause::RandomLoss { probability: 0.25 },
            FaultCause::ConnectionCut,
        ];
        for cause in causes {
            assert_eq!(fault_cause_words(&cause, Locale::en), cause.label());
        }
        for direction in [Direction::ClientToBroker, Direction::BrokerToClient] {
            assert_eq!(direction_words(direction, Locale::en), direction.label());
        }
    }

    #[test]
    fn engine_notes_read_in_english_as_the_engine_describes_them() {
        let pairs = [
            (
                Said::DuplicateSuppressed { id: 7 },
                EventKind::DuplicateSuppressed { packet_id: 7 },
            ),
            (
                Said::Retry {
                    id: 7,
                    packet: PacketType::Pubrel,
                    attempt: 2,
                },
                EventKind::Retry {
                    packet_id: 7,
                    packet_type: PacketType::Pubrel,
                    attempt: 2,
                },
            ),
            (
                Said::Warning {
                    message: "PUBACK for unknown id 9".into(),
                },
                EventKind::Warning {
                    message: "PUBACK for unknown id 9".into(),
                },
            ),
        ];
        for (said, kind) in pairs {
            assert_eq!(said.to_string(), kind.describe());
        }
    }

    #[test]
    fn engine_words_are_recognised_in_chinese() {
        let failed = Said::PublishFailed {
            id: Some(4),
            reason: "PUBACK Quota exceeded (0x97)".into(),
            version: ProtocolVersion::V5,
        };
        assert_eq!(
            failed.to_string(),
            "id 4: publish failed: PUBACK Quota exceeded (0x97)"
        );
        assert_eq!(
            failed.words_in(Locale::zh_CN),
            "id 4：发布失败：PUBACK 超出配额（0x97）"
        );
        let qos = CommandError::QosNotSupported {
            requested: QoS::ExactlyOnce,
            maximum: QoS::AtMostOnce,
        };
        let failed = Said::PublishFailed {
            id: Some(5),
            reason: qos.to_string(),
            version: ProtocolVersion::V5,
        };
        assert_eq!(
            failed.words_in(Locale::zh_CN),
            "id 5：发布失败：代理最高只接受 QoS 0；请求的是 QoS 2"
        );
        let disconnect = Said::ServerDisconnect {
            code: 0x98,
            words: "Administrative action: kicked by admin".into(),
        };
        assert_eq!(
            disconnect.words_in(Locale::zh_CN),
            "代理断开了连接：管理操作：kicked by admin（代码 0x98）。"
        );
        let malformed = Said::ProtocolError {
            message: "malformed packet from the broker: byte 3: topic name is empty".into(),
        };
        assert_eq!(
            malformed.words_in(Locale::zh_CN),
            "协议错误：代理发来格式错误的报文：byte 3: topic name is empty。"
        );
        let dropped = Said::MessageDropped {
            id: 2,
            why: "the broker has no session; the message may or may not have arrived".into(),
        };
        assert_eq!(
            dropped.words_in(Locale::zh_CN),
            "id 2：消息已丢弃：代理没有会话；该消息可能已送达，也可能没有"
        );
    }

    #[test]
    fn said_compares_by_its_english() {
        let code = Said::Code {
            packet: PacketType::Suback,
            version: ProtocolVersion::V311,
            code: 0x80,
            words: "Failure".into(),
        };
        assert_eq!(code, Said::from("Failure"));
        assert_eq!(code.words_in(Locale::zh_CN), "失败");
    }
}
