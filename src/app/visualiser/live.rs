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
//!
//! What to do when is decided by the plain [`LiveRun`] state machine; this
//! module only carries its outputs out on the links, the diagram's feed and
//! the status signal.

use std::rc::Rc;

use leptos::prelude::*;

use crate::app::form::ConnectionForm;
use crate::mqtt::packet::{ProtocolVersion, QoS};
use crate::mqtt::session::{RetryPolicy, SessionConfig};
use crate::net::clock::{now_ms, random};
use crate::net::ws::{Link, LinkUpdate};

use super::adapt::ClientRole;
use super::faults::{apply_to_rules, FaultIntent};
use super::live_run::{fault_outputs, LiveRun, Output};
pub use super::live_run::{LiveStatus, Problem};
use super::live_trace::LinkStatus;
use super::scenario::{Setup, Step, StepPerformer};
use super::sim_run::free_play_setup;
use super::view::{FeedTitle, SharedPerformer, Visualiser, VisualiserFeed};
use super::words;
use crate::app::header::{VisualiserLinks, VisualiserStatus};
use crate::i18n::td_string;

/// The two links of the current run.
#[derive(Default)]
struct Links {
    publisher: Option<Link>,
    subscriber: Option<Link>,
    /// The feed has events the diagram has not been told about yet.
    redraw_queued: bool,
}

impl Links {
    fn get(&self, role: ClientRole) -> Option<Link> {
        match role {
            ClientRole::Publisher => self.publisher.clone(),
            ClientRole::Subscriber => self.subscriber.clone(),
        }
    }
}

/// Live mode's controller; cheap to copy into callbacks.
#[derive(Clone, Copy)]
pub struct LiveHandle {
    run: StoredValue<LiveRun, LocalStorage>,
    links: StoredValue<Links, LocalStorage>,
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
            links: StoredValue::new_local(Links::default()),
            feed,
            form,
            status: RwSignal::new(LiveStatus::default()),
        }
    }

    /// Runs `command` on the state machine, then carries out what it asks
    /// (outside any borrow of it: links report synchronously).
    fn command(&self, command: impl FnOnce(&mut LiveRun) -> Vec<Output>) {
        let Some(outputs) = self.run.try_update_value(command) else {
            return;
        };
        if let Some(status) = self.run.try_with_value(|r| r.status.clone()) {
            if self.status.with_untracked(|s| *s != status) {
                self.status.set(status);
            }
        }
        for output in outputs {
            self.carry_out(output);
        }
    }

    fn carry_out(&self, output: Output) {
        let link = |role| self.links.try_with_value(|l| l.get(role)).flatten();
        match output {
            Output::Open {
                run,
                role,
                url,
                config,
            } => self.open(run, role, &url, config),
            Output::CloseAll => {
                let links = self
                    .links
                    .try_update_value(|l| [l.publisher.take(), l.subscriber.take()])
                    .unwrap_or_default();
                for link in links.into_iter().flatten() {
                    link.disconnect();
                }
            }
            Output::Subscribe(filter) => {
                if let Some(Err(e)) =
                    link(ClientRole::Subscriber).map(|l| l.subscribe(vec![filter]))
                {
                    self.command(|r| {
                        r.subscribe_failed(e.to_string());
                        Vec::new()
                    });
                }
            }
            Output::Publish { request, after_ms } => {
                let Some(publisher) = link(ClientRole::Publisher) else {
                    return;
                };
                let publish = move || {
                    // A refusal shows in the publisher's events and the diagram.
                    let _ = publisher.publish(request);
                };
                match after_ms {
                    0 => publish(),
                    ms => set_timeout(publish, std::time::Duration::from_millis(ms)),
                }
            }
            Output::HoldTimers(hold) => {
                if let Some(p) = link(ClientRole::Publisher) {
                    p.hold_timers(hold);
                }
            }
            Output::Fault(role, intent) => {
                let Some(l) = link(role) else { return };
                let mut cut = false;
                l.with_faults(|rules| cut = apply_to_rules(intent, rules));
                if cut {
                    // A presenter's cut from the panel: the client comes back by itself.
                    l.cut(true);
                }
            }
            Output::Cut => {
                if let Some(p) = link(ClientRole::Publisher) {
                    p.cut(false);
                }
            }
            Output::Reconnect => {
                if let Some(p) = link(ClientRole::Publisher) {
                    p.reconnect_now();
                }
            }
            Output::Caption(caption) => self.feed.extend([caption]),
            Output::FaultsUsed(used) => self.feed.faults.update(|plan| {
                for (kind, hop) in used {
                    plan.consumed(kind, hop);
                }
            }),
        }
    }

    /// Opens `role`'s link for run `run`; its updates go back to the state machine.
    fn open(&self, run: u64, role: ClientRole, url: &str, config: SessionConfig) {
        let handle = *self;
        let notify = Rc::new(move |updates: Vec<LinkUpdate>| handle.on_updates(run, role, updates));
        let opened = Link::connect_with_faults(url, config, notify);
        self.links.update_value(|l| match role {
            ClientRole::Publisher => l.publisher = Some(opened),
            ClientRole::Subscriber => l.subscriber = Some(opened),
        });
    }

    /// Starts a run: closes the previous one and connects both clients.
    pub fn begin(&self, setup: &Setup) {
        let form = self.form.get_untracked();
        let suffix = (random() * f64::from(0xFF_FFFF)) as u32;
        let armed = self.feed.faults.get_untracked().intents();
        self.command(|r| {
            r.begin(
                setup,
                &form.broker_url,
                form.session_config(),
                suffix,
                now_ms(),
                &armed,
            )
        });
    }

    /// Closes both clients (DISCONNECT), if a run is going.
    pub fn end(&self) {
        self.command(LiveRun::end);
    }

    /// True while a run's links exist.
    pub fn is_running(&self) -> bool {
        self.run
            .try_with_value(LiveRun::is_running)
            .unwrap_or(false)
    }

    fn on_updates(&self, run: u64, role: ClientRole, updates: Vec<LinkUpdate>) {
        let mut outputs = Vec::new();
        // Written without telling the diagram; it is told once per frame,
        // so a burst of packets costs one layout, not one per packet.
        self.feed.events.update_untracked(|events| {
            self.run.update_value(|r| {
                outputs = r.on_updates(run, role, &updates, events, now_ms());
            })
        });
        self.queue_redraw();
        self.command(|_| outputs);
    }

    fn queue_redraw(&self) {
        let first = self
            .links
            .try_update_value(|l| !std::mem::replace(&mut l.redraw_queued, true))
            .unwrap_or(false);
        if first {
            let (links, events) = (self.links, self.feed.events);
            request_animation_frame(move || {
                links.try_update_value(|l| l.redraw_queued = false);
                events.notify();
            });
        }
    }

    /// Applies a fault from the panel to the live links now.
    pub fn apply_fault(&self, intent: FaultIntent) {
        for output in fault_outputs(intent) {
            self.carry_out(output);
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
        self.command(|r| r.publish(qos, now_ms()));
    }
}

impl StepPerformer for LiveHandle {
    fn start(&mut self, setup: &Setup) {
        self.begin(setup);
    }

    fn perform(&mut self, step: &Step) {
        self.command(|r| r.perform(step, now_ms()));
    }
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
