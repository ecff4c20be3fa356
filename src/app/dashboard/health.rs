//! Health: the usual QoS best practices, measured from the session's events.
//!
//! - QoS 2 completion rate ("监控 QoS 2 消息的完成率": many unfinished
//!   handshakes mean a problem) and handshakes open longer than a threshold;
//! - messages in and out per QoS level, in flight now, retries, duplicates
//!   suppressed, handshake latency (average and p99);
//! - a warning when one topic carries messages at different QoS levels
//!   ("避免: 在同一 Topic 中混用不同 QoS 级别").
//!
//! Everything comes from the session's one event stream (`Delivered`,
//! `PacketSent`, `Flow`, `Retry`, `DuplicateSuppressed`, `PublishComplete`);
//! the panel keeps counters, never protocol state of its own. Caps: [`MAX_OPEN_FLOWS`] open flows
//! tracked, [`LATENCY_SAMPLES`] latency samples for the p99,
//! [`MAX_TOPICS`] topics for the mixed-QoS check, [`MAX_STUCK_LISTED`]
//! stuck handshakes listed.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::lru::{LruOrder, Ring};
use crate::mqtt::packet::{Packet, PacketId, QoS};
use crate::mqtt::session::{Event, EventKind, FlowDirection, FlowState};

/// Open flows tracked at most (Receive Maximum bounds real sessions far below).
pub const MAX_OPEN_FLOWS: usize = 4096;
/// Latency samples kept for the p99 (the most recent ones).
pub const LATENCY_SAMPLES: usize = 1024;
/// Topics remembered for the mixed-QoS check (least recently used evicted).
pub const MAX_TOPICS: usize = 512;
/// Stuck handshakes listed by name in a snapshot.
pub const MAX_STUCK_LISTED: usize = 20;

/// Thresholds for the health panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct HealthSettings {
    /// A QoS 2 handshake open longer than this is reported, ms.
    pub stuck_handshake_ms: u64,
}

impl Default for HealthSettings {
    fn default() -> Self {
        HealthSettings {
            stuck_handshake_ms: 5_000,
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct OpenFlow {
    qos: QoS,
    started: u64,
}

/// Messages per QoS level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct QosTraffic {
    /// Messages delivered to us (effective QoS).
    pub received: u64,
    /// PUBLISH packets sent (first transmissions; resends are retries).
    pub sent: u64,
    /// Flows of this level open now.
    pub in_flight: usize,
}

/// A QoS 2 handshake open longer than the threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StuckHandshake {
    /// Packet id.
    pub packet_id: PacketId,
    /// Our side of it.
    pub direction: FlowDirection,
    /// How long it has been open, ms.
    pub age_ms: u64,
}

/// A topic that carried messages at more than one QoS level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MixedQosTopic {
    /// Topic name.
    pub topic: String,
    /// The levels seen, lowest first.
    pub levels: Vec<QoS>,
}

/// What the health panel shows at one moment.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct HealthSnapshot {
    /// Per QoS level 0, 1, 2.
    pub per_qos: [QosTraffic; 3],
    /// QoS 2 handshakes started, completed, abandoned.
    pub qos2_started: u64,
    /// Completed.
    pub qos2_completed: u64,
    /// Abandoned (session lost, rejected).
    pub qos2_abandoned: u64,
    /// Open longer than the threshold (count, and the oldest few).
    pub stuck_count: usize,
    /// The oldest stuck handshakes, at most [`MAX_STUCK_LISTED`].
    pub stuck: Vec<StuckHandshake>,
    /// Resends (PUBLISH with DUP=1, PUBREL again): the session's `Retry` events.
    pub retries: u64,
    /// Incoming QoS 2 repeats the session did not deliver again (`DuplicateSuppressed`).
    pub duplicates_suppressed: u64,
    /// Average latency of completed outgoing QoS>0 publishes (`PublishComplete`), ms.
    pub latency_avg_ms: Option<f64>,
    /// p99 over the last [`LATENCY_SAMPLES`] completed flows, ms.
    pub latency_p99_ms: Option<u64>,
    /// Topics seen at more than one QoS level.
    pub mixed_qos: Vec<MixedQosTopic>,
}

impl HealthSnapshot {
    /// Completed / finished QoS 2 handshakes, when any finished.
    pub fn qos2_completion_rate(&self) -> Option<f64> {
        let finished = self.qos2_completed + self.qos2_abandoned;
        (finished > 0).then(|| self.qos2_completed as f64 / finished as f64)
    }

    /// Flows open now, all levels.
    pub fn in_flight(&self) -> usize {
        self.per_qos.iter().map(|q| q.in_flight).sum()
    }
}

/// Counters fed by session events.
#[derive(Debug, Clone)]
pub struct Health {
    settings: HealthSettings,
    received: [u64; 3],
    sent: [u64; 3],
    open: HashMap<(bool, PacketId), OpenFlow>,
    qos2_started: u64,
    qos2_completed: u64,
    qos2_abandoned: u64,
    retries: u64,
    duplicates_suppressed: u64,
    latency_count: u64,
    latency_sum: u64,
    latencies: Ring<u64>,
    topic_levels: HashMap<String, u8>,
    topic_recency: LruOrder<String>,
    revision: u64,
}

impl Default for Health {
    fn default() -> Self {
        Health::new(HealthSettings::default())
    }
}

fn is_outgoing(direction: FlowDirection) -> bool {
    direction == FlowDirection::Outgoing
}

impl Health {
    /// Empty counters.
    pub fn new(settings: HealthSettings) -> Self {
        Health {
            settings,
            received: [0; 3],
            sent: [0; 3],
            open: HashMap::new(),
            qos2_started: 0,
            qos2_completed: 0,
            qos2_abandoned: 0,
            retries: 0,
            duplicates_suppressed: 0,
            latency_count: 0,
            latency_sum: 0,
            latencies: Ring::new(LATENCY_SAMPLES),
            topic_levels: HashMap::new(),
            topic_recency: LruOrder::new(MAX_TOPICS),
            revision: 0,
        }
    }

    /// Current thresholds.
    pub fn settings(&self) -> HealthSettings {
        self.settings
    }

    /// Replaces the thresholds.
    pub fn set_settings(&mut self, settings: HealthSettings) {
        self.settings = settings;
        self.revision += 1;
    }

    /// Changes whenever a counter changes.
    pub fn revision(&self) -> u64 {
        self.revision
    }

    /// Takes in one session event.
    pub fn on_event(&mut self, event: &Event) {
        self.revision += 1;
        match &event.kind {
            EventKind::PacketSent {
                packet: Packet::Publish(publish),
                ..
            } if !publish.dup => {
                self.sent[publish.qos as usize] += 1;
                self.note_topic_level(&publish.topic, publish.qos);
            }
            EventKind::Delivered { message } => {
                self.received[message.qos as usize] += 1;
                self.note_topic_level(&message.topic, message.qos);
            }
            EventKind::Flow {
                packet_id,
                direction,
                qos,
                to,
                ..
            } => self.on_flow(event.at, *packet_id, *direction, *qos, *to),
            EventKind::Retry { .. } => self.retries += 1,
            EventKind::DuplicateSuppressed { .. } => self.duplicates_suppressed += 1,
            EventKind::PublishComplete { latency_ms, .. } => self.record_latency(*latency_ms),
            _ => {}
        }
    }

    fn on_flow(
        &mut self,
        at: u64,
        id: PacketId,
        direction: FlowDirection,
        qos: QoS,
        to: FlowState,
    ) {
        let key = (is_outgoing(direction), id);
        match to {
            FlowState::Done => self.finish(key, qos, true),
            FlowState::Abandoned => self.finish(key, qos, false),
            FlowState::Queued | FlowState::New => {}
            _ => self.open_flow(at, key, qos),
        }
    }

    fn open_flow(&mut self, at: u64, key: (bool, PacketId), qos: QoS) {
        if self.open.contains_key(&key) || self.open.len() >= MAX_OPEN_FLOWS {
            return;
        }
        self.open.insert(key, OpenFlow { qos, started: at });
        if qos == QoS::ExactlyOnce {
            self.qos2_started += 1;
        }
    }

    fn finish(&mut self, key: (bool, PacketId), qos: QoS, completed: bool) {
        if self.open.remove(&key).is_none() || qos != QoS::ExactlyOnce {
            return;
        }
        if completed {
            self.qos2_completed += 1;
        } else {
            self.qos2_abandoned += 1;
        }
    }

    /// Records one completed handshake's latency, ms.
    pub fn record_latency(&mut self, latency_ms: u64) {
        self.latency_count += 1;
        self.latency_sum = self.latency_sum.saturating_add(latency_ms);
        self.latencies.push(latency_ms);
    }

    fn note_topic_level(&mut self, topic: &str, qos: QoS) {
        if let Some(levels) = self.topic_levels.get_mut(topic) {
            *levels |= 1 << qos as u8;
        } else {
            self.topic_levels.insert(topic.to_owned(), 1 << qos as u8);
        }
        if let Some(evicted) = self.topic_recency.touch_ref(topic) {
            self.topic_levels.remove(&evicted);
        }
    }

    /// Number of flows open now.
    pub fn open_flows(&self) -> usize {
        self.open.len()
    }

    /// Number of topics remembered for the mixed-QoS check.
    pub fn topics_tracked(&self) -> usize {
        self.topic_levels.len()
    }

    /// The panel's numbers at `now` (ms, same clock as the events).
    pub fn snapshot(&self, now: u64) -> HealthSnapshot {
        let mut per_qos = [QosTraffic::default(); 3];
        for (level, traffic) in per_qos.iter_mut().enumerate() {
            traffic.received = self.received[level];
            traffic.sent = self.sent[level];
        }
        for flow in self.open.values() {
            per_qos[flow.qos as usize].in_flight += 1;
        }
        let (stuck_count, stuck) = self.stuck(now);
        HealthSnapshot {
            per_qos,
            qos2_started: self.qos2_started,
            qos2_completed: self.qos2_completed,
            qos2_abandoned: self.qos2_abandoned,
            stuck_count,
            stuck,
            retries: self.retries,
            duplicates_suppressed: self.duplicates_suppressed,
            latency_avg_ms: (self.latency_count > 0)
                .then(|| self.latency_sum as f64 / self.latency_count as f64),
            latency_p99_ms: percentile(self.latencies.iter().copied(), 99),
            mixed_qos: self.mixed_qos(),
        }
    }

    fn stuck(&self, now: u64) -> (usize, Vec<StuckHandshake>) {
        let threshold = self.settings.stuck_handshake_ms;
        let mut stuck: Vec<StuckHandshake> = self
            .open
            .iter()
            .filter(|(_, f)| f.qos == QoS::ExactlyOnce && now.saturating_sub(f.started) > threshold)
            .map(|(&(outgoing, packet_id), f)| StuckHandshake {
                packet_id,
                direction: if outgoing {
                    FlowDirection::Outgoing
                } else {
                    FlowDirection::Incoming
                },
                age_ms: now.saturating_sub(f.started),
            })
            .collect();
        let count = stuck.len();
        stuck.sort_by_key(|s| std::cmp::Reverse(s.age_ms));
        stuck.truncate(MAX_STUCK_LISTED);
        (count, stuck)
    }

    fn mixed_qos(&self) -> Vec<MixedQosTopic> {
        let mut mixed: Vec<MixedQosTopic> = self
            .topic_levels
            .iter()
            .filter(|(_, mask)| mask.count_ones() > 1)
            .map(|(topic, mask)| MixedQosTopic {
                topic: topic.clone(),
                levels: (0..3)
                    .filter(|l| mask & (1 << l) != 0)
                    .filter_map(QoS::from_u8)
                    .collect(),
            })
            .collect();
        mixed.sort_by(|a, b| a.topic.cmp(&b.topic));
        mixed
    }
}

/// The `pct`th percentile (nearest rank) of `values`.
pub fn percentile(values: impl Iterator<Item = u64>, pct: u8) -> Option<u64> {
    let mut sorted: Vec<u64> = values.collect();
    if sorted.is_empty() {
        return None;
    }
    sorted.sort_unstable();
    let rank = (sorted.len() * pct.min(100) as usize).div_ceil(100).max(1);
    sorted.get(rank - 1).copied()
}
