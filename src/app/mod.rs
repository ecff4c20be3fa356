//! The Leptos views and the app state behind them.
//!
//! Logic lives in plain structs ([`model::ClientModel`], [`form::ConnectionForm`],
//! [`payload`], [`ring::Ring`]) tested with `cargo test`; the components only
//! bind them to the DOM. The WebSocket driver ([`crate::net::ws::Link`]) is
//! kept out of signals, in a local [`StoredValue`].

pub mod connection;
pub mod dashboard;
pub mod failure;
pub mod form;
pub mod header;
pub mod lab;
pub mod locale;
pub mod messages;
pub mod model;
pub mod on_screen;
pub mod overload;
pub mod packet_log;
pub mod payload;
pub mod presenter;
pub mod publish;
pub mod refresh;
pub mod resume;
pub mod ring;
pub mod session_store;
pub mod slots;
pub mod subscriptions;
mod tabs;
pub mod visualiser;

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use leptos::prelude::*;

use crate::mqtt::packet::{ProtocolVersion, QoS, SubscribeFilter};
use crate::mqtt::session::{DisconnectRequest, EventKind, PublishRequest, Session, StateChanges};
use crate::net::storage;
use crate::net::ws::{Link, LinkUpdate, Persist, TransportEvent};
use dashboard::model::DashboardModel;
use dashboard::DashboardHandle;
use form::{generated_client_id, ConnectionForm};
use model::{ClientModel, Flush, PendingUpdates};
use refresh::Refresh;
use resume::Resume;
use session_store::{ParkedSession, SessionKey, SessionStore, Stored};
pub use tabs::ClientView;
use tabs::{LiveDashboard, TabPanel};
use visualiser::VisualiserPage;

/// The longest a batch of updates waits when no animation frame comes (a hidden tab).
const FLUSH_FALLBACK: std::time::Duration = std::time::Duration::from_millis(250);

/// Shared state of the client view, provided as context.
#[derive(Clone, Copy)]
pub struct ClientCtx {
    /// What the view shows.
    pub model: RwSignal<ClientModel>,
    /// The connection form (the publish panel reads the protocol version).
    pub form: RwSignal<ConnectionForm>,
    link: StoredValue<Option<Link>, LocalStorage>,
    /// Whose session the link drives.
    session_key: StoredValue<Option<SessionKey>>,
    /// The session between two links: the app owns it, a link only drives it.
    parked: StoredValue<Option<ParkedSession>, LocalStorage>,
    /// What the last store of the session in the browser did (Clean Session off).
    pub session_stored: RwSignal<Option<Stored>>,
    /// The driver's updates not yet shown: applied once per animation frame,
    /// or at once when one of them changes the connection's status.
    pending: StoredValue<PendingUpdates, LocalStorage>,
    /// Whether a flush re-renders the views (less often under a flood).
    refresh: StoredValue<Refresh>,
    /// The operator dashboard's model, fed from the same session events.
    pub dashboard: DashboardHandle,
    /// Filters the dashboard wants; subscribed once the user has opened the
    /// dashboard, whenever a connection is accepted.
    dashboard_filters: StoredValue<Vec<SubscribeFilter>>,
    /// The user opened the dashboard: its filters are wanted from now on.
    dashboard_opened: StoredValue<bool>,
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
            model: RwSignal::new(ClientModel {
                page_secure: crate::net::page::is_https(),
                ..ClientModel::default()
            }),
            form: RwSignal::new(form),
            link: StoredValue::new_local(None),
            session_key: StoredValue::new(None),
            parked: StoredValue::new_local(None),
            session_stored: RwSignal::new(None),
            pending: StoredValue::new_local(PendingUpdates::default()),
            refresh: StoredValue::new(Refresh::default()),
            dashboard: DashboardHandle::load(),
            dashboard_filters: StoredValue::new(Vec::new()),
            dashboard_opened: StoredValue::new(false),
        }
    }

    /// Connects with the form as it is, or says why not.
    pub fn connect(&self) {
        self.flush();
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
            &serde_json::to_string(&form.for_last_form()).unwrap_or_default(),
        );
        Resume::update(|r| r.connect = true);
        let url = form.broker_url.trim().to_string();
        let key = SessionKey::of(&url, &config);
        let session = self.session_for(&key, &config);
        let (subscriptions, queued) = (session.subscriptions(), session.queued_len());
        self.model.update(|m| {
            m.connecting(&config.client_id, &url, &subscriptions, queued);
            m.version = Some(config.version);
        });
        let persist = self.persist_for(&key, config.clean_start);
        self.session_key.set_value(Some(key));
        let ctx = *self;
        let notify = Rc::new(move |updates: Vec<LinkUpdate>| ctx.on_updates(updates));
        let link = Link::connect(&url, session, notify, persist);
        self.link.set_value(Some(link));
        self.shed_outside_alarms();
    }

    /// Lets the link skip QoS 0 messages while the page is behind a flood,
    /// never on the dashboard's alarm topics ([`Link::shed_when_behind`]).
    fn shed_outside_alarms(&self) {
        if let Some(link) = self.link() {
            link.shed_when_behind(
                self.dashboard
                    .read_untracked(DashboardModel::alarm_prefixes),
            );
        }
    }

    /// The session to connect with: the one this page or the last one had
    /// for `key`, else a new one. With Clean Start it still carries the
    /// flows in flight, so that the broker's answer (no session) reports
    /// each one it discards; not the subscriptions, which a clean session
    /// starts without.
    fn session_for(
        &self,
        key: &SessionKey,
        config: &crate::mqtt::session::SessionConfig,
    ) -> Session {
        let parked = self.parked.try_update_value(Option::take).flatten();
        match session_store::carried_over(parked, key) {
            Some(mut snapshot) => {
                if config.clean_start {
                    snapshot.subscriptions.clear();
                }
                Session::restore(config.clone(), snapshot)
            }
            None => Session::new(config.clone()),
        }
    }

    /// With Clean Session off, the store that keeps the session for a
    /// reload; with it on, there is nothing to keep, and a stored one is
    /// discarded (as the broker discards its own).
    fn persist_for(&self, key: &SessionKey, clean_start: bool) -> Option<Persist> {
        if clean_start {
            session_store::forget(&storage::LocalStorage, key);
            self.session_stored.set(None);
            return None;
        }
        let stored = self.session_stored;
        let store = RefCell::new(SessionStore::new(storage::LocalStorage, key.clone()));
        Some(Rc::new(move |session: &Session, changes: &StateChanges| {
            let result = store.borrow_mut().save(session, changes);
            if stored.try_with_untracked(|s| s.as_ref() != Some(&result)) == Some(true) {
                stored.set(Some(result));
            }
        }))
    }

    /// Hands the driver's updates to the dashboard (its own queue, drained
    /// per frame) and to the client view: at once when the status changes,
    /// else at the next animation frame. The link calls it; the browser tests
    /// feed it directly.
    pub fn on_updates(&self, updates: Vec<LinkUpdate>) {
        for update in &updates {
            match update {
                // Delivered messages reach the alarms and the stock table
                // through the event itself: pushing them again would count twice.
                LinkUpdate::Session(event) if DashboardModel::wants(event) => {
                    self.dashboard.push_event(Arc::clone(event));
                }
                LinkUpdate::Transport {
                    event: TransportEvent::Skipped { total },
                    ..
                } => self.dashboard.note_link_skipped(*total),
                _ => {}
            }
        }
        let flush = self.pending.try_update_value(|p| p.push(updates));
        self.then(flush);
    }

    /// Does what [`PendingUpdates`] asked for: flush now, or at the next
    /// animation frame.
    fn then(&self, flush: Option<Flush>) {
        match flush {
            Some(Flush::Now) => self.flush(),
            Some(Flush::AtNextFrame) => {
                let ctx = *self;
                request_animation_frame(move || ctx.flush());
                // Frames pause in a hidden tab; the batch is bounded anyway.
                let asked = self.pending.try_with_value(PendingUpdates::asked);
                set_timeout(
                    move || {
                        let waiting =
                            |p: &PendingUpdates| asked.is_some_and(|a| p.still_waiting_for(a));
                        if ctx.pending.try_with_value(waiting) == Some(true) {
                            ctx.flush();
                        }
                    },
                    FLUSH_FALLBACK,
                );
            }
            Some(Flush::Later) | None => {}
        }
    }

    /// Applies every waiting update to the client model in one batch. The
    /// views re-render at once for a change of the connection's status, else
    /// as [`Refresh`] says: every frame, but ten times a second under a flood,
    /// and what a flooded frame left unshown at the next quiet one.
    fn flush(&self) {
        let updates = self
            .pending
            .try_update_value(PendingUpdates::take)
            .unwrap_or_default();
        let inputs = updates.len();
        let urgent = updates.iter().any(model::is_urgent);
        let accepted = updates.iter().any(|u| {
            matches!(u, LinkUpdate::Session(e) if matches!(e.kind, EventKind::Connected { .. }))
        });
        if inputs > 0 {
            // The view may be gone (tests unmount it); then there is nothing to update.
            self.model.try_update_untracked(|m| m.apply_batch(updates));
        }
        let render = self
            .refresh
            .try_update_value(|r| r.frame(inputs, inputs > 0));
        if render == Some(true) || urgent {
            self.model.notify();
        } else if self.refresh.try_with_value(Refresh::pending) == Some(true) {
            // A quiet frame must come to show what waits, even if nothing more arrives.
            let flush = self.pending.try_update_value(PendingUpdates::at_next_frame);
            self.then(flush);
        }
        if accepted {
            self.subscribe_dashboard_filters();
        }
    }

    /// The dashboard's filters changed (or it started): remember them and
    /// subscribe now if connected.
    pub fn set_dashboard_filters(&self, filters: Vec<SubscribeFilter>) {
        self.dashboard_filters.set_value(filters);
        self.shed_outside_alarms();
        self.subscribe_dashboard_filters();
    }

    /// The user opened the dashboard: subscribe to its filters (now if connected).
    pub fn open_dashboard(&self) {
        Resume::update(|r| r.dashboard = true);
        self.dashboard_opened.set_value(true);
        self.subscribe_dashboard_filters();
    }

    /// Subscribes to the dashboard's filters the session does not hold or
    /// has not asked for yet, if the dashboard was opened and a connection is
    /// up. The session owns the subscriptions (and resubscribes by itself when
    /// a broker lost them), so this asks it rather than the view's rows, and
    /// however often it runs nothing is subscribed twice. Until the dashboard
    /// is opened, the client view subscribes to nothing the user did not ask for.
    fn subscribe_dashboard_filters(&self) {
        let connected = self
            .model
            .with_untracked(|m| m.status == model::ConnStatus::Connected);
        if !connected || !self.dashboard_opened.get_value() {
            return;
        }
        let Some(link) = self.link() else { return };
        let wanted = self.dashboard_filters.get_value();
        for filter in link.missing_subscriptions(&wanted) {
            self.subscribe(filter.filter, filter.qos);
        }
    }

    /// Ends the connection on purpose (DISCONNECT, close, no reconnect);
    /// a reload then stays disconnected too. In MQTT 5, with the form's
    /// reason (send the will) and session expiry, or says why not.
    pub fn disconnect(&self) {
        let request = match self.form.with_untracked(ConnectionForm::disconnect_request) {
            Ok(request) => request,
            Err(why) => return self.model.update(|m| m.refuse_to_connect(why)),
        };
        Resume::update(|r| r.connect = false);
        self.end_link(request);
    }

    /// Picks up what the last page left: its dashboard's topics, and its
    /// connection if it was connected (or trying to be) when it went away.
    pub fn resume(&self) {
        let resume = Resume::load();
        if resume.dashboard {
            self.open_dashboard();
        }
        if resume.connect {
            self.connect();
            // Connected before the reload: ride out an unreachable broker.
            self.link.with_value(|link| {
                if let Some(link) = link {
                    link.keep_trying();
                }
            });
        }
    }

    /// Ends the link before a new one, and keeps its session for it.
    fn drop_link(&self) {
        self.end_link(DisconnectRequest::default());
    }

    /// Ends the link with `request` and keeps its session for the next one.
    fn end_link(&self, request: DisconnectRequest) {
        let link = self.link.try_update_value(Option::take).flatten();
        let Some(session) = link.and_then(|link| link.take_session(request)) else {
            return;
        };
        if let Some(key) = self.session_key.get_value() {
            self.parked.set_value(Some(ParkedSession { key, session }));
        }
    }

    fn link(&self) -> Option<Link> {
        self.link.try_with_value(Clone::clone).flatten()
    }

    /// Publishes; the result shows as publish feedback.
    pub fn publish(&self, req: PublishRequest) {
        // What the user does lands after what the view has yet to show.
        self.flush();
        let qos = req.qos;
        // A stopped link (refused, unreachable, closed) would queue the
        // message for a connection that is not coming.
        let active = self.model.with_untracked(|m| m.status.is_active());
        let result = match self.link().filter(|_| active) {
            Some(link) => link.publish(req),
            None => Err(crate::mqtt::session::CommandError::NotConnected),
        };
        self.model.update(|m| m.published(qos, result));
    }

    /// Whether what is sent now speaks MQTT 5: the live connection's
    /// version while there is one (the form may have changed since), else
    /// the form's. Reactive.
    pub fn speaks_v5(&self) -> bool {
        let version = self
            .model
            .with(ClientModel::live_version)
            .unwrap_or_else(|| self.form.with(|f| f.version));
        version == ProtocolVersion::V5
    }

    /// Subscribes to one filter.
    pub fn subscribe(&self, filter: String, qos: QoS) {
        self.subscribe_with_id(filter, qos, None);
    }

    /// Subscribes to one filter, with an MQTT 5 Subscription Identifier: the
    /// broker tags each message this subscription delivers with it.
    pub fn subscribe_with_id(&self, filter: String, qos: QoS, subscription_id: Option<u32>) {
        // What the user does lands after what the view has yet to show.
        self.flush();
        let request = SubscribeFilter {
            filter: filter.clone(),
            qos,
            ..Default::default()
        };
        let properties = crate::mqtt::packet::PropertyValues {
            subscription_identifiers: subscription_id.into_iter().collect(),
            ..Default::default()
        }
        .into();
        let result = match self.link() {
            Some(link) => link.subscribe_with(vec![request], properties),
            None => Err(crate::mqtt::session::CommandError::NotConnected),
        };
        self.model.update(|m| m.subscribing(&filter, qos, result));
    }

    /// Unsubscribes from one filter.
    pub fn unsubscribe(&self, filter: String) {
        // What the user does lands after what the view has yet to show.
        self.flush();
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
    /// Alarms and stock for an operator.
    Dashboard,
    /// What each QoS level costs, measured.
    Lab,
}

impl View {
    const ALL: [View; 4] = [View::Client, View::Visualiser, View::Lab, View::Dashboard];

    fn title(self, locale: crate::i18n::Locale) -> &'static str {
        use crate::i18n::td_string;
        match self {
            View::Client => td_string!(locale, common.tab_client),
            View::Visualiser => td_string!(locale, common.tab_visualiser),
            View::Dashboard => td_string!(locale, common.tab_dashboard),
            View::Lab => td_string!(locale, common.tab_lab),
        }
    }

    /// Its name in the address ("#dashboard"), so a reload or a bookmark
    /// opens the same view.
    pub fn fragment(self) -> &'static str {
        match self {
            View::Client => "client",
            View::Visualiser => "visualiser",
            View::Dashboard => "dashboard",
            View::Lab => "lab",
        }
    }

    /// The view an address fragment names; the client view for any other.
    pub fn from_fragment(fragment: &str) -> View {
        View::ALL
            .into_iter()
            .find(|v| v.fragment() == fragment)
            .unwrap_or(View::Client)
    }
}

/// The whole app, in the reader's language.
#[component]
pub fn App() -> impl IntoView {
    view! {
        <locale::LocaleProvider>
            <Shell />
        </locale::LocaleProvider>
    }
}

/// Header, tabs, the chosen view.
#[component]
fn Shell() -> impl IntoView {
    let i18n = crate::app::locale::use_i18n();
    let ctx = ClientCtx::new();
    provide_context(ctx);
    let view = RwSignal::new(View::from_fragment(&crate::net::page::location_fragment()));
    Effect::new(move |_| crate::net::page::replace_fragment(view.get().fragment()));
    provide_context(header::VisualiserStatus(RwSignal::new(
        header::VisualiserLinks::default(),
    )));
    let visited_visualiser = Memo::new(move |seen: Option<&bool>| {
        seen.copied().unwrap_or(false) || view.get() == View::Visualiser
    });
    Effect::new(move |_| {
        if view.get() == View::Dashboard {
            ctx.open_dashboard();
        }
    });
    ctx.resume();
    let lab = lab::handle::LabHandle::new(ctx.form);
    let remote = visualiser::ScenarioRemote::new();
    provide_context(remote);
    provide_context(presenter::Presenter(RwSignal::new(None)));
    let open_scenario = Callback::new(move |id: String| {
        remote.simulated.set(false);
        remote.start.set(Some(id));
        view.set(View::Visualiser);
    });
    view! {
        <header::Header view />
        <presenter::PresenterMode view lab remote />
        <nav
            class="tabs"
            role="tablist"
            aria-label=move || crate::i18n::t_string!(i18n, common.tabs_label)
        >
            {View::ALL
                .into_iter()
                .map(|v| {
                    view! {
                        <button
                            class="tab"
                            role="tab"
                            id=format!("tab-{}", v.fragment())
                            aria-selected=move || (view.get() == v).to_string()
                            on:click=move |_| view.set(v)
                        >
                            {move || v.title(i18n.get_locale())}
                        </button>
                    }
                })
                .collect_view()}
        </nav>
        <main class="view">
            <TabPanel tab=View::Client view>
                <ClientView />
            </TabPanel>
            // Mounted from the start, so it digests messages while another view shows.
            <TabPanel tab=View::Dashboard view>
                <LiveDashboard />
            </TabPanel>
            <TabPanel tab=View::Lab view>
                <lab::view::LabPage handle=lab on_scenario=open_scenario />
            </TabPanel>
            // Mounted on first visit, then kept, so a scenario survives a look elsewhere.
            <Show when=move || visited_visualiser.get()>
                <div class="tab-fill" role="tabpanel" aria-labelledby="tab-visualiser" hidden=move || view.get() != View::Visualiser>
                    <VisualiserPage form=ctx.form />
                </div>
            </Show>
        </main>
    }
}

/// Mounts the app on `<body>`.
pub fn mount() {
    leptos::mount::mount_to_body(App);
}
