//! The broker's PUBLISH flows towards us: QoS 0 deliver, QoS 1 deliver +
//! PUBACK, QoS 2 store id + PUBREC … PUBREL → PUBCOMP, deduplicated by id,
//! delivered on PUBLISH or on PUBREL ([`super::Qos2Delivery`]).

use super::codec;
use super::{ConnState, EventKind, FlowDirection, FlowState, Message, Qos2Delivery, Session};
use crate::mqtt::packet::{Packet, PacketId, PacketType, PubResponse, Publish, QoS};
use crate::mqtt::topic::matches;

impl Session {
    /// PUBLISH from the broker.
    pub(crate) fn on_publish(&mut self, now: u64, publish: Publish) {
        let Some(topic) = self.resolve_topic(now, &publish) else {
            return;
        };
        let (received, message) = self.message(topic, publish);
        match (received, message.packet_id) {
            (QoS::AtMostOnce, _) => self.deliver(now, message),
            (QoS::AtLeastOnce, Some(id)) => self.receive_qos1(now, id, message),
            (QoS::ExactlyOnce, Some(id)) => self.receive_qos2(now, id, message),
            (_, None) => self.protocol_error(now, "QoS>0 PUBLISH without a packet id".into(), 0x81),
        }
    }

    /// MQTT 5 topic alias resolution (§3.3.2.3.4); None after a protocol error.
    fn resolve_topic(&mut self, now: u64, publish: &Publish) -> Option<String> {
        let Some(alias) = publish.properties.topic_alias else {
            if publish.topic.is_empty() {
                self.protocol_error(
                    now,
                    "PUBLISH with an empty topic and no topic alias".into(),
                    0x82,
                );
                return None;
            }
            return Some(publish.topic.clone());
        };
        let maximum = self.config.topic_alias_maximum;
        if alias == 0 || alias > maximum {
            // MQTT-3.3.2-10 / -11: an alias must be 1..=our Topic Alias Maximum.
            let text = format!("topic alias {alias} outside the allowed 1..={maximum}");
            self.protocol_error(now, text, 0x94);
            return None;
        }
        let resolved = match &mut self.conn_state {
            ConnState::Connected(c) => c.aliases.resolve_incoming(alias, &publish.topic),
            _ => None,
        };
        if resolved.is_none() {
            self.protocol_error(now, format!("unknown topic alias {alias}"), 0x82);
        }
        resolved
    }

    /// The QoS received and the message as the application sees it:
    /// effective QoS and matching subscriptions.
    fn message(&self, topic: String, publish: Publish) -> (QoS, Message) {
        let mut granted = None;
        let mut matched_filters = Vec::new();
        for (filter, subscription) in &self.subscriptions {
            if matches(filter, &topic) {
                granted = granted.max(Some(subscription.qos));
                matched_filters.push(filter.clone());
            }
        }
        let received = publish.qos;
        let mut properties = publish.properties;
        properties.topic_alias = None;
        let message = Message {
            topic,
            payload: publish.payload,
            // Effective QoS = min(published, granted); the broker should
            // already have downgraded (MQTT-3.8.4-8), this makes it visible.
            qos: granted.map_or(received, |g| received.min(g)),
            retain: publish.retain,
            dup: publish.dup,
            packet_id: publish.packet_id,
            properties,
            matched_filters,
        };
        (received, message)
    }

    fn receive_qos1(&mut self, now: u64, packet_id: PacketId, message: Message) {
        if self.exceeds_receive_maximum(now) {
            return;
        }
        self.send(now, ack(Packet::Puback, packet_id, 0));
        self.emit_incoming_flow(
            now,
            packet_id,
            QoS::AtLeastOnce,
            FlowState::New,
            FlowState::Done,
        );
        self.deliver(now, message);
    }

    /// Stores the id and answers PUBREC; a repeat of a stored id is a
    /// duplicate: PUBREC again, no second delivery (MQTT-4.3.3-10).
    fn receive_qos2(&mut self, now: u64, packet_id: PacketId, message: Message) {
        if self.incoming.contains_key(&packet_id) {
            self.send(now, ack(Packet::Pubrec, packet_id, 0));
            return self.emit(now, EventKind::DuplicateSuppressed { packet_id });
        }
        if self.exceeds_receive_maximum(now) {
            return;
        }
        let on_publish = self.config.qos2_delivery == Qos2Delivery::OnPublish;
        let stored = if on_publish {
            None
        } else {
            Some(message.clone())
        };
        self.incoming.insert(packet_id, stored);
        self.send(now, ack(Packet::Pubrec, packet_id, 0));
        self.emit_incoming_flow(
            now,
            packet_id,
            QoS::ExactlyOnce,
            FlowState::New,
            FlowState::IdStored,
        );
        if on_publish {
            self.deliver(now, message);
        }
    }

    /// MQTT-3.3.4-9: the broker may not have more unacknowledged QoS>0
    /// PUBLISHes towards us than our Receive Maximum; if it does: DISCONNECT 0x93.
    fn exceeds_receive_maximum(&mut self, now: u64) -> bool {
        let maximum = usize::from(self.config.receive_maximum);
        if !self.is_v5() || self.incoming.len() < maximum {
            return false;
        }
        let text = format!("the broker exceeded our Receive Maximum of {maximum}");
        self.protocol_error(now, text, 0x93);
        true
    }

    /// PUBREL: release the id, deliver if we deliver on PUBREL, answer
    /// PUBCOMP. An unknown id still gets PUBCOMP (MQTT-4.3.3-11/12): our
    /// earlier PUBCOMP was lost and the broker is retrying.
    pub(crate) fn on_pubrel(&mut self, now: u64, rel: PubResponse) {
        let packet_id = rel.packet_id;
        let Some(stored) = self.incoming.remove(&packet_id) else {
            self.warn(
                now,
                format!("PUBREL for unknown id {packet_id}: answering PUBCOMP anyway"),
            );
            let reason = if self.is_v5() { 0x92 } else { 0 }; // Packet Identifier not found
            return self.send(now, ack(Packet::Pubcomp, packet_id, reason));
        };
        self.send(now, ack(Packet::Pubcomp, packet_id, 0));
        self.emit_incoming_flow(
            now,
            packet_id,
            QoS::ExactlyOnce,
            FlowState::IdStored,
            FlowState::Done,
        );
        if let Some(message) = stored {
            self.deliver(now, message);
        }
    }

    fn deliver(&mut self, now: u64, message: Message) {
        self.emit(now, EventKind::Delivered { message });
    }

    /// Connected without a session: stored incoming QoS 2 ids are gone too.
    pub(crate) fn forget_incoming(&mut self, now: u64) {
        for packet_id in std::mem::take(&mut self.incoming).into_keys() {
            self.emit_incoming_flow(
                now,
                packet_id,
                QoS::ExactlyOnce,
                FlowState::IdStored,
                FlowState::Abandoned,
            );
        }
    }

    fn emit_incoming_flow(
        &mut self,
        now: u64,
        packet_id: PacketId,
        qos: QoS,
        from: FlowState,
        to: FlowState,
    ) {
        let direction = FlowDirection::Incoming;
        self.emit(
            now,
            EventKind::Flow {
                packet_id,
                direction,
                qos,
                from,
                to,
            },
        );
    }

    /// A reason code in words, for the acknowledgement packets' codes.
    pub(crate) fn ack_reason(&self, packet_type: PacketType, code: u8) -> String {
        codec::reason_words(packet_type, self.config.version, code)
    }
}

fn ack(make: fn(PubResponse) -> Packet, packet_id: PacketId, reason: u8) -> Packet {
    make(PubResponse {
        packet_id,
        reason,
        ..Default::default()
    })
}
