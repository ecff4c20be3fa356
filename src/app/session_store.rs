//! The client session the app owns: kept across links (Disconnect, then
//! Connect) and, with Clean Session off, stored in the browser per (broker
//! URL, protocol version, client id), so a reload resumes the broker's
//! session instead of starting a new one that reuses its packet ids.
//!
//! What is stored is [`Session::snapshot`]: outgoing QoS 1/2 messages with
//! their payloads, the QoS 2 ids received and not yet released, the next
//! packet id, the subscriptions. The driver stores it before it sends the
//! packets that state protects (`net::ws::Persist`).
//!
//! One storage entry per flow, not one for the whole snapshot: an
//! acknowledgement then rewrites one small entry, where rewriting the whole
//! snapshot cost time in proportion to what is in flight, and a burst of
//! thousands of QoS 2 messages made every packet slower than the last.
//! Under the session's key ([`SessionKey::storage_key`]) are its
//! subscriptions and next packet id; under `<key> #out <id>` each outgoing
//! flow with its place in the resend order, under `<key> #in <id>` each
//! incoming QoS 2 id awaiting PUBREL.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::i18n::{td_string, Locale};
use crate::mqtt::packet::{PacketId, ProtocolVersion};
use crate::mqtt::session::{
    IncomingQos2, OutgoingEntry, Session, SessionConfig, SessionSnapshot, StateChanges,
    Subscription,
};
use crate::net::storage::{StorageError, Store, SESSION_KEY_PREFIX};

/// Which session: MQTT keys a session by client id at one broker, and the
/// state of a 3.1.1 session means nothing to a 5.0 connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionKey {
    /// Broker URL, as connected to.
    pub url: String,
    /// Protocol version.
    pub version: ProtocolVersion,
    /// Client identifier.
    pub client_id: String,
}

impl SessionKey {
    /// The key of the session `config` asks for at `url`.
    pub fn of(url: &str, config: &SessionConfig) -> SessionKey {
        SessionKey {
            url: url.trim().to_owned(),
            version: config.version,
            client_id: config.client_id.clone(),
        }
    }

    /// The storage key: `qoscope.session.v1 <version> <client id> <url>`.
    pub fn storage_key(&self) -> String {
        let version = match self.version {
            ProtocolVersion::V311 => "3.1.1",
            ProtocolVersion::V5 => "5.0",
        };
        format!(
            "{SESSION_KEY_PREFIX} {version} {} {}",
            self.client_id, self.url
        )
    }
}

/// A session between two links of the same page.
#[derive(Debug)]
pub struct ParkedSession {
    /// Whose it is.
    pub key: SessionKey,
    /// The session, disconnected, every flow still in it.
    pub session: Session,
}

/// What the last store did, for the connection panel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stored {
    /// Stored: its size, and the messages in flight it holds.
    Saved {
        /// Bytes of JSON written.
        bytes: usize,
        /// Outgoing QoS 1/2 messages, PUBRELs and incoming QoS 2 ids held.
        in_flight: usize,
    },
    /// Storage refused it; the session works on, but a reload loses it.
    Failed(StoreFailure),
}

impl Stored {
    /// The line the connection panel shows, in English.
    pub fn describe(&self) -> String {
        self.describe_in(Locale::en)
    }

    /// The line the connection panel shows, in `locale`.
    pub fn describe_in(&self, locale: Locale) -> String {
        match self {
            Stored::Saved { bytes, in_flight } => td_string!(
                locale,
                client.session_store.kept,
                kb = format!("{:.1}", *bytes as f64 / 1024.0),
                in_flight
            )
            .to_string(),
            Stored::Failed(failure) => failure.words_in(locale),
        }
    }
}

/// Why the session could not be stored. Reads as its English words (as a
/// `str` and by `Display`); [`StoreFailure::words_in`] says it in a locale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreFailure {
    error: StorageError,
    english: String,
}

impl StoreFailure {
    /// What storage said.
    pub fn error(&self) -> &StorageError {
        &self.error
    }

    /// The failure and what it means for the session, in `locale`.
    pub fn words_in(&self, locale: Locale) -> String {
        td_string!(
            locale,
            client.session_store.not_kept,
            error = storage_error_in(&self.error, locale)
        )
        .to_string()
    }
}

impl std::ops::Deref for StoreFailure {
    type Target = str;

    fn deref(&self) -> &str {
        &self.english
    }
}

impl std::fmt::Display for StoreFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.english)
    }
}

/// A storage error in `locale` (in English, its own `Display` words).
pub fn storage_error_in(error: &StorageError, locale: Locale) -> &'static str {
    match error {
        StorageError::Unavailable => td_string!(locale, client.storage_error.unavailable),
        StorageError::WriteFailed => td_string!(locale, client.storage_error.write_failed),
    }
}

/// The snapshot to carry into the next connection to `key`, taking the
/// parked session if it is `key`'s, else the one stored in the browser.
pub fn carried_over(parked: Option<ParkedSession>, key: &SessionKey) -> Option<SessionSnapshot> {
    match parked {
        Some(parked) if parked.key == *key => Some(parked.session.snapshot()),
        _ => load(&crate::net::storage::LocalStorage, key),
    }
}

/// What the session's own key holds (the flows have keys of their own).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct StoredMeta {
    /// The layout: 2 = one entry per flow.
    layout: u32,
    next_packet_id: PacketId,
    subscriptions: Vec<Subscription>,
}

/// One outgoing flow as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct StoredOutgoing {
    /// Its place in the resend order.
    seq: u64,
    entry: OutgoingEntry,
}

fn outgoing_key(key: &str, id: PacketId) -> String {
    format!("{key} #out {id}")
}

fn incoming_key(key: &str, id: PacketId) -> String {
    format!("{key} #in {id}")
}

fn entries_prefix(key: &str) -> String {
    format!("{key} #")
}

/// The stored snapshot of `key`, if there is a readable one.
pub fn load(store: &impl Store, key: &SessionKey) -> Option<SessionSnapshot> {
    let key = key.storage_key();
    let json = store.get(&key)?;
    if let Some(snapshot) = parse(&json) {
        // The first layout: the whole snapshot under one key.
        return Some(snapshot);
    }
    let meta: StoredMeta = serde_json::from_str(&json).ok()?;
    let mut outgoing: Vec<StoredOutgoing> = Vec::new();
    let mut snapshot = SessionSnapshot {
        next_packet_id: meta.next_packet_id,
        subscriptions: meta.subscriptions,
        ..Default::default()
    };
    let out = format!("{key} #out ");
    let incoming = format!("{key} #in ");
    for entry_key in store.keys_with_prefix(&entries_prefix(&key)) {
        // An unreadable entry is skipped: the rest of the session still resumes.
        let Some(json) = store.get(&entry_key) else {
            continue;
        };
        if entry_key.starts_with(&out) {
            if let Ok(stored) = serde_json::from_str(&json) {
                outgoing.push(stored);
            }
        } else if entry_key.starts_with(&incoming) {
            if let Ok(stored) = serde_json::from_str(&json) {
                snapshot.incoming_qos2.push(stored);
            }
        }
    }
    outgoing.sort_by_key(|o| o.seq);
    for stored in outgoing {
        match stored.entry {
            OutgoingEntry::Publish(publish) => snapshot.outgoing_publishes.push(*publish),
            OutgoingEntry::Pubrel(id) => snapshot.outgoing_pubrels.push(id),
        }
    }
    snapshot.incoming_qos2.sort_by_key(|i| i.packet_id);
    Some(snapshot)
}

/// Reads a snapshot stored whole (the first layout); anything unreadable is none.
pub fn parse(json: &str) -> Option<SessionSnapshot> {
    serde_json::from_str(json).ok()
}

/// Keeps one session stored as it changes, entry by entry.
#[derive(Debug)]
pub struct SessionStore<S: Store> {
    store: S,
    key: SessionKey,
    /// Characters stored under each key written (key and value), for the size shown.
    sizes: HashMap<String, usize>,
    /// Every entry must be written again: at first, and after a failure.
    resync: bool,
    /// Saves left to skip before trying again after a failure.
    backoff: u32,
    last: Option<Stored>,
}

/// Saves to skip after a failed one before storage is tried again (each try
/// rewrites everything).
const SAVES_BETWEEN_RETRIES: u32 = 64;

impl<S: Store> SessionStore<S> {
    /// A store for `key`'s session; the first save writes it whole.
    pub fn new(store: S, key: SessionKey) -> Self {
        SessionStore {
            store,
            key,
            sizes: HashMap::new(),
            resync: true,
            backoff: 0,
            last: None,
        }
    }

    /// The backing store.
    pub fn backend(&self) -> &S {
        &self.store
    }

    /// Stores what `changes` says changed in `session` (everything, the
    /// first time and after a failure) and returns what is stored now.
    pub fn save(&mut self, session: &Session, changes: &StateChanges) -> Stored {
        if changes.all {
            self.resync = true;
        }
        if self.backoff > 0 {
            self.backoff -= 1;
            return self
                .last
                .clone()
                .unwrap_or_else(|| Stored::Failed(failure_words(&StorageError::WriteFailed)));
        }
        let written = if self.resync {
            self.write_all(session)
        } else {
            self.write_changes(session, changes)
        };
        let stored = match written {
            Ok(()) => {
                self.resync = false;
                Stored::Saved {
                    bytes: self.sizes.values().sum(),
                    in_flight: self.sizes.len().saturating_sub(1),
                }
            }
            Err(error) => {
                self.resync = true;
                self.backoff = SAVES_BETWEEN_RETRIES;
                Stored::Failed(failure_words(&error))
            }
        };
        self.last = Some(stored.clone());
        stored
    }

    fn write_all(&mut self, session: &Session) -> Result<(), StorageError> {
        let key = self.key.storage_key();
        let mut keep = std::collections::HashSet::new();
        keep.insert(key.clone());
        self.write_meta(session)?;
        for id in session.outgoing_ids() {
            keep.insert(outgoing_key(&key, id));
            self.write_outgoing(session, id)?;
        }
        for id in session.incoming_ids() {
            keep.insert(incoming_key(&key, id));
            self.write_incoming(session, id)?;
        }
        for stale in self.store.keys_with_prefix(&entries_prefix(&key)) {
            if !keep.contains(&stale) {
                self.store.remove(&stale);
                self.sizes.remove(&stale);
            }
        }
        Ok(())
    }

    fn write_changes(
        &mut self,
        session: &Session,
        changes: &StateChanges,
    ) -> Result<(), StorageError> {
        for &id in &changes.outgoing {
            self.write_outgoing(session, id)?;
        }
        for &id in &changes.incoming {
            self.write_incoming(session, id)?;
        }
        // The next packet id moves with every new flow; it is stored with
        // the subscriptions, so only when they change. A restored session
        // starts after the ids it holds, and any id not held is free.
        if changes.subscriptions {
            self.write_meta(session)?;
        }
        Ok(())
    }

    fn write_meta(&mut self, session: &Session) -> Result<(), StorageError> {
        let snapshot_meta = StoredMeta {
            layout: 2,
            next_packet_id: session.next_packet_id(),
            subscriptions: session.subscription_entries(),
        };
        let key = self.key.storage_key();
        self.put(key, &snapshot_meta)
    }

    fn write_outgoing(&mut self, session: &Session, id: PacketId) -> Result<(), StorageError> {
        let key = outgoing_key(&self.key.storage_key(), id);
        match session.outgoing_entry(id) {
            Some((seq, entry)) => self.put(key, &StoredOutgoing { seq, entry }),
            None => {
                self.drop_key(&key);
                Ok(())
            }
        }
    }

    fn write_incoming(&mut self, session: &Session, id: PacketId) -> Result<(), StorageError> {
        let key = incoming_key(&self.key.storage_key(), id);
        match session.incoming_entry(id) {
            Some(entry) => self.put::<IncomingQos2>(key, &entry),
            None => {
                self.drop_key(&key);
                Ok(())
            }
        }
    }

    fn put<T: Serialize>(&mut self, key: String, value: &T) -> Result<(), StorageError> {
        let json = serde_json::to_string(value).map_err(|_| StorageError::WriteFailed)?;
        self.store.set(&key, &json)?;
        // localStorage counts the key against its quota as well.
        self.sizes.insert(key.clone(), key.len() + json.len());
        Ok(())
    }

    fn drop_key(&mut self, key: &str) {
        if self.sizes.remove(key).is_some() || self.resync {
            self.store.remove(key);
        }
    }
}

/// Removes `key`'s stored session, every entry of it (a Clean Start
/// discards it).
pub fn forget(store: &impl Store, key: &SessionKey) {
    let key = key.storage_key();
    for entry in store.keys_with_prefix(&entries_prefix(&key)) {
        store.remove(&entry);
    }
    store.remove(&key);
}

/// The failure `error`, with its words in English.
fn failure_words(error: &StorageError) -> StoreFailure {
    let mut failure = StoreFailure {
        error: error.clone(),
        english: String::new(),
    };
    failure.english = failure.words_in(Locale::en);
    failure
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mqtt::packet::QoS;
    use crate::mqtt::session::PublishRequest;

    fn config(version: ProtocolVersion, client_id: &str) -> SessionConfig {
        SessionConfig {
            version,
            client_id: client_id.into(),
            clean_start: false,
            ..SessionConfig::default()
        }
    }

    #[test]
    fn each_broker_version_and_client_id_has_its_own_stored_session() {
        let url = "ws://127.0.0.1:9001";
        let keys = [
            SessionKey::of(url, &config(ProtocolVersion::V311, "plant-1")),
            SessionKey::of(url, &config(ProtocolVersion::V5, "plant-1")),
            SessionKey::of(url, &config(ProtocolVersion::V311, "plant-2")),
            SessionKey::of(
                "ws://10.0.0.9:9001",
                &config(ProtocolVersion::V311, "plant-1"),
            ),
        ];
        let names: std::collections::BTreeSet<String> =
            keys.iter().map(SessionKey::storage_key).collect();
        assert_eq!(names.len(), keys.len());
        assert!(names.iter().all(|n| n.starts_with(SESSION_KEY_PREFIX)));
        assert_eq!(
            SessionKey::of(
                " ws://127.0.0.1:9001 ",
                &config(ProtocolVersion::V311, "plant-1")
            ),
            keys[0],
            "the URL as typed, trimmed"
        );
    }

    #[test]
    fn the_parked_session_carries_over_only_to_its_own_key() {
        let key = SessionKey::of("ws://h:1", &config(ProtocolVersion::V311, "c1"));
        let mut session = Session::new(config(ProtocolVersion::V311, "c1"));
        let queued = session.publish(
            0,
            PublishRequest {
                topic: "inventory/A-100".into(),
                payload: b"{\"delta\":-3}".to_vec(),
                qos: QoS::ExactlyOnce,
                ..Default::default()
            },
        );
        assert!(matches!(queued, Ok(Some(_))), "queued while disconnected");
        let parked = || ParkedSession {
            key: key.clone(),
            session: Session::restore(config(ProtocolVersion::V311, "c1"), session.snapshot()),
        };
        let carried = carried_over(Some(parked()), &key).expect("its own session");
        let held = carried.outgoing_publishes.len()
            + carried.outgoing_pubrels.len()
            + carried.incoming_qos2.len();
        assert_eq!(held, 1);
        let other = SessionKey::of("ws://h:1", &config(ProtocolVersion::V311, "c2"));
        assert_eq!(
            carried_over(Some(parked()), &other),
            None,
            "another client id starts afresh (and nothing is stored outside a browser)"
        );
    }

    #[test]
    fn a_stored_session_that_cannot_be_read_is_none() {
        assert_eq!(parse("{"), None);
        assert_eq!(parse("{}"), None, "a snapshot needs its fields");
        let empty = serde_json::to_string(&SessionSnapshot::default()).unwrap();
        assert_eq!(parse(&empty), Some(SessionSnapshot::default()));
    }

    #[test]
    fn the_panel_says_what_is_kept_and_what_failed() {
        let saved = Stored::Saved {
            bytes: 2048,
            in_flight: 3,
        };
        assert_eq!(
            saved.describe(),
            "Session kept in this browser for a reload: 2.0 KB, 3 in flight."
        );
        let failed = Stored::Failed(failure_words(&StorageError::WriteFailed));
        assert!(failed.describe().contains("full"));
        assert!(failed.describe().contains("a reload starts a new one"));
    }

    #[test]
    fn the_panel_line_reads_in_chinese_too() {
        let saved = Stored::Saved {
            bytes: 2048,
            in_flight: 3,
        };
        assert_eq!(
            saved.describe_in(Locale::zh_CN),
            "会话已保存在本浏览器中，重新加载后可恢复：2.0 KB，3 条在途消息。"
        );
        let failed = Stored::Failed(failure_words(&StorageError::WriteFailed));
        assert_eq!(failed.describe(), failed.describe_in(Locale::en));
        let zh = failed.describe_in(Locale::zh_CN);
        assert!(
            zh.starts_with("无法保存：") && zh.contains("重新加载"),
            "{zh}"
        );
    }
}
