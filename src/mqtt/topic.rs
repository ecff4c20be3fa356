//! Topic names and topic filters (MQTT 3.1.1 §4.7, MQTT 5.0 §4.7 and §4.8.2).
//!
//! - [`validate_topic_name`]: what a PUBLISH may carry (no wildcards).
//! - [`validate_topic_filter`]: what a SUBSCRIBE may carry (`+`, `#`, `$share/…`).
//! - [`matches()`]: does a filter select a topic name.
//! - [`SharedFilter::parse`]: split `$share/group/filter`.
//!
//! Errors are worded so that a user can fix the input from the message alone.

#![warn(missing_docs, unreachable_pub)]

use std::fmt;

use serde::{Deserialize, Serialize};

/// Longest topic a UTF-8 string field can carry (MQTT-1.5.3: two-byte length).
pub const MAX_TOPIC_BYTES: usize = 65_535;

/// Why a topic name or topic filter is not acceptable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum TopicError {
    /// Topic names and filters are at least one character long (MQTT-4.7.3-1).
    Empty,
    /// Longer than 65535 bytes of UTF-8 (MQTT-1.5.3).
    TooLong {
        /// Length in bytes.
        len: usize,
    },
    /// Contains U+0000 (MQTT-4.7.3-2).
    NullCharacter,
    /// A topic name (what you publish to) contains `+` or `#` (MQTT-3.3.2-2).
    WildcardInName {
        /// The wildcard found.
        wildcard: char,
    },
    /// `#` appears before the last level (MQTT-4.7.1-2).
    MultiLevelNotLast,
    /// `#` shares its level with other characters, as in `alarms#`.
    MultiLevelNotAlone,
    /// `+` shares its level with other characters, as in `sensor+` (MQTT-4.7.1-3).
    SingleLevelNotAlone,
    /// `$share/` without a share name (MQTT-4.8.2-1), or the share name has `/`, `+`
    /// or `#` (MQTT-4.8.2-2).
    InvalidShareName,
    /// `$share/group` without a filter after the share name (MQTT-4.8.2-2).
    MissingSharedFilter,
}

impl fmt::Display for TopicError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TopicError::Empty => write!(f, "the topic is empty; give at least one character, e.g. 'alarms'"),
            TopicError::TooLong { len } => {
                write!(f, "the topic is {len} bytes long; the limit is {MAX_TOPIC_BYTES} bytes")
            }
            TopicError::NullCharacter => write!(f, "the topic contains the character U+0000, which MQTT forbids"),
            TopicError::WildcardInName { wildcard } => write!(
                f,
                "'{wildcard}' is a wildcard: it may be used to subscribe, not to publish; name one topic, e.g. 'alarms/fire'"
            ),
            TopicError::MultiLevelNotLast => write!(f, "'#' must be the last level, e.g. 'alarms/#'"),
            TopicError::MultiLevelNotAlone => {
                write!(f, "'#' must be alone in its level, e.g. 'alarms/#' rather than 'alarms#'")
            }
            TopicError::SingleLevelNotAlone => {
                write!(f, "'+' must be alone in its level, e.g. 'sensors/+/temp' rather than 'sensors/a+/temp'")
            }
            TopicError::InvalidShareName => write!(
                f,
                "a shared subscription needs a share name without '/', '+' or '#', e.g. '$share/workers/jobs/#'"
            ),
            TopicError::MissingSharedFilter => {
                write!(f, "a shared subscription needs a filter after the share name, e.g. '$share/workers/jobs/#'")
            }
        }
    }
}

impl std::error::Error for TopicError {}

/// Checks what every topic string must satisfy: not empty, not too long, no U+0000.
fn validate_common(s: &str) -> Result<(), TopicError> {
    if s.is_empty() {
        return Err(TopicError::Empty);
    }
    if s.len() > MAX_TOPIC_BYTES {
        return Err(TopicError::TooLong { len: s.len() });
    }
    if s.contains('\0') {
        return Err(TopicError::NullCharacter);
    }
    Ok(())
}

/// Validates a topic name, the topic a PUBLISH is sent to.
pub fn validate_topic_name(topic: &str) -> Result<(), TopicError> {
    validate_common(topic)?;
    // MQTT-3.3.2-2: the Topic Name in a PUBLISH MUST NOT contain wildcard characters.
    match topic.chars().find(|c| *c == '+' || *c == '#') {
        Some(wildcard) => Err(TopicError::WildcardInName { wildcard }),
        None => Ok(()),
    }
}

/// Validates a topic filter, what a SUBSCRIBE / UNSUBSCRIBE carries,
/// including shared subscriptions `$share/{ShareName}/{filter}`.
pub fn validate_topic_filter(filter: &str) -> Result<(), TopicError> {
    validate_common(filter)?;
    let plain = match SharedFilter::parse(filter) {
        Some(shared) => shared?.filter,
        None => filter,
    };
    validate_wildcards(plain)
}

/// The wildcard rules of MQTT-4.7.1-2 and MQTT-4.7.1-3 ([`matches`]
/// applies them as it goes).
fn validate_wildcards(filter: &str) -> Result<(), TopicError> {
    let mut levels = filter.split('/').peekable();
    while let Some(level) = levels.next() {
        if level.contains('#') {
            if level != "#" {
                return Err(TopicError::MultiLevelNotAlone);
            }
            if levels.peek().is_some() {
                return Err(TopicError::MultiLevelNotLast);
            }
        }
        if level.contains('+') && level != "+" {
            return Err(TopicError::SingleLevelNotAlone);
        }
    }
    Ok(())
}

/// A shared subscription filter `$share/{group}/{filter}` (MQTT 5.0 §4.8.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SharedFilter<'a> {
    /// The share name (the group of subscribers sharing the messages).
    pub group: &'a str,
    /// The topic filter after the share name.
    pub filter: &'a str,
}

impl<'a> SharedFilter<'a> {
    /// `None` when `filter` is not a shared subscription at all, `Some(Err)`
    /// when it starts with `$share/` but is malformed.
    pub fn parse(filter: &'a str) -> Option<Result<SharedFilter<'a>, TopicError>> {
        let rest = filter.strip_prefix("$share/")?;
        let (group, inner) = match rest.split_once('/') {
            Some(parts) => parts,
            None if rest.is_empty() || rest.contains(['+', '#']) => {
                return Some(Err(TopicError::InvalidShareName))
            }
            None => return Some(Err(TopicError::MissingSharedFilter)),
        };
        if group.is_empty() || group.contains(['+', '#']) {
            return Some(Err(TopicError::InvalidShareName));
        }
        if inner.is_empty() {
            return Some(Err(TopicError::MissingSharedFilter));
        }
        Some(Ok(SharedFilter {
            group,
            filter: inner,
        }))
    }
}

/// Does `filter` select `topic`? A shared filter matches like the filter after
/// its share name. Topics starting with `$` are not matched by a filter whose
/// first level is a wildcard (MQTT-4.7.2-1). An invalid filter matches nothing.
pub fn matches(filter: &str, topic: &str) -> bool {
    let filter = match SharedFilter::parse(filter) {
        Some(Ok(shared)) => shared.filter,
        Some(Err(_)) => return false,
        None => filter,
    };
    if topic.is_empty() {
        return false;
    }
    if topic.starts_with('$') && (filter.starts_with('+') || filter.starts_with('#')) {
        return false;
    }
    levels_match(filter.split('/'), topic.split('/'))
}

/// The part of `filter` before its first wildcard: every topic the filter
/// matches starts with it (a shared filter's inner filter counts). For a
/// filter without wildcards it is the filter itself; for one that starts with
/// a wildcard, or is invalid, it is empty (every topic starts with it).
///
/// Whoever must keep what a set of filters selects without matching each
/// topic (the socket worker, which never sheds an alarm) keeps every topic
/// with one of these prefixes: more than the filters select, never less.
pub fn literal_prefix(filter: &str) -> &str {
    let inner = match SharedFilter::parse(filter) {
        Some(Ok(shared)) => shared.filter,
        Some(Err(_)) => return "",
        None => filter,
    };
    if validate_wildcards(inner).is_err() {
        return "";
    }
    match inner.find(['+', '#']) {
        None => inner,
        // "a/#" also matches "a": the level separator before '#' is not kept.
        Some(at) if inner[at..].starts_with('#') => inner[..at].strip_suffix('/').unwrap_or(""),
        Some(at) => &inner[..at],
    }
}

fn levels_match<'a>(
    mut filter: impl Iterator<Item = &'a str>,
    mut topic: impl Iterator<Item = &'a str>,
) -> bool {
    // The wildcard rules are checked on the way (one pass over the filter,
    // not two): a match reads every level of the filter, and an invalid
    // level fails it, so an invalid filter matches nothing.
    loop {
        match (filter.next(), topic.next()) {
            // '#' also matches the parent level: 'sport/#' matches 'sport'
            // (§4.7.1.2). It must be the last level (MQTT-4.7.1-2).
            (Some("#"), _) => return filter.next().is_none(),
            (Some("+"), Some(_)) => {}
            // A level with a wildcard in it ("a+", "b#") is invalid (MQTT-4.7.1-3).
            (Some(f), Some(t)) if f == t => {
                if f.contains(['+', '#']) {
                    return false;
                }
            }
            (None, None) => return true,
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_filter_splits_group_and_filter() {
        let shared = SharedFilter::parse("$share/g/a/+").unwrap().unwrap();
        assert_eq!(
            shared,
            SharedFilter {
                group: "g",
                filter: "a/+"
            }
        );
        assert_eq!(SharedFilter::parse("a/b"), None);
    }
}
