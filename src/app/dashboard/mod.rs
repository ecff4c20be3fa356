//! The operator dashboard: alarm and inventory topics, and the health of the
//! QoS flows carrying them.
//!
//! Plain models ([`alarms`], [`inventory`], [`health`], fed through
//! [`model::DashboardModel`]'s bounded queue) hold all the logic and are
//! tested natively; the Leptos components are thin views over them.

pub mod alarms;
pub mod health;
pub mod inventory;
pub mod lru;
pub mod message;
pub mod model;
pub mod settings;
pub mod traffic;

pub use message::Incoming;
pub use model::DashboardModel;
