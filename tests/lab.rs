//! The QoS lab's accounting, natively: counts, bytes and percentiles from
//! known events, and whole runs on the simulated broker (clean, lossy, cut),
//! checked against the codec and the QoS guarantees.

use qoscope::app::lab::claims::{compare, publish_len, Verdict};
use qoscope::app::lab::plan::{parse_payload, payload, FaultProfile, LabPlan, Rate};
use qoscope::app::lab::record::{Hop, LevelRecorder, LevelStatus, Percentiles};
use qoscope::app::lab::report::{LabReport, Target, REPORT_FORMAT};
use qoscope::app::lab::runner::Phase;
use qoscope::app::lab::sim_lab::{SimLab, SIM_TOPIC_PREFIX};
use qoscope::mqtt::packet::{PacketType, ProtocolVersion, QoS};
use qoscope::mqtt::session::{FlowDirection, FlowState};

fn run(plan: LabPlan, version: ProtocolVersion) -> LabReport {
    let mut lab = SimLab::new(plan.clone(), version, 1);
    lab.run_to_end();
    assert_eq!(lab.runner().phase(), Phase::Finished);
    LabReport {
        format: REPORT_FORMAT,
        started_at_ms: 0,
        target: Target::Simulated { one_way_ms: 1 },
        version,
        topic_example: format!("{SIM_TOPIC_PREFIX}/q0"),
        plan,
        levels: lab.into_runner().into_results(),
    }
}

#[test]
fn payloads_carry_their_level_and_number() {
    for size in [16, 17, 64, 1000] {
        let p = payload(QoS::ExactlyOnce, 123, size);
        assert_eq!(p.len(), size as usize);
        assert_eq!(parse_payload(&p), Some((QoS::ExactlyOnce, 123)));
    }
    assert_eq!(parse_payload(b"hello"), None);
    assert_eq!(parse_payload(b"q7 #000001 "), None);
    assert_eq!(parse_payload(b"q1 #"), None);
}

#[test]
fn plans_out_of_range_are_refused_with_a_reason() {
    assert!(LabPlan::default().validate().is_ok());
    let bad = [
        LabPlan {
            messages: 0,
            ..LabPlan::default()
        },
        LabPlan {
            payload_bytes: 3,
            ..LabPlan::default()
        },
        LabPlan {
            rate: Rate::PerSecond(0),
            ..LabPlan::default()
        },
        LabPlan {
            faults: FaultProfile::Loss { percent: 90 },
            ..LabPlan::default()
        },
        LabPlan {
            levels: vec![],
            ..LabPlan::default()
        },
    ];
    for plan in bad {
        let why = plan.validate().unwrap_err();
        assert!(why.ends_with('.'), "{why}");
    }
}

#[test]
fn percentiles_are_nearest_rank() {
    let mut samples: Vec<f64> = (1..=100).map(f64::from).collect();
    let p = Percentiles::of(&mut samples).unwrap();
    assert_eq!(
        (p.p50, p.p95, p.p99, p.max, p.count),
        (50.0, 95.0, 99.0, 100.0, 100)
    );
    assert_eq!(Percentiles::of(&mut []), None);
}

#[test]
fn a_recorder_counts_a_known_event_list() {
    let mut rec = LevelRecorder::new(QoS::AtLeastOnce, 3, 0, 0.0);
    for seq in 0..3u32 {
        let at = f64::from(seq) * 10.0;
        rec.published(seq, Some(seq as u16 + 1), at);
        rec.flow(
            true,
            FlowDirection::Outgoing,
            seq as u16 + 1,
            FlowState::New,
            FlowState::AwaitingPuback,
            at,
        );
        rec.packet(Hop::Publisher, PacketType::Publish, 20);
    }
    // Message 0 arrives twice, message 1 once, message 2 never.
    rec.delivered(&payload(QoS::AtLeastOnce, 0, 16), 2.0);
    rec.delivered(&payload(QoS::AtLeastOnce, 0, 16), 9.0);
    rec.delivered(&payload(QoS::AtLeastOnce, 1, 16), 14.0);
    // Another level's message is not this level's.
    rec.delivered(&payload(QoS::AtMostOnce, 2, 16), 15.0);
    for id in 1..=2u16 {
        rec.packet(Hop::Publisher, PacketType::Puback, 4);
        rec.flow(
            true,
            FlowDirection::Outgoing,
            id,
            FlowState::AwaitingPuback,
            FlowState::Done,
            20.0,
        );
    }
    rec.retry();
    assert!(!rec.settled());
    let r = rec.finish(40.0, LevelStatus::TimedOut);
    assert_eq!(
        (r.published, r.delivered, r.duplicates, r.lost),
        (3, 2, 1, 1)
    );
    assert_eq!(r.max_in_flight, 3);
    assert_eq!(r.retries, 1);
    assert_eq!(r.latency.unwrap().p50, 2.0);
    assert_eq!(r.latency.unwrap().max, 4.0);
    assert_eq!(r.completion.unwrap().p50, 10.0);
    assert_eq!(r.histogram.iter().sum::<u64>(), 2);
    assert_eq!(r.packets_per_message(Hop::Publisher), 5.0 / 3.0);
    assert_eq!(r.bytes_per_message(Hop::Publisher), 68.0 / 3.0);
    assert_eq!(r.duration_ms, 40.0);
    assert_eq!(r.throughput, 50.0);
    // Message 0 counted twice: 1 + 1 + 2 units, against 1 + 2 + 3 expected.
    assert_eq!((r.stock_counted, r.stock_expected), (4, 6));
}

#[test]
fn on_a_clean_network_each_level_costs_exactly_its_handshake() {
    for version in [ProtocolVersion::V311, ProtocolVersion::V5] {
        let plan = LabPlan {
            messages: 500,
            payload_bytes: 100,
            ..LabPlan::default()
        };
        let report = run(plan, version);
        assert_eq!(report.levels.len(), 3);
        let topic = format!("{SIM_TOPIC_PREFIX}/q0");
        for (l, packets) in report.levels.iter().zip([1.0, 2.0, 4.0]) {
            assert_eq!(l.status, LevelStatus::Complete, "{version:?} {:?}", l.qos);
            assert_eq!(
                (l.published, l.delivered, l.lost, l.duplicates),
                (500, 500, 0, 0)
            );
            for hop in Hop::BOTH {
                assert_eq!(
                    l.packets_per_message(hop),
                    packets,
                    "{version:?} {:?} {hop:?}",
                    l.qos
                );
                // The PUBLISH is the codec's length; each acknowledgement is 4
                // bytes (3.1.1, and 5.0 with reason Success and no properties).
                let expected =
                    publish_len(&topic, 100, l.qos, version) as f64 + 4.0 * (packets - 1.0);
                assert_eq!(
                    l.bytes_per_message(hop),
                    expected,
                    "{version:?} {:?} {hop:?}",
                    l.qos
                );
            }
            assert_eq!(l.retries, 0);
            assert_eq!(l.stock_counted, l.stock_expected);
        }
        assert_eq!(report.levels[0].max_in_flight, 0);
        assert!(report.levels[1].max_in_flight > 1);
        assert!(report.levels[2].max_in_flight <= 20, "the engine's window");
        let rows = compare(&report);
        assert_eq!(rows[0].verdict, Verdict::Agrees, "{}", rows[0].why);
        assert_eq!(
            rows.iter()
                .find(|r| r.metric.starts_with("100 devices"))
                .unwrap()
                .verdict,
            Verdict::Differs
        );
    }
}

#[test]
fn under_loss_qos_2_stays_exactly_once_and_qos_1_duplicates() {
    for version in [ProtocolVersion::V311, ProtocolVersion::V5] {
        let plan = LabPlan {
            messages: 400,
            faults: FaultProfile::Loss { percent: 10 },
            ..LabPlan::default()
        };
        let report = run(plan, version);
        let [q0, q1, q2] = [&report.levels[0], &report.levels[1], &report.levels[2]];
        assert!(
            q0.lost > 0,
            "{version:?}: 10 % loss must lose QoS 0 messages"
        );
        assert_eq!(q1.lost, 0, "{version:?}");
        assert!(
            q1.duplicates > 0,
            "{version:?}: lost PUBACKs make duplicates"
        );
        assert!(
            q1.stock_counted > q1.stock_expected,
            "the QoS 1 counter drifts"
        );
        assert_eq!((q2.lost, q2.duplicates), (0, 0), "{version:?}");
        assert_eq!(
            q2.stock_counted, q2.stock_expected,
            "the QoS 2 counter is exact"
        );
        assert!(q1.retries + q1.reconnects as u64 > 0 && q2.retries + q2.reconnects as u64 > 0);
        if version == ProtocolVersion::V5 {
            // MQTT 5 resends only on a new connection.
            assert!(q2.reconnects > 0);
        }
    }
}

#[test]
fn under_cuts_qos_2_stays_exactly_once() {
    let plan = LabPlan {
        messages: 3_000,
        rate: Rate::PerSecond(1_000),
        faults: FaultProfile::CutEvery { seconds: 1 },
        ..LabPlan::default()
    };
    let report = run(plan, ProtocolVersion::V311);
    let q2 = &report.levels[2];
    assert!(q2.cuts >= 2, "{}", q2.cuts);
    assert_eq!((q2.lost, q2.duplicates, q2.delivered), (0, 0, 3_000));
    assert_eq!(report.levels[1].lost, 0);
}

#[test]
fn a_stopped_run_keeps_what_it_measured() {
    let mut lab = SimLab::new(
        LabPlan {
            messages: 2_000,
            ..LabPlan::default()
        },
        ProtocolVersion::V311,
        1,
    );
    while lab.runner().results().is_empty()
        || lab.runner().progress().is_none_or(|p| p.published < 100)
    {
        lab.advance(1);
    }
    lab.stop();
    assert_eq!(lab.runner().phase(), Phase::Stopped);
    let results = lab.into_runner().into_results();
    assert_eq!(results.len(), 2);
    assert_eq!(results[1].status, LevelStatus::Stopped);
    assert!(results[1].published >= 100 && results[1].published < 2_000);
}

#[test]
fn a_report_survives_json_and_reads_as_csv() {
    let report = run(
        LabPlan {
            messages: 50,
            ..LabPlan::default()
        },
        ProtocolVersion::V311,
    );
    let back = LabReport::from_json(&report.to_json()).unwrap();
    assert_eq!(back, report);
    let csv = report.to_csv();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 4);
    let columns = lines[0].split(',').count();
    assert!(lines.iter().all(|l| l.split(',').count() == columns));
    assert!(lines[3].starts_with("2,complete,50,50,50,0,0,"));
    for bad in ["", "{}", "not json", "{\"format\": 99}"] {
        let why = LabReport::from_json(bad).unwrap_err();
        assert!(why.contains("lab run"), "{why}");
    }
}

/// A driver whose broker never answers: publishes are accepted, nothing
/// comes back, and time is whatever the test says.
struct DeafBroker {
    now: f64,
    next_id: u16,
    reconnects: u32,
}

impl qoscope::app::lab::runner::LabDriver for DeafBroker {
    fn now(&self) -> f64 {
        self.now
    }
    fn publisher_connected(&self) -> bool {
        true
    }
    fn publisher_has_room(&self) -> bool {
        true
    }
    fn publish(
        &mut self,
        _: qoscope::mqtt::session::PublishRequest,
    ) -> Result<Option<u16>, qoscope::mqtt::session::CommandError> {
        self.next_id += 1;
        Ok(Some(self.next_id))
    }
    fn cut(&mut self, _: qoscope::app::lab::runner::Role) {}
    fn reconnect(&mut self, _: qoscope::app::lab::runner::Role) {
        self.reconnects += 1;
    }
}

#[test]
fn a_level_where_nothing_arrives_times_out_despite_reconnects() {
    use qoscope::app::lab::runner::{LabRunner, GIVE_UP_MS, STALL_MS};
    let plan = LabPlan {
        messages: 5,
        rate: Rate::PerSecond(1_000),
        levels: vec![QoS::AtLeastOnce],
        ..LabPlan::default()
    };
    let mut runner = LabRunner::new(plan, "lab/test");
    let mut driver = DeafBroker {
        now: 0.0,
        next_id: 0,
        reconnects: 0,
    };
    let mut polls = 0;
    while runner.phase() == Phase::Running {
        runner.poll(&mut driver);
        if runner.phase() != Phase::Running {
            break;
        }
        let wake = runner
            .next_wakeup(driver.now, &driver)
            .expect("a deadline while running");
        assert!(
            wake > driver.now,
            "time must move: {wake} at {} after {polls} polls",
            driver.now
        );
        driver.now = wake;
        polls += 1;
        assert!(polls < 100, "the level never ended");
    }
    let result = &runner.results()[0];
    assert_eq!(result.status, LevelStatus::TimedOut);
    assert_eq!((result.published, result.lost), (5, 5));
    assert!(driver.reconnects >= 2 && f64::from(driver.reconnects) <= GIVE_UP_MS / STALL_MS + 1.0);
    assert_eq!(result.reconnects, driver.reconnects);
}

#[test]
fn one_at_a_time_the_simulation_gives_each_level_its_round_trips() {
    // Links of 1 ms each way: a delivery takes one trip per hop (2 ms) at
    // QoS 0 and 1; the simulated broker forwards a QoS 2 message on PUBREL
    // (as the seed notes draw it), a round trip later. The publisher is
    // done after one round trip at QoS 1 and two at QoS 2.
    let report = run(
        LabPlan {
            messages: 200,
            ..LabPlan::default()
        },
        ProtocolVersion::V311,
    );
    let delivery = [2.0, 2.0, 4.0];
    let done = [None, Some(2.0), Some(4.0)];
    for ((l, delivery), done) in report.levels.iter().zip(delivery).zip(done) {
        assert_eq!(l.probe, 25);
        let unloaded = l.unloaded_latency.unwrap();
        assert_eq!(unloaded.count, 25);
        assert_eq!(
            (unloaded.p50, unloaded.max),
            (delivery, delivery),
            "{:?}",
            l.qos
        );
        assert_eq!(l.unloaded_completion.map(|p| p.p50), done, "{:?}", l.qos);
        assert!(l.throughput > 0.0);
    }
}

#[test]
fn the_inventory_demo_drifts_at_qos_1_and_stays_exact_at_qos_2() {
    use qoscope::app::lab::form::inventory_demo_plan;
    for version in [ProtocolVersion::V311, ProtocolVersion::V5] {
        let report = run(inventory_demo_plan(), version);
        let [q1, q2] = [&report.levels[0], &report.levels[1]];
        assert_eq!((q1.qos, q2.qos), (QoS::AtLeastOnce, QoS::ExactlyOnce));
        assert!(q1.stock_counted > q1.stock_expected, "{version:?}: {q1:?}");
        assert_eq!(q1.lost, 0);
        assert_eq!(q2.stock_counted, q2.stock_expected, "{version:?}");
        assert_eq!((q2.lost, q2.duplicates), (0, 0));
        for l in [q1, q2] {
            // A cut every 2 s of the level's own (virtual) time.
            assert_eq!(
                u64::from(l.cuts),
                (l.duration_ms / 2_000.0) as u64,
                "{version:?} {:?}",
                l.qos
            );
        }
    }
}
