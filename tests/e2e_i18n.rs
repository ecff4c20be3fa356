//! End-to-end: the interface in Simplified Chinese and English, in the
//! release build (`dist/`) in headless Chromium.
//!
//! Run by `make test` in its end-to-end tier:
//!
//! ```sh
//! cargo test --test e2e_i18n -- --ignored --test-threads=1
//! ```
#![cfg(not(target_arch = "wasm32"))]

#[allow(dead_code)]
mod support;

use serde_json::json;
use support::{Auth, E2e, Page};

const CONN_STATUS: &str = "[data-testid=conn-status]";
const ENGLISH: &str = "#lang-switch [data-locale='en']";
const CHINESE: &str = "#lang-switch [data-locale='zh-CN']";

/// Visible text of the page's interface (header, tabs, the shown view) that
/// is written in English words a Chinese reader would need translated: runs
/// of Latin letters that are not protocol names, units, or user data
/// (`<input>`, `<textarea>`, `<code>`, `<pre>`, `[translate=no]`, the
/// mosquitto-style packet log, the hex dump, and tokens that are topics, file
/// names, config options or JSON).
const ENGLISH_LEFT: &str = r##"
const allowed = new Set(["MQTT","QoS","PUBLISH","PUBACK","PUBREC","PUBREL","PUBCOMP","CONNECT",
  "CONNACK","SUBSCRIBE","SUBACK","UNSUBSCRIBE","UNSUBACK","PINGREQ","PINGRESP","DISCONNECT",
  "AUTH","DUP","RETAIN","JSON","CSV","SVG","URL","ID","TCP","WebSocket","ws","wss","p50","p95",
  "p99","ms","KB","MB","B","s","v5","EN","Mosquitto","QoScope","English","Esc","PageUp",
  "PageDown","msg","Receive","Maximum"]);
const skip = "input,textarea,select,code,pre,kbd,svg,[translate=no],[data-testid=packet-log],.hexdump,.user-data";
const out = [];
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
while (walker.nextNode()) {
  const node = walker.currentNode;
  const el = node.parentElement;
  if (!el || el.closest(skip) || !el.offsetParent && getComputedStyle(el).position !== "fixed") continue;
  // Tokens between spaces and Chinese; one with / _ . # { " = in it is a
  // topic, a file name, a config option or JSON: user data, not prose.
  const tokens = node.textContent.split(/[\s\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”‘’…]+/)
    .filter(t => !/[\/_.#{}"=]/.test(t));
  const words = tokens.join(" ").split(/[^A-Za-z0-9]+/).filter(w => /[A-Za-z]{2,}/.test(w));
  const bad = words.filter(w => !allowed.has(w) && !/^[A-Z0-9]+$/.test(w));
  if (bad.length) out.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + ": " + node.textContent.trim().slice(0, 80));
}
return out.join("\n");
"##;

async fn english_left(page: &Page) -> String {
    page.script(ENGLISH_LEFT)
        .await
        .as_str()
        .unwrap_or_default()
        .to_string()
}

async fn html_lang(page: &Page) -> String {
    page.script("return document.documentElement.lang;")
        .await
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
#[ignore = "end-to-end: needs dist/ (trunk build --release), chromium, chromedriver and mosquitto; run by `make test`"]
async fn switching_language_mid_session_keeps_the_connection_and_is_remembered() {
    support::run("i18n-switch", Auth::Anonymous, |e2e: E2e| async move {
        let page = e2e.page();
        // A browser that prefers English opens in English.
        page.wait_for("#tab-client", "Client").await;
        assert_eq!(html_lang(page).await, "en");
        page.count_websockets().await;
        page.fill("#broker-url", &e2e.broker().ws_url()).await;
        page.click("#connect-btn").await;
        page.wait_for(CONN_STATUS, "Connected").await;
        page.fill("#sub-filter", "i18n/#").await;
        page.click("#sub-btn").await;
        page.wait_for("[data-testid=sub-row]", "i18n/#").await;
        let opened = page.websockets_opened().await;

        page.click(CHINESE).await;
        page.wait_for(CONN_STATUS, "已连接").await;
        page.wait_for("#tab-client", "客户端").await;
        assert_eq!(html_lang(page).await, "zh-CN");
        assert_eq!(
            page.websockets_opened().await,
            opened,
            "switching the language opened no new connection"
        );
        // The session is the same one: a message still arrives on its subscription.
        support::mqtt_cli::publish(e2e.broker(), "i18n/after-switch", "还在", 1);
        page.wait_for("[data-testid=msg-row]", "还在").await;
        assert_eq!(page.websockets_opened().await, opened);

        // Remembered across a reload (which resumes the session).
        page.reload().await;
        page.wait_for("#tab-client", "客户端").await;
        assert_eq!(html_lang(page).await, "zh-CN");

        page.click(ENGLISH).await;
        page.wait_for("#tab-client", "Client").await;
        assert_eq!(html_lang(page).await, "en");
    })
    .await;
}

#[tokio::test]
#[ignore = "end-to-end: needs dist/ (trunk build --release), chromium and chromedriver; run by `make test`"]
async fn a_chinese_browser_gets_every_tab_in_chinese() {
    support::run_offline("i18n-zh-tabs", |e2e: E2e| async move {
        let page = e2e.page();
        // A first visit from a browser whose preferred language is Chinese.
        page.cdp(
            "Emulation.setUserAgentOverride",
            json!({ "userAgent": "Mozilla/5.0 QoScope-e2e", "acceptLanguage": "zh-CN,zh" }),
        )
        .await;
        page.cdp("Emulation.setLocaleOverride", json!({ "locale": "zh-CN" }))
            .await;
        page.open_home_fresh().await;
        let languages = page.script("return navigator.languages.join(',');").await;
        assert_eq!(languages, json!("zh-CN,zh"), "the browser prefers Chinese");
        page.wait_for("#tab-client", "客户端").await;
        assert_eq!(html_lang(page).await, "zh-CN");
        page.set_viewport(1920, 1080).await;

        let mut left = Vec::new();
        for (tab, name) in [
            ("#tab-client", "client"),
            ("#tab-dashboard", "dashboard"),
            ("#tab-lab", "lab"),
            ("#tab-visualiser", "visualiser"),
        ] {
            page.click(tab).await;
            page.wait_until_script_is_true(&format!(
                "return document.querySelector('{tab}').getAttribute('aria-selected') === 'true'"
            ))
            .await;
            page.script("window.scrollTo(0, 0); return true;").await;
            page.save_screenshot(&Page::screenshot_path(&format!("zh-{name}")))
                .await;
            let english = english_left(page).await;
            if !english.is_empty() {
                left.push(format!("{name}:\n{english}"));
            }
        }
        // A lab run on the simulated broker: its table, verdicts and date in Chinese.
        page.click("#tab-lab").await;
        page.fill("#lab-messages", "50").await;
        page.click("#lab-target-sim").await;
        page.click("#lab-run").await;
        page.wait_for("#lab-measured", "50 · 0 · 0").await;
        page.wait_for(".lab-report", "年").await;
        page.script("window.scrollTo(0, 0); return true;").await;
        page.save_screenshot(&Page::screenshot_path("zh-lab-run"))
            .await;
        let english = english_left(page).await;
        if !english.is_empty() {
            left.push(format!("lab run:\n{english}"));
        }
        // Presenter mode on the simulated broker.
        page.click("#present").await;
        page.element("[data-testid=presenter-bar]").await;
        // Full screen resizes the headless window; the projector size again.
        page.set_viewport(1920, 1080).await;
        page.save_screenshot(&Page::screenshot_path("zh-presenter"))
            .await;
        let english = english_left(page).await;
        if !english.is_empty() {
            left.push(format!("presenter:\n{english}"));
        }
        assert!(
            left.is_empty(),
            "English left in the Chinese interface:\n{}",
            left.join("\n")
        );
    })
    .await;
}
