//! What the broker can be told to do differently.

use serde::{Deserialize, Serialize};

use crate::mqtt::packet::QoS;

/// When the broker passes on a QoS 2 message it received.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Qos2Forwarding {
    /// Keep the message in the QoS 2 table and forward it on PUBREL (as
    /// Mosquitto does, and as the "more complete" receiver of QoS tutorials does).
    #[default]
    OnPubrel,
    /// Forward on the first PUBLISH of an id; the table only suppresses repeats.
    OnPublish,
}

/// What the broker can be told to do differently. Serde-serialisable for the lab.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrokerConfig {
    /// The highest QoS granted in SUBACK (and announced in an MQTT 5 CONNACK
    /// when below 2).
    pub maximum_qos: QoS,
    /// When a received QoS 2 message is forwarded.
    pub qos2_forwarding: Qos2Forwarding,
    /// Resend PUBREC when no PUBREL came for this long (the PUBREL may have
    /// been lost, or the PUBREC before it). `None`: only answer repeats.
    pub pubrec_resend_ms: Option<u64>,
    /// Resend unacknowledged PUBLISH (DUP=1) / PUBREL to subscribers after
    /// this long, within the connection (3.1.1 behaviour; never done for
    /// MQTT 5 clients, which forbid it). `None`: only on reconnect.
    pub retry_interval_ms: Option<u64>,
    /// The most QoS 1/2 messages in flight to one client (further ones wait
    /// in its queue); an MQTT 5 client's Receive Maximum lowers it.
    pub max_inflight_per_client: u16,
    /// The most messages queued for one client; `None` for no limit.
    pub max_queued_messages: Option<usize>,
}

impl Default for BrokerConfig {
    fn default() -> Self {
        BrokerConfig {
            maximum_qos: QoS::ExactlyOnce,
            qos2_forwarding: Qos2Forwarding::default(),
            pubrec_resend_ms: None,
            retry_interval_ms: None,
            max_inflight_per_client: 20,
            max_queued_messages: None,
        }
    }
}
