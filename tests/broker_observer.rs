#![cfg(not(target_arch = "wasm32"))]
//! The broker observer (`mqtt::observer`) against the simulated broker: fed
//! only the packets that crossed each hop, it must report the broker's flow
//! changes exactly as the simulated broker reports its own, so that live
//! mode and the simulation draw the same diagram for the same packets.

use qoscope::app::visualiser::model::{DiagramEvent, Lane};
use qoscope::app::visualiser::scenario::{builtin, ScenarioRun};
use qoscope::app::visualiser::sim_run::SimPerformer;
use qoscope::app::visualiser::transcript::Transcript;
use qoscope::mqtt::broker::{BrokerEvent, BrokerEventKind, ResendReason};
use qoscope::mqtt::observer::{BrokerObserver, Crossing};
use qoscope::mqtt::packet::{Packet, ProtocolVersion, PubResponse, Publish, QoS};
use qoscope::mqtt::session::FlowState;
use qoscope::mqtt::sim::{Fate, Node, SimEvent, SimEventKind};

const CLIENTS: [&str; 2] = ["publisher", "subscriber"];

/// Every guided scenario, performed on the simulation, with its whole log.
fn scenario_logs() -> Vec<(String, ProtocolVersion, Vec<SimEvent>)> {
    builtin()
        .into_iter()
        .map(|scenario| {
            let id = scenario.id.clone();
            let version = scenario.setup.version;
            let mut performer = SimPerformer::keeping_log();
            let mut run = ScenarioRun::start(scenario, &mut performer);
            while run.advance(&mut performer).is_some() {}
            (id, version, performer.log().to_vec())
        })
        .collect()
}

/// What the observer can report (the rest of the broker's events, such as
/// its connections and subscriptions, no wire proves packet by packet).
fn observable(kind: &BrokerEventKind) -> bool {
    matches!(
        kind,
        BrokerEventKind::Flow { .. }
            | BrokerEventKind::MessageRouted { .. }
            | BrokerEventKind::PubrelForUnknownId { .. }
            | BrokerEventKind::Resent {
                reason: ResendReason::DuplicatePublish | ResendReason::DuplicatePubrec,
                ..
            }
    )
}

/// The broker's events as the observer derives them from the log's wire
/// entries alone: a client's packet counts when it arrived, the broker's when
/// it left (the broker did send it, lost or not).
fn observed(log: &[SimEvent]) -> Vec<BrokerEvent> {
    let lost: Vec<u64> = log
        .iter()
        .filter_map(|e| match &e.kind {
            SimEventKind::WireLost { wire_id, .. } => Some(*wire_id),
            _ => None,
        })
        .collect();
    let mut crossings: Vec<(u64, u64, usize, Crossing, &Packet)> = log
        .iter()
        .filter_map(|e| match &e.kind {
            SimEventKind::Wire(w) => match (w.from, w.to) {
                (Node::Client(c), Node::Broker) => {
                    let arrived = w.fate == Fate::Delivered && !lost.contains(&w.id);
                    arrived.then_some((w.arrive_at, w.id, c, Crossing::ToBroker, &w.packet))
                }
                (Node::Broker, Node::Client(c)) => {
                    Some((w.sent_at, w.id, c, Crossing::FromBroker, &w.packet))
                }
                _ => None,
            },
            _ => None,
        })
        .collect();
    crossings.sort_by_key(|c| (c.0, c.1));
    let mut observer = BrokerObserver::new();
    let mut out = Vec::new();
    for (at, _, client, crossing, packet) in crossings {
        observer.observe(at, CLIENTS[client], crossing, packet, &mut out);
    }
    out
}

fn simulated(log: &[SimEvent]) -> Vec<BrokerEvent> {
    log.iter()
        .filter_map(|e| match &e.kind {
            SimEventKind::Broker(kind) if observable(kind) => Some(BrokerEvent {
                at: e.at,
                kind: kind.clone(),
            }),
            _ => None,
        })
        .collect()
}

fn flows(events: &[BrokerEvent]) -> Vec<&BrokerEvent> {
    events
        .iter()
        .filter(|e| matches!(e.kind, BrokerEventKind::Flow { .. }))
        .collect()
}

/// The diagram as the layout reads it: ordered by time (a stable sort keeps
/// same-time events in order, so compare those as a set).
fn drawn(version: ProtocolVersion, log: &[SimEvent]) -> Vec<String> {
    let mut events = Vec::new();
    Transcript::new(vec![Lane::Publisher, Lane::Subscriber], version).draw(&mut events, log);
    let mut lines: Vec<(u64, String)> = events
        .iter()
        .map(|e: &DiagramEvent| (e.at(), format!("{e:?}")))
        .collect();
    lines.sort();
    lines.into_iter().map(|(_, l)| l).collect()
}

#[test]
fn the_observer_reports_every_scenarios_broker_flows_as_the_simulated_broker_does() {
    let mut compared = 0;
    for (id, _, log) in scenario_logs() {
        let simulated = simulated(&log);
        let observed = observed(&log);
        assert_eq!(flows(&observed), flows(&simulated), "{id}");
        compared += flows(&simulated).len();
    }
    // QoS 0 has none; the QoS 1 and 2 scenarios open and close several each.
    assert!(compared >= 20, "{compared} broker flow changes compared");
}

#[test]
fn every_scenario_draws_the_same_diagram_from_the_observer_as_from_the_simulated_broker() {
    for (id, version, log) in scenario_logs() {
        let mut watched: Vec<SimEvent> = log
            .iter()
            .filter(|e| !matches!(&e.kind, SimEventKind::Broker(k) if observable(k)))
            .cloned()
            .collect();
        watched.extend(observed(&log).into_iter().map(|e| SimEvent {
            at: e.at,
            kind: SimEventKind::Broker(e.kind),
        }));
        watched.sort_by_key(|e| e.at);
        assert_eq!(drawn(version, &watched), drawn(version, &log), "{id}");
    }
}

fn publish(qos: QoS, id: u16, dup: bool) -> Packet {
    Packet::Publish(Publish {
        dup,
        qos,
        topic: "alarms/line1".into(),
        packet_id: (qos != QoS::AtMostOnce).then_some(id),
        payload: b"overheat".to_vec(),
        ..Publish::default()
    })
}

fn ack(make: fn(PubResponse) -> Packet, id: u16) -> Packet {
    make(PubResponse {
        packet_id: id,
        ..PubResponse::default()
    })
}

fn states(events: &[BrokerEvent]) -> Vec<(String, u16, FlowState, FlowState)> {
    events
        .iter()
        .filter_map(|e| match &e.kind {
            BrokerEventKind::Flow {
                client_id,
                packet_id,
                from,
                to,
                ..
            } => Some((client_id.clone(), *packet_id, *from, *to)),
            _ => None,
        })
        .collect()
}

#[test]
fn a_flow_it_never_saw_begin_is_not_finished_and_a_new_session_forgets_the_old_one() {
    use FlowState::*;
    let mut o = BrokerObserver::new();
    let mut out = Vec::new();
    // A PUBCOMP for a flow this observer never saw: nothing to say.
    o.observe(
        1,
        "sub",
        Crossing::ToBroker,
        &ack(Packet::Pubcomp, 7),
        &mut out,
    );
    assert!(out.is_empty());
    // The broker sends id 3 at QoS 2; a resend of it opens nothing new.
    o.observe(
        2,
        "sub",
        Crossing::FromBroker,
        &publish(QoS::ExactlyOnce, 3, false),
        &mut out,
    );
    o.observe(
        3,
        "sub",
        Crossing::FromBroker,
        &publish(QoS::ExactlyOnce, 3, true),
        &mut out,
    );
    assert_eq!(states(&out), [("sub".into(), 3, New, AwaitingPubrec)]);
    assert_eq!(o.open_flows(), [("sub".into(), 3, AwaitingPubrec)]);
    // The subscriber comes back to a broker that kept no session.
    let fresh = Packet::Connack(Default::default());
    o.observe(4, "sub", Crossing::FromBroker, &fresh, &mut out);
    assert!(o.open_flows().is_empty());
}

#[test]
fn a_pubrec_with_an_error_code_abandons_the_brokers_flow() {
    use FlowState::*;
    let mut o = BrokerObserver::new();
    let mut out = Vec::new();
    o.observe(
        1,
        "sub",
        Crossing::FromBroker,
        &publish(QoS::ExactlyOnce, 1, false),
        &mut out,
    );
    let refused = Packet::Pubrec(PubResponse {
        packet_id: 1,
        reason: 0x80,
        ..PubResponse::default()
    });
    o.observe(2, "sub", Crossing::ToBroker, &refused, &mut out);
    assert_eq!(
        states(&out),
        [
            ("sub".into(), 1, New, AwaitingPubrec),
            ("sub".into(), 1, AwaitingPubrec, Abandoned)
        ]
    );
    assert!(o.open_flows().is_empty());
}

#[test]
fn a_delivery_below_its_published_qos_is_routed_as_a_downgrade() {
    let mut o = BrokerObserver::new();
    let mut out = Vec::new();
    o.observe(
        1,
        "pub",
        Crossing::ToBroker,
        &publish(QoS::ExactlyOnce, 1, false),
        &mut out,
    );
    o.observe(
        2,
        "sub",
        Crossing::FromBroker,
        &publish(QoS::AtLeastOnce, 9, false),
        &mut out,
    );
    let routed: Vec<_> = out
        .iter()
        .filter_map(|e| match &e.kind {
            BrokerEventKind::MessageRouted {
                from,
                to,
                published_qos,
                delivered_qos,
                ..
            } => Some((from.as_str(), to.as_str(), *published_qos, *delivered_qos)),
            _ => None,
        })
        .collect();
    assert_eq!(routed, [("pub", "sub", QoS::ExactlyOnce, QoS::AtLeastOnce)]);
}
