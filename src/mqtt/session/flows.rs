//! The list of our QoS>0 flows, oldest first, kept so that what a busy
//! session does per packet costs the same with 20 or 20,000 outstanding.
//!
//! Acknowledgements arrive oldest first (a broker answers in order, and
//! MQTT-4.6.0 asks it to), so the flow an ack finishes is found at the front
//! and removed from the front: a `VecDeque`, where a `Vec` moved every other
//! flow on each ack. A flow is found by its packet id through a map to its
//! sequence number and a binary search (the list is in sequence order), not
//! by a scan: a QoS 2 PUBREC finds its flow behind every flow still waiting
//! for PUBCOMP. How many flows are in flight is counted as stages change,
//! since the window check (Receive Maximum) runs on every publish and ack.

use std::collections::{HashMap, VecDeque};

use super::outgoing::{OutgoingFlow, Stage};
use crate::mqtt::packet::PacketId;

/// Our flows, in the order they were published (resends keep it, MQTT-4.6.0-1).
#[derive(Debug, Default)]
pub(crate) struct Flows {
    list: VecDeque<OutgoingFlow>,
    /// Flows whose packet is on the wire (every stage but `Queued`).
    in_flight: usize,
    /// Payload bytes of the queued flows.
    queued_bytes: usize,
    /// Each flow's sequence number, by packet id (ids are unique in flight).
    by_id: HashMap<PacketId, u64>,
    /// The sequence number the next flow gets.
    next_seq: u64,
}

impl Flows {
    /// Flows held.
    pub(crate) fn len(&self) -> usize {
        self.list.len()
    }

    /// Flows whose packet was sent and is not yet answered, O(1).
    pub(crate) fn in_flight(&self) -> usize {
        debug_assert_eq!(
            self.in_flight,
            self.list.iter().filter(|f| f.is_in_flight()).count(),
            "the in-flight count follows every stage change"
        );
        self.in_flight
    }

    /// Flows waiting for a connection or window room, O(1).
    pub(crate) fn queued(&self) -> usize {
        self.list.len() - self.in_flight()
    }

    /// Payload bytes of the queued flows, O(1).
    pub(crate) fn queued_bytes(&self) -> usize {
        self.queued_bytes
    }

    /// Oldest first.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &OutgoingFlow> {
        self.list.iter()
    }

    /// Flow `index`.
    pub(crate) fn get(&self, index: usize) -> &OutgoingFlow {
        &self.list[index]
    }

    /// Flow `index`, to change its counters; its stage changes through
    /// [`Flows::set_stage`] only, which keeps the in-flight count.
    pub(crate) fn counters_mut(&mut self, index: usize) -> &mut OutgoingFlow {
        &mut self.list[index]
    }

    /// The index of the first flow `f` matches, searching from the oldest.
    fn position(&self, f: impl FnMut(&OutgoingFlow) -> bool) -> Option<usize> {
        self.list.iter().position(f)
    }

    /// The index of the flow with `packet_id`, O(log n).
    pub(crate) fn index_of(&self, packet_id: PacketId) -> Option<usize> {
        let seq = *self.by_id.get(&packet_id)?;
        self.list.binary_search_by_key(&seq, |f| f.seq).ok()
    }

    /// The index of the oldest queued flow; none without a scan when nothing is queued.
    pub(crate) fn first_queued(&self) -> Option<usize> {
        if self.queued() == 0 {
            return None;
        }
        self.position(|f| !f.is_in_flight())
    }

    /// Appends the newest flow.
    pub(crate) fn push(&mut self, mut flow: OutgoingFlow) {
        if flow.is_in_flight() {
            self.in_flight += 1;
        } else {
            self.queued_bytes += queued_payload(&flow.stage);
        }
        flow.seq = self.next_seq;
        self.next_seq += 1;
        self.by_id.insert(flow.packet_id, flow.seq);
        self.list.push_back(flow);
    }

    /// Removes flow `index` (O(1) at the front, where acks land).
    pub(crate) fn remove(&mut self, index: usize) -> Option<OutgoingFlow> {
        let flow = self.list.remove(index)?;
        if flow.is_in_flight() {
            self.in_flight -= 1;
        }
        self.queued_bytes -= queued_payload(&flow.stage);
        self.by_id.remove(&flow.packet_id);
        Some(flow)
    }

    /// Moves flow `index` to `stage`.
    pub(crate) fn set_stage(&mut self, index: usize, stage: Stage) {
        let flow = &mut self.list[index];
        let was = flow.is_in_flight();
        self.queued_bytes -= queued_payload(&flow.stage);
        self.queued_bytes += queued_payload(&stage);
        flow.stage = stage;
        match (was, flow.is_in_flight()) {
            (false, true) => self.in_flight += 1,
            (true, false) => self.in_flight -= 1,
            _ => {}
        }
    }

    /// The topic of flow `index`'s stored PUBLISH (empty once released).
    pub(crate) fn stored_topic(&self, index: usize) -> &str {
        self.list[index]
            .stage
            .publish()
            .map_or("", |p| p.topic.as_str())
    }

    /// Flow `index`'s PUBLISH has left: a queued flow now awaits its first
    /// answer, its message moved, not copied; a resent one stays as it was.
    pub(crate) fn mark_sent(&mut self, index: usize) {
        let flow = &mut self.list[index];
        if !matches!(flow.stage, Stage::Queued(_)) {
            return;
        }
        self.queued_bytes -= queued_payload(&flow.stage);
        if let Stage::Queued(publish) = std::mem::replace(&mut flow.stage, Stage::AwaitingPubcomp) {
            flow.stage = Stage::sent(publish);
        }
        self.in_flight += 1;
    }

    /// Takes every flow out, oldest first.
    pub(crate) fn take_all(&mut self) -> VecDeque<OutgoingFlow> {
        self.in_flight = 0;
        self.queued_bytes = 0;
        self.by_id.clear();
        std::mem::take(&mut self.list)
    }
}

/// The payload bytes a stage holds while it waits to be sent.
fn queued_payload(stage: &Stage) -> usize {
    match stage {
        Stage::Queued(publish) => publish.payload.len(),
        _ => 0,
    }
}
