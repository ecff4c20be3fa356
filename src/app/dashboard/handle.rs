//! How the app feeds the dashboard and how the views read it.
//!
//! The app creates one [`DashboardHandle`] for its whole life, starts it,
//! connects it to the live connection, and pushes every session event into
//! it (O(1), no re-render). The handle's background loop drains the queue
//! once per animation frame and bumps one revision signal, so a flood costs
//! one render per frame, at most, and one per [`crate::app::refresh::FLOOD_FRAMES`]
//! frames while the flood lasts; alarms are digested (tab title, alerts)
//! even while another view is shown.

use std::sync::Arc;

use leptos::prelude::*;

use super::alarms::AlarmKey;
use super::browser::{beep, notify, now_ms, page_hidden};
use super::message::Incoming;
use super::model::{DashboardModel, DrainReport, FRAME_BUDGET};
use super::settings::{DashboardSettings, SavedBoard, SavedState};
use crate::app::refresh::Refresh;
use crate::i18n::{td_string, Locale};
use crate::mqtt::packet::SubscribeFilter;
use crate::mqtt::session::{Event, PublishRequest};
use crate::net::storage::LocalStorage;

/// The notification for a new critical alarm (and how many more came with
/// it) in `locale`: "Critical alarm: fire in zone A-12 (+2 more)".
pub fn critical_alert(first: &AlarmKey, more: usize, locale: Locale) -> String {
    let (kind, zone) = (&first.alarm_type, &first.zone);
    if more == 0 {
        td_string!(locale, dashboard.alert.critical, kind = kind, zone = zone).to_string()
    } else {
        td_string!(
            locale,
            dashboard.alert.critical_more,
            kind = kind,
            zone = zone,
            more = more
        )
        .to_string()
    }
}

/// The browser refused to keep the board for a reload (storage full or
/// disabled); the view says so in the reader's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BoardNotSaved;

/// A cheap, copyable handle to the dashboard's model and its loop.
#[derive(Debug, Clone, Copy)]
pub struct DashboardHandle {
    model: StoredValue<DashboardModel>,
    revision: RwSignal<u64>,
    settings: RwSignal<DashboardSettings>,
    publish: StoredValue<Option<Callback<PublishRequest>>>,
    subscribe: StoredValue<Option<Callback<Vec<SubscribeFilter>>>>,
    connected: RwSignal<bool>,
    /// How far behind live the last drain was, ms (0 when under a second).
    pub(super) behind_ms: RwSignal<u64>,
    /// The traffic generator is on.
    pub(super) running: RwSignal<bool>,
    /// Messages the generator sent.
    pub(super) sent: RwSignal<u64>,
    /// The loop's clock, stepped every 500 ms (health ages advance with no traffic).
    pub(super) now: RwSignal<u64>,
    owner: StoredValue<Option<Owner>>,
    started: StoredValue<bool>,
    /// When the board shown was saved before this page loaded (Unix ms), if
    /// it was restored from storage.
    pub(super) restored_from: RwSignal<Option<u64>>,
    /// The last save of the board for a reload: bytes written, or why not.
    pub(super) board_saved: RwSignal<Option<Result<usize, BoardNotSaved>>>,
    /// The board's revision when it was last saved.
    saved_revision: StoredValue<(u64, u64, u64, u64)>,
    /// Alarms were digested at once and the views not yet told.
    untouched: StoredValue<bool>,
    /// Whether a frame re-renders the views (less often under a flood).
    refresh: StoredValue<Refresh>,
}

impl DashboardHandle {
    /// A handle over a model restored from `saved`, owned by the current
    /// reactive owner (create it where it should live: in the app's root).
    pub fn new(saved: SavedState, board: Option<SavedBoard>) -> Self {
        let restored_from = board.as_ref().filter(|b| !b.is_empty()).map(|b| b.saved_at);
        let mut model = DashboardModel::from_saved(saved.clone());
        if let Some(board) = board {
            model.restore_board(board);
        }
        DashboardHandle {
            settings: RwSignal::new(saved.settings),
            saved_revision: StoredValue::new(model.board_revision()),
            model: StoredValue::new(model),
            restored_from: RwSignal::new(restored_from),
            board_saved: RwSignal::new(None),
            untouched: StoredValue::new(false),
            refresh: StoredValue::new(Refresh::default()),
            revision: RwSignal::new(0),
            publish: StoredValue::new(None),
            subscribe: StoredValue::new(None),
            connected: RwSignal::new(false),
            behind_ms: RwSignal::new(0),
            running: RwSignal::new(false),
            sent: RwSignal::new(0),
            now: RwSignal::new(now_ms()),
            owner: StoredValue::new(Owner::current()),
            started: StoredValue::new(false),
        }
    }

    /// A handle over the state saved in localStorage (defaults when none):
    /// settings, acknowledgements, and the alarm list and stock table as
    /// they were before the reload.
    pub fn load() -> Self {
        DashboardHandle::new(
            SavedState::load(&LocalStorage),
            SavedBoard::load(&LocalStorage),
        )
    }

    /// Routes the dashboard's publishes (generator, clearing retained alarms)
    /// and subscriptions through the app's connection. Subscribes at once
    /// and again on every `Connected` event.
    pub fn connect(
        &self,
        publish: Callback<PublishRequest>,
        subscribe: Callback<Vec<SubscribeFilter>>,
    ) {
        self.publish.set_value(Some(publish));
        self.subscribe.set_value(Some(subscribe));
        self.resubscribe();
    }

    /// Starts the background loop (frame drain, alerts, tab title, saving
    /// settings); calling it again does nothing.
    pub fn start(&self) {
        if self.started.get_value() {
            return;
        }
        self.started.set_value(true);
        let handle = *self;
        match self.owner.with_value(Clone::clone) {
            Some(owner) => owner.with(move || super::frames::start(handle)),
            None => super::frames::start(handle),
        }
    }

    /// Takes a session event: every event, `Delivered` messages included
    /// (they reach the alarm list and the stock table from here). An alarm
    /// is digested at once and alerts at once; the view shows it at once
    /// in a hidden tab (the title count), else at the next frame.
    pub fn push_event(&self, event: impl Into<Arc<Event>>) {
        let event = event.into();
        let Some(report) = self
            .model
            .try_update_value(|m| m.push_event(event))
            .flatten()
        else {
            return;
        };
        self.alert(&report.new_critical);
        if page_hidden() {
            self.touch();
        } else {
            self.untouched.set_value(true);
        }
    }

    /// Beeps and notifies for new critical alarms, as the operator opted in.
    pub fn alert(&self, keys: &[AlarmKey]) {
        let Some(first) = keys.first() else { return };
        let alerts = self.settings.with_untracked(|s| s.alerts);
        if alerts.sound {
            beep();
        }
        if alerts.notifications {
            notify(&critical_alert(first, keys.len() - 1, self.locale()));
        }
    }

    /// The reader's language now, read without subscribing (a notification
    /// is written once, when it is shown).
    pub fn locale(&self) -> Locale {
        self.owner
            .with_value(|owner| owner.as_ref().map(|o| o.with(crate::app::locale::current)))
            .unwrap_or_else(crate::app::locale::current)
    }

    /// The connection has skipped `total` messages so far (its
    /// [`TransportEvent::Skipped`](crate::net::ws::TransportEvent::Skipped)):
    /// the overload notice says so from the next frame.
    pub fn note_link_skipped(&self, total: u64) {
        self.model.update_value(|m| m.note_link_skipped(total));
    }

    /// Queues a message that did not come as a session event (tests, loopback).
    pub fn push_message(&self, message: Incoming) {
        self.model.update_value(|m| m.push_message(message));
    }

    /// Sends `publish` through the connection when connected; otherwise
    /// delivers it locally (the offline demo; the UI says so).
    pub fn send(&self, publish: PublishRequest) {
        match self.publish.get_value() {
            Some(callback) if self.connected.get_untracked() => callback.run(publish),
            _ => self.push_message(Incoming {
                at: now_ms(),
                topic: publish.topic,
                payload: publish.payload,
                qos: publish.qos,
                retain: publish.retain,
                ..Default::default()
            }),
        }
    }

    /// Whether publishes go through a live connection.
    pub fn is_live(&self) -> bool {
        self.connected.get() && self.publish.with_value(Option::is_some)
    }

    /// Subscribes to the dashboard's filters through the connection, if any.
    pub fn resubscribe(&self) {
        let filters = self.model.with_value(DashboardModel::subscriptions);
        if let Some(subscribe) = self.subscribe.get_value() {
            subscribe.run(filters);
        }
    }

    /// Digests one frame's worth of the queue and, if anything changed,
    /// tells the views once.
    pub fn drain_frame(&self) -> DrainReport {
        let now = now_ms();
        let (report, overloaded) = self
            .model
            .try_update_value(|m| (m.drain(FRAME_BUDGET), m.note_overload(now)))
            .unwrap_or_default();
        if let Some(connected) = report.connection {
            self.connected.set(connected);
            if connected {
                self.resubscribe();
            }
        }
        if let Some(behind) = report.behind_ms(now) {
            if behind != self.behind_ms.get_untracked() {
                self.behind_ms.set(behind);
            }
        } else if report.remaining == 0 && self.behind_ms.get_untracked() != 0 {
            self.behind_ms.set(0);
        }
        let untouched = self
            .untouched
            .try_update_value(std::mem::take)
            .unwrap_or(false);
        let changed = report.processed > 0 || untouched || overloaded;
        let inputs = report.processed;
        if self.refresh.try_update_value(|r| r.frame(inputs, changed)) == Some(true) {
            self.touch();
        }
        report
    }

    /// Reads the model, re-running the caller when it changes.
    pub fn read<R>(&self, f: impl FnOnce(&DashboardModel) -> R) -> R {
        self.revision.track();
        self.model.with_value(f)
    }

    /// Reads the model without subscribing.
    pub fn read_untracked<R>(&self, f: impl FnOnce(&DashboardModel) -> R) -> R {
        self.model.with_value(f)
    }

    /// Changes the model and re-renders the views.
    pub fn write<R>(&self, f: impl FnOnce(&mut DashboardModel) -> R) -> Option<R> {
        let result = self.model.try_update_value(f);
        self.touch();
        result
    }

    /// How many times the views were told the model changed.
    pub fn renders(&self) -> u64 {
        self.revision.get_untracked()
    }

    /// Tells the views the model changed.
    pub fn touch(&self) {
        self.revision.update(|r| *r += 1);
    }

    /// The settings signal (applied and saved on every change).
    pub fn settings(&self) -> RwSignal<DashboardSettings> {
        self.settings
    }

    /// Saves the alarm list and the stock table for a reload, if they
    /// changed since the last save. With `everything`, digests the whole
    /// queue first (the page is going away: what arrived must be in it).
    /// A refusal (storage full or disabled) is shown, and the dashboard
    /// works on without it.
    pub fn save_board(&self, everything: bool) {
        if everything {
            while self.drain_frame().remaining > 0 {}
        }
        let Some(revision) = self.model.try_with_value(DashboardModel::board_revision) else {
            return;
        };
        if self.saved_revision.get_value() == revision {
            return;
        }
        let board = self.read_untracked(|m| m.saved_board(now_ms()));
        let outcome = board.save(&LocalStorage).ok_or(BoardNotSaved);
        if outcome.is_ok() {
            self.saved_revision.set_value(revision);
        }
        self.board_saved.set(Some(outcome));
    }

    /// Saves settings and acknowledgements (failures are ignored: the
    /// dashboard works the same without storage).
    pub fn persist(&self) {
        let settings = self.settings.get_untracked();
        let state = self.read_untracked(|m| m.saved_state(&settings));
        state.save(&LocalStorage);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::dashboard::browser::title_with_count_in;

    #[test]
    fn alerts_and_the_title_count_follow_the_locale() {
        let key = AlarmKey {
            alarm_type: "fire".into(),
            zone: "A-12".into(),
        };
        assert_eq!(
            critical_alert(&key, 0, Locale::en),
            "Critical alarm: fire in zone A-12"
        );
        assert_eq!(
            critical_alert(&key, 2, Locale::en),
            "Critical alarm: fire in zone A-12 (+2 more)"
        );
        assert_eq!(
            critical_alert(&key, 2, Locale::zh_CN),
            "严重告警：A-12 区域的 fire（另有 2 条）"
        );
        assert_eq!(title_with_count_in("QoScope", 3, Locale::en), "(3) QoScope");
        assert_eq!(
            title_with_count_in("QoScope", 3, Locale::zh_CN),
            "（3 条告警）QoScope"
        );
        assert_eq!(title_with_count_in("QoScope", 0, Locale::zh_CN), "QoScope");
    }
}
