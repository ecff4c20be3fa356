//! The visualiser in simulated mode: guided scenarios and the fault panel
//! driving the built-in simulation, no broker needed.

use leptos::prelude::*;

use crate::mqtt::packet::QoS;

use super::faults::FaultIntent;
use super::scenario::{Setup, Step, StepPerformer};
use super::sim_run::{free_play_setup, SimPerformer};
use super::view::{FeedTitle, SharedPerformer, Visualiser, VisualiserFeed};

/// A [`SimPerformer`] that publishes its diagram into a [`VisualiserFeed`].
#[derive(Debug, Clone, Copy)]
pub struct SimHandle {
    performer: StoredValue<SimPerformer, LocalStorage>,
    feed: VisualiserFeed,
}

impl SimHandle {
    /// A handle feeding `feed`.
    pub fn new(feed: VisualiserFeed) -> Self {
        SimHandle {
            performer: StoredValue::new_local(SimPerformer::new()),
            feed,
        }
    }

    /// Apply a fault from the panel to the running simulation.
    pub fn apply_fault(&self, intent: FaultIntent) {
        self.performer.update_value(|p| p.apply_fault(intent));
        self.sync();
    }

    /// Publish at `qos` now, on the running simulation (or a fresh one).
    pub fn publish(&self, qos: QoS) {
        let fresh = self
            .performer
            .try_with_value(|p| p.sim().is_none())
            .unwrap_or(false);
        if fresh {
            self.feed.title.set(FeedTitle::FreePlaySim);
            // What the fault panel shows armed holds for the fresh run too.
            let armed = self.feed.faults.get_untracked().intents();
            self.performer.update_value(|p| {
                p.start(&free_play_setup());
                for intent in armed {
                    p.apply_fault(intent);
                }
            });
        }
        self.performer.update_value(|p| {
            p.publish_now(qos);
        });
        self.sync();
    }

    /// Copy the diagram into the feed and disarm the drops that fired.
    fn sync(&self) {
        let (events, used) = self
            .performer
            .try_update_value(|p| (p.events().to_vec(), p.take_used_drops()))
            .unwrap_or_default();
        self.feed.events.set(events);
        self.feed.faults.update(|plan| {
            for (kind, hop) in used {
                plan.consumed(kind, hop);
            }
        });
    }
}

impl StepPerformer for SimHandle {
    fn start(&mut self, setup: &Setup) {
        self.performer.update_value(|p| p.start(setup));
        self.sync();
    }

    fn perform(&mut self, step: &Step) {
        self.performer.update_value(|p| p.perform(step));
        self.sync();
    }
}

/// The visualiser with scenarios and faults running on the simulation.
#[component]
pub fn SimulatedVisualiser(
    /// Scenarios driven from elsewhere.
    #[prop(optional_no_strip)]
    remote: Option<super::ScenarioRemote>,
) -> impl IntoView {
    let feed = VisualiserFeed::new();
    feed.title.set(FeedTitle::SimIdle);
    let handle = SimHandle::new(feed);
    let performer: SharedPerformer =
        StoredValue::new_local(Box::new(handle) as Box<dyn StepPerformer>);
    let on_fault = Callback::new(move |intent: FaultIntent| handle.apply_fault(intent));
    let on_publish = Callback::new(move |qos: QoS| handle.publish(qos));
    view! { <Visualiser feed on_fault performer on_publish remote/> }
}
