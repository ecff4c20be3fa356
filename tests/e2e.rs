//! End-to-end: the release build (`dist/`) in headless Chromium against a
//! real Mosquitto that each test starts on free loopback ports.
//!
//! These tests need `trunk build --release`, chromium, chromedriver and
//! mosquitto, so plain `cargo test` skips them; `make test` runs them as its
//! last tier:
//!
//! ```sh
//! cargo test --test e2e -- --ignored --test-threads=1
//! ```
//!
//! They address the page only through its stable ids and `data-testid`s.
#![cfg(not(target_arch = "wasm32"))]

// Shared with the other e2e tests; this file uses only part of it.
#[allow(dead_code)]
mod support;

use support::mqtt_cli::{publish, subscribe, Received};
use support::{Auth, Broker, E2e, Page};

// The app's DOM contract.
const BROKER_URL: &str = "#broker-url";
const CONNECT: &str = "#connect-btn";
const USERNAME: &str = "#username";
const PASSWORD: &str = "#password";
const CONN_STATUS: &str = "[data-testid=conn-status]";
const CONN_ERROR: &str = "[data-testid=conn-error]";
const PUB_TOPIC: &str = "#pub-topic";
const PUB_PAYLOAD: &str = "#pub-payload";
const PUB_QOS: &str = "#pub-qos";
const PUBLISH: &str = "#pub-btn";
const SUB_FILTER: &str = "#sub-filter";
const SUB_QOS: &str = "#sub-qos";
const SUBSCRIBE: &str = "#sub-btn";
const SUB_ROW: &str = "[data-testid=sub-row]";
const MSG_ROW: &str = "[data-testid=msg-row]";
/// One line of the packet log each.
const PACKET_LOG: &str = "[data-testid=packet-log] > *";

/// Points the page at `broker_url` and connects; returns once it says so.
async fn connect(page: &Page, broker_url: &str) {
    page.fill(BROKER_URL, broker_url).await;
    page.click(CONNECT).await;
    page.wait_for(CONN_STATUS, "Connected").await;
}

/// Subscribes the page to `filter` at QoS 2 and returns once the broker's
/// SUBACK is in the packet log (the `nth` SUBACK of the session).
async fn subscribe_page(page: &Page, filter: &str, nth: usize) {
    page.fill(SUB_FILTER, filter).await;
    page.select(SUB_QOS, "2").await;
    page.click(SUBSCRIBE).await;
    page.wait_for(SUB_ROW, filter).await;
    page.wait_for_nth(PACKET_LOG, "SUBACK", nth).await;
}

async fn publish_from_page(page: &Page, topic: &str, payload: &str, qos: u8) {
    page.fill(PUB_TOPIC, topic).await;
    page.fill(PUB_PAYLOAD, payload).await;
    page.select(PUB_QOS, &qos.to_string()).await;
    page.click(PUBLISH).await;
}

/// The message row that shows `payload`, once it is there: (topic, QoS) as shown.
async fn message_row(page: &Page, payload: &str) -> (String, String) {
    let row = page.wait_for(MSG_ROW, payload).await;
    let field = |testid: &'static str| {
        let row = row.clone();
        async move {
            let locator = format!("[data-testid={testid}]");
            let cell = row
                .find(fantoccini::Locator::Css(&locator))
                .await
                .unwrap_or_else(|error| panic!("a message row has no {locator}: {error}"));
            cell.text().await.unwrap_or_default()
        }
    };
    assert_eq!(field("msg-payload").await, payload);
    (field("msg-topic").await, field("msg-qos").await)
}

#[tokio::test]
#[ignore = "end-to-end: needs dist/ (trunk build --release), chromium, chromedriver and mosquitto; run by `make test`"]
async fn the_release_build_loads_in_chromium_with_its_wasm_served_as_wasm() {
    support::run("smoke", Auth::Anonymous, |e2e: E2e| async move {
        e2e.page().element("body").await;
        let wasm_url = "performance.getEntriesByType('resource').map(r => r.name).find(n => n.endsWith('.wasm'))";
        e2e.page()
            .wait_until_script_is_true(&format!("return {wasm_url} !== undefined"))
            .await;
        // Served as application/wasm, or the loader falls back to a slower path.
        let served_as = e2e
            .page()
            .script(&format!("return fetch({wasm_url}).then(r => r.headers.get('content-type'))"))
            .await;
        assert_eq!(served_as, serde_json::json!("application/wasm"));
    })
    .await;
}

/// The page publishes at QoS 0, 1 and 2; `mosquitto_sub` gets each once, at its QoS.
async fn page_publishes_at_each_qos(e2e: E2e) {
    connect(e2e.page(), &e2e.broker().ws_url()).await;
    let listener = subscribe(e2e.broker(), "e2e/from-page/#", 3);
    for qos in 0..=2u8 {
        let topic = format!("e2e/from-page/q{qos}");
        publish_from_page(e2e.page(), &topic, &format!("sent at QoS {qos}"), qos).await;
    }
    let mut received = listener.received();
    received.sort_by_key(|message| message.qos);
    let expected: Vec<Received> = (0..=2u8)
        .map(|qos| Received {
            topic: format!("e2e/from-page/q{qos}"),
            payload: format!("sent at QoS {qos}"),
            qos,
        })
        .collect();
    assert_eq!(received, expected);
}

#[tokio::test]
#[ignore = "end-to-end: needs dist/ (trunk build --release), chromium, chromedriver and mosquitto; run by `make test`"]
async fn messages_published_from_the_page_reach_mosquitto_sub_at_each_qos() {
    support::run(
        "publish-from-page",
        Auth::Anonymous,
        page_publishes_at_each_qos,
    )
    .await;
}

#[tokio::test]
#[ignore = "end-to-end: needs dist/ (trunk build --release), chromium, chromedriver and aedes (npm); run by `make test`"]
async fn on_aedes_messages_published_from_the_page_reach_mosquitto_sub_at_each_qos() {
    let aedes = Broker::start_aedes();
    support::run_with("aedes-publish-from-page", aedes, page_publishes_at_each_qos).await;
}

/// `mosquitto_pub` publishes at QoS 0, 1 and 2; the page shows each, at its QoS.
async fn page_receives_at_each_qos(e2e: &E2e) {
    connect(e2e.page(), &e2e.broker().ws_url()).await;
    subscribe_page(e2e.page(), "e2e/to-page/#", 1).await;
    for qos in 0..=2u8 {
        let topic = format!("e2e/to-page/q{qos}");
        let payload = format!("arrived at QoS {qos}");
        publish(e2e.broker(), &topic, &payload, qos);
        let (shown_topic, shown_qos) = message_row(e2e.page(), &payload).await;
        assert_eq!(shown_topic, topic);
        assert!(
            shown_qos.contains(&qos.to_string()),
            "QoS shown as {shown_qos:?}, sent at {qos}"
        );
    }
}

#[tokio::test]
#[ignore = "end-to-end: needs dist/ (trunk build --release), chromium, chromedriver and aedes (npm); run by `make test`"]
async fn on_aedes_messages_from_mosquitto_pub_appear_in_the_page_at_each_qos() {
    let aedes = Broker::start_aedes();
    support::run_with("aedes-receive-in-page", aedes, |e2e: E2e| async move {
        page_receives_at_each_qos(&e2e).await;
        // A QoS 2 message the page received is released by aedes's PUBREL
        // and completed by the page's PUBCOMP: the packet log shows both.
        e2e.page().wait_for(PACKET_LOG, "received PUBREL").await;
        e2e.page().wait_for(PACKET_LOG, "sending PUBCOMP").await;
    })
    .await;
}

#[tokio::test]
#[ignore = "end-to-end: needs dist/ (trunk build --release), chromium, chromedriver and mosquitto; run by `make test`"]
async fn messages_from_mosquitto_pub_appear_in_the_page_at_each_qos() {
    support::run("receive-in-page", Auth::Anonymous, |e2e: E2e| async move {
        page_receives_at_each_qos(&e2e).await;
        // The README's picture: the whole page from its header down.
        e2e.page()
            .script("window.scrollTo(0, 0); return true;")
            .await;
        e2e.page()
            .save_screenshot(&Page::screenshot_path("app"))
            .await;
    })
    .await;
}

#[tokio::test]
#[ignore = "end-to-end: needs dist/ (trunk build --release), chromium, chromedriver and mosquitto; run by `make test`"]
async fn a_refused_connection_shows_its_reason_and_the_right_password_connects() {
    let auth = Auth::Password {
        username: "operator",
        password: "right-password",
    };
    support::run("refused-login", auth, |e2e: E2e| async move {
        let page = e2e.page();
        page.fill(USERNAME, "operator").await;
        page.fill(PASSWORD, "wrong-password").await;
        page.fill(BROKER_URL, &e2e.broker().ws_url()).await;
        page.click(CONNECT).await;
        page.wait_for(CONN_STATUS, "Refused").await;
        let reason = page.texts(CONN_ERROR).await.join(" ").to_lowercase();
        assert!(
            reason.contains("not authori") || reason.contains("password"),
            "the refusal should say why (bad user name or password / not authorized), it says {reason:?}"
        );

        page.fill(PASSWORD, "right-password").await;
        page.click(CONNECT).await;
        page.wait_for(CONN_STATUS, "Connected").await;
    })
    .await;
}

#[tokio::test]
#[ignore = "end-to-end: needs dist/ (trunk build --release), chromium, chromedriver and mosquitto; run by `make test`"]
async fn after_a_broker_restart_the_page_reconnects_and_resubscribes_by_itself() {
    support::run("reconnect", Auth::Anonymous, |mut e2e: E2e| async move {
        connect(e2e.page(), &e2e.broker().ws_url()).await;
        subscribe_page(e2e.page(), "e2e/restart/#", 1).await;
        publish(e2e.broker(), "e2e/restart/before", "before the restart", 1);
        message_row(e2e.page(), "before the restart").await;

        e2e.broker_mut().stop();
        e2e.page().wait_for(CONN_STATUS, "Reconnecting").await;
        e2e.broker_mut().restart();
        e2e.page().wait_for(CONN_STATUS, "Connected").await;
        // The restarted broker kept no session: only the page's own SUBSCRIBE brings the filter back.
        e2e.page().wait_for_nth(PACKET_LOG, "SUBACK", 2).await;

        publish(e2e.broker(), "e2e/restart/after", "after the restart", 1);
        let (topic, _) = message_row(e2e.page(), "after the restart").await;
        assert_eq!(topic, "e2e/restart/after");
    })
    .await;
}

#[tokio::test]
#[ignore = "end-to-end: needs dist/ (trunk build --release), chromium, chromedriver and mosquitto; run by `make test`"]
async fn payloads_that_look_like_html_are_shown_as_text_and_never_run() {
    support::run("html-payloads", Auth::Anonymous, |e2e: E2e| async move {
        connect(e2e.page(), &e2e.broker().ws_url()).await;
        subscribe_page(e2e.page(), "e2e/html/#", 1).await;
        let payloads = [
            "<script>window.__pwned=1</script>",
            "<img src=x onerror=\"window.__pwned=1\">",
        ];
        for (n, payload) in payloads.iter().enumerate() {
            publish(e2e.broker(), &format!("e2e/html/{n}"), payload, 1);
            message_row(e2e.page(), payload).await;
        }
        let markup_in_rows = e2e
            .page()
            .script("return document.querySelectorAll('[data-testid=msg-row] script, [data-testid=msg-row] img').length")
            .await;
        assert_eq!(markup_in_rows, serde_json::json!(0), "a payload became markup");
        let pwned = e2e.page().script("return typeof window.__pwned").await;
        assert_eq!(pwned, serde_json::json!("undefined"), "a payload ran as script");
    })
    .await;
}

/// How many message rows show `payload`, read through `textContent`.
async fn rows_showing(page: &Page, payload: &str) -> u64 {
    page.script(&format!(
        "return [...document.querySelectorAll('{MSG_ROW} [data-testid=msg-payload]')]\
         .filter(e => e.textContent === {payload:?}).length"
    ))
    .await
    .as_u64()
    .unwrap_or(0)
}

#[tokio::test]
#[ignore = "end-to-end: needs dist/ (trunk build --release), chromium, chromedriver and mosquitto; run by `make test`"]
async fn with_clean_session_off_the_session_outlives_disconnect_and_reload() {
    support::run(
        "persistent-session",
        Auth::Anonymous,
        |e2e: E2e| async move {
            let page = e2e.page();
            page.click("#clean-start").await; // off: the broker keeps the session
            connect(page, &e2e.broker().ws_url()).await;
            subscribe_page(page, "e2e/persist/#", 1).await;
            page.wait_for(
                "[data-testid=session-store]",
                "Session kept in this browser",
            )
            .await;

            // Disconnect, and the broker queues what the session subscribed to.
            page.click(CONNECT).await;
            page.wait_for(CONN_STATUS, "Disconnected").await;
            publish(e2e.broker(), "e2e/persist/a", "while disconnected", 2);
            connect(page, &e2e.broker().ws_url()).await;
            let (_, qos) = message_row(page, "while disconnected").await;
            assert_eq!(qos, "QoS 2");
            page.wait_for(SUB_ROW, "e2e/persist/#").await;
            assert_eq!(
                page.texts(PACKET_LOG)
                    .await
                    .iter()
                    .filter(|l| l.contains("sending SUBSCRIBE"))
                    .count(),
                1,
                "the session kept its subscription: nothing to subscribe again"
            );

            // Reload: the page reconnects on its own with the stored session,
            // and what was published meanwhile arrives exactly once.
            page.reload().await;
            publish(e2e.broker(), "e2e/persist/a", "while reloading", 2);
            page.wait_for(CONN_STATUS, "Connected").await;
            message_row(page, "while reloading").await;
            page.wait_for(SUB_ROW, "e2e/persist/#").await;
            publish(e2e.broker(), "e2e/persist/a", "marker", 2);
            message_row(page, "marker").await;
            assert_eq!(rows_showing(page, "while reloading").await, 1);
            assert_eq!(
                rows_showing(page, "while disconnected").await,
                0,
                "delivered before the reload, not again after it"
            );
        },
    )
    .await;
}

#[tokio::test]
#[ignore = "end-to-end: needs dist/ (trunk build --release), chromium, chromedriver and mosquitto; run by `make test`"]
async fn mqtt5_subscription_identifiers_tag_messages_and_disconnect_can_send_the_will() {
    support::run("mqtt5-options", Auth::Anonymous, |e2e: E2e| async move {
        let page = e2e.page();
        page.select("#mqtt-version", "5").await;
        page.script(
            "document.querySelectorAll('details').forEach(d => d.open = true); return true",
        )
        .await;
        page.click("#will-enabled").await;
        page.fill("#will-topic", "e2e/v5/will").await;
        page.fill("#will-payload", "the page left on purpose, will and all")
            .await;
        connect(page, &e2e.broker().ws_url()).await;

        page.fill("#sub-id", "42").await;
        subscribe_page(page, "e2e/v5/#", 1).await;
        publish(e2e.broker(), "e2e/v5/a", "tagged", 1);
        let row = page.wait_for(MSG_ROW, "tagged").await;
        let meta = row
            .find(fantoccini::Locator::Css(".msg-meta"))
            .await
            .expect("a message row has its meta line");
        assert!(
            meta.text()
                .await
                .unwrap_or_default()
                .contains("subscription id 42"),
            "the broker tagged the message with the SUBSCRIBE's identifier"
        );

        // Reason 0x04: the broker publishes the will although we said goodbye.
        let will = subscribe(e2e.broker(), "e2e/v5/will", 1);
        page.click("#disconnect-with-will").await;
        page.click(CONNECT).await;
        page.wait_for(CONN_STATUS, "Disconnected").await;
        let received = will.received();
        assert_eq!(received.len(), 1, "the will, once: {received:?}");
        assert_eq!(
            received[0].payload,
            "the page left on purpose, will and all"
        );
    })
    .await;
}

#[tokio::test]
#[ignore = "end-to-end: needs dist/ (trunk build --release), chromium, chromedriver and aedes (npm); run by `make test`"]
async fn a_broker_that_speaks_only_3_1_1_refuses_mqtt5_with_a_reason_the_user_can_act_on() {
    let aedes = Broker::start_aedes();
    support::run_with("aedes-refuses-v5", aedes, |e2e: E2e| async move {
        let page = e2e.page();
        page.select("#mqtt-version", "5").await;
        page.fill(BROKER_URL, &e2e.broker().ws_url()).await;
        page.click(CONNECT).await;
        // aedes answers in 3.1.1's format (return code 1); the page reads it
        // as 5.0's Unsupported Protocol Version and says what to change.
        page.wait_for(CONN_ERROR, "Unsupported Protocol Version")
            .await;
        page.wait_for(CONN_ERROR, "choose 3.1.1 as the protocol version")
            .await;
        page.select("#mqtt-version", "4").await;
        page.click(CONNECT).await;
        page.wait_for(CONN_STATUS, "Connected").await;
    })
    .await;
}
