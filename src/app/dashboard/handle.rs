//! How the app feeds the dashboard and how the views read it.
//!
//! The app creates one [`DashboardHandle`] for its whole life, starts it,
//! connects it to the live connection, and pushes every session event into
//! it (O(1), no re-render). The handle's background loop drains the queue
//! once per animation frame and bumps one revision signal, so a flood costs
//! one render per frame, and alarms are digested (tab title, alerts) even
//! while another view is shown.

use leptos::prelude::*;

use super::browser::{now_ms, LocalStore};
use super::message::Incoming;
use super::model::{DashboardModel, DrainReport, FRAME_BUDGET};
use super::settings::{DashboardSettings, SavedState};
use crate::mqtt::packet::SubscribeFilter;
use crate::mqtt::session::{Event, PublishRequest};

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
}

impl DashboardHandle {
    /// A handle over a model restored from `saved`, owned by the current
    /// reactive owner (create it where it should live: in the app's root).
    pub fn new(saved: SavedState) -> Self {
        DashboardHandle {
            settings: RwSignal::new(saved.settings.clone()),
            model: StoredValue::new(DashboardModel::from_saved(saved)),
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

    /// A handle over the state saved in localStorage (defaults when none).
    pub fn load() -> Self {
        DashboardHandle::new(SavedState::load(&LocalStore))
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

    /// Queues a session event: every event, `Delivered` messages included
    /// (they reach the alarm list and the stock table from here).
    pub fn push_event(&self, event: Event) {
        self.model.update_value(|m| m.push_event(event));
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
        let report = self
            .model
            .try_update_value(|m| m.drain(FRAME_BUDGET))
            .unwrap_or_default();
        if let Some(connected) = report.connection {
            self.connected.set(connected);
            if connected {
                self.resubscribe();
            }
        }
        if let Some(behind) = report.behind_ms(now_ms()) {
            if behind != self.behind_ms.get_untracked() {
                self.behind_ms.set(behind);
            }
        } else if report.remaining == 0 && self.behind_ms.get_untracked() != 0 {
            self.behind_ms.set(0);
        }
        if report.processed > 0 {
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

    /// Tells the views the model changed.
    pub fn touch(&self) {
        self.revision.update(|r| *r += 1);
    }

    /// The settings signal (applied and saved on every change).
    pub fn settings(&self) -> RwSignal<DashboardSettings> {
        self.settings
    }

    /// Saves settings and acknowledgements (failures are ignored: the
    /// dashboard works the same without storage).
    pub fn persist(&self) {
        let settings = self.settings.get_untracked();
        let state = self.read_untracked(|m| m.saved_state(&settings));
        state.save(&LocalStore);
    }
}
