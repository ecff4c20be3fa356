//! The persistable session state (what MQTT §4.1 calls the Client's session
//! state), serializable with serde, restorable into a new [`Session`].
//!
//! Connection state (keep-alive, aliases, the broker's limits) is not part of
//! it: a restored session starts disconnected.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::ids::PacketIds;
use super::outgoing::{OutgoingFlow, Stage};
use super::{EventKind, FlowDirection, FlowState, Message, Session, SessionConfig};
use crate::mqtt::packet::{PacketId, Properties, Publish, QoS, SubscribeFilter};

/// An outgoing QoS>0 PUBLISH not yet acknowledged (or not yet sent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutgoingPublish {
    /// `Queued`, `AwaitingPuback` or `AwaitingPubrec`.
    pub state: FlowState,
    /// How often the PUBLISH was sent (0 = never: no DUP when it goes out).
    pub sends: u32,
    /// The message, with its packet id.
    pub publish: Publish,
}

/// An incoming QoS 2 id waiting for PUBREL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncomingQos2 {
    /// Packet id.
    pub packet_id: PacketId,
    /// The message, kept until PUBREL when delivering on PUBREL.
    pub message: Option<Message>,
}

/// A subscription with its granted QoS, and how it was asked for, so that
/// the session can ask again when a broker has lost it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subscription {
    /// Topic filter.
    pub filter: String,
    /// Granted QoS.
    pub qos: QoS,
    /// The filter's options as asked (maximum QoS, No Local, ...); when
    /// unknown (an older snapshot), the filter at its granted QoS.
    #[serde(default)]
    pub requested: Option<SubscribeFilter>,
    /// The SUBSCRIBE's properties (its Subscription Identifier).
    #[serde(default, skip_serializing_if = "Properties::is_empty")]
    pub properties: Properties,
}

impl Subscription {
    /// What to send to subscribe again.
    pub fn request(&self) -> SubscribeFilter {
        self.requested.clone().unwrap_or_else(|| SubscribeFilter {
            filter: self.filter.clone(),
            qos: self.qos,
            ..Default::default()
        })
    }
}

/// One outgoing flow as stored: its PUBLISH while unacknowledged, or only
/// its id once PUBREL is out (QoS 2 awaiting PUBCOMP).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum OutgoingEntry {
    /// Queued, or sent and awaiting PUBACK / PUBREC.
    Publish(Box<OutgoingPublish>),
    /// PUBREL sent, awaiting PUBCOMP.
    Pubrel(PacketId),
}

/// What changed in the persistable state since the last
/// [`Session::take_state_changes`]: so that a store rewrites one entry per
/// change, not the whole snapshot (which grows with what is in flight).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StateChanges {
    /// Everything may have changed (a broker without our session): store
    /// the whole snapshot again.
    pub all: bool,
    /// Outgoing flows created, moved on or finished.
    pub outgoing: BTreeSet<PacketId>,
    /// Incoming QoS 2 ids stored or released.
    pub incoming: BTreeSet<PacketId>,
    /// Subscriptions changed.
    pub subscriptions: bool,
}

impl StateChanges {
    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        !self.all && self.outgoing.is_empty() && self.incoming.is_empty() && !self.subscriptions
    }

    /// Whether `kind` changes the persistable state.
    pub(crate) fn is_change(kind: &EventKind) -> bool {
        kind.changes_session_state()
            || matches!(
                kind,
                EventKind::Connected {
                    session_present: false,
                    ..
                }
            )
    }

    /// Records what `kind` (a change, by [`StateChanges::is_change`]) changed.
    pub(crate) fn note(&mut self, kind: &EventKind) {
        match kind {
            EventKind::Connected {
                session_present: false,
                ..
            } => self.all = true,
            EventKind::Flow {
                packet_id,
                direction: FlowDirection::Outgoing,
                ..
            }
            | EventKind::MessageDropped { packet_id, .. }
            | EventKind::PublishFailed {
                packet_id: Some(packet_id),
                ..
            } => {
                self.outgoing.insert(*packet_id);
            }
            EventKind::Flow {
                packet_id,
                direction: FlowDirection::Incoming,
                ..
            } => {
                self.incoming.insert(*packet_id);
            }
            EventKind::Subscribed { .. }
            | EventKind::Unsubscribed { .. }
            | EventKind::SubscriptionsLost { .. } => self.subscriptions = true,
            _ => {}
        }
    }
}

/// Everything that survives a reconnect, in resend order.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SessionSnapshot {
    /// Outgoing QoS 1/2 PUBLISHes, oldest first.
    pub outgoing_publishes: Vec<OutgoingPublish>,
    /// Outgoing QoS 2 flows past PUBREC: PUBREL sent, awaiting PUBCOMP.
    pub outgoing_pubrels: Vec<PacketId>,
    /// Incoming QoS 2 ids awaiting PUBREL.
    pub incoming_qos2: Vec<IncomingQos2>,
    /// The id the next allocation tries first.
    pub next_packet_id: PacketId,
    /// Subscriptions with granted QoS.
    pub subscriptions: Vec<Subscription>,
}

impl Session {
    /// What changed since the last call; the first call says everything
    /// did (a store then writes the whole state once), and from then on
    /// the session keeps track.
    pub fn take_state_changes(&mut self) -> StateChanges {
        self.changes
            .replace(StateChanges::default())
            .unwrap_or(StateChanges {
                all: true,
                ..StateChanges::default()
            })
    }

    /// Outgoing flow `packet_id` as stored, if it is still held (O(log n)),
    /// with its place in the resend order (larger is newer; numbered afresh
    /// by each session, so store them all again after a restore).
    pub fn outgoing_entry(&self, packet_id: PacketId) -> Option<(u64, OutgoingEntry)> {
        let flow = self.outgoing.get(self.outgoing.index_of(packet_id)?);
        let entry = match flow.stage.publish() {
            Some(publish) => OutgoingEntry::Publish(Box::new(OutgoingPublish {
                state: flow.stage.state(),
                sends: flow.sends,
                publish: publish.clone(),
            })),
            None => OutgoingEntry::Pubrel(flow.packet_id),
        };
        Some((flow.seq, entry))
    }

    /// The id the next allocation tries first.
    pub fn next_packet_id(&self) -> PacketId {
        self.ids.peek_next()
    }

    /// The subscriptions as stored.
    pub fn subscription_entries(&self) -> Vec<Subscription> {
        self.subscriptions.values().cloned().collect()
    }

    /// Every outgoing flow's packet id, oldest first.
    pub fn outgoing_ids(&self) -> Vec<PacketId> {
        self.outgoing.iter().map(|flow| flow.packet_id).collect()
    }

    /// Every incoming QoS 2 id awaiting PUBREL.
    pub fn incoming_ids(&self) -> Vec<PacketId> {
        self.incoming.keys().copied().collect()
    }

    /// Incoming QoS 2 id `packet_id` as stored, if it awaits PUBREL.
    pub fn incoming_entry(&self, packet_id: PacketId) -> Option<IncomingQos2> {
        self.incoming.get(&packet_id).map(|message| IncomingQos2 {
            packet_id,
            message: message.clone(),
        })
    }

    /// The session state as plain data.
    pub fn snapshot(&self) -> SessionSnapshot {
        let mut snapshot = SessionSnapshot {
            next_packet_id: self.ids.peek_next(),
            ..Default::default()
        };
        for flow in self.outgoing.iter() {
            match flow.stage.publish() {
                Some(publish) => snapshot.outgoing_publishes.push(OutgoingPublish {
                    state: flow.stage.state(),
                    sends: flow.sends,
                    publish: publish.clone(),
                }),
                None => snapshot.outgoing_pubrels.push(flow.packet_id),
            }
        }
        snapshot.incoming_qos2 = self
            .incoming
            .iter()
            .map(|(id, message)| IncomingQos2 {
                packet_id: *id,
                message: message.clone(),
            })
            .collect();
        snapshot.subscriptions = self.subscriptions.values().cloned().collect();
        snapshot
    }

    /// A disconnected session holding `snapshot`'s state. On the next
    /// `connect`, PUBRELs then PUBLISHes are resent if the broker still has
    /// the session, dropped otherwise. Entries without a usable packet id
    /// (0, QoS 0, or an id seen twice) are skipped.
    pub fn restore(config: SessionConfig, snapshot: SessionSnapshot) -> Session {
        let mut session = Session::new(config);
        // Restored, it has session state, even an empty one (MQTT-3.2.2-4).
        session.has_state = true;
        session.ids = PacketIds::starting_at(snapshot.next_packet_id);
        for packet_id in snapshot.outgoing_pubrels {
            session.restore_flow(OutgoingFlow::new(
                packet_id,
                QoS::ExactlyOnce,
                Stage::AwaitingPubcomp,
                1,
            ));
        }
        for entry in snapshot.outgoing_publishes {
            let Some(packet_id) = entry.publish.packet_id else {
                continue;
            };
            let qos = entry.publish.qos;
            let stage = match entry.state {
                _ if entry.state == FlowState::Queued || entry.sends == 0 => {
                    Stage::Queued(entry.publish)
                }
                _ if qos == QoS::ExactlyOnce => Stage::AwaitingPubrec(entry.publish),
                _ => Stage::AwaitingPuback(entry.publish),
            };
            if qos != QoS::AtMostOnce {
                session.restore_flow(OutgoingFlow::new(packet_id, qos, stage, entry.sends));
            }
        }
        for entry in snapshot.incoming_qos2 {
            session.incoming.insert(entry.packet_id, entry.message);
        }
        for sub in snapshot.subscriptions {
            session.subscriptions.insert(sub.filter.clone(), sub);
        }
        session
    }

    fn restore_flow(&mut self, flow: OutgoingFlow) {
        if flow.packet_id == 0 || self.ids.is_in_use(flow.packet_id) {
            return;
        }
        self.ids.claim(flow.packet_id);
        self.outgoing.push(flow);
    }
}
