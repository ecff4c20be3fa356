//! Saved connection profiles: named forms kept in local storage, and the
//! profiles box (save, load, delete) as plain data.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::ConnectionForm;
use crate::app::session_store::storage_error_in;
use crate::i18n::{td_string, Locale};
use crate::net::storage::{StorageError, Store, PROFILES_KEY};

/// A named, saved connection form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    /// The name shown in the list.
    pub name: String,
    /// The saved form.
    pub form: ConnectionForm,
}

/// Why saved profiles could not be read or a profile saved; in words by
/// [`ProfileError::words_in`] (English by `Display`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProfileError {
    /// The stored JSON is damaged: the parser's words (technical, English).
    Unreadable(String),
    /// Save without a name.
    NoName,
}

impl ProfileError {
    /// The problem in `locale`.
    pub fn words_in(&self, locale: Locale) -> String {
        match self {
            ProfileError::Unreadable(detail) => {
                td_string!(locale, client.profiles.unreadable, detail).to_string()
            }
            ProfileError::NoName => td_string!(locale, client.profiles.no_name).into(),
        }
    }
}

impl fmt::Display for ProfileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.words_in(Locale::en))
    }
}

/// All saved profiles, sorted by name.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Profiles {
    /// The profiles.
    pub profiles: Vec<Profile>,
}

impl Profiles {
    /// Reads profiles from their stored JSON; damaged data gives a message, not a panic.
    pub fn from_json(json: &str) -> Result<Profiles, ProfileError> {
        serde_json::from_str(json).map_err(|e| ProfileError::Unreadable(e.to_string()))
    }

    /// The JSON to store.
    pub fn to_json(&self) -> String {
        // Plain strings and enums only: serialising cannot fail.
        serde_json::to_string(self).unwrap_or_else(|_| "{\"profiles\":[]}".into())
    }

    /// Saves `form` under `name` (replacing a profile of that name); the password only if remembered.
    pub fn save(&mut self, name: &str, form: &ConnectionForm) -> Result<(), ProfileError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(ProfileError::NoName);
        }
        let profile = Profile {
            name: name.to_string(),
            form: form.for_storage(),
        };
        match self.profiles.iter_mut().find(|p| p.name == name) {
            Some(existing) => *existing = profile,
            None => self.profiles.push(profile),
        }
        self.profiles.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(())
    }

    /// The profile called `name`.
    pub fn get(&self, name: &str) -> Option<&Profile> {
        self.profiles.iter().find(|p| p.name == name)
    }

    /// Deletes the profile called `name`; true if there was one.
    pub fn delete(&mut self, name: &str) -> bool {
        let before = self.profiles.len();
        self.profiles.retain(|p| p.name != name);
        self.profiles.len() != before
    }
}

/// What the profiles box last did, kept as what happened so that it reads
/// in the language chosen now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProfileNote {
    /// Saved under this name.
    Saved(String),
    /// Loaded this one.
    Loaded(String),
    /// Deleted this one.
    Deleted(String),
    /// Load or Delete with no profile chosen.
    ChooseFirst,
    /// The profiles could not be read, or the one to save has no name.
    Profile(ProfileError),
    /// Storage refused the profiles.
    Storage(StorageError),
}

impl ProfileNote {
    /// The note in `locale`.
    pub fn words_in(&self, locale: Locale) -> String {
        match self {
            ProfileNote::Saved(name) => td_string!(locale, client.profiles.saved, name).to_string(),
            ProfileNote::Loaded(name) => {
                td_string!(locale, client.profiles.loaded, name).to_string()
            }
            ProfileNote::Deleted(name) => {
                td_string!(locale, client.profiles.deleted, name).to_string()
            }
            ProfileNote::ChooseFirst => td_string!(locale, client.profiles.choose_first).into(),
            ProfileNote::Profile(e) => e.words_in(locale),
            ProfileNote::Storage(e) => storage_error_in(e, locale).into(),
        }
    }
}

/// The profiles box as plain data: the saved profiles, the name typed, the
/// profile chosen in the list, and what the box last did. Its actions read
/// and write the profiles through a [`Store`], so the view only renders it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProfileShelf {
    /// The saved profiles.
    pub profiles: Profiles,
    /// The name typed under "Save as".
    pub name: String,
    /// The name chosen in the list (empty = none).
    pub selected: String,
    /// What the last action did.
    pub note: Option<ProfileNote>,
}

impl ProfileShelf {
    /// The profiles `store` holds; damaged data gives an empty shelf and a
    /// note saying why.
    pub fn read(store: &impl Store) -> ProfileShelf {
        let (profiles, note) = match store.get(PROFILES_KEY) {
            Some(json) => match Profiles::from_json(&json) {
                Ok(p) => (p, None),
                Err(e) => (Profiles::default(), Some(ProfileNote::Profile(e))),
            },
            None => (Profiles::default(), None),
        };
        ProfileShelf {
            profiles,
            note,
            ..ProfileShelf::default()
        }
    }

    /// The names in the list, sorted.
    pub fn names(&self) -> Vec<String> {
        self.profiles
            .profiles
            .iter()
            .map(|p| p.name.clone())
            .collect()
    }

    /// Saves `form` under the typed name, writes the profiles to `store`,
    /// and chooses the saved one.
    pub fn save(&mut self, form: &ConnectionForm, store: &impl Store) {
        let result = self
            .profiles
            .save(&self.name, form)
            .map_err(ProfileNote::Profile)
            .and_then(|_| self.write(store));
        self.note = Some(match result {
            Ok(()) => {
                let saved = self.name.trim().to_string();
                self.selected = saved.clone();
                ProfileNote::Saved(saved)
            }
            Err(e) => e,
        });
    }

    /// The chosen profile's form, to put in the connection form; its name
    /// becomes the typed one.
    pub fn load(&mut self) -> Option<ConnectionForm> {
        match self.profiles.get(&self.selected).cloned() {
            Some(profile) => {
                self.name = profile.name.clone();
                self.note = Some(ProfileNote::Loaded(profile.name));
                Some(profile.form)
            }
            None => {
                self.note = Some(ProfileNote::ChooseFirst);
                None
            }
        }
    }

    /// Deletes the chosen profile and writes the rest to `store`.
    pub fn delete(&mut self, store: &impl Store) {
        let chosen = std::mem::take(&mut self.selected);
        if self.profiles.delete(&chosen) {
            self.note = Some(match self.write(store) {
                Ok(()) => ProfileNote::Deleted(chosen),
                Err(e) => e,
            });
        } else {
            self.selected = chosen;
            self.note = Some(ProfileNote::ChooseFirst);
        }
    }

    fn write(&self, store: &impl Store) -> Result<(), ProfileNote> {
        store
            .set(PROFILES_KEY, &self.profiles.to_json())
            .map_err(ProfileNote::Storage)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_profile_keeps_the_password_only_when_asked() {
        let mut form = ConnectionForm {
            password: "secret".into(),
            ..Default::default()
        };
        let mut profiles = Profiles::default();
        profiles.save("plant", &form).unwrap();
        assert_eq!(profiles.get("plant").unwrap().form.password, "");
        form.remember_password = true;
        profiles.save("plant", &form).unwrap();
        assert_eq!(profiles.profiles.len(), 1);
        assert_eq!(profiles.get("plant").unwrap().form.password, "secret");
    }

    #[test]
    fn profiles_round_trip_through_json_and_can_be_deleted() {
        let mut profiles = Profiles::default();
        profiles.save("b", &ConnectionForm::default()).unwrap();
        profiles.save("a", &ConnectionForm::default()).unwrap();
        let back = Profiles::from_json(&profiles.to_json()).unwrap();
        assert_eq!(back, profiles);
        assert_eq!(back.profiles[0].name, "a");
        assert!(profiles.delete("a"));
        assert!(!profiles.delete("a"));
        assert!(profiles.save("  ", &ConnectionForm::default()).is_err());
    }

    #[test]
    fn damaged_or_partial_profile_json_does_not_panic() {
        assert!(Profiles::from_json("{not json").is_err());
        let partial = r#"{"profiles":[{"name":"x","form":{"broker_url":"ws://h"}}]}"#;
        let profiles = Profiles::from_json(partial).unwrap();
        assert_eq!(profiles.profiles[0].form.keep_alive, "60");
    }

    #[test]
    fn the_shelf_saves_loads_and_deletes_through_the_store() {
        use crate::net::storage::MemoryStorage;
        let store = MemoryStorage::default();
        let mut shelf = ProfileShelf::read(&store);
        assert_eq!(shelf, ProfileShelf::default());
        let form = ConnectionForm {
            client_id: "plant-7".into(),
            ..ConnectionForm::default()
        };
        shelf.name = " plant ".into();
        shelf.save(&form, &store);
        assert_eq!(shelf.note, Some(ProfileNote::Saved("plant".into())));
        assert_eq!(shelf.selected, "plant");
        assert_eq!(shelf.names(), ["plant"]);
        let reread = ProfileShelf::read(&store);
        assert_eq!(reread.profiles, shelf.profiles);

        shelf.name.clear();
        assert_eq!(shelf.load().map(|f| f.client_id), Some("plant-7".into()));
        assert_eq!(shelf.name, "plant");
        assert_eq!(shelf.note, Some(ProfileNote::Loaded("plant".into())));

        shelf.delete(&store);
        assert_eq!(shelf.note, Some(ProfileNote::Deleted("plant".into())));
        assert_eq!(shelf.selected, "");
        assert!(ProfileShelf::read(&store).profiles.profiles.is_empty());
        assert_eq!(shelf.load(), None);
        assert_eq!(shelf.note, Some(ProfileNote::ChooseFirst));
        shelf.delete(&store);
        assert_eq!(shelf.note, Some(ProfileNote::ChooseFirst));
    }

    #[test]
    fn the_shelf_says_why_it_could_not_read_or_write() {
        use crate::net::storage::MemoryStorage;
        let store = MemoryStorage::default();
        store.set(PROFILES_KEY, "{not json").unwrap();
        let mut shelf = ProfileShelf::read(&store);
        assert!(matches!(
            shelf.note,
            Some(ProfileNote::Profile(ProfileError::Unreadable(_)))
        ));
        shelf.save(&ConnectionForm::default(), &store);
        assert_eq!(shelf.note, Some(ProfileNote::Profile(ProfileError::NoName)));
        store.full.set(true);
        shelf.name = "plant".into();
        shelf.save(&ConnectionForm::default(), &store);
        assert_eq!(
            shelf.note,
            Some(ProfileNote::Storage(StorageError::WriteFailed))
        );
        assert_eq!(
            shelf.note.unwrap().words_in(Locale::en),
            storage_error_in(&StorageError::WriteFailed, Locale::en)
        );
    }
}
