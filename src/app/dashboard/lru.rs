//! Bounded least-recently-used bookkeeping shared by the dashboard models.
//!
//! Every collection the dashboard keeps (alarm keys, SKUs, message ids,
//! topics) must stay bounded under a flood. [`LruOrder`] keeps its keys in a
//! list, least recently touched first, linked through indices into a slab,
//! with a map from each key to its node: a touch is one map lookup and a few
//! index writes, and touching a key already held allocates nothing (see
//! [`LruOrder::touch_ref`]). Profiled under a 20k msg/s flood, the queue of
//! `(key, generation)` pairs it replaces cost 5.5 % of the page's thread:
//! two key copies and four or five hashes per touch, and periodic compaction.

use std::borrow::Borrow;
use std::collections::{HashMap, VecDeque};
use std::hash::Hash;

/// No node: the end of the list.
const NIL: usize = usize::MAX;

/// One held key and its neighbours in recency order.
#[derive(Debug, Clone)]
struct Node<K> {
    key: K,
    /// The node touched just before this one (towards the least recent).
    prev: usize,
    /// The node touched just after this one (towards the most recent).
    next: usize,
}

/// Recency order over at most `capacity` keys.
#[derive(Debug, Clone)]
pub struct LruOrder<K: Eq + Hash + Clone> {
    capacity: usize,
    /// Each held key's node.
    index: HashMap<K, usize>,
    /// The nodes; `None` where a key was removed (reused through `free`).
    nodes: Vec<Option<Node<K>>>,
    free: Vec<usize>,
    /// The least recently touched node.
    head: usize,
    /// The most recently touched node.
    tail: usize,
}

impl<K: Eq + Hash + Clone> LruOrder<K> {
    /// An empty order holding at most `capacity` keys (at least one).
    pub fn new(capacity: usize) -> Self {
        LruOrder {
            capacity: capacity.max(1),
            index: HashMap::new(),
            nodes: Vec::new(),
            free: Vec::new(),
            head: NIL,
            tail: NIL,
        }
    }

    /// How many keys are held.
    pub fn len(&self) -> usize {
        self.index.len()
    }

    /// Whether no key is held.
    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// The most keys ever held at once.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Whether `key` is held.
    pub fn contains<Q>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.index.contains_key(key)
    }

    /// Marks `key` as just used. Returns the key evicted to make room, if any.
    pub fn touch(&mut self, key: K) -> Option<K> {
        if self.touch_held(&key) {
            None
        } else {
            self.insert_new(key)
        }
    }

    /// [`LruOrder::touch`] by reference: copies the key only when it is new.
    pub fn touch_ref<Q>(&mut self, key: &Q) -> Option<K>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ToOwned<Owned = K> + ?Sized,
    {
        if self.touch_held(key) {
            None
        } else {
            self.insert_new(key.to_owned())
        }
    }

    /// Marks `key` as just used if it is held; says whether it was.
    fn touch_held<Q>(&mut self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        match self.index.get(key) {
            Some(&at) => {
                self.move_to_tail(at);
                true
            }
            None => false,
        }
    }

    /// The keys held, in no particular order.
    pub fn keys(&self) -> impl Iterator<Item = &K> {
        self.index.keys()
    }

    /// The keys held, least recently touched first.
    pub fn in_order(&self) -> impl DoubleEndedIterator<Item = &K> {
        InOrder {
            order: self,
            front: self.head,
            back: self.tail,
            left: self.len(),
        }
    }

    /// Forgets `key`.
    pub fn remove<Q>(&mut self, key: &Q)
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        if let Some(at) = self.index.remove(key) {
            self.unlink(at);
            self.nodes[at] = None;
            self.free.push(at);
        }
    }

    /// Forgets every key.
    pub fn clear(&mut self) {
        self.index.clear();
        self.nodes.clear();
        self.free.clear();
        self.head = NIL;
        self.tail = NIL;
    }

    fn node(&self, at: usize) -> &Node<K> {
        self.nodes[at].as_ref().expect("a linked node is held")
    }

    fn node_mut(&mut self, at: usize) -> &mut Node<K> {
        self.nodes[at].as_mut().expect("a linked node is held")
    }

    /// Holds the new `key` as the most recent; evicts the least recent when
    /// full.
    fn insert_new(&mut self, key: K) -> Option<K> {
        let evicted = if self.index.len() >= self.capacity {
            self.pop_least_recent()
        } else {
            None
        };
        let node = Some(Node {
            key: key.clone(),
            prev: NIL,
            next: NIL,
        });
        let at = match self.free.pop() {
            Some(at) => {
                self.nodes[at] = node;
                at
            }
            None => {
                self.nodes.push(node);
                self.nodes.len() - 1
            }
        };
        self.index.insert(key, at);
        self.link_at_tail(at);
        evicted
    }

    fn pop_least_recent(&mut self) -> Option<K> {
        let at = self.head;
        if at == NIL {
            return None;
        }
        self.unlink(at);
        let node = self.nodes[at].take()?;
        self.free.push(at);
        self.index.remove(&node.key);
        Some(node.key)
    }

    fn move_to_tail(&mut self, at: usize) {
        if self.tail != at {
            self.unlink(at);
            self.link_at_tail(at);
        }
    }

    fn unlink(&mut self, at: usize) {
        let (prev, next) = {
            let node = self.node(at);
            (node.prev, node.next)
        };
        match prev {
            NIL => self.head = next,
            prev => self.node_mut(prev).next = next,
        }
        match next {
            NIL => self.tail = prev,
            next => self.node_mut(next).prev = prev,
        }
    }

    fn link_at_tail(&mut self, at: usize) {
        let tail = self.tail;
        {
            let node = self.node_mut(at);
            node.prev = tail;
            node.next = NIL;
        }
        match tail {
            NIL => self.head = at,
            tail => self.node_mut(tail).next = at,
        }
        self.tail = at;
    }
}

/// [`LruOrder::in_order`]: walks the list from both ends.
struct InOrder<'a, K: Eq + Hash + Clone> {
    order: &'a LruOrder<K>,
    front: usize,
    back: usize,
    left: usize,
}

impl<'a, K: Eq + Hash + Clone> Iterator for InOrder<'a, K> {
    type Item = &'a K;

    fn next(&mut self) -> Option<&'a K> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let node = self.order.node(self.front);
        self.front = node.next;
        Some(&node.key)
    }
}

impl<K: Eq + Hash + Clone> DoubleEndedIterator for InOrder<'_, K> {
    fn next_back(&mut self) -> Option<Self::Item> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let node = self.order.node(self.back);
        self.back = node.prev;
        Some(&node.key)
    }
}

/// A bounded set of recently seen message ids, for duplicate detection.
///
/// An id is remembered until `capacity` newer ids have been seen; a repeat
/// older than that is no longer recognised (the cost of staying bounded).
#[derive(Debug, Clone)]
pub struct RecentIds {
    order: LruOrder<String>,
    /// Where [`RecentIds::check_and_insert_in`] joins a scope and an id,
    /// kept between calls so that a repeat allocates nothing.
    scratch: String,
}

impl RecentIds {
    /// Remembers at most `capacity` ids.
    pub fn new(capacity: usize) -> Self {
        RecentIds {
            order: LruOrder::new(capacity),
            scratch: String::new(),
        }
    }

    /// Records `id`; returns true when it had been seen before (a duplicate).
    pub fn check_and_insert(&mut self, id: &str) -> bool {
        let seen = self.order.touch_held(id);
        if !seen {
            self.order.insert_new(id.to_owned());
        }
        seen
    }

    /// As [`RecentIds::check_and_insert`] for `id` within `scope` (a topic,
    /// a SKU): the same id in two scopes is two messages. Remembered as
    /// the scope, U+001F and the id.
    pub fn check_and_insert_in(&mut self, scope: &str, id: &str) -> bool {
        let mut key = std::mem::take(&mut self.scratch);
        key.clear();
        key.push_str(scope);
        key.push('\u{1f}');
        key.push_str(id);
        let seen = self.check_and_insert(&key);
        self.scratch = key;
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
