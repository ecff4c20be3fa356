//! The demo traffic generator: fire and security alarms and stock movements,
//! at a chosen rate and QoS, as publish intents that the app's connection
//! sends through the real broker.
//!
//! Deterministic (a seeded xorshift), so a demo and a test see the same
//! sequence. Each call to [`TrafficGenerator::due`] returns the messages owed
//! since the last call, at most [`MAX_BATCH`] (a tab asleep for an hour does
//! not flood the broker when it wakes).

use serde::{Deserialize, Serialize};

use super::message::Incoming;
use crate::mqtt::packet::{Properties, QoS};
use crate::mqtt::session::PublishRequest;

/// Most messages returned by one call.
pub const MAX_BATCH: usize = 2000;
/// Highest rate offered, messages per second.
pub const MAX_RATE: u32 = 20_000;

const ZONES: [&str; 6] = ["A-12", "A-14", "B-03", "C-07", "Dock-1", "Gate-3"];
const SKUS: [&str; 8] = [
    "A-100", "A-101", "A-205", "B-310", "B-311", "C-042", "C-077", "D-900",
];

/// What the generator sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TrafficSettings {
    /// Messages per second (1..=[`MAX_RATE`]).
    pub rate_per_s: u32,
    /// QoS of every publish.
    pub qos: QoS,
    /// Fire alarms on `critical/alarm`.
    pub fire: bool,
    /// Security alarms on `alarms/security`.
    pub security: bool,
    /// Stock movements on `inventory/<sku>`.
    pub stock: bool,
    /// Put a `msg_id` in each message, so receivers can deduplicate.
    pub message_ids: bool,
}

impl Default for TrafficSettings {
    fn default() -> Self {
        TrafficSettings {
            rate_per_s: 5,
            qos: QoS::AtLeastOnce,
            fire: true,
            security: true,
            stock: true,
            message_ids: true,
        }
    }
}

/// Produces demo publishes at a steady rate.
#[derive(Debug, Clone)]
pub struct TrafficGenerator {
    settings: TrafficSettings,
    rng: u64,
    sequence: u64,
    last_at: Option<u64>,
    owed: f64,
}

impl TrafficGenerator {
    /// A generator starting its clock at the first call to `due`.
    pub fn new(settings: TrafficSettings, seed: u64) -> Self {
        TrafficGenerator {
            settings,
            rng: seed | 1,
            sequence: 0,
            last_at: None,
            owed: 0.0,
        }
    }

    /// Current settings.
    pub fn settings(&self) -> TrafficSettings {
        self.settings
    }

    /// Replaces the settings (the rate applies from now on).
    pub fn set_settings(&mut self, settings: TrafficSettings) {
        self.settings = settings;
    }

    /// Messages sent so far.
    pub fn sent(&self) -> u64 {
        self.sequence
    }

    /// Restarts the clock at `now` while stopped, so starting again sends
    /// no backlog.
    pub fn idle(&mut self, now: u64) {
        self.last_at = Some(now);
        self.owed = 0.0;
    }

    /// The publishes owed at `now` (ms) since the previous call.
    pub fn due(&mut self, now: u64) -> Vec<PublishRequest> {
        let elapsed = now.saturating_sub(self.last_at.unwrap_or(now));
        self.last_at = Some(now);
        let rate = f64::from(self.settings.rate_per_s.clamp(1, MAX_RATE));
        self.owed = (self.owed + elapsed as f64 * rate / 1000.0).min(MAX_BATCH as f64);
        let count = self.owed.floor() as usize;
        self.owed -= count as f64;
        (0..count).filter_map(|_| self.next_publish()).collect()
    }

    /// The next message, or None when every kind is switched off.
    pub fn next_publish(&mut self) -> Option<PublishRequest> {
        let s = self.settings;
        let kinds: Vec<u8> = [
            (s.fire, 0u8),
            (s.security, 1),
            (s.stock, 2),
            (s.stock, 2),
            (s.stock, 2),
        ]
        .into_iter()
        .filter(|(on, _)| *on)
        .map(|(_, kind)| kind)
        .collect();
        if kinds.is_empty() {
            return None;
        }
        self.sequence += 1;
        let kind = kinds[(self.random() % kinds.len() as u64) as usize];
        let (topic, payload) = match kind {
            0 => self.fire_alarm(),
            1 => self.security_alarm(),
            _ => self.stock_movement(),
        };
        Some(PublishRequest {
            topic,
            payload: payload.into_bytes(),
            qos: s.qos,
            retain: false,
            properties: Properties::default(),
        })
    }

    fn fire_alarm(&mut self) -> (String, String) {
        let zone = self.pick(&ZONES);
        let id = self.id_field();
        (
            "critical/alarm".into(),
            format!(r#"{{"alarm":"fire","zone":"{zone}"{id}}}"#),
        )
    }

    fn security_alarm(&mut self) -> (String, String) {
        let zone = self.pick(&ZONES);
        let (what, severity) = if self.random().is_multiple_of(3) {
            ("door-forced", "major")
        } else {
            ("motion", "minor")
        };
        let id = self.id_field();
        (
            "alarms/security".into(),
            format!(r#"{{"alarm":"{what}","zone":"{zone}","severity":"{severity}"{id}}}"#),
        )
    }

    fn stock_movement(&mut self) -> (String, String) {
        let sku = self.pick(&SKUS);
        let id = self.id_field();
        let payload = if self.sequence <= SKUS.len() as u64 || self.random().is_multiple_of(50) {
            let level = 20 + self.random() % 60;
            format!(r#"{{"sku":"{sku}","level":{level}{id}}}"#)
        } else {
            let delta = (self.random() % 7) as i64 - 4;
            format!(r#"{{"sku":"{sku}","delta":{delta}{id}}}"#)
        };
        (format!("inventory/{sku}"), payload)
    }

    fn id_field(&self) -> String {
        if self.settings.message_ids {
            format!(r#","msg_id":"gen-{}""#, self.sequence)
        } else {
            String::new()
        }
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.random() % items.len() as u64) as usize]
    }

    /// xorshift64: deterministic, no allocation, good enough for demo data.
    fn random(&mut self) -> u64 {
        let mut x = self.rng;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.rng = x;
        x
    }
}

/// The `i`th message of the flood used by the native flood test and the
/// browser bench: alarms over many zones, deltas over many SKUs (more than
/// the caps, so eviction runs), duplicates, levels, and payloads that are
/// not JSON.
pub fn synthetic_message(i: u64) -> Incoming {
    let at = i / 20; // 20,000 messages per second of message time
    let (topic, payload, qos, dup) = match i % 10 {
        0 => (
            "critical/alarm".to_owned(),
            format!(
                r#"{{"alarm":"fire","zone":"Z-{}","msg_id":"f{i}"}}"#,
                i % 30_000
            ),
            QoS::ExactlyOnce,
            false,
        ),
        1 => (
            "alarms/security".to_owned(),
            format!(
                r#"{{"alarm":"motion","zone":"Z-{}","severity":"minor"}}"#,
                i % 50
            ),
            QoS::AtLeastOnce,
            i.is_multiple_of(7),
        ),
        2 => (
            "alarms/raw".to_owned(),
            format!("<b>not json</b> #{i}"),
            QoS::AtMostOnce,
            false,
        ),
        3 => (
            format!("inventory/S-{}", i % 40),
            format!(r#"{{"level":{}}}"#, i % 100),
            QoS::ExactlyOnce,
            false,
        ),
        4 => (
            "sensors/temperature".to_owned(),
            "21.5".to_owned(),
            QoS::AtMostOnce,
            false,
        ),
        _ => {
            // Every 9th delta repeats an earlier id, as a QoS 1 resend would.
            let id = if i.is_multiple_of(9) {
                i.saturating_sub(10)
            } else {
                i
            };
            (
                format!("inventory/S-{}", id % 4000),
                format!(r#"{{"delta":-1,"msg_id":"d{id}"}}"#),
                QoS::AtLeastOnce,
                i.is_multiple_of(9),
            )
        }
    };
    Incoming {
        at,
        topic,
        payload: payload.into_bytes(),
        qos,
        retain: false,
        dup,
        packet_id: (qos != QoS::AtMostOnce).then_some((i % 65_535 + 1) as u16),
    }
}
