//! Inventory: stock counts per SKU from absolute levels and from deltas.
//!
//! A level (`{"sku":"A-100","level":42}`) sets the count. A delta
//! (`{"sku":"A-100","delta":-3,"msg_id":"..."}`) changes it. Deltas commute,
//! so out-of-order arrival gives the same count; a level resets the count
//! and the trust verdict. Deltas are where QoS matters:
//! QoS 1 is at-least-once, so a resent delta is counted twice unless the
//! receiver deduplicates it itself. A delta whose message id was seen before
//! is skipped; a count built from QoS < 2 deltas with any duplicate seen is
//! shown as "cannot be trusted".
//!
//! Caps: at most [`MAX_SKUS`] SKUs (least recently changed evicted first),
//! [`HISTORY_POINTS`] points of history per SKU, [`MAX_REMEMBERED_IDS`]
//! message ids, [`MAX_UNREADABLE`] unreadable messages kept for display.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use super::lru::{LruOrder, RecentIds, Ring};
use super::message::{filter_matches, MessageView, ParsedPayload};
use crate::mqtt::packet::QoS;

/// Most SKUs held.
pub const MAX_SKUS: usize = 1000;
/// Points of count history kept per SKU (for the sparkline).
pub const HISTORY_POINTS: usize = 60;
/// Message ids remembered for duplicate detection.
pub const MAX_REMEMBERED_IDS: usize = 8192;
/// Unreadable inventory messages kept, raw, for the operator to see.
pub const MAX_UNREADABLE: usize = 20;

/// JSON field names read from inventory payloads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct InventoryFields {
    /// Stock keeping unit; the last topic level when absent.
    pub sku: String,
    /// Absolute level.
    pub level: String,
    /// Signed change.
    pub delta: String,
    /// Application message id, for duplicate detection.
    pub message_id: String,
}

impl Default for InventoryFields {
    fn default() -> Self {
        InventoryFields {
            sku: "sku".into(),
            level: "level".into(),
            delta: "delta".into(),
            message_id: "msg_id".into(),
        }
    }
}

/// What the inventory table listens to and how it reads payloads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct InventorySettings {
    /// Topic filters carrying stock levels and movements.
    pub filters: Vec<String>,
    /// Field names.
    pub fields: InventoryFields,
    /// Low-stock threshold for SKUs without their own.
    pub default_low_stock: i64,
    /// Low-stock thresholds per SKU.
    pub low_stock: BTreeMap<String, i64>,
}

impl Default for InventorySettings {
    fn default() -> Self {
        InventorySettings {
            filters: vec!["inventory/#".into()],
            fields: InventoryFields::default(),
            default_low_stock: 10,
            low_stock: BTreeMap::new(),
        }
    }
}

impl InventorySettings {
    /// Whether `topic` is an inventory topic.
    pub fn matches(&self, topic: &str) -> bool {
        self.filters.iter().any(|f| filter_matches(f, topic))
    }

    /// The low-stock threshold for `sku`.
    pub fn threshold_for(&self, sku: &str) -> i64 {
        self.low_stock
            .get(sku)
            .copied()
            .unwrap_or(self.default_low_stock)
    }
}

/// Whether a count can be relied on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trust {
    /// No duplicate met a delta below QoS 2 since the last level.
    Trusted,
    /// Deltas arrived at QoS < 2 and duplicates were seen: some may have
    /// been counted twice (or, deduplicated by id, some may be missed once
    /// the id window is passed).
    CannotBeTrusted {
        /// Duplicates seen since the last level.
        duplicates: u32,
        /// Deltas at QoS < 2 since the last level.
        low_qos_deltas: u32,
    },
}

/// One SKU's stock (saved as it is, less its revision, to survive a reload).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StockItem {
    /// SKU.
    pub sku: String,
    /// Current count.
    pub count: i64,
    /// Whether a level anchored the count (else it is a sum of deltas from 0).
    pub anchored: bool,
    /// When the count last changed, ms.
    pub last_change: u64,
    /// The last change: `Some(delta)` or `None` for a level.
    pub last_delta: Option<i64>,
    /// (ms, count) after each change, oldest first.
    pub history: Ring<(u64, i64)>,
    /// Deltas applied since the last level.
    pub deltas_applied: u32,
    /// Deltas at QoS < 2 since the last level.
    pub low_qos_deltas: u32,
    /// Duplicates seen since the last level (by message id or DUP flag).
    pub duplicates: u32,
    /// Duplicates skipped because their message id was seen before (all time).
    pub duplicates_skipped: u32,
    /// Of those, the ones delivered at QoS 2 (all time). The session already
    /// drops the protocol's own resends at QoS 2, so such a copy is a new
    /// delivery of an old message: the broker repeating what it had
    /// delivered, as Mosquitto does to a persistent session after it
    /// restarts. Not the publisher's doing, and not counted.
    #[serde(default)]
    pub broker_repeats: u32,
    /// The count was carried over a reload and no level has confirmed it
    /// since: deltas sent while the page was away may be missing from it.
    #[serde(default)]
    pub restored: bool,
    /// Stock messages were skipped under overload since the last level (the
    /// connection's or the dashboard queue's): deltas may be missing from
    /// the count until the next level confirms it.
    #[serde(default)]
    pub missed: bool,
    /// Bumped on every change, for keyed rendering.
    #[serde(skip)]
    pub revision: u64,
}

impl StockItem {
    fn new(sku: String) -> Self {
        StockItem {
            sku,
            count: 0,
            anchored: false,
            last_change: 0,
            last_delta: None,
            history: Ring::new(HISTORY_POINTS),
            deltas_applied: 0,
            low_qos_deltas: 0,
            duplicates: 0,
            duplicates_skipped: 0,
            broker_repeats: 0,
            restored: false,
            missed: false,
            revision: 0,
        }
    }

    /// Whether the count can be relied on.
    pub fn trust(&self) -> Trust {
        if self.low_qos_deltas > 0 && self.duplicates > 0 {
            Trust::CannotBeTrusted {
                duplicates: self.duplicates,
                low_qos_deltas: self.low_qos_deltas,
            }
        } else {
            Trust::Trusted
        }
    }
}

/// What one message did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StockOutcome {
    /// The count was set.
    Level {
        /// SKU.
        sku: String,
    },
    /// A delta was applied.
    Delta {
        /// SKU.
        sku: String,
        /// Whether it may be a duplicate (DUP=1 without a message id at QoS 1).
        suspect: bool,
    },
    /// A duplicate (message id seen before) was skipped.
    DuplicateSkipped {
        /// SKU.
        sku: String,
    },
    /// Neither a level nor a delta could be read; kept raw.
    Unreadable,
}

/// A message the table could not read, kept for display.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    /// When, ms.
    pub at: u64,
    /// Topic.
    pub topic: String,
    /// Payload text (render as text only).
    pub text: String,
}

/// Running totals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct InventoryStats {
    /// Inventory messages taken in.
    pub received: u64,
    /// Duplicates seen.
    pub duplicates: u64,
    /// Messages neither level nor delta.
    pub unreadable: u64,
    /// SKUs evicted to stay within [`MAX_SKUS`].
    pub evicted: u64,
}

/// The stock table.
#[derive(Debug, Clone)]
pub struct Inventory {
    settings: InventorySettings,
    items: HashMap<String, StockItem>,
    recency: LruOrder<String>,
    seen_ids: RecentIds,
    unreadable: Ring<Unreadable>,
    revision: u64,
    stats: InventoryStats,
}

impl Default for Inventory {
    fn default() -> Self {
        Inventory::new(InventorySettings::default())
    }
}

/// A reading of one payload.
enum Reading {
    Level(i64),
    Delta(i64),
}

impl Inventory {
    /// An empty table.
    pub fn new(settings: InventorySettings) -> Self {
        Inventory {
            settings,
            items: HashMap::new(),
            recency: LruOrder::new(MAX_SKUS),
            seen_ids: RecentIds::new(MAX_REMEMBERED_IDS),
            unreadable: Ring::new(MAX_UNREADABLE),
            revision: 0,
            stats: InventoryStats::default(),
        }
    }

    /// Current settings.
    pub fn settings(&self) -> &InventorySettings {
        &self.settings
    }

    /// Replaces the settings; counts stay.
    pub fn set_settings(&mut self, settings: InventorySettings) {
        self.settings = settings;
        self.revision += 1;
    }

    /// Whether `topic` is an inventory topic.
    pub fn accepts(&self, topic: &str) -> bool {
        self.settings.matches(topic)
    }

    /// One SKU.
    pub fn get(&self, sku: &str) -> Option<&StockItem> {
        self.items.get(sku)
    }

    /// Number of SKUs.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether no SKU is known.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Running totals.
    pub fn stats(&self) -> InventoryStats {
        self.stats
    }

    /// The latest unreadable messages, oldest first.
    pub fn unreadable(&self) -> impl DoubleEndedIterator<Item = &Unreadable> {
        self.unreadable.iter()
    }

    /// Changes whenever anything shown changes.
    pub fn revision(&self) -> u64 {
        self.revision
    }

    /// Whether `item` is at or below its low-stock threshold.
    pub fn is_low(&self, item: &StockItem) -> bool {
        item.count <= self.settings.threshold_for(&item.sku)
    }

    /// Takes in one message from an inventory topic.
    pub fn ingest<'a>(&mut self, msg: impl Into<MessageView<'a>>) -> StockOutcome {
        let msg = msg.into();
        self.stats.received += 1;
        let parsed = ParsedPayload::parse(msg.payload);
        let fields = &self.settings.fields;
        let Some(reading) = read_stock(&parsed, &fields.level, &fields.delta) else {
            return self.keep_unreadable(msg, parsed.text());
        };
        let sku = parsed
            .field_str(&fields.sku)
            .map(Cow::into_owned)
            .unwrap_or_else(|| last_level(msg.topic).to_owned());
        let message_id = parsed.field_str(&fields.message_id);
        let id_seen = message_id.is_some_and(|id| self.seen_ids.check_and_insert_in(&sku, &id));
        if id_seen {
            return self.skip_duplicate(sku, msg.qos);
        }
        let suspect = msg.dup && msg.qos == QoS::AtLeastOnce && !parsed_has_id(&parsed, fields);
        self.revision += 1;
        let revision = self.revision;
        let item = self.item_mut(&sku);
        match reading {
            Reading::Level(level) => {
                item.count = level;
                item.anchored = true;
                item.restored = false;
                item.missed = false;
                item.last_delta = None;
                item.deltas_applied = 0;
                item.low_qos_deltas = 0;
                item.duplicates = 0;
            }
            Reading::Delta(delta) => {
                item.count = item.count.saturating_add(delta);
                item.last_delta = Some(delta);
                item.deltas_applied = item.deltas_applied.saturating_add(1);
                if msg.qos < QoS::ExactlyOnce {
                    item.low_qos_deltas = item.low_qos_deltas.saturating_add(1);
                }
                if suspect {
                    item.duplicates = item.duplicates.saturating_add(1);
                }
            }
        }
        item.last_change = item.last_change.max(msg.at);
        item.history.push((msg.at, item.count));
        item.revision = revision;
        if suspect {
            self.stats.duplicates += 1;
        }
        match reading {
            Reading::Level(_) => StockOutcome::Level { sku },
            Reading::Delta(_) => StockOutcome::Delta { sku, suspect },
        }
    }

    fn keep_unreadable(&mut self, msg: MessageView<'_>, text: String) -> StockOutcome {
        self.stats.unreadable += 1;
        self.revision += 1;
        self.unreadable.push(Unreadable {
            at: msg.at,
            topic: msg.topic.to_owned(),
            text,
        });
        StockOutcome::Unreadable
    }

    fn skip_duplicate(&mut self, sku: String, qos: QoS) -> StockOutcome {
        self.stats.duplicates += 1;
        self.revision += 1;
        let revision = self.revision;
        let item = self.item_mut(&sku);
        item.duplicates = item.duplicates.saturating_add(1);
        item.duplicates_skipped = item.duplicates_skipped.saturating_add(1);
        if qos == QoS::ExactlyOnce {
            item.broker_repeats = item.broker_repeats.saturating_add(1);
        }
        item.revision = revision;
        StockOutcome::DuplicateSkipped { sku }
    }

    fn item_mut(&mut self, sku: &str) -> &mut StockItem {
        if let Some(evicted) = self.recency.touch_ref(sku) {
            self.items.remove(&evicted);
            self.stats.evicted += 1;
        }
        // A SKU already held (nearly every message) costs no copy of its name.
        if !self.items.contains_key(sku) {
            self.items
                .insert(sku.to_owned(), StockItem::new(sku.to_owned()));
        }
        match self.items.get_mut(sku) {
            Some(item) => item,
            None => unreachable!("inserted above"),
        }
    }

    /// Messages were skipped under overload: any SKU's count may now lack a
    /// delta, until a level confirms it ([`StockItem::missed`]).
    pub fn mark_missed(&mut self) {
        for item in self.items.values_mut().filter(|i| !i.missed) {
            item.missed = true;
            self.revision += 1;
            item.revision = self.revision;
        }
    }

    /// SKUs carried over a reload and not yet confirmed by a level.
    pub fn restored(&self) -> usize {
        self.items.values().filter(|i| i.restored).count()
    }

    /// What a reload should bring back: the `max_skus` most recently changed
    /// SKUs with their newest `max_history` points, the `max_ids` newest
    /// message ids (a delta resent after the reload is still skipped), and
    /// the totals.
    pub fn saved(&self, max_skus: usize, max_history: usize, max_ids: usize) -> SavedStock {
        let mut items: Vec<StockItem> = self
            .recency
            .in_order()
            .rev()
            .take(max_skus)
            .filter_map(|sku| self.items.get(sku))
            .map(|item| {
                let mut item = item.clone();
                item.history = newest_points(&item.history, max_history);
                item
            })
            .collect();
        items.reverse();
        SavedStock {
            items,
            ids: self.seen_ids.newest(max_ids),
            stats: self.stats,
        }
    }

    /// Brings back what [`Inventory::saved`] kept, each SKU marked restored
    /// until a level confirms its count. SKUs already in the table stay as
    /// they are.
    pub fn restore(&mut self, saved: SavedStock) {
        self.seen_ids.remember_all(&saved.ids);
        for mut item in saved.items {
            if self.items.contains_key(&item.sku) {
                continue;
            }
            self.revision += 1;
            item.restored = true;
            item.revision = self.revision;
            item.history = newest_points(&item.history, HISTORY_POINTS);
            if let Some(evicted) = self.recency.touch_ref(item.sku.as_str()) {
                self.items.remove(&evicted);
                self.stats.evicted += 1;
            }
            self.items.insert(item.sku.clone(), item);
        }
        self.stats = saved.stats;
    }

    /// SKUs whose name contains `text` (case-insensitive), low stock first,
    /// then by SKU; at most `limit`, and how many matched.
    pub fn visible(&self, text: &str, limit: usize) -> (Vec<&StockItem>, usize) {
        let needle = text.trim().to_lowercase();
        let rows: Vec<&StockItem> = self
            .items
            .values()
            .filter(|i| needle.is_empty() || i.sku.to_lowercase().contains(&needle))
            .collect();
        let total = rows.len();
        let rows = super::more::first_sorted(rows, limit, |a, b| {
            (!self.is_low(a), &a.sku).cmp(&(!self.is_low(b), &b.sku))
        });
        (rows, total)
    }
}

/// The stock table as saved across a reload.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SavedStock {
    /// SKUs, least recently changed first.
    pub items: Vec<StockItem>,
    /// Message ids already seen, oldest first.
    pub ids: Vec<String>,
    /// Running totals.
    pub stats: InventoryStats,
}

/// The newest `n` points of `history`, in a ring of the usual capacity
/// (whatever capacity a stored copy claims).
fn newest_points(history: &Ring<(u64, i64)>, n: usize) -> Ring<(u64, i64)> {
    let mut ring = Ring::new(HISTORY_POINTS);
    let skip = history.len().saturating_sub(n.min(HISTORY_POINTS));
    for point in history.iter().skip(skip) {
        ring.push(*point);
    }
    ring
}

fn parsed_has_id(parsed: &ParsedPayload<'_>, fields: &InventoryFields) -> bool {
    parsed.field_str(&fields.message_id).is_some()
}

/// A level or a delta from the payload; a bare JSON number is a level.
fn read_stock(parsed: &ParsedPayload<'_>, level: &str, delta: &str) -> Option<Reading> {
    if let Some(v) = parsed.field_i64(level) {
        return Some(Reading::Level(v));
    }
    if let Some(v) = parsed.field_i64(delta) {
        return Some(Reading::Delta(v));
    }
    parsed.json.as_ref()?.as_i64().map(Reading::Level)
}

fn last_level(topic: &str) -> &str {
    topic.rsplit('/').next().unwrap_or(topic)
}

/// An SVG path (`M x y L x y ...`) drawing `points` in a `width` × `height`
/// box, evenly spaced left to right, the highest count at the top.
pub fn sparkline_path(points: &[i64], width: f64, height: f64) -> String {
    if points.is_empty() {
        return String::new();
    }
    let min = points.iter().copied().min().unwrap_or(0);
    let max = points.iter().copied().max().unwrap_or(0);
    let span = (max - min).max(1) as f64;
    let step = if points.len() > 1 {
        width / (points.len() - 1) as f64
    } else {
        0.0
    };
    let mut path = String::with_capacity(points.len() * 12);
    for (i, &value) in points.iter().enumerate() {
        let x = i as f64 * step;
        let y = height - (value - min) as f64 / span * height;
        let command = if i == 0 { 'M' } else { 'L' };
        path.push_str(&format!("{command}{x:.1} {y:.1} "));
    }
    path.trim_end().to_owned()
}
