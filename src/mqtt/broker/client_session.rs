//! What the broker keeps per MQTT client identifier, across connections.

use std::collections::{BTreeMap, VecDeque};

use serde::{Deserialize, Serialize};

use super::inbound::Qos2Transaction;
use super::outbound::OutboundFlow;
use super::ConnectionId;
use crate::mqtt::packet::{Connect, LastWill, PacketId, ProtocolVersion, Publish, QoS};
use crate::mqtt::topic;

/// A subscription's options, as granted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subscription {
    /// Granted QoS.
    pub qos: QoS,
    /// MQTT 5 No Local: not sent the client's own messages.
    pub no_local: bool,
    /// MQTT 5 Retain As Published: keep the RETAIN flag when forwarding.
    pub retain_as_published: bool,
}

/// How long a session outlives its connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SessionExpiry {
    /// Ends with the connection (3.1.1 clean session, MQTT 5 expiry 0).
    AtClose,
    /// Ends this many seconds after the connection (MQTT 5).
    AfterSecs(u32),
    /// Never ends (3.1.1 persistent session, MQTT 5 expiry 0xFFFFFFFF).
    Never,
}

/// What the broker keeps for one MQTT client identifier.
#[derive(Debug, Clone)]
pub struct ClientSession {
    pub(super) client_id: String,
    pub(super) connection: Option<ConnectionId>,
    pub(super) version: ProtocolVersion,
    pub(super) expiry: SessionExpiry,
    pub(super) expires_at: Option<u64>,
    pub(super) subscriptions: BTreeMap<String, Subscription>,
    pub(super) outbound: VecDeque<OutboundFlow>,
    pub(super) queued: VecDeque<Publish>,
    pub(super) inbound_qos2: BTreeMap<PacketId, Qos2Transaction>,
    pub(super) next_packet_id: PacketId,
    pub(super) receive_maximum: u16,
    pub(super) will: Option<LastWill>,
}

/// A session as the UI lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionSummary {
    /// Client identifier.
    pub client_id: String,
    /// Its current connection, if connected.
    pub connection: Option<ConnectionId>,
    /// Filters and granted QoS.
    pub subscriptions: Vec<(String, QoS)>,
    /// QoS 1/2 messages in flight to it.
    pub inflight: usize,
    /// Messages waiting to be sent to it.
    pub queued: usize,
    /// Open QoS 2 receiver transactions for messages it published.
    pub open_qos2: usize,
}

impl ClientSession {
    pub(super) fn new(client_id: &str) -> Self {
        ClientSession {
            client_id: client_id.to_string(),
            connection: None,
            version: ProtocolVersion::V311,
            expiry: SessionExpiry::AtClose,
            expires_at: None,
            subscriptions: BTreeMap::new(),
            outbound: VecDeque::new(),
            queued: VecDeque::new(),
            inbound_qos2: BTreeMap::new(),
            next_packet_id: 1,
            receive_maximum: u16::MAX,
            will: None,
        }
    }

    /// The highest granted QoS among the subscriptions matching `topic`
    /// (MQTT-3.3.5-1: one copy at the maximum QoS of overlapping
    /// subscriptions), skipping No Local ones for the publisher itself.
    pub(super) fn best_subscription(&self, topic_name: &str, from: &str) -> Option<Subscription> {
        self.subscriptions
            .iter()
            .filter(|(filter, sub)| {
                topic::matches(filter, topic_name) && !(sub.no_local && self.client_id == from)
            })
            .map(|(_, sub)| *sub)
            .reduce(|best, sub| Subscription {
                qos: best.qos.max(sub.qos),
                retain_as_published: best.retain_as_published || sub.retain_as_published,
                no_local: false,
            })
    }

    /// The next packet id not in flight (non-zero, MQTT-2.3.1-1; unused,
    /// MQTT-2.3.1-4).
    pub(super) fn allocate_packet_id(&mut self) -> Option<PacketId> {
        for _ in 0..u16::MAX {
            let id = self.next_packet_id;
            self.next_packet_id = if id == u16::MAX { 1 } else { id + 1 };
            if !self.outbound.iter().any(|f| f.packet_id == id) {
                return Some(id);
            }
        }
        None
    }
}

pub(super) fn session_expiry(connect: &Connect) -> SessionExpiry {
    match connect.protocol {
        ProtocolVersion::V311 if connect.clean_start => SessionExpiry::AtClose,
        ProtocolVersion::V311 => SessionExpiry::Never,
        ProtocolVersion::V5 => {
            expiry_from_secs(connect.properties.session_expiry_interval.unwrap_or(0))
        }
    }
}

pub(super) fn expiry_from_secs(secs: u32) -> SessionExpiry {
    match secs {
        0 => SessionExpiry::AtClose,
        u32::MAX => SessionExpiry::Never,
        secs => SessionExpiry::AfterSecs(secs),
    }
}
