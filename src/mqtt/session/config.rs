//! What a session is told before it connects: [`SessionConfig`], the retry
//! policy, where an incoming QoS 2 message is handed over, and the defaults.

use serde::{Deserialize, Serialize};

use crate::mqtt::packet::{LastWill, ProtocolVersion};

/// When unacknowledged PUBLISH / PUBREL packets are resent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum RetryPolicy {
    /// Only on reconnect with a session present (MQTT-4.4.0-1). Default, both versions.
    #[default]
    OnReconnect,
    /// Also after `interval_ms` without an acknowledgement, within the session
    /// (3.1.1 only; MQTT 5 forbids it: a 5.0 session ignores it with a
    /// `Warning` event at `connect`).
    OnTimeout {
        /// Milliseconds to wait for PUBACK / PUBREC / PUBCOMP before resending.
        interval_ms: u64,
    },
}

/// When an incoming QoS 2 message is handed to the application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Qos2Delivery {
    /// On the first PUBLISH of an id (store the id, suppress repeats until PUBREL).
    #[default]
    OnPublish,
    /// On PUBREL (store the message until released): the "more complete"
    /// receiver that QoS tutorials describe, and what Mosquitto does.
    OnPubrel,
}

/// Everything a session needs to know to connect. Build it with
/// `SessionConfig { client_id: ..., ..SessionConfig::default() }` so that new
/// fields do not break callers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionConfig {
    /// Protocol version.
    pub version: ProtocolVersion,
    /// Client identifier.
    pub client_id: String,
    /// Clean Session (3.1.1) / Clean Start (5.0).
    pub clean_start: bool,
    /// Keep alive in seconds (0 = off).
    pub keep_alive_secs: u16,
    /// MQTT 5 Session Expiry Interval, seconds.
    pub session_expiry_secs: Option<u32>,
    /// User name.
    pub username: Option<String>,
    /// Password.
    pub password: Option<Vec<u8>>,
    /// Last will.
    pub will: Option<LastWill>,
    /// MQTT 5 Receive Maximum we announce (incoming QoS>0 window).
    pub receive_maximum: u16,
    /// MQTT 5 Maximum Packet Size we accept.
    pub maximum_packet_size: Option<u32>,
    /// MQTT 5 Topic Alias Maximum we accept from the broker.
    pub topic_alias_maximum: u16,
    /// Retry policy.
    pub retry: RetryPolicy,
    /// Incoming QoS 2 delivery point.
    pub qos2_delivery: Qos2Delivery,
    /// How long to wait for PINGRESP after PINGREQ, ms (None = half the keep-alive).
    #[serde(default)]
    pub pingresp_timeout_ms: Option<u64>,
    /// Most QoS 1/2 messages waiting to be sent (no connection, or the
    /// broker's Receive Maximum reached); a publish beyond it is refused.
    #[serde(default = "default_max_queued_messages")]
    pub max_queued_messages: usize,
    /// Most payload bytes those waiting messages may hold together.
    #[serde(default = "default_max_queued_bytes")]
    pub max_queued_bytes: usize,
    /// Give topics aliases of our own when the broker allows them (MQTT 5).
    /// Off on a link that may lose packets on purpose: a lost PUBLISH that
    /// set an alias would leave the broker not knowing it.
    #[serde(default = "assign_aliases_by_default")]
    pub assign_topic_aliases: bool,
    /// Subscribe again, by itself, to every filter a broker lost (CONNACK
    /// without a session), with the options and identifier first asked for.
    #[serde(default)]
    pub resubscribe: bool,
    /// How long to wait for CONNACK after CONNECT, ms, whatever the
    /// keep-alive (with keep-alive 0 nothing else would end the wait).
    #[serde(default = "default_connack_timeout_ms")]
    pub connack_timeout_ms: u64,
    /// Most of our QoS 1/2 PUBLISHes in flight at once, whatever the
    /// broker announces (a 3.1.1 broker announces nothing); the rest wait,
    /// queued. A broker may hold a limit it cannot tell a 3.1.1 client:
    /// Mosquitto 2.0.11 takes at most `max_inflight_messages` (20 unless
    /// configured) from a client at once, and answers the 21st QoS 2 PUBLISH
    /// with a PUBREC whose reason, 0x97 "quota exceeded", a 3.1.1 PUBREC
    /// cannot carry, then discards the message. Seen here: a page with 100 in
    /// flight lost four messages in five while every one of them was
    /// acknowledged. Everything in flight is also sent again on every
    /// reconnect (MQTT-4.4.0-1), so a small window is cheap to recover.
    #[serde(default = "default_max_inflight")]
    pub max_inflight: u16,
}

/// [`SessionConfig::max_inflight`] unless set: Mosquitto's own default, and
/// libmosquitto's (an MQTT 5 broker's Receive Maximum lowers it further).
pub const DEFAULT_MAX_INFLIGHT: u16 = 20;

fn default_max_inflight() -> u16 {
    DEFAULT_MAX_INFLIGHT
}

/// [`SessionConfig::connack_timeout_ms`] unless set: 30 s, long enough for
/// a TLS handshake on a slow link, short enough for a user watching a spinner.
pub const DEFAULT_CONNACK_TIMEOUT_MS: u64 = 30_000;

fn default_connack_timeout_ms() -> u64 {
    DEFAULT_CONNACK_TIMEOUT_MS
}

impl Default for SessionConfig {
    fn default() -> Self {
        SessionConfig {
            version: ProtocolVersion::V311,
            client_id: "qoscope".into(),
            clean_start: true,
            keep_alive_secs: 60,
            session_expiry_secs: None,
            username: None,
            password: None,
            will: None,
            receive_maximum: u16::MAX,
            maximum_packet_size: None,
            topic_alias_maximum: 0,
            retry: RetryPolicy::OnReconnect,
            qos2_delivery: Qos2Delivery::OnPublish,
            pingresp_timeout_ms: None,
            connack_timeout_ms: DEFAULT_CONNACK_TIMEOUT_MS,
            resubscribe: false,
            assign_topic_aliases: true,
            max_queued_messages: DEFAULT_MAX_QUEUED_MESSAGES,
            max_queued_bytes: DEFAULT_MAX_QUEUED_BYTES,
            max_inflight: DEFAULT_MAX_INFLIGHT,
        }
    }
}

/// [`SessionConfig::max_queued_messages`] unless set.
pub const DEFAULT_MAX_QUEUED_MESSAGES: usize = 1_000;
/// [`SessionConfig::max_queued_bytes`] unless set: 8 MiB.
pub const DEFAULT_MAX_QUEUED_BYTES: usize = 8 * 1024 * 1024;

fn default_max_queued_messages() -> usize {
    DEFAULT_MAX_QUEUED_MESSAGES
}

fn default_max_queued_bytes() -> usize {
    DEFAULT_MAX_QUEUED_BYTES
}

fn assign_aliases_by_default() -> bool {
    true
}
