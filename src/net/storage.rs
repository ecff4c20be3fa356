//! localStorage helpers that never panic, and every key the app stores under
//! (one place, so two features never share a key by accident).
//!
//! Storage can be disabled (private windows, policies) or full (quota); both
//! become a [`StorageError`] with a sentence for the user.

use std::fmt;

/// Key of the dashboard's settings and acknowledgements.
pub const DASHBOARD_KEY: &str = "qoscope.dashboard.v1";
/// Key of the dashboard's alarm list and stock table, kept for a reload.
pub const DASHBOARD_BOARD_KEY: &str = "qoscope.dashboard.board.v1";
/// Prefix of the keys of client sessions kept for a reload (Clean Session
/// off), one per broker URL, version and client id.
pub const SESSION_KEY_PREFIX: &str = "qoscope.session.v1";
/// Key of the visualiser's last mode (live or simulated).
pub const VISUALISER_MODE_KEY: &str = "qoscope.visualiser-mode";

/// Key of the last QoS lab run, shown again after a reload.
pub const LAB_LAST_RUN_KEY: &str = "qoscope.lab.last-run.v1";

/// Key of the saved connection profiles.
pub const PROFILES_KEY: &str = "qoscope.profiles";
/// Key of the interface language the reader chose ("en" / "zh-CN").
pub const LOCALE_KEY: &str = "qoscope.locale";
/// Key of the chosen theme ("light" / "dark").
pub const THEME_KEY: &str = "qoscope.theme";
/// Key of the last used connection form.
pub const LAST_FORM_KEY: &str = "qoscope.last-form";
/// Key of what a reload resumes (`app::resume::Resume`).
pub const RESUME_KEY: &str = "qoscope.resume.v1";

/// Why storage could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StorageError {
    /// The browser gives no localStorage (disabled, or not a browser).
    Unavailable,
    /// Writing failed, usually because the quota is used up.
    WriteFailed,
}

impl fmt::Display for StorageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StorageError::Unavailable => f.write_str(
                "This browser does not allow local storage here, so nothing can be saved.",
            ),
            StorageError::WriteFailed => {
                f.write_str("Could not save: the browser's local storage is full or read-only.")
            }
        }
    }
}

#[cfg(target_arch = "wasm32")]
fn local_storage() -> Result<web_sys::Storage, StorageError> {
    web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .ok_or(StorageError::Unavailable)
}

/// The value stored under `key`, if storage works and there is one.
pub fn get(key: &str) -> Option<String> {
    #[cfg(target_arch = "wasm32")]
    {
        local_storage().ok()?.get_item(key).ok().flatten()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = key;
        None
    }
}

/// Stores `value` under `key`.
pub fn set(key: &str, value: &str) -> Result<(), StorageError> {
    #[cfg(target_arch = "wasm32")]
    {
        local_storage()?
            .set_item(key, value)
            .map_err(|_| StorageError::WriteFailed)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = (key, value);
        Err(StorageError::Unavailable)
    }
}

/// Removes `key`.
pub fn remove(key: &str) -> Result<(), StorageError> {
    #[cfg(target_arch = "wasm32")]
    {
        local_storage()?
            .remove_item(key)
            .map_err(|_| StorageError::WriteFailed)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = key;
        Err(StorageError::Unavailable)
    }
}

/// Every key that starts with `prefix`.
pub fn keys_with_prefix(prefix: &str) -> Vec<String> {
    #[cfg(target_arch = "wasm32")]
    {
        let Ok(storage) = local_storage() else {
            return Vec::new();
        };
        let len = storage.length().unwrap_or(0);
        (0..len)
            .filter_map(|i| storage.key(i).ok().flatten())
            .filter(|key| key.starts_with(prefix))
            .collect()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = prefix;
        Vec::new()
    }
}

/// A key-value store that state is written through: the browser's
/// [`LocalStorage`], or [`MemoryStorage`] where there is no browser (tests).
pub trait Store {
    /// The value under `key`, if there is a readable one.
    fn get(&self, key: &str) -> Option<String>;
    /// Stores `value` under `key`.
    fn set(&self, key: &str, value: &str) -> Result<(), StorageError>;
    /// Removes `key` (nothing to do if it is not there).
    fn remove(&self, key: &str);
    /// Every key that starts with `prefix`.
    fn keys_with_prefix(&self, prefix: &str) -> Vec<String>;
}

/// The browser's `localStorage`, through the functions above.
#[derive(Debug, Clone, Copy, Default)]
pub struct LocalStorage;

impl Store for LocalStorage {
    fn get(&self, key: &str) -> Option<String> {
        get(key)
    }
    fn set(&self, key: &str, value: &str) -> Result<(), StorageError> {
        set(key, value)
    }
    fn remove(&self, key: &str) {
        let _ = remove(key);
    }
    fn keys_with_prefix(&self, prefix: &str) -> Vec<String> {
        keys_with_prefix(prefix)
    }
}

/// A store in memory, counting writes; `full` makes every write fail, as a
/// browser's full or read-only storage does.
#[derive(Debug, Default)]
pub struct MemoryStorage {
    /// What is stored.
    pub entries: std::cell::RefCell<std::collections::BTreeMap<String, String>>,
    /// Writes and removals made.
    pub writes: std::cell::Cell<usize>,
    /// Refuse every write.
    pub full: std::cell::Cell<bool>,
}

impl Store for MemoryStorage {
    fn get(&self, key: &str) -> Option<String> {
        self.entries.borrow().get(key).cloned()
    }
    fn set(&self, key: &str, value: &str) -> Result<(), StorageError> {
        if self.full.get() {
            return Err(StorageError::WriteFailed);
        }
        self.writes.set(self.writes.get() + 1);
        self.entries
            .borrow_mut()
            .insert(key.to_owned(), value.to_owned());
        Ok(())
    }
    fn remove(&self, key: &str) {
        self.writes.set(self.writes.get() + 1);
        self.entries.borrow_mut().remove(key);
    }
    fn keys_with_prefix(&self, prefix: &str) -> Vec<String> {
        self.entries
            .borrow()
            .keys()
            .filter(|key| key.starts_with(prefix))
            .cloned()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storage_errors_read_as_sentences_for_the_user() {
        assert!(StorageError::WriteFailed.to_string().contains("full"));
        assert!(StorageError::Unavailable
            .to_string()
            .contains("nothing can be saved"));
    }

    #[test]
    fn outside_a_browser_storage_is_simply_unavailable() {
        assert_eq!(get(THEME_KEY), None);
        assert_eq!(set(THEME_KEY, "dark"), Err(StorageError::Unavailable));
    }
}
