//! Bounded least-recently-used bookkeeping shared by the dashboard models.
//!
//! Every collection the dashboard keeps (alarm keys, SKUs, message ids,
//! topics) must stay bounded under a flood. [`LruOrder`] tracks which key was
//! touched least recently in O(1) amortised time per touch, without moving
//! entries inside a queue: each touch pushes `(key, generation)`; eviction
//! pops from the front and skips entries whose generation is stale.

use std::collections::{HashMap, VecDeque};
use std::hash::Hash;

/// Recency order over at most `capacity` keys.
#[derive(Debug, Clone)]
pub struct LruOrder<K: Eq + Hash + Clone> {
    capacity: usize,
    generation: u64,
    latest: HashMap<K, u64>,
    queue: VecDeque<(K, u64)>,
}

impl<K: Eq + Hash + Clone> LruOrder<K> {
    /// An empty order holding at most `capacity` keys (at least one).
    pub fn new(capacity: usize) -> Self {
        LruOrder {
            capacity: capacity.max(1),
            generation: 0,
            latest: HashMap::new(),
            queue: VecDeque::new(),
        }
    }

    /// How many keys are held.
    pub fn len(&self) -> usize {
        self.latest.len()
    }

    /// Whether no key is held.
    pub fn is_empty(&self) -> bool {
        self.latest.is_empty()
    }

    /// The most keys ever held at once.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Whether `key` is held.
    pub fn contains(&self, key: &K) -> bool {
        self.latest.contains_key(key)
    }

    /// Marks `key` as just used. Returns the key evicted to make room, if any.
    pub fn touch(&mut self, key: K) -> Option<K> {
        self.generation += 1;
        let is_new = self.latest.insert(key.clone(), self.generation).is_none();
        self.queue.push_back((key, self.generation));
        let evicted = if is_new && self.latest.len() > self.capacity {
            self.pop_least_recent()
        } else {
            None
        };
        self.compact_if_stale();
        evicted
    }

    /// The keys held, in no particular order.
    pub fn keys(&self) -> impl Iterator<Item = &K> {
        self.latest.keys()
    }

    /// The keys held, least recently touched first.
    pub fn in_order(&self) -> impl DoubleEndedIterator<Item = &K> {
        self.queue
            .iter()
            .filter(|(key, generation)| self.latest.get(key) == Some(generation))
            .map(|(key, _)| key)
    }

    /// Forgets `key` (its stale queue entries are skipped later).
    pub fn remove(&mut self, key: &K) {
        self.latest.remove(key);
    }

    /// Forgets every key.
    pub fn clear(&mut self) {
        self.latest.clear();
        self.queue.clear();
    }

    fn pop_least_recent(&mut self) -> Option<K> {
        while let Some((key, generation)) = self.queue.pop_front() {
            if self.latest.get(&key) == Some(&generation) {
                self.latest.remove(&key);
                return Some(key);
            }
        }
        None
    }

    /// Keeps the queue within twice the capacity so repeated touches of the
    /// same keys cannot grow it without bound.
    fn compact_if_stale(&mut self) {
        if self.queue.len() > 2 * self.capacity + 16 {
            let latest = &self.latest;
            self.queue
                .retain(|(key, generation)| latest.get(key) == Some(generation));
        }
    }
}

/// A bounded set of recently seen message ids, for duplicate detection.
///
/// An id is remembered until `capacity` newer ids have been seen; a repeat
/// older than that is no longer recognised (the cost of staying bounded).
#[derive(Debug, Clone)]
pub struct RecentIds {
    order: LruOrder<String>,
}

impl RecentIds {
    /// Remembers at most `capacity` ids.
    pub fn new(capacity: usize) -> Self {
        RecentIds {
            order: LruOrder::new(capacity),
        }
    }

    /// Records `id`; returns true when it had been seen before (a duplicate).
    pub fn check_and_insert(&mut self, id: &str) -> bool {
        let key = id.to_owned();
        let seen = self.order.contains(&key);
        self.order.touch(key);
        seen
    }

    /// How many ids are remembered now.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// Remembers `ids` (oldest first), as [`RecentIds::newest`] gave them.
    pub fn remember_all(&mut self, ids: &[String]) {
        for id in ids {
            self.order.touch(id.clone());
        }
    }

    /// The `n` ids seen most recently, oldest first: inserted in this order
    /// into a new set, they are remembered as they were.
    pub fn newest(&self, n: usize) -> Vec<String> {
        let mut ids: Vec<String> = self.order.in_order().rev().take(n).cloned().collect();
        ids.reverse();
        ids
    }

    /// Whether no id is remembered.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// Forgets every id.
    pub fn clear(&mut self) {
        self.order.clear();
    }
}

/// A ring buffer keeping the last `capacity` values.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Ring<T> {
    capacity: usize,
    items: VecDeque<T>,
}

impl<T> Ring<T> {
    /// An empty ring of `capacity` (at least one) slots.
    pub fn new(capacity: usize) -> Self {
        Ring {
            capacity: capacity.max(1),
            items: VecDeque::new(),
        }
    }

    /// Appends `item`, dropping the oldest when full.
    pub fn push(&mut self, item: T) {
        if self.items.len() == self.capacity {
            self.items.pop_front();
        }
        self.items.push_back(item);
    }

    /// Oldest first.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &T> + ExactSizeIterator {
        self.items.iter()
    }

    /// Number of items held.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether empty.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The newest item.
    pub fn last(&self) -> Option<&T> {
        self.items.back()
    }

    /// Drops every item.
    pub fn clear(&mut self) {
        self.items.clear();
    }
}
