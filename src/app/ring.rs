//! A bounded, append-only list for the message list and the packet log.
//!
//! An operator leaves QoScope open all day: without a bound, memory grows
//! with every packet. The ring keeps the newest `capacity` entries, counts
//! what it dropped (so the view can say so) and numbers every entry with a
//! sequence number that never repeats, which the view uses as a stable key.

use std::collections::VecDeque;

/// One entry and its sequence number.
#[derive(Debug, Clone, PartialEq)]
pub struct Numbered<T> {
    /// Unique, increasing across the ring's life (also across `clear`).
    pub seq: u64,
    /// The entry.
    pub item: T,
}

/// Keeps the newest `capacity` entries.
#[derive(Debug, Clone, PartialEq)]
pub struct Ring<T> {
    entries: VecDeque<Numbered<T>>,
    capacity: usize,
    next_seq: u64,
    dropped: u64,
}

impl<T> Ring<T> {
    /// An empty ring holding at most `capacity` entries (at least one).
    pub fn new(capacity: usize) -> Self {
        Ring {
            entries: VecDeque::new(),
            capacity: capacity.max(1),
            next_seq: 1,
            dropped: 0,
        }
    }

    /// Appends `item`, dropping the oldest entry when full; returns its sequence number.
    pub fn push(&mut self, item: T) -> u64 {
        if self.entries.len() == self.capacity {
            self.entries.pop_front();
            self.dropped += 1;
        }
        let seq = self.next_seq;
        self.next_seq += 1;
        self.entries.push_back(Numbered { seq, item });
        seq
    }

    /// Counts an entry that a later push in the same batch would drop at once,
    /// without building it: its sequence number is used up and it counts as dropped.
    pub fn skip(&mut self) {
        self.next_seq += 1;
        self.dropped += 1;
    }

    /// Entries, oldest first.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &Numbered<T>> {
        self.entries.iter()
    }

    /// Number of entries held.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when nothing is held.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// How many entries were dropped to respect the bound since the last `clear`.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// The most entries held at once.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// The sequence number of the newest entry, if any.
    pub fn last_seq(&self) -> Option<u64> {
        self.entries.back().map(|e| e.seq)
    }

    /// Forgets every entry and the dropped count; sequence numbers keep increasing.
    pub fn clear(&mut self) {
        self.entries.clear();
        self.dropped = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_skipped_entry_uses_a_sequence_number_and_counts_as_dropped() {
        let mut ring = Ring::new(2);
        ring.push(1);
        ring.skip();
        let seq = ring.push(3);
        assert_eq!(seq, 3);
        assert_eq!(ring.dropped(), 1);
        assert_eq!(ring.iter().map(|e| e.item).collect::<Vec<_>>(), vec![1, 3]);
    }

    #[test]
    fn a_full_ring_drops_the_oldest_entry_and_counts_it() {
        let mut ring = Ring::new(3);
        for n in 1..=5 {
            ring.push(n);
        }
        let kept: Vec<i32> = ring.iter().map(|e| e.item).collect();
        assert_eq!(kept, vec![3, 4, 5]);
        assert_eq!(ring.dropped(), 2);
    }

    #[test]
    fn sequence_numbers_never_repeat_even_after_clear() {
        let mut ring = Ring::new(2);
        let a = ring.push("a");
        ring.clear();
        let b = ring.push("b");
        assert!(b > a);
        assert_eq!(ring.len(), 1);
        assert_eq!(ring.dropped(), 0);
        assert_eq!(ring.last_seq(), Some(b));
    }

    #[test]
    fn a_zero_capacity_still_keeps_the_newest_entry() {
        let mut ring = Ring::new(0);
        ring.push(1);
        ring.push(2);
        assert_eq!(ring.iter().map(|e| e.item).collect::<Vec<_>>(), vec![2]);
    }
}
