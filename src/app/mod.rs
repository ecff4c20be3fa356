//! The Leptos views and the app state behind them.
//!
//! Logic lives in plain structs ([`model::ClientModel`], [`form::ConnectionForm`],
//! [`payload`], [`ring::Ring`]) tested with `cargo test`; the components only
//! bind them to the DOM. The WebSocket driver ([`crate::net::ws::Link`]) is
//! kept out of signals, in a local [`StoredValue`].

pub mod connection;
pub mod dashboard;
pub mod form;
pub mod header;
pub mod messages;
pub mod model;
pub mod packet_log;
pub mod payload;
pub mod publish;
pub mod ring;
pub mod subscriptions;
pub mod visualiser;

use std::rc::Rc;

use leptos::prelude::*;

use crate::mqtt::packet::{QoS, SubscribeFilter};
use crate::mqtt::session::{Event, PublishRequest};
use crate::net::storage;
use crate::net::ws::{Link, LinkUpdate};
use form::{generated_client_id, ConnectionForm};
use model::ClientModel;

/// Shared state of the client view, provided as context.
#[derive(Clone, Copy)]
pub struct ClientCtx {
    /// What the view shows.
    pub model: RwSignal<ClientModel>,
    /// The connection form (the publish panel reads the protocol version).
    pub form: RwSignal<ConnectionForm>,
    link: StoredValue<Option<Link>, LocalStorage>,
    /// Other views that watch the live session's events (the dashboard).
    taps: StoredValue<Vec<EventTap>, LocalStorage>,
}

/// A listener for every event of the live session.
pub type EventTap = Rc<dyn Fn(&Event)>;

impl ClientCtx {
    /// Fresh state with the last used form (or the default one) and a new client id.
    pub fn new() -> Self {
        let mut form = storage::get(storage::LAST_FORM_KEY)
            .and_then(|json| serde_json::from_str::<ConnectionForm>(&json).ok())
            .unwrap_or_default();
        if form.client_id.trim().is_empty() {
            form.client_id = generated_client_id(crate::net::clock::random());
        }
        ClientCtx {
            model: RwSignal::new(ClientModel::default()),
            form: RwSignal::new(form),
            link: StoredValue::new_local(None),
            taps: StoredValue::new_local(Vec::new()),
        }
    }

    /// Calls `tap` with every event of the live session, across reconnects.
    pub fn tap_events(&self, tap: impl Fn(&Event) + 'static) {
        self.taps.update_value(|taps| taps.push(Rc::new(tap)));
    }

    /// Connects with the form as it is, or says why not.
    pub fn connect(&self) {
        let form = self.form.get_untracked();
        let config = match form.session_config() {
            Ok(config) => config,
            Err(why) => {
                self.model.update(|m| m.refuse_to_connect(why));
                return;
            }
        };
        self.drop_link();
        let _ = storage::set(
            storage::LAST_FORM_KEY,
            &serde_json::to_string(&form.for_storage()).unwrap_or_default(),
        );
        let url = form.broker_url.trim().to_string();
        self.model.update(|m| m.connecting(&config.client_id, &url));
        let model = self.model;
        let taps = self.taps;
        let notify = Rc::new(move |updates: Vec<LinkUpdate>| {
            let listeners = taps.try_with_value(Clone::clone).unwrap_or_default();
            for update in &updates {
                if let LinkUpdate::Session(event) = update {
                    listeners.iter().for_each(|tap| tap(event));
                }
            }
            // The view may be gone (tests unmount it); then there is nothing to update.
            model.try_update(|m| updates.into_iter().for_each(|u| m.apply(u)));
        });
        let link = Link::connect(&url, config, notify);
        self.link.set_value(Some(link));
    }

    /// Ends the connection on purpose (DISCONNECT, close, no reconnect).
    pub fn disconnect(&self) {
        self.drop_link();
    }

    fn drop_link(&self) {
        let link = self.link.try_update_value(Option::take).flatten();
        if let Some(link) = link {
            link.disconnect();
        }
    }

    fn link(&self) -> Option<Link> {
        self.link.try_with_value(Clone::clone).flatten()
    }

    /// Publishes; the result shows as publish feedback.
    pub fn publish(&self, req: PublishRequest) {
        let qos = req.qos;
        let result = match self.link() {
            Some(link) => link.publish(req),
            None => Err(crate::mqtt::session::CommandError::NotConnected),
        };
        self.model.update(|m| m.published(qos, result));
    }

    /// Subscribes to one filter.
    pub fn subscribe(&self, filter: String, qos: QoS) {
        let request = SubscribeFilter {
            filter: filter.clone(),
            qos,
            ..Default::default()
        };
        let result = match self.link() {
            Some(link) => link.subscribe(vec![request]),
            None => Err(crate::mqtt::session::CommandError::NotConnected),
        };
        self.model.update(|m| m.subscribing(&filter, qos, result));
    }

    /// Unsubscribes from one filter.
    pub fn unsubscribe(&self, filter: String) {
        let result = match self.link() {
            Some(link) => link.unsubscribe(vec![filter.clone()]),
            None => Err(crate::mqtt::session::CommandError::NotConnected),
        };
        self.model.update(|m| m.unsubscribing(&filter, result));
    }
}

impl Default for ClientCtx {
    fn default() -> Self {
        Self::new()
    }
}

/// The views reachable from the tab bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// Connect, publish, subscribe, messages, packet log.
    Client,
    /// QoS flows drawn across lanes.
    Visualiser,
    /// Alarms, inventory and the health of their QoS flows.
    Dashboard,
}

impl View {
    const ALL: [View; 3] = [View::Client, View::Visualiser, View::Dashboard];

    fn title(self) -> &'static str {
        match self {
            View::Client => "Client",
            View::Visualiser => "Visualiser",
            View::Dashboard => "Dashboard",
        }
    }
}

/// The whole app: header, tabs, the chosen view.
#[component]
pub fn App() -> impl IntoView {
    let ctx = ClientCtx::new();
    provide_context(ctx);
    // The dashboard lives at the root so it keeps digesting alarms and stock
    // while another view is shown.
    let dashboard = dashboard::DashboardHandle::load();
    dashboard.start();
    dashboard.connect(
        Callback::new(move |req| ctx.publish(req)),
        // Without a link there is nothing to subscribe on yet: the dashboard
        // subscribes again on every `Connected` event.
        Callback::new(move |filters: Vec<SubscribeFilter>| {
            if ctx.link().is_some() {
                filters
                    .into_iter()
                    .for_each(|f| ctx.subscribe(f.filter, f.qos))
            }
        }),
    );
    ctx.tap_events(move |event| dashboard.push_event(event.clone()));
    let view = RwSignal::new(View::Client);
    view! {
        <header::Header />
        <nav class="tabs" role="tablist" aria-label="Views">
            {View::ALL
                .into_iter()
                .map(|v| {
                    view! {
                        <button
                            class="tab"
                            role="tab"
                            id=format!("tab-{}", v.title().to_lowercase())
                            aria-selected=move || (view.get() == v).to_string()
                            on:click=move |_| view.set(v)
                        >
                            {v.title()}
                        </button>
                    }
                })
                .collect_view()}
        </nav>
        // Every view stays mounted (hidden when not chosen) so a running
        // scenario or a filled-in form survives a look at another tab.
        <main class="view" role="tabpanel" hidden=move || view.get() != View::Client>
            <ClientView />
        </main>
        <main class="view" role="tabpanel" hidden=move || view.get() != View::Visualiser>
            <visualiser::SimulatedVisualiser />
        </main>
        <main class="view" role="tabpanel" hidden=move || view.get() != View::Dashboard>
            <dashboard::Dashboard handle=dashboard />
        </main>
    }
}

/// Connection, publish, subscriptions, messages and packet log.
#[component]
pub fn ClientView() -> impl IntoView {
    view! {
        <div class="client-grid">
            <div class="column setup">
                <connection::ConnectionPanel />
            </div>
            <div class="column controls">
                <publish::PublishPanel />
                <subscriptions::SubscriptionsPanel />
            </div>
            <div class="column traffic">
                <messages::MessagesPanel />
                <packet_log::PacketLogPanel />
            </div>
        </div>
    }
}

/// Mounts the app on `<body>`.
pub fn mount() {
    leptos::mount::mount_to_body(App);
}
