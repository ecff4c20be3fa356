//! The broker's QoS flows, as the wire between it and its clients proves them.
//!
//! The simulated broker ([`super::broker`]) reports its own flow changes. A
//! real broker (Mosquitto in live mode) reports nothing, but every change of
//! its flow state shows on the wire: it stores a QoS 2 packet id when a
//! PUBLISH reaches it (and answers PUBREC), releases it when the PUBREL does,
//! opens a sender flow when it sends a subscriber a PUBLISH, and so on.
//!
//! [`BrokerObserver`] is the broker's side of those rules, fed with the
//! packets each client exchanged with the broker. It emits the same
//! [`BrokerEventKind`]s, with the same states, as the simulated broker does
//! for the same packets, so one transcript draws both (the test
//! `tests/broker_observer.rs` runs every scenario both ways).
//!
//! What the wire cannot show is not guessed: a flow this observer never saw
//! begin is not finished, and routing to a subscriber is reported only when
//! its PUBLISH matches one a client was seen to publish.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use super::broker::{BrokerEvent, BrokerEventKind, ResendReason};
use super::packet::{Packet, PacketId, PacketType, PubResponse, Publish, QoS};
use super::session::{FlowDirection, FlowState};

/// How many publishes are remembered to match a delivery to its publisher.
const REMEMBERED_PUBLISHES: usize = 64;

/// Which way a packet crossed between a client and the broker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Crossing {
    /// The client's packet reached the broker (sent, and not lost on the way).
    ToBroker,
    /// The broker sent the packet to the client (whether or not it arrived).
    FromBroker,
}

/// A PUBLISH a client was seen to send, to name the publisher of a delivery.
#[derive(Debug, Clone, PartialEq)]
struct Published {
    from: String,
    topic: String,
    payload: Vec<u8>,
    qos: QoS,
}

/// The broker's flow state, per client, as far as the wire proves it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BrokerObserver {
    /// QoS 2 packet ids the broker stored for a publishing client (between
    /// PUBLISH and PUBREL).
    stored: BTreeSet<(String, PacketId)>,
    /// The broker's sender flows towards each subscribing client.
    sending: BTreeMap<(String, PacketId), FlowState>,
    /// The latest PUBLISHes that reached the broker.
    published: VecDeque<Published>,
}

impl BrokerObserver {
    /// An observer that has seen nothing yet.
    pub fn new() -> Self {
        BrokerObserver::default()
    }

    /// Flows the broker holds open now: (client, packet id, state), stored
    /// QoS 2 ids first.
    pub fn open_flows(&self) -> Vec<(String, PacketId, FlowState)> {
        let stored = self
            .stored
            .iter()
            .map(|(c, id)| (c.clone(), *id, FlowState::IdStored));
        let sending = self
            .sending
            .iter()
            .map(|((c, id), state)| (c.clone(), *id, *state));
        stored.chain(sending).collect()
    }

    /// Takes one packet `client` exchanged with the broker at `at`, and
    /// appends to `out` what it proves the broker did.
    pub fn observe(
        &mut self,
        at: u64,
        client: &str,
        crossing: Crossing,
        packet: &Packet,
        out: &mut Vec<BrokerEvent>,
    ) {
        let mut emit = |kind| out.push(BrokerEvent { at, kind });
        match (crossing, packet) {
            (Crossing::ToBroker, Packet::Publish(p)) => self.publish_in(client, p, &mut emit),
            (Crossing::ToBroker, Packet::Pubrel(r)) => self.pubrel_in(client, r, &mut emit),
            (Crossing::ToBroker, Packet::Puback(r)) => {
                self.ack_in(client, r, PacketType::Puback, &mut emit)
            }
            (Crossing::ToBroker, Packet::Pubrec(r)) => {
                self.ack_in(client, r, PacketType::Pubrec, &mut emit)
            }
            (Crossing::ToBroker, Packet::Pubcomp(r)) => {
                self.ack_in(client, r, PacketType::Pubcomp, &mut emit)
            }
            (Crossing::FromBroker, Packet::Publish(p)) => self.publish_out(client, p, &mut emit),
            (Crossing::FromBroker, Packet::Connack(c)) if !c.session_present => {
                // A new session on the broker: whatever it held for this client is gone.
                self.stored.retain(|(c, _)| c != client);
                self.sending.retain(|(c, _), _| c != client);
            }
            _ => {}
        }
    }

    /// The broker as a receiver: QoS 2 stores the id and answers PUBREC
    /// (or knows it already); every level is remembered for routing.
    fn publish_in(&mut self, client: &str, p: &Publish, emit: &mut impl FnMut(BrokerEventKind)) {
        if self.published.len() == REMEMBERED_PUBLISHES {
            self.published.pop_front();
        }
        self.published.push_back(Published {
            from: client.to_string(),
            topic: p.topic.clone(),
            payload: p.payload.clone(),
            qos: p.qos,
        });
        let (QoS::ExactlyOnce, Some(id)) = (p.qos, p.packet_id) else {
            return;
        };
        if !self.stored.insert((client.to_string(), id)) {
            return emit(BrokerEventKind::Resent {
                client_id: client.to_string(),
                packet_id: id,
                packet: PacketType::Pubrec,
                reason: ResendReason::DuplicatePublish,
            });
        }
        emit(flow(
            client,
            FlowDirection::Incoming,
            id,
            QoS::ExactlyOnce,
            FlowState::New,
            FlowState::IdStored,
        ));
    }

    /// QoS 2 receiver, step 3: the broker releases the id (or never had it).
    fn pubrel_in(&mut self, client: &str, r: &PubResponse, emit: &mut impl FnMut(BrokerEventKind)) {
        let id = r.packet_id;
        if self.stored.remove(&(client.to_string(), id)) {
            emit(flow(
                client,
                FlowDirection::Incoming,
                id,
                QoS::ExactlyOnce,
                FlowState::IdStored,
                FlowState::Done,
            ));
        } else {
            emit(BrokerEventKind::PubrelForUnknownId {
                client_id: client.to_string(),
                packet_id: id,
            });
        }
    }

    /// The broker as a sender: a new PUBLISH opens a flow; a resend does not.
    fn publish_out(&mut self, client: &str, p: &Publish, emit: &mut impl FnMut(BrokerEventKind)) {
        if let Some(from) = self
            .published
            .iter()
            .rev()
            .find(|m| m.topic == p.topic && m.payload == p.payload)
        {
            if !p.dup {
                emit(BrokerEventKind::MessageRouted {
                    from: from.from.clone(),
                    to: client.to_string(),
                    topic: p.topic.clone(),
                    published_qos: from.qos,
                    // The wire shows the delivery's QoS only: the grant is at least that,
                    // and equal to it whenever the message was downgraded.
                    granted_qos: p.qos,
                    delivered_qos: p.qos,
                });
            }
        }
        let Some(id) = p.packet_id else {
            return;
        };
        let state = match p.qos {
            QoS::AtMostOnce => return,
            QoS::AtLeastOnce => FlowState::AwaitingPuback,
            QoS::ExactlyOnce => FlowState::AwaitingPubrec,
        };
        let key = (client.to_string(), id);
        if self.sending.contains_key(&key) {
            return;
        }
        self.sending.insert(key, state);
        emit(flow(
            client,
            FlowDirection::Outgoing,
            id,
            p.qos,
            FlowState::New,
            state,
        ));
    }

    /// A subscriber's acknowledgement of a broker's sender flow.
    fn ack_in(
        &mut self,
        client: &str,
        r: &PubResponse,
        ack: PacketType,
        emit: &mut impl FnMut(BrokerEventKind),
    ) {
        let key = (client.to_string(), r.packet_id);
        let Some(&state) = self.sending.get(&key) else {
            return;
        };
        let (qos, to) = match (state, ack) {
            (FlowState::AwaitingPuback, PacketType::Puback) => (QoS::AtLeastOnce, FlowState::Done),
            // A PUBREC with an error code ends the flow (MQTT-4.3.3-13 in 5.0).
            (FlowState::AwaitingPubrec, PacketType::Pubrec) if r.reason >= 0x80 => {
                (QoS::ExactlyOnce, FlowState::Abandoned)
            }
            (FlowState::AwaitingPubrec, PacketType::Pubrec) => {
                (QoS::ExactlyOnce, FlowState::AwaitingPubcomp)
            }
            (FlowState::AwaitingPubcomp, PacketType::Pubrec) => {
                return emit(BrokerEventKind::Resent {
                    client_id: client.to_string(),
                    packet_id: r.packet_id,
                    packet: PacketType::Pubrel,
                    reason: ResendReason::DuplicatePubrec,
                });
            }
            (FlowState::AwaitingPubcomp, PacketType::Pubcomp) => {
                (QoS::ExactlyOnce, FlowState::Done)
            }
            _ => return,
        };
        if matches!(to, FlowState::Done | FlowState::Abandoned) {
            self.sending.remove(&key);
        } else {
            self.sending.insert(key, to);
        }
        emit(flow(
            client,
            FlowDirection::Outgoing,
            r.packet_id,
            qos,
            state,
            to,
        ));
    }
}

fn flow(
    client: &str,
    direction: FlowDirection,
    packet_id: PacketId,
    qos: QoS,
    from: FlowState,
    to: FlowState,
) -> BrokerEventKind {
    BrokerEventKind::Flow {
        client_id: client.to_string(),
        direction,
        packet_id,
        qos,
        from,
        to,
    }
}
