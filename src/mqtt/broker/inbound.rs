//! Messages clients publish to the broker: checks, the QoS 1 answer, and
//! the QoS 2 receiver table (PUBLISH → PUBREC, PUBREL → PUBCOMP).

use serde::{Deserialize, Serialize};

use super::config::Qos2Forwarding;
use super::events::{BrokerEventKind, CloseReason, ResendReason};
use super::reason;
use super::{ack, Broker, ConnectionId};
use crate::mqtt::packet::{Packet, PacketId, PacketType, ProtocolVersion, Publish, QoS};
use crate::mqtt::session::{FlowDirection, FlowState};
use crate::mqtt::topic;

/// The state of an entry of the broker's QoS 2 receiver table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Qos2TransactionState {
    /// PUBREC sent; waiting for PUBREL. Repeats of the PUBLISH are answered
    /// with PUBREC and not forwarded again (MQTT-4.3.3-10 in 5.0, §4.3.3 in 3.1.1).
    WaitingPubrel,
}

/// One open entry of the QoS 2 receiver table: a message a client published
/// with QoS 2 whose PUBREL has not arrived yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Qos2Transaction {
    /// The publisher's MQTT client identifier.
    pub client_id: String,
    /// The publisher's packet id.
    pub packet_id: PacketId,
    /// The message as received (forwarded on PUBREL, or already on PUBLISH).
    pub message: Publish,
    /// Where the handshake stands.
    pub state: Qos2TransactionState,
    /// When the first PUBLISH arrived.
    pub created_at: u64,
    /// When PUBREC was last sent.
    pub pubrec_sent_at: u64,
    /// How many times PUBREC was sent again (for a repeat or on timeout).
    pub pubrec_resends: u32,
    /// True once the message went to subscribers.
    pub forwarded: bool,
}

/// A row of the QoS 2 table as the visualiser shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Qos2TransactionView {
    /// Publisher's client identifier.
    pub client_id: String,
    /// Publisher's packet id.
    pub packet_id: PacketId,
    /// Topic of the stored message.
    pub topic: String,
    /// State.
    pub state: Qos2TransactionState,
    /// When it was opened.
    pub created_at: u64,
    /// Milliseconds since it was opened.
    pub age_ms: u64,
    /// PUBREC resends so far.
    pub pubrec_resends: u32,
}

impl Broker {
    pub(super) fn on_publish(
        &mut self,
        connection: ConnectionId,
        client_id: &str,
        publish: Publish,
    ) {
        if topic::validate_topic_name(&publish.topic).is_err() {
            return self.disconnect_with(
                connection,
                reason::TOPIC_NAME_INVALID,
                CloseReason::ProtocolError,
            );
        }
        let v5 = self.transports.get(&connection).map(|l| l.version) == Some(ProtocolVersion::V5);
        if v5 && publish.qos > self.config.maximum_qos {
            // MQTT 5.0 §3.2.2.3.4: above the Maximum QoS announced in CONNACK.
            return self.disconnect_with(
                connection,
                reason::QOS_NOT_SUPPORTED,
                CloseReason::ProtocolError,
            );
        }
        match (publish.qos, publish.packet_id) {
            (QoS::AtMostOnce, _) => self.route(client_id, &publish),
            (QoS::AtLeastOnce, Some(id)) => {
                self.route(client_id, &publish);
                self.reply(connection, Packet::Puback(ack(id, reason::SUCCESS)));
            }
            (QoS::ExactlyOnce, Some(id)) => {
                self.on_qos2_publish(connection, client_id, id, publish)
            }
            (_, None) => self.violation(
                connection,
                "QoS > 0 PUBLISH without a packet id (MQTT-2.3.1-1)",
            ),
        }
    }

    /// QoS 2 receiver, step 1: store the id (and message), answer PUBREC.
    /// A repeat of a stored id is answered with PUBREC again and not
    /// forwarded again (MQTT-4.3.3-10 in 5.0, §4.3.3 in 3.1.1).
    pub(super) fn on_qos2_publish(
        &mut self,
        connection: ConnectionId,
        client_id: &str,
        id: PacketId,
        publish: Publish,
    ) {
        let now = self.out.now;
        let forward_now = self.config.qos2_forwarding == Qos2Forwarding::OnPublish;
        let Some(session) = self.sessions.get_mut(client_id) else {
            return;
        };
        if let Some(open) = session.inbound_qos2.get_mut(&id) {
            open.pubrec_sent_at = now;
            open.pubrec_resends += 1;
            self.out.event(BrokerEventKind::Resent {
                client_id: client_id.to_string(),
                packet_id: id,
                packet: PacketType::Pubrec,
                reason: ResendReason::DuplicatePublish,
            });
            return self.reply(connection, Packet::Pubrec(ack(id, reason::SUCCESS)));
        }
        session.inbound_qos2.insert(
            id,
            Qos2Transaction {
                client_id: client_id.to_string(),
                packet_id: id,
                message: publish.clone(),
                state: Qos2TransactionState::WaitingPubrel,
                created_at: now,
                pubrec_sent_at: now,
                pubrec_resends: 0,
                forwarded: forward_now,
            },
        );
        self.flow_event(
            client_id,
            FlowDirection::Incoming,
            id,
            QoS::ExactlyOnce,
            FlowState::New,
            FlowState::IdStored,
        );
        if forward_now {
            self.route(client_id, &publish);
        }
        self.reply(connection, Packet::Pubrec(ack(id, reason::SUCCESS)));
    }

    /// QoS 2 receiver, step 3: release the id, forward if not done yet,
    /// answer PUBCOMP. An unknown id still gets PUBCOMP (§4.3.3; 5.0 with
    /// reason 0x92 Packet Identifier not found).
    pub(super) fn on_pubrel(&mut self, connection: ConnectionId, client_id: &str, id: PacketId) {
        let released = self
            .sessions
            .get_mut(client_id)
            .and_then(|s| s.inbound_qos2.remove(&id));
        let code = match released {
            Some(transaction) => {
                self.flow_event(
                    client_id,
                    FlowDirection::Incoming,
                    id,
                    QoS::ExactlyOnce,
                    FlowState::IdStored,
                    FlowState::Done,
                );
                if !transaction.forwarded {
                    self.route(client_id, &transaction.message);
                }
                reason::SUCCESS
            }
            None => {
                self.out.event(BrokerEventKind::PubrelForUnknownId {
                    client_id: client_id.to_string(),
                    packet_id: id,
                });
                reason::PACKET_ID_NOT_FOUND
            }
        };
        let v5 = self.transports.get(&connection).map(|l| l.version) == Some(ProtocolVersion::V5);
        let code = if v5 { code } else { reason::SUCCESS };
        self.reply(connection, Packet::Pubcomp(ack(id, code)));
    }
}
