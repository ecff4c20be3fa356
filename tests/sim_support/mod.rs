//! Shared set-up for the simulation tests: a publisher and a subscriber on the
//! simulated broker, and the wire trace as short readable lines.

#![allow(dead_code)] // each test file uses a different part

use qoscope::mqtt::broker::BrokerConfig;
use qoscope::mqtt::fault::{Direction, TargetedRule};
use qoscope::mqtt::packet::{Packet, PacketType, ProtocolVersion, QoS, SubscribeFilter};
use qoscope::mqtt::session::{Message, PublishRequest, RetryPolicy, SessionConfig};
use qoscope::mqtt::sim::{Fate, LinkConfig, Node, Sim, SimEventKind};

/// Client index of the publisher.
pub const PUBLISHER: usize = 0;
/// Client index of the subscriber.
pub const SUBSCRIBER: usize = 1;

/// How the two sessions and the broker are set up.
#[derive(Clone)]
pub struct Setup {
    pub version: ProtocolVersion,
    pub retry: RetryPolicy,
    pub subscription_qos: QoS,
    pub broker: BrokerConfig,
    /// Clean Start for both clients; false = persistent sessions.
    pub clean_start: bool,
}

impl Default for Setup {
    fn default() -> Self {
        Setup {
            version: ProtocolVersion::V311,
            retry: RetryPolicy::OnTimeout { interval_ms: 1000 },
            subscription_qos: QoS::ExactlyOnce,
            broker: BrokerConfig::default(),
            clean_start: false,
        }
    }
}

pub fn session_config(setup: &Setup, client_id: &str) -> SessionConfig {
    SessionConfig {
        version: setup.version,
        client_id: client_id.into(),
        clean_start: setup.clean_start,
        // No PINGREQ in the traces: the scenarios are about QoS flows.
        keep_alive_secs: 0,
        session_expiry_secs: (setup.version == ProtocolVersion::V5 && !setup.clean_start)
            .then_some(u32::MAX),
        retry: setup.retry,
        ..SessionConfig::default()
    }
}

/// Publisher and subscriber connected, subscribed to `alarms/#`, with the
/// log cleared: the trace starts at the first PUBLISH.
pub fn connected(setup: Setup) -> Sim {
    let mut sim = Sim::new(setup.broker.clone());
    let link = LinkConfig::symmetric(10);
    sim.add_client(session_config(&setup, "publisher"), link);
    sim.add_client(session_config(&setup, "subscriber"), link);
    sim.connect(PUBLISHER);
    sim.connect(SUBSCRIBER);
    sim.run_for(100);
    let filter = SubscribeFilter {
        filter: "alarms/#".into(),
        qos: setup.subscription_qos,
        ..SubscribeFilter::default()
    };
    sim.subscribe(SUBSCRIBER, vec![filter]).expect("subscribe");
    assert!(sim.run_until_idle(), "set-up settles");
    sim.take_log();
    sim
}

pub fn alarm(qos: QoS) -> PublishRequest {
    PublishRequest {
        topic: "alarms/fire".into(),
        payload: br#"{"alarm":"fire","zone":"A-12"}"#.to_vec(),
        qos,
        ..PublishRequest::default()
    }
}

/// Drop the next `packet` travelling `direction` on `client`'s link.
pub fn drop_next(sim: &mut Sim, client: usize, packet: PacketType, direction: Direction) {
    sim.faults_mut(client)
        .push(TargetedRule::drop_next(packet, direction));
}

fn node(n: Node) -> &'static str {
    match n {
        Node::Broker => "broker",
        Node::Client(PUBLISHER) => "pub",
        Node::Client(SUBSCRIBER) => "sub",
        Node::Client(_) => "client",
    }
}

/// One line per packet on the wire: "pub→broker PUBLISH q2 id1 dup", with
/// " ✗" when a fault dropped it. CONNECT/CONNACK/SUBSCRIBE/SUBACK included.
pub fn trace(sim: &Sim) -> Vec<String> {
    sim.wire()
        .map(|w| {
            let mut line = format!(
                "{}→{} {}",
                node(w.from),
                node(w.to),
                w.packet.packet_type().name()
            );
            if let Packet::Publish(p) = &w.packet {
                line += &format!(" q{}", p.qos.as_u8());
            }
            if let Some(id) = w.packet.packet_id() {
                line += &format!(" id{id}");
            }
            if matches!(&w.packet, Packet::Publish(p) if p.dup) {
                line += " dup";
            }
            if matches!(w.fate, Fate::Dropped { .. }) {
                line += " ✗";
            }
            line
        })
        .collect()
}

/// The wire trace of one hop only (packets to or from `client`).
pub fn hop(sim: &Sim, client: usize) -> Vec<String> {
    let name = node(Node::Client(client));
    trace(sim)
        .into_iter()
        .filter(|l| l.starts_with(&format!("{name}→")) || l.contains(&format!("→{name} ")))
        .collect()
}

/// Payloads the subscriber's application received.
pub fn delivered(sim: &Sim) -> Vec<Message> {
    sim.deliveries(SUBSCRIBER)
        .into_iter()
        .map(|(_, m)| m)
        .collect()
}

/// Broker events of a kind, by a predicate.
pub fn broker_events(sim: &Sim) -> Vec<qoscope::mqtt::broker::BrokerEventKind> {
    sim.log()
        .iter()
        .filter_map(|e| match &e.kind {
            SimEventKind::Broker(b) => Some(b.clone()),
            _ => None,
        })
        .collect()
}

/// The guided scenario `id` performed on the simulation, as the visualiser's
/// simulated mode performs it, for `steps` steps (all of them when `None`).
pub fn run_scenario(
    id: &str,
    steps: Option<usize>,
) -> qoscope::app::visualiser::sim_run::SimPerformer {
    use qoscope::app::visualiser::scenario::{builtin, ScenarioRun};
    let scenario = builtin()
        .into_iter()
        .find(|s| s.id == id)
        .expect("scenario exists");
    let mut performer = qoscope::app::visualiser::sim_run::SimPerformer::new();
    let mut run = ScenarioRun::start(scenario, &mut performer);
    let mut done = 0;
    while steps.is_none_or(|n| done < n) && run.advance(&mut performer).is_some() {
        done += 1;
    }
    performer
}
