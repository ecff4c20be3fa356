//! The live handshake visualiser: a sequence diagram of Publisher / Broker /
//! Subscriber lanes with every packet as an arrow.
//!
//! It is a pure function of (event list, playhead) → SVG: [`model`] is the
//! event list, [`layout`] places it in stage time, [`transport`] moves the
//! playhead. Play, pause, step, slow motion and replay only move the playhead,
//! and the visualiser never knows whether it watches a live broker or the
//! simulation: both write the same merged log, which one [`transcript`]
//! draws into [`model::DiagramEvent`]s.

pub mod adapt;
pub mod controls;
pub mod diagram;
pub mod export;
pub mod fault_panel;
pub mod faults;
pub mod feed;
pub mod files;
pub mod geometry;
pub mod hexdump;
pub mod inspector;
pub mod layout;
pub mod live;
pub mod live_run;
pub mod live_status;
pub mod live_trace;
pub mod model;
pub mod offline;
pub mod packet_list;
pub mod page;
pub mod scenario;
pub mod scenario_panel;
pub mod sim_run;
pub mod sim_trace;
pub mod transcript;
pub mod transport;
mod view;
pub mod words;

/// Guided scenarios driven from elsewhere (the lab's guide, presenter
/// mode): start one by id, perform its next step, and know whether a step
/// waits. The app's remote drives the mode the visualiser shows.
#[derive(Debug, Clone, Copy)]
pub struct ScenarioRemote {
    /// A scenario id to start; cleared once started.
    pub start: leptos::prelude::RwSignal<Option<String>>,
    /// Bumped to perform the running scenario's next step.
    pub next: leptos::prelude::RwSignal<u32>,
    /// A step of the running scenario waits.
    pub can_step: leptos::prelude::RwSignal<bool>,
    /// Start it on the simulated broker whatever mode is shown (presenter
    /// mode with no broker connected).
    pub simulated: leptos::prelude::RwSignal<bool>,
}

impl ScenarioRemote {
    /// Idle: nothing asked, nothing running.
    pub fn new() -> Self {
        use leptos::prelude::RwSignal;
        ScenarioRemote {
            start: RwSignal::new(None),
            next: RwSignal::new(0),
            can_step: RwSignal::new(false),
            simulated: RwSignal::new(false),
        }
    }
}

impl Default for ScenarioRemote {
    fn default() -> Self {
        ScenarioRemote::new()
    }
}

pub use live::{LiveHandle, LiveVisualiser};
pub use offline::{SimHandle, SimulatedVisualiser};
pub use page::VisualiserPage;
pub use view::{packet_at, SharedPerformer, Visualiser, VisualiserFeed};
