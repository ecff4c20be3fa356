//! The operator dashboard: alarm and inventory topics, and the health of the
//! QoS flows carrying them.
//!
//! Plain models ([`alarms`], [`inventory`], [`health`], fed through
//! [`model::DashboardModel`]'s bounded queue) hold all the logic and are
//! tested natively; the Leptos components are thin views over them.
//!
//! Wiring it into the app (in the app's root component, so the dashboard
//! keeps digesting alarms while other views are shown):
//!
//! ```ignore
//! let dashboard = DashboardHandle::load();   // restores settings + acknowledgements
//! dashboard.start();                          // frame loop, tab title, alerts
//! dashboard.connect(
//!     Callback::new(move |req| client.publish(req)),
//!     Callback::new(move |filters: Vec<SubscribeFilter>| {
//!         filters.into_iter().for_each(|f| client.subscribe(f.filter, f.qos))
//!     }),
//! );
//! // in the link's notify: for LinkUpdate::Session(event): dashboard.push_event(Arc::clone(&event))
//! view! { <Dashboard handle=dashboard /> }
//! ```
//!
//! Until it is connected (or while disconnected), the traffic generator's
//! messages loop back locally, and the UI says so.

pub mod alarm_view;
pub mod alarms;
pub mod bench;
pub mod browser;
pub mod context;
pub mod csv;
pub mod export_button;
pub mod frames;
pub mod handle;
pub mod health;
pub mod health_view;
pub mod inventory;
pub mod inventory_view;
pub mod lru;
pub mod message;
pub mod model;
pub mod more;
pub mod settings;
pub mod settings_view;
pub mod traffic;
pub mod traffic_view;
pub mod view;

pub use handle::DashboardHandle;
pub use message::Incoming;
pub use model::DashboardModel;
pub use view::Dashboard;
