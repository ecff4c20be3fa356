//! The dashboard's input: one application message as the session delivered it.
//!
//! Plain data, so the models can be driven by the live connection, by the
//! simulation, or by a test script alike.

use std::borrow::Cow;

use serde_json::Value;

use crate::mqtt::packet::{PacketId, QoS};
use crate::mqtt::session::Message;
use crate::mqtt::topic;

/// Longest payload text kept per message, in bytes. Longer payloads are cut
/// (at a character boundary) and marked, so one huge message cannot fill memory.
pub const PAYLOAD_TEXT_CAP: usize = 2048;

/// One application message delivered to this client.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Incoming {
    /// Milliseconds, on the same clock as the session's events.
    pub at: u64,
    /// Topic name.
    pub topic: String,
    /// Application payload.
    pub payload: Vec<u8>,
    /// Effective QoS: min(published, subscribed).
    pub qos: QoS,
    /// RETAIN flag: the broker's stored message, not a new occurrence.
    pub retain: bool,
    /// DUP flag: the sender says it may have sent this before.
    pub dup: bool,
    /// Packet id (QoS > 0).
    pub packet_id: Option<PacketId>,
}

/// One message as the alarm list and the stock table read it: borrowed
/// from an [`Incoming`] or from the session's `Delivered` event, so that a
/// message read from the event costs no copy of its topic and payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MessageView<'a> {
    /// Milliseconds, on the same clock as the session's events.
    pub at: u64,
    /// Topic name.
    pub topic: &'a str,
    /// Application payload.
    pub payload: &'a [u8],
    /// Effective QoS: min(published, subscribed).
    pub qos: QoS,
    /// RETAIN flag: the broker's stored message, not a new occurrence.
    pub retain: bool,
    /// DUP flag: the sender says it may have sent this before.
    pub dup: bool,
    /// Packet id (QoS > 0).
    pub packet_id: Option<PacketId>,
}

impl<'a> MessageView<'a> {
    /// The message of a session `Delivered` event at `at`.
    pub fn delivered(at: u64, message: &'a Message) -> Self {
        MessageView {
            at,
            topic: &message.topic,
            payload: &message.payload,
            qos: message.qos,
            retain: message.retain,
            dup: message.dup,
            packet_id: message.packet_id,
        }
    }
}

impl<'a> From<&'a Incoming> for MessageView<'a> {
    fn from(message: &'a Incoming) -> Self {
        MessageView {
            at: message.at,
            topic: &message.topic,
            payload: &message.payload,
            qos: message.qos,
            retain: message.retain,
            dup: message.dup,
            packet_id: message.packet_id,
        }
    }
}

impl Incoming {
    /// A message with `payload` on `topic` at QoS 0.
    pub fn new(at: u64, topic: impl Into<String>, payload: impl Into<Vec<u8>>) -> Self {
        Incoming {
            at,
            topic: topic.into(),
            payload: payload.into(),
            ..Default::default()
        }
    }

    /// The same message at `qos`.
    pub fn with_qos(mut self, qos: QoS) -> Self {
        self.qos = qos;
        self
    }

    /// The same message with DUP set.
    pub fn with_dup(mut self) -> Self {
        self.dup = true;
        self
    }

    /// The same message with RETAIN set.
    pub fn with_retain(mut self) -> Self {
        self.retain = true;
        self
    }
}

/// A payload parsed once: its JSON object, if it is one, and its text.
#[derive(Debug, Clone)]
pub struct ParsedPayload<'a> {
    /// The JSON value when the payload is valid JSON.
    pub json: Option<Value>,
    payload: &'a [u8],
}

impl<'a> ParsedPayload<'a> {
    /// Parses `payload`; never fails: a payload that is not JSON keeps its text.
    pub fn parse(payload: &'a [u8]) -> Self {
        let json = serde_json::from_slice::<Value>(payload).ok();
        ParsedPayload { json, payload }
    }

    /// The payload as text (lossy UTF-8, capped at [`PAYLOAD_TEXT_CAP`]),
    /// made when asked for: a stock row keeps only its numbers. Always
    /// rendered as text, never as HTML.
    pub fn text(&self) -> String {
        capped_text(self.payload)
    }

    /// The field `name` as a display string, when the payload is a JSON object
    /// holding a string, number or boolean under that name. A string is
    /// borrowed, not copied.
    pub fn field_str(&self, name: &str) -> Option<Cow<'_, str>> {
        match self.json.as_ref()?.get(name)? {
            Value::String(s) => Some(Cow::Borrowed(s)),
            Value::Number(n) => Some(Cow::Owned(n.to_string())),
            Value::Bool(b) => Some(Cow::Borrowed(if *b { "true" } else { "false" })),
            _ => None,
        }
    }

    /// The field `name` as an integer (JSON integer, or a float with no
    /// fraction, or a numeric string).
    pub fn field_i64(&self, name: &str) -> Option<i64> {
        match self.json.as_ref()?.get(name)? {
            Value::Number(n) => n.as_i64().or_else(|| {
                n.as_f64()
                    .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                    .map(|f| f as i64)
            }),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }
    }
}

/// `payload` as lossy UTF-8, cut to [`PAYLOAD_TEXT_CAP`] bytes with a marker.
pub fn capped_text(payload: &[u8]) -> String {
    if payload.len() <= PAYLOAD_TEXT_CAP {
        return String::from_utf8_lossy(payload).into_owned();
    }
    let mut text = String::from_utf8_lossy(&payload[..PAYLOAD_TEXT_CAP]).into_owned();
    text.push_str(&format!(" … ({} bytes in all)", payload.len()));
    text
}

/// `text` (a payload as [`capped_text`] kept it) for the reader in `locale`:
/// the cut marker in their words, the payload itself as it arrived.
pub fn payload_text_in(text: &str, locale: crate::i18n::Locale) -> String {
    match split_capped(text) {
        Some((kept, bytes)) => crate::i18n::td_string!(
            locale,
            dashboard.alarms.row.payload_cut,
            text = kept,
            bytes = bytes
        )
        .to_string(),
        None => text.to_owned(),
    }
}

/// The kept text and the full length, if `text` ends with the marker
/// [`capped_text`] adds.
fn split_capped(text: &str) -> Option<(&str, usize)> {
    let rest = text.strip_suffix(" bytes in all)")?;
    let at = rest.rfind(" … (")?;
    let bytes = rest[at + " … (".len()..].parse().ok()?;
    (bytes > PAYLOAD_TEXT_CAP).then_some((&text[..at], bytes))
}

/// Whether `topic` matches `filter` (MQTT-4.7; see [`topic::matches`]).
pub fn filter_matches(filter: &str, topic: &str) -> bool {
    topic::matches(filter, topic)
}

/// Checks a topic filter the user typed; the error says what to fix.
pub fn check_filter(filter: &str) -> Result<(), String> {
    topic::validate_topic_filter(filter).map_err(|e| e.to_string())
}

/// Why a list of topic filters was not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FilterListError {
    /// No filter at all.
    Empty,
    /// `filter` is not a valid topic filter.
    Bad {
        /// The filter as typed.
        filter: String,
        /// What is wrong with it.
        error: topic::TopicError,
    },
}

impl FilterListError {
    /// What to fix, in `locale`. The topic rule itself is the protocol's
    /// [`topic::TopicError`] text.
    pub fn text_in(&self, locale: crate::i18n::Locale) -> String {
        use crate::i18n::td_string;
        match self {
            FilterListError::Empty => {
                td_string!(locale, dashboard.settings.errors.no_filter).to_owned()
            }
            FilterListError::Bad { filter, error } => td_string!(
                locale,
                dashboard.settings.errors.bad_filter,
                filter = filter,
                error = crate::app::model::topic_error_words(error, locale)
            )
            .to_string(),
        }
    }
}

/// Topic filters from a comma- or newline-separated list, each checked.
pub fn parse_filter_list(text: &str) -> Result<Vec<String>, String> {
    filter_list(text).map_err(|e| e.text_in(crate::i18n::Locale::en))
}

/// Topic filters from a comma- or newline-separated list, each checked;
/// the error says which filter is wrong and why.
pub fn filter_list(text: &str) -> Result<Vec<String>, FilterListError> {
    let filters: Vec<String> = text
        .split([',', '\n'])
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .map(str::to_owned)
        .collect();
    if filters.is_empty() {
        return Err(FilterListError::Empty);
    }
    for filter in &filters {
        topic::validate_topic_filter(filter).map_err(|error| FilterListError::Bad {
            filter: filter.clone(),
            error,
        })?;
    }
    Ok(filters)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Locale;

    #[test]
    fn a_cut_payload_says_so_in_the_readers_language() {
        let long = "x".repeat(PAYLOAD_TEXT_CAP + 10);
        let kept = capped_text(long.as_bytes());
        assert_eq!(payload_text_in(&kept, Locale::en), kept);
        let zh = payload_text_in(&kept, Locale::zh_CN);
        assert!(zh.ends_with("…（共 2058 字节）"), "{zh}");
        assert!(zh.starts_with(&"x".repeat(PAYLOAD_TEXT_CAP)));
        // A payload that only looks like the marker stays as it came.
        let small = "{\"a\":1} … (12 bytes in all)";
        assert_eq!(payload_text_in(small, Locale::zh_CN), small);
    }

    #[test]
    fn filter_list_errors_are_worded_per_locale() {
        assert_eq!(filter_list(" , "), Err(FilterListError::Empty));
        assert_eq!(
            parse_filter_list(" , ").unwrap_err(),
            "give at least one topic filter, e.g. alarms/#"
        );
        assert_eq!(
            FilterListError::Empty.text_in(Locale::zh_CN),
            "请至少填写一个主题过滤器，例如 alarms/#"
        );
        let bad = filter_list("alarms/#/x").unwrap_err();
        assert!(bad.text_in(Locale::zh_CN).starts_with("alarms/#/x："));
        assert!(parse_filter_list("alarms/#/x")
            .unwrap_err()
            .starts_with("alarms/#/x: "));
    }
}
