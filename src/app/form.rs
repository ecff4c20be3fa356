//! The client tab's forms as plain data: the connection form (validation,
//! the session config it stands for), the broker URL it names, saved
//! profiles, the publish form and the subscribe form.

use std::fmt;

mod profiles;
mod publish;
mod subscribe;
mod url;

pub use profiles::{Profile, ProfileError, ProfileNote, ProfileShelf, Profiles};
pub use publish::{PublishForm, PublishFormError, UserPropertyRow};
pub use subscribe::{SubscribeChoice, SubscribeForm};
pub use url::{check_broker_url, validate_broker_url, BrokerUrl, UrlError};

use serde::{Deserialize, Serialize};

use crate::i18n::{td_string, Locale};
use crate::mqtt::packet::{LastWill, ProtocolVersion, QoS};
use crate::mqtt::session::{DisconnectRequest, Qos2Delivery, RetryPolicy, SessionConfig};

/// The reader's language for a client view (see [`crate::app::locale::reader`]).
pub fn reader_locale() -> leptos::prelude::Signal<Locale> {
    crate::app::locale::reader()
}

/// The largest packet the page accepts: announced to an MQTT 5 broker (which
/// then sends nothing larger) and enforced by the decoder in both versions
/// before it buffers anything, so a hostile length header (up to 256 MB)
/// cannot make the page hold 256 MB. 16 MiB leaves room for any payload a
/// person inspects here.
pub const MAXIMUM_PACKET_SIZE: u32 = 16 * 1024 * 1024;

/// The broker the app proposes first: the local Mosquitto that `make run` starts.
pub const DEFAULT_BROKER_URL: &str = "ws://127.0.0.1:9001";

/// Which retry policy the user picked (see [`RetryPolicy`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum RetryChoice {
    /// Resend only on reconnect with a session present.
    #[default]
    OnReconnect,
    /// Also resend after a timeout within the session (3.1.1 only).
    OnTimeout,
}

/// Everything the connection panel edits. Numbers are kept as typed so the
/// user can type freely; [`ConnectionForm::session_config`] checks them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ConnectionForm {
    /// ws:// or wss:// URL of the broker's WebSocket listener.
    pub broker_url: String,
    /// Client identifier.
    pub client_id: String,
    /// Protocol version.
    pub version: ProtocolVersion,
    /// Clean Session (3.1.1) / Clean Start (5.0).
    pub clean_start: bool,
    /// MQTT 5 Session Expiry Interval in seconds, as typed.
    pub session_expiry: String,
    /// Keep alive in seconds, as typed.
    pub keep_alive: String,
    /// User name (empty = none).
    pub username: String,
    /// Password (empty = none). Saved in a profile only when `remember_password`.
    pub password: String,
    /// Whether a saved profile keeps the password.
    pub remember_password: bool,
    /// Whether CONNECT carries a last will.
    pub will_enabled: bool,
    /// Last will topic.
    pub will_topic: String,
    /// Last will payload (text).
    pub will_payload: String,
    /// Last will QoS.
    pub will_qos: QoS,
    /// Last will retain flag.
    pub will_retain: bool,
    /// Retry policy.
    pub retry: RetryChoice,
    /// Retry interval in seconds for [`RetryChoice::OnTimeout`], as typed.
    pub retry_interval: String,
    /// MQTT 5: Disconnect sends reason 0x04, asking the broker to publish
    /// the will all the same.
    pub disconnect_with_will: bool,
    /// MQTT 5: the Session Expiry Interval Disconnect sets, seconds, as typed
    /// (empty = leave it as CONNECT set it).
    pub disconnect_expiry: String,
    /// Most QoS 1/2 messages in flight at once, as typed
    /// ([`SessionConfig::max_inflight`]).
    pub max_inflight: String,
}

impl Default for ConnectionForm {
    fn default() -> Self {
        ConnectionForm {
            broker_url: DEFAULT_BROKER_URL.into(),
            client_id: String::new(),
            version: ProtocolVersion::V311,
            clean_start: true,
            session_expiry: "0".into(),
            keep_alive: "60".into(),
            username: String::new(),
            password: String::new(),
            remember_password: false,
            will_enabled: false,
            will_topic: String::new(),
            will_payload: String::new(),
            will_qos: QoS::AtMostOnce,
            will_retain: false,
            retry: RetryChoice::OnReconnect,
            retry_interval: "5".into(),
            disconnect_with_will: false,
            disconnect_expiry: String::new(),
            max_inflight: crate::mqtt::session::DEFAULT_MAX_INFLIGHT.to_string(),
        }
    }
}

/// A client id of the form `qoscope-xxxx` from a random number in [0, 1).
pub fn generated_client_id(random: f64) -> String {
    let n = (random.clamp(0.0, 0.999_999) * 65536.0) as u32;
    format!("qoscope-{n:04x}")
}

/// Why the connection form cannot connect (or disconnect as asked); in
/// words by [`FormError::words_in`] (English by `Display`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormError {
    /// The broker URL.
    Url(UrlError),
    /// Keep alive is not 0..=65535.
    KeepAlive,
    /// Messages in flight is not 1..=65535.
    MaxInflight,
    /// MQTT 5 Session expiry is not a u32.
    SessionExpiry,
    /// The session expiry Disconnect sets is not a u32.
    DisconnectExpiry,
    /// A session opened with expiry 0 cannot get a longer one on disconnect (MQTT 5.0 §3.14.2.2.2).
    ExpiryCannotGrow,
    /// The retry interval is not a number.
    RetryInterval,
    /// The retry interval is 0.
    RetryIntervalZero,
    /// A last will without a topic.
    WillTopic,
}

impl FormError {
    /// The problem in `locale`.
    pub fn words_in(&self, locale: Locale) -> String {
        match self {
            FormError::Url(e) => e.words_in(locale),
            FormError::KeepAlive => td_string!(locale, client.form_error.keep_alive).into(),
            FormError::MaxInflight => td_string!(locale, client.form_error.max_inflight).into(),
            FormError::SessionExpiry => td_string!(locale, client.form_error.session_expiry).into(),
            FormError::DisconnectExpiry => {
                td_string!(locale, client.form_error.disconnect_expiry).into()
            }
            FormError::ExpiryCannotGrow => {
                td_string!(locale, client.form_error.expiry_cannot_grow).into()
            }
            FormError::RetryInterval => td_string!(locale, client.form_error.retry_interval).into(),
            FormError::RetryIntervalZero => {
                td_string!(locale, client.form_error.retry_interval_zero).into()
            }
            FormError::WillTopic => td_string!(locale, client.form_error.will_topic).into(),
        }
    }
}

impl fmt::Display for FormError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.words_in(Locale::en))
    }
}

impl From<UrlError> for FormError {
    fn from(e: UrlError) -> Self {
        FormError::Url(e)
    }
}

fn parse_number<T: std::str::FromStr>(text: &str, error: FormError) -> Result<T, FormError> {
    text.trim().parse::<T>().map_err(|_| error)
}

impl ConnectionForm {
    /// What Disconnect sends (MQTT 5; a 3.1.1 DISCONNECT has no options), or
    /// the problem with what was typed, in English.
    pub fn disconnect_request(&self) -> Result<DisconnectRequest, String> {
        self.check_disconnect_request().map_err(|e| e.to_string())
    }

    /// What Disconnect sends, or the problem with what was typed.
    pub fn check_disconnect_request(&self) -> Result<DisconnectRequest, FormError> {
        if self.version != ProtocolVersion::V5 {
            return Ok(DisconnectRequest::default());
        }
        let session_expiry_secs = match self.disconnect_expiry.trim() {
            "" => None,
            typed => Some(parse_number::<u32>(typed, FormError::DisconnectExpiry)?),
        };
        let opened_with_zero = self.session_expiry.trim().parse::<u32>().unwrap_or(0) == 0;
        if opened_with_zero && session_expiry_secs.is_some_and(|s| s > 0) {
            return Err(FormError::ExpiryCannotGrow);
        }
        Ok(DisconnectRequest {
            reason: if self.disconnect_with_will {
                0x04
            } else {
                0x00
            },
            session_expiry_secs,
        })
    }

    /// Whether the Connect / Disconnect button may act on what was typed:
    /// a Connect needs a session configuration, a Disconnect (while
    /// `disconnecting`) a valid disconnect request.
    pub fn check_button(&self, disconnecting: bool) -> Result<(), FormError> {
        if disconnecting {
            self.check_disconnect_request().map(|_| ())
        } else {
            self.check_session_config().map(|_| ())
        }
    }

    /// The session configuration this form describes, or the first problem
    /// found, in English.
    pub fn session_config(&self) -> Result<SessionConfig, String> {
        self.check_session_config().map_err(|e| e.to_string())
    }

    /// The session configuration this form describes, or the first problem found.
    pub fn check_session_config(&self) -> Result<SessionConfig, FormError> {
        check_broker_url(&self.broker_url)?;
        let keep_alive_secs: u16 = parse_number(&self.keep_alive, FormError::KeepAlive)?;
        let max_inflight: u16 = parse_number(&self.max_inflight, FormError::MaxInflight)
            .and_then(|n| (n > 0).then_some(n).ok_or(FormError::MaxInflight))?;
        let session_expiry_secs = match self.version {
            ProtocolVersion::V5 => Some(parse_number::<u32>(
                &self.session_expiry,
                FormError::SessionExpiry,
            )?),
            ProtocolVersion::V311 => None,
        };
        let retry = match (self.retry, self.version) {
            (RetryChoice::OnReconnect, _) | (RetryChoice::OnTimeout, ProtocolVersion::V5) => {
                RetryPolicy::OnReconnect
            }
            (RetryChoice::OnTimeout, ProtocolVersion::V311) => {
                let secs: u32 = parse_number(&self.retry_interval, FormError::RetryInterval)?;
                if secs == 0 {
                    return Err(FormError::RetryIntervalZero);
                }
                RetryPolicy::OnTimeout {
                    interval_ms: u64::from(secs) * 1000,
                }
            }
        };
        let will = if self.will_enabled {
            if self.will_topic.trim().is_empty() {
                return Err(FormError::WillTopic);
            }
            Some(LastWill {
                topic: self.will_topic.clone(),
                payload: self.will_payload.as_bytes().to_vec(),
                qos: self.will_qos,
                retain: self.will_retain,
                properties: Default::default(),
            })
        } else {
            None
        };
        Ok(SessionConfig {
            version: self.version,
            client_id: self.client_id.trim().to_string(),
            clean_start: self.clean_start,
            keep_alive_secs,
            session_expiry_secs,
            username: non_empty(&self.username),
            password: non_empty(&self.password).map(String::into_bytes),
            will,
            pingresp_timeout_ms: None,
            connack_timeout_ms: crate::mqtt::session::DEFAULT_CONNACK_TIMEOUT_MS,
            // A broker that lost the session (restarted without persistence)
            // gets the page's subscriptions back without anyone asking.
            resubscribe: true,
            assign_topic_aliases: true,
            max_queued_messages: crate::mqtt::session::DEFAULT_MAX_QUEUED_MESSAGES,
            max_queued_bytes: crate::mqtt::session::DEFAULT_MAX_QUEUED_BYTES,
            max_inflight,
            receive_maximum: 65535,
            maximum_packet_size: Some(MAXIMUM_PACKET_SIZE),
            topic_alias_maximum: 0,
            retry,
            qos2_delivery: Qos2Delivery::OnPublish,
        })
    }

    /// The form as the page remembers it between loads (`qoscope.last-form`):
    /// never with the password, which is kept only in a profile the user
    /// saved with "Remember password".
    pub fn for_last_form(&self) -> ConnectionForm {
        let mut stored = self.clone();
        stored.password.clear();
        stored
    }

    /// The form as a saved profile keeps it: without the password unless asked to remember it.
    pub fn for_storage(&self) -> ConnectionForm {
        let mut stored = self.clone();
        if !stored.remember_password {
            stored.password.clear();
        }
        stored
    }
}

fn non_empty(text: &str) -> Option<String> {
    (!text.is_empty()).then(|| text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_client_ids_look_like_qoscope_and_four_hex_digits() {
        assert_eq!(generated_client_id(0.0), "qoscope-0000");
        assert_eq!(generated_client_id(0.5), "qoscope-8000");
        assert_eq!(generated_client_id(1.0), "qoscope-ffff");
    }

    #[test]
    fn the_default_form_gives_a_311_clean_session_with_keep_alive_60() {
        let form = ConnectionForm {
            client_id: "c".into(),
            ..Default::default()
        };
        let config = form.session_config().unwrap();
        assert_eq!(config.version, ProtocolVersion::V311);
        assert!(config.clean_start);
        assert_eq!(config.keep_alive_secs, 60);
        assert_eq!(
            config.maximum_packet_size,
            Some(MAXIMUM_PACKET_SIZE),
            "a hostile length header is refused before anything is buffered"
        );
        assert_eq!(config.session_expiry_secs, None);
        assert_eq!(config.username, None);
        assert_eq!(config.retry, RetryPolicy::OnReconnect);
    }

    #[test]
    fn the_in_flight_window_is_twenty_unless_the_user_raises_it() {
        let form = ConnectionForm::default();
        assert_eq!(form.session_config().unwrap().max_inflight, 20);
        let raised = ConnectionForm {
            max_inflight: " 200 ".into(),
            ..ConnectionForm::default()
        };
        assert_eq!(raised.session_config().unwrap().max_inflight, 200);
        for bad in ["0", "70000", "many"] {
            let form = ConnectionForm {
                max_inflight: bad.into(),
                ..ConnectionForm::default()
            };
            assert!(
                form.session_config()
                    .unwrap_err()
                    .contains("Messages in flight must be a whole number from 1 to 65535"),
                "{bad}"
            );
        }
        // A form saved before the field existed reads with the default.
        let old: ConnectionForm = serde_json::from_str(r#"{"keep_alive":"30"}"#).unwrap();
        assert_eq!(old.session_config().unwrap().max_inflight, 20);
    }

    #[test]
    fn a_bad_keep_alive_is_reported_in_words() {
        let form = ConnectionForm {
            keep_alive: "70000".into(),
            ..Default::default()
        };
        assert!(form.session_config().unwrap_err().contains("Keep alive"));
    }

    #[test]
    fn retry_on_timeout_applies_to_311_only() {
        let mut form = ConnectionForm {
            retry: RetryChoice::OnTimeout,
            ..Default::default()
        };
        assert_eq!(
            form.session_config().unwrap().retry,
            RetryPolicy::OnTimeout { interval_ms: 5000 }
        );
        form.version = ProtocolVersion::V5;
        assert_eq!(
            form.session_config().unwrap().retry,
            RetryPolicy::OnReconnect
        );
    }

    #[test]
    fn mqtt5_takes_the_session_expiry() {
        let form = ConnectionForm {
            version: ProtocolVersion::V5,
            session_expiry: "3600".into(),
            ..Default::default()
        };
        assert_eq!(
            form.session_config().unwrap().session_expiry_secs,
            Some(3600)
        );
    }

    #[test]
    fn a_will_needs_a_topic() {
        let mut form = ConnectionForm {
            will_enabled: true,
            ..Default::default()
        };
        assert!(form.session_config().unwrap_err().contains("last will"));
        form.will_topic = "status/qoscope".into();
        form.will_payload = "offline".into();
        let will = form.session_config().unwrap().will.unwrap();
        assert_eq!(will.payload, b"offline");
    }

    #[test]
    fn an_mqtt5_disconnect_can_send_the_will_and_set_the_session_expiry() {
        let form = ConnectionForm {
            version: ProtocolVersion::V5,
            session_expiry: "600".into(),
            disconnect_with_will: true,
            disconnect_expiry: "3600".into(),
            ..ConnectionForm::default()
        };
        assert_eq!(
            form.disconnect_request(),
            Ok(DisconnectRequest {
                reason: 0x04,
                session_expiry_secs: Some(3600)
            })
        );
        let v311 = ConnectionForm {
            version: ProtocolVersion::V311,
            ..form.clone()
        };
        assert_eq!(v311.disconnect_request(), Ok(DisconnectRequest::default()));
        let from_zero = ConnectionForm {
            session_expiry: "0".into(),
            ..form.clone()
        };
        assert!(from_zero
            .disconnect_request()
            .unwrap_err()
            .contains("MQTT 5.0 §3.14.2.2.2"));
        let typo = ConnectionForm {
            disconnect_expiry: "an hour".into(),
            ..form
        };
        assert!(typo
            .disconnect_request()
            .unwrap_err()
            .contains("whole number"));
    }

    #[test]
    fn the_last_form_never_keeps_the_password() {
        let form = ConnectionForm {
            password: "secret".into(),
            remember_password: true,
            ..ConnectionForm::default()
        };
        assert_eq!(form.for_last_form().password, "");
        assert!(
            form.for_last_form().remember_password,
            "the choice itself is kept"
        );
    }

    #[test]
    fn form_errors_read_in_chinese_with_their_numbers_and_examples() {
        let err = check_broker_url("mqtt://h").unwrap_err();
        assert_eq!(err, UrlError::NotWebSocket { tcp: true });
        let zh = err.words_in(Locale::zh_CN);
        assert!(
            zh.contains("ws://") && zh.contains(DEFAULT_BROKER_URL),
            "{zh}"
        );
        assert!(zh.contains("TCP"), "{zh}");
        assert!(check_broker_url("ws://h:0")
            .unwrap_err()
            .words_in(Locale::zh_CN)
            .contains("“0”"));
        let form = ConnectionForm {
            keep_alive: "70000".into(),
            ..Default::default()
        };
        assert_eq!(
            form.check_session_config().unwrap_err(),
            FormError::KeepAlive
        );
        assert_eq!(
            form.session_config().unwrap_err(),
            "Keep alive must be a whole number of seconds from 0 to 65535."
        );
        assert!(FormError::KeepAlive
            .words_in(Locale::zh_CN)
            .contains("保活"));
        assert_eq!(
            Profiles::default()
                .save(" ", &form)
                .unwrap_err()
                .words_in(Locale::zh_CN),
            "请先为配置命名。"
        );
    }
}
