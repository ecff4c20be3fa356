//! The visualiser in live mode: two real sessions — a publisher and a
//! subscriber — to a real broker over WebSockets, drawn on one diagram.
//!
//! Faults are applied between each session and its socket
//! ([`Link::connect_with_faults`]), so a dropped PUBREC is really never seen
//! by the publisher and the broker really receives the DUP=1 resend.
//! Guided scenarios run on the same [`StepPerformer`] trait as the
//! simulation. Live packets take microseconds, so a scenario holds the
//! publisher's retry timer until the presenter reaches the step that
//! explains the retry (a `Wait` step): the retry then happens for real, in
//! front of the audience, instead of before the explanation.

use std::rc::Rc;

use leptos::prelude::*;

use crate::app::form::ConnectionForm;
use crate::mqtt::packet::{ProtocolVersion, QoS, SubscribeFilter};
use crate::mqtt::session::{EventKind, RetryPolicy, SessionConfig};
use crate::net::clock::{now_ms, random};
use crate::net::ws::{Link, LinkUpdate};

use super::adapt::ClientRole;
use super::faults::{apply_to_rules, FaultIntent, Hop};
use super::live_trace::{LinkStatus, LiveTranscript, Trouble};
use super::model::{DiagramEvent, SETUP_MARKER};
use super::scenario::{Action, Setup, Step, StepPerformer};
use super::sim_run::{self, free_play_setup, request, FREE_PLAY_TOPIC};
use super::view::{FeedTitle, SharedPerformer, Visualiser, VisualiserFeed};
use super::words;
use crate::app::header::{VisualiserLinks, VisualiserStatus};
use crate::i18n::{td_string, Locale};

/// Something asked for before both clients were ready.
#[derive(Debug, Clone)]
enum Pending {
    Step(Step),
    Publish(QoS),
}

/// One live run: its two links and what has been drawn of it.
struct LiveRun {
    /// Numbers runs, so updates of a replaced run's links are ignored.
    id: u64,
    publisher: Option<Link>,
    subscriber: Option<Link>,
    transcript: Option<LiveTranscript>,
    setup: Option<Setup>,
    steps_done: usize,
    /// Both clients connected and the subscription granted, once.
    set_up: bool,
    /// Asked for before `set_up`; carried out as soon as it is.
    pending: Vec<Pending>,
    /// The feed has events the diagram has not been told about yet.
    redraw_queued: bool,
}

impl LiveRun {
    fn new() -> Self {
        LiveRun {
            id: 0,
            publisher: None,
            subscriber: None,
            transcript: None,
            setup: None,
            steps_done: 0,
            set_up: false,
            pending: Vec::new(),
            redraw_queued: false,
        }
    }

    fn link(&self, role: ClientRole) -> Option<Link> {
        match role {
            ClientRole::Publisher => self.publisher.clone(),
            ClientRole::Subscriber => self.subscriber.clone(),
        }
    }
}

/// What the status bar shows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LiveStatus {
    /// Broker URL of the run.
    pub url: String,
    /// The publisher's connection.
    pub publisher: LinkStatus,
    /// The subscriber's connection.
    pub subscriber: LinkStatus,
    /// A problem starting the run (bad form), if any.
    pub problem: Option<Problem>,
    /// Steps waiting for both clients to be ready.
    pub waiting: usize,
}

/// Why a live run cannot go on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The Client tab's form does not make a session; its own reason.
    Form(String),
    /// A step was asked for while the clients are not connected.
    NotConnected,
}

impl Problem {
    /// The problem in `locale`.
    pub fn words_in(&self, locale: Locale) -> String {
        match self {
            Problem::Form(why) => {
                td_string!(locale, visualiser.live.check_form, why = why).to_string()
            }
            Problem::NotConnected => td_string!(locale, visualiser.live.not_connected).into(),
        }
    }
}

/// Live mode's controller; cheap to copy into callbacks.
#[derive(Clone, Copy)]
pub struct LiveHandle {
    run: StoredValue<LiveRun, LocalStorage>,
    feed: VisualiserFeed,
    /// Connection form of the client view: URL, version, credentials.
    form: RwSignal<ConnectionForm>,
    /// Status bar.
    pub status: RwSignal<LiveStatus>,
}

impl LiveHandle {
    /// A handle drawing into `feed`, connecting as `form` says.
    pub fn new(feed: VisualiserFeed, form: RwSignal<ConnectionForm>) -> Self {
        LiveHandle {
            run: StoredValue::new_local(LiveRun::new()),
            feed,
            form,
            status: RwSignal::new(LiveStatus::default()),
        }
    }

    /// Starts a run: closes the previous one and connects both clients.
    pub fn begin(&self, setup: &Setup) {
        self.end();
        let form = self.form.get_untracked();
        let base = match form.session_config() {
            Ok(config) => config,
            Err(why) => {
                self.status.set(LiveStatus {
                    url: form.broker_url.clone(),
                    problem: Some(Problem::Form(why.to_string())),
                    ..LiveStatus::default()
                });
                return;
            }
        };
        let url = form.broker_url.trim().to_string();
        let suffix = format!("{:06x}", (random() * f64::from(0xFF_FFFF)) as u32);
        let ids = (
            format!("qoscope-pub-{suffix}"),
            format!("qoscope-sub-{suffix}"),
        );
        let id = self
            .run
            .try_update_value(|r| {
                r.id += 1;
                r.transcript = Some(LiveTranscript::new(setup.version));
                r.setup = Some(setup.clone());
                r.steps_done = 0;
                r.set_up = false;
                r.pending.clear();
                r.id
            })
            .unwrap_or_default();
        self.status.set(LiveStatus {
            url: url.clone(),
            publisher: LinkStatus::Connecting,
            subscriber: LinkStatus::Connecting,
            ..LiveStatus::default()
        });
        self.feed.extend([caption(
            SETUP_MARKER,
            setup_caption(Locale::en, &url, setup),
            setup_caption(Locale::zh_CN, &url, setup),
        )]);
        // Links report synchronously from `connect`: open them outside any
        // borrow of the run.
        let publisher = self.open(
            id,
            ClientRole::Publisher,
            &url,
            config(&base, &ids.0, setup, true),
        );
        let subscriber = self.open(
            id,
            ClientRole::Subscriber,
            &url,
            config(&base, &ids.1, setup, false),
        );
        self.run.update_value(|r| {
            if r.id == id {
                r.publisher = Some(publisher);
                r.subscriber = Some(subscriber);
            }
        });
        // What the fault panel shows armed holds for the new clients too
        // (a scenario clears the panel before it starts).
        for intent in self.feed.faults.get_untracked().intents() {
            self.apply_fault(intent);
        }
    }

    fn open(&self, id: u64, role: ClientRole, url: &str, config: SessionConfig) -> Link {
        let handle = *self;
        let notify = Rc::new(move |updates: Vec<LinkUpdate>| handle.on_updates(id, role, updates));
        Link::connect_with_faults(url, config, notify)
    }

    /// Closes both clients (DISCONNECT), if a run is going.
    pub fn end(&self) {
        let links = self
            .run
            .try_update_value(|r| {
                r.id += 1;
                r.pending.clear();
                [r.publisher.take(), r.subscriber.take()]
            })
            .unwrap_or_default();
        for link in links.into_iter().flatten() {
            link.disconnect();
        }
        self.status.try_update(|s| {
            s.publisher = LinkStatus::Idle;
            s.subscriber = LinkStatus::Idle;
            s.waiting = 0;
        });
    }

    /// True while a run's links exist.
    pub fn is_running(&self) -> bool {
        self.run
            .try_with_value(|r| r.publisher.is_some())
            .unwrap_or(false)
    }

    fn on_updates(&self, id: u64, role: ClientRole, updates: Vec<LinkUpdate>) {
        if self.run.try_with_value(|r| r.id) != Some(id) {
            return;
        }
        let mut used = Vec::new();
        // Written without telling the diagram; it is told once per frame,
        // so a burst of packets costs one layout, not one per packet.
        self.feed.events.update_untracked(|events| {
            self.run.update_value(|r| {
                if let Some(t) = r.transcript.as_mut() {
                    used = t.ingest(events, role, &updates);
                }
            })
        });
        self.queue_redraw();
        if !used.is_empty() {
            self.feed.faults.update(|plan| {
                for (kind, hop) in used {
                    plan.consumed(kind, hop);
                }
            });
        }
        self.status.update(|s| match role {
            ClientRole::Publisher => s.publisher.apply(&updates),
            ClientRole::Subscriber => s.subscriber.apply(&updates),
        });
        if self.has_failed() {
            // Nothing asked for will happen on this run: say so, keep nothing.
            self.run.update_value(|r| r.pending.clear());
            self.status.update(|s| s.waiting = 0);
        }
        let connected = updates.iter().any(|u| {
            matches!(u, LinkUpdate::Session(e) if matches!(e.kind, EventKind::Connected { .. }))
        });
        if connected && role == ClientRole::Subscriber {
            self.subscribe_if_needed();
        }
        self.maybe_ready();
    }

    fn queue_redraw(&self) {
        let first = self
            .run
            .try_update_value(|r| !std::mem::replace(&mut r.redraw_queued, true))
            .unwrap_or(false);
        if first {
            let (run, events) = (self.run, self.feed.events);
            request_animation_frame(move || {
                run.try_update_value(|r| r.redraw_queued = false);
                events.notify();
            });
        }
    }

    /// The subscriber's first connection subscribes; after a reconnect the
    /// link resubscribes by itself when the broker kept no session.
    fn subscribe_if_needed(&self) {
        let Some((link, setup, set_up)) = self
            .run
            .try_with_value(|r| (r.subscriber.clone(), r.setup.clone(), r.set_up))
        else {
            return;
        };
        let (Some(link), Some(setup)) = (link, setup) else {
            return;
        };
        if set_up {
            return;
        }
        let filter = SubscribeFilter {
            filter: setup.filter.clone(),
            qos: setup.subscribe_qos,
            ..Default::default()
        };
        if let Err(e) = link.subscribe(vec![filter]) {
            self.status.update(|s| {
                s.subscriber = LinkStatus::Failed(Trouble::SubscribeFailed(e.to_string()))
            });
        }
    }

    /// Once both clients are up and subscribed, do what was asked meanwhile.
    fn maybe_ready(&self) {
        let ready = self.status.with_untracked(|s| {
            s.publisher.is_up() && matches!(s.subscriber, LinkStatus::Subscribed { .. })
        });
        let Some(pending) = self
            .run
            .try_update_value(|r| {
                (ready && !r.set_up).then(|| {
                    r.set_up = true;
                    std::mem::take(&mut r.pending)
                })
            })
            .flatten()
        else {
            return;
        };
        self.status.update(|s| s.waiting = 0);
        for p in pending {
            match p {
                Pending::Step(step) => self.do_step(&step),
                Pending::Publish(qos) => self.do_publish(qos),
            }
        }
    }

    fn has_failed(&self) -> bool {
        self.status.with_untracked(|s| {
            matches!(s.publisher, LinkStatus::Failed(_))
                || matches!(s.subscriber, LinkStatus::Failed(_))
        })
    }

    fn is_set_up(&self) -> bool {
        self.run.try_with_value(|r| r.set_up).unwrap_or(false)
    }

    fn queue(&self, p: Pending) {
        self.run.update_value(|r| r.pending.push(p));
        self.status.update(|s| s.waiting += 1);
    }

    /// Applies a fault from the panel to the live links now.
    pub fn apply_fault(&self, intent: FaultIntent) {
        let roles: &[ClientRole] = match intent {
            FaultIntent::DropNext { hop, .. } | FaultIntent::CutConnection { hop } => {
                &[role_of(hop)][..]
            }
            FaultIntent::LossPercent(_) | FaultIntent::LatencyMs(_) => {
                &[ClientRole::Publisher, ClientRole::Subscriber][..]
            }
        };
        for &role in roles {
            let Some(link) = self.run.try_with_value(|r| r.link(role)).flatten() else {
                continue;
            };
            let mut cut = false;
            link.with_faults(|rules| cut = apply_to_rules(intent, rules));
            if cut {
                // A presenter's cut from the panel: the client comes back by itself.
                link.cut(true);
            }
        }
    }

    /// Publishes one message at `qos` (free play), connecting first if needed.
    pub fn publish(&self, qos: QoS) {
        if !self.is_running() {
            // Free play speaks the version chosen on the Client tab, so MQTT 5
            // reason codes can be shown too; MQTT 5 allows no resend but on
            // reconnect (MQTT-4.4.0-1).
            let mut setup = free_play_setup();
            setup.version = self.form.with_untracked(|f| f.version);
            if setup.version == ProtocolVersion::V5 {
                setup.retry = RetryPolicy::OnReconnect;
            }
            self.feed.reset(FeedTitle::FreePlayLive(setup.version));
            self.begin(&setup);
        }
        if self.is_set_up() {
            self.do_publish(qos);
        } else {
            self.queue(Pending::Publish(qos));
        }
    }

    fn do_publish(&self, qos: QoS) {
        let (link, topic) = self
            .run
            .try_with_value(|r| {
                let topic = r.setup.as_ref().map_or_else(
                    || FREE_PLAY_TOPIC.to_string(),
                    |s| s.filter.replace(['#', '+'], "demo"),
                );
                (r.publisher.clone(), topic)
            })
            .unwrap_or((None, FREE_PLAY_TOPIC.to_string()));
        let said = |locale: Locale| {
            td_string!(locale, visualiser.caption.publish, qos = qos.as_u8()).to_string()
        };
        self.feed.extend([caption(
            td_string!(Locale::en, visualiser.marker.free_play),
            said(Locale::en),
            said(Locale::zh_CN),
        )]);
        if let Some(link) = link {
            link.hold_timers(false);
            let _ = link.publish(request(
                &topic,
                format!("hello at QoS {}", qos.as_u8()),
                qos,
            ));
        }
    }

    fn do_step(&self, step: &Step) {
        let Some((publisher, n)) = self.run.try_update_value(|r| {
            r.steps_done += 1;
            (r.publisher.clone(), r.steps_done)
        }) else {
            return;
        };
        self.feed.extend([caption(
            &words::step_in(n, Locale::en),
            step.explain.clone(),
            step.explain_zh.clone(),
        )]);
        for intent in &step.arm {
            self.apply_fault(*intent);
        }
        let Some(publisher) = publisher else { return };
        match &step.action {
            Action::Publish {
                topic,
                payload,
                qos,
            } => {
                // The retry this publish may need belongs to the next step.
                publisher.hold_timers(true);
                let _ = publisher.publish(request(topic, payload.clone(), *qos));
            }
            Action::PublishMany {
                topic,
                payload,
                qos,
                count,
            } => {
                publisher.hold_timers(true);
                // Spaced as in the simulation, so each message is seen
                // crossing both hops before the next one leaves.
                for n in 1..=*count {
                    let (link, req) = (
                        publisher.clone(),
                        request(topic, format!("{payload}{n}"), *qos),
                    );
                    let after = sim_run::MANY_SPACING_MS * u64::from(n - 1);
                    set_timeout(
                        move || {
                            let _ = link.publish(req);
                        },
                        std::time::Duration::from_millis(after),
                    );
                }
            }
            Action::CutConnection => publisher.cut(false),
            Action::Reconnect => publisher.reconnect_now(),
            // Time passes for real: let the held retry happen now.
            Action::Wait { .. } => publisher.hold_timers(false),
        }
    }
}

impl StepPerformer for LiveHandle {
    fn start(&mut self, setup: &Setup) {
        self.begin(setup);
    }

    fn perform(&mut self, step: &Step) {
        if !self.is_running() {
            return;
        }
        if self.has_failed() {
            self.status
                .update(|s| s.problem = Some(Problem::NotConnected));
            return;
        }
        if self.is_set_up() {
            self.do_step(step);
        } else {
            self.queue(Pending::Step(step.clone()));
        }
    }
}

/// The session settings of one live client: the client view's form (URL,
/// version, credentials) with the scenario's retry policy, no keep-alive
/// (no PINGREQ between the steps) and a session the broker keeps, so a
/// reconnect resends what is unacknowledged (MQTT-4.4.0-1).
fn config(
    base: &SessionConfig,
    client_id: &str,
    setup: &Setup,
    keep_session: bool,
) -> SessionConfig {
    SessionConfig {
        client_id: client_id.into(),
        version: setup.version,
        // The subscriber starts clean each run, so no queue of an earlier
        // run's messages is waiting for it; the publisher keeps its session.
        clean_start: !keep_session,
        keep_alive_secs: 0,
        session_expiry_secs: Some(if keep_session { 600 } else { 0 }),
        retry: setup.retry,
        will: None,
        ..base.clone()
    }
}

fn role_of(hop: Hop) -> ClientRole {
    match hop {
        Hop::PublisherBroker => ClientRole::Publisher,
        Hop::BrokerSubscriber => ClientRole::Subscriber,
    }
}

/// The set-up caption of a live run in `locale`.
fn setup_caption(locale: Locale, url: &str, setup: &Setup) -> String {
    td_string!(
        locale,
        visualiser.caption.setup_live,
        url = url,
        filter = &setup.filter,
        qos = setup.subscribe_qos.as_u8()
    )
    .to_string()
}

/// A caption stamped now.
fn caption(label: &str, text: String, text_zh: String) -> DiagramEvent {
    sim_run::caption(now_ms(), label.into(), text, text_zh)
}

/// The status bar over the live diagram.
#[component]
fn LiveStatusBar(handle: LiveHandle) -> impl IntoView {
    let status = handle.status;
    // The reader's language, English where no context exists (a component test).
    let locale = words::locale();
    let pill = move |role: ClientRole| {
        let (id, get): (&str, fn(&LiveStatus) -> &LinkStatus) = match role {
            ClientRole::Publisher => ("publisher", |s| &s.publisher),
            ClientRole::Subscriber => ("subscriber", |s| &s.subscriber),
        };
        let title = move || match role {
            ClientRole::Publisher => td_string!(locale.get(), common.pill_publisher),
            ClientRole::Subscriber => td_string!(locale.get(), common.pill_subscriber),
        };
        view! {
            <span
                class=move || format!("live-pill {}", status.with(|s| get(s).class()))
                data-testid=format!("live-{id}")
            >
                <strong>{title}</strong>
                " "
                {move || status.with(|s| get(s).words_in(locale.get()))}
            </span>
        }
    };
    let disconnect = move |_| handle.end();
    view! {
        <div class="live-status" role="status" aria-live="polite" data-testid="live-status">
            <span class="live-url">
                {move || td_string!(locale.get(), visualiser.live.broker)}
                " "
                <code>{move || {
                    let url = status.with(|s| s.url.clone());
                    if url.is_empty() { handle.form.with(|f| f.broker_url.clone()) } else { url }
                }}</code>
                <span class="live-hint">" " {move || td_string!(locale.get(), visualiser.live.hint)}</span>
            </span>
            {pill(ClientRole::Publisher)}
            {pill(ClientRole::Subscriber)}
            {move || {
                let waiting = status.with(|s| s.waiting);
                (waiting > 0).then(|| view! { <span class="live-waiting">{td_string!(locale.get(), visualiser.live.waiting, count = waiting).to_string()}</span> })
            }}
            {move || status.with(|s| s.problem.clone()).map(|p| view! { <span class="live-problem" role="alert">{p.words_in(locale.get())}</span> })}
            <button
                class="live-disconnect"
                prop:disabled=move || !status.with(|s| s.publisher.is_up() || s.subscriber.is_up() || matches!(s.publisher, LinkStatus::Connecting | LinkStatus::Reconnecting { .. }))
                on:click=disconnect
            >
                {move || td_string!(locale.get(), visualiser.live.disconnect)}
            </button>
        </div>
    }
}

/// The visualiser on a real broker: scenarios, free play and faults on two
/// live clients.
#[component]
pub fn LiveVisualiser(
    /// The client view's connection form (URL, version, credentials).
    form: RwSignal<ConnectionForm>,
    /// Shown to the user: its clients are what the header reports.
    #[prop(into, default = Signal::stored(true))]
    active: Signal<bool>,
    /// Scenarios driven from elsewhere.
    #[prop(optional_no_strip)]
    remote: Option<super::ScenarioRemote>,
) -> impl IntoView {
    let feed = VisualiserFeed::new();
    feed.title.set(FeedTitle::LiveIdle);
    let handle = LiveHandle::new(feed, form);
    let performer: SharedPerformer =
        StoredValue::new_local(Box::new(handle) as Box<dyn StepPerformer>);
    let on_fault = Callback::new(move |intent: FaultIntent| handle.apply_fault(intent));
    let on_publish = Callback::new(move |qos: QoS| handle.publish(qos));
    on_cleanup(move || handle.end());
    if let Some(VisualiserStatus(links)) = use_context::<VisualiserStatus>() {
        let status = handle.status;
        Effect::new(move |_| {
            if active.get() {
                links.set(status.with(|s| VisualiserLinks::Live {
                    publisher: s.publisher.clone(),
                    subscriber: s.subscriber.clone(),
                }));
            }
        });
    }
    view! {
        <LiveStatusBar handle/>
        <Visualiser feed on_fault performer on_publish remote/>
    }
}
