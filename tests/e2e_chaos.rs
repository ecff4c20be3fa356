//! Chaos, end to end: numbered inventory deltas published from the page
//! through a proxy that cuts the WebSocket at random every ~0.7 s, while
//! Mosquitto (persistence on) is restarted twice and the page is reloaded
//! once mid-stream. What must hold:
//!
//! - a persistent subscriber that was offline through it all, and drains
//!   afterwards, gets every QoS 2 delta exactly once (QoS 1: at least once);
//! - the page's own dashboard (QoS 2 run), subscribed in the same persistent
//!   session, shows the exact stock level; a copy the broker repeats after
//!   its restart is skipped by its msg_id and shown as the broker's repeat;
//! - nothing is reported to the user as failed.
//!
//! Why the subscriber that counts is offline: Mosquitto 2.0.11, restarted
//! with persistence on, can resend to a connected persistent QoS 2
//! subscriber messages it had already delivered, completed ones included
//! (reproduced with mosquitto_pub and mosquitto_sub alone). The page meets
//! that, and must show it for what it is.
//!
//! What this test found: Mosquitto takes at most 20 QoS 1/2 messages in
//! flight from a client (`max_inflight_messages`) and silently discards the
//! rest after an ordinary-looking 3.1.1 PUBREC; the session's own in-flight
//! cap (`SessionConfig::max_inflight`, 20) keeps under it.
//!
//! Needs what the other e2e tests need; `make test` runs it in its last tier:
//!
//! ```sh
//! cargo test --test e2e_chaos -- --ignored --test-threads=1 --nocapture
//! ```
#![cfg(not(target_arch = "wasm32"))]

#[allow(dead_code)]
mod support;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use support::broker::Broker;
use support::mqtt_cli::{publish, OfflineSubscriber};
use support::proxy::CuttingProxy;
use support::{Auth, E2e, Page};

// The app's DOM contract.
const BROKER_URL: &str = "#broker-url";
const CLIENT_ID: &str = "#client-id";
const CONNECT: &str = "#connect-btn";
const CONN_STATUS: &str = "[data-testid=conn-status]";
const DASHBOARD_TAB: &str = "#tab-dashboard";
const STOCK_ROW: &str = "tr.dash-stock";

/// Deltas per run.
const DELTAS: u32 = 5_000;
/// Deltas handed to the page per script call.
const CHUNK: u32 = 100;
/// The page's queue (messages waiting for a connection) is kept below this,
/// well inside its bound of 1000: a flaky link is no reason to refuse.
const QUEUE_HIGH_WATER: u32 = 400;
const TOPIC: &str = "inventory/chaos";
const SKU: &str = "CHAOS-1";
const MARKER: &str = "end of the chaos run";

/// What one run counted.
#[derive(Debug)]
struct Counts {
    sent: u32,
    received: usize,
    distinct: usize,
    lost: usize,
    duplicated: usize,
    cuts: u32,
    connections: u32,
    restarts: u32,
    reloads: u32,
    broker_repeats_shown: String,
    seconds: f64,
}

impl Counts {
    /// One line for the log (and the closing note).
    fn report(&self) -> String {
        format!(
            "sent {}, received {} ({} distinct), lost {}, duplicated {}, cuts {} ({} connections \
             through the proxy), broker restarts {}, page reloads {}, dashboard: {:?}; {:.1} s",
            self.sent,
            self.received,
            self.distinct,
            self.lost,
            self.duplicated,
            self.cuts,
            self.connections,
            self.restarts,
            self.reloads,
            self.broker_repeats_shown,
            self.seconds
        )
    }
}

/// Records every error the publish feedback shows, from now on (installed
/// again after a reload).
const WATCH_FAILURES: &str = r#"
    if (!window.__chaos) {
        window.__chaos = { errors: [] };
        new MutationObserver(() => {
            const f = document.querySelector('[data-testid=pub-feedback]');
            if (f && f.classList.contains('error')) {
                const text = f.textContent;
                if (window.__chaos.errors[window.__chaos.errors.length - 1] !== text) {
                    window.__chaos.errors.push(text);
                }
            }
        }).observe(document.body, {
            subtree: true, childList: true, characterData: true,
            attributes: true, attributeFilter: ['class'],
        });
    }
    return true;
"#;

/// Publishes deltas `from..to` at `qos` with the publish panel, as fast as
/// a user's clicks would land, and returns how many it published: it stops
/// early while the button is disabled (the page is still loading) or after a
/// click the page reported as failed.
fn publish_chunk(from: u32, to: u32, qos: u8) -> String {
    format!(
        r#"
        const topic = document.querySelector('#pub-topic');
        const payload = document.querySelector('#pub-payload');
        const qos = document.querySelector('#pub-qos');
        const button = document.querySelector('#pub-btn');
        if (!topic || !button || button.disabled) return 0;
        if (topic.value !== '{TOPIC}') {{
            topic.value = '{TOPIC}';
            topic.dispatchEvent(new Event('input', {{ bubbles: true }}));
        }}
        if (qos.value !== '{qos}') {{
            qos.value = '{qos}';
            qos.dispatchEvent(new Event('change', {{ bubbles: true }}));
        }}
        let n = {from};
        for (; n < {to} && !button.disabled; n++) {{
            payload.value = `{{"sku":"{SKU}","delta":1,"msg_id":"c${{n}}"}}`;
            payload.dispatchEvent(new Event('input', {{ bubbles: true }}));
            button.click();
            if (document.querySelector('[data-testid=pub-feedback]').classList.contains('error')) {{
                n++;
                break;
            }}
        }}
        return n - {from};
        "#
    )
}

/// How many messages wait in the page's queue for a connection.
async fn queued(page: &Page) -> u32 {
    page.script(
        "const q = document.querySelector('[data-testid=pub-queued]'); \
         return q ? parseInt(q.textContent, 10) || 0 : 0",
    )
    .await
    .as_u64()
    .unwrap_or(0) as u32
}

async fn failures(page: &Page) -> Vec<String> {
    page.script("return window.__chaos ? window.__chaos.errors : []")
        .await
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| e.as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// The stock row's count cell for [`SKU`], as shown.
async fn stock_cell(page: &Page) -> String {
    page.script_text(&format!(
        "const row = [...document.querySelectorAll('{STOCK_ROW}')]\
           .find(r => r.querySelector('th')?.textContent.trim() === '{SKU}'); \
         return row ? row.querySelector('td.dash-num').textContent : ''"
    ))
    .await
}

/// Waits until the stock shows `expected`; fails once it has not moved for
/// `stalled`.
async fn wait_for_stock(page: &Page, expected: u32, stalled: Duration) {
    let mut last = String::new();
    let mut until = Instant::now() + stalled;
    loop {
        let cell = stock_cell(page).await;
        if cell != last {
            last = cell.clone();
            until = Instant::now() + stalled;
        }
        if cell.trim_start().starts_with(&expected.to_string()) {
            let digits: String = cell.chars().take_while(char::is_ascii_digit).collect();
            if digits == expected.to_string() {
                return;
            }
        }
        if Instant::now() >= until {
            let log = page
                .script_text(
                    "const text = css => document.querySelector(css)?.textContent ?? '(none)'; \
                     const lines = [...document.querySelectorAll('[data-testid=packet-log] > *')]\
                       .map(e => e.textContent); \
                     return ['session store: ' + text('[data-testid=session-store]'), \
                       'publish: ' + text('[data-testid=pub-feedback]'), \
                       'queued: ' + text('[data-testid=pub-queued]'), \
                       'log lines: ' + lines.length, \
                       ...lines.slice(-40)].join('\\n')",
                )
                .await;
            panic!(
                "the dashboard never showed {expected} for {SKU}; it shows {cell:?}. \
                 The packet log ends with:\n{log}"
            );
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Clean Session off with a fixed client id, through `url`; returns once
/// connected (with the dashboard subscribed, if asked).
async fn connect_persistent(page: &Page, url: &str, client_id: &str, dashboard: bool) {
    page.script(WATCH_FAILURES).await;
    page.click("#clean-start").await;
    page.fill(CLIENT_ID, client_id).await;
    page.fill(BROKER_URL, url).await;
    page.click(CONNECT).await;
    page.wait_for(CONN_STATUS, "Connected").await;
    if dashboard {
        page.click(DASHBOARD_TAB).await;
        page.wait_dashboard_subscribed(&["inventory/#"]).await;
    }
}

/// What a run does besides cutting the link.
#[derive(Clone, Copy)]
struct Plan {
    qos: u8,
    /// Broker restarts, spread over the run.
    restarts: u32,
    /// Open the dashboard, so the page subscribes to what it publishes and
    /// counts the stock itself.
    dashboard: bool,
    seed: u64,
}

/// The session panel's count of messages held in flight, once it shows one.
async fn in_flight(page: &Page) -> Option<u64> {
    let text = page
        .script_text(
            "return document.querySelector('[data-testid=session-store]')?.textContent ?? ''",
        )
        .await;
    let (count, _) = text.split_once(" in flight")?;
    count.rsplit(' ').next()?.parse().ok()
}

async fn chaos(e2e: &mut E2e, plan: Plan) -> Counts {
    let started = Instant::now();
    let qos = plan.qos;
    let proxy = CuttingProxy::start(e2e.broker().ws_port, Duration::from_millis(700), plan.seed);
    let offline =
        OfflineSubscriber::create(e2e.broker(), &format!("chaos-offline-q{qos}"), TOPIC, qos);
    connect_persistent(
        e2e.page(),
        &proxy.ws_url(),
        &format!("chaos-page-q{qos}"),
        plan.dashboard,
    )
    .await;
    proxy.start_cutting();

    // Restarts and the reload at even steps through the run, and never two
    // within a second: each must meet flows in flight.
    let events = plan.restarts + 1;
    let step = DELTAS / (events + 1);
    let reload_at = step * (events / 2 + 1);
    let mut restart_at: Vec<u32> = (1..=events).map(|k| k * step).collect();
    restart_at.retain(|&at| at != reload_at);
    let mut last_event = Instant::now();
    let mut reloads = 0;
    let mut next = 0;
    // Every event happens, the last ones after the last delta was handed
    // over if the run is quicker than them, while flows are still in flight.
    while next < DELTAS || !restart_at.is_empty() || reloads == 0 {
        let settled = last_event.elapsed() >= Duration::from_secs(1);
        if settled && restart_at.first().is_some_and(|&at| next >= at) {
            restart_at.remove(0);
            e2e.broker_mut().restart_gracefully();
            last_event = Instant::now();
        } else if settled && next >= reload_at && reloads == 0 {
            e2e.page().reload().await;
            e2e.page().script(WATCH_FAILURES).await;
            reloads += 1;
            last_event = Instant::now();
        }
        let page = e2e.page();
        if next == DELTAS || queued(page).await >= QUEUE_HIGH_WATER {
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        }
        let to = (next + CHUNK).min(DELTAS);
        let done = page.script(&publish_chunk(next, to, qos)).await;
        let done = done.as_u64().unwrap_or(0) as u32;
        let failed = failures(page).await;
        assert!(failed.is_empty(), "the page reported a failure: {failed:?}");
        if done == 0 {
            // Still loading after the reload, or the button is disabled.
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        next += done;
    }

    let page = e2e.page();
    if plan.dashboard {
        wait_for_stock(page, DELTAS, Duration::from_secs(30)).await;
    }
    // Every flow finished: the broker has every message.
    let until = Instant::now() + Duration::from_secs(120);
    while queued(page).await > 0 || in_flight(page).await != Some(0) {
        assert!(
            Instant::now() < until,
            "the page still holds messages: {:?} in flight, {} queued",
            in_flight(page).await,
            queued(page).await
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    proxy.stop_cutting();
    let failed = failures(page).await;
    assert!(failed.is_empty(), "the page reported a failure: {failed:?}");
    let repeats = page
        .script_text(
            "const t = document.querySelector('[data-testid=stock-repeats]'); \
             return t ? t.textContent : ''",
        )
        .await;

    // Now the subscriber that slept through it all drains its queue.
    publish(e2e.broker(), TOPIC, MARKER, qos);
    let payloads = offline.drain_until(e2e.broker(), MARKER, Duration::from_secs(120));
    let mut seen: BTreeMap<u32, usize> = BTreeMap::new();
    for payload in payloads.iter().filter(|p| p.as_str() != MARKER) {
        let n = payload
            .split("\"msg_id\":\"c")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("not a chaos delta: {payload:?}"));
        *seen.entry(n).or_default() += 1;
    }
    let counts = Counts {
        sent: DELTAS,
        received: payloads.len() - 1,
        distinct: seen.len(),
        lost: (0..DELTAS).filter(|n| !seen.contains_key(n)).count(),
        duplicated: seen.values().filter(|&&c| c > 1).count(),
        cuts: proxy.cuts(),
        connections: proxy.accepted(),
        restarts: e2e.broker().restarts,
        reloads,
        broker_repeats_shown: repeats,
        seconds: started.elapsed().as_secs_f64(),
    };
    // The chaos itself happened, as planned.
    assert!(
        counts.cuts >= 3,
        "the proxy cut the link: {}",
        counts.report()
    );
    assert_eq!(
        (counts.restarts, counts.reloads),
        (plan.restarts, 1),
        "{}",
        counts.report()
    );
    counts
}

#[tokio::test]
#[ignore = "end-to-end: needs dist/ (trunk build --release), chromium, chromedriver and mosquitto; run by `make test`"]
async fn qos2_deltas_arrive_exactly_once_through_cuts_broker_restarts_and_a_reload() {
    let broker = Broker::start_persistent(Auth::Anonymous);
    support::run_with("chaos-qos2", broker, |mut e2e: E2e| async move {
        let plan = Plan {
            qos: 2,
            restarts: 2,
            dashboard: true,
            seed: 0x5eed_0002,
        };
        let counts = chaos(&mut e2e, plan).await;
        println!("chaos at QoS 2: {}", counts.report());
        assert_eq!(
            (counts.lost, counts.duplicated, counts.received),
            (0, 0, DELTAS as usize),
            "QoS 2 is exactly once: {}",
            counts.report()
        );
        // The dashboard's exact count was waited for inside the run.
    })
    .await;
}

#[tokio::test]
#[ignore = "end-to-end: needs dist/ (trunk build --release), chromium, chromedriver and mosquitto; run by `make test`"]
async fn qos1_deltas_arrive_at_least_once_through_the_same_chaos() {
    let broker = Broker::start_persistent(Auth::Anonymous);
    support::run_with("chaos-qos1", broker, |mut e2e: E2e| async move {
        let plan = Plan {
            qos: 1,
            restarts: 2,
            dashboard: false,
            seed: 0x5eed_0001,
        };
        let counts = chaos(&mut e2e, plan).await;
        println!("chaos at QoS 1: {}", counts.report());
        assert_eq!(
            counts.lost,
            0,
            "QoS 1 is at least once: {}",
            counts.report()
        );
        assert_eq!(counts.distinct, DELTAS as usize);
    })
    .await;
}
