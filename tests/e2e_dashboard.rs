//! End-to-end: the operator dashboard of the release build (`dist/`) in
//! headless Chromium, fed by `mosquitto_pub` through a real Mosquitto.
//!
//! Like `tests/e2e.rs`, these need `trunk build --release`, chromium,
//! chromedriver and mosquitto, so plain `cargo test` skips them; `make test`
//! runs them in its end-to-end tier:
//!
//! ```sh
//! cargo test --test e2e_dashboard -- --ignored --test-threads=1
//! ```
#![cfg(not(target_arch = "wasm32"))]

// Shared with tests/e2e.rs; this file uses only part of it.
#[allow(dead_code)]
mod support;

use fantoccini::elements::Element;
use fantoccini::Locator;
use support::mqtt_cli::publish;
use support::{Auth, E2e, Page};

// The app's DOM contract.
const BROKER_URL: &str = "#broker-url";
const CONNECT: &str = "#connect-btn";
const CONN_STATUS: &str = "[data-testid=conn-status]";
const DASHBOARD_TAB: &str = "#tab-dashboard";
const ALARM_ROW: &str = "tr.dash-alarm";
const ALARM_COUNT: &str = ".dash-alarms .dash-count";
const STOCK_ROW: &str = "tr.dash-stock";

/// What the dashboard subscribes to when it opens.
const DASHBOARD_FILTERS: &[&str] = &["alarms/#", "critical/#", "inventory/#"];

/// The seeds' alarm, as the plant publishes it.
const FIRE_IN_A_12: &str = r#"{"alarm": "fire", "zone": "A-12"}"#;

/// Connects the page, opens the dashboard, and returns once its filters are
/// subscribed at the broker.
async fn open_subscribed_dashboard(e2e: &E2e) {
    let page = e2e.page();
    page.fill(BROKER_URL, &e2e.broker().ws_url()).await;
    page.click(CONNECT).await;
    page.wait_for(CONN_STATUS, "Connected").await;
    page.click(DASHBOARD_TAB).await;
    page.wait_dashboard_subscribed(DASHBOARD_FILTERS).await;
}

async fn cell_text(row: &Element, css: &str) -> String {
    let cell = row
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|error| panic!("a row has no `{css}`: {error}"));
    cell.text().await.unwrap_or_default()
}

/// The stock count the page shows for `sku` once it shows `expected`; panics
/// with what it shows otherwise.
async fn wait_for_stock(page: &Page, sku: &str, expected: i64) {
    let script = format!(
        "return [...document.querySelectorAll('{STOCK_ROW}')].some(r => \
         r.querySelector('th')?.textContent.trim() === '{sku}' && \
         parseInt(r.querySelector('td.dash-num')?.textContent ?? '', 10) === {expected})"
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    while page.script(&script).await != serde_json::Value::Bool(true) {
        assert!(
            std::time::Instant::now() <= deadline,
            "SKU {sku} never showed {expected}; the stock rows show {:?}",
            page.texts(STOCK_ROW).await
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

async fn document_title(page: &Page) -> String {
    page.script_text("return document.title").await
}

#[tokio::test]
#[ignore = "end-to-end: needs dist/ (trunk build --release), chromium, chromedriver and mosquitto; run by `make test`"]
async fn a_fire_alarm_from_mosquitto_pub_shows_counts_in_the_title_and_is_acknowledged() {
    support::run("dashboard-alarm", Auth::Anonymous, |e2e: E2e| async move {
        open_subscribed_dashboard(&e2e).await;
        let page = e2e.page();

        publish(e2e.broker(), "critical/alarm", FIRE_IN_A_12, 2);
        let row = page.wait_for(ALARM_ROW, "A-12").await;
        assert_eq!(cell_text(&row, ".dash-alarm-type").await, "fire");
        assert!(cell_text(&row, ".dash-topic")
            .await
            .contains("critical/alarm"));
        page.wait_for(ALARM_COUNT, "1 unacknowledged").await;
        assert!(
            document_title(page).await.starts_with("(1) "),
            "the tab title should lead with the unacknowledged count, is {:?}",
            document_title(page).await
        );

        row.find(Locator::Css(".dash-actions button"))
            .await
            .expect("the alarm row has an Ack button")
            .click()
            .await
            .expect("click Ack");
        page.wait_for(ALARM_COUNT, "0 unacknowledged").await;
        page.wait_for(ALARM_ROW, "Acknowledged").await;
        page.wait_until_script_is_true("return !document.title.startsWith('(')")
            .await;
    })
    .await;
}

#[tokio::test]
#[ignore = "end-to-end: needs dist/ (trunk build --release), chromium, chromedriver and mosquitto; run by `make test`"]
async fn a_retransmitted_inventory_delta_is_counted_once() {
    support::run(
        "dashboard-inventory",
        Auth::Anonymous,
        |e2e: E2e| async move {
            open_subscribed_dashboard(&e2e).await;
            let page = e2e.page();
            let topic = "inventory/warehouse-1/A-100";

            publish(e2e.broker(), topic, r#"{"sku": "A-100", "level": 40}"#, 2);
            wait_for_stock(page, "A-100", 40).await;

            let take_three = r#"{"sku": "A-100", "delta": -3, "msg_id": "m-1"}"#;
            publish(e2e.broker(), topic, take_three, 1);
            publish(
                e2e.broker(),
                topic,
                r#"{"sku": "A-100", "delta": 5, "msg_id": "m-2"}"#,
                2,
            );
            // The sender did not see m-1's PUBACK and sent it again (QoS 1 is
            // at-least-once, MQTT-4.3.2): a new delivery of the same message.
            publish(e2e.broker(), topic, take_three, 1);
            publish(
                e2e.broker(),
                topic,
                r#"{"sku": "A-100", "delta": -1, "msg_id": "m-3"}"#,
                1,
            );

            // 40 - 3 + 5 - 1 = 41; counting m-1 twice would show 38.
            wait_for_stock(page, "A-100", 41).await;
            let row = page.wait_for(STOCK_ROW, "A-100").await;
            assert_eq!(
                cell_text(&row, ".dash-trust").await,
                "cannot be trusted (1 dup)",
                "one retransmission at QoS 1 since the level: recognised, and flagged once"
            );

            publish(e2e.broker(), "critical/alarm", FIRE_IN_A_12, 2);
            page.wait_for(ALARM_ROW, "A-12").await;
            page.save_screenshot(&Page::screenshot_path("dashboard"))
                .await;
        },
    )
    .await;
}

/// True once the client's status reads Connected (read through
/// `textContent`: the client view is hidden while the dashboard shows).
const CLIENT_CONNECTED: &str = r#"
    return document.querySelector('[data-testid=conn-status]')?.textContent.includes('Connected');
"#;

/// The text of the stock row of `sku`, read through `textContent`.
async fn stock_row_text(page: &Page, sku: &str) -> String {
    page.script_text(&format!(
        "return [...document.querySelectorAll('{STOCK_ROW}')].find(r => \
         r.querySelector('th')?.textContent.trim() === '{sku}')?.textContent ?? ''"
    ))
    .await
}

#[tokio::test]
#[ignore = "end-to-end: needs dist/ (trunk build --release), chromium, chromedriver and mosquitto; run by `make test`"]
async fn after_a_reload_the_dashboard_reconnects_and_shows_its_restored_state() {
    support::run("dashboard-reload", Auth::Anonymous, |e2e: E2e| async move {
        open_subscribed_dashboard(&e2e).await;
        let page = e2e.page();
        let topic = "inventory/warehouse-1/A-100";
        publish(e2e.broker(), "critical/alarm", FIRE_IN_A_12, 2);
        publish(e2e.broker(), topic, r#"{"sku": "A-100", "level": 40}"#, 2);
        publish(
            e2e.broker(),
            topic,
            r#"{"sku": "A-100", "delta": -3, "msg_id": "m-1"}"#,
            1,
        );
        page.wait_for(ALARM_ROW, "A-12").await;
        wait_for_stock(page, "A-100", 37).await;

        page.reload().await;

        // The same view, the same rows, marked as not yet confirmed: before
        // any Connect, and whatever the broker does next.
        page.wait_until_script_is_true(
            "return document.querySelector('#tab-dashboard')?.getAttribute('aria-selected') === 'true'",
        )
        .await;
        let fire = page.wait_for(ALARM_ROW, "A-12").await;
        assert!(cell_text(&fire, ".dash-topic").await.contains("restored"));
        wait_for_stock(page, "A-100", 37).await;
        assert!(stock_row_text(page, "A-100").await.contains("restored"));
        page.wait_for(".dash-restored-notice", "Restored after a reload")
            .await;
        page.wait_for(ALARM_COUNT, "1 unacknowledged").await;
        page.save_screenshot(&Page::screenshot_path("dashboard-restored"))
            .await;

        // It reconnects on its own and subscribes to its topics again.
        page.wait_until_script_is_true(CLIENT_CONNECTED).await;
        page.wait_dashboard_subscribed(DASHBOARD_FILTERS).await;

        // Live data confirms the rows: a level for the count, a new
        // occurrence for the alarm (which counts, as any occurrence).
        publish(e2e.broker(), topic, r#"{"sku": "A-100", "level": 36}"#, 2);
        wait_for_stock(page, "A-100", 36).await;
        assert!(
            !stock_row_text(page, "A-100").await.contains("restored"),
            "a level confirms the count: {}",
            stock_row_text(page, "A-100").await
        );
        publish(e2e.broker(), "critical/alarm", FIRE_IN_A_12, 2);
        page.wait_until_script_is_true(&format!(
            "return [...document.querySelectorAll('{ALARM_ROW}')].some(r => \
             r.textContent.includes('A-12') && !r.classList.contains('restored'))"
        ))
        .await;
        page.wait_until_script_is_true(
            "return document.querySelector('.dash-restored-notice') === null",
        )
        .await;
    })
    .await;
}

/// Records, in the page, every notification the app shows and every title
/// it sets, each with whether the tab was hidden at that moment.
const WATCH_ALERTS: &str = r#"
    window.__alerts = { shown: [], titles: [], visibility: [] };
    const Real = window.Notification;
    class Watched extends Real {
        constructor(title, options) {
            window.__alerts.shown.push({ title, hidden: document.hidden });
            super(title, options);
        }
    }
    Object.defineProperty(Watched, 'permission', { get: () => Real.permission });
    Watched.requestPermission = (...args) => Real.requestPermission(...args);
    window.Notification = Watched;
    new MutationObserver(() => window.__alerts.titles.push({ title: document.title, hidden: document.hidden }))
        .observe(document.querySelector('title'), { childList: true, characterData: true, subtree: true });
    document.addEventListener('visibilitychange',
        () => window.__alerts.visibility.push(document.visibilityState));
    return Real.permission;
"#;

/// An operator's dashboard is often behind another tab, where browsers
/// pause animation frames and throttle timers. A critical alarm must still
/// raise its notification and the title's count at once, while hidden.
#[tokio::test]
#[ignore = "end-to-end: needs dist/ (trunk build --release), chromium, chromedriver and mosquitto; run by `make test`"]
async fn a_critical_alarm_in_a_background_tab_notifies_and_counts_in_the_title_at_once() {
    support::run(
        "dashboard-hidden-tab",
        Auth::Anonymous,
        |e2e: E2e| async move {
            open_subscribed_dashboard(&e2e).await;
            let page = e2e.page();
            let origin = page.script_text("return location.origin").await;
            page.cdp(
                "Browser.grantPermissions",
                serde_json::json!({ "permissions": ["notifications"], "origin": origin }),
            )
            .await;
            assert_eq!(page.script_text(WATCH_ALERTS).await, "granted");
            // The operator's opt-in (a checkbox in the dashboard's settings).
            page.script(
                "[...document.querySelectorAll('label')]\
             .find(l => l.textContent.includes('Browser notification on a new critical alarm'))\
             .querySelector('input').click(); return true",
            )
            .await;

            let app = page.hide_behind_new_tab().await;
            publish(e2e.broker(), "critical/alarm", FIRE_IN_A_12, 2);
            // Read through the browser: the app's tab stays in the background.
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
            while !page
                .tab_titles()
                .await
                .iter()
                .any(|t| t.starts_with("(1) "))
            {
                assert!(
                    std::time::Instant::now() < deadline,
                    "the background tab's title never counted the alarm: {:?}",
                    page.tab_titles().await
                );
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
            page.bring_back(app).await;

            let alerts = page.script("return window.__alerts").await;
            assert_eq!(
                alerts["visibility"][0], "hidden",
                "the tab went to the background: {alerts}"
            );
            let shown = &alerts["shown"][0];
            assert_eq!(
                shown["title"], "Critical alarm: fire in zone A-12",
                "one notification: {alerts}"
            );
            assert_eq!(shown["hidden"], true, "shown while hidden: {alerts}");
            let counted = alerts["titles"]
                .as_array()
                .and_then(|titles| {
                    titles
                        .iter()
                        .find(|t| t["title"].as_str().is_some_and(|t| t.starts_with("(1) ")))
                })
                .cloned()
                .unwrap_or_default();
            assert_eq!(counted["hidden"], true, "counted while hidden: {alerts}");
        },
    )
    .await;
}
