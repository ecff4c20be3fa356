//! Settings and what survives a reload: topic filters, field names,
//! thresholds, alert opt-ins and acknowledged alarms, as JSON in a
//! key-value store (the browser's localStorage in the app).
//!
//! Loading never fails: missing, unavailable or corrupt storage gives the
//! defaults, and unknown or missing fields take their defaults
//! (`#[serde(default)]`), so an older saved state still loads.

use serde::{Deserialize, Serialize};

use super::alarms::{AlarmKey, AlarmSettings, SavedAlarms, MAX_REMEMBERED_ACKS};
use super::health::HealthSettings;
use super::inventory::{InventorySettings, SavedStock};
use super::traffic::TrafficSettings;

use crate::net::storage::Store;
/// The storage key of the alarm list and stock table ([`SavedBoard`]).
pub use crate::net::storage::DASHBOARD_BOARD_KEY as BOARD_KEY;
/// The storage key of settings and acknowledgements.
pub use crate::net::storage::DASHBOARD_KEY as STORAGE_KEY;

/// Most alarm rows a reload brings back.
pub const SAVED_ALARMS: usize = 500;
/// Most SKUs a reload brings back.
pub const SAVED_SKUS: usize = 1000;
/// History points kept per SKU across a reload.
pub const SAVED_HISTORY: usize = 20;
/// Message ids kept per table across a reload, for duplicate detection: as
/// many as the stock table remembers while running, so that a broker
/// repeating old messages after its restart (Mosquitto does, to a persistent
/// session) meets the same window after a reload as before it.
pub const SAVED_IDS: usize = super::inventory::MAX_REMEMBERED_IDS;
/// Characters of an alarm's payload kept across a reload.
pub const SAVED_PAYLOAD_CHARS: usize = 512;

/// Alert opt-ins for critical alarms (both off until the operator asks).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct AlertSettings {
    /// A short beep (WebAudio) on a new critical alarm.
    pub sound: bool,
    /// A browser notification on a new critical alarm.
    pub notifications: bool,
}

/// Every setting of the dashboard.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct DashboardSettings {
    /// Alarm topics and fields.
    pub alarms: AlarmSettings,
    /// Inventory topics, fields and thresholds.
    pub inventory: InventorySettings,
    /// Health thresholds.
    pub health: HealthSettings,
    /// Alert opt-ins.
    pub alerts: AlertSettings,
    /// The demo traffic generator's last settings.
    pub traffic: TrafficSettings,
}

/// What is written to storage.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SavedState {
    /// Settings.
    pub settings: DashboardSettings,
    /// Alarms the operator acknowledged.
    pub acknowledged: Vec<AlarmKey>,
}

impl SavedState {
    /// The saved state, or the defaults when there is none or it is unreadable.
    pub fn load(store: &dyn Store) -> SavedState {
        store
            .get(STORAGE_KEY)
            .and_then(|json| serde_json::from_str::<SavedState>(&json).ok())
            .map(SavedState::bounded)
            .unwrap_or_default()
    }

    /// Writes the state; false when it could not be stored.
    pub fn save(&self, store: &dyn Store) -> bool {
        match serde_json::to_string(self) {
            Ok(json) => store.set(STORAGE_KEY, &json).is_ok(),
            Err(_) => false,
        }
    }

    /// Cuts lists read from storage to the caps the models keep.
    fn bounded(mut self) -> SavedState {
        self.acknowledged.truncate(MAX_REMEMBERED_ACKS);
        self
    }
}

/// The alarm list and the stock table as they were, so that a reload (or a
/// crash) comes back to what the operator was watching. Bounded by the
/// `SAVED_*` caps; written apart from the settings because it changes with
/// every message, and it is written at most every few seconds.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SavedBoard {
    /// When it was saved, Unix ms.
    pub saved_at: u64,
    /// Alarm rows, recent message ids and totals.
    pub alarms: SavedAlarms,
    /// SKUs, recent message ids and totals.
    pub stock: SavedStock,
}

impl SavedBoard {
    /// The saved board, if there is a readable one.
    pub fn load(store: &dyn Store) -> Option<SavedBoard> {
        let json = store.get(BOARD_KEY)?;
        serde_json::from_str::<SavedBoard>(&json)
            .ok()
            .map(SavedBoard::bounded)
    }

    /// Writes the board; the bytes written, or None when storage refused them.
    pub fn save(&self, store: &dyn Store) -> Option<usize> {
        let json = serde_json::to_string(self).ok()?;
        store.set(BOARD_KEY, &json).ok().map(|()| json.len())
    }

    /// Whether there is nothing to bring back.
    pub fn is_empty(&self) -> bool {
        self.alarms.rows.is_empty() && self.stock.items.is_empty()
    }

    /// Cuts what storage held to the caps (a stored copy may be from a
    /// version with larger ones, or edited by hand).
    fn bounded(mut self) -> SavedBoard {
        let keep_newest = |len: usize, cap: usize| len.saturating_sub(cap);
        self.alarms
            .rows
            .drain(..keep_newest(self.alarms.rows.len(), SAVED_ALARMS));
        self.alarms
            .ids
            .drain(..keep_newest(self.alarms.ids.len(), SAVED_IDS));
        self.stock
            .items
            .drain(..keep_newest(self.stock.items.len(), SAVED_SKUS));
        self.stock
            .ids
            .drain(..keep_newest(self.stock.ids.len(), SAVED_IDS));
        self
    }
}
