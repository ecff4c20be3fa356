//! Packet identifier allocation.
//!
//! An id is in use from the moment a QoS>0 PUBLISH, a SUBSCRIBE or an
//! UNSUBSCRIBE takes it until its flow ends (PUBACK, PUBCOMP, SUBACK,
//! UNSUBACK); an id in use is never handed out again (MQTT-2.2.1-3 in 5.0,
//! MQTT-2.3.1-2 in 3.1.1).

use std::collections::BTreeSet;

use crate::mqtt::packet::PacketId;

/// Hands out ids 1..=65535 in rising order, wrapping, skipping ids in use.
#[derive(Debug, Clone)]
pub(crate) struct PacketIds {
    next: PacketId,
    in_use: BTreeSet<PacketId>,
}

impl Default for PacketIds {
    fn default() -> Self {
        PacketIds {
            next: 1,
            in_use: BTreeSet::new(),
        }
    }
}

impl PacketIds {
    /// Starts at `next` (0 is read as 1).
    pub(crate) fn starting_at(next: PacketId) -> Self {
        PacketIds {
            next: next.max(1),
            in_use: BTreeSet::new(),
        }
    }

    /// The id the next allocation tries first.
    pub(crate) fn peek_next(&self) -> PacketId {
        self.next
    }

    /// Takes a free id, or None when all 65535 are in use.
    pub(crate) fn allocate(&mut self) -> Option<PacketId> {
        if self.in_use.len() >= usize::from(u16::MAX) {
            return None;
        }
        let mut id = self.next;
        while self.in_use.contains(&id) {
            id = following(id);
        }
        self.in_use.insert(id);
        self.next = following(id);
        Some(id)
    }

    /// Marks an id in use (restoring a snapshot).
    pub(crate) fn claim(&mut self, id: PacketId) {
        if id != 0 {
            self.in_use.insert(id);
        }
    }

    /// Frees an id whose flow ended.
    pub(crate) fn release(&mut self, id: PacketId) {
        self.in_use.remove(&id);
    }

    /// Is the id taken.
    pub(crate) fn is_in_use(&self, id: PacketId) -> bool {
        self.in_use.contains(&id)
    }
}

/// 1, 2, ..., 65535, 1, ... (0 is not a valid id).
fn following(id: PacketId) -> PacketId {
    if id == u16::MAX {
        1
    } else {
        id + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_wrap_from_65535_to_1_skipping_ids_in_use() {
        let mut ids = PacketIds::starting_at(65535);
        ids.claim(1);
        assert_eq!(ids.allocate(), Some(65535));
        assert_eq!(ids.allocate(), Some(2));
    }

    #[test]
    fn released_id_is_not_reused_before_the_counter_wraps() {
        let mut ids = PacketIds::default();
        let a = ids.allocate().unwrap();
        ids.release(a);
        assert_eq!(ids.allocate(), Some(a + 1));
    }

    #[test]
    fn allocation_fails_when_every_id_is_in_flight() {
        let mut ids = PacketIds::default();
        for _ in 0..65535 {
            assert!(ids.allocate().is_some());
        }
        assert_eq!(ids.allocate(), None);
        ids.release(300);
        assert_eq!(ids.allocate(), Some(300));
    }
}
