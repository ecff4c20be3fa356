//! What the alarm board listens to, how it reads payloads, and how bad an
//! alarm is.

use serde::{Deserialize, Serialize};

use crate::app::dashboard::message::filter_matches;

/// How bad an alarm is; ordered most severe first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Severity {
    /// Act now (fire, intrusion). Topics under `critical/` are always critical.
    Critical,
    /// Act soon.
    Major,
    /// Look at it today.
    Minor,
    /// For the record.
    Info,
}

impl Severity {
    /// Every severity, most severe first.
    pub const ALL: [Severity; 4] = [
        Severity::Critical,
        Severity::Major,
        Severity::Minor,
        Severity::Info,
    ];

    /// Reads a severity word as devices commonly send it (case-insensitive).
    pub fn parse(word: &str) -> Option<Severity> {
        match word.trim().to_ascii_lowercase().as_str() {
            "critical" | "crit" | "fatal" | "emergency" | "severe" => Some(Severity::Critical),
            "major" | "high" | "error" | "alarm" => Some(Severity::Major),
            "minor" | "warning" | "warn" | "medium" | "low" => Some(Severity::Minor),
            "info" | "information" | "notice" | "normal" | "ok" => Some(Severity::Info),
            _ => None,
        }
    }

    /// Lower-case label, also the CSS class suffix.
    pub fn label(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::Major => "major",
            Severity::Minor => "minor",
            Severity::Info => "info",
        }
    }

    /// The word the operator reads in `locale` ("critical" / "严重"); the
    /// CSS class and the CSV keep [`Severity::label`].
    pub fn word_in(self, locale: crate::i18n::Locale) -> &'static str {
        use crate::i18n::td_string;
        match self {
            Severity::Critical => td_string!(locale, dashboard.severity.critical),
            Severity::Major => td_string!(locale, dashboard.severity.major),
            Severity::Minor => td_string!(locale, dashboard.severity.minor),
            Severity::Info => td_string!(locale, dashboard.severity.info),
        }
    }
}

/// JSON field names read from alarm payloads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AlarmFields {
    /// Alarm type, e.g. `"alarm": "fire"`.
    pub alarm_type: String,
    /// Zone, e.g. `"zone": "A-12"`.
    pub zone: String,
    /// Severity word.
    pub severity: String,
    /// Application message id, for duplicate detection.
    pub message_id: String,
}

impl Default for AlarmFields {
    fn default() -> Self {
        AlarmFields {
            alarm_type: "alarm".into(),
            zone: "zone".into(),
            severity: "severity".into(),
            message_id: "msg_id".into(),
        }
    }
}

/// What the alarm board listens to and how it reads payloads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AlarmSettings {
    /// Topic filters carrying alarms.
    pub filters: Vec<String>,
    /// Field names.
    pub fields: AlarmFields,
    /// Severity when the payload names none and the topic is not `critical/...`.
    pub default_severity: Severity,
}

impl Default for AlarmSettings {
    fn default() -> Self {
        AlarmSettings {
            filters: vec!["alarms/#".into(), "critical/#".into()],
            fields: AlarmFields::default(),
            default_severity: Severity::Major,
        }
    }
}

impl AlarmSettings {
    /// Whether `topic` is an alarm topic.
    pub fn matches(&self, topic: &str) -> bool {
        self.filters.iter().any(|f| filter_matches(f, topic))
    }
}
