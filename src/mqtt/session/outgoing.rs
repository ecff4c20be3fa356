//! Our PUBLISH flows: QoS 0 fire-and-forget, QoS 1 (PUBLISH → PUBACK) and
//! QoS 2 (PUBLISH → PUBREC → PUBREL → PUBCOMP), the in-flight window
//! (Receive Maximum), resends and the publish command.

use super::aliases::AliasUse;
use super::codec;
use super::{CommandError, EventKind, FlowDirection, FlowState, PublishRequest, Session, Timer};
use crate::mqtt::packet::{Packet, PacketId, PacketType, PubResponse, Publish, QoS};
use crate::mqtt::topic::validate_topic_name;

/// Where one outgoing QoS>0 flow stands; each stage holds only what it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Stage {
    /// Waiting for a connection or window room (sent before if `sends > 0`).
    Queued(Publish),
    /// QoS 1 PUBLISH sent.
    AwaitingPuback(Publish),
    /// QoS 2 PUBLISH sent.
    AwaitingPubrec(Publish),
    /// QoS 2 PUBREC received, PUBREL sent: the message itself is gone
    /// (PUBREC acknowledges it, MQTT-4.3.3-3, and it is never sent again,
    /// MQTT-4.3.3-6), only the id remains.
    AwaitingPubcomp,
}

impl Stage {
    pub(crate) fn state(&self) -> FlowState {
        match self {
            Stage::Queued(_) => FlowState::Queued,
            Stage::AwaitingPuback(_) => FlowState::AwaitingPuback,
            Stage::AwaitingPubrec(_) => FlowState::AwaitingPubrec,
            Stage::AwaitingPubcomp => FlowState::AwaitingPubcomp,
        }
    }

    pub(crate) fn publish(&self) -> Option<&Publish> {
        match self {
            Stage::Queued(p) | Stage::AwaitingPuback(p) | Stage::AwaitingPubrec(p) => Some(p),
            Stage::AwaitingPubcomp => None,
        }
    }

    /// The stage once `publish` has been sent.
    pub(crate) fn sent(publish: Publish) -> Stage {
        if publish.qos == QoS::ExactlyOnce {
            Stage::AwaitingPubrec(publish)
        } else {
            Stage::AwaitingPuback(publish)
        }
    }
}

/// One outgoing QoS>0 message.
#[derive(Debug, Clone)]
pub(crate) struct OutgoingFlow {
    pub(crate) packet_id: PacketId,
    pub(crate) qos: QoS,
    pub(crate) stage: Stage,
    /// Transmissions of the stage's packet (PUBLISH, then PUBREL) so far.
    pub(crate) sends: u32,
    pub(crate) first_sent_at: Option<u64>,
    pub(crate) last_sent_at: u64,
    /// Its place in publish order, given by [`super::flows::Flows::push`].
    pub(crate) seq: u64,
}

impl OutgoingFlow {
    pub(crate) fn new(packet_id: PacketId, qos: QoS, stage: Stage, sends: u32) -> Self {
        OutgoingFlow {
            packet_id,
            qos,
            stage,
            sends,
            first_sent_at: None,
            last_sent_at: 0,
            seq: 0,
        }
    }

    pub(crate) fn is_in_flight(&self) -> bool {
        !matches!(self.stage, Stage::Queued(_))
    }
}

impl Session {
    /// Publishes a message; returns its packet id for QoS > 0.
    ///
    /// QoS 0 needs a connection. QoS 1/2 messages belong to the session: while
    /// disconnected, or when the broker's Receive Maximum is reached, they
    /// are queued (flow state `Queued`) and sent in order later.
    pub fn publish(
        &mut self,
        now: u64,
        req: PublishRequest,
    ) -> Result<Option<PacketId>, CommandError> {
        validate_topic_name(&req.topic).map_err(|error| CommandError::InvalidTopic {
            topic: req.topic.clone(),
            error,
        })?;
        let mut properties = req.properties;
        properties.topic_alias = None;
        let mut publish = Publish {
            dup: false,
            qos: req.qos,
            retain: req.retain,
            topic: req.topic,
            packet_id: None,
            payload: req.payload,
            properties,
        };
        if req.qos == QoS::AtMostOnce {
            if !self.is_connected() {
                return Err(CommandError::NotConnected);
            }
            // Retain Available (MQTT-3.2.2-14) binds QoS 0 as much as QoS 1/2.
            self.check_broker_limits(&publish)?;
            self.transmit_publish(now, &publish, false)?;
            return Ok(None);
        }
        publish.packet_id = Some(1); // any id: sized as on the wire
        self.check_publish(&publish)?;
        self.check_queue_room(&publish)?;
        let id = self
            .ids
            .allocate()
            .ok_or(CommandError::NoPacketIdAvailable)?;
        publish.packet_id = Some(id);
        self.enqueue(
            now,
            OutgoingFlow::new(id, req.qos, Stage::Queued(publish), 0),
        );
        self.arm_retry_timer();
        Ok(Some(id))
    }

    /// A publish that would wait (no connection, window full, others
    /// waiting) needs room in the bounded queue.
    fn check_queue_room(&self, publish: &Publish) -> Result<(), CommandError> {
        let sent_at_once = self.outgoing.queued() == 0 && self.window_open();
        if sent_at_once {
            return Ok(());
        }
        let (count, bytes) = (self.outgoing.queued(), self.outgoing.queued_bytes());
        let (max_count, max_bytes) = (
            self.config.max_queued_messages,
            self.config.max_queued_bytes,
        );
        if count >= max_count || bytes + publish.payload.len() > max_bytes {
            return Err(CommandError::QueueFull {
                messages: count,
                bytes,
            });
        }
        Ok(())
    }

    /// Whether the publish can go out: the broker's limits and the size.
    fn check_publish(&self, publish: &Publish) -> Result<(), CommandError> {
        self.check_broker_limits(publish)?;
        self.wire_publish(publish, false).map(|_| ())
    }

    /// What the broker's CONNACK forbids (checked while connected, and again
    /// for a queued message when it is sent).
    fn check_broker_limits(&self, publish: &Publish) -> Result<(), CommandError> {
        let Some(broker) = self.broker() else {
            return Ok(());
        };
        if publish.qos > broker.maximum_qos {
            return Err(CommandError::QosNotSupported {
                requested: publish.qos,
                maximum: broker.maximum_qos,
            });
        }
        if publish.retain && !broker.retain_available {
            return Err(CommandError::RetainNotSupported);
        }
        Ok(())
    }

    /// Adds a new flow: sent at once if nothing queued is ahead and the window
    /// has room, otherwise queued.
    fn enqueue(&mut self, now: u64, flow: OutgoingFlow) {
        let nothing_ahead = self.outgoing.queued() == 0;
        self.outgoing.push(flow);
        let index = self.outgoing.len() - 1;
        if nothing_ahead && self.window_open() {
            self.start_flow(now, index, FlowState::New);
        } else {
            let flow = self.outgoing.get(index);
            let (packet_id, qos) = (flow.packet_id, flow.qos);
            self.emit_flow(now, packet_id, qos, FlowState::New, FlowState::Queued);
        }
    }

    /// Room for one more QoS>0 PUBLISH: connected and below the window.
    pub(crate) fn window_open(&self) -> bool {
        self.is_connected() && self.outgoing.in_flight() < self.window()
    }

    /// How many may be in flight: the broker's Receive Maximum
    /// (MQTT-4.9.0-2) or our own cap, whichever is smaller; 0 while not
    /// connected.
    pub(crate) fn window(&self) -> usize {
        self.broker().map_or(0, |b| {
            usize::from(b.receive_maximum.min(self.config.max_inflight.max(1)))
        })
    }

    /// Sends queued flows, oldest first, while the window has room.
    pub(crate) fn pump(&mut self, now: u64) {
        while self.window_open() {
            let Some(index) = self.outgoing.first_queued() else {
                break;
            };
            self.start_flow(now, index, FlowState::Queued);
        }
    }

    /// Sends the PUBLISH of flow `index` (DUP=1 if it was sent before).
    fn start_flow(&mut self, now: u64, index: usize, from: FlowState) {
        let flow = self.outgoing.get(index);
        if flow.stage.publish().is_none() {
            return;
        }
        let (packet_id, qos, dup) = (flow.packet_id, flow.qos, flow.sends > 0);
        if dup {
            self.emit_retry(now, packet_id, PacketType::Publish, flow.sends + 1);
        }
        // Encoded from the stored message, which stays where it is.
        let sent = match self.outgoing.get(index).stage.publish() {
            Some(publish) => self
                .check_broker_limits(publish)
                .and_then(|()| self.wire_publish(publish, dup)),
            None => return,
        };
        match sent {
            Ok((wire, bytes, used)) => {
                if let super::ConnState::Connected(c) = &mut self.conn_state {
                    c.aliases.commit(self.outgoing.stored_topic(index), used);
                }
                self.send_encoded(now, wire, bytes);
            }
            Err(error) => {
                self.outgoing.remove(index);
                self.ids.release(packet_id);
                self.emit_flow(now, packet_id, qos, from, FlowState::Abandoned);
                let reason = error.to_string();
                return self.emit(
                    now,
                    EventKind::PublishFailed {
                        packet_id: Some(packet_id),
                        reason,
                    },
                );
            }
        }
        let flow = self.outgoing.counters_mut(index);
        flow.sends += 1;
        flow.first_sent_at.get_or_insert(now);
        flow.last_sent_at = now;
        self.outgoing.mark_sent(index);
        let to = self.outgoing.get(index).stage.state();
        if from != to {
            self.emit_flow(now, packet_id, qos, from, to);
        }
    }

    /// The PUBLISH as it goes on the wire (DUP, topic alias) and its bytes.
    fn wire_publish(
        &self,
        publish: &Publish,
        dup: bool,
    ) -> Result<(Packet, Vec<u8>, AliasUse), CommandError> {
        let mut wire = publish.clone();
        wire.dup = dup && publish.qos != QoS::AtMostOnce; // MQTT-3.3.1-2: DUP is 0 for QoS 0
        let used = match self.connection() {
            Some(c) if self.config.assign_topic_aliases => c
                .aliases
                .outgoing_use(&publish.topic, c.broker.topic_alias_maximum),
            _ => AliasUse::None,
        };
        match used {
            AliasUse::Assign(alias) => wire.properties.topic_alias = Some(alias),
            AliasUse::Reuse(alias) => {
                wire.properties.topic_alias = Some(alias);
                wire.topic.clear();
            }
            AliasUse::None => {}
        }
        let wire = Packet::Publish(wire);
        let bytes = self.encode_checked(&wire)?;
        Ok((wire, bytes, used))
    }

    /// Sends a PUBLISH if it fits the broker's Maximum Packet Size.
    fn transmit_publish(
        &mut self,
        now: u64,
        publish: &Publish,
        dup: bool,
    ) -> Result<(), CommandError> {
        let (wire, bytes, used) = self.wire_publish(publish, dup)?;
        if let super::ConnState::Connected(c) = &mut self.conn_state {
            c.aliases.commit(&publish.topic, used);
        }
        self.send_encoded(now, wire, bytes);
        Ok(())
    }

    fn flow_index(&self, packet_id: PacketId) -> Option<usize> {
        self.outgoing.index_of(packet_id)
    }

    /// PUBACK: QoS 1 done (MQTT-4.3.2).
    pub(crate) fn on_puback(&mut self, now: u64, ack: PubResponse) {
        match self.flow_index(ack.packet_id) {
            Some(i) if matches!(self.outgoing.get(i).stage, Stage::AwaitingPuback(_)) => {
                self.finish_flow(now, i, PacketType::Puback, ack.reason)
            }
            _ => self.warn(
                now,
                format!(
                    "PUBACK for id {} that is not awaiting one: ignored",
                    ack.packet_id
                ),
            ),
        }
    }

    /// PUBREC: drop the message, keep the id, send PUBREL (MQTT-4.3.3-3, -4). A
    /// repeated PUBREC means our PUBREL was lost: send PUBREL again.
    pub(crate) fn on_pubrec(&mut self, now: u64, rec: PubResponse) {
        let Some(i) = self.flow_index(rec.packet_id) else {
            self.warn(
                now,
                format!("PUBREC for unknown id {}: answering PUBREL", rec.packet_id),
            );
            let reason = if self.is_v5() { 0x92 } else { 0 }; // 0x92 Packet Identifier not found
            return self.send(now, pubrel(rec.packet_id, reason));
        };
        match self.outgoing.get(i).stage {
            Stage::AwaitingPubrec(_) if rec.reason >= 0x80 => {
                self.finish_flow(now, i, PacketType::Pubrec, rec.reason)
            }
            Stage::AwaitingPubrec(_) => {
                self.outgoing.set_stage(i, Stage::AwaitingPubcomp);
                let flow = self.outgoing.counters_mut(i);
                flow.sends = 0;
                let (packet_id, qos) = (flow.packet_id, flow.qos);
                self.send_pubrel(now, i);
                self.emit_flow(
                    now,
                    packet_id,
                    qos,
                    FlowState::AwaitingPubrec,
                    FlowState::AwaitingPubcomp,
                );
            }
            Stage::AwaitingPubcomp => self.send_pubrel(now, i),
            _ => self.warn(
                now,
                format!(
                    "PUBREC for id {} that is not awaiting one: ignored",
                    rec.packet_id
                ),
            ),
        }
    }

    /// PUBCOMP: QoS 2 done, the id is free again.
    pub(crate) fn on_pubcomp(&mut self, now: u64, comp: PubResponse) {
        match self.flow_index(comp.packet_id) {
            Some(i) if matches!(self.outgoing.get(i).stage, Stage::AwaitingPubcomp) => {
                self.finish_flow(now, i, PacketType::Pubcomp, comp.reason)
            }
            _ => self.warn(
                now,
                format!(
                    "PUBCOMP for id {} that is not awaiting one: ignored",
                    comp.packet_id
                ),
            ),
        }
    }

    /// Ends flow `index` on an acknowledgement; a reason code of 0x80 or more
    /// (MQTT 5) means the broker refused the message.
    fn finish_flow(&mut self, now: u64, index: usize, ack: PacketType, reason: u8) {
        let Some(flow) = self.outgoing.remove(index) else {
            return;
        };
        self.ids.release(flow.packet_id);
        let from = flow.stage.state();
        let (packet_id, qos) = (flow.packet_id, flow.qos);
        if reason >= 0x80 {
            self.emit_flow(now, packet_id, qos, from, FlowState::Abandoned);
            let words = codec::reason_words(ack, self.config.version, reason);
            let reason = format!("{} {words} (0x{reason:02X})", ack.name());
            self.emit(
                now,
                EventKind::PublishFailed {
                    packet_id: Some(packet_id),
                    reason,
                },
            );
        } else {
            self.emit_flow(now, packet_id, qos, from, FlowState::Done);
            let latency_ms = now.saturating_sub(flow.first_sent_at.unwrap_or(now));
            self.emit(
                now,
                EventKind::PublishComplete {
                    packet_id,
                    qos,
                    latency_ms,
                },
            );
        }
        self.pump(now);
    }

    /// Sends (or resends) the PUBREL of flow `index`.
    fn send_pubrel(&mut self, now: u64, index: usize) {
        let flow = self.outgoing.counters_mut(index);
        flow.sends += 1;
        flow.last_sent_at = now;
        let (packet_id, attempt) = (flow.packet_id, flow.sends);
        if attempt > 1 {
            self.emit_retry(now, packet_id, PacketType::Pubrel, attempt);
        }
        self.send(now, pubrel(packet_id, 0));
    }

    /// Resends whatever flow `index` is waiting an answer for: the PUBLISH
    /// with DUP=1 before PUBREC, only the PUBREL after it (MQTT-4.3.3).
    fn resend(&mut self, now: u64, index: usize) {
        let flow = self.outgoing.get(index);
        match &flow.stage {
            Stage::AwaitingPubcomp => self.send_pubrel(now, index),
            Stage::AwaitingPuback(_) | Stage::AwaitingPubrec(_) => {
                let from = flow.stage.state();
                self.start_flow(now, index, from);
            }
            Stage::Queued(_) => {}
        }
    }

    /// Reconnected with a session present: resend PUBREL and PUBLISH (DUP=1)
    /// in their original order with their original ids (MQTT-4.4.0-1), as
    /// far as the window (the new Receive Maximum, our own cap) allows; the
    /// rest waits, queued.
    pub(crate) fn resend_after_reconnect(&mut self, now: u64) {
        let window = self.window();
        let mut sent = 0;
        let mut index = 0;
        while index < self.outgoing.len() {
            let flow = self.outgoing.get(index);
            let awaiting_pubcomp = matches!(flow.stage, Stage::AwaitingPubcomp);
            if flow.is_in_flight() && (sent < window || awaiting_pubcomp) {
                let before = self.outgoing.len();
                self.resend(now, index);
                sent += 1;
                if self.outgoing.len() < before {
                    continue; // dropped: too large for the new broker
                }
            } else if let (true, Some(publish)) =
                (flow.is_in_flight(), flow.stage.publish().cloned())
            {
                let (packet_id, qos, from) = (flow.packet_id, flow.qos, flow.stage.state());
                self.outgoing.set_stage(index, Stage::Queued(publish));
                self.emit_flow(now, packet_id, qos, from, FlowState::Queued);
            }
            index += 1;
        }
        self.pump(now);
    }

    /// Reconnected without a session: the broker forgot our in-flight
    /// messages, so they are dropped and reported, one event each. Messages
    /// never sent stay queued and go out as new ones.
    pub(crate) fn drop_unacknowledged(&mut self, now: u64) {
        let (dropped, kept): (Vec<_>, Vec<_>) = self
            .outgoing
            .take_all()
            .into_iter()
            .partition(|f| f.sends > 0);
        for flow in kept {
            self.outgoing.push(flow);
        }
        for flow in dropped {
            self.ids.release(flow.packet_id);
            self.emit_flow(
                now,
                flow.packet_id,
                flow.qos,
                flow.stage.state(),
                FlowState::Abandoned,
            );
            let why = match flow.stage {
                Stage::AwaitingPubcomp => "the broker has no session; it had received the message (PUBREC), PUBCOMP never came",
                _ => "the broker has no session; the message may or may not have arrived",
            };
            self.emit(
                now,
                EventKind::MessageDropped {
                    packet_id: flow.packet_id,
                    why: why.into(),
                },
            );
        }
    }

    /// OnTimeout policy: resend every flow unanswered for `interval_ms`.
    pub(crate) fn retry_overdue(&mut self, now: u64) {
        let Some(interval) = self.retry_interval().filter(|_| self.is_connected()) else {
            return;
        };
        let mut index = 0;
        while index < self.outgoing.len() {
            let flow = self.outgoing.get(index);
            let before = self.outgoing.len();
            if flow.is_in_flight() && flow.last_sent_at + interval <= now {
                self.resend(now, index);
            }
            if self.outgoing.len() == before {
                index += 1;
            }
        }
    }

    /// The in-session retry interval: OnTimeout under 3.1.1 only.
    pub(crate) fn retry_interval(&self) -> Option<u64> {
        match self.config.retry {
            super::RetryPolicy::OnTimeout { interval_ms } if !self.is_v5() => {
                Some(interval_ms.max(1))
            }
            _ => None,
        }
    }

    /// Keeps the Retry deadline on the oldest unanswered packet.
    pub(crate) fn arm_retry_timer(&mut self) {
        let due = match (self.retry_interval(), self.is_connected()) {
            (Some(interval), true) => self
                .outgoing
                .iter()
                .filter(|f| f.is_in_flight())
                .map(|f| f.last_sent_at + interval)
                .min(),
            _ => None,
        };
        match due {
            Some(at) => self.timers.set(Timer::Retry, at),
            None => self.timers.stop(Timer::Retry),
        }
    }

    pub(crate) fn emit_flow(
        &mut self,
        now: u64,
        packet_id: PacketId,
        qos: QoS,
        from: FlowState,
        to: FlowState,
    ) {
        let direction = FlowDirection::Outgoing;
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

    fn emit_retry(&mut self, now: u64, packet_id: PacketId, packet_type: PacketType, attempt: u32) {
        self.emit(
            now,
            EventKind::Retry {
                packet_id,
                packet_type,
                attempt,
            },
        );
    }
}

fn pubrel(packet_id: PacketId, reason: u8) -> Packet {
    Packet::Pubrel(PubResponse {
        packet_id,
        reason,
        ..Default::default()
    })
}
