//! The merged log of a run: session, broker, wire and link events, each
//! with its virtual time.

use serde::{Deserialize, Serialize};

use super::Node;
use crate::mqtt::broker::{BrokerEventKind, ConnectionId};
use crate::mqtt::fault::{FaultCause, TargetedRule};
use crate::mqtt::packet::Packet;
use crate::mqtt::session::EventKind;

/// What happened to a packet put on a link.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Fate {
    /// It was let through and is due at `arrive_at` (unless a cut loses it on
    /// the way: then a [`SimEventKind::WireLost`] follows).
    Delivered,
    /// A fault rule or the loss draw dropped it.
    Dropped {
        /// The rule responsible.
        rule: FaultCause,
    },
}

/// One packet put on a link.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WireEvent {
    /// Unique within a run, in sending order.
    pub id: u64,
    /// When it left.
    pub sent_at: u64,
    /// When it arrives (or would have, if dropped).
    pub arrive_at: u64,
    /// Sender.
    pub from: Node,
    /// Receiver.
    pub to: Node,
    /// The transport connection it travels on.
    pub connection: ConnectionId,
    /// The packet.
    pub packet: Packet,
    /// Its bytes on the wire.
    pub bytes: Vec<u8>,
    /// Delivered or dropped.
    pub fate: Fate,
}

/// Who ended a connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CloseOrigin {
    /// Cut by a fault rule (`Some`) or by [`super::Sim::cut`] (`None`): both ends at once.
    Cut(Option<TargetedRule>),
    /// The client session closed it (after DISCONNECT, on keep-alive timeout, ...).
    Client,
    /// The broker closed it.
    Broker,
}

/// An entry of the merged log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimEvent {
    /// Virtual milliseconds.
    pub at: u64,
    /// What happened.
    pub kind: SimEventKind,
}

/// Kinds of log entries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum SimEventKind {
    /// A session event of client `client`.
    Session {
        /// Client index.
        client: usize,
        /// The event.
        event: EventKind,
    },
    /// A broker event.
    Broker(BrokerEventKind),
    /// A packet was put on a link.
    Wire(WireEvent),
    /// A delivered packet never arrived: its connection closed under it.
    WireLost {
        /// The [`WireEvent::id`].
        wire_id: u64,
        /// Why.
        cause: FaultCause,
    },
    /// A transport connection opened.
    LinkOpened {
        /// Client index.
        client: usize,
        /// The new connection.
        connection: ConnectionId,
    },
    /// One end of a connection closed (a cut closes both: one entry).
    LinkClosed {
        /// Client index.
        client: usize,
        /// The connection.
        connection: ConnectionId,
        /// Who closed it.
        by: CloseOrigin,
        /// The end that saw it close now.
        end: Node,
    },
}
