//! End-to-end: the QoS lab of the release build (`dist/`) in headless
//! Chromium, against a real Mosquitto and on the simulated broker offline.
//!
//! Run by `make test` in its end-to-end tier:
//!
//! ```sh
//! cargo test --test e2e_lab -- --ignored --test-threads=1
//! ```
//!
//! The run is read back from the report the page keeps in localStorage
//! (`qoscope.lab.last-run.v1`), the same JSON its "JSON" button saves.
#![cfg(not(target_arch = "wasm32"))]

#[allow(dead_code)]
mod support;

use qoscope::app::lab::claims::publish_len;
use qoscope::app::lab::record::{Hop, LevelStatus};
use qoscope::app::lab::report::LabReport;
use qoscope::mqtt::packet::{ProtocolVersion, QoS};
use serde_json::Value;
use support::{E2e, Page};

const BROKER_URL: &str = "#broker-url";

/// The run the page kept, once the report shows.
async fn report(page: &Page) -> LabReport {
    page.wait_for("#lab-measured caption", "Measured, per level")
        .await;
    let json = page
        .script("return localStorage.getItem('qoscope.lab.last-run.v1');")
        .await;
    let text = json.as_str().expect("the page keeps the last run");
    LabReport::from_json(text).expect("a lab report")
}

/// The run as the closing notes quote it (`--nocapture`): the CSV, and the
/// seed notes' table with the verdicts.
fn print_report(report: &LabReport) {
    eprintln!("{}\n{}", report.workload_label(), report.to_csv());
    for row in qoscope::app::lab::claims::compare(report) {
        eprintln!(
            "| {} | {} | {} | {} |",
            row.metric,
            row.claims.join(" / "),
            row.measured.join(" / "),
            row.verdict.label()
        );
    }
}

async fn open_lab(page: &Page, messages: u32, payload: u32) {
    page.click("#tab-lab").await;
    page.fill("#lab-messages", &messages.to_string()).await;
    page.fill("#lab-payload", &payload.to_string()).await;
}

async fn screenshots(page: &Page, name: &str) {
    page.set_viewport(1920, 1080).await;
    page.script("window.scrollTo(0, 0); return true;").await;
    page.save_screenshot(&Page::screenshot_path(name)).await;
    for (part, css) in [("claims", "#lab-claims"), ("charts", ".lab-charts")] {
        page.script(&format!(
            "document.querySelector('{css}').scrollIntoView({{block: 'start'}}); return true;"
        ))
        .await;
        page.save_screenshot(&Page::screenshot_path(&format!("{name}-{part}")))
            .await;
    }
    page.script("window.scrollTo(0, 0); return true;").await;
}

#[tokio::test]
#[ignore = "end-to-end: needs dist/ (trunk build --release), chromium, chromedriver and mosquitto; run by `make test`"]
async fn the_lab_measures_each_level_on_mosquitto_exactly_as_the_codec_encodes() {
    support::run(
        "lab-live",
        support::Auth::Anonymous,
        |e2e: E2e| async move {
            let page = e2e.page();
            page.fill(BROKER_URL, &e2e.broker().ws_url()).await;
            // The form's own defaults: 1,000 × 64 B per level, as fast as allowed.
            page.click("#tab-lab").await;
            page.click("#lab-run").await;
            page.wait_for("[data-testid=lab-stage]", "Measuring").await;
            let report = report(page).await;
            print_report(&report);
            assert_eq!(report.levels.len(), 3);
            assert!(!report.target.is_simulated());
            for (level, packets) in report.levels.iter().zip([1.0, 2.0, 4.0]) {
                assert_eq!(level.status, LevelStatus::Complete, "{:?}", level.qos);
                assert_eq!(
                    (
                        level.published,
                        level.delivered,
                        level.lost,
                        level.duplicates
                    ),
                    (1000, 1000, 0, 0),
                    "{:?}",
                    level.qos
                );
                let publish =
                    publish_len(&report.topic_example, 64, level.qos, ProtocolVersion::V311);
                for hop in Hop::BOTH {
                    assert_eq!(
                        level.packets_per_message(hop),
                        packets,
                        "{:?} {hop:?}",
                        level.qos
                    );
                    // Each acknowledgement of 3.1.1 is 4 bytes.
                    assert_eq!(
                        level.bytes_per_message(hop),
                        publish as f64 + 4.0 * (packets - 1.0),
                        "{:?} {hop:?}",
                        level.qos
                    );
                }
                let latency = level.latency.expect("latencies");
                assert_eq!(latency.count, 1000);
                assert_eq!(level.unloaded_latency.map(|p| p.count), Some(25));
                assert!(latency.p50 <= latency.p99);
                let framing = level.framing.expect("WebSocket frames counted");
                assert!(framing.frames > 0 && framing.header_bytes >= 2 * framing.frames);
                assert_eq!(level.retries, 0);
            }
            assert_eq!(report.levels[0].completion, None);
            assert!(report.levels[2].completion.is_some());
            // The seed notes' table beside it: the exchanges row agrees.
            let verdict = page
                .script("return document.querySelector('#lab-claims tbody tr').className;")
                .await;
            assert_eq!(verdict, Value::from("verdict agrees"));
            let counters = page.texts("[data-testid^=lab-stock-q]").await;
            assert!(counters.iter().all(|c| c.contains("exact")), "{counters:?}");
            // Both lab clients left: Mosquitto saw them disconnect.
            let log = e2e.broker().log();
            for role in ["pub", "sub"] {
                assert!(
                    log.lines()
                        .any(|l| l.contains(&format!("qoscope-lab-{role}-"))
                            && l.contains("disconnected")),
                    "the lab's {role} client disconnected:\n{log}"
                );
            }
            screenshots(page, "lab-live").await;
            page.click("#theme-toggle").await;
            screenshots(page, "lab-live-dark").await;
        },
    )
    .await;
}

#[tokio::test]
#[ignore = "end-to-end: needs dist/ (trunk build --release), chromium, chromedriver and mosquitto; run by `make test`"]
async fn under_loss_qos_2_stays_exactly_once_on_mosquitto_and_qos_1_only_duplicates() {
    support::run(
        "lab-live-loss",
        support::Auth::Anonymous,
        |e2e: E2e| async move {
            let page = e2e.page();
            page.fill(BROKER_URL, &e2e.broker().ws_url()).await;
            open_lab(page, 300, 64).await;
            page.select("#lab-faults", "loss").await;
            page.fill("#lab-loss", "10").await;
            page.click("#lab-run").await;
            let report = report(page).await;
            print_report(&report);
            let [q0, q1, q2] = [&report.levels[0], &report.levels[1], &report.levels[2]];
            assert_eq!(q0.qos, QoS::AtMostOnce);
            assert!(q0.lost > 0, "10 % loss loses QoS 0 messages");
            assert_eq!(q1.lost, 0, "QoS 1 loses nothing");
            assert!(q1.retries > 0);
            assert_eq!(
                (q2.lost, q2.duplicates, q2.delivered),
                (0, 0, 300),
                "QoS 2 exactly once"
            );
            assert_eq!(q2.stock_counted, q2.stock_expected);
            let q2_counter = page.texts("[data-testid=lab-stock-q2]").await;
            assert!(q2_counter[0].contains("exact"), "{q2_counter:?}");
        },
    )
    .await;
}

#[tokio::test]
#[ignore = "end-to-end: needs dist/ (trunk build --release), chromium and chromedriver; run by `make test`"]
async fn offline_the_lab_runs_on_the_simulated_broker_and_reloads_a_saved_run() {
    support::run_offline("lab-simulated", |mut e2e: E2e| async move {
        e2e.page().count_websockets().await;
        e2e.unplug();
        let page = e2e.page();
        open_lab(page, 200, 64).await;
        page.wait_for(".lab-empty", "No measurement yet").await;
        page.click("#lab-target-sim").await;
        page.click("#lab-run").await;
        let report = report(page).await;
        assert!(report.target.is_simulated());
        assert_eq!(report.levels.len(), 3);
        assert!(report
            .levels
            .iter()
            .all(|l| l.delivered == 200 && l.duplicates == 0));
        assert_eq!(page.websockets_opened().await, 0);
        // Save it, run a smaller lab over it, then open the file again: the
        // saved run comes back, offline.
        let file = std::env::temp_dir().join(format!("qoscope-lab-{}.json", std::process::id()));
        std::fs::write(&file, report.to_json()).unwrap();
        page.fill("#lab-messages", "50").await;
        page.click("#lab-run").await;
        page.wait_for("#lab-measured", "50 · 0 · 0").await;
        page.element("#lab-load")
            .await
            .send_keys(&file.display().to_string())
            .await
            .expect("choose the saved run");
        page.wait_for("[data-testid=lab-source]", "Loaded from a file")
            .await;
        page.wait_for("#lab-measured", "200 · 0 · 0").await;
        let _ = std::fs::remove_file(&file);
        // A file that is not a run says so and keeps what is shown.
        let bad = std::env::temp_dir().join(format!("qoscope-bad-{}.json", std::process::id()));
        std::fs::write(&bad, "{\"hello\": 1}").unwrap();
        page.element("#lab-load")
            .await
            .send_keys(&bad.display().to_string())
            .await
            .unwrap();
        page.wait_for("[data-testid=lab-error]", "not a QoScope lab run")
            .await;
        page.wait_for("[data-testid=lab-source]", "Loaded from a file")
            .await;
        let _ = std::fs::remove_file(&bad);
        screenshots(page, "lab-simulated").await;
    })
    .await;
}

#[tokio::test]
#[ignore = "end-to-end: needs dist/ (trunk build --release), chromium, chromedriver and mosquitto; run by `make test`"]
async fn a_lab_run_stops_when_asked_and_keeps_what_it_measured() {
    support::run(
        "lab-stop",
        support::Auth::Anonymous,
        |e2e: E2e| async move {
            let page = e2e.page();
            page.fill(BROKER_URL, &e2e.broker().ws_url()).await;
            open_lab(page, 20_000, 64).await;
            page.click("#lab-max-rate").await;
            page.fill("#lab-rate", "200").await;
            page.click("#lab-run").await;
            page.wait_for("[data-testid=lab-progress-q0]", "running")
                .await;
            page.click("#lab-stop").await;
            let report = report(page).await;
            assert_eq!(report.levels.len(), 1);
            assert_eq!(report.levels[0].status, LevelStatus::Stopped);
            assert!(report.levels[0].published < 20_000);
            page.wait_for("[data-testid=lab-source]", "Stopped").await;
            // The form is usable again.
            let disabled = page
                .script("return document.querySelector('#lab-run').disabled;")
                .await;
            assert_eq!(disabled, Value::Bool(false));
        },
    )
    .await;
}

#[tokio::test]
#[ignore = "end-to-end: needs dist/ (trunk build --release), chromium and chromedriver; run by `make test`"]
async fn an_unreachable_broker_gets_a_clear_message_and_the_lab_can_run_again() {
    support::run_offline("lab-unreachable", |e2e: E2e| async move {
        let page = e2e.page();
        page.fill(BROKER_URL, "ws://127.0.0.1:9").await;
        open_lab(page, 100, 64).await;
        page.click("#lab-run").await;
        page.wait_for("[data-testid=lab-error]", "Cannot reach the broker")
            .await;
        let disabled = page
            .script("return document.querySelector('#lab-run').disabled;")
            .await;
        assert_eq!(disabled, Value::Bool(false));
        page.fill("#lab-messages", "0").await;
        page.click("#lab-run").await;
        page.wait_for(
            "[data-testid=lab-error]",
            "Messages per level must be between",
        )
        .await;
    })
    .await;
}

/// What the presenter sees change when → is pressed: the bar's step, the
/// visualiser's scenario progress, the number of packets drawn.
const PRESENTER_STATE: &str = "\
    const bar = document.querySelector('[data-testid=presenter-bar]');\n\
    const progress = [...document.querySelectorAll('.vis-progress')].map(p => p.textContent).join('/');\n\
    return (bar ? bar.textContent : '') + '|' + progress;";

/// Presses → once and waits until something it drives has changed.
async fn press_right_once(page: &Page) {
    let before = page.script(PRESENTER_STATE).await;
    page.script(
        "window.dispatchEvent(new KeyboardEvent('keydown', {key: 'ArrowRight', bubbles: true})); return true;",
    )
    .await;
    let changed =
        format!("const now = (() => {{ {PRESENTER_STATE} }})(); return now !== {before};");
    page.wait_until_script_is_true(&changed).await;
}

/// Presses → until the presenter's bar shows `count` ("3 / 5").
async fn press_right_until(page: &Page, count: &str) {
    for _ in 0..30 {
        let now = page.script(PRESENTER_STATE).await;
        if now.as_str().is_some_and(|s| s.starts_with(count)) {
            return;
        }
        press_right_once(page).await;
    }
    panic!("the presenter never reached step {count}");
}

#[tokio::test]
#[ignore = "end-to-end: needs dist/ (trunk build --release), chromium and chromedriver; run by `make test`"]
async fn presenter_mode_walks_the_talk_track_offline_with_the_keyboard() {
    support::run_offline("presenter", |mut e2e: E2e| async move {
        e2e.unplug();
        let page = e2e.page();
        let escape = "window.dispatchEvent(new KeyboardEvent('keydown', {key: 'Escape', bubbles: true})); return true;";
        let left = "return !document.querySelector('[data-testid=presenter-bar]') && !document.documentElement.classList.contains('presenting');";
        // The visualiser was left on the live broker: with none connected,
        // presenter mode shows its scenarios on the simulated one.
        page.script("localStorage.setItem('qoscope.visualiser-mode', 'live'); return true;")
            .await;
        // Headless full screen is the virtual screen's size: keep the
        // window, so the pictures are of the projector sizes below.
        page.script("Element.prototype.requestFullscreen = () => Promise.resolve(); return true;")
            .await;
        // A laptop-sized projector: the analogy and the visualiser steps.
        page.set_viewport(1280, 720).await;
        page.click("#present").await;
        page.wait_for("[data-testid=presenter-analogy]", "专车配送").await;
        page.wait_for("[data-testid=presenter-bar]", "1 / 5").await;
        let presenting = page
            .script("return document.documentElement.classList.contains('presenting');")
            .await;
        assert_eq!(presenting, Value::Bool(true));
        page.save_screenshot(&Page::screenshot_path("presenter-analogy-1280")).await;
        // The first scenario opens in the visualiser; → steps through it, then moves on.
        press_right_until(page, "2 / 5").await;
        page.wait_for("#tab-visualiser[aria-selected=true]", "Visualiser").await;
        // Step the scenario through to its end, still on step 2.
        let finished = "const p = document.querySelector('.vis-mode-panel[data-mode=simulated] .vis-progress');\n\
            const m = p && p.textContent.match(/step (\\d+) of (\\d+)/);\n\
            return !!m && m[1] === m[2];";
        for _ in 0..10 {
            if page.script(finished).await == Value::Bool(true) {
                break;
            }
            press_right_once(page).await;
        }
        assert_eq!(page.script(finished).await, Value::Bool(true), "the scenario ran to its end");
        page.script("document.querySelector('.vis-mode-panel[data-mode=simulated] .vis-to-end').click(); return true;")
            .await;
        let packets = page
            .script("return [...document.querySelectorAll('.vis-mode-panel[data-mode=simulated] [data-testid=vis-packets] li')].map(li => li.textContent);")
            .await;
        let packets: Vec<String> = packets
            .as_array()
            .map(|a| a.iter().filter_map(|v| v.as_str().map(String::from)).collect())
            .unwrap_or_default();
        assert!(
            packets.iter().any(|p| p.contains("DUP 1")),
            "the QoS 1 scenario was stepped through to its resend: {packets:#?}"
        );
        page.save_screenshot(&Page::screenshot_path("presenter-visualiser-1280")).await;
        press_right_until(page, "3 / 5").await;
        page.script(escape).await;
        page.wait_until_script_is_true(left).await;
        // A 1080p projector: the analogy again, then the lab and the inventory.
        page.set_viewport(1920, 1080).await;
        page.click("#present").await;
        page.wait_for("[data-testid=presenter-bar]", "1 / 5").await;
        page.save_screenshot(&Page::screenshot_path("presenter-analogy")).await;
        press_right_until(page, "4 / 5").await;
        // The lab, offline: it runs on the simulated broker and shows the seed notes' table.
        page.wait_for("#tab-lab[aria-selected=true]", "Lab").await;
        page.wait_for("#lab-claims caption", "seed notes").await;
        page.save_screenshot(&Page::screenshot_path("presenter-lab")).await;
        press_right_until(page, "5 / 5").await;
        page.wait_for("[data-testid=lab-stock-q2]", "exact").await;
        page.wait_for("[data-testid=lab-stock-q1]", "units").await;
        page.save_screenshot(&Page::screenshot_path("presenter-inventory")).await;
        page.click("#theme-toggle").await;
        page.script("document.querySelector('.lab-inventory').scrollIntoView(); return true;")
            .await;
        page.save_screenshot(&Page::screenshot_path("presenter-inventory-dark")).await;
        // Esc leaves.
        page.script(escape).await;
        page.wait_until_script_is_true(left).await;
    })
    .await;
}
