//! The operator dashboard: alarm and inventory topics, and the health of the
//! QoS flows carrying them.
//!
//! Plain models ([`alarms`], [`inventory`], [`health`], fed through
//! [`model::DashboardModel`]'s bounded queue) hold all the logic and are
//! tested natively; the Leptos components are thin views over them.
//!
//! Wiring it into the app:
//!
//! ```ignore
//! let dashboard = DashboardHandle::load();          // restores settings + acks
//! // for every Delivered event:   dashboard.push_message(Incoming { .. });
//! // for every session event:     dashboard.push_event(event.clone());
//! view! { <Dashboard handle=dashboard publish=send_publish subscribe=send_subscribe /> }
//! ```

pub mod alarm_view;
pub mod alarms;
pub mod bench;
pub mod browser;
pub mod context;
pub mod handle;
pub mod health;
pub mod health_view;
pub mod inventory;
pub mod inventory_view;
pub mod lru;
pub mod message;
pub mod model;
pub mod settings;
pub mod settings_view;
pub mod traffic;
pub mod traffic_view;
pub mod view;

pub use handle::DashboardHandle;
pub use message::Incoming;
pub use model::DashboardModel;
pub use view::Dashboard;
