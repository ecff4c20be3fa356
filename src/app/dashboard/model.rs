//! The dashboard's state and its ingest queue.
//!
//! Messages and session events are pushed into a bounded queue as they
//! arrive (O(1)); the view drains it once per animation frame, within a
//! budget, so a flood costs one re-render per frame rather than one per
//! message. When the queue is full the oldest entries are shed and counted:
//! under overload the operator sees how many were skipped instead of a frozen tab.
//!
//! Caps: [`QUEUE_CAP`] queued inputs, [`FRAME_BUDGET`] inputs per drain,
//! [`MAX_NEW_CRITICAL`] new critical alarms reported per drain; the models
//! state their own.

use std::collections::VecDeque;
use std::sync::Arc;

use super::alarms::{AlarmBoard, AlarmKey, AlarmOutcome, Severity};
use super::health::Health;
use super::inventory::Inventory;
use super::message::{Incoming, MessageView};
use super::settings::{
    DashboardSettings, SavedBoard, SavedState, SAVED_ALARMS, SAVED_HISTORY, SAVED_IDS,
    SAVED_PAYLOAD_CHARS, SAVED_SKUS,
};
use crate::mqtt::packet::{Packet, QoS, SubscribeFilter};
use crate::mqtt::session::{Event, EventKind};
use crate::mqtt::topic::literal_prefix;

/// Most inputs waiting for the next frame.
pub const QUEUE_CAP: usize = 100_000;
/// Most inputs digested per frame (20,000 messages/s needs ~340 per frame at 60 Hz).
pub const FRAME_BUDGET: usize = 5_000;
/// Most new critical alarms reported by one drain (for sound / notification).
pub const MAX_NEW_CRITICAL: usize = 8;

/// One input for the dashboard.
#[derive(Debug, Clone)]
pub enum Input {
    /// An application message delivered to this client.
    Message(Incoming),
    /// A session event (for the health panel). Shared, not copied: the
    /// client view reads the same event, and a delivered message's topic
    /// and payload are not worth a second allocation each.
    Event(Arc<Event>),
}

/// A bounded FIFO of inputs.
#[derive(Debug, Default)]
pub struct IngestQueue {
    inputs: VecDeque<Input>,
    shed: u64,
}

impl IngestQueue {
    /// Appends `input`, shedding the oldest when full.
    pub fn push(&mut self, input: Input) {
        if self.inputs.len() >= QUEUE_CAP {
            self.inputs.pop_front();
            self.shed += 1;
        }
        self.inputs.push_back(input);
    }

    /// Inputs waiting.
    pub fn len(&self) -> usize {
        self.inputs.len()
    }

    /// Whether nothing waits.
    pub fn is_empty(&self) -> bool {
        self.inputs.is_empty()
    }

    /// Inputs shed because the queue was full.
    pub fn shed(&self) -> u64 {
        self.shed
    }

    fn pop(&mut self) -> Option<Input> {
        self.inputs.pop_front()
    }
}

pub use crate::app::overload::Overload;

/// What one drain did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DrainReport {
    /// Inputs digested.
    pub processed: usize,
    /// Inputs still queued (over budget).
    pub remaining: usize,
    /// Critical alarms raised or raised again, at most [`MAX_NEW_CRITICAL`].
    pub new_critical: Vec<AlarmKey>,
    /// The last connection change drained: `Some(true)` on `Connected`
    /// (time to subscribe), `Some(false)` on `Disconnected`.
    pub connection: Option<bool>,
    /// When the newest message digested arrived (on the session's clock):
    /// how far behind live the dashboard is, seen from the time of the drain.
    pub newest_arrival: Option<u64>,
}

impl DrainReport {
    /// Milliseconds between the newest message's arrival and `now`, rounded
    /// down to a tenth of a second; 0 under [`BEHIND_NOTICE_MS`].
    pub fn behind_ms(&self, now: u64) -> Option<u64> {
        let behind = now.saturating_sub(self.newest_arrival?);
        Some(if behind < BEHIND_NOTICE_MS {
            0
        } else {
            behind / 100 * 100
        })
    }
}

/// Behind live by less than this, the dashboard says nothing about it, ms.
pub const BEHIND_NOTICE_MS: u64 = 1_000;

/// Alarm board, inventory and health, fed from one queue.
#[derive(Debug, Default)]
pub struct DashboardModel {
    /// Alarm list.
    pub alarms: AlarmBoard,
    /// Stock table.
    pub inventory: Inventory,
    /// Health counters.
    pub health: Health,
    queue: IngestQueue,
    overload: Overload,
    /// Messages the connection skipped before they reached the queue
    /// (the link's count, [`DashboardModel::note_link_skipped`]).
    link_skipped: u64,
    other_messages: u64,
    alarms_at_once: u64,
}

impl DashboardModel {
    /// A model with `settings`, acknowledgements restored.
    pub fn from_saved(saved: SavedState) -> Self {
        let mut model = DashboardModel::default();
        model.apply_settings(&saved.settings);
        model.alarms.restore_acknowledged(saved.acknowledged);
        model
    }

    /// Applies new settings; counts and rows stay.
    pub fn apply_settings(&mut self, settings: &DashboardSettings) {
        self.alarms.set_settings(settings.alarms.clone());
        self.inventory.set_settings(settings.inventory.clone());
        self.health.set_settings(settings.health);
    }

    /// The filters the connection should subscribe to. QoS 2 is asked for
    /// so that the effective QoS is what the publisher chose (delivered QoS =
    /// min(published, subscribed), MQTT-3.8.4-8).
    pub fn subscriptions(&self) -> Vec<SubscribeFilter> {
        let filters = self
            .alarms
            .settings()
            .filters
            .iter()
            .chain(&self.inventory.settings().filters);
        let mut seen = std::collections::BTreeSet::new();
        filters
            .filter(|f| seen.insert(f.as_str()))
            .map(|f| SubscribeFilter {
                filter: f.clone(),
                qos: QoS::ExactlyOnce,
                ..Default::default()
            })
            .collect()
    }

    /// Queues a message from elsewhere than a session event (a test, the
    /// loopback demo) (O(1)). Messages the session delivered arrive as
    /// `Delivered` events through [`DashboardModel::push_event`]: do not
    /// push them twice.
    pub fn push_message(&mut self, message: Incoming) {
        self.queue.push(Input::Message(message));
    }

    /// Whether `event` can change anything here: what [`Health::on_event`]
    /// and [`DashboardModel::drain`] read. Packets other than our own first
    /// PUBLISH are only the packet log's business; leaving them out spares a
    /// flood one clone of every received packet and its bytes.
    pub fn wants(event: &Event) -> bool {
        match &event.kind {
            EventKind::PacketSent {
                packet: Packet::Publish(publish),
                ..
            } => !publish.dup,
            EventKind::PacketSent { .. } | EventKind::PacketReceived { .. } => false,
            _ => true,
        }
    }

    /// Takes a session event: every event [`DashboardModel::wants`],
    /// `Delivered` included. An alarm (a message delivered on an alarm
    /// topic) is digested at once and its report returned: it must not wait
    /// for an animation frame, which a hidden tab may not get for seconds,
    /// and it is never shed. Everything else is queued (O(1)).
    pub fn push_event(&mut self, event: impl Into<Arc<Event>>) -> Option<DrainReport> {
        let event = event.into();
        let alarm = matches!(&event.kind,
            EventKind::Delivered { message } if self.alarms.accepts(&message.topic));
        if !alarm {
            self.queue.push(Input::Event(event));
            return None;
        }
        let mut report = DrainReport {
            processed: 1,
            ..Default::default()
        };
        self.on_event(&event, &mut report);
        self.alarms_at_once += 1;
        report.remaining = self.queue.len();
        Some(report)
    }

    /// Alarms digested as they arrived, ahead of the queue (none is ever shed).
    pub fn alarms_at_once(&self) -> u64 {
        self.alarms_at_once
    }

    /// The queue.
    pub fn queue(&self) -> &IngestQueue {
        &self.queue
    }

    /// What the queue shed, and when, as of the last [`DashboardModel::note_overload`].
    pub fn overload(&self) -> Overload {
        self.overload
    }

    /// Notes at `now` (Unix ms) whether the queue shed more, or the
    /// connection skipped more; true when either did. Either may have been
    /// a stock delta, so every count is then marked as possibly short.
    pub fn note_overload(&mut self, now: u64) -> bool {
        let more = self
            .overload
            .note(self.queue.shed() + self.link_skipped, now);
        if more {
            self.inventory.mark_missed();
        }
        more
    }

    /// The connection has skipped `total` messages so far because the page
    /// fell behind (QoS 0, never an alarm topic: see
    /// [`DashboardModel::alarm_prefixes`]); shown with what the queue shed.
    pub fn note_link_skipped(&mut self, total: u64) {
        self.link_skipped = self.link_skipped.max(total);
    }

    /// What a topic on an alarm filter starts with: the connection never
    /// skips a message on a topic with one of these prefixes. More than the
    /// filters select (`alarms/#` keeps `alarms-old/x` too), never less.
    pub fn alarm_prefixes(&self) -> Vec<String> {
        let mut prefixes: Vec<String> = self
            .alarms
            .settings()
            .filters
            .iter()
            .map(|f| literal_prefix(f).to_string())
            .collect();
        prefixes.sort();
        prefixes.dedup();
        prefixes
    }

    /// Messages on neither alarm nor inventory topics.
    pub fn other_messages(&self) -> u64 {
        self.other_messages
    }

    /// Digests at most `budget` queued inputs, oldest first.
    pub fn drain(&mut self, budget: usize) -> DrainReport {
        let mut report = DrainReport::default();
        while report.processed < budget {
            let Some(input) = self.queue.pop() else { break };
            report.processed += 1;
            match input {
                Input::Message(message) => self.ingest(&message, &mut report),
                Input::Event(event) => self.on_event(&event, &mut report),
            }
        }
        report.remaining = self.queue.len();
        report
    }

    /// One session event: counted by the health panel, and a `Delivered`
    /// message also goes to the alarm list or the stock table.
    fn on_event(&mut self, event: &Event, report: &mut DrainReport) {
        self.health.on_event(event);
        match &event.kind {
            EventKind::Delivered { message } => {
                report.newest_arrival = Some(event.at);
                self.ingest(MessageView::delivered(event.at, message), report)
            }
            EventKind::Connected { .. } => report.connection = Some(true),
            EventKind::Disconnected { .. } => report.connection = Some(false),
            _ => {}
        }
    }

    /// Digests one message now, bypassing the queue.
    pub fn ingest<'a>(&mut self, message: impl Into<MessageView<'a>>, report: &mut DrainReport) {
        let message = message.into();
        if self.alarms.accepts(message.topic) {
            let outcome = self.alarms.ingest(message);
            self.note_critical(outcome, message, report);
        } else if self.inventory.accepts(message.topic) {
            self.inventory.ingest(message);
        } else {
            self.other_messages += 1;
        }
    }

    fn note_critical(
        &self,
        outcome: AlarmOutcome,
        message: MessageView<'_>,
        report: &mut DrainReport,
    ) {
        let key = match outcome {
            AlarmOutcome::Raised(key) | AlarmOutcome::Repeated(key) => key,
            _ => return,
        };
        let critical = self
            .alarms
            .get(&key)
            .is_some_and(|a| a.severity == Severity::Critical && !a.acknowledged);
        if critical && !message.retain && report.new_critical.len() < MAX_NEW_CRITICAL {
            report.new_critical.push(key);
        }
    }

    /// The alarm list and the stock table to bring back after a reload.
    pub fn saved_board(&self, now: u64) -> SavedBoard {
        SavedBoard {
            saved_at: now,
            alarms: self
                .alarms
                .saved(SAVED_ALARMS, SAVED_IDS, SAVED_PAYLOAD_CHARS),
            stock: self.inventory.saved(SAVED_SKUS, SAVED_HISTORY, SAVED_IDS),
        }
    }

    /// Brings back a saved board, each row marked restored until live data
    /// confirms it.
    pub fn restore_board(&mut self, board: SavedBoard) {
        self.alarms.restore(board.alarms);
        self.inventory.restore(board.stock);
    }

    /// Changes whenever a row or a total of the alarm list or the stock
    /// table changes: when it has not moved, there is nothing new to save.
    pub fn board_revision(&self) -> (u64, u64, u64, u64) {
        (
            self.alarms.revision(),
            self.alarms.stats().received,
            self.inventory.revision(),
            self.inventory.stats().received,
        )
    }

    /// The state to persist.
    pub fn saved_state(&self, settings: &DashboardSettings) -> SavedState {
        SavedState {
            settings: settings.clone(),
            acknowledged: self.alarms.acknowledged_keys(),
        }
    }
}
