#![cfg(not(target_arch = "wasm32"))]
//! A flood of 200,000 messages (ten seconds at 20,000 messages/s) through the
//! same queue and drain the browser uses: every collection stays within its
//! stated cap. No timing is asserted; `make bench` measures speed.

use qoscope::app::dashboard::alarms::{AlarmView, MAX_ALARMS};
use qoscope::app::dashboard::health::MAX_TOPICS;
use qoscope::app::dashboard::inventory::{HISTORY_POINTS, MAX_SKUS, MAX_UNREADABLE};
use qoscope::app::dashboard::message::Incoming;
use qoscope::app::dashboard::model::{FRAME_BUDGET, QUEUE_CAP};
use qoscope::app::dashboard::settings::DashboardSettings;
use qoscope::app::dashboard::traffic::synthetic_message;
use qoscope::app::dashboard::DashboardModel;
use qoscope::app::model::ClientModel;
use qoscope::mqtt::packet::QoS;
use qoscope::mqtt::session::{Event, EventKind, Message};
use qoscope::net::ws::{LinkUpdate, TransportEvent};

const FLOOD: u64 = 200_000;
/// Messages arriving between two animation frames at 20,000/s and 60 Hz.
const PER_FRAME: u64 = 334;

#[test]
fn two_hundred_thousand_messages_leave_every_collection_within_its_cap() {
    let mut model = DashboardModel::default();
    let mut processed = 0;
    for i in 0..FLOOD {
        model.push_message(synthetic_message(i));
        if i % PER_FRAME == PER_FRAME - 1 {
            processed += model.drain(FRAME_BUDGET).processed;
        }
    }
    processed += model.drain(FRAME_BUDGET).processed;
    assert_eq!(
        processed as u64, FLOOD,
        "a frame's worth always fits the budget"
    );
    assert!(model.queue().is_empty());

    assert!(model.alarms.len() <= MAX_ALARMS);
    assert!(
        model.alarms.stats().evicted > 0,
        "the flood has more zones than the cap"
    );
    assert!(model.inventory.len() <= MAX_SKUS);
    assert!(model.inventory.stats().evicted > 0);
    assert!(model.inventory.unreadable().count() <= MAX_UNREADABLE);
    let longest_history = (0..4000)
        .filter_map(|n| model.inventory.get(&format!("S-{n}")))
        .map(|i| i.history.len())
        .max();
    assert_eq!(longest_history, Some(HISTORY_POINTS));
    assert!(model.alarms.stats().duplicates > 0 && model.inventory.stats().duplicates > 0);
    let (rows, total) = model.alarms.visible(&AlarmView::default(), 200);
    assert_eq!((rows.len(), total), (200, model.alarms.len()));
    assert_eq!(model.other_messages(), FLOOD / 10);
}

#[test]
fn a_queue_nobody_drains_sheds_its_oldest_inputs_and_counts_them() {
    let mut model = DashboardModel::default();
    for i in 0..(QUEUE_CAP as u64 + 500) {
        model.push_message(synthetic_message(i));
    }
    assert_eq!(model.queue().len(), QUEUE_CAP);
    assert_eq!(model.queue().shed(), 500);
}

#[test]
fn overload_says_how_many_were_shed_since_when_and_the_latest() {
    let mut model = DashboardModel::default();
    let mut pushed = 0;
    let mut push = |model: &mut DashboardModel, n: u64| {
        for _ in 0..n {
            model.push_message(synthetic_message(pushed));
            pushed += 1;
        }
    };
    push(&mut model, QUEUE_CAP as u64);
    assert!(
        !model.note_overload(1_000),
        "a full queue has shed nothing yet"
    );
    assert_eq!(model.overload().shed, 0);

    push(&mut model, 300);
    assert!(model.note_overload(2_000));
    push(&mut model, 200);
    assert!(model.note_overload(3_000));
    assert!(
        !model.note_overload(4_000),
        "nothing more shed: the latest stays"
    );
    let overload = model.overload();
    assert_eq!(
        (overload.shed, overload.since, overload.last),
        (500, 2_000, 3_000)
    );
}

#[test]
fn what_the_connection_skipped_joins_the_overload_notice() {
    let mut model = DashboardModel::default();
    model.note_link_skipped(40);
    assert!(model.note_overload(5_000));
    // Totals: a late report of an older one changes nothing.
    model.note_link_skipped(25);
    model.note_link_skipped(90);
    assert!(model.note_overload(6_000));
    let overload = model.overload();
    assert_eq!(
        (overload.shed, overload.since, overload.last),
        (90, 5_000, 6_000)
    );
}

#[test]
fn after_a_skip_every_stock_count_may_be_short_until_a_level_confirms_it() {
    let mut model = DashboardModel::default();
    let stock = |sku: &str, payload: &str| Incoming::new(1, format!("inventory/{sku}"), payload);
    model.push_message(stock("A-1", r#"{"level":10}"#));
    model.push_message(stock("B-2", r#"{"delta":3}"#));
    model.drain(FRAME_BUDGET);
    let missed = |m: &DashboardModel, sku: &str| m.inventory.get(sku).map(|i| i.missed);
    assert_eq!(missed(&model, "A-1"), Some(false));
    model.note_link_skipped(5);
    assert!(model.note_overload(1_000));
    assert_eq!(
        missed(&model, "A-1"),
        Some(true),
        "a skipped delta may be A-1's"
    );
    assert_eq!(missed(&model, "B-2"), Some(true));
    model.push_message(stock("A-1", r#"{"level":12}"#));
    model.push_message(stock("B-2", r#"{"delta":-1}"#));
    model.drain(FRAME_BUDGET);
    assert_eq!(
        missed(&model, "A-1"),
        Some(false),
        "a level confirms the count"
    );
    assert_eq!(missed(&model, "B-2"), Some(true), "a delta does not");
}

#[test]
fn the_connection_keeps_every_topic_the_alarm_filters_select() {
    let mut model = DashboardModel::default();
    let mut settings = DashboardSettings::default();
    settings.alarms.filters = vec![
        "alarms/#".into(),
        "site/+/alarm".into(),
        "alarms/fire".into(),
        "$share/ops/critical/#".into(),
    ];
    model.apply_settings(&settings);
    assert_eq!(
        model.alarm_prefixes(),
        ["alarms", "alarms/fire", "critical", "site/"]
    );
    for topic in ["alarms", "alarms/x/y", "site/3/alarm", "critical/fire"] {
        assert!(model.alarms.accepts(topic), "{topic}");
        assert!(
            model
                .alarm_prefixes()
                .iter()
                .any(|p| topic.starts_with(p.as_str())),
            "{topic} would be skipped"
        );
    }
}

#[test]
fn the_client_view_counts_what_the_connection_skipped_and_since_when() {
    let mut client = ClientModel::default();
    let skipped = |at, total| LinkUpdate::Transport {
        at,
        event: TransportEvent::Skipped { total },
    };
    client.apply_batch(vec![skipped(7_000, 12), skipped(7_500, 30)]);
    let s = client.skipped;
    assert_eq!((s.shed, s.since, s.last), (30, 7_000, 7_500));
}

#[test]
fn a_flood_of_events_on_many_topics_keeps_health_bounded() {
    let mut model = DashboardModel::default();
    for i in 0..FLOOD {
        let qos = QoS::from_u8((i % 3) as u8).unwrap_or_default();
        let message = Message {
            topic: format!("t/{}", i % 5_000),
            payload: b"1".to_vec(),
            qos,
            retain: false,
            dup: false,
            packet_id: Some(1),
            properties: Default::default(),
            matched_filters: vec![],
        };
        model.push_event(Event {
            at: i,
            kind: EventKind::Delivered { message },
        });
        if i % PER_FRAME == 0 {
            model.drain(FRAME_BUDGET);
        }
    }
    model.drain(usize::MAX);
    assert!(model.health.topics_tracked() <= MAX_TOPICS);
    let snap = model.health.snapshot(FLOOD);
    assert_eq!(snap.per_qos.iter().map(|q| q.received).sum::<u64>(), FLOOD);
    assert_eq!(
        model.other_messages(),
        FLOOD,
        "t/... is neither an alarm nor a stock topic"
    );
}

#[test]
fn the_bench_feeds_every_message_in_frames_of_its_size() {
    let mut ticks = 0.0;
    let clock = move || {
        ticks += 0.5;
        ticks
    };
    let report = qoscope::app::dashboard::bench::run_bench(1_000, 334, clock);
    assert_eq!(
        (report.messages, report.frames, report.per_frame),
        (1_000, 3, 334)
    );
    assert_eq!(report.max_frame_ms, 0.5);
    assert!(report.alarms > 0 && report.skus > 0);
}
