//! End-to-end: the handshake visualiser of the release build (`dist/`) in
//! headless Chromium — live against a real Mosquitto, and simulated with
//! the network unplugged.
//!
//! Like `tests/e2e.rs`, these need `trunk build --release`, chromium,
//! chromedriver and mosquitto; `make test` runs them in its end-to-end tier:
//!
//! ```sh
//! cargo test --test e2e_visualiser -- --ignored --test-threads=1
//! ```
//!
//! The diagram is read through its packet list (`data-testid=vis-packets`),
//! the text twin of the SVG that lists every packet up to the playhead.
#![cfg(not(target_arch = "wasm32"))]

// Shared with tests/e2e.rs; this file uses only part of it.
#[allow(dead_code)]
mod support;

use serde_json::Value;
use support::{E2e, Page};

const BROKER_URL: &str = "#broker-url";
const VISUALISER_TAB: &str = "#tab-visualiser";

/// The scenario the issue names, as its button says.
const PUBREC_LOST: &str = "QoS 2 with PUBREC lost";

/// The publisher's hop of "QoS 2 with PUBREC lost", after both clients
/// connected: the first PUBREC is lost, the publisher resends the PUBLISH
/// with DUP=1, and the handshake completes.
const PUBLISHER_HOP: [&str; 6] = [
    "Publisher → Broker: PUBLISH (id 1, QoS 2)",
    "Broker → Publisher: PUBREC (id 1) — lost: drop next PUBREC",
    "Publisher → Broker: PUBLISH (id 1, QoS 2, DUP 1)",
    "Broker → Publisher: PUBREC (id 1)",
    "Publisher → Broker: PUBREL (id 1)",
    "Broker → Publisher: PUBCOMP (id 1)",
];

/// A script (function body) run inside the panel of `mode`: `panel` is the
/// panel element.
fn in_panel(mode: &str, body: &str) -> String {
    format!(
        "const panel = document.querySelector('.vis-mode-panel[data-mode={mode}]');\n\
         if (!panel) return null;\n{body}"
    )
}

/// Every packet the diagram of `mode` shows, after jumping the playhead to
/// the newest one.
async fn packets(page: &Page, mode: &str) -> Vec<String> {
    let script = in_panel(
        mode,
        "panel.querySelector('.vis-to-end').click();\n\
         return [...panel.querySelectorAll('[data-testid=vis-packets] li')].map(li => li.textContent);",
    );
    match page.script(&script).await {
        Value::Array(items) => items
            .into_iter()
            .filter_map(|v| v.as_str().map(String::from))
            .collect(),
        _ => Vec::new(),
    }
}

/// Waits until the diagram of `mode` lists a packet whose text starts with
/// `wanted` (jumping to the newest packet on every look).
async fn wait_for_packet(page: &Page, mode: &str, wanted: &str) {
    wait_for_packets(page, mode, wanted, 1).await;
}

/// Waits until the diagram of `mode` lists `n` packets whose text starts
/// with `wanted`.
async fn wait_for_packets(page: &Page, mode: &str, wanted: &str, n: usize) {
    let check = in_panel(
        mode,
        &format!(
            "panel.querySelector('.vis-to-end').click();\n\
             return [...panel.querySelectorAll('[data-testid=vis-packets] li')]\n\
                 .filter(li => li.textContent.startsWith({wanted:?})).length >= {n};"
        ),
    );
    page.wait_until_script_is_true(&check).await;
}

/// Opens the visualiser in `mode` and starts the scenario titled `title`.
async fn start_scenario(page: &Page, mode: &str, title: &str) {
    page.click(VISUALISER_TAB).await;
    page.click(&format!(".vis-mode[data-mode={mode}]")).await;
    let start = in_panel(
        mode,
        &format!(
            "const b = [...panel.querySelectorAll('.vis-scenario')].find(b => b.textContent === {title:?});\n\
             if (!b) return false; b.click(); return true;"
        ),
    );
    page.wait_until_script_is_true(&start).await;
}

/// Presses "Next step" in `mode`'s panel once it is enabled.
async fn next_step(page: &Page, mode: &str) {
    let press = in_panel(
        mode,
        "const b = panel.querySelector('.vis-next-step');\n\
         if (!b || b.disabled) return false; b.click(); return true;",
    );
    page.wait_until_script_is_true(&press).await;
}

/// Replays the diagram of `mode` one packet at a time (Step →) until the
/// resent PUBLISH has its PUBREC, and saves the picture as
/// docs/screenshots/`name`.png.
async fn screenshot_mid_scenario(page: &Page, mode: &str, name: &str) {
    // Tall enough for the whole story in one picture: the loss, the resend, the answer.
    page.set_viewport(1600, 1300).await;
    let replay = in_panel(
        mode,
        "panel.querySelector('.vis-replay').click(); return true;",
    );
    page.script(&replay).await;
    let step_until_answered = in_panel(
        mode,
        &format!(
            "const shown = [...panel.querySelectorAll('[data-testid=vis-packets] li')]\n\
                 .filter(li => li.textContent.startsWith({:?})).length;\n\
             if (shown < 2) panel.querySelector('.vis-step').click();\n\
             return shown >= 2;",
            "Broker → Publisher: PUBREC (id 1)"
        ),
    );
    page.wait_until_script_is_true(&step_until_answered).await;
    // Stepping keeps the playhead in view, under the lane header and with the
    // packets before it: the diagram follows it (and the browser's scroll
    // anchoring must not move it back to the newest rows).
    let playhead_in_view = in_panel(
        mode,
        "const v = panel.querySelector('.vis-scroll').getBoundingClientRect();\n\
         const head = panel.querySelector('.vis-header').getBoundingClientRect();\n\
         const p = panel.querySelector('.vis-playhead').getBoundingClientRect();\n\
         return p.top >= head.bottom + 0.3 * (v.bottom - head.bottom) && p.bottom <= v.bottom;",
    );
    page.wait_until_script_is_true(&playhead_in_view).await;
    page.save_screenshot(&Page::screenshot_path(name)).await;
}

/// The publisher-hop packets from the first PUBLISH on.
fn publisher_hop(all: &[String]) -> Vec<String> {
    all.iter()
        .filter(|p| p.contains("Publisher"))
        .skip_while(|p| !p.contains("PUBLISH"))
        .cloned()
        .collect()
}

fn count(all: &[String], prefix: &str) -> usize {
    all.iter().filter(|p| p.starts_with(prefix)).count()
}

/// Runs "QoS 2 with PUBREC lost" in `mode` to its end and checks the
/// diagram: the publisher hop as the issue spells it, and one PUBLISH to the
/// subscriber.
async fn pubrec_lost_scenario(page: &Page, mode: &str) -> Vec<String> {
    start_scenario(page, mode, PUBREC_LOST).await;
    // Step 1: PUBREC armed to drop, PUBLISH at QoS 2.
    next_step(page, mode).await;
    wait_for_packet(page, mode, PUBLISHER_HOP[1]).await;
    // The lost PUBREC is drawn as an arrow that ends in a cross. (Checked
    // now, while it is the newest packet: only rows near the scrolled window
    // are in the DOM.)
    let crosses = in_panel(
        mode,
        "return panel.querySelectorAll('.vis-arrow.dropped .vis-cross').length >= 1;",
    );
    page.wait_until_script_is_true(&crosses).await;
    // Step 2: the publisher's retry resends the PUBLISH; the handshake completes.
    next_step(page, mode).await;
    wait_for_packet(page, mode, PUBLISHER_HOP[5]).await;
    // Step 3: the result.
    next_step(page, mode).await;
    let all = packets(page, mode).await;
    assert_eq!(
        publisher_hop(&all),
        PUBLISHER_HOP,
        "the publisher hop, in the diagram of {all:#?}"
    );
    assert_eq!(
        count(&all, "Broker → Subscriber: PUBLISH"),
        1,
        "the subscriber receives the message exactly once: {all:#?}"
    );
    all
}

#[tokio::test]
#[ignore = "end-to-end: needs dist/ (trunk build --release), chromium, chromedriver and mosquitto; run by `make test`"]
async fn qos2_with_pubrec_lost_runs_live_against_mosquitto() {
    support::run(
        "visualiser-live-pubrec-lost",
        support::Auth::Anonymous,
        |e2e: E2e| async move {
            let page = e2e.page();
            page.fill(BROKER_URL, &e2e.broker().ws_url()).await;
            pubrec_lost_scenario(page, "live").await;
            // The subscriber's side, as the broker itself saw it.
            let log = e2e.broker().log();
            let to_publisher = log
                .lines()
                .filter(|l| l.contains("Sending PUBREC to qoscope-pub-"))
                .count();
            assert_eq!(
                to_publisher, 2,
                "Mosquitto answers the PUBLISH and its resend:\n{log}"
            );
            assert!(
                log.lines()
                    .any(|l| l.contains("Received PUBLISH from qoscope-pub-")
                        && l.contains("(d1, q2")),
                "Mosquitto received the resend with DUP=1:\n{log}"
            );
            let to_subscriber = log
                .lines()
                .filter(|l| l.contains("Sending PUBLISH to qoscope-sub-"))
                .count();
            assert_eq!(to_subscriber, 1, "Mosquitto forwards it once:\n{log}");
            // The README's picture, live.
            screenshot_mid_scenario(page, "live", "visualiser-live").await;
        },
    )
    .await;
}

#[tokio::test]
#[ignore = "end-to-end: needs dist/ (trunk build --release), chromium and chromedriver; run by `make test`"]
async fn qos2_with_pubrec_lost_runs_simulated_with_the_network_unplugged() {
    support::run_offline(
        "visualiser-offline-pubrec-lost",
        |mut e2e: E2e| async move {
            // Count every WebSocket the page tries to open from here on.
            e2e.page().count_websockets().await;
            e2e.unplug();
            let page = e2e.page();
            pubrec_lost_scenario(page, "simulated").await;
            let sockets = page.websockets_opened().await;
            assert_eq!(sockets, 0, "simulated mode opens no WebSocket");
            // The README's picture, offline, in the dark theme, with captions in both languages:
            // the Chinese must be drawn in glyphs (set-up installs a CJK font for these pictures).
            page.click("#theme-toggle").await;
            let bilingual = in_panel(
                "simulated",
                "const both = [...panel.querySelectorAll('.vis-lang button')]\n\
                 .find(b => b.textContent === 'EN+中文');\n\
             if (!both) return false; both.click(); return true;",
            );
            page.wait_until_script_is_true(&bilingual).await;
            screenshot_mid_scenario(page, "simulated", "visualiser-simulated-dark").await;
        },
    )
    .await;
}

/// Runs scenario `title` live step by step: after step `i`, waits until the
/// diagram lists `after_step[i].1` packets starting with `after_step[i].0`.
async fn run_live(page: &Page, title: &str, after_step: &[(&str, usize)]) -> Vec<String> {
    start_scenario(page, "live", title).await;
    for &(wanted, n) in after_step {
        next_step(page, "live").await;
        wait_for_packets(page, "live", wanted, n).await;
    }
    packets(page, "live").await
}

#[tokio::test]
#[ignore = "end-to-end: needs dist/ (trunk build --release), chromium, chromedriver and mosquitto; run by `make test`"]
async fn every_guided_scenario_runs_live_against_mosquitto() {
    support::run(
        "visualiser-live-scenarios",
        support::Auth::Anonymous,
        |e2e: E2e| async move {
            let page = e2e.page();
            page.fill(BROKER_URL, &e2e.broker().ws_url()).await;
            page.click(VISUALISER_TAB).await;

            // QoS 0 over a lossy link: what is lost stays lost.
            let all = run_live(
                page,
                "QoS 0 over a lossy link",
                &[("", 0), ("Publisher → Broker: PUBLISH (QoS 0)", 6), ("", 0)],
            )
            .await;
            let sent = count(&all, "Publisher → Broker: PUBLISH (QoS 0)");
            let lost_on_the_way = all
                .iter()
                .filter(|p| p.starts_with("Publisher → Broker: PUBLISH") && p.contains("lost"))
                .count();
            assert_eq!(sent, 6, "{all:#?}");
            assert_eq!(
                count(&all, "Broker → Subscriber: PUBLISH (QoS 0)"),
                sent - lost_on_the_way,
                "each reading that reached the broker was forwarded once: {all:#?}"
            );
            assert!(lost_on_the_way > 0, "30% loss lost something: {all:#?}");
            assert!(
                !all.iter().any(|p| p.contains("DUP")),
                "nobody resends QoS 0"
            );

            // QoS 1: the PUBACK is lost, the resend is delivered a second time.
            let all = run_live(
                page,
                "QoS 1: duplicate after a lost PUBACK",
                &[
                    ("Broker → Publisher: PUBACK (id 1) — lost", 1),
                    ("Broker → Publisher: PUBACK (id 1)", 2),
                    ("", 0),
                ],
            )
            .await;
            assert!(
                all.iter()
                    .any(|p| p == "Publisher → Broker: PUBLISH (id 1, QoS 1, DUP 1)"),
                "{all:#?}"
            );
            assert_eq!(count(&all, "Broker → Subscriber: PUBLISH"), 2, "{all:#?}");

            // QoS 2 with PUBREL lost: PUBREL again, never PUBLISH again.
            let all = run_live(
                page,
                "QoS 2 with PUBREL lost",
                &[
                    ("Publisher → Broker: PUBREL (id 1) — lost", 1),
                    ("Broker → Publisher: PUBCOMP (id 1)", 1),
                    ("", 0),
                ],
            )
            .await;
            assert_eq!(
                count(&all, "Publisher → Broker: PUBREL (id 1)"),
                2,
                "{all:#?}"
            );
            assert_eq!(count(&all, "Publisher → Broker: PUBLISH"), 1, "{all:#?}");
            assert_eq!(count(&all, "Broker → Subscriber: PUBLISH"), 1, "{all:#?}");

            // QoS 2 across a reconnect: the kept session resends PUBREL.
            let all = run_live(
                page,
                "QoS 2 across a reconnect",
                &[
                    ("Broker → Publisher: PUBCOMP (id 1) — lost", 1),
                    ("", 0),
                    ("Broker → Publisher: PUBCOMP (id 1)", 2),
                ],
            )
            .await;
            assert_eq!(count(&all, "Publisher → Broker: CONNECT"), 2, "{all:#?}");
            assert_eq!(
                count(&all, "Publisher → Broker: PUBREL (id 1)"),
                2,
                "{all:#?}"
            );
            assert_eq!(count(&all, "Broker → Subscriber: PUBLISH"), 1, "{all:#?}");

            // QoS 2 published, QoS 1 subscribed: delivered at QoS 1.
            let all = run_live(
                page,
                "QoS 2 publish, QoS 1 subscription",
                &[("Broker → Subscriber: PUBLISH", 1), ("", 0)],
            )
            .await;
            assert!(
                all.iter()
                    .any(|p| p.starts_with("Publisher → Broker: PUBLISH") && p.contains("QoS 2")),
                "{all:#?}"
            );
            let forwarded: Vec<&String> = all
                .iter()
                .filter(|p| p.starts_with("Broker → Subscriber: PUBLISH"))
                .collect();
            assert!(
                forwarded.len() == 1 && forwarded[0].contains("QoS 1"),
                "{all:#?}"
            );
        },
    )
    .await;
}

#[tokio::test]
#[ignore = "end-to-end: needs dist/ (trunk build --release), chromium, chromedriver and mosquitto; run by `make test`"]
async fn free_play_live_in_mqtt5_survives_latency_and_a_cut_from_the_fault_panel() {
    support::run(
        "visualiser-live-free-play",
        support::Auth::Anonymous,
        |e2e: E2e| async move {
            let page = e2e.page();
            page.fill(BROKER_URL, &e2e.broker().ws_url()).await;
            // Free play speaks the version chosen on the Client tab.
            page.select("#mqtt-version", "5").await;
            page.click(VISUALISER_TAB).await;
            page.click(".vis-mode[data-mode=live]").await;
            // 150 ms each way, set before any client exists: it must hold for them.
            let latency = in_panel(
                "live",
                "const s = panel.querySelector('input[aria-label^=\"Added latency\"]');\n\
                 s.value = '150'; s.dispatchEvent(new Event('change', { bubbles: true }));\n\
                 return true;",
            );
            page.script(&latency).await;
            let publish = |qos: u8| {
                in_panel(
                    "live",
                    &format!(
                        "panel.querySelector('button.vis-publish.qos{qos}').click(); return true;"
                    ),
                )
            };
            page.script(&publish(1)).await;
            // MQTT 5: the acknowledgement carries a reason code, in words.
            wait_for_packet(
                page,
                "live",
                "Broker → Publisher: PUBACK (id 1, rc 0x00 Success)",
            )
            .await;
            wait_for_packet(page, "live", "Broker → Subscriber: PUBLISH").await;

            // Cut the publisher's connection from the panel: it comes back by itself.
            let cut = in_panel(
                "live",
                "panel.querySelector('button.vis-cut').click(); return true;",
            );
            page.script(&cut).await;
            wait_for_packets(page, "live", "Publisher → Broker: CONNECT", 2).await;
            let connected_again = in_panel(
                "live",
                "return panel.querySelector('[data-testid=live-publisher]').classList.contains('ok');",
            );
            page.wait_until_script_is_true(&connected_again).await;
            page.script(&publish(2)).await;
            wait_for_packet(page, "live", "Broker → Publisher: PUBCOMP (id").await;
            let all = packets(page, "live").await;
            assert_eq!(
                count(&all, "Broker → Subscriber: PUBLISH"),
                2,
                "one message at QoS 1, one at QoS 2: {all:#?}"
            );
            // The added latency was really on the wire: a QoS 0 publish
            // cannot reach the subscriber before both hops' 150 ms have
            // passed (a lower bound the delay timers guarantee, whatever the
            // machine's speed; 10 ms spare for timer rounding). The broker
            // log has whole seconds only, so this uses the page's clock.
            let waited = in_panel(
                "live",
                "const t0 = performance.now();\n\
                 panel.querySelector('button.vis-publish.qos0').click();\n\
                 return new Promise(done => {\n\
                   const look = () => {\n\
                     const n = [...panel.querySelectorAll('[data-testid=vis-packets] li')]\n\
                       .filter(li => li.textContent.startsWith('Broker → Subscriber: PUBLISH (QoS 0)')).length;\n\
                     panel.querySelector('.vis-to-end').click();\n\
                     if (n > 0) done(performance.now() - t0); else setTimeout(look, 10);\n\
                   };\n\
                   look();\n\
                 });",
            );
            let ms = page.script(&waited).await.as_f64().unwrap_or_default();
            assert!(
                ms >= 290.0,
                "a QoS 0 publish crossed two hops with 150 ms added on each in {ms} ms"
            );
        },
    )
    .await;
}

/// Where the presenter looks, measured in the page: the caption, the
/// "Next step" button and the newest arrow, each inside the viewport, and a
/// page that does not scroll.
const ON_SCREEN: &str = "const inside = el => { if (!el) return false; const r = el.getBoundingClientRect();\n\
         return r.height > 0 && r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth; };\n\
     const panel = document.querySelector('.vis-mode-panel[data-mode=simulated]');\n\
     const arrows = [...panel.querySelectorAll('.vis-arrow')];\n\
     const newest = arrows.reduce((a, b) => (+b.dataset.index > +(a ? a.dataset.index : -1) ? b : a), null);\n\
     return { caption: inside(panel.querySelector('.vis-caption')),\n\
              next: inside(panel.querySelector('.vis-next-step')),\n\
              newest: inside(newest && newest.querySelector('.vis-line')),\n\
              page_scrolls: document.scrollingElement.scrollHeight > innerHeight };";

#[tokio::test]
#[ignore = "end-to-end: needs dist/ (trunk build --release), chromium and chromedriver; run by `make test`"]
async fn at_projector_sizes_the_caption_next_step_and_newest_arrow_need_no_scrolling() {
    support::run_offline("visualiser-fold", |e2e: E2e| async move {
        let page = e2e.page();
        let titles: Vec<String> = qoscope::app::visualiser::scenario::builtin()
            .into_iter()
            .map(|s| s.title)
            .collect();
        for (width, height) in [(1280, 720), (1920, 1080)] {
            page.set_viewport(width, height).await;
            for (i, title) in titles.iter().enumerate() {
                start_scenario(page, "simulated", title).await;
                // Every step, then the end of the diagram.
                let finish = in_panel(
                    "simulated",
                    "const b = panel.querySelector('.vis-next-step');\n\
                     if (b && !b.disabled) { b.click(); return false; }\n\
                     const m = /step (\\d+) of (\\d+)/.exec(panel.querySelector('.vis-progress').textContent);\n\
                     return m !== null && m[1] === m[2];",
                );
                page.wait_until_script_is_true(&finish).await;
                let settled = in_panel(
                    "simulated",
                    "panel.querySelector('.vis-to-end').click();\n\
                     return panel.querySelector('.vis-play').textContent.includes('Play');",
                );
                page.wait_until_script_is_true(&settled).await;
                let seen = page.script(ON_SCREEN).await;
                assert_eq!(
                    seen,
                    serde_json::json!({"caption": true, "next": true, "newest": true, "page_scrolls": false}),
                    "{title} at {width}×{height}"
                );
                // The last step of each scenario, for a look (not kept in docs/).
                let shot = support::repo_dir()
                    .join("target/screenshots")
                    .join(format!("fold-{width}x{height}-{i}.png"));
                page.save_screenshot(&shot).await;
            }
            // A click on an arrow brings its bytes into view, every hex row whole.
            let inspect = in_panel(
                "simulated",
                "const arrows = [...panel.querySelectorAll('.vis-arrow')];\n\
                 const publish = arrows.filter(a => (a.getAttribute('aria-label') || '').startsWith('PUBLISH')).pop();\n\
                 if (!publish) return false;\n\
                 publish.dispatchEvent(new MouseEvent('click', { bubbles: true }));\n\
                 const box = panel.querySelector('.vis-inspector');\n\
                 if (!box || box.classList.contains('empty')) return false;\n\
                 const r = box.getBoundingClientRect();\n\
                 const rows = [...box.querySelectorAll('.vis-hex-row')];\n\
                 return rows.length > 0 && r.top >= 0 && r.top + 120 <= innerHeight\n\
                     && rows.every(row => row.getBoundingClientRect().right <= r.right + 0.5);",
            );
            page.wait_until_script_is_true(&inspect).await;
            let shot = support::repo_dir()
                .join("target/screenshots")
                .join(format!("fold-{width}x{height}-inspector.png"));
            page.save_screenshot(&shot).await;
        }
    })
    .await;
}
