//! Running guided scenarios on the simulation: a publisher session, a
//! subscriber session and the simulated broker, in virtual time.
//!
//! [`SimPerformer`] is the [`StepPerformer`] for offline mode. Each step arms
//! its faults on the links, performs its action, lets virtual time run for a
//! bounded while (so a retry timer fires in the step that explains it, not
//! earlier) and appends the resulting trace to a [`SimTranscript`].

use crate::mqtt::broker::BrokerConfig;
use crate::mqtt::packet::{PacketType, QoS, SubscribeFilter};
use crate::mqtt::session::{PublishRequest, SessionConfig};
use crate::mqtt::sim::{LinkConfig, Sim, SimEvent};

use super::faults::{apply_to_rules, FaultIntent, Hop};
use super::model::{Caption, DiagramEvent, Lane, SETUP_MARKER};
use super::scenario::{Action, Setup, Step, StepPerformer};
use super::sim_trace::{DropUsed, SimTranscript};
use super::words;
use crate::i18n::{td_string, Locale};

/// Client index of the publisher in the simulation.
pub const PUBLISHER: usize = 0;
/// Client index of the subscriber.
pub const SUBSCRIBER: usize = 1;
/// Virtual time an action is given to play out: several round trips, but
/// less than the 1 s retry interval, so the retry belongs to the next step.
pub const ACTION_MS: u64 = 600;
/// Spacing of the messages of [`Action::PublishMany`].
pub const MANY_SPACING_MS: u64 = 120;

/// Scenario steps carried out on a fresh [`Sim`].
#[derive(Debug)]
pub struct SimPerformer {
    sim: Option<Sim>,
    transcript: SimTranscript,
    setup: Option<Setup>,
    used: Vec<DropUsed>,
    steps_done: usize,
    /// The whole merged log, when asked to keep it ([`SimPerformer::keeping_log`]).
    kept: Option<Vec<SimEvent>>,
}

impl Default for SimPerformer {
    fn default() -> Self {
        SimPerformer::new()
    }
}

impl SimPerformer {
    /// A performer with no run yet.
    pub fn new() -> Self {
        SimPerformer {
            sim: None,
            transcript: SimTranscript::new(lanes(), Default::default()),
            setup: None,
            used: Vec::new(),
            steps_done: 0,
            kept: None,
        }
    }

    /// A performer that also keeps the simulation's whole merged log, to
    /// draw it again another way (the live-mode check of `tests/`).
    pub fn keeping_log() -> Self {
        SimPerformer {
            kept: Some(Vec::new()),
            ..SimPerformer::new()
        }
    }

    /// The merged log kept so far (empty unless made [`SimPerformer::keeping_log`]).
    pub fn log(&self) -> &[SimEvent] {
        self.kept.as_deref().unwrap_or_default()
    }

    /// The diagram of the current run.
    pub fn events(&self) -> &[DiagramEvent] {
        self.transcript.events()
    }

    /// One-shot drops that fired since the last call, as (packet, hop).
    pub fn take_used_drops(&mut self) -> Vec<(PacketType, Hop)> {
        self.used
            .drain(..)
            .map(|(kind, client)| (kind, hop_of(client)))
            .collect()
    }

    /// The simulation, for reading the broker's tables.
    pub fn sim(&self) -> Option<&Sim> {
        self.sim.as_ref()
    }

    /// Apply a fault from the panel between steps (no scenario step needed).
    pub fn apply_fault(&mut self, intent: FaultIntent) {
        let Some(sim) = self.sim.as_mut() else { return };
        let clients = match intent {
            FaultIntent::DropNext { hop, .. } | FaultIntent::CutConnection { hop } => {
                vec![client_of(hop)]
            }
            FaultIntent::LossPercent(_) | FaultIntent::LatencyMs(_) => vec![PUBLISHER, SUBSCRIBER],
        };
        for client in clients {
            if apply_to_rules(intent, sim.faults_mut(client)) {
                sim.cut(client);
            }
        }
        self.record();
    }

    /// Publish one message at `qos` now (free play between or without
    /// scenarios), starting a plain run first if none is going. Returns true
    /// when it had to start one.
    pub fn publish_now(&mut self, qos: QoS) -> bool {
        let fresh = self.sim.is_none();
        if fresh {
            self.start(&free_play_setup());
        }
        let now = self.sim.as_ref().map_or(0, Sim::now);
        let said = |locale: Locale| {
            td_string!(locale, visualiser.caption.publish, qos = qos.as_u8()).to_string()
        };
        self.transcript.push(caption(
            now,
            td_string!(Locale::en, visualiser.marker.free_play).into(),
            said(Locale::en),
            said(Locale::zh_CN),
        ));
        let topic = self.setup.as_ref().map_or_else(
            || FREE_PLAY_TOPIC.to_string(),
            |s| s.filter.replace(['#', '+'], "demo"),
        );
        self.act(&Action::Publish {
            topic,
            payload: format!("hello at QoS {}", qos.as_u8()),
            qos,
        });
        self.record();
        fresh
    }

    fn record(&mut self) {
        if let Some(sim) = self.sim.as_mut() {
            let log = sim.take_log();
            let used = self.transcript.extend(&log);
            self.used.extend(used);
            if let Some(kept) = self.kept.as_mut() {
                kept.extend(log);
            }
        }
    }

    fn act(&mut self, action: &Action) {
        let Some(sim) = self.sim.as_mut() else { return };
        match action {
            Action::Publish {
                topic,
                payload,
                qos,
            } => {
                // A refused publish (not connected) shows as nothing sent.
                let _ = sim.publish(PUBLISHER, request(topic, payload.clone(), *qos));
                sim.run_for(ACTION_MS);
            }
            Action::PublishMany {
                topic,
                payload,
                qos,
                count,
            } => {
                for n in 1..=*count {
                    let _ = sim.publish(PUBLISHER, request(topic, format!("{payload}{n}"), *qos));
                    sim.run_for(MANY_SPACING_MS);
                }
                sim.run_for(ACTION_MS);
            }
            Action::CutConnection => {
                sim.cut(PUBLISHER);
                sim.run_for(ACTION_MS / 2);
            }
            Action::Reconnect => {
                let now = sim.now();
                sim.reconnect(PUBLISHER, now);
                sim.run_for(ACTION_MS);
            }
            Action::Wait { ms } => {
                sim.run_for(*ms);
            }
        }
    }
}

impl StepPerformer for SimPerformer {
    fn start(&mut self, setup: &Setup) {
        let mut sim = Sim::new(BrokerConfig::default());
        let link = LinkConfig::symmetric(u64::from(setup.latency_ms));
        sim.add_client(client_config("publisher", setup), link);
        sim.add_client(client_config("subscriber", setup), link);
        self.transcript = SimTranscript::new(lanes(), setup.version);
        if let Some(kept) = self.kept.as_mut() {
            kept.clear();
        }
        self.transcript.push(caption(
            sim.now(),
            SETUP_MARKER.into(),
            setup_caption(Locale::en, setup),
            setup_caption(Locale::zh_CN, setup),
        ));
        sim.connect(PUBLISHER);
        sim.connect(SUBSCRIBER);
        sim.run_for(ACTION_MS / 2);
        let filter = SubscribeFilter {
            filter: setup.filter.clone(),
            qos: setup.subscribe_qos,
            ..Default::default()
        };
        let _ = sim.subscribe(SUBSCRIBER, vec![filter]);
        sim.run_for(ACTION_MS / 2);
        self.sim = Some(sim);
        self.setup = Some(setup.clone());
        self.used.clear();
        self.steps_done = 0;
        self.record();
    }

    fn perform(&mut self, step: &Step) {
        let Some(now) = self.sim.as_ref().map(Sim::now) else {
            return;
        };
        self.transcript.push(caption(
            now,
            words::step_in(self.steps_done + 1, Locale::en),
            step.explain.clone(),
            step.explain_zh.clone(),
        ));
        self.steps_done += 1;
        for intent in &step.arm {
            self.apply_fault(*intent);
        }
        self.act(&step.action);
        self.record();
    }
}

/// The set-up caption of a simulated run in `locale`.
fn setup_caption(locale: Locale, setup: &Setup) -> String {
    td_string!(
        locale,
        visualiser.caption.setup_sim,
        filter = &setup.filter,
        qos = setup.subscribe_qos.as_u8()
    )
    .to_string()
}

/// Topic of free-play messages.
pub const FREE_PLAY_TOPIC: &str = "demo/qos";

/// Free play: the subscriber takes everything at QoS 2, so what arrives is
/// what was published.
pub fn free_play_setup() -> Setup {
    Setup {
        version: crate::mqtt::packet::ProtocolVersion::V311,
        retry: crate::mqtt::session::RetryPolicy::OnTimeout { interval_ms: 1000 },
        filter: FREE_PLAY_TOPIC.into(),
        subscribe_qos: QoS::ExactlyOnce,
        latency_ms: 40,
    }
}

/// Client 0 publishes, client 1 subscribes.
fn lanes() -> Vec<Lane> {
    vec![Lane::Publisher, Lane::Subscriber]
}

fn client_of(hop: Hop) -> usize {
    match hop {
        Hop::PublisherBroker => PUBLISHER,
        Hop::BrokerSubscriber => SUBSCRIBER,
    }
}

fn hop_of(client: usize) -> Hop {
    if client == PUBLISHER {
        Hop::PublisherBroker
    } else {
        Hop::BrokerSubscriber
    }
}

/// Both clients keep their session across a reconnect (clean start off), so
/// the reconnect scenario shows the resend of MQTT-4.4.0-1; keep-alive is off
/// so no PINGREQ clutters the diagram.
fn client_config(client_id: &str, setup: &Setup) -> SessionConfig {
    SessionConfig {
        version: setup.version,
        client_id: client_id.into(),
        clean_start: false,
        keep_alive_secs: 0,
        session_expiry_secs: Some(3600),
        retry: setup.retry,
        // Faults drop packets here too: no alias a lost PUBLISH would set.
        assign_topic_aliases: false,
        ..SessionConfig::default()
    }
}

/// A plain publish request (scenario steps, free play; both modes).
pub(super) fn request(topic: &str, payload: String, qos: QoS) -> PublishRequest {
    PublishRequest {
        topic: topic.into(),
        payload: payload.into_bytes(),
        qos,
        ..PublishRequest::default()
    }
}

/// A step caption with its marker (both modes).
pub(super) fn caption(at: u64, label: String, text: String, text_zh: String) -> DiagramEvent {
    DiagramEvent::Caption(Caption {
        at,
        text,
        text_zh: Some(text_zh),
        label: Some(label),
    })
}
