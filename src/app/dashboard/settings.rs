//! Settings and what survives a reload: topic filters, field names,
//! thresholds, alert opt-ins and acknowledged alarms, as JSON in a
//! key-value store (the browser's localStorage in the app).
//!
//! Loading never fails: missing, unavailable or corrupt storage gives the
//! defaults, and unknown or missing fields take their defaults
//! (`#[serde(default)]`), so an older saved state still loads.

use serde::{Deserialize, Serialize};

use super::alarms::{AlarmKey, AlarmSettings, MAX_REMEMBERED_ACKS};
use super::health::HealthSettings;
use super::inventory::InventorySettings;
use super::traffic::TrafficSettings;

/// The storage key.
pub const STORAGE_KEY: &str = "qoscope.dashboard.v1";

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

/// A string key-value store; implementations swallow their own errors.
pub trait KeyValueStore {
    /// The value under `key`, if readable.
    fn load(&self, key: &str) -> Option<String>;
    /// Stores `value` under `key`; false when storage refused it.
    fn save(&self, key: &str, value: &str) -> bool;
}

/// An in-memory store, for tests and when the browser offers none.
#[derive(Debug, Default)]
pub struct MemoryStore {
    entries: std::cell::RefCell<std::collections::HashMap<String, String>>,
}

impl KeyValueStore for MemoryStore {
    fn load(&self, key: &str) -> Option<String> {
        self.entries.borrow().get(key).cloned()
    }

    fn save(&self, key: &str, value: &str) -> bool {
        self.entries
            .borrow_mut()
            .insert(key.to_owned(), value.to_owned());
        true
    }
}

impl SavedState {
    /// The saved state, or the defaults when there is none or it is unreadable.
    pub fn load(store: &dyn KeyValueStore) -> SavedState {
        store
            .load(STORAGE_KEY)
            .and_then(|json| serde_json::from_str::<SavedState>(&json).ok())
            .map(SavedState::bounded)
            .unwrap_or_default()
    }

    /// Writes the state; false when it could not be stored.
    pub fn save(&self, store: &dyn KeyValueStore) -> bool {
        match serde_json::to_string(self) {
            Ok(json) => store.save(STORAGE_KEY, &json),
            Err(_) => false,
        }
    }

    /// Cuts lists read from storage to the caps the models keep.
    fn bounded(mut self) -> SavedState {
        self.acknowledged.truncate(MAX_REMEMBERED_ACKS);
        self
    }
}
