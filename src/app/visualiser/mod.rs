//! The live handshake visualiser: a sequence diagram of Publisher / Broker /
//! Subscriber lanes with every packet as an arrow.
//!
//! It is a pure function of (event list, playhead) → SVG: [`model`] is the
//! event list, [`layout`] places it in stage time, [`transport`] moves the
//! playhead. Play, pause, step, slow motion and replay only move the playhead,
//! and the visualiser never knows whether it watches a live broker or the
//! simulation ([`adapt`] converts either into [`model::DiagramEvent`]s).

pub mod adapt;
pub mod controls;
pub mod diagram;
pub mod export;
pub mod fault_panel;
pub mod faults;
pub mod files;
pub mod geometry;
pub mod hexdump;
pub mod inspector;
pub mod layout;
pub mod live;
pub mod live_trace;
pub mod model;
pub mod offline;
pub mod packet_list;
pub mod page;
pub mod scenario;
pub mod scenario_panel;
pub mod sim_run;
pub mod sim_trace;
pub mod transport;
mod view;

/// A guided scenario asked for from another tab (the lab's guide,
/// presenter mode), by id: the visualiser starts it in the mode it shows.
#[derive(Debug, Clone, Copy)]
pub struct ScenarioRequest(pub leptos::prelude::RwSignal<Option<String>>);

pub use live::{LiveHandle, LiveVisualiser};
pub use offline::{SimHandle, SimulatedVisualiser};
pub use page::VisualiserPage;
pub use view::{packet_at, SharedPerformer, Visualiser, VisualiserFeed};
