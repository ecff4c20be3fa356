#![cfg(not(target_arch = "wasm32"))]
//! The simulated network itself: latency, FIFO links, cuts and closes,
//! reconnects, determinism, virtual time, and what the UI can read from it.

mod sim_support;

use qoscope::mqtt::broker::{BrokerConfig, BrokerEventKind, CloseReason};
use qoscope::mqtt::fault::Direction::ClientToBroker;
use qoscope::mqtt::fault::{FaultCause, FaultRules, TargetedRule};
use qoscope::mqtt::packet::{PacketType, QoS};
use qoscope::mqtt::session::{
    CommandError, ConnectionState, FlowState, PublishRequest, SessionConfig,
};
use qoscope::mqtt::sim::{CloseOrigin, LinkConfig, Node, Sim, SimEventKind};
use sim_support::*;

fn wire_times(sim: &Sim, packet: PacketType) -> Vec<(u64, u64)> {
    sim.wire()
        .filter(|w| w.packet.packet_type() == packet)
        .map(|w| (w.sent_at, w.arrive_at))
        .collect()
}

#[test]
fn packets_arrive_after_the_links_latency_in_each_direction() {
    let mut sim = Sim::new(BrokerConfig::default());
    let link = LinkConfig {
        client_to_broker_ms: 30,
        broker_to_client_ms: 5,
    };
    let client = sim.add_client(session_config(&Setup::default(), "c"), link);
    sim.connect(client);
    assert!(sim.run_until_idle());
    assert_eq!(wire_times(&sim, PacketType::Connect), [(0, 30)]);
    assert_eq!(wire_times(&sim, PacketType::Connack), [(30, 35)]);
    assert_eq!(sim.session(client).state(), ConnectionState::Connected);
}

#[test]
fn added_latency_delays_packets_and_a_link_never_reorders_them() {
    let mut sim = connected(Setup::default());
    sim.faults_mut(PUBLISHER).latency.client_to_broker_ms = 100;
    let start = sim.now();
    sim.publish(PUBLISHER, alarm(QoS::AtLeastOnce))
        .expect("publish");
    sim.faults_mut(PUBLISHER).latency.client_to_broker_ms = 0;
    sim.publish(PUBLISHER, alarm(QoS::AtLeastOnce))
        .expect("publish");
    assert!(sim.run_until_idle());
    let arrivals: Vec<u64> = wire_times(&sim, PacketType::Publish)
        .into_iter()
        .filter(|(sent, _)| *sent == start)
        .map(|(_, arrive)| arrive)
        .collect();
    // The second PUBLISH would arrive at +10 but waits behind the first (+110).
    assert_eq!(arrivals[..2], [start + 110, start + 110]);
    let ids: Vec<Option<u16>> = delivered(&sim).iter().map(|m| m.packet_id).collect();
    assert_eq!(ids, [Some(1), Some(2)], "delivered in publishing order");
}

#[test]
fn a_cut_closes_both_ends_at_once_and_loses_what_was_in_flight() {
    let mut sim = connected(Setup {
        retry: qoscope::mqtt::session::RetryPolicy::OnReconnect,
        ..Setup::default()
    });
    sim.publish(PUBLISHER, alarm(QoS::AtLeastOnce))
        .expect("publish");
    sim.cut(PUBLISHER);
    assert_eq!(
        sim.session(PUBLISHER).state(),
        ConnectionState::Disconnected
    );
    let log = sim.log();
    let lost = log
        .iter()
        .filter(|e| {
            matches!(
                e.kind,
                SimEventKind::WireLost {
                    cause: FaultCause::ConnectionCut,
                    ..
                }
            )
        })
        .count();
    assert_eq!(lost, 1, "the PUBLISH on its way is lost");
    assert!(broker_events(&sim).iter().any(|e| matches!(
        e,
        BrokerEventKind::ConnectionClosed {
            reason: CloseReason::TransportClosed,
            ..
        }
    )));

    let now = sim.now();
    sim.reconnect(PUBLISHER, now + 50);
    assert!(sim.run_until_idle());
    assert!(trace(&sim).contains(&"pub→broker PUBLISH q1 id1 dup".to_string()));
    assert_eq!(delivered(&sim).len(), 1);
}

#[test]
fn a_cut_after_rule_fires_on_the_packet_after_the_allowance() {
    let mut sim = connected(Setup::default());
    sim.faults_mut(PUBLISHER)
        .push(TargetedRule::CutAfter { remaining: 1 });
    sim.publish(PUBLISHER, alarm(QoS::ExactlyOnce))
        .expect("publish");
    sim.run_for(100);
    assert_eq!(
        hop(&sim, PUBLISHER),
        ["pub→broker PUBLISH q2 id1", "broker→pub PUBREC id1 ✗"]
    );
    assert!(sim.log().iter().any(|e| matches!(
        &e.kind,
        SimEventKind::LinkClosed {
            by: CloseOrigin::Cut(Some(TargetedRule::CutAfter { .. })),
            ..
        }
    )));
    assert_eq!(sim.connection(PUBLISHER), None);
}

#[test]
fn disconnect_travels_behind_the_data_and_closes_the_broker_end_on_arrival() {
    let mut sim = connected(Setup::default());
    let start = sim.now();
    sim.disconnect(PUBLISHER).expect("disconnect");
    assert!(sim.run_until_idle());
    let closes: Vec<(u64, Node)> = sim
        .log()
        .iter()
        .filter_map(|e| match &e.kind {
            SimEventKind::LinkClosed { end, .. } => Some((e.at, *end)),
            _ => None,
        })
        .collect();
    assert_eq!(
        closes,
        [(start, Node::Client(PUBLISHER)), (start + 10, Node::Broker)]
    );
    assert!(broker_events(&sim).iter().any(|e| matches!(
        e,
        BrokerEventKind::ConnectionClosed {
            reason: CloseReason::ClientDisconnected,
            ..
        }
    )));
}

#[test]
fn the_same_seed_replays_the_same_run_and_another_seed_does_not() {
    let run = |seed: u64| {
        let mut sim = connected(Setup::default());
        *sim.faults_mut(PUBLISHER) = FaultRules::with_loss(0.3, seed);
        for _ in 0..20 {
            sim.publish(PUBLISHER, alarm(QoS::ExactlyOnce))
                .expect("publish");
        }
        assert!(sim.run_until_idle());
        assert_eq!(delivered(&sim).len(), 20, "exactly once despite 30% loss");
        (trace(&sim), sim.now())
    };
    assert_eq!(run(7), run(7));
    assert_ne!(run(7), run(8));
}

#[test]
fn step_jumps_to_the_next_deadline_and_run_until_stops_at_the_given_time() {
    let mut sim = connected(Setup::default());
    let start = sim.now();
    drop_next(&mut sim, PUBLISHER, PacketType::Publish, ClientToBroker);
    sim.publish(PUBLISHER, alarm(QoS::AtLeastOnce))
        .expect("publish");
    assert_eq!(sim.next_deadline(), Some(start + 1000), "the retry timer");
    assert!(sim.step());
    assert_eq!(
        sim.now(),
        start + 1000,
        "nothing happens in between: time jumps"
    );
    assert!(sim.run_until(start + 1005));
    assert_eq!(sim.now(), start + 1005);
    assert_eq!(
        delivered(&sim).len(),
        0,
        "still on its way (arrives at +1010)"
    );
    sim.run_for(30);
    assert_eq!(delivered(&sim).len(), 1);
}

#[test]
fn keep_alive_pings_run_on_virtual_time() {
    let mut sim = Sim::new(BrokerConfig::default());
    let config = SessionConfig {
        keep_alive_secs: 10,
        ..session_config(&Setup::default(), "c")
    };
    let client = sim.add_client(config, LinkConfig::default());
    sim.connect(client);
    sim.run_until(35_000);
    assert_eq!(wire_times(&sim, PacketType::Pingreq).len(), 3);
    assert_eq!(wire_times(&sim, PacketType::Pingresp).len(), 3);
    assert_eq!(sim.session(client).state(), ConnectionState::Connected);
}

#[test]
fn the_brokers_qos2_table_shows_a_transaction_waiting_for_its_pubrel() {
    let mut sim = connected(Setup::default());
    drop_next(&mut sim, PUBLISHER, PacketType::Pubrel, ClientToBroker);
    let start = sim.now();
    sim.publish(PUBLISHER, alarm(QoS::ExactlyOnce))
        .expect("publish");
    sim.run_for(500);
    let table = sim.broker().open_qos2_transactions(sim.now());
    assert_eq!(table.len(), 1);
    assert_eq!(
        (table[0].client_id.as_str(), table[0].packet_id),
        ("publisher", 1)
    );
    assert_eq!(
        table[0].age_ms,
        sim.now() - (start + 10),
        "opened when the PUBLISH arrived"
    );
    assert!(sim.run_until_idle());
    assert!(sim.broker().open_qos2_transactions(sim.now()).is_empty());
}

#[test]
fn a_retained_alarm_reaches_a_subscriber_that_comes_later() {
    let mut sim = connected(Setup::default());
    let retained = PublishRequest {
        retain: true,
        ..alarm(QoS::AtLeastOnce)
    };
    sim.publish(PUBLISHER, retained).expect("publish");
    assert!(sim.run_until_idle());
    let late = sim.add_client(
        session_config(&Setup::default(), "late"),
        LinkConfig::default(),
    );
    sim.connect(late);
    assert!(sim.run_until_idle());
    let filter = qoscope::mqtt::packet::SubscribeFilter {
        filter: "alarms/+".into(),
        qos: QoS::ExactlyOnce,
        ..Default::default()
    };
    sim.subscribe(late, vec![filter]).expect("subscribe");
    assert!(sim.run_until_idle());
    let got = sim.deliveries(late);
    assert_eq!(got.len(), 1);
    assert!(got[0].1.retain && got[0].1.qos == QoS::AtLeastOnce);
}

#[test]
fn while_cut_off_qos0_is_refused_and_qos1_waits_for_the_reconnect() {
    let mut sim = connected(Setup::default());
    sim.cut(PUBLISHER);
    assert_eq!(
        sim.publish(PUBLISHER, alarm(QoS::AtMostOnce)),
        Err(CommandError::NotConnected)
    );
    sim.publish(PUBLISHER, alarm(QoS::AtLeastOnce))
        .expect("queued");
    assert!(
        !sim.run_until_idle(),
        "a queued message is unfinished business"
    );
    let now = sim.now();
    sim.reconnect(PUBLISHER, now);
    assert!(sim.run_until_idle());
    assert_eq!(delivered(&sim).len(), 1);
}

#[test]
fn a_subscriber_away_with_a_persistent_session_gets_its_messages_on_return() {
    let mut sim = connected(Setup::default());
    sim.cut(SUBSCRIBER);
    for _ in 0..3 {
        sim.publish(PUBLISHER, alarm(QoS::ExactlyOnce))
            .expect("publish");
    }
    assert!(
        !sim.run_until_idle(),
        "three messages wait for the subscriber"
    );
    let queued = |sim: &Sim| {
        sim.broker()
            .sessions()
            .into_iter()
            .find(|s| s.client_id == "subscriber")
            .map(|s| (s.queued, s.inflight))
    };
    assert_eq!(queued(&sim), Some((3, 0)));

    // Back, but the first PUBCOMP is lost: the broker keeps that flow open
    // (no in-session retry towards subscribers by default)...
    drop_next(&mut sim, SUBSCRIBER, PacketType::Pubcomp, ClientToBroker);
    let now = sim.now();
    sim.reconnect(SUBSCRIBER, now);
    assert!(!sim.run_until_idle());
    assert_eq!(queued(&sim), Some((0, 1)));
    assert_eq!(
        sim.broker().outbound_flows()[0].state,
        FlowState::AwaitingPubcomp
    );

    // ...and resends PUBREL, not PUBLISH, on the next reconnect.
    let now = sim.now();
    sim.reconnect(SUBSCRIBER, now);
    assert!(sim.run_until_idle());
    let pubrels = trace(&sim)
        .iter()
        .filter(|l| *l == "broker→sub PUBREL id1")
        .count();
    assert_eq!(pubrels, 2);
    assert_eq!(delivered(&sim).len(), 3);
}

#[test]
fn a_second_client_with_the_same_id_takes_over_and_the_first_learns_it_after_the_latency() {
    let mut sim = Sim::new(BrokerConfig::default());
    let config = session_config(&Setup::default(), "same-id");
    let first = sim.add_client(config.clone(), LinkConfig::symmetric(10));
    let second = sim.add_client(config, LinkConfig::symmetric(10));
    sim.connect(first);
    assert!(sim.run_until_idle());
    let start = sim.now();
    sim.connect(second);
    assert!(sim.run_until_idle());
    assert_eq!(sim.session(first).state(), ConnectionState::Disconnected);
    assert_eq!(sim.session(second).state(), ConnectionState::Connected);
    let first_closed_at = sim.log().iter().find_map(|e| match &e.kind {
        SimEventKind::LinkClosed {
            client,
            by: CloseOrigin::Broker,
            end: Node::Client(_),
            ..
        } if *client == first => Some(e.at),
        _ => None,
    });
    // CONNECT reaches the broker at +10; the close reaches the first client at +20.
    assert_eq!(first_closed_at, Some(start + 20));
}
