//! The client session the app owns: kept across links (Disconnect, then
//! Connect) and, with Clean Session off, stored in the browser per (broker
//! URL, protocol version, client id), so a reload resumes the broker's
//! session instead of starting a new one that reuses its packet ids.
//!
//! What is stored is [`Session::snapshot`]: outgoing QoS 1/2 messages with
//! their payloads, the QoS 2 ids received and not yet released, the next
//! packet id, the subscriptions. The driver stores it before it sends the
//! packets that state protects (`net::ws::Persist`).

use serde::{Deserialize, Serialize};

use crate::mqtt::packet::ProtocolVersion;
use crate::mqtt::session::{Session, SessionConfig, SessionSnapshot};
use crate::net::storage::{self, StorageError, SESSION_KEY_PREFIX};

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
    Failed(String),
}

impl Stored {
    /// The line the connection panel shows.
    pub fn describe(&self) -> String {
        match self {
            Stored::Saved { bytes, in_flight } => format!(
                "Session kept in this browser for a reload: {:.1} KB, {in_flight} in flight.",
                *bytes as f64 / 1024.0
            ),
            Stored::Failed(why) => why.clone(),
        }
    }
}

/// The snapshot to carry into the next connection to `key`, taking the
/// parked session if it is `key`'s, else the one stored in the browser.
pub fn carried_over(parked: Option<ParkedSession>, key: &SessionKey) -> Option<SessionSnapshot> {
    match parked {
        Some(parked) if parked.key == *key => Some(parked.session.snapshot()),
        _ => load(key),
    }
}

/// Flows and ids the snapshot holds in flight.
pub fn in_flight(snapshot: &SessionSnapshot) -> usize {
    snapshot.outgoing_publishes.len()
        + snapshot.outgoing_pubrels.len()
        + snapshot.incoming_qos2.len()
}

/// The stored snapshot of `key`, if there is a readable one.
pub fn load(key: &SessionKey) -> Option<SessionSnapshot> {
    parse(&storage::get(&key.storage_key())?)
}

/// Reads a stored snapshot; anything unreadable is none.
pub fn parse(json: &str) -> Option<SessionSnapshot> {
    serde_json::from_str(json).ok()
}

/// Stores `session`'s state under `key`.
pub fn save(key: &SessionKey, session: &Session) -> Stored {
    let snapshot = session.snapshot();
    let json = match serde_json::to_string(&snapshot) {
        Ok(json) => json,
        Err(error) => return Stored::Failed(format!("Could not store the session: {error}.")),
    };
    match storage::set(&key.storage_key(), &json) {
        Ok(()) => Stored::Saved {
            bytes: json.len(),
            in_flight: in_flight(&snapshot),
        },
        Err(error) => Stored::Failed(failure_words(&error)),
    }
}

/// Removes `key`'s stored session (a Clean Start discards it).
pub fn forget(key: &SessionKey) {
    let _ = storage::remove(&key.storage_key());
}

fn failure_words(error: &StorageError) -> String {
    format!(
        "{error} The session is kept while this page is open, but a reload starts a new one \
         (the broker may then resend messages already handled)."
    )
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
        assert_eq!(in_flight(&carried), 1);
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
}
