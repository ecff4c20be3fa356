#![cfg(not(target_arch = "wasm32"))]
//! What a reload brings back to the operator: the alarm list and the stock
//! table as they were, bounded, each row marked restored until live data
//! confirms it, and duplicate detection that still works across the reload.

use qoscope::app::dashboard::alarms::{AlarmKey, AlarmOutcome, MAX_ALARMS};
use qoscope::app::dashboard::inventory::{StockOutcome, HISTORY_POINTS, MAX_SKUS};
use qoscope::app::dashboard::message::Incoming;
use qoscope::app::dashboard::settings::{
    SavedBoard, SavedState, BOARD_KEY, SAVED_ALARMS, SAVED_HISTORY, SAVED_IDS, SAVED_SKUS,
};
use qoscope::app::dashboard::DashboardModel;
use qoscope::mqtt::packet::QoS;
use qoscope::net::storage::{MemoryStorage, Store};

/// 2026-12-06T08:00:00Z: the app's clock is Unix time, ms.
const T0: u64 = 1_796_544_000_000;

fn key(alarm_type: &str, zone: &str) -> AlarmKey {
    AlarmKey {
        alarm_type: alarm_type.into(),
        zone: zone.into(),
    }
}

fn fire(at: u64, msg_id: &str) -> Incoming {
    Incoming::new(
        at,
        "alarms/hall-1",
        format!(r#"{{"alarm":"fire","zone":"A-12","severity":"critical","msg_id":"{msg_id}"}}"#),
    )
    .with_qos(QoS::ExactlyOnce)
}

fn stock(at: u64, payload: &str) -> Incoming {
    Incoming::new(at, "inventory/A-100", payload).with_qos(QoS::AtLeastOnce)
}

/// A page's model that saw a fire alarm (acknowledged), a door alarm and
/// two SKUs, saved into `store` as the page went away.
fn page_before_reload(store: &MemoryStorage) -> DashboardModel {
    let mut model = DashboardModel::default();
    let mut ignored = Default::default();
    model.ingest(&fire(T0, "f-1"), &mut ignored);
    model.ingest(
        &Incoming::new(
            T0 + 500,
            "alarms/gate",
            r#"{"alarm":"door","zone":"G-2","severity":"minor"}"#,
        ),
        &mut ignored,
    );
    model.alarms.acknowledge(&key("door", "G-2"));
    model.ingest(
        &stock(T0 + 1_000, r#"{"sku":"A-100","level":40}"#),
        &mut ignored,
    );
    model.ingest(
        &stock(T0 + 2_000, r#"{"sku":"A-100","delta":-3,"msg_id":"d-1"}"#),
        &mut ignored,
    );
    model.ingest(
        &stock(T0 + 3_000, r#"{"sku":"B-7","delta":5,"msg_id":"d-2"}"#),
        &mut ignored,
    );
    let bytes = model.saved_board(T0 + 4_000).save(store).expect("saved");
    assert!(bytes > 0);
    model
}

/// The page after the reload: settings and acknowledgements as saved, then the board.
fn page_after_reload(store: &MemoryStorage, saved: SavedState) -> DashboardModel {
    let mut model = DashboardModel::from_saved(saved);
    model.restore_board(SavedBoard::load(store).expect("a board to restore"));
    model
}

#[test]
fn a_reload_brings_back_every_alarm_and_count_marked_restored() {
    let store = MemoryStorage::default();
    let before = page_before_reload(&store);
    let after = page_after_reload(&store, before.saved_state(&Default::default()));

    let fire = after.alarms.get(&key("fire", "A-12")).expect("fire row");
    assert!(fire.restored);
    assert_eq!((fire.first_seen, fire.repeat_count), (T0, 1));
    assert!(!fire.acknowledged);
    let door = after.alarms.get(&key("door", "G-2")).expect("door row");
    assert!(door.restored && door.acknowledged);
    assert_eq!(
        after.alarms.unacknowledged(),
        1,
        "only the fire is unacknowledged"
    );
    assert_eq!(after.alarms.restored(), 2);

    let a100 = after.inventory.get("A-100").expect("A-100");
    assert_eq!((a100.count, a100.anchored, a100.restored), (37, true, true));
    assert_eq!(
        a100.history.iter().copied().collect::<Vec<_>>(),
        vec![(T0 + 1_000, 40), (T0 + 2_000, 37)]
    );
    assert_eq!(after.inventory.get("B-7").map(|i| i.count), Some(5));
    assert_eq!(after.inventory.restored(), 2);
    assert_eq!(
        after.alarms.stats(),
        before.alarms.stats(),
        "the totals carry over"
    );
    assert_eq!(after.inventory.stats(), before.inventory.stats());
}

#[test]
fn live_data_confirms_what_was_restored() {
    let store = MemoryStorage::default();
    let before = page_before_reload(&store);
    let mut after = page_after_reload(&store, before.saved_state(&Default::default()));
    let mut report = Default::default();

    // The broker replays its retained copy when the dashboard subscribes again:
    // the row is live again, and it was already counted before the reload.
    let retained = fire(T0 + 9_000, "f-1").with_retain();
    assert_eq!(
        after.alarms.ingest(&retained),
        AlarmOutcome::Confirmed(key("fire", "A-12"))
    );
    let row = after.alarms.get(&key("fire", "A-12")).unwrap();
    assert!(!row.restored);
    assert_eq!((row.repeat_count, row.duplicates), (1, 0));

    // A new occurrence confirms a row too, and counts.
    after.ingest(
        &Incoming::new(
            T0 + 9_500,
            "alarms/gate",
            r#"{"alarm":"door","zone":"G-2","severity":"minor"}"#,
        ),
        &mut report,
    );
    let door = after.alarms.get(&key("door", "G-2")).unwrap();
    assert!(!door.restored);
    assert_eq!(door.repeat_count, 2);
    assert_eq!(after.alarms.restored(), 0);

    // A delta lands on the restored count but cannot vouch for what the page
    // missed while away; a level can.
    after.ingest(
        &stock(T0 + 10_000, r#"{"sku":"A-100","delta":-2,"msg_id":"d-3"}"#),
        &mut report,
    );
    let a100 = after.inventory.get("A-100").unwrap();
    assert_eq!((a100.count, a100.restored), (35, true));
    after.ingest(
        &stock(T0 + 11_000, r#"{"sku":"A-100","level":34}"#),
        &mut report,
    );
    let a100 = after.inventory.get("A-100").unwrap();
    assert_eq!((a100.count, a100.restored), (34, false));
    assert_eq!(after.inventory.restored(), 1, "B-7 still waits for a level");
}

#[test]
fn a_resend_after_the_reload_is_still_caught_by_its_message_id() {
    let store = MemoryStorage::default();
    let before = page_before_reload(&store);
    let mut after = page_after_reload(&store, before.saved_state(&Default::default()));

    // The same delta again (a QoS 1 resend, or a broker replaying its queue).
    let resend = stock(T0 + 20_000, r#"{"sku":"B-7","delta":5,"msg_id":"d-2"}"#).with_dup();
    assert_eq!(
        after.inventory.ingest(&resend),
        StockOutcome::DuplicateSkipped { sku: "B-7".into() }
    );
    assert_eq!(
        after.inventory.get("B-7").unwrap().count,
        5,
        "not counted twice"
    );

    let again = fire(T0 + 20_000, "f-1");
    assert_eq!(
        after.alarms.ingest(&again),
        AlarmOutcome::Duplicate(key("fire", "A-12"))
    );
}

#[test]
fn the_saved_board_stays_bounded_under_a_flood_of_rows_and_ids() {
    let mut model = DashboardModel::default();
    let mut report = Default::default();
    let big = "x".repeat(10_000);
    for i in 0..(MAX_ALARMS as u64 + 200) {
        model.ingest(
            &Incoming::new(
                T0 + i,
                "alarms/flood",
                format!(r#"{{"alarm":"a{i}","zone":"Z-{i}","msg_id":"m{i}","note":"{big}"}}"#),
            ),
            &mut report,
        );
    }
    for i in 0..(MAX_SKUS as u64 + 200) {
        for step in 0..(HISTORY_POINTS as u64 + 5) {
            model.ingest(
                &stock(
                    T0 + i * 100 + step,
                    &format!(r#"{{"sku":"S-{i}","delta":1,"msg_id":"s{i}-{step}"}}"#),
                ),
                &mut report,
            );
        }
    }

    let board = model.saved_board(T0);
    assert_eq!(board.alarms.rows.len(), SAVED_ALARMS);
    assert_eq!(
        board.alarms.rows.last().map(|a| a.key.alarm_type.as_str()),
        Some("a1199"),
        "the most recently seen rows are kept"
    );
    assert!(board
        .alarms
        .rows
        .iter()
        .all(|a| a.payload_text.chars().count() <= 513));
    assert_eq!(board.stock.items.len(), SAVED_SKUS);
    assert!(board
        .stock
        .items
        .iter()
        .all(|i| i.history.len() <= SAVED_HISTORY));
    assert_eq!(board.alarms.ids.len(), (MAX_ALARMS + 200).min(SAVED_IDS));
    assert_eq!(board.stock.ids.len(), SAVED_IDS);

    let store = MemoryStorage::default();
    let bytes = board.save(&store).expect("saved");
    println!(
        "worst-case saved board: {bytes} bytes ({} alarm rows, {} SKUs, {} + {} ids)",
        board.alarms.rows.len(),
        board.stock.items.len(),
        board.alarms.ids.len(),
        board.stock.ids.len()
    );
    assert!(
        bytes < 2_000_000,
        "{bytes} bytes: localStorage allows about 5 M characters per origin"
    );

    let mut restored = DashboardModel::default();
    restored.restore_board(SavedBoard::load(&store).unwrap());
    assert_eq!(restored.alarms.len(), SAVED_ALARMS);
    assert_eq!(restored.inventory.len(), SAVED_SKUS);
    assert_eq!(
        restored.inventory.get("S-1199").map(|i| i.count),
        model.inventory.get("S-1199").map(|i| i.count)
    );
}

#[test]
fn a_stored_board_over_the_caps_is_cut_and_garbage_restores_nothing() {
    let store = MemoryStorage::default();
    assert!(SavedBoard::load(&store).is_none(), "nothing saved yet");
    store.set(BOARD_KEY, "{not json").unwrap();
    assert!(SavedBoard::load(&store).is_none());

    let mut board = SavedBoard::default();
    board.alarms.ids = (0..SAVED_IDS + 10).map(|i| format!("id{i}")).collect();
    board.save(&store);
    let loaded = SavedBoard::load(&store).unwrap();
    assert_eq!(loaded.alarms.ids.len(), SAVED_IDS);
    assert_eq!(
        loaded.alarms.ids.last().map(String::as_str),
        Some(format!("id{}", SAVED_IDS + 9).as_str()),
        "the newest ids are kept"
    );
    assert!(loaded.is_empty(), "ids alone are nothing to show");
}

#[test]
fn an_unchanged_board_has_the_same_revision_so_it_is_not_saved_again() {
    let store = MemoryStorage::default();
    let mut model = page_before_reload(&store);
    let revision = model.board_revision();
    assert_eq!(model.board_revision(), revision);
    let mut report = Default::default();
    model.ingest(
        &stock(T0 + 5_000, r#"{"sku":"A-100","delta":1}"#),
        &mut report,
    );
    assert_ne!(model.board_revision(), revision);
}
