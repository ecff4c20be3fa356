#![cfg(not(target_arch = "wasm32"))]
//! The guided scenarios run on the simulation, read back from the diagram
//! they produce: what a presenter's audience would see.

use qoscope::app::visualiser::faults::{apply_to_rules, FaultIntent, Hop};
use qoscope::app::visualiser::layout::{Layout, Pacing};
use qoscope::app::visualiser::model::{Arrow, DiagramEvent, Lane};
use qoscope::app::visualiser::scenario::builtin;
use qoscope::app::visualiser::scenario_panel::open_qos2_receipts;
use qoscope::app::visualiser::sim_run::SimPerformer;
use qoscope::mqtt::fault::{FaultRules, TargetedRule};
use qoscope::mqtt::packet::{PacketType, QoS};

mod sim_support;

use sim_support::run_scenario as run;

fn arrows(p: &SimPerformer) -> Vec<&Arrow> {
    p.events()
        .iter()
        .filter_map(|e| match e {
            DiagramEvent::Arrow(a) => Some(a),
            _ => None,
        })
        .collect()
}

fn notes_on(p: &SimPerformer, lane: Lane) -> Vec<String> {
    p.events()
        .iter()
        .filter_map(|e| match e {
            DiagramEvent::Note(n) if n.lane == lane => Some(n.text.clone()),
            _ => None,
        })
        .collect()
}

fn deliveries(p: &SimPerformer) -> usize {
    notes_on(p, Lane::Subscriber)
        .iter()
        .filter(|t| t.starts_with("✔ delivered"))
        .count()
}

fn sent(p: &SimPerformer, from: Lane, kind: PacketType) -> Vec<&Arrow> {
    arrows(p)
        .into_iter()
        .filter(|a| a.from == from && a.packet.kind == kind)
        .collect()
}

#[test]
fn every_scenario_runs_to_the_end_with_one_caption_per_step_plus_setup() {
    for scenario in builtin() {
        let p = run(&scenario.id, None);
        let captions = p
            .events()
            .iter()
            .filter(|e| matches!(e, DiagramEvent::Caption(_)))
            .count();
        assert_eq!(captions, scenario.steps.len() + 1, "{}", scenario.id);
        assert!(
            !sent(&p, Lane::Subscriber, PacketType::Subscribe).is_empty(),
            "{} subscribes",
            scenario.id
        );
    }
}

#[test]
fn qos2_with_pubrec_lost_resends_publish_with_dup_and_delivers_once() {
    let p = run("qos2-pubrec-lost", None);
    let pubrecs = sent(&p, Lane::Broker, PacketType::Pubrec);
    let lost: Vec<_> = pubrecs
        .iter()
        .filter(|a| a.to == Lane::Publisher && a.is_dropped())
        .collect();
    assert_eq!(lost.len(), 1, "one PUBREC to the publisher is drawn lost");
    let publishes = sent(&p, Lane::Publisher, PacketType::Publish);
    assert_eq!(publishes.len(), 2);
    assert!(
        !publishes[0].packet.dup && publishes[1].packet.dup,
        "the resend carries DUP=1"
    );
    assert_eq!(deliveries(&p), 1, "exactly once");
    assert!(sent(&p, Lane::Publisher, PacketType::Pubrel).len() == 1);
}

#[test]
fn the_retry_happens_in_the_step_that_explains_it() {
    let p = run("qos2-pubrec-lost", Some(1));
    assert_eq!(
        sent(&p, Lane::Publisher, PacketType::Publish).len(),
        1,
        "no resend before step 2"
    );
}

#[test]
fn qos2_with_pubrel_lost_resends_pubrel_never_publish() {
    let p = run("qos2-pubrel-lost", None);
    let pubrels = sent(&p, Lane::Publisher, PacketType::Pubrel);
    assert_eq!(pubrels.len(), 2);
    assert!(pubrels[0].is_dropped() && !pubrels[1].is_dropped());
    assert_eq!(
        sent(&p, Lane::Publisher, PacketType::Publish).len(),
        1,
        "PUBLISH is never sent again"
    );
    assert_eq!(deliveries(&p), 1);
}

#[test]
fn the_broker_holds_an_open_qos2_transaction_until_pubrel_arrives() {
    let pacing = Pacing::default();
    let after_loss = Layout::new(run("qos2-pubrel-lost", Some(1)).events(), &pacing);
    let open = open_qos2_receipts(&after_loss, after_loss.end);
    assert_eq!(
        open.len(),
        1,
        "id stored, waiting for the lost PUBREL: {open:?}"
    );
    assert_eq!(
        (open[0].packet_id, open[0].peer.as_deref()),
        (1, Some("publisher"))
    );
    let finished = Layout::new(run("qos2-pubrel-lost", None).events(), &pacing);
    assert!(open_qos2_receipts(&finished, finished.end).is_empty());
}

#[test]
fn qos1_with_puback_lost_delivers_a_duplicate() {
    let p = run("qos1-puback-lost", None);
    let publishes = sent(&p, Lane::Publisher, PacketType::Publish);
    assert_eq!(publishes.len(), 2);
    assert!(publishes[1].packet.dup);
    assert_eq!(
        deliveries(&p),
        2,
        "at least once: the subscriber counts the sale twice"
    );
}

#[test]
fn qos2_across_a_reconnect_resends_pubrel_after_connect() {
    let p = run("qos2-reconnect", None);
    assert!(notes_on(&p, Lane::Publisher)
        .iter()
        .any(|t| t.contains("connection cut")));
    let connects = sent(&p, Lane::Publisher, PacketType::Connect);
    assert_eq!(connects.len(), 2);
    let pubrels = sent(&p, Lane::Publisher, PacketType::Pubrel);
    assert_eq!(pubrels.len(), 2, "PUBREL again after the reconnect");
    assert!(pubrels[1].sent_at >= connects[1].sent_at);
    assert_eq!(sent(&p, Lane::Publisher, PacketType::Publish).len(), 1);
    assert_eq!(deliveries(&p), 1);
}

#[test]
fn a_qos2_publish_to_a_qos1_subscription_is_delivered_at_qos1() {
    let p = run("qos2-downgraded", None);
    let to_subscriber: Vec<_> = sent(&p, Lane::Broker, PacketType::Publish);
    assert_eq!(to_subscriber.len(), 1);
    assert_eq!(to_subscriber[0].packet.qos, Some(QoS::AtLeastOnce));
    assert_eq!(to_subscriber[0].packet.qos_class(), "qos1");
    assert_eq!(
        sent(&p, Lane::Publisher, PacketType::Publish)[0]
            .packet
            .qos_class(),
        "qos2"
    );
    assert!(notes_on(&p, Lane::Broker)
        .iter()
        .any(|t| t == "effective QoS 1 = min(published 2, subscribed 1)"));
}

#[test]
fn qos0_over_a_lossy_link_loses_some_and_resends_none() {
    let p = run("qos0-lossy", None);
    let publishes = sent(&p, Lane::Publisher, PacketType::Publish);
    assert_eq!(publishes.len(), 6, "no QoS 0 message is ever resent");
    let reached: usize = sent(&p, Lane::Broker, PacketType::Publish)
        .iter()
        .filter(|a| !a.is_dropped())
        .count();
    assert!(
        reached < 6,
        "30% loss over two hops loses something (fixed seed)"
    );
    assert_eq!(deliveries(&p), reached);
}

#[test]
fn a_fired_drop_rule_is_reported_once_so_the_panel_can_disarm_it() {
    let mut p = run("qos2-pubrec-lost", Some(1));
    assert_eq!(
        p.take_used_drops(),
        [(PacketType::Pubrec, Hop::PublisherBroker)]
    );
    assert!(p.take_used_drops().is_empty());
}

#[test]
fn panel_faults_become_fault_rules() {
    let mut rules = FaultRules::none();
    let drop = FaultIntent::DropNext {
        kind: PacketType::Pubrel,
        hop: Hop::PublisherBroker,
    };
    assert!(!apply_to_rules(drop, &mut rules));
    assert_eq!(
        rules.rules,
        [TargetedRule::DropNext {
            packet: PacketType::Pubrel,
            direction: None
        }]
    );
    assert!(!apply_to_rules(FaultIntent::LossPercent(25), &mut rules));
    assert_eq!(rules.loss.probability, 0.25);
    assert!(!apply_to_rules(FaultIntent::LatencyMs(300), &mut rules));
    assert_eq!(rules.latency.broker_to_client_ms, 300);
    assert!(
        apply_to_rules(
            FaultIntent::CutConnection {
                hop: Hop::PublisherBroker
            },
            &mut rules
        ),
        "a cut is the caller's"
    );
}

#[test]
fn a_scenario_run_replays_identically() {
    let a = run("qos0-lossy", None);
    let b = run("qos0-lossy", None);
    assert_eq!(a.events(), b.events());
}

#[test]
fn a_lost_packet_says_which_panel_fault_lost_it() {
    let p = run("qos2-pubrec-lost", Some(1));
    let lost: Vec<_> = arrows(&p).into_iter().filter(|a| a.is_dropped()).collect();
    assert_eq!(lost[0].dropped.as_deref(), Some("drop next PUBREC"));
}

#[test]
fn the_subscriber_lane_says_what_was_delivered_at_which_qos() {
    let p = run("qos1-puback-lost", None);
    let delivered: Vec<_> = notes_on(&p, Lane::Subscriber)
        .into_iter()
        .filter(|t| t.starts_with("✔"))
        .collect();
    assert_eq!(delivered, ["✔ delivered (QoS 1)", "✔ delivered (QoS 1)"]);
}

#[test]
fn free_play_starts_a_run_and_publishes_at_the_chosen_qos() {
    let mut p = SimPerformer::new();
    assert!(
        p.publish_now(QoS::ExactlyOnce),
        "the first publish starts a run"
    );
    assert!(!p.publish_now(QoS::AtLeastOnce));
    let from_publisher: Vec<_> = sent(&p, Lane::Publisher, PacketType::Publish)
        .iter()
        .map(|a| a.packet.qos_class())
        .collect();
    assert_eq!(from_publisher, ["qos2", "qos1"]);
    assert_eq!(deliveries(&p), 2);
}

#[test]
fn set_up_plays_quickly_in_slow_motion_and_the_steps_keep_their_speed() {
    use qoscope::app::visualiser::transport::{Playhead, Speed, SETUP_SPEED};
    let performer = run("qos2-pubrec-lost", Some(1));
    let layout = Layout::new(performer.events(), &Pacing::default());
    let setup_end = layout.setup_end();
    assert!(
        setup_end > 2_000.0 && setup_end < layout.end,
        "connect and subscribe come first ({setup_end} of {})",
        layout.end
    );
    let mut head = Playhead {
        t: 0.0,
        playing: true,
        speed: Speed::Quarter,
    };
    let mut frames = 0;
    while head.t < setup_end {
        head.advance(16.0, &layout);
        frames += 1;
    }
    let wall = f64::from(frames) * 16.0;
    assert!(
        wall <= setup_end / SETUP_SPEED + 16.0,
        "set-up took {wall} ms of wall time, at 0.25× it would take {} ms",
        setup_end / 0.25
    );
    // Past the set-up, the first explained step moves at the chosen speed.
    let before = head.t;
    head.advance(400.0, &layout);
    assert!(
        (head.t - before - 100.0).abs() < 1e-6,
        "{}",
        head.t - before
    );
    // At 1×, the set-up is not slowed to SETUP_SPEED: it is only ever sped up.
    let mut fast = Playhead {
        t: 0.0,
        playing: true,
        speed: Speed::Normal,
    };
    fast.advance(100.0, &layout);
    assert!((fast.t - 100.0 * SETUP_SPEED).abs() < 1e-6);
}
