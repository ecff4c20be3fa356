//! Alarms: messages on the alarm topic filters, grouped by (type, zone).
//!
//! An operator needs one row per thing that is wrong, not one per message:
//! repeats of the same (type, zone) raise the row's repeat count and last
//! seen time. A duplicate delivery (QoS 1 is at-least-once, so the same
//! message may arrive twice) is flagged on the row and never counted as a
//! repeat. A payload that is not JSON is kept and shown raw, never dropped.
//!
//! Caps: at most [`MAX_ALARMS`] rows (least recently seen evicted first, and
//! counted), [`MAX_REMEMBERED_IDS`] message ids for duplicate detection,
//! [`MAX_REMEMBERED_ACKS`] acknowledged keys kept across reloads.

use std::borrow::Cow;
use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::lru::{LruOrder, RecentIds};
use super::message::{MessageView, ParsedPayload};
use crate::mqtt::packet::{Properties, QoS};
use crate::mqtt::session::PublishRequest;

mod saved;
mod settings;

pub use saved::SavedAlarms;
pub use settings::{AlarmFields, AlarmSettings, Severity};

/// Most alarm rows held at once.
pub const MAX_ALARMS: usize = 1000;
/// Most message ids remembered for duplicate detection.
pub const MAX_REMEMBERED_IDS: usize = 4096;
/// Most acknowledged keys remembered (and persisted).
pub const MAX_REMEMBERED_ACKS: usize = 1000;

/// What identifies one alarm row.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct AlarmKey {
    /// Alarm type (payload field, or the topic when there is none).
    pub alarm_type: String,
    /// Zone (empty when unknown).
    pub zone: String,
}

/// One alarm row (saved as it is, less its revision, to survive a reload).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alarm {
    /// (type, zone).
    pub key: AlarmKey,
    /// Highest severity seen for this row.
    pub severity: Severity,
    /// Topic of the latest message.
    pub topic: String,
    /// First occurrence, ms.
    pub first_seen: u64,
    /// Latest occurrence, ms.
    pub last_seen: u64,
    /// Occurrences counted (duplicates excluded).
    pub repeat_count: u32,
    /// Duplicate deliveries flagged and not counted.
    pub duplicates: u32,
    /// Whether an operator acknowledged it (a new occurrence re-raises it).
    pub acknowledged: bool,
    /// Latest payload as text (render as text only).
    pub payload_text: String,
    /// Whether the latest payload was JSON.
    pub payload_is_json: bool,
    /// Effective QoS of the latest message.
    pub qos: QoS,
    /// Whether the latest message was the broker's retained copy.
    pub retained: bool,
    /// Shown from before a reload, and no live message for it has come since.
    #[serde(default)]
    pub restored: bool,
    /// Bumped on every change, so a keyed list re-renders exactly this row.
    #[serde(skip)]
    pub revision: u64,
}

/// What one message did to the board.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AlarmOutcome {
    /// A new row.
    Raised(AlarmKey),
    /// A new occurrence of an existing row.
    Repeated(AlarmKey),
    /// A duplicate delivery: flagged, not counted.
    Duplicate(AlarmKey),
    /// An empty message cleared the rows last seen on its topic.
    Cleared(usize),
    /// The broker's retained copy of a row restored after a reload: the row
    /// is live again, and nothing new happened.
    Confirmed(AlarmKey),
}

/// Filters the operator applies to the list.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct AlarmView {
    /// Show only this severity.
    pub severity: Option<Severity>,
    /// Zone contains (case-insensitive).
    pub zone: String,
    /// Type, zone, topic or payload contains (case-insensitive).
    pub text: String,
    /// Hide acknowledged rows.
    pub hide_acknowledged: bool,
}

impl AlarmView {
    fn admits(&self, alarm: &Alarm) -> bool {
        if self.severity.is_some_and(|s| s != alarm.severity) {
            return false;
        }
        if self.hide_acknowledged && alarm.acknowledged {
            return false;
        }
        if !contains_ci(&alarm.key.zone, &self.zone) {
            return false;
        }
        let text = &self.text;
        contains_ci(&alarm.key.alarm_type, text)
            || contains_ci(&alarm.key.zone, text)
            || contains_ci(&alarm.topic, text)
            || contains_ci(&alarm.payload_text, text)
    }
}

fn contains_ci(haystack: &str, needle: &str) -> bool {
    needle.is_empty()
        || haystack
            .to_lowercase()
            .contains(&needle.trim().to_lowercase())
}

/// Running totals for the board.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct AlarmStats {
    /// Alarm messages taken in.
    pub received: u64,
    /// Duplicate deliveries flagged.
    pub duplicates: u64,
    /// Payloads that were not JSON (kept raw).
    pub not_json: u64,
    /// Rows evicted to stay within [`MAX_ALARMS`].
    pub evicted: u64,
}

/// The alarm list.
#[derive(Debug, Clone)]
pub struct AlarmBoard {
    settings: AlarmSettings,
    alarms: HashMap<AlarmKey, Alarm>,
    recency: LruOrder<AlarmKey>,
    seen_ids: RecentIds,
    remembered_acks: LruOrder<AlarmKey>,
    unacknowledged: usize,
    revision: u64,
    stats: AlarmStats,
}

impl Default for AlarmBoard {
    fn default() -> Self {
        AlarmBoard::new(AlarmSettings::default())
    }
}

impl AlarmBoard {
    /// An empty board.
    pub fn new(settings: AlarmSettings) -> Self {
        AlarmBoard {
            settings,
            alarms: HashMap::new(),
            recency: LruOrder::new(MAX_ALARMS),
            seen_ids: RecentIds::new(MAX_REMEMBERED_IDS),
            remembered_acks: LruOrder::new(MAX_REMEMBERED_ACKS),
            unacknowledged: 0,
            revision: 0,
            stats: AlarmStats::default(),
        }
    }

    /// Current settings.
    pub fn settings(&self) -> &AlarmSettings {
        &self.settings
    }

    /// Replaces the settings; rows already shown stay.
    pub fn set_settings(&mut self, settings: AlarmSettings) {
        self.settings = settings;
    }

    /// Whether `topic` is an alarm topic.
    pub fn accepts(&self, topic: &str) -> bool {
        self.settings.matches(topic)
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.alarms.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.alarms.is_empty()
    }

    /// Rows not yet acknowledged (for the tab title), O(1).
    pub fn unacknowledged(&self) -> usize {
        self.unacknowledged
    }

    /// Running totals.
    pub fn stats(&self) -> AlarmStats {
        self.stats
    }

    /// One row.
    pub fn get(&self, key: &AlarmKey) -> Option<&Alarm> {
        self.alarms.get(key)
    }

    /// Takes in one message from an alarm topic.
    pub fn ingest<'a>(&mut self, msg: impl Into<MessageView<'a>>) -> AlarmOutcome {
        let msg = msg.into();
        self.stats.received += 1;
        if msg.payload.is_empty() {
            return AlarmOutcome::Cleared(self.clear_topic(msg.topic));
        }
        let parsed = ParsedPayload::parse(msg.payload);
        if parsed.json.is_none() {
            self.stats.not_json += 1;
        }
        let key = self.key_of(msg, &parsed);
        if msg.retain && self.alarms.get(&key).is_some_and(|a| a.restored) {
            self.confirm(msg, parsed, &key);
            return AlarmOutcome::Confirmed(key);
        }
        if self.is_duplicate(msg, &parsed, &key) {
            self.stats.duplicates += 1;
            self.bump_revision();
            if let Some(alarm) = self.alarms.get_mut(&key) {
                alarm.duplicates += 1;
                alarm.revision = self.revision;
            }
            return AlarmOutcome::Duplicate(key);
        }
        let severity = self.severity_of(msg, &parsed);
        if self.alarms.contains_key(&key) {
            self.repeat(msg, parsed, &key, severity);
            AlarmOutcome::Repeated(key)
        } else {
            self.raise(msg, parsed, key.clone(), severity);
            AlarmOutcome::Raised(key)
        }
    }

    fn key_of(&self, msg: MessageView<'_>, parsed: &ParsedPayload<'_>) -> AlarmKey {
        let fields = &self.settings.fields;
        AlarmKey {
            alarm_type: parsed
                .field_str(&fields.alarm_type)
                .map(Cow::into_owned)
                .unwrap_or_else(|| msg.topic.to_owned()),
            zone: parsed
                .field_str(&fields.zone)
                .map(Cow::into_owned)
                .unwrap_or_default(),
        }
    }

    /// A message id seen before is a duplicate. Without an id, a DUP=1 copy
    /// of a row we already hold is taken for a QoS 1 resend (MQTT-3.3.1-1).
    /// At QoS 2 the session already suppressed repeats, so DUP=1 there marks
    /// the first delivery and counts.
    fn is_duplicate(
        &mut self,
        msg: MessageView<'_>,
        parsed: &ParsedPayload<'_>,
        key: &AlarmKey,
    ) -> bool {
        match parsed.field_str(&self.settings.fields.message_id) {
            Some(id) => self.seen_ids.check_and_insert_in(msg.topic, &id),
            None => msg.dup && msg.qos == QoS::AtLeastOnce && self.alarms.contains_key(key),
        }
    }

    fn severity_of(&self, msg: MessageView<'_>, parsed: &ParsedPayload<'_>) -> Severity {
        if msg.topic == "critical" || msg.topic.starts_with("critical/") {
            return Severity::Critical;
        }
        parsed
            .field_str(&self.settings.fields.severity)
            .and_then(|word| Severity::parse(&word))
            .unwrap_or(self.settings.default_severity)
    }

    fn raise(
        &mut self,
        msg: MessageView<'_>,
        parsed: ParsedPayload<'_>,
        key: AlarmKey,
        severity: Severity,
    ) {
        // A retained replay of an alarm acknowledged before a reload stays acknowledged.
        let acknowledged = msg.retain && self.remembered_acks.contains(&key);
        self.bump_revision();
        let alarm = Alarm {
            key: key.clone(),
            severity,
            topic: msg.topic.to_owned(),
            first_seen: msg.at,
            last_seen: msg.at,
            repeat_count: 1,
            duplicates: 0,
            acknowledged,
            payload_is_json: parsed.json.is_some(),
            payload_text: parsed.text(),
            qos: msg.qos,
            retained: msg.retain,
            restored: false,
            revision: self.revision,
        };
        if !acknowledged {
            self.unacknowledged += 1;
        }
        self.alarms.insert(key.clone(), alarm);
        if let Some(evicted) = self.recency.touch(key) {
            self.evict(&evicted);
        }
    }

    fn repeat(
        &mut self,
        msg: MessageView<'_>,
        parsed: ParsedPayload<'_>,
        key: &AlarmKey,
        severity: Severity,
    ) {
        self.bump_revision();
        let revision = self.revision;
        let Some(alarm) = self.alarms.get_mut(key) else {
            return;
        };
        alarm.severity = alarm.severity.min(severity);
        alarm.topic.replace_range(.., msg.topic);
        alarm.last_seen = alarm.last_seen.max(msg.at);
        alarm.first_seen = alarm.first_seen.min(msg.at);
        alarm.repeat_count = alarm.repeat_count.saturating_add(1);
        alarm.payload_is_json = parsed.json.is_some();
        alarm.payload_text = parsed.text();
        alarm.qos = msg.qos;
        alarm.retained = msg.retain;
        alarm.restored = false;
        alarm.revision = revision;
        // A fresh occurrence of an acknowledged alarm raises it again.
        let reraised = alarm.acknowledged && !msg.retain;
        if reraised {
            alarm.acknowledged = false;
            self.unacknowledged += 1;
            self.remembered_acks.remove(key);
        }
        self.recency.touch_ref(key);
    }

    /// A retained copy of a restored row, replayed when the dashboard
    /// subscribed again: it says the alarm still stands. Its message id is
    /// remembered, and it counts as neither a repeat nor a duplicate, since
    /// the row already counted it before the reload.
    fn confirm(&mut self, msg: MessageView<'_>, parsed: ParsedPayload<'_>, key: &AlarmKey) {
        if let Some(id) = parsed.field_str(&self.settings.fields.message_id) {
            self.seen_ids.check_and_insert_in(msg.topic, &id);
        }
        self.bump_revision();
        let revision = self.revision;
        if let Some(alarm) = self.alarms.get_mut(key) {
            alarm.restored = false;
            alarm.retained = true;
            alarm.topic.replace_range(.., msg.topic);
            alarm.payload_is_json = parsed.json.is_some();
            alarm.payload_text = parsed.text();
            alarm.revision = revision;
        }
    }

    fn evict(&mut self, key: &AlarmKey) {
        if let Some(alarm) = self.alarms.remove(key) {
            self.stats.evicted += 1;
            if !alarm.acknowledged {
                self.unacknowledged -= 1;
            }
        }
    }

    fn bump_revision(&mut self) {
        self.revision += 1;
    }

    /// Acknowledges one row. Returns false when there is no such row.
    pub fn acknowledge(&mut self, key: &AlarmKey) -> bool {
        self.bump_revision();
        let revision = self.revision;
        let Some(alarm) = self.alarms.get_mut(key) else {
            return false;
        };
        if !alarm.acknowledged {
            alarm.acknowledged = true;
            alarm.revision = revision;
            self.unacknowledged -= 1;
        }
        self.remembered_acks.touch_ref(key);
        true
    }

    /// Acknowledges every row that `view` shows; returns how many changed.
    pub fn acknowledge_all(&mut self, view: &AlarmView) -> usize {
        let keys: Vec<AlarmKey> = self
            .alarms
            .values()
            .filter(|a| !a.acknowledged && view.admits(a))
            .map(|a| a.key.clone())
            .collect();
        for key in &keys {
            self.acknowledge(key);
        }
        keys.len()
    }

    /// Removes a row. With `clear_retained`, also returns the publish that
    /// deletes the broker's retained alarm: an empty retained message on the
    /// row's topic (MQTT-3.3.1-10). The caller publishes it; nothing is sent
    /// unless the operator asked.
    pub fn clear(&mut self, key: &AlarmKey, clear_retained: bool) -> Option<PublishRequest> {
        let alarm = self.alarms.remove(key)?;
        self.recency.remove(key);
        self.remembered_acks.remove(key);
        self.bump_revision();
        if !alarm.acknowledged {
            self.unacknowledged -= 1;
        }
        clear_retained.then(|| PublishRequest {
            topic: alarm.topic,
            payload: Vec::new(),
            qos: alarm.qos.max(QoS::AtLeastOnce),
            retain: true,
            properties: Properties::default(),
        })
    }

    /// Removes rows last seen on `topic` (an empty message there means the
    /// retained alarm was deleted). Returns how many.
    fn clear_topic(&mut self, topic: &str) -> usize {
        let keys: Vec<AlarmKey> = self
            .alarms
            .values()
            .filter(|a| a.topic == topic)
            .map(|a| a.key.clone())
            .collect();
        for key in &keys {
            self.clear(key, false);
        }
        keys.len()
    }

    /// Rows `view` admits, unacknowledged first, then most severe, then most
    /// recent; at most `limit` of them, and how many matched in all.
    pub fn visible(&self, view: &AlarmView, limit: usize) -> (Vec<&Alarm>, usize) {
        let rows: Vec<&Alarm> = self.alarms.values().filter(|a| view.admits(a)).collect();
        let total = rows.len();
        let rows = super::more::first_sorted(rows, limit, |a, b| {
            (
                a.acknowledged,
                a.severity,
                std::cmp::Reverse(a.last_seen),
                &a.key,
            )
                .cmp(&(
                    b.acknowledged,
                    b.severity,
                    std::cmp::Reverse(b.last_seen),
                    &b.key,
                ))
        });
        (rows, total)
    }

    /// Highest revision so far; changes whenever any row changes.
    pub fn revision(&self) -> u64 {
        self.revision
    }
}
