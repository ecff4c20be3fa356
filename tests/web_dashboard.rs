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

/// Feeds messages the way the frame loop does, then lets the view update.
async fn deliver(handle: DashboardHandle, messages: Vec<Incoming>) {
    for message in messages {
        handle.push_message(message);
    }
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
