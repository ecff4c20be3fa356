//! The QoS lab: one workload at QoS 0, 1 and 2 in turn, against the
//! connected broker or the simulated one, and what each level cost,
//! measured from the event stream (never quoted).
//!
//! - [`plan`]: the workload and the numbered payloads;
//! - [`record`]: counting one level from its events;
//! - [`runner`]: when to publish, cut, reconnect and end a level, for any
//!   [`runner::LabDriver`];
//! - [`sim_lab`]: the runner on the simulation;
//! - [`report`]: a run as JSON and CSV, and back;
//! - [`claims`]: the seed notes' cost table beside the measured one.

pub mod claims;
pub mod plan;
pub mod record;
pub mod report;
pub mod runner;
pub mod sim_lab;
