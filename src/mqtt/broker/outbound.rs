//! Delivery to subscribers: sending or queueing, the in-flight window, and
//! the QoS 1/2 sender side (PUBACK, PUBREC → PUBREL, PUBCOMP).

use serde::{Deserialize, Serialize};

use super::events::{BrokerEventKind, DropReason, ResendReason};
use super::reason;
use super::{ack, Broker};
use crate::mqtt::packet::{
    Packet, PacketId, PacketType, ProtocolVersion, PubResponse, Publish, QoS,
};
use crate::mqtt::session::{FlowDirection, FlowState};

/// A QoS 1/2 message in flight from the broker to a client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboundFlow {
    /// The subscriber's client identifier.
    pub client_id: String,
    /// The broker's packet id for this subscriber.
    pub packet_id: PacketId,
    /// The PUBLISH as sent (resent with DUP=1).
    pub publish: Publish,
    /// [`FlowState::AwaitingPuback`], [`FlowState::AwaitingPubrec`] or
    /// [`FlowState::AwaitingPubcomp`].
    pub state: FlowState,
    /// When its last packet (PUBLISH or PUBREL) went out.
    pub last_sent_at: u64,
}

impl Broker {
    pub(super) fn on_puback(&mut self, client_id: &str, id: PacketId) {
        self.finish_outbound(client_id, id, FlowState::AwaitingPuback, PacketType::Puback);
    }

    pub(super) fn on_pubcomp(&mut self, client_id: &str, id: PacketId) {
        self.finish_outbound(
            client_id,
            id,
            FlowState::AwaitingPubcomp,
            PacketType::Pubcomp,
        );
    }

    /// QoS 2 sender, step 2: PUBREC → PUBREL. A repeat PUBREC gets PUBREL
    /// again; a failing MQTT 5 PUBREC ends the flow (§4.3.3).
    pub(super) fn on_pubrec(&mut self, client_id: &str, r: PubResponse) {
        let now = self.out.now;
        let Some(session) = self.sessions.get_mut(client_id) else {
            return;
        };
        let Some(connection) = session.connection else {
            return;
        };
        let version = session.version;
        let Some(index) = session
            .outbound
            .iter()
            .position(|f| f.packet_id == r.packet_id)
        else {
            let code = if version == ProtocolVersion::V5 {
                reason::PACKET_ID_NOT_FOUND
            } else {
                reason::SUCCESS
            };
            return self
                .out
                .send(connection, version, Packet::Pubrel(ack(r.packet_id, code)));
        };
        let flow = &mut session.outbound[index];
        match flow.state {
            FlowState::AwaitingPubrec if r.reason >= reason::UNSPECIFIED_ERROR => {
                return self.finish_outbound(
                    client_id,
                    r.packet_id,
                    FlowState::AwaitingPubrec,
                    PacketType::Pubrec,
                );
            }
            FlowState::AwaitingPubrec => {
                flow.state = FlowState::AwaitingPubcomp;
                flow.last_sent_at = now;
                self.flow_event(
                    client_id,
                    FlowDirection::Outgoing,
                    r.packet_id,
                    QoS::ExactlyOnce,
                    FlowState::AwaitingPubrec,
                    FlowState::AwaitingPubcomp,
                );
            }
            FlowState::AwaitingPubcomp => {
                flow.last_sent_at = now;
                self.out.event(BrokerEventKind::Resent {
                    client_id: client_id.to_string(),
                    packet_id: r.packet_id,
                    packet: PacketType::Pubrel,
                    reason: ResendReason::DuplicatePubrec,
                });
            }
            _ => {
                return self.out.event(BrokerEventKind::UnexpectedAck {
                    client_id: client_id.to_string(),
                    packet: PacketType::Pubrec,
                    packet_id: r.packet_id,
                })
            }
        }
        self.out.send(
            connection,
            version,
            Packet::Pubrel(ack(r.packet_id, reason::SUCCESS)),
        );
    }

    /// Removes the outbound flow `id` if it is `expected`, then sends what
    /// the freed window allows.
    pub(super) fn finish_outbound(
        &mut self,
        client_id: &str,
        id: PacketId,
        expected: FlowState,
        ack: PacketType,
    ) {
        let Some(session) = self.sessions.get_mut(client_id) else {
            return;
        };
        let found = session
            .outbound
            .iter()
            .position(|f| f.packet_id == id && f.state == expected);
        let Some(flow) = found.and_then(|i| session.outbound.remove(i)) else {
            return self.out.event(BrokerEventKind::UnexpectedAck {
                client_id: client_id.to_string(),
                packet: ack,
                packet_id: id,
            });
        };
        let to = if ack == PacketType::Pubrec {
            FlowState::Abandoned
        } else {
            FlowState::Done
        };
        self.flow_event(
            client_id,
            FlowDirection::Outgoing,
            id,
            flow.publish.qos,
            expected,
            to,
        );
        self.pump(client_id);
    }
}

impl Broker {
    /// Sends `publish` to `client_id` now (QoS 0 online) or queues it.
    pub(super) fn deliver(&mut self, client_id: &str, publish: Publish) {
        let limit = self.config.max_queued_messages;
        let Some(session) = self.sessions.get_mut(client_id) else {
            return;
        };
        let drop_reason = match (session.connection, publish.qos) {
            (Some(connection), QoS::AtMostOnce) => {
                return self
                    .out
                    .send(connection, session.version, Packet::Publish(publish));
            }
            (None, QoS::AtMostOnce) => Some(DropReason::Qos0WhileOffline),
            _ if limit.is_some_and(|max| session.queued.len() >= max) => {
                Some(DropReason::QueueFull)
            }
            _ => None,
        };
        if let Some(reason) = drop_reason {
            return self.out.event(BrokerEventKind::MessageDropped {
                client_id: client_id.to_string(),
                topic: publish.topic,
                reason,
            });
        }
        let online = session.connection.is_some();
        let (topic, qos) = (publish.topic.clone(), publish.qos);
        session.queued.push_back(publish);
        if online {
            self.pump(client_id);
        }
        let still_queued = self
            .sessions
            .get(client_id)
            .is_some_and(|s| !s.queued.is_empty());
        if still_queued {
            self.out.event(BrokerEventKind::MessageQueued {
                client_id: client_id.to_string(),
                topic,
                qos,
            });
        }
    }

    /// Moves queued messages into flight while the window allows.
    pub(super) fn pump(&mut self, client_id: &str) {
        let window = self.config.max_inflight_per_client;
        let now = self.out.now;
        let Some(session) = self.sessions.get_mut(client_id) else {
            return;
        };
        let Some(connection) = session.connection else {
            return;
        };
        let window = usize::from(window.min(session.receive_maximum).max(1));
        while session.outbound.len() < window {
            let Some(mut publish) = session.queued.pop_front() else {
                break;
            };
            if publish.qos == QoS::AtMostOnce {
                self.out
                    .send(connection, session.version, Packet::Publish(publish));
                continue;
            }
            let Some(id) = session.allocate_packet_id() else {
                session.queued.push_front(publish);
                break;
            };
            publish.packet_id = Some(id);
            let state = match publish.qos {
                QoS::AtLeastOnce => FlowState::AwaitingPuback,
                _ => FlowState::AwaitingPubrec,
            };
            let qos = publish.qos;
            session.outbound.push_back(OutboundFlow {
                client_id: client_id.to_string(),
                packet_id: id,
                publish: publish.clone(),
                state,
                last_sent_at: now,
            });
            self.out.event(BrokerEventKind::Flow {
                client_id: client_id.to_string(),
                direction: FlowDirection::Outgoing,
                packet_id: id,
                qos,
                from: FlowState::New,
                to: state,
            });
            self.out
                .send(connection, session.version, Packet::Publish(publish));
        }
    }
}

impl OutboundFlow {
    /// The packet to send again: PUBLISH with DUP=1 before PUBREC, PUBREL after
    /// (§4.3.3: never PUBLISH again once PUBREC came).
    pub(super) fn resend_packet(&mut self, now: u64) -> Packet {
        self.last_sent_at = now;
        match self.state {
            FlowState::AwaitingPubcomp => Packet::Pubrel(ack(self.packet_id, reason::SUCCESS)),
            _ => {
                self.publish.dup = true;
                Packet::Publish(self.publish.clone())
            }
        }
    }
}
