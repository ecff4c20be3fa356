//! Live mode's controller as a plain state machine: commands in, what to do
//! out. It holds a run's set-up, its steps, what waits for both clients to
//! be ready and the status bar's state; it never touches a socket, a signal
//! or a clock. [`super::live`] carries its [`Output`]s out on two real
//! links and the page, and `tests/visualiser_live_run.rs` drives it natively.

use crate::mqtt::packet::{PacketType, QoS, SubscribeFilter};
use crate::mqtt::session::{EventKind, PublishRequest, SessionConfig};
use crate::net::ws::LinkUpdate;

use super::adapt::ClientRole;
use super::faults::{FaultIntent, Hop};
use super::live_trace::{LinkStatus, LiveTranscript, Trouble};
use super::model::{DiagramEvent, SETUP_MARKER};
use super::scenario::{Action, Setup, Step};
use super::sim_run::{self, request, FREE_PLAY_TOPIC};
use super::words;
use crate::i18n::{td_string, Locale};

/// Something asked for before both clients were ready.
#[derive(Debug, Clone, PartialEq)]
enum Pending {
    Step(Step),
    Publish(QoS),
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

/// What the controller asks of the links and the page.
#[derive(Debug, Clone, PartialEq)]
pub enum Output {
    /// Open `role`'s link for run `run` with these settings.
    Open {
        /// Run id: updates of the link carry it back to [`LiveRun::on_updates`].
        run: u64,
        /// Which client.
        role: ClientRole,
        /// Broker URL.
        url: String,
        /// Its session.
        config: SessionConfig,
    },
    /// DISCONNECT both links and let them go.
    CloseAll,
    /// Subscribe the subscriber.
    Subscribe(SubscribeFilter),
    /// The publisher publishes, `after_ms` from now.
    Publish {
        /// What.
        request: PublishRequest,
        /// Delay, ms (0: now).
        after_ms: u64,
    },
    /// Hold the publisher's retry timer (true) or let it run.
    HoldTimers(bool),
    /// Apply a fault to `role`'s link rules (a cut there reconnects by itself).
    Fault(ClientRole, FaultIntent),
    /// Cut the publisher's connection (no reconnect).
    Cut,
    /// Reconnect the publisher now.
    Reconnect,
    /// Add a caption to the diagram.
    Caption(DiagramEvent),
    /// One-shot drop rules that fired: the fault panel disarms them.
    FaultsUsed(Vec<(PacketType, Hop)>),
}

/// One live run at a time: what it is doing and what has been drawn of it.
#[derive(Debug, Default)]
pub struct LiveRun {
    /// Numbers runs, so updates of a replaced run's links are ignored.
    id: u64,
    running: bool,
    transcript: Option<LiveTranscript>,
    setup: Option<Setup>,
    steps_done: usize,
    /// Both clients connected and the subscription granted, once.
    set_up: bool,
    /// Asked for before `set_up`; carried out as soon as it is.
    pending: Vec<Pending>,
    /// The status bar.
    pub status: LiveStatus,
}

impl LiveRun {
    /// No run yet.
    pub fn new() -> Self {
        LiveRun::default()
    }

    /// True while a run's links exist.
    pub fn is_running(&self) -> bool {
        self.running
    }

    /// Starts a run of `setup` against `url`, closing the one before. `base`
    /// is the Client tab's form as a session (or why it is none), `suffix`
    /// makes the client ids unique, `armed` is what the fault panel shows.
    pub fn begin(
        &mut self,
        setup: &Setup,
        url: &str,
        base: Result<SessionConfig, String>,
        suffix: u32,
        now: u64,
        armed: &[FaultIntent],
    ) -> Vec<Output> {
        let mut out = self.end();
        let url = url.trim().to_string();
        let base = match base {
            Ok(config) => config,
            Err(why) => {
                self.status = LiveStatus {
                    url,
                    problem: Some(Problem::Form(why)),
                    ..LiveStatus::default()
                };
                return out;
            }
        };
        self.id += 1;
        self.running = true;
        self.transcript = Some(LiveTranscript::new(setup.version));
        self.setup = Some(setup.clone());
        self.steps_done = 0;
        self.set_up = false;
        self.status = LiveStatus {
            url: url.clone(),
            publisher: LinkStatus::Connecting,
            subscriber: LinkStatus::Connecting,
            ..LiveStatus::default()
        };
        out.push(Output::Caption(sim_run::caption(
            now,
            SETUP_MARKER.into(),
            setup_caption(Locale::en, &url, setup),
            setup_caption(Locale::zh_CN, &url, setup),
        )));
        let suffix = format!("{suffix:06x}");
        for (role, prefix, keep) in [
            (ClientRole::Publisher, "qoscope-pub", true),
            (ClientRole::Subscriber, "qoscope-sub", false),
        ] {
            out.push(Output::Open {
                run: self.id,
                role,
                url: url.clone(),
                config: config(&base, &format!("{prefix}-{suffix}"), setup, keep),
            });
        }
        // What the fault panel shows armed holds for the new clients too
        // (a scenario clears the panel before it starts).
        out.extend(armed.iter().flat_map(|&i| fault_outputs(i)));
        out
    }

    /// Closes both clients (DISCONNECT), if a run is going.
    pub fn end(&mut self) -> Vec<Output> {
        self.id += 1;
        self.pending.clear();
        self.status.publisher = LinkStatus::Idle;
        self.status.subscriber = LinkStatus::Idle;
        self.status.waiting = 0;
        if std::mem::take(&mut self.running) {
            vec![Output::CloseAll]
        } else {
            Vec::new()
        }
    }

    /// `role`'s link of run `run` reported `updates`: draws them into
    /// `events` and moves the run on.
    pub fn on_updates(
        &mut self,
        run: u64,
        role: ClientRole,
        updates: &[LinkUpdate],
        events: &mut Vec<DiagramEvent>,
        now: u64,
    ) -> Vec<Output> {
        if run != self.id || !self.running {
            return Vec::new();
        }
        let mut out = Vec::new();
        if let Some(t) = self.transcript.as_mut() {
            let used = t.ingest(events, role, updates);
            if !used.is_empty() {
                out.push(Output::FaultsUsed(used));
            }
        }
        match role {
            ClientRole::Publisher => self.status.publisher.apply(updates),
            ClientRole::Subscriber => self.status.subscriber.apply(updates),
        }
        if self.has_failed() {
            // Nothing asked for will happen on this run: say so, keep nothing.
            self.pending.clear();
            self.status.waiting = 0;
        }
        let connected = updates.iter().any(|u| {
            matches!(u, LinkUpdate::Session(e) if matches!(e.kind, EventKind::Connected { .. }))
        });
        if connected && role == ClientRole::Subscriber && !self.set_up {
            // The first connection subscribes; after a reconnect the session
            // resubscribes by itself when the broker kept nothing.
            if let Some(setup) = &self.setup {
                out.push(Output::Subscribe(SubscribeFilter {
                    filter: setup.filter.clone(),
                    qos: setup.subscribe_qos,
                    ..Default::default()
                }));
            }
        }
        out.extend(self.maybe_ready(now));
        out
    }

    /// The subscription could not be sent.
    pub fn subscribe_failed(&mut self, why: String) {
        self.status.subscriber = LinkStatus::Failed(Trouble::SubscribeFailed(why));
    }

    /// Publishes one message at `qos` (free play); the caller begins a run first if none goes.
    pub fn publish(&mut self, qos: QoS, now: u64) -> Vec<Output> {
        if self.set_up {
            self.do_publish(qos, now)
        } else {
            self.queue(Pending::Publish(qos));
            Vec::new()
        }
    }

    /// Performs a scenario step, or keeps it until both clients are ready.
    pub fn perform(&mut self, step: &Step, now: u64) -> Vec<Output> {
        if !self.running {
            return Vec::new();
        }
        if self.has_failed() {
            self.status.problem = Some(Problem::NotConnected);
            return Vec::new();
        }
        if self.set_up {
            self.do_step(step, now)
        } else {
            self.queue(Pending::Step(step.clone()));
            Vec::new()
        }
    }

    /// Once both clients are up and subscribed, do what was asked meanwhile.
    fn maybe_ready(&mut self, now: u64) -> Vec<Output> {
        let ready = self.status.publisher.is_up()
            && matches!(self.status.subscriber, LinkStatus::Subscribed { .. });
        if !ready || self.set_up {
            return Vec::new();
        }
        self.set_up = true;
        self.status.waiting = 0;
        let mut out = Vec::new();
        for p in std::mem::take(&mut self.pending) {
            out.extend(match p {
                Pending::Step(step) => self.do_step(&step, now),
                Pending::Publish(qos) => self.do_publish(qos, now),
            });
        }
        out
    }

    fn has_failed(&self) -> bool {
        matches!(self.status.publisher, LinkStatus::Failed(_))
            || matches!(self.status.subscriber, LinkStatus::Failed(_))
    }

    fn queue(&mut self, p: Pending) {
        self.pending.push(p);
        self.status.waiting += 1;
    }

    fn do_publish(&mut self, qos: QoS, now: u64) -> Vec<Output> {
        let topic = self.setup.as_ref().map_or_else(
            || FREE_PLAY_TOPIC.to_string(),
            |s| s.filter.replace(['#', '+'], "demo"),
        );
        let said = |locale: Locale| {
            td_string!(locale, visualiser.caption.publish, qos = qos.as_u8()).to_string()
        };
        let caption = sim_run::caption(
            now,
            td_string!(Locale::en, visualiser.marker.free_play).into(),
            said(Locale::en),
            said(Locale::zh_CN),
        );
        let payload = format!("hello at QoS {}", qos.as_u8());
        vec![
            Output::Caption(caption),
            Output::HoldTimers(false),
            Output::Publish {
                request: request(&topic, payload, qos),
                after_ms: 0,
            },
        ]
    }

    fn do_step(&mut self, step: &Step, now: u64) -> Vec<Output> {
        self.steps_done += 1;
        let mut out = vec![Output::Caption(sim_run::caption(
            now,
            words::step_in(self.steps_done, Locale::en),
            step.explain.clone(),
            step.explain_zh.clone(),
        ))];
        out.extend(step.arm.iter().flat_map(|&i| fault_outputs(i)));
        match &step.action {
            Action::Publish {
                topic,
                payload,
                qos,
            } => {
                // The retry this publish may need belongs to the next step.
                out.push(Output::HoldTimers(true));
                out.push(Output::Publish {
                    request: request(topic, payload.clone(), *qos),
                    after_ms: 0,
                });
            }
            Action::PublishMany {
                topic,
                payload,
                qos,
                count,
            } => {
                out.push(Output::HoldTimers(true));
                // Spaced as in the simulation, so each message is seen
                // crossing both hops before the next one leaves.
                out.extend((1..=*count).map(|n| Output::Publish {
                    request: request(topic, format!("{payload}{n}"), *qos),
                    after_ms: sim_run::MANY_SPACING_MS * u64::from(n - 1),
                }));
            }
            Action::CutConnection => out.push(Output::Cut),
            Action::Reconnect => out.push(Output::Reconnect),
            // Time passes for real: let the held retry happen now.
            Action::Wait { .. } => out.push(Output::HoldTimers(false)),
        }
        out
    }
}

/// A fault from the panel, for the links it concerns.
pub fn fault_outputs(intent: FaultIntent) -> Vec<Output> {
    let roles = match intent {
        FaultIntent::DropNext { hop, .. } | FaultIntent::CutConnection { hop } => {
            vec![role_of(hop)]
        }
        FaultIntent::LossPercent(_) | FaultIntent::LatencyMs(_) => {
            vec![ClientRole::Publisher, ClientRole::Subscriber]
        }
    };
    roles
        .into_iter()
        .map(|r| Output::Fault(r, intent))
        .collect()
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
