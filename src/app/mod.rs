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
use crate::mqtt::session::PublishRequest;
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
}

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
        }
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
        let notify = Rc::new(move |updates: Vec<LinkUpdate>| {
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
    /// Counters and costs per QoS level.
    Dashboard,
    /// Fault injection experiments.
    Lab,
}

impl View {
    const ALL: [View; 4] = [View::Client, View::Visualiser, View::Dashboard, View::Lab];

    fn title(self) -> &'static str {
        match self {
            View::Client => "Client",
            View::Visualiser => "Visualiser",
            View::Dashboard => "Dashboard",
            View::Lab => "Lab",
        }
    }

    fn coming_next(self) -> &'static str {
        match self {
            View::Client => "",
            View::Visualiser => "The visualiser — PUBLISH, PUBREC, PUBREL and PUBCOMP drawn across Publisher, Broker and Subscriber lanes — is coming next.",
            View::Dashboard => "The dashboard — packets, bytes and latency per QoS level, measured live — is coming next.",
            View::Lab => "The lab — losing a PUBREC or a PUBREL on purpose and watching what each QoS level does — is coming next.",
        }
    }
}

/// The whole app: header, tabs, the chosen view.
#[component]
pub fn App() -> impl IntoView {
    let ctx = ClientCtx::new();
    provide_context(ctx);
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
        <main class="view" role="tabpanel">
            {move || match view.get() {
                View::Client => view! { <ClientView /> }.into_any(),
                other => view! {
                    <section class="panel placeholder">
                        <h2>{other.title()}</h2>
                        <p>{other.coming_next()}</p>
                    </section>
                }
                .into_any(),
            }}
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
