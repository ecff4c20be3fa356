//! The lab's orchestration, the same against a real broker and on the
//! simulation: it decides when to publish (the rate, the in-flight window),
//! when the fault profile cuts a link, when a stalled client must reconnect,
//! and when a level is over. A [`LabDriver`] carries its decisions out; the
//! events of both clients come back through [`LabRunner::observe`].

use crate::mqtt::packet::{PacketType, QoS};
use crate::mqtt::session::{CommandError, EventKind, PublishRequest};

use super::plan::{payload, LabPlan, Rate};
use super::record::{Framing, Hop, LevelRecorder, LevelResult, LevelStatus};

/// The most messages one [`LabRunner::poll`] publishes, so a page stays
/// responsive while the lab runs as fast as it can.
pub const PUBLISH_BATCH: u32 = 200;
/// A QoS 0 level ends once nothing arrived for this long after its last publish.
pub const QUIET_MS: f64 = 500.0;
/// With messages outstanding and nothing moving for this long, the stalled
/// client reconnects, so its session resends (all MQTT 5 allows).
pub const STALL_MS: f64 = 1_500.0;
/// With nothing moving for this long, the level ends, and what has not
/// arrived is counted lost.
pub const GIVE_UP_MS: f64 = 15_000.0;
/// At "as fast as allowed", this many messages go first, one at a time, for
/// the unloaded latency (at most a quarter of the level).
pub const PROBE_MESSAGES: u32 = 25;
/// A probe message (QoS 0) that has not arrived after this long is lost:
/// the next one goes.
pub const PROBE_WAIT_MS: f64 = 250.0;

/// How many messages of `plan` go one at a time first.
pub fn probe_count(plan: &LabPlan) -> u32 {
    match plan.rate {
        Rate::Max => PROBE_MESSAGES.min(plan.messages / 4),
        Rate::PerSecond(_) => 0,
    }
}

/// One of the lab's two clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Publishes the workload.
    Publisher,
    /// Subscribes to it.
    Subscriber,
}

impl Role {
    /// The hop this client is on.
    pub fn hop(self) -> Hop {
        match self {
            Role::Publisher => Hop::Publisher,
            Role::Subscriber => Hop::Subscriber,
        }
    }
}

/// What the runner needs of the two clients.
pub trait LabDriver {
    /// The runner's clock, in milliseconds (fractions allowed).
    fn now(&self) -> f64;
    /// The publisher's connection is up (CONNACK received).
    fn publisher_connected(&self) -> bool;
    /// The publisher's session would send a new QoS 1/2 message at once:
    /// nothing is queued behind its in-flight window.
    fn publisher_has_room(&self) -> bool;
    /// Hands a message to the publisher's session.
    fn publish(&mut self, request: PublishRequest) -> Result<Option<u16>, CommandError>;
    /// Cuts a client's connection; it reconnects by itself.
    fn cut(&mut self, role: Role);
    /// Closes and reopens a client's connection now.
    fn reconnect(&mut self, role: Role);
    /// WebSocket frames both clients sent and received so far (live only).
    fn framing(&self) -> Option<Framing> {
        None
    }
}

/// Where a run is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Measuring `results().len()`-th level.
    Running,
    /// Every level measured.
    Finished,
    /// Stopped by the user.
    Stopped,
}

/// Progress of the level that runs: for the progress bars.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Progress {
    /// The level.
    pub qos: QoS,
    /// Messages handed to the publisher.
    pub published: u32,
    /// Messages the subscriber has.
    pub delivered: u32,
    /// Messages planned.
    pub planned: u32,
}

/// One lab run, level after level.
#[derive(Debug)]
pub struct LabRunner {
    plan: LabPlan,
    topic_prefix: String,
    results: Vec<LevelResult>,
    recorder: Option<LevelRecorder>,
    framing_at_start: Option<Framing>,
    next_seq: u32,
    level_started_at: f64,
    next_cut_at: Option<f64>,
    cut_publisher_next: bool,
    /// When the stall watchdog last reconnected a client.
    nudged_at: f64,
    phase: Phase,
}

impl LabRunner {
    /// A run of `plan`, publishing to `<topic_prefix>/q0`, `/q1`, `/q2`
    /// (the subscriber subscribes to `<topic_prefix>/#` at QoS 2).
    pub fn new(plan: LabPlan, topic_prefix: &str) -> Self {
        LabRunner {
            plan,
            topic_prefix: topic_prefix.trim_end_matches('/').to_string(),
            results: Vec::new(),
            recorder: None,
            framing_at_start: None,
            next_seq: 0,
            level_started_at: 0.0,
            next_cut_at: None,
            cut_publisher_next: true,
            nudged_at: f64::NEG_INFINITY,
            phase: Phase::Running,
        }
    }

    /// The plan.
    pub fn plan(&self) -> &LabPlan {
        &self.plan
    }

    /// The filter the subscriber subscribes to.
    pub fn filter(&self) -> String {
        format!("{}/#", self.topic_prefix)
    }

    /// The topic of one level: the same length at every level, so their
    /// bytes compare.
    pub fn topic(&self, qos: QoS) -> String {
        format!("{}/q{}", self.topic_prefix, qos.as_u8())
    }

    /// Where the run is.
    pub fn phase(&self) -> Phase {
        self.phase
    }

    /// The levels measured so far.
    pub fn results(&self) -> &[LevelResult] {
        &self.results
    }

    /// Takes the measured levels (at the end of a run).
    pub fn into_results(self) -> Vec<LevelResult> {
        self.results
    }

    /// The level that runs now, and how far it is.
    pub fn progress(&self) -> Option<Progress> {
        self.recorder.as_ref().map(|r| Progress {
            qos: r.qos(),
            published: r.published_count(),
            delivered: r.delivered_count(),
            planned: self.plan.messages,
        })
    }

    /// Stops at once: the level that runs is measured as far as it got.
    pub fn stop(&mut self, now: f64) {
        if self.phase != Phase::Running {
            return;
        }
        if let Some(recorder) = self.recorder.take() {
            self.results
                .push(recorder.finish(now, LevelStatus::Stopped));
        }
        self.phase = Phase::Stopped;
    }

    /// An event of one client's session, at `at`. `count_packets`: take its
    /// sent and received packets as the hop's traffic (the live driver; the
    /// simulation counts the packets on its links with [`LabRunner::count_packet`]).
    pub fn observe(&mut self, role: Role, event: &EventKind, at: f64, count_packets: bool) {
        let Some(rec) = self.recorder.as_mut() else {
            return;
        };
        match event {
            EventKind::PacketSent { packet, bytes }
            | EventKind::PacketReceived { packet, bytes }
                if count_packets =>
            {
                rec.packet(role.hop(), packet.packet_type(), bytes.len());
            }
            EventKind::Retry { .. } => rec.retry(),
            EventKind::Flow {
                packet_id,
                direction,
                from,
                to,
                ..
            } => rec.flow(
                role == Role::Publisher,
                *direction,
                *packet_id,
                *from,
                *to,
                at,
            ),
            EventKind::Delivered { message } if role == Role::Subscriber => {
                rec.delivered(&message.payload, at)
            }
            EventKind::Connected {
                session_present: false,
                ..
            } if role == Role::Subscriber => rec.subscriber_reset(),
            _ => {}
        }
    }

    /// A packet crossed a hop (either way), counted where it travelled: a
    /// packet a fault rule lost on arrival, or one on a simulated link.
    pub fn count_packet(&mut self, role: Role, kind: PacketType, bytes: usize) {
        if let Some(rec) = self.recorder.as_mut() {
            rec.packet(role.hop(), kind, bytes);
        }
    }

    /// Does what is due now: ends a finished level and starts the next,
    /// cuts a link, reconnects a stalled client, publishes.
    pub fn poll(&mut self, driver: &mut dyn LabDriver) {
        if self.phase != Phase::Running {
            return;
        }
        let now = driver.now();
        if self.recorder.is_none() {
            if !driver.publisher_connected() {
                return;
            }
            self.start_level(now, driver);
        }
        if self.level_over(now) {
            self.end_level(now, driver);
            return;
        }
        self.fault(now, driver);
        self.publish(now, driver);
    }

    /// When [`LabRunner::poll`] next has something to do, if nothing
    /// arrives before: the next publish of a steady rate, the next cut, the
    /// quiet and stall deadlines. `None` when only an event can move it.
    pub fn next_wakeup(&self, now: f64, driver: &dyn LabDriver) -> Option<f64> {
        if self.phase != Phase::Running {
            return None;
        }
        let rec = self.recorder.as_ref()?;
        let mut due = rec.last_progress_at() + GIVE_UP_MS;
        if self.next_seq < self.plan.messages {
            let ready = driver.publisher_connected()
                && (rec.qos() == QoS::AtMostOnce || driver.publisher_has_room());
            let probing = self.next_seq < rec.probe();
            let next = match self.plan.rate {
                // A handshake's end is an event; a lost QoS 0 probe is a wait.
                Rate::Max if probing && rec.handshakes_open() => f64::INFINITY,
                Rate::Max if probing && !rec.probe_ready(now, PROBE_WAIT_MS) => {
                    rec.last_progress_at() + PROBE_WAIT_MS
                }
                Rate::Max if ready => now,
                Rate::Max => f64::INFINITY,
                Rate::PerSecond(rate) => {
                    self.level_started_at + f64::from(self.next_seq) * 1000.0 / f64::from(rate)
                }
            };
            due = due.min(next.max(now));
        } else if rec.qos() == QoS::AtMostOnce {
            due = due.min(rec.last_progress_at() + QUIET_MS);
        }
        due = due.min(rec.last_progress_at().max(self.nudged_at) + STALL_MS);
        if let Some(cut) = self.next_cut_at {
            due = due.min(cut);
        }
        Some(due.max(now))
    }

    fn current_qos(&self) -> QoS {
        self.plan.levels[self.results.len()]
    }

    fn start_level(&mut self, now: f64, driver: &mut dyn LabDriver) {
        self.recorder = Some(LevelRecorder::new(
            self.current_qos(),
            self.plan.messages,
            probe_count(&self.plan),
            now,
        ));
        self.framing_at_start = driver.framing();
        self.next_seq = 0;
        self.level_started_at = now;
        self.next_cut_at = self
            .plan
            .faults
            .cut_seconds()
            .map(|seconds| now + f64::from(seconds) * 1000.0);
    }

    fn level_over(&self, now: f64) -> bool {
        let Some(rec) = self.recorder.as_ref() else {
            return false;
        };
        let all_published = self.next_seq >= self.plan.messages;
        if rec.settled() || now - rec.last_progress_at() >= GIVE_UP_MS {
            return true;
        }
        all_published && rec.qos() == QoS::AtMostOnce && now - rec.last_progress_at() >= QUIET_MS
    }

    fn end_level(&mut self, now: f64, driver: &mut dyn LabDriver) {
        let Some(mut rec) = self.recorder.take() else {
            return;
        };
        if let (Some(start), Some(end)) = (self.framing_at_start, driver.framing()) {
            rec.framing(Framing {
                frames: end.frames - start.frames,
                header_bytes: end.header_bytes - start.header_bytes,
            });
        }
        let status = if rec.settled()
            || (rec.qos() == QoS::AtMostOnce && now - rec.last_progress_at() < GIVE_UP_MS)
        {
            LevelStatus::Complete
        } else {
            LevelStatus::TimedOut
        };
        // A QoS 0 level ends by going quiet: its end is its last movement.
        let end = if rec.qos() == QoS::AtMostOnce && !rec.settled() {
            rec.last_progress_at()
        } else {
            now
        };
        self.results.push(rec.finish(end, status));
        self.next_cut_at = None;
        if self.results.len() == self.plan.levels.len() {
            self.phase = Phase::Finished;
        } else if driver.publisher_connected() {
            self.start_level(now, driver);
        }
    }

    fn fault(&mut self, now: f64, driver: &mut dyn LabDriver) {
        if let Some(at) = self.next_cut_at.filter(|at| now >= *at) {
            let role = if self.cut_publisher_next {
                Role::Publisher
            } else {
                Role::Subscriber
            };
            self.cut_publisher_next = !self.cut_publisher_next;
            driver.cut(role);
            if let Some(rec) = self.recorder.as_mut() {
                rec.cut();
            }
            if let Some(seconds) = self.plan.faults.cut_seconds() {
                self.next_cut_at = Some(at.max(now - 1.0) + f64::from(seconds) * 1000.0);
            }
        }
        let Some(rec) = self.recorder.as_mut() else {
            return;
        };
        let quiet_since = rec.last_progress_at().max(self.nudged_at);
        if now - quiet_since < STALL_MS || rec.qos() == QoS::AtMostOnce {
            return;
        }
        // Something is stuck: the side that holds it reconnects, so its
        // session (or the broker's, for the subscriber) resends.
        if rec.publisher_in_flight() > 0 {
            driver.reconnect(Role::Publisher);
            rec.reconnected();
            self.nudged_at = now;
        } else if rec.published_count() > rec.delivered_count() || rec.subscriber_open() > 0 {
            driver.reconnect(Role::Subscriber);
            rec.reconnected();
            self.nudged_at = now;
        }
    }

    fn publish(&mut self, now: f64, driver: &mut dyn LabDriver) {
        let qos = self.current_qos();
        let due = match self.plan.rate {
            Rate::Max => self.plan.messages,
            Rate::PerSecond(rate) => {
                let elapsed = (now - self.level_started_at).max(0.0);
                ((elapsed * f64::from(rate) / 1000.0).floor() as u32 + 1).min(self.plan.messages)
            }
        };
        let limit = self.next_seq.saturating_add(PUBLISH_BATCH).min(due);
        while self.next_seq < limit {
            if self.plan.rate == Rate::Max
                && (!driver.publisher_connected()
                    || (qos != QoS::AtMostOnce && !driver.publisher_has_room()))
            {
                break;
            }
            let seq = self.next_seq;
            let probe = self.recorder.as_ref().map_or(0, |r| r.probe());
            if seq < probe
                && !self
                    .recorder
                    .as_ref()
                    .is_some_and(|r| r.probe_ready(now, PROBE_WAIT_MS))
            {
                break;
            }
            let request = PublishRequest {
                topic: self.topic(qos),
                payload: payload(qos, seq, self.plan.payload_bytes),
                qos,
                ..PublishRequest::default()
            };
            let at = driver.now();
            match driver.publish(request) {
                Ok(id) => self.recorded(seq, id, at),
                // Bounded: wait until the window frees a place.
                Err(CommandError::QueueFull { .. }) => break,
                // Refused (QoS 0 while disconnected): published, never sent,
                // so counted lost.
                Err(_) => self.recorded(seq, None, at),
            }
            self.next_seq += 1;
            if seq < probe {
                // One at a time: the next waits for this one's handshakes.
                break;
            }
        }
    }

    fn recorded(&mut self, seq: u32, id: Option<u16>, at: f64) {
        if let Some(rec) = self.recorder.as_mut() {
            rec.published(seq, id, at);
        }
    }
}
