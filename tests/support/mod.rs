//! End-to-end harness: the release build in `dist/` served on a free loopback
//! port, opened in headless Chromium (through chromedriver and fantoccini),
//! talking to a real Mosquitto that the test starts on free loopback ports.
//!
//! Every process a test starts is owned by a guard that stops it on drop, so a
//! failing test leaves nothing running. Nothing here sleeps a fixed time: every
//! wait polls a condition against a deadline.

pub mod bench;
pub mod broker;
pub mod browser;
pub mod flood;
pub mod mqtt_cli;
pub mod process;
pub mod proxy;
pub mod site;

use std::future::Future;
use std::panic::resume_unwind;
use std::path::PathBuf;

pub use broker::{Auth, Broker};
pub use browser::{Browser, Page};
pub use site::Site;

/// Everything one end-to-end test drives: the page, the broker behind it and
/// the server of `dist/`. Reached through methods, so that a test's `async
/// move` block captures all of it: capturing only `e2e.page` would drop the
/// broker and the file server before the test body runs.
pub struct E2e {
    page: Page,
    broker: Option<Broker>,
    site: Option<Site>,
}

impl E2e {
    pub fn page(&self) -> &Page {
        &self.page
    }

    pub fn broker(&self) -> &Broker {
        self.broker
            .as_ref()
            .expect("this test runs without a broker (support::run_offline)")
    }

    /// For stopping and restarting the broker.
    pub fn broker_mut(&mut self) -> &mut Broker {
        self.broker
            .as_mut()
            .expect("this test runs without a broker (support::run_offline)")
    }

    /// Stops serving `dist/`: with no broker either, the loaded page has no
    /// network left to talk to.
    pub fn unplug(&mut self) {
        self.site = None;
    }
}

/// The crate root (the tests run from anywhere).
pub fn repo_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The release build to test: `$QOSCOPE_DIST`, or `dist/` that `trunk build
/// --release` (tier 7 of `make test`) leaves in the crate root.
pub fn dist_dir() -> PathBuf {
    std::env::var_os("QOSCOPE_DIST")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_dir().join("dist"))
}

/// Starts a broker with `auth`, serves `dist/`, opens it in a fresh browser,
/// and runs `test` against it. When `test` panics, a screenshot of the page is
/// saved to `target/e2e-failures/<name>.png` before the browser is closed and
/// the panic goes on.
pub async fn run<F, Fut>(name: &str, auth: Auth, test: F)
where
    F: FnOnce(E2e) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    drive(name, Some(Broker::start(auth)), test).await;
}

/// Like [`run`], against a broker the test started itself (for example
/// [`Broker::start_persistent`]).
pub async fn run_with<F, Fut>(name: &str, broker: Broker, test: F)
where
    F: FnOnce(E2e) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    drive(name, Some(broker), test).await;
}

/// Like [`run`], with no broker at all (offline mode).
pub async fn run_offline<F, Fut>(name: &str, test: F)
where
    F: FnOnce(E2e) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    drive(name, None, test).await;
}

async fn drive<F, Fut>(name: &str, broker: Option<Broker>, test: F)
where
    F: FnOnce(E2e) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let dist = dist_dir();
    assert!(
        dist.join("index.html").is_file(),
        "no {}/index.html: build it first with `trunk build --release` (make test, tier 7)",
        dist.display()
    );
    let site = Site::serve(dist);
    let browser = Browser::launch().await;
    let page = browser.page(site.url());
    page.open_home().await;

    let outcome = tokio::spawn(test(E2e {
        page,
        broker,
        site: Some(site),
    }))
    .await;
    if outcome.is_err() {
        let shot = repo_dir()
            .join("target/e2e-failures")
            .join(format!("{name}.png"));
        browser.page(String::new()).save_screenshot(&shot).await;
        eprintln!("screenshot of the failing page: {}", shot.display());
    }
    browser.close().await;
    if let Err(failure) = outcome {
        match failure.try_into_panic() {
            Ok(panic) => resume_unwind(panic),
            Err(failure) => panic!("end-to-end test {name} did not finish: {failure}"),
        }
    }
}
