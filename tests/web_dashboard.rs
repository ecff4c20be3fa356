#![cfg(target_arch = "wasm32")]
//! The dashboard mounted in a real browser, fed scripted messages, checked
//! on the DOM the operator sees.

use leptos::mount::mount_to;
use leptos::prelude::*;
use leptos::task::tick;
use qoscope::app::dashboard::settings::SavedState;
use qoscope::app::dashboard::{Dashboard, DashboardHandle, Incoming};
use qoscope::mqtt::packet::QoS;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

#[path = "web_support/mutations.rs"]
mod mutations;
use mutations::Mutations;

wasm_bindgen_test_configure!(run_in_browser);

const HTML_PAYLOAD: &str = r#"{"alarm":"intrusion","zone":"<img src=x onerror=alert(1)>","note":"<script>alert(2)</script>"}"#;

/// Mounts a dashboard on a fresh element; returns the element, the handle
/// and what keeps it mounted.
fn mount_dashboard() -> (web_sys::HtmlElement, DashboardHandle, impl Drop) {
    let document = document();
    let root: web_sys::HtmlElement = document.create_element("section").unwrap().unchecked_into();
    document.body().unwrap().append_child(&root).unwrap();
    let handle = DashboardHandle::new(SavedState::default(), None);
    let mounted = mount_to(root.clone(), move || view! { <Dashboard handle /> });
    (root, handle, mounted)
}

/// Feeds messages the way the frame loop does, then lets the view update: a
/// frame with them, then a quiet one, which shows what a flooded frame
/// left for later (`app::refresh`).
async fn deliver(handle: DashboardHandle, messages: Vec<Incoming>) {
    for message in messages {
        handle.push_message(message);
    }
    handle.drain_frame();
    handle.drain_frame();
    tick().await;
    tick().await;
}

fn text_of(root: &web_sys::HtmlElement, selector: &str) -> String {
    root.query_selector(selector)
        .unwrap()
        .and_then(|e| e.text_content())
        .unwrap_or_else(|| panic!("no element for {selector}"))
}

fn fire() -> Incoming {
    Incoming::new(1, "critical/alarm", r#"{"alarm": "fire", "zone": "A-12"}"#)
        .with_qos(QoS::ExactlyOnce)
}

#[wasm_bindgen_test]
async fn an_empty_dashboard_says_what_to_do() {
    let (root, _handle, _mounted) = mount_dashboard();
    tick().await;
    assert!(text_of(&root, ".dash-alarms .dash-empty").contains("start the traffic generator"));
    assert!(text_of(&root, ".dash-inventory .dash-empty").contains("inventory/#"));
}

#[wasm_bindgen_test]
async fn the_seeds_fire_alarm_shows_as_a_critical_row() {
    let (root, handle, _mounted) = mount_dashboard();
    deliver(handle, vec![fire()]).await;
    let row = text_of(&root, "tr.dash-alarm");
    assert!(
        row.contains("critical") && row.contains("fire") && row.contains("A-12"),
        "{row}"
    );
    let severity = root
        .query_selector("tr.dash-alarm")
        .unwrap()
        .unwrap()
        .get_attribute("data-severity");
    assert_eq!(severity.as_deref(), Some("critical"));
    assert_eq!(
        text_of(&root, ".dash-alarms .dash-count"),
        "1 unacknowledged"
    );
}

#[wasm_bindgen_test]
async fn acknowledging_lowers_the_count_and_the_tab_title() {
    document().set_title("QoScope");
    let (root, handle, _mounted) = mount_dashboard();
    let security = Incoming::new(
        2,
        "alarms/security",
        r#"{"alarm":"motion","zone":"Gate-3"}"#,
    );
    deliver(handle, vec![fire(), security]).await;
    assert_eq!(
        text_of(&root, ".dash-alarms .dash-count"),
        "2 unacknowledged"
    );
    assert!(
        document().title().starts_with("(2) "),
        "title: {}",
        document().title()
    );

    let ack: web_sys::HtmlElement = root
        .query_selector("button[aria-label='Acknowledge fire in zone A-12']")
        .unwrap()
        .expect("an ack button labelled for the alarm")
        .unchecked_into();
    ack.click();
    tick().await;
    tick().await;
    assert_eq!(
        text_of(&root, ".dash-alarms .dash-count"),
        "1 unacknowledged"
    );
    assert!(
        document().title().starts_with("(1) "),
        "title: {}",
        document().title()
    );
    assert!(root
        .query_selector("tr.dash-alarm.acknowledged")
        .unwrap()
        .is_some());
}

#[wasm_bindgen_test]
async fn html_in_a_payload_is_shown_as_text_never_parsed() {
    let (root, handle, _mounted) = mount_dashboard();
    let raw = Incoming::new(3, "alarms/raw", "<img src=x onerror=alert(3)>not json");
    deliver(
        handle,
        vec![Incoming::new(2, "alarms/x", HTML_PAYLOAD), raw],
    )
    .await;
    let table = root
        .query_selector(".dash-alarm-table")
        .unwrap()
        .expect("table");
    assert!(
        table.query_selector("img").unwrap().is_none(),
        "no <img> element was created"
    );
    assert!(
        table.query_selector("script").unwrap().is_none(),
        "no <script> element was created"
    );
    let text = table.text_content().unwrap_or_default();
    assert!(text.contains("<img src=x onerror=alert(1)>"), "{text}");
    assert!(text.contains("<script>alert(2)</script>"), "{text}");
    assert!(
        text.contains("<img src=x onerror=alert(3)>not json"),
        "{text}"
    );
}

#[wasm_bindgen_test]
async fn a_qos1_resent_delta_marks_the_count_untrusted() {
    let (root, handle, _mounted) = mount_dashboard();
    let delta = Incoming::new(2, "inventory/B-310", r#"{"sku":"B-310","delta":-4}"#)
        .with_qos(QoS::AtLeastOnce);
    let level = Incoming::new(1, "inventory/B-310", r#"{"sku":"B-310","level":12}"#)
        .with_qos(QoS::AtLeastOnce);
    deliver(handle, vec![level, delta.clone(), delta.with_dup()]).await;
    let row = text_of(&root, "tr.dash-stock");
    assert!(row.contains("B-310") && row.contains('4'), "{row}");
    assert!(text_of(&root, ".dash-trust").contains("cannot be trusted"));
    assert!(root
        .query_selector("tr.dash-stock.low svg.dash-spark path")
        .unwrap()
        .is_some());
}

// What `dashboard_bench` returns; the export itself is only in a build with
// the `bench` feature (tested below when it is on).
#[wasm_bindgen_test]
fn the_browser_bench_feeds_every_message_and_reports_json() {
    let json = qoscope::app::dashboard::bench::bench_report_json(5_000);
    let report: serde_json::Value = serde_json::from_str(&json).expect("JSON report");
    assert_eq!(report["messages"], 5_000);
    assert_eq!(report["frames"], 15, "334 messages a frame");
    assert!(report["max_frame_ms"].as_f64().is_some());
    assert!(report["alarms"].as_u64().is_some_and(|n| n > 0));
}

#[cfg(feature = "bench")]
#[wasm_bindgen_test]
fn the_bench_export_reports_the_same_json() {
    let json = qoscope::app::dashboard::bench::dashboard_bench(1_000);
    let report: serde_json::Value = serde_json::from_str(&json).expect("JSON report");
    assert_eq!(report["messages"], 1_000);
    assert_eq!(report["frames"], 3, "334 messages a frame");
}

/// Alarm rows the flood test keeps updating: (type, zone).
const FLOOD_ALARMS: [(&str, &str); 6] = [
    ("intrusion", "Gate-3"),
    ("intrusion", "Dock-1"),
    ("smoke", "A-12"),
    ("smoke", "B-03"),
    ("door", "C-07"),
    ("door", "A-14"),
];
/// SKUs the flood test keeps updating.
const FLOOD_SKUS: [&str; 5] = ["A-100", "A-101", "B-310", "C-042", "D-900"];

fn alarm_message(at: u64, (kind, zone): (&str, &str), severity: &str) -> Incoming {
    let payload =
        format!(r#"{{"alarm":"{kind}","zone":"{zone}","severity":"{severity}","seq":{at}}}"#);
    Incoming::new(at, format!("alarms/{kind}"), payload)
}

fn level_message(at: u64, sku: &str, level: i64) -> Incoming {
    let payload = format!(r#"{{"sku":"{sku}","level":{level}}}"#);
    Incoming::new(at, format!("inventory/{sku}"), payload)
}

/// Message `i` of the flood: alarms and levels in turn, every alarm key and
/// SKU over and over; severities climb to major, and levels cross the
/// low-stock threshold, so rows change and reorder.
fn flood_message(i: u64) -> Incoming {
    let at = 1_000 + i;
    let n = (i / 2) as usize;
    if i.is_multiple_of(2) {
        let severity = ["info", "minor", "major"][(i as usize / 12) % 3];
        alarm_message(at, FLOOD_ALARMS[n % FLOOD_ALARMS.len()], severity)
    } else {
        level_message(at, FLOOD_SKUS[n % FLOOD_SKUS.len()], flood_level(i))
    }
}

fn flood_level(i: u64) -> i64 {
    (i as i64 * 37) % 150
}

/// The `<tr>` rows under `selector`, in order.
fn rows(root: &web_sys::HtmlElement, selector: &str) -> Vec<web_sys::Element> {
    let list = root.query_selector_all(selector).unwrap();
    (0..list.length())
        .filter_map(|i| list.item(i))
        .map(|node| node.unchecked_into())
        .collect()
}

fn cell_text(row: &web_sys::Element, selector: &str) -> String {
    row.query_selector(selector)
        .unwrap()
        .and_then(|e| e.text_content())
        .unwrap_or_else(|| panic!("no {selector} in the row"))
}

/// The number a cell's text starts with (a count is followed by its tags).
fn leading_number(text: &str) -> i64 {
    let digits: String = text
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '-')
        .collect();
    digits
        .parse()
        .unwrap_or_else(|_| panic!("no number in {text:?}"))
}

const FLOOD: u64 = 1_000;
const ALARM_ROWS: &str = ".dash-alarm-table tbody tr";
const STOCK_ROWS: &str = ".dash-stock-table tbody tr";

// Counts DOM work rather than timing it: 1,000 messages repeating the same
// alarm keys and SKUs, over ten frames, change what every row shows and the
// order of the rows, and no `<tr>` is built or removed.
#[wasm_bindgen_test]
async fn flooded_tables_update_their_rows_in_place() {
    let (root, handle, _mounted) = mount_dashboard();
    let alarms = FLOOD_ALARMS
        .iter()
        .zip(0..)
        .map(|(&key, at)| alarm_message(at, key, "info"));
    let levels = FLOOD_SKUS
        .iter()
        .zip(100..)
        .map(|(sku, at)| level_message(at, sku, 500));
    deliver(handle, alarms.chain(levels).collect()).await;
    let alarm_rows = rows(&root, ALARM_ROWS);
    let stock_rows = rows(&root, STOCK_ROWS);
    assert_eq!(alarm_rows.len(), FLOOD_ALARMS.len());
    assert_eq!(stock_rows.len(), FLOOD_SKUS.len());
    let tbodies: Vec<web_sys::Element> = [".dash-alarm-table tbody", ".dash-stock-table tbody"]
        .iter()
        .map(|selector| root.query_selector(selector).unwrap().expect("a tbody"))
        .collect();
    let mutations = Mutations::observe(&tbodies, false);

    for frame in 0..10 {
        let batch = FLOOD / 10;
        deliver(
            handle,
            (frame * batch..(frame + 1) * batch)
                .map(flood_message)
                .collect(),
        )
        .await;
    }

    let (delivered, pending) = mutations.nodes(&["addedNodes", "removedNodes"], "TR");
    assert_eq!(
        (delivered, pending),
        (0, 0),
        "<tr> added or removed (delivered to the observer, pending): no row was rebuilt"
    );
    assert!(
        rows(&root, ALARM_ROWS) == alarm_rows,
        "every alarm row is the same <tr> as before"
    );
    assert!(
        rows(&root, STOCK_ROWS) == stock_rows,
        "every stock row is the same <tr> as before"
    );
    assert_alarm_rows_show_the_flood(&alarm_rows);
    assert_stock_rows_show_the_flood(&stock_rows);
}

/// Every alarm row shows its key's count, latest payload and highest
/// severity after the flood.
fn assert_alarm_rows_show_the_flood(rows: &[web_sys::Element]) {
    let mut expected = std::collections::BTreeMap::new();
    for i in (0..FLOOD).step_by(2) {
        let key = FLOOD_ALARMS[(i / 2) as usize % FLOOD_ALARMS.len()];
        let (count, seq) = expected.entry(key).or_insert((1, 0));
        *count += 1;
        *seq = 1_000 + i;
    }
    let mut shown = std::collections::BTreeMap::new();
    for row in rows {
        let kind = cell_text(row, ".dash-alarm-type");
        let zone = cell_text(row, "td:nth-child(3)");
        let count = leading_number(&cell_text(row, "td:nth-child(6)"));
        let payload = cell_text(row, ".dash-payload code");
        assert_eq!(
            row.get_attribute("data-severity").as_deref(),
            Some("major"),
            "{payload}"
        );
        shown.insert((kind, zone), (count, payload));
    }
    for ((kind, zone), (count, seq)) in expected {
        let (shown_count, payload) = &shown[&(kind.to_owned(), zone.to_owned())];
        assert_eq!(*shown_count, count, "count of {kind} in {zone}");
        assert!(
            payload.contains(&format!(r#""seq":{seq}"#)),
            "{kind} in {zone}: {payload}"
        );
    }
}

/// Every stock row shows the last level sent for its SKU.
fn assert_stock_rows_show_the_flood(rows: &[web_sys::Element]) {
    let mut expected = std::collections::BTreeMap::new();
    for i in (1..FLOOD).step_by(2) {
        expected.insert(
            FLOOD_SKUS[(i / 2) as usize % FLOOD_SKUS.len()],
            flood_level(i),
        );
    }
    let shown: std::collections::BTreeMap<String, i64> = rows
        .iter()
        .map(|row| {
            (
                cell_text(row, "th"),
                leading_number(&cell_text(row, "td.dash-num")),
            )
        })
        .collect();
    for (sku, level) in expected {
        assert_eq!(shown[sku], level, "level of {sku}");
    }
}

/// A delivery at `qos`, as the session reports it: what the health panel counts.
fn delivered_event(at: u64, topic: String, qos: QoS) -> qoscope::mqtt::session::Event {
    use qoscope::mqtt::session::{Event, EventKind, Message};
    Event {
        at,
        kind: EventKind::Delivered {
            message: Message {
                topic,
                payload: br#"{"sku":"A-100","level":5}"#.to_vec(),
                qos,
                retain: false,
                dup: false,
                packet_id: (qos != QoS::AtMostOnce).then_some(7),
                properties: Default::default(),
                matched_filters: vec![],
            },
        },
    }
}

/// The health panel's figures change in place under a flood: its view re-runs
/// each frame, but the table rows and stats stay the same elements and only
/// their text follows the counts (an `into_any()` or a keyed list there
/// would rebuild them every frame).
#[wasm_bindgen_test]
async fn the_health_panel_updates_its_figures_in_place() {
    let (root, handle, _mounted) = mount_dashboard();
    let qos_of = |i: u64| [QoS::AtMostOnce, QoS::AtLeastOnce, QoS::ExactlyOnce][i as usize % 3];
    // One QoS per topic: a topic at two levels would add the mixed-QoS warning, once.
    let event = |i: u64| delivered_event(i, format!("inventory/S-{}", i % 6), qos_of(i));
    for i in 0..3 {
        handle.push_event(event(i));
    }
    deliver(handle, vec![]).await;
    let health = root
        .query_selector(".dash-health")
        .unwrap()
        .expect("the health panel");
    let table_rows = rows(&root, ".dash-qos-table tbody tr");
    let stats = rows(&root, ".dash-health .dash-stat");
    assert_eq!(table_rows.len(), 3, "a row per QoS level");
    let mutations = Mutations::observe(std::slice::from_ref(&health), true);

    for frame in 0..10 {
        for i in 3 + frame * 100..3 + (frame + 1) * 100 {
            handle.push_event(event(i));
        }
        deliver(handle, vec![]).await;
    }

    for node in ["TR", "TD", "DIV", "DD", "TABLE"] {
        let (delivered, pending) = mutations.nodes(&["addedNodes", "removedNodes"], node);
        assert_eq!(
            (delivered, pending),
            (0, 0),
            "<{node}> added or removed (delivered to the observer, pending)"
        );
    }
    assert!(
        rows(&root, ".dash-qos-table tbody tr") == table_rows,
        "the same <tr>s"
    );
    assert!(
        rows(&root, ".dash-health .dash-stat") == stats,
        "the same stats"
    );
    let incoming: Vec<String> = table_rows
        .iter()
        .map(|row| cell_text(row, "td.dash-num"))
        .collect();
    assert_eq!(
        incoming,
        ["335", "334", "334"],
        "1,003 deliveries, QoS 0, 1, 2 in turn"
    );
}

#[wasm_bindgen_test]
async fn an_overloaded_queue_says_how_many_it_skipped_and_since_when() {
    use qoscope::app::dashboard::model::QUEUE_CAP;
    let (root, handle, _mounted) = mount_dashboard();
    tick().await;
    assert!(root
        .query_selector("[data-testid=dash-overload]")
        .unwrap()
        .is_none());
    // More stock messages than the queue holds, before any frame.
    for i in 0..(QUEUE_CAP as u64 + 250) {
        handle.push_message(Incoming::new(
            i,
            "inventory/sku-1",
            r#"{"sku": "sku-1", "count": 5}"#,
        ));
    }
    deliver(handle, vec![]).await;
    let notice = text_of(&root, "[data-testid=dash-overload]");
    assert!(notice.contains("250 stock messages"), "{notice}");
    assert!(
        notice.contains("since ") && notice.contains("the latest at "),
        "{notice}"
    );
}

#[wasm_bindgen_test]
async fn what_the_connection_skipped_is_counted_and_stock_counts_may_be_short() {
    let (root, handle, _mounted) = mount_dashboard();
    deliver(
        handle,
        vec![Incoming::new(1, "inventory/A-1", r#"{"level": 10}"#)],
    )
    .await;
    let missed = || root.query_selector("[data-testid=stock-missed]").unwrap();
    assert!(missed().is_none());
    handle.note_link_skipped(1_200);
    deliver(handle, vec![]).await;
    let notice = text_of(&root, "[data-testid=dash-overload]");
    assert!(notice.contains("1200 stock messages"), "{notice}");
    assert!(missed().is_some(), "the count may lack a skipped delta");
    deliver(
        handle,
        vec![Incoming::new(2, "inventory/A-1", r#"{"level": 12}"#)],
    )
    .await;
    assert!(missed().is_none(), "a level confirms it");
}
