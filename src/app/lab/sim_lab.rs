//! The lab on the simulated broker: the same [`LabRunner`] on a [`Sim`], in
//! virtual time. Packets and bytes are the codec's own, exactly as live;
//! times come from the simulated links' delays, so they show the shape of
//! each level's cost, not this network's.

use crate::mqtt::broker::BrokerConfig;
use crate::mqtt::fault::{FaultRules, Loss, SplitMix64};
use crate::mqtt::packet::{ProtocolVersion, QoS, SubscribeFilter};
use crate::mqtt::session::{
    CommandError, ConnectionState, PublishRequest, RetryPolicy, SessionConfig,
};
use crate::mqtt::sim::{LinkConfig, Node, Sim, SimEventKind};

use super::plan::{FaultProfile, LabPlan};
use super::runner::{LabDriver, LabRunner, Phase, Role};

/// Client index of the publisher.
const PUBLISHER: usize = 0;
/// Client index of the subscriber.
const SUBSCRIBER: usize = 1;
/// How long a 3.1.1 publisher waits for an acknowledgement before resending
/// on the same connection (MQTT 5 resends only after a reconnect).
pub const RESEND_AFTER_MS: u64 = 250;
/// The topic prefix of a simulated run.
pub const SIM_TOPIC_PREFIX: &str = "qoscope/lab/sim";

/// The session settings of a lab client, live or simulated: `base` (the
/// connection form's version, credentials, window) with what the lab needs.
pub fn lab_client_config(base: SessionConfig, client_id: &str) -> SessionConfig {
    let version = base.version;
    SessionConfig {
        client_id: client_id.to_string(),
        // Reconnects (cuts, stalls) keep the session, as QoS 1 and 2 need.
        clean_start: false,
        session_expiry_secs: Some(300),
        retry: match version {
            ProtocolVersion::V311 => RetryPolicy::OnTimeout {
                interval_ms: RESEND_AFTER_MS,
            },
            ProtocolVersion::V5 => RetryPolicy::OnReconnect,
        },
        // Every PUBLISH carries its topic, so bytes compare across levels
        // and a lost PUBLISH never took an alias with it.
        assign_topic_aliases: false,
        will: None,
        ..base
    }
}

/// The fault rules of the publisher's link under `profile` (random loss; a
/// cut is the runner's).
pub fn publisher_rules(profile: FaultProfile, seed: u64) -> FaultRules {
    match profile.loss_percent() {
        Some(percent) => FaultRules {
            loss: Loss {
                probability: f64::from(percent) / 100.0,
                direction: None,
                spare_control_packets: true,
            },
            rng: SplitMix64::new(seed),
            ..FaultRules::default()
        },
        None => FaultRules::none(),
    }
}

/// A lab run on the simulation.
#[derive(Debug)]
pub struct SimLab {
    sim: Sim,
    runner: LabRunner,
    one_way_ms: u64,
}

struct SimDriver<'a> {
    sim: &'a mut Sim,
}

impl LabDriver for SimDriver<'_> {
    fn now(&self) -> f64 {
        self.sim.now() as f64
    }

    fn publisher_connected(&self) -> bool {
        self.sim.session(PUBLISHER).state() == ConnectionState::Connected
    }

    fn publisher_has_room(&self) -> bool {
        self.sim.session(PUBLISHER).has_room()
    }

    fn publish(&mut self, request: PublishRequest) -> Result<Option<u16>, CommandError> {
        self.sim.publish(PUBLISHER, request)
    }

    fn cut(&mut self, role: Role) {
        let client = index(role);
        self.sim.cut(client);
        self.sim.connect(client);
    }

    fn reconnect(&mut self, role: Role) {
        self.cut(role);
    }
}

fn index(role: Role) -> usize {
    match role {
        Role::Publisher => PUBLISHER,
        Role::Subscriber => SUBSCRIBER,
    }
}

fn role(client: usize) -> Role {
    if client == PUBLISHER {
        Role::Publisher
    } else {
        Role::Subscriber
    }
}

impl SimLab {
    /// Both clients connected over links of `one_way_ms` each way, the
    /// subscriber subscribed at QoS 2, ready to measure `plan`.
    pub fn new(plan: LabPlan, version: ProtocolVersion, one_way_ms: u64) -> Self {
        let mut sim = Sim::new(BrokerConfig::default());
        let link = LinkConfig::symmetric(one_way_ms);
        let base = SessionConfig {
            version,
            ..SessionConfig::default()
        };
        sim.add_client(lab_client_config(base.clone(), "lab-publisher"), link);
        sim.add_client(lab_client_config(base, "lab-subscriber"), link);
        let runner = LabRunner::new(plan, SIM_TOPIC_PREFIX);
        sim.connect(PUBLISHER);
        sim.connect(SUBSCRIBER);
        let filter = SubscribeFilter {
            filter: runner.filter(),
            qos: QoS::ExactlyOnce,
            ..SubscribeFilter::default()
        };
        sim.run_until_idle();
        let _ = sim.subscribe(SUBSCRIBER, vec![filter]);
        sim.run_until_idle();
        *sim.faults_mut(PUBLISHER) = publisher_rules(runner.plan().faults, runner.plan().seed);
        sim.take_log();
        SimLab {
            sim,
            runner,
            one_way_ms,
        }
    }

    /// The runner (results, progress, phase).
    pub fn runner(&self) -> &LabRunner {
        &self.runner
    }

    /// Takes the runner, for its results.
    pub fn into_runner(self) -> LabRunner {
        self.runner
    }

    /// The simulated links' one-way delay.
    pub fn one_way_ms(&self) -> u64 {
        self.one_way_ms
    }

    /// Stops the run where it is.
    pub fn stop(&mut self) {
        self.runner.stop(self.sim.now() as f64);
    }

    /// Runs up to `max_steps` steps of virtual time; true once the run is
    /// over (finished or stopped).
    pub fn advance(&mut self, max_steps: usize) -> bool {
        for _ in 0..max_steps {
            self.runner.poll(&mut SimDriver { sim: &mut self.sim });
            self.drain();
            if self.runner.phase() != Phase::Running {
                return true;
            }
            let now = self.sim.now() as f64;
            let driver = SimDriver { sim: &mut self.sim };
            let wake = self.runner.next_wakeup(now, &driver);
            match (self.sim.next_deadline(), wake) {
                (Some(next), Some(wake)) if (next as f64) <= wake => {
                    self.sim.step();
                }
                (_, Some(wake)) if wake > now => {
                    self.sim.run_until(wake.ceil() as u64);
                }
                (_, Some(_)) => {}
                (Some(_), None) => {
                    self.sim.step();
                }
                (None, None) => {
                    self.stop();
                    return true;
                }
            }
            self.drain();
        }
        self.runner.phase() != Phase::Running
    }

    /// Runs to the end.
    pub fn run_to_end(&mut self) {
        while !self.advance(10_000) {}
    }

    fn drain(&mut self) {
        for entry in self.sim.take_log() {
            let at = entry.at as f64;
            match entry.kind {
                SimEventKind::Session { client, event } => {
                    self.runner.observe(role(client), &event, at, false)
                }
                SimEventKind::Wire(wire) => {
                    let client = match (wire.from, wire.to) {
                        (Node::Client(c), _) | (_, Node::Client(c)) => c,
                        _ => continue,
                    };
                    self.runner.count_packet(
                        role(client),
                        wire.packet.packet_type(),
                        wire.bytes.len(),
                    );
                }
                _ => {}
            }
        }
    }
}
