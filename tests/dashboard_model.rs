#![cfg(not(target_arch = "wasm32"))]
//! The dashboard's models, driven by scripted messages and events.

use qoscope::app::dashboard::alarms::{AlarmBoard, AlarmKey, AlarmOutcome, AlarmView, Severity};
use qoscope::app::dashboard::health::{percentile, Health, HealthSettings};
use qoscope::app::dashboard::inventory::{sparkline_path, Inventory, StockOutcome, Trust};
use qoscope::app::dashboard::message::{check_filter, filter_matches, parse_filter_list, Incoming};
use qoscope::app::dashboard::settings::{SavedState, STORAGE_KEY};
use qoscope::app::dashboard::traffic::{TrafficGenerator, TrafficSettings};
use qoscope::app::dashboard::DashboardModel;
use qoscope::mqtt::packet::{Packet, PacketType, Publish, QoS};
use qoscope::mqtt::session::{Event, EventKind, FlowDirection, FlowState, Message};
use qoscope::net::storage::{MemoryStorage, Store};

fn key(alarm_type: &str, zone: &str) -> AlarmKey {
    AlarmKey {
        alarm_type: alarm_type.into(),
        zone: zone.into(),
    }
}

fn fire(at: u64) -> Incoming {
    Incoming::new(at, "critical/alarm", r#"{"alarm": "fire", "zone": "A-12"}"#)
        .with_qos(QoS::ExactlyOnce)
}

// ---- alarms ----

#[test]
fn the_seeds_fire_alarm_is_raised_as_critical_for_its_zone() {
    let mut board = AlarmBoard::default();
    assert_eq!(
        board.ingest(&fire(1_000)),
        AlarmOutcome::Raised(key("fire", "A-12"))
    );
    let alarm = board.get(&key("fire", "A-12")).expect("row");
    assert_eq!(alarm.severity, Severity::Critical);
    assert_eq!(
        (alarm.first_seen, alarm.last_seen, alarm.repeat_count),
        (1_000, 1_000, 1)
    );
    assert_eq!(board.unacknowledged(), 1);
}

#[test]
fn repeats_of_the_same_type_and_zone_share_one_row() {
    let mut board = AlarmBoard::default();
    board.ingest(&fire(1_000));
    assert_eq!(
        board.ingest(&fire(2_500)),
        AlarmOutcome::Repeated(key("fire", "A-12"))
    );
    let alarm = board.get(&key("fire", "A-12")).expect("row");
    assert_eq!(
        (alarm.first_seen, alarm.last_seen, alarm.repeat_count),
        (1_000, 2_500, 2)
    );
    assert_eq!(board.len(), 1);
}

#[test]
fn severity_comes_from_the_payload_unless_the_topic_is_critical() {
    let mut board = AlarmBoard::default();
    board.ingest(&Incoming::new(
        1,
        "alarms/door",
        r#"{"alarm":"door","zone":"B","severity":"Minor"}"#,
    ));
    board.ingest(&Incoming::new(
        1,
        "critical/door",
        r#"{"alarm":"door","zone":"C","severity":"info"}"#,
    ));
    board.ingest(&Incoming::new(
        1,
        "alarms/pump",
        r#"{"alarm":"pump","zone":"D"}"#,
    ));
    assert_eq!(
        board.get(&key("door", "B")).map(|a| a.severity),
        Some(Severity::Minor)
    );
    assert_eq!(
        board.get(&key("door", "C")).map(|a| a.severity),
        Some(Severity::Critical)
    );
    assert_eq!(
        board.get(&key("pump", "D")).map(|a| a.severity),
        Some(Severity::Major)
    );
}

#[test]
fn a_payload_that_is_not_json_is_kept_raw_under_its_topic() {
    let mut board = AlarmBoard::default();
    board.ingest(&Incoming::new(5, "alarms/boiler", "OVERHEAT {not json"));
    let alarm = board
        .get(&key("alarms/boiler", ""))
        .expect("kept, not dropped");
    assert_eq!(alarm.payload_text, "OVERHEAT {not json");
    assert!(!alarm.payload_is_json);
    assert_eq!(board.stats().not_json, 1);
}

#[test]
fn html_in_a_payload_is_kept_verbatim_as_text() {
    let mut board = AlarmBoard::default();
    let script = r#"{"alarm":"<script>alert(1)</script>","zone":"<img src=x onerror=alert(2)>"}"#;
    board.ingest(&Incoming::new(1, "alarms/x", script));
    let alarm = board.get(&key(
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(2)>",
    ));
    assert_eq!(alarm.map(|a| a.payload_text.as_str()), Some(script));
}

#[test]
fn a_message_id_seen_before_is_flagged_and_not_counted_twice() {
    let mut board = AlarmBoard::default();
    let msg = Incoming::new(
        1,
        "alarms/fire",
        r#"{"alarm":"fire","zone":"A","msg_id":"m-1"}"#,
    )
    .with_qos(QoS::AtLeastOnce);
    board.ingest(&msg);
    assert_eq!(
        board.ingest(&msg.clone().with_dup()),
        AlarmOutcome::Duplicate(key("fire", "A"))
    );
    assert_eq!(
        board.ingest(&msg),
        AlarmOutcome::Duplicate(key("fire", "A"))
    );
    let alarm = board.get(&key("fire", "A")).expect("row");
    assert_eq!((alarm.repeat_count, alarm.duplicates), (1, 2));
    assert_eq!(board.stats().duplicates, 2);
}

#[test]
fn a_dup_flagged_qos1_resend_without_an_id_is_a_duplicate_but_the_first_copy_counts() {
    let mut board = AlarmBoard::default();
    let msg = Incoming::new(1, "alarms/fire", r#"{"alarm":"fire","zone":"A"}"#)
        .with_qos(QoS::AtLeastOnce);
    // The first copy may carry DUP=1 when the original was lost: it still raises the row.
    assert_eq!(
        board.ingest(&msg.clone().with_dup()),
        AlarmOutcome::Raised(key("fire", "A"))
    );
    assert_eq!(
        board.ingest(&msg.clone().with_dup()),
        AlarmOutcome::Duplicate(key("fire", "A"))
    );
    assert_eq!(
        board.get(&key("fire", "A")).map(|a| a.repeat_count),
        Some(1)
    );
}

#[test]
fn at_qos2_a_dup_flag_marks_the_first_delivery_and_counts() {
    let mut board = AlarmBoard::default();
    board.ingest(&fire(1));
    assert_eq!(
        board.ingest(&fire(2).with_dup()),
        AlarmOutcome::Repeated(key("fire", "A-12"))
    );
}

#[test]
fn acknowledging_lowers_the_unacknowledged_count_and_a_fresh_occurrence_raises_it_again() {
    let mut board = AlarmBoard::default();
    board.ingest(&fire(1));
    board.ingest(&Incoming::new(
        1,
        "alarms/security",
        r#"{"alarm":"intrusion","zone":"Gate-3"}"#,
    ));
    assert_eq!(board.unacknowledged(), 2);
    assert!(board.acknowledge(&key("fire", "A-12")));
    assert_eq!(board.unacknowledged(), 1);
    assert!(
        board.acknowledge(&key("fire", "A-12")),
        "acknowledging twice is harmless"
    );
    assert_eq!(board.unacknowledged(), 1);
    board.ingest(&fire(9));
    assert_eq!(board.unacknowledged(), 2);
    assert!(!board.get(&key("fire", "A-12")).expect("row").acknowledged);
}

#[test]
fn acknowledge_all_only_touches_the_rows_the_filter_shows() {
    let mut board = AlarmBoard::default();
    board.ingest(&fire(1));
    board.ingest(&Incoming::new(
        1,
        "alarms/security",
        r#"{"alarm":"motion","zone":"B","severity":"minor"}"#,
    ));
    let minor_only = AlarmView {
        severity: Some(Severity::Minor),
        ..Default::default()
    };
    assert_eq!(board.acknowledge_all(&minor_only), 1);
    assert_eq!(board.unacknowledged(), 1);
    assert_eq!(board.acknowledge_all(&AlarmView::default()), 1);
    assert_eq!(board.unacknowledged(), 0);
}

#[test]
fn clearing_publishes_a_retained_empty_message_only_when_asked() {
    let mut board = AlarmBoard::default();
    board.ingest(&fire(1));
    board.ingest(&Incoming::new(
        1,
        "alarms/security",
        r#"{"alarm":"intrusion","zone":"G"}"#,
    ));
    assert_eq!(board.clear(&key("intrusion", "G"), false), None);
    let intent = board
        .clear(&key("fire", "A-12"), true)
        .expect("publish intent");
    assert_eq!(intent.topic, "critical/alarm");
    assert!(intent.retain && intent.payload.is_empty());
    assert_eq!((board.len(), board.unacknowledged()), (0, 0));
}

#[test]
fn an_empty_message_on_an_alarm_topic_clears_the_rows_from_that_topic() {
    let mut board = AlarmBoard::default();
    board.ingest(&fire(1));
    assert_eq!(
        board.ingest(&Incoming::new(2, "critical/alarm", "").with_retain()),
        AlarmOutcome::Cleared(1)
    );
    assert!(board.is_empty());
}

#[test]
fn filters_select_by_severity_zone_and_text() {
    let mut board = AlarmBoard::default();
    board.ingest(&fire(1));
    board.ingest(&Incoming::new(
        2,
        "alarms/security",
        r#"{"alarm":"motion","zone":"Gate-3","severity":"minor"}"#,
    ));
    let by_zone = AlarmView {
        zone: "gate".into(),
        ..Default::default()
    };
    let by_text = AlarmView {
        text: "FIRE".into(),
        ..Default::default()
    };
    let by_severity = AlarmView {
        severity: Some(Severity::Critical),
        ..Default::default()
    };
    assert_eq!(
        board.visible(&by_zone, 10).0[0].key,
        key("motion", "Gate-3")
    );
    assert_eq!(board.visible(&by_text, 10).0[0].key, key("fire", "A-12"));
    assert_eq!(board.visible(&by_severity, 10).1, 1);
}

#[test]
fn the_list_shows_unacknowledged_and_most_severe_first() {
    let mut board = AlarmBoard::default();
    board.ingest(&Incoming::new(
        1,
        "alarms/a",
        r#"{"alarm":"a","severity":"info"}"#,
    ));
    board.ingest(&fire(2));
    board.ingest(&Incoming::new(
        3,
        "alarms/b",
        r#"{"alarm":"b","severity":"minor"}"#,
    ));
    board.acknowledge(&key("fire", "A-12"));
    let order: Vec<String> = board
        .visible(&AlarmView::default(), 10)
        .0
        .iter()
        .map(|a| a.key.alarm_type.clone())
        .collect();
    assert_eq!(order, ["b", "a", "fire"]);
}

#[test]
fn field_names_are_configurable() {
    let mut settings = qoscope::app::dashboard::alarms::AlarmSettings::default();
    settings.fields.alarm_type = "kind".into();
    settings.fields.zone = "area".into();
    settings.filters = vec!["plant/+/alarm".into()];
    let mut board = AlarmBoard::new(settings);
    assert!(board.accepts("plant/north/alarm") && !board.accepts("alarms/x"));
    board.ingest(&Incoming::new(
        1,
        "plant/north/alarm",
        r#"{"kind":"gas","area":"N-1"}"#,
    ));
    assert!(board.get(&key("gas", "N-1")).is_some());
}

#[test]
fn acknowledgements_restored_after_a_reload_apply_to_retained_replays_only() {
    let mut board = AlarmBoard::default();
    board.restore_acknowledged([key("fire", "A-12")]);
    board.ingest(&fire(1).with_retain());
    assert_eq!(board.unacknowledged(), 0);
    board.ingest(&fire(2));
    assert_eq!(board.unacknowledged(), 1, "a fresh fire re-raises it");
}

// ---- inventory ----

fn stock(at: u64, payload: &str, qos: QoS) -> Incoming {
    Incoming::new(at, "inventory/A-100", payload).with_qos(qos)
}

#[test]
fn a_level_sets_the_count_and_deltas_change_it() {
    let mut inv = Inventory::default();
    inv.ingest(&stock(1, r#"{"sku":"A-100","level":42}"#, QoS::ExactlyOnce));
    inv.ingest(&stock(
        2,
        r#"{"sku":"A-100","delta":-3,"msg_id":"m1"}"#,
        QoS::ExactlyOnce,
    ));
    let item = inv.get("A-100").expect("sku");
    assert_eq!(
        (item.count, item.last_change, item.last_delta),
        (39, 2, Some(-3))
    );
    assert_eq!(item.trust(), Trust::Trusted);
    assert_eq!(
        item.history.iter().map(|p| p.1).collect::<Vec<_>>(),
        [42, 39]
    );
}

#[test]
fn out_of_order_deltas_give_the_same_count() {
    let deltas = [(1, 5), (2, -3), (3, 10), (4, -1)];
    let mut in_order = Inventory::default();
    let mut reversed = Inventory::default();
    for (n, d) in deltas {
        in_order.ingest(&stock(
            n,
            &format!(r#"{{"sku":"A-100","delta":{d},"msg_id":"m{n}"}}"#),
            QoS::ExactlyOnce,
        ));
    }
    for (n, d) in deltas.iter().rev() {
        reversed.ingest(&stock(
            *n,
            &format!(r#"{{"sku":"A-100","delta":{d},"msg_id":"m{n}"}}"#),
            QoS::ExactlyOnce,
        ));
    }
    assert_eq!(in_order.get("A-100").map(|i| i.count), Some(11));
    assert_eq!(reversed.get("A-100").map(|i| i.count), Some(11));
    assert_eq!(reversed.get("A-100").map(|i| i.last_change), Some(4));
}

#[test]
fn a_delta_whose_id_was_seen_is_skipped_but_makes_a_qos1_count_untrusted() {
    let mut inv = Inventory::default();
    let delta = stock(
        1,
        r#"{"sku":"A-100","delta":-3,"msg_id":"m1"}"#,
        QoS::AtLeastOnce,
    );
    inv.ingest(&stock(0, r#"{"sku":"A-100","level":42}"#, QoS::AtLeastOnce));
    inv.ingest(&delta);
    assert_eq!(
        inv.ingest(&delta.clone().with_dup()),
        StockOutcome::DuplicateSkipped {
            sku: "A-100".into()
        }
    );
    let item = inv.get("A-100").expect("sku");
    assert_eq!(item.count, 39, "not counted twice");
    assert_eq!(
        item.trust(),
        Trust::CannotBeTrusted {
            duplicates: 1,
            low_qos_deltas: 1
        }
    );
}

#[test]
fn a_qos2_copy_of_a_counted_delta_is_told_apart_as_the_brokers_repeat() {
    let mut inv = Inventory::default();
    let delta = stock(
        1,
        r#"{"sku":"A-100","delta":1,"msg_id":"m1"}"#,
        QoS::ExactlyOnce,
    );
    inv.ingest(&delta);
    // What Mosquitto resends after a restart: a new QoS 2 delivery, DUP or not.
    inv.ingest(&delta);
    inv.ingest(&delta.clone().with_dup());
    let item = inv.get("A-100").expect("sku");
    assert_eq!(item.count, 1, "counted once");
    assert_eq!((item.duplicates_skipped, item.broker_repeats), (2, 2));
    assert_eq!(item.trust(), Trust::Trusted, "nothing at QoS 0/1 to doubt");

    // A QoS 1 copy is the protocol's own at-least-once, not the broker's repeat.
    let low = stock(
        2,
        r#"{"sku":"B-7","delta":1,"msg_id":"m2"}"#,
        QoS::AtLeastOnce,
    );
    inv.ingest(&low);
    inv.ingest(&low.clone().with_dup());
    let item = inv.get("B-7").expect("sku");
    assert_eq!((item.duplicates_skipped, item.broker_repeats), (1, 0));
}

#[test]
fn qos1_resends_without_ids_double_count_and_the_count_cannot_be_trusted() {
    let mut inv = Inventory::default();
    let delta = stock(1, r#"{"sku":"A-100","delta":-3}"#, QoS::AtLeastOnce);
    inv.ingest(&stock(0, r#"{"sku":"A-100","level":42}"#, QoS::AtLeastOnce));
    inv.ingest(&delta);
    assert_eq!(
        inv.ingest(&delta.clone().with_dup()),
        StockOutcome::Delta {
            sku: "A-100".into(),
            suspect: true
        }
    );
    let item = inv.get("A-100").expect("sku");
    assert_eq!(
        item.count, 36,
        "the resend was counted: the seeds' QoS 1 double count"
    );
    assert!(matches!(item.trust(), Trust::CannotBeTrusted { .. }));
}

#[test]
fn qos2_deltas_stay_trusted_even_with_a_dup_flag() {
    let mut inv = Inventory::default();
    inv.ingest(&stock(1, r#"{"sku":"A-100","delta":-3}"#, QoS::ExactlyOnce).with_dup());
    assert_eq!(inv.get("A-100").map(|i| i.trust()), Some(Trust::Trusted));
}

#[test]
fn a_level_resets_the_count_and_the_trust() {
    let mut inv = Inventory::default();
    let delta = stock(1, r#"{"sku":"A-100","delta":-3}"#, QoS::AtLeastOnce);
    inv.ingest(&delta);
    inv.ingest(&delta.clone().with_dup());
    inv.ingest(&stock(5, r#"{"sku":"A-100","level":50}"#, QoS::AtLeastOnce));
    let item = inv.get("A-100").expect("sku");
    assert_eq!((item.count, item.trust()), (50, Trust::Trusted));
}

#[test]
fn the_sku_falls_back_to_the_last_topic_level_and_a_bare_number_is_a_level() {
    let mut inv = Inventory::default();
    inv.ingest(&Incoming::new(1, "inventory/B-7", "17"));
    assert_eq!(inv.get("B-7").map(|i| i.count), Some(17));
}

#[test]
fn malformed_inventory_payloads_are_kept_raw_and_change_nothing() {
    let mut inv = Inventory::default();
    assert_eq!(
        inv.ingest(&Incoming::new(
            1,
            "inventory/A-100",
            "{\"sku\": \"A-100\", \"level\":"
        )),
        StockOutcome::Unreadable
    );
    assert_eq!(
        inv.ingest(&Incoming::new(
            2,
            "inventory/A-100",
            "<img src=x onerror=alert(1)>"
        )),
        StockOutcome::Unreadable
    );
    assert!(inv.is_empty());
    let texts: Vec<&str> = inv.unreadable().map(|u| u.text.as_str()).collect();
    assert_eq!(
        texts,
        [
            "{\"sku\": \"A-100\", \"level\":",
            "<img src=x onerror=alert(1)>"
        ]
    );
}

#[test]
fn low_stock_uses_the_sku_threshold_or_the_default() {
    let mut settings = qoscope::app::dashboard::inventory::InventorySettings::default();
    settings.low_stock.insert("A-100".into(), 50);
    let mut inv = Inventory::new(settings);
    inv.ingest(&stock(1, r#"{"sku":"A-100","level":42}"#, QoS::ExactlyOnce));
    inv.ingest(&stock(1, r#"{"sku":"B-1","level":42}"#, QoS::ExactlyOnce));
    inv.ingest(&stock(1, r#"{"sku":"C-1","level":9}"#, QoS::ExactlyOnce));
    let low: Vec<bool> = ["A-100", "B-1", "C-1"]
        .iter()
        .map(|s| inv.is_low(inv.get(s).expect("sku")))
        .collect();
    assert_eq!(low, [true, false, true]);
}

#[test]
fn a_sparkline_spans_its_box_with_the_highest_count_on_top() {
    assert_eq!(
        sparkline_path(&[0, 10, 5], 100.0, 20.0),
        "M0.0 20.0 L50.0 0.0 L100.0 10.0"
    );
    assert_eq!(sparkline_path(&[], 100.0, 20.0), "");
    assert_eq!(sparkline_path(&[7], 100.0, 20.0), "M0.0 20.0");
}

// ---- health ----

fn ev(at: u64, kind: EventKind) -> Event {
    Event { at, kind }
}

fn flow(at: u64, id: u16, qos: QoS, from: FlowState, to: FlowState) -> Event {
    ev(
        at,
        EventKind::Flow {
            packet_id: id,
            direction: FlowDirection::Outgoing,
            qos,
            from,
            to,
        },
    )
}

fn delivered(at: u64, topic: &str, payload: &str, qos: QoS) -> Event {
    let message = Message {
        topic: topic.into(),
        payload: payload.into(),
        qos,
        retain: false,
        dup: false,
        packet_id: None,
        properties: Default::default(),
        matched_filters: vec![],
    };
    ev(at, EventKind::Delivered { message })
}

fn sent_publish(at: u64, topic: &str, qos: QoS, id: Option<u16>, dup: bool) -> Event {
    let publish = Publish {
        topic: topic.into(),
        qos,
        packet_id: id,
        dup,
        ..Default::default()
    };
    ev(
        at,
        EventKind::PacketSent {
            packet: Packet::Publish(publish),
            bytes: vec![],
        },
    )
}

#[test]
fn qos2_completion_rate_counts_completed_against_finished_handshakes() {
    let mut health = Health::default();
    for id in 1..=4u16 {
        health.on_event(&flow(
            0,
            id,
            QoS::ExactlyOnce,
            FlowState::Queued,
            FlowState::AwaitingPubrec,
        ));
    }
    for id in 1..=3u16 {
        health.on_event(&flow(
            10 * u64::from(id),
            id,
            QoS::ExactlyOnce,
            FlowState::AwaitingPubcomp,
            FlowState::Done,
        ));
    }
    health.on_event(&flow(
        50,
        4,
        QoS::ExactlyOnce,
        FlowState::AwaitingPubrec,
        FlowState::Abandoned,
    ));
    let snap = health.snapshot(100);
    assert_eq!(
        (snap.qos2_started, snap.qos2_completed, snap.qos2_abandoned),
        (4, 3, 1)
    );
    assert_eq!(snap.qos2_completion_rate(), Some(0.75));
    assert_eq!(snap.in_flight(), 0);
}

#[test]
fn a_handshake_open_longer_than_the_threshold_is_reported_as_stuck() {
    let mut health = Health::new(HealthSettings {
        stuck_handshake_ms: 1_000,
    });
    health.on_event(&flow(
        0,
        7,
        QoS::ExactlyOnce,
        FlowState::Queued,
        FlowState::AwaitingPubrec,
    ));
    health.on_event(&flow(
        900,
        8,
        QoS::ExactlyOnce,
        FlowState::Queued,
        FlowState::AwaitingPubrec,
    ));
    let snap = health.snapshot(1_500);
    assert_eq!(snap.stuck_count, 1);
    assert_eq!((snap.stuck[0].packet_id, snap.stuck[0].age_ms), (7, 1_500));
    assert_eq!(snap.per_qos[2].in_flight, 2);
}

#[test]
fn resends_count_as_retries_not_as_new_messages() {
    let mut health = Health::default();
    health.on_event(&sent_publish(0, "t", QoS::ExactlyOnce, Some(1), false));
    health.on_event(&sent_publish(5, "t", QoS::ExactlyOnce, Some(1), true));
    for packet_type in [PacketType::Publish, PacketType::Pubrel] {
        health.on_event(&ev(
            9,
            EventKind::Retry {
                packet_id: 1,
                packet_type,
                attempt: 2,
            },
        ));
    }
    let snap = health.snapshot(10);
    assert_eq!((snap.per_qos[2].sent, snap.retries), (1, 2));
}

#[test]
fn suppressed_duplicates_and_latencies_come_from_the_session() {
    let mut health = Health::default();
    health.on_event(&ev(0, EventKind::DuplicateSuppressed { packet_id: 3 }));
    for latency_ms in [4, 6] {
        health.on_event(&ev(
            0,
            EventKind::PublishComplete {
                packet_id: 1,
                qos: QoS::AtLeastOnce,
                latency_ms,
            },
        ));
    }
    let snap = health.snapshot(0);
    assert_eq!(snap.duplicates_suppressed, 1);
    assert_eq!(
        (snap.latency_avg_ms, snap.latency_p99_ms),
        (Some(5.0), Some(6))
    );
}

#[test]
fn delivered_messages_count_per_qos_and_reach_the_alarm_list() {
    let mut model = DashboardModel::default();
    model.push_event(delivered(
        7,
        "critical/alarm",
        r#"{"alarm": "fire", "zone": "A-12"}"#,
        QoS::ExactlyOnce,
    ));
    model.drain(10);
    assert_eq!(model.health.snapshot(7).per_qos[2].received, 1);
    assert_eq!(
        model.alarms.get(&key("fire", "A-12")).map(|a| a.first_seen),
        Some(7)
    );
}

#[test]
fn one_topic_at_two_qos_levels_is_warned_about() {
    let mut health = Health::default();
    health.on_event(&sent_publish(
        0,
        "inventory/A-100",
        QoS::AtLeastOnce,
        Some(1),
        false,
    ));
    health.on_event(&sent_publish(
        0,
        "inventory/A-100",
        QoS::ExactlyOnce,
        Some(2),
        false,
    ));
    health.on_event(&sent_publish(
        0,
        "alarms/x",
        QoS::ExactlyOnce,
        Some(3),
        false,
    ));
    let mixed = health.snapshot(0).mixed_qos;
    assert_eq!(mixed.len(), 1);
    assert_eq!(mixed[0].topic, "inventory/A-100");
    assert_eq!(mixed[0].levels, [QoS::AtLeastOnce, QoS::ExactlyOnce]);
}

#[test]
fn p99_is_the_nearest_rank() {
    assert_eq!(percentile(1..=100u64, 99), Some(99));
    assert_eq!(percentile(std::iter::empty(), 99), None);
    assert_eq!(percentile([5u64].into_iter(), 99), Some(5));
}

// ---- topics, settings, generator, model ----

#[test]
fn topic_filters_match_and_bad_ones_are_explained() {
    assert!(filter_matches("alarms/#", "alarms/fire/A"));
    assert!(filter_matches("alarms/#", "alarms"));
    assert!(filter_matches("inventory/+", "inventory/A-100"));
    assert!(!filter_matches("inventory/+", "inventory/A/B"));
    assert!(!filter_matches("#", "$SYS/broker"));
    assert!(check_filter("alarms/#/x")
        .unwrap_err()
        .contains("last level"));
    assert!(check_filter("a+/b")
        .unwrap_err()
        .contains("alone in its level"));
    assert_eq!(
        parse_filter_list("alarms/#, critical/#\n").unwrap(),
        ["alarms/#", "critical/#"]
    );
    assert!(parse_filter_list(" , ").is_err());
}

#[test]
fn settings_and_acknowledgements_survive_a_reload() {
    let store = MemoryStorage::default();
    let mut model = DashboardModel::default();
    let mut settings = SavedState::default().settings;
    settings.inventory.default_low_stock = 25;
    settings.alarms.filters = vec!["site/+/alarm".into()];
    model.apply_settings(&settings);
    model.ingest(
        &Incoming::new(1, "site/a/alarm", r#"{"alarm":"fire","zone":"Z"}"#),
        &mut Default::default(),
    );
    model.alarms.acknowledge(&key("fire", "Z"));
    assert!(model.saved_state(&settings).save(&store));

    let restored = SavedState::load(&store);
    assert_eq!(restored.settings, settings);
    let mut reloaded = DashboardModel::from_saved(restored);
    reloaded.ingest(
        &Incoming::new(2, "site/a/alarm", r#"{"alarm":"fire","zone":"Z"}"#).with_retain(),
        &mut Default::default(),
    );
    assert_eq!(reloaded.alarms.unacknowledged(), 0);
}

#[test]
fn corrupt_or_missing_storage_gives_the_defaults() {
    let store = MemoryStorage::default();
    assert_eq!(SavedState::load(&store), SavedState::default());
    store.set(STORAGE_KEY, "{not json").unwrap();
    assert_eq!(SavedState::load(&store), SavedState::default());
    store
        .set(
            STORAGE_KEY,
            r#"{"settings":{"inventory":{"default_low_stock":3}}}"#,
        )
        .unwrap();
    let partial = SavedState::load(&store);
    assert_eq!(partial.settings.inventory.default_low_stock, 3);
    assert_eq!(partial.settings.alarms.filters, ["alarms/#", "critical/#"]);
}

#[test]
fn the_generator_sends_at_the_chosen_rate_and_qos() {
    let settings = TrafficSettings {
        rate_per_s: 100,
        qos: QoS::ExactlyOnce,
        ..Default::default()
    };
    let mut generator = TrafficGenerator::new(settings, 42);
    assert!(
        generator.due(1_000).is_empty(),
        "the clock starts at the first call"
    );
    let batch = generator.due(1_500);
    assert_eq!(batch.len(), 50);
    assert!(batch.iter().all(|p| p.qos == QoS::ExactlyOnce && !p.retain));
    let model = DashboardModel::default();
    let alarm_or_stock = |t: &str| model.alarms.accepts(t) || model.inventory.accepts(t);
    assert!(batch.iter().all(|p| alarm_or_stock(&p.topic)));
}

#[test]
fn generated_traffic_fills_the_dashboard() {
    let mut generator = TrafficGenerator::new(TrafficSettings::default(), 7);
    let mut model = DashboardModel::default();
    generator.due(0);
    for publish in generator.due(60_000) {
        model.push_message(Incoming {
            topic: publish.topic,
            payload: publish.payload,
            qos: publish.qos,
            ..Default::default()
        });
    }
    model.drain(usize::MAX);
    assert!(!model.alarms.is_empty() && !model.inventory.is_empty());
    assert_eq!(model.inventory.stats().unreadable, 0);
}

#[test]
fn the_model_subscribes_to_each_filter_once_at_qos2() {
    let model = DashboardModel::default();
    let subs = model.subscriptions();
    let names: Vec<&str> = subs.iter().map(|s| s.filter.as_str()).collect();
    assert_eq!(names, ["alarms/#", "critical/#", "inventory/#"]);
    assert!(subs.iter().all(|s| s.qos == QoS::ExactlyOnce));
}

#[test]
fn a_drain_reports_new_critical_alarms_but_not_retained_replays() {
    let mut model = DashboardModel::default();
    model.push_message(fire(1).with_retain());
    assert!(model.drain(10).new_critical.is_empty());
    model.push_message(fire(2));
    assert_eq!(model.drain(10).new_critical, [key("fire", "A-12")]);
}

#[test]
fn a_drain_stops_at_its_budget() {
    let mut model = DashboardModel::default();
    for i in 0..10 {
        model.push_message(fire(i));
    }
    let report = model.drain(4);
    assert_eq!((report.processed, report.remaining), (4, 6));
}

#[test]
fn the_tab_title_leads_with_the_unacknowledged_count() {
    use qoscope::app::dashboard::browser::title_with_count;
    assert_eq!(title_with_count("QoScope", 3), "(3) QoScope");
    assert_eq!(title_with_count("QoScope", 0), "QoScope");
}

#[test]
fn a_drain_reports_the_last_connection_change() {
    use qoscope::mqtt::session::DisconnectReason;
    let mut model = DashboardModel::default();
    model.push_event(ev(
        0,
        EventKind::Disconnected {
            reason: DisconnectReason::TransportClosed,
        },
    ));
    assert_eq!(model.drain(10).connection, Some(false));
    assert_eq!(model.drain(10).connection, None);
}

#[test]
fn a_drain_says_how_far_behind_live_its_newest_message_arrived() {
    use qoscope::app::dashboard::model::{DrainReport, BEHIND_NOTICE_MS};
    let report = |at| DrainReport {
        newest_arrival: Some(at),
        ..DrainReport::default()
    };
    assert_eq!(
        report(10_000).behind_ms(10_000 + BEHIND_NOTICE_MS - 1),
        Some(0)
    );
    assert_eq!(report(10_000).behind_ms(14_270), Some(4_200));
    assert_eq!(DrainReport::default().behind_ms(14_270), None);
}

#[test]
fn an_alarm_is_digested_as_it_arrives_ahead_of_any_backlog_and_never_shed() {
    use qoscope::app::dashboard::model::QUEUE_CAP;
    let mut model = DashboardModel::default();
    // A backlog the page has not got to: a frame may be seconds away in a hidden tab.
    for i in 0..(QUEUE_CAP as u64 + 10) {
        let stock = format!(r#"{{"sku": "A-{i}", "delta": 1}}"#);
        assert_eq!(
            model.push_event(delivered(i, "inventory/x", &stock, QoS::AtLeastOnce)),
            None,
            "stock waits for the frame"
        );
    }
    assert_eq!(
        model.queue().shed(),
        10,
        "the oldest stock messages are shed"
    );

    let report = model
        .push_event(delivered(
            99,
            "critical/alarm",
            r#"{"alarm": "fire", "zone": "A-12"}"#,
            QoS::ExactlyOnce,
        ))
        .expect("an alarm is digested at once");
    assert_eq!(
        report.new_critical,
        vec![key("fire", "A-12")],
        "it alerts at once"
    );
    assert!(
        model.alarms.get(&key("fire", "A-12")).is_some(),
        "no drain needed"
    );
    assert_eq!(
        model.alarms.unacknowledged(),
        1,
        "the title count is current"
    );
    assert_eq!(
        model.queue().len(),
        QUEUE_CAP,
        "it took no place in the queue"
    );
    assert_eq!(model.queue().shed(), 10, "and shed nothing");
    assert_eq!(model.alarms_at_once(), 1);
}
