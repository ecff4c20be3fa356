//! What the browser benches (benches/browser.rs, flood.rs, mqttjs.rs) share:
//! the switch that runs them, their runtime, their knobs, and the page with
//! the bench build's export loaded.

use std::future::Future;

use super::{dist_dir, Browser, Page, Site};

/// Runs `measure` to its end when `QOSCOPE_BROWSER_BENCH` is set, as
/// scripts/bench-browser.sh sets it; otherwise says that `name` was skipped
/// and why: a plain `cargo bench` has neither the release build nor the
/// browser and broker these need (`needs` says which).
pub fn run_browser_bench(name: &str, needs: &str, measure: impl Future<Output = ()>) {
    if std::env::var_os("QOSCOPE_BROWSER_BENCH").is_none() {
        println!("{name} skipped: run scripts/bench-browser.sh ({needs})");
        return;
    }
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
        .block_on(measure);
}

/// The number in environment variable `name`, else `default`.
pub fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The bench build (`$QOSCOPE_DIST`) served and open in a fresh headless
/// Chromium, once the page has `export` on `window.wasmBindings`. The site
/// and the browser must live as long as the page.
pub async fn open_bench_page(export: &str) -> (Site, Browser, Page) {
    let site = Site::serve(dist_dir());
    let browser = Browser::launch().await;
    let page = browser.page(site.url());
    page.open_home().await;
    page.wait_until_script_is_true(&format!(
        "return typeof window.wasmBindings?.{export} === 'function'"
    ))
    .await;
    (site, browser, page)
}
