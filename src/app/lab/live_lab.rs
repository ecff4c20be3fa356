//! The lab against a real broker: a publisher and a subscriber session over
//! two WebSockets ([`Link`]s), driven by the same [`LabRunner`] as the
//! simulation. Times are `performance.now()`, taken when a publish is made
//! and when the subscriber's session hands the message over.
//!
//! The links report synchronously, also from inside a publish the runner
//! makes: their updates go to a queue, and the queue is drained, observed
//! and followed by a poll whenever the runner is free.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use gloo_timers::callback::Timeout;

use crate::i18n::{td_string, Locale};
use crate::mqtt::packet::{ProtocolVersion, QoS, SubscribeFilter};
use crate::mqtt::session::{
    CommandError, ConnectionState, DisconnectRequest, EventKind, PublishRequest, Session,
    SessionConfig,
};
use crate::net::clock::{precise_ms, random};
use crate::net::ws::{Link, LinkUpdate, TransportEvent};

use super::plan::LabPlan;
use super::record::Framing;
use super::runner::{LabDriver, LabRunner, Phase, Progress, Role};
use super::sim_lab::{lab_client_config, publisher_rules};

/// What the page shows of a live run.
#[derive(Debug, Clone, PartialEq)]
pub enum LiveLabState {
    /// Connecting both clients and subscribing.
    SettingUp,
    /// Measuring.
    Running(Option<Progress>),
    /// Over: finished or stopped.
    Done,
    /// The run could not start or went wrong.
    Failed(LiveFailure),
}

/// Why a live run could not start or went wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LiveFailure {
    /// The broker refused the subscription (its reason, if it gave one).
    SubscriptionRefused {
        /// The lab's filter.
        filter: String,
        /// The broker's reason.
        reason: Option<String>,
    },
    /// The broker refused a connection, for this reason.
    ConnectionRefused(String),
    /// No broker answered at the URL.
    Unreachable {
        /// The URL.
        url: String,
        /// What the browser said, if anything.
        detail: Option<String>,
    },
    /// The subscriber's session would not subscribe.
    SubscribeFailed(String),
}

impl LiveFailure {
    /// The problem in words, in `locale`.
    pub fn text_in(&self, locale: Locale) -> String {
        match self {
            LiveFailure::SubscriptionRefused { filter, reason } => {
                let reason = reason
                    .as_deref()
                    .unwrap_or_else(|| td_string!(locale, lab.errors.no_answer));
                td_string!(locale, lab.errors.subscription_refused, filter, reason).to_string()
            }
            LiveFailure::ConnectionRefused(reason) => {
                td_string!(locale, lab.errors.connection_refused, reason).to_string()
            }
            LiveFailure::Unreachable { url, detail: None } => {
                td_string!(locale, lab.errors.unreachable, url).to_string()
            }
            LiveFailure::Unreachable {
                url,
                detail: Some(detail),
            } => td_string!(locale, lab.errors.unreachable_detail, url, detail).to_string(),
            LiveFailure::SubscribeFailed(why) => {
                td_string!(locale, lab.errors.subscribe_failed, why).to_string()
            }
        }
    }
}

/// Hands the page each change of state.
pub type OnLabChange = Rc<dyn Fn(LiveLabState)>;

struct Clients {
    publisher: Link,
    subscriber: Link,
}

struct Live {
    runner: LabRunner,
    clients: Option<Clients>,
    version: ProtocolVersion,
    url: String,
    ids: (String, String),
    subscribed: bool,
    timer: Option<Timeout>,
    /// The timer whose callback runs (or last ran): a closure must not be
    /// dropped while it runs, so it is kept until the next one fires.
    spent_timer: Option<Timeout>,
    on_change: OnLabChange,
    last_shown: Option<Progress>,
    over: bool,
}

type Queue = Rc<RefCell<Vec<(Role, LinkUpdate, f64)>>>;

/// A live lab run; dropping it does not stop it: call [`LiveLab::stop`].
#[derive(Clone)]
pub struct LiveLab {
    live: Rc<RefCell<Live>>,
    queue: Queue,
}

impl LiveLab {
    /// Connects a publisher and a subscriber to `url` with `base`'s settings
    /// (version, credentials, window) and measures `plan`.
    pub fn start(url: &str, base: SessionConfig, plan: LabPlan, on_change: OnLabChange) -> Self {
        let tag = format!("{:06x}", (random() * f64::from(0xFF_FFFF)) as u32);
        let ids = (
            format!("qoscope-lab-pub-{tag}"),
            format!("qoscope-lab-sub-{tag}"),
        );
        let version = base.version;
        let live = Rc::new(RefCell::new(Live {
            runner: LabRunner::new(plan, &format!("qoscope/lab/{tag}")),
            clients: None,
            version,
            url: url.trim().to_string(),
            ids: ids.clone(),
            subscribed: false,
            timer: None,
            spent_timer: None,
            on_change: on_change.clone(),
            last_shown: None,
            over: false,
        }));
        let queue: Queue = Rc::new(RefCell::new(Vec::new()));
        let lab = LiveLab { live, queue };
        on_change(LiveLabState::SettingUp);
        let publisher = Link::connect_with_faults(
            url,
            lab_client_config(base.clone(), &ids.0),
            lab.notify(Role::Publisher),
        );
        let subscriber = Link::connect_with_faults(
            url,
            lab_client_config(base, &ids.1),
            lab.notify(Role::Subscriber),
        );
        lab.live.borrow_mut().clients = Some(Clients {
            publisher,
            subscriber,
        });
        lab.tick();
        lab
    }

    /// The topic the publisher uses at `qos` (for the page's explanations).
    pub fn topic(&self, qos: QoS) -> String {
        self.live.borrow().runner.topic(qos)
    }

    /// The levels measured so far.
    pub fn results(&self) -> Vec<crate::app::lab::record::LevelResult> {
        self.live.borrow().runner.results().to_vec()
    }

    /// The run's workload.
    pub fn plan(&self) -> LabPlan {
        self.live.borrow().runner.plan().clone()
    }

    /// The broker URL and protocol version.
    pub fn target(&self) -> (String, ProtocolVersion) {
        let live = self.live.borrow();
        (live.url.clone(), live.version)
    }

    /// Stops now; the level that runs is kept as far as it got.
    pub fn stop(&self) {
        let Ok(mut live) = self.live.try_borrow_mut() else {
            return;
        };
        live.runner.stop(precise_ms());
        drop(live);
        self.tick();
    }

    fn notify(&self, role: Role) -> Rc<dyn Fn(Vec<LinkUpdate>)> {
        let queue = Rc::downgrade(&self.queue);
        let live = Rc::downgrade(&self.live);
        Rc::new(move |updates: Vec<LinkUpdate>| {
            let at = precise_ms();
            let Some(q) = queue.upgrade() else { return };
            q.borrow_mut()
                .extend(updates.into_iter().map(|u| (role, u, at)));
            if let Some(live) = live.upgrade() {
                LiveLab { live, queue: q }.tick();
            }
        })
    }

    /// Observes what the links reported, then lets the runner act, until
    /// nothing new came in; schedules the next wakeup. A no-op while the
    /// runner is busy (the busy call drains the queue itself).
    fn tick(&self) {
        let Ok(mut live) = self.live.try_borrow_mut() else {
            return;
        };
        if live.over {
            return;
        }
        loop {
            let updates = std::mem::take(&mut *self.queue.borrow_mut());
            for (role, update, at) in updates {
                live.observe(role, update, at);
            }
            if live.subscribed {
                let Live {
                    runner, clients, ..
                } = &mut *live;
                if let Some(clients) = clients.as_ref() {
                    runner.poll(&mut LiveDriver { clients });
                }
            }
            if self.queue.borrow().is_empty() {
                break;
            }
        }
        live.report();
        if live.runner.phase() != Phase::Running {
            live.finish();
            return;
        }
        let wake = {
            let Live {
                runner, clients, ..
            } = &*live;
            clients
                .as_ref()
                .and_then(|clients| runner.next_wakeup(precise_ms(), &LiveDriver { clients }))
        };
        live.timer = wake.map(|at| {
            let lab = Rc::downgrade(&self.live);
            let queue = Rc::downgrade(&self.queue);
            let delay = (at - precise_ms()).clamp(0.0, 60_000.0).ceil() as u32;
            Timeout::new(delay, move || {
                if let (Some(live), Some(queue)) = (lab.upgrade(), queue.upgrade()) {
                    if let Ok(mut l) = live.try_borrow_mut() {
                        l.spent_timer = l.timer.take();
                    }
                    LiveLab { live, queue }.tick();
                }
            })
        });
    }
}

impl Live {
    fn observe(&mut self, role: Role, update: LinkUpdate, at: f64) {
        match update {
            LinkUpdate::Session(event) => {
                match &event.kind {
                    EventKind::Connected { .. } if role == Role::Subscriber && !self.subscribed => {
                        self.subscribe();
                    }
                    EventKind::Subscribed { results, .. } if !self.subscribed => {
                        match results.first().and_then(|r| r.granted.map(|_| ())) {
                            Some(()) => self.subscribed = true,
                            None => self.fail(LiveFailure::SubscriptionRefused {
                                filter: self.runner.filter(),
                                reason: results.first().map(|r| r.reason.clone()),
                            }),
                        }
                    }
                    EventKind::ConnectionRefused { reason, .. } => {
                        self.fail(LiveFailure::ConnectionRefused(reason.to_string()))
                    }
                    _ => {}
                }
                self.runner.observe(role, &event.kind, at, true);
            }
            LinkUpdate::Dropped {
                direction: crate::mqtt::fault::Direction::BrokerToClient,
                packet,
                bytes,
                ..
            } => self
                .runner
                .count_packet(role, packet.packet_type(), bytes.len()),
            LinkUpdate::Transport {
                event: TransportEvent::Unreachable { url, detail },
                ..
            } if !self.subscribed => self.fail(LiveFailure::Unreachable { url, detail }),
            _ => {}
        }
    }

    fn subscribe(&mut self) {
        let Some(clients) = self.clients.as_ref() else {
            return;
        };
        let filter = SubscribeFilter {
            filter: self.runner.filter(),
            qos: QoS::ExactlyOnce,
            ..SubscribeFilter::default()
        };
        if let Err(e) = clients.subscriber.subscribe(vec![filter]) {
            self.fail(LiveFailure::SubscribeFailed(e.to_string()));
            return;
        }
        let plan = self.runner.plan();
        let rules = publisher_rules(plan.faults, plan.seed);
        clients.publisher.with_faults(|r| *r = rules);
    }

    fn fail(&mut self, why: LiveFailure) {
        if self.over {
            return;
        }
        self.runner.stop(precise_ms());
        self.close();
        (self.on_change)(LiveLabState::Failed(why));
    }

    fn report(&mut self) {
        if self.over || self.runner.phase() != Phase::Running {
            return;
        }
        let progress = self.runner.progress();
        // Coarse enough not to flood the page: every 1 % of a level.
        let step = (self.runner.plan().messages / 100).max(1);
        let moved = match (self.last_shown, progress) {
            (Some(a), Some(b)) => {
                a.qos != b.qos
                    || b.delivered / step != a.delivered / step
                    || b.published / step != a.published / step
            }
            (a, b) => a.is_some() != b.is_some(),
        };
        if moved || self.last_shown.is_none() && !self.subscribed {
            self.last_shown = progress;
            (self.on_change)(LiveLabState::Running(progress));
        }
    }

    fn finish(&mut self) {
        if self.over {
            return;
        }
        self.close();
        (self.on_change)(LiveLabState::Done);
    }

    /// Ends both sessions on the broker too: the lab leaves nothing behind.
    fn close(&mut self) {
        self.over = true;
        self.timer = None;
        let Some(clients) = self.clients.take() else {
            return;
        };
        for (link, id) in [
            (clients.publisher, self.ids.0.clone()),
            (clients.subscriber, self.ids.1.clone()),
        ] {
            match self.version {
                ProtocolVersion::V5 => link.disconnect_with(DisconnectRequest {
                    session_expiry_secs: Some(0),
                    ..DisconnectRequest::default()
                }),
                ProtocolVersion::V311 => {
                    link.disconnect();
                    forget_session(&self.url, self.version, &id);
                }
            }
        }
    }
}

/// Connects once with Clean Session and disconnects, so a 3.1.1 broker
/// drops the persistent session the lab used (3.1.1 has no expiry).
fn forget_session(url: &str, version: ProtocolVersion, client_id: &str) {
    let config = SessionConfig {
        version,
        client_id: client_id.to_string(),
        clean_start: true,
        ..SessionConfig::default()
    };
    let slot: Rc<RefCell<Option<Link>>> = Rc::new(RefCell::new(None));
    let weak: Weak<RefCell<Option<Link>>> = Rc::downgrade(&slot);
    let notify = Rc::new(move |updates: Vec<LinkUpdate>| {
        let connected = updates.iter().any(|u| {
            matches!(u, LinkUpdate::Session(e) if matches!(e.kind, EventKind::Connected { .. }))
        });
        let ended = updates.iter().any(|u| {
            matches!(
                u,
                LinkUpdate::Transport {
                    event: TransportEvent::Closed
                        | TransportEvent::Unreachable { .. }
                        | TransportEvent::Lost { .. },
                    ..
                }
            )
        });
        let Some(slot) = weak.upgrade() else { return };
        if connected {
            if let Some(link) = slot.borrow().clone() {
                link.disconnect();
            }
        }
        if ended || connected {
            // The link keeps itself alive while its socket is open; let go.
            slot.borrow_mut().take();
        }
    });
    let link = Link::connect(url, Session::new(config), notify, None);
    if link.state() != ConnectionState::Disconnected {
        slot.borrow_mut().replace(link);
    }
}

struct LiveDriver<'a> {
    clients: &'a Clients,
}

impl LabDriver for LiveDriver<'_> {
    fn now(&self) -> f64 {
        precise_ms()
    }

    fn publisher_connected(&self) -> bool {
        self.clients.publisher.state() == ConnectionState::Connected
    }

    fn publisher_has_room(&self) -> bool {
        self.clients.publisher.has_room()
    }

    fn publish(&mut self, request: PublishRequest) -> Result<Option<u16>, CommandError> {
        self.clients.publisher.publish(request)
    }

    fn cut(&mut self, role: Role) {
        let link = self.link(role);
        link.cut(false);
        link.reconnect_now();
    }

    fn reconnect(&mut self, role: Role) {
        self.cut(role);
    }

    fn framing(&self) -> Option<Framing> {
        let (a, b) = (
            self.clients.publisher.frame_stats(),
            self.clients.subscriber.frame_stats(),
        );
        Some(Framing {
            frames: a.frames + b.frames,
            header_bytes: a.header_bytes + b.header_bytes,
        })
    }
}

impl LiveDriver<'_> {
    fn link(&self, role: Role) -> &Link {
        match role {
            Role::Publisher => &self.clients.publisher,
            Role::Subscriber => &self.clients.subscriber,
        }
    }
}
