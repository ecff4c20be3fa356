//! Keeping the alarm list across a reload: the rows, the message ids seen
//! and the acknowledgements, and bringing them back marked restored.

use serde::{Deserialize, Serialize};

use super::{Alarm, AlarmBoard, AlarmKey, AlarmStats};

impl AlarmBoard {
    /// Keys acknowledged by the operator (shown or remembered), for persistence.
    pub fn acknowledged_keys(&self) -> Vec<AlarmKey> {
        let mut keys: Vec<AlarmKey> = self.remembered_acks.keys().cloned().collect();
        keys.sort();
        keys
    }

    /// Restores acknowledgements saved before a reload: retained replays of
    /// these alarms arrive acknowledged.
    pub fn restore_acknowledged(&mut self, keys: impl IntoIterator<Item = AlarmKey>) {
        for key in keys {
            if let Some(alarm) = self.alarms.get_mut(&key) {
                if !alarm.acknowledged {
                    alarm.acknowledged = true;
                    self.unacknowledged -= 1;
                }
            }
            self.remembered_acks.touch(key);
        }
    }

    /// Rows shown from before a reload that no live message confirmed yet.
    pub fn restored(&self) -> usize {
        self.alarms.values().filter(|a| a.restored).count()
    }

    /// What a reload should bring back: the `max_rows` most recently seen
    /// rows (payloads cut to `max_payload` characters), the `max_ids` newest
    /// message ids (so a resend after the reload is still caught), and the
    /// totals.
    pub fn saved(&self, max_rows: usize, max_ids: usize, max_payload: usize) -> SavedAlarms {
        let mut rows: Vec<Alarm> = self
            .recency
            .in_order()
            .rev()
            .take(max_rows)
            .filter_map(|key| self.alarms.get(key))
            .cloned()
            .collect();
        rows.reverse();
        for row in &mut rows {
            if let Some((cut, _)) = row.payload_text.char_indices().nth(max_payload) {
                row.payload_text.truncate(cut);
                row.payload_text.push('…');
            }
        }
        SavedAlarms {
            rows,
            ids: self.seen_ids.newest(max_ids),
            stats: self.stats,
        }
    }

    /// Brings back what [`AlarmBoard::saved`] kept, each row marked
    /// restored until a live message for it arrives. Rows already on the
    /// board stay as they are.
    pub fn restore(&mut self, saved: SavedAlarms) {
        self.seen_ids.remember_all(&saved.ids);
        for mut alarm in saved.rows {
            if self.alarms.contains_key(&alarm.key) {
                continue;
            }
            self.bump_revision();
            alarm.restored = true;
            alarm.revision = self.revision;
            alarm.acknowledged |= self.remembered_acks.contains(&alarm.key);
            if !alarm.acknowledged {
                self.unacknowledged += 1;
            }
            let key = alarm.key.clone();
            self.alarms.insert(key.clone(), alarm);
            if let Some(evicted) = self.recency.touch(key) {
                self.evict(&evicted);
            }
        }
        self.stats = saved.stats;
    }
}

/// The alarm list as saved across a reload (oldest row first).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SavedAlarms {
    /// Rows, least recently seen first.
    pub rows: Vec<Alarm>,
    /// Message ids already seen, oldest first.
    pub ids: Vec<String>,
    /// Running totals.
    pub stats: AlarmStats,
}
