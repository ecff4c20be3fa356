//! Word tables for what the engine hands over as English text: command
//! errors, topic errors, protocol errors, dropped messages, fault causes.
//! Each is recognised by its English and said in the reader's language;
//! anything unknown stays as given.

use super::hex;
use crate::app::model::reasons::reason_words;
use crate::i18n::{td_string, Locale};
use crate::mqtt::fault::{Direction, FaultCause, TargetedRule};
use crate::mqtt::packet::{PacketType, ProtocolVersion, QoS};
use crate::mqtt::session::CommandError;
use crate::mqtt::topic::{TopicError, MAX_TOPIC_BYTES};

/// Sentence-cases `text` for `locale`: in English a capital first letter and
/// a final full stop, in Chinese a final 。.
pub fn sentence_in(text: &str, locale: Locale) -> String {
    if locale == Locale::en {
        return crate::app::model::sentence(text);
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
             (MQTT 5.0 §3.14.2.2.2); connect with a session expiry first",
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
pub(super) fn publish_failure_words(
    reason: &str,
    version: ProtocolVersion,
    locale: Locale,
) -> String {
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
pub(super) fn dropped_words(why: &str, locale: Locale) -> String {
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
pub(super) fn protocol_error_words(message: &str, locale: Locale) -> String {
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

pub(super) fn direction_words(direction: Direction, locale: Locale) -> &'static str {
    match direction {
        Direction::ClientToBroker => td_string!(locale, protocol.fault.client_to_broker),
        Direction::BrokerToClient => td_string!(locale, protocol.fault.broker_to_client),
    }
}

/// The rule or draw that lost a packet (the English is the engine's label).
pub(super) fn fault_cause_words(cause: &FaultCause, locale: Locale) -> String {
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
