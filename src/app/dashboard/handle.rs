//! How the app feeds the dashboard and how the views read it.
//!
//! The app pushes delivered messages and session events into a
//! [`DashboardHandle`] as they arrive (O(1), no re-render); the dashboard's
//! frame loop drains the queue once per animation frame and bumps one
//! revision signal, so a flood costs one render per frame.

use leptos::prelude::*;

use super::browser::LocalStore;
use super::message::Incoming;
use super::model::{DashboardModel, DrainReport, FRAME_BUDGET};
use super::settings::{DashboardSettings, SavedState};
use crate::mqtt::session::{Event, PublishRequest};

/// A cheap, copyable handle to the dashboard's model.
#[derive(Debug, Clone, Copy)]
pub struct DashboardHandle {
    model: StoredValue<DashboardModel>,
    revision: RwSignal<u64>,
    settings: RwSignal<DashboardSettings>,
}

impl DashboardHandle {
    /// A handle over a model restored from `saved`.
    pub fn new(saved: SavedState) -> Self {
        DashboardHandle {
            settings: RwSignal::new(saved.settings.clone()),
            model: StoredValue::new(DashboardModel::from_saved(saved)),
            revision: RwSignal::new(0),
        }
    }

    /// A handle over the state saved in localStorage (defaults when none).
    pub fn load() -> Self {
        DashboardHandle::new(SavedState::load(&LocalStore))
    }

    /// The settings signal (the dashboard applies and saves every change).
    pub fn settings(&self) -> RwSignal<DashboardSettings> {
        self.settings
    }

    /// Queues a message delivered to this client (the session's `Delivered`).
    pub fn push_message(&self, message: Incoming) {
        self.model.update_value(|m| m.push_message(message));
    }

    /// Queues a session event for the health panel.
    pub fn push_event(&self, event: Event) {
        self.model.update_value(|m| m.push_event(event));
    }

    /// Queues the message a local publish would deliver (loopback: for demos
    /// with no connection; the UI says so).
    pub fn push_loopback(&self, at: u64, publish: &PublishRequest) {
        self.push_message(Incoming {
            at,
            topic: publish.topic.clone(),
            payload: publish.payload.clone(),
            qos: publish.qos,
            retain: publish.retain,
            dup: false,
            packet_id: None,
        });
    }

    /// Digests one frame's worth of the queue and, if anything changed,
    /// tells the views once.
    pub fn drain_frame(&self) -> DrainReport {
        let report = self
            .model
            .try_update_value(|m| m.drain(FRAME_BUDGET))
            .unwrap_or_default();
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

    /// The revision signal (changes once per frame with changes).
    pub fn revision(&self) -> RwSignal<u64> {
        self.revision
    }
}
