//! The QoS lab: one workload at QoS 0, 1 and 2 in turn, against the
//! connected broker or the simulated one, and what each level cost,
//! measured from the event stream (never quoted).
//!
//! - [`plan`]: the workload and the numbered payloads; [`form`]: as typed;
//! - [`record`]: counting one level from its events;
//! - [`runner`]: when to publish, cut, reconnect and end a level, for any
//!   [`runner::LabDriver`];
//! - [`sim_lab`]: the runner on the simulation;
//! - [`live_lab`]: the runner on two WebSockets to a real broker;
//! - [`report`]: a run as JSON and CSV, and back;
//! - [`claims`]: the QoS notes' cost table beside the measured one;
//! - [`tables`]: the measured table as text; [`guide`]: when to use which level;
//! - [`charts`]: the run's charts as SVG (latency, throughput, bytes per message);
//! - [`handle`] and [`view`]: the Lab tab (its form in `workload_view`, its
//!   report in `report_view`).

pub mod charts;
pub mod claims;
pub mod form;
pub mod guide;
pub mod handle;
pub mod live_lab;
pub mod plan;
pub mod record;
pub mod report;
mod report_view;
pub mod runner;
pub mod sim_lab;
pub mod tables;
pub mod view;
mod workload_view;
