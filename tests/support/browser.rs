//! Headless Chromium driven through chromedriver (fantoccini), plus the page
//! helpers the tests read as sentences: fill, click, wait for a text.

use super::process::{free_port, ChildGuard, TempDir, POLL_INTERVAL};
use fantoccini::elements::Element;
use fantoccini::wd::{Capabilities, WebDriverCompatibleCommand};
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{json, Value};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long the page may take to show what a test waits for. Generous: a
/// deadline for slow machines, not a performance assertion.
pub const PAGE_DEADLINE: Duration = Duration::from_secs(20);

/// The Chromium flags of docs/toolchain.md (and webdriver.json): no
/// sandbox (CI runs as root), and no background traffic to hosts this machine
/// cannot reach.
const CHROMIUM_FLAGS: &[&str] = &[
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--window-size=1600,1000",
];

/// chromedriver on a free port, with one Chromium session on a fresh profile.
pub struct Browser {
    client: Client,
    driver: ChildGuard,
    _profile: TempDir,
}

impl Browser {
    /// Starts chromedriver (`$CHROMEDRIVER`, else /usr/bin/chromedriver) and
    /// opens a Chromium (`$CHROME`, else /usr/bin/chromium) session in it.
    pub async fn launch() -> Browser {
        let profile = TempDir::new("chromium");
        let port = free_port();
        let log = profile.path().join("chromedriver.log");
        let mut driver = start_chromedriver(port, &log);
        driver.wait_until_listening(port, &log);
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(chromium_capabilities(profile.path()))
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .unwrap_or_else(|error| {
                let output = std::fs::read_to_string(&log).unwrap_or_default();
                panic!("chromedriver opened no Chromium session: {error}\n{output}")
            });
        Browser {
            client,
            driver,
            _profile: profile,
        }
    }

    /// A handle on the browser's page, whose home is `home`.
    pub fn page(&self, home: String) -> Page {
        Page {
            client: self.client.clone(),
            home,
        }
    }

    /// Ends the session (Chromium quits), then chromedriver.
    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        self.driver.kill();
    }
}

fn start_chromedriver(port: u16, log: &Path) -> ChildGuard {
    let program =
        std::env::var_os("CHROMEDRIVER").unwrap_or_else(|| "/usr/bin/chromedriver".into());
    let output = File::create(log).expect("create the chromedriver log");
    let mut command = Command::new(program);
    command
        .arg(format!("--port={port}"))
        .stdin(Stdio::null())
        .stdout(output.try_clone().expect("share the chromedriver log"))
        .stderr(output);
    // Its own process group, so that stopping it also stops the Chromium it started.
    ChildGuard::spawn("chromedriver", &mut command, true)
}

fn chromium_capabilities(profile: &Path) -> Capabilities {
    let binary = std::env::var("CHROME").unwrap_or_else(|_| "/usr/bin/chromium".to_owned());
    let mut args: Vec<String> = CHROMIUM_FLAGS.iter().map(|&flag| flag.to_owned()).collect();
    args.push(format!(
        "--user-data-dir={}",
        profile.join("profile").display()
    ));
    let capabilities = json!({
        "browserName": "chrome",
        "goog:chromeOptions": { "binary": binary, "args": args },
    });
    match capabilities {
        Value::Object(map) => map,
        _ => unreachable!("a JSON object literal"),
    }
}

fn got_u32(v: &Value, i: usize) -> u32 {
    v[i].as_u64().unwrap_or(0) as u32
}

/// The app's page, with helpers that wait on conditions instead of sleeping.
#[derive(Clone)]
pub struct Page {
    client: Client,
    home: String,
}

impl Page {
    /// Loads the app and waits until its document is complete.
    pub async fn open_home(&self) {
        self.client
            .goto(&self.home)
            .await
            .unwrap_or_else(|error| panic!("cannot open {}: {error}", self.home));
        self.wait_until_script_is_true("return document.readyState === 'complete'")
            .await;
    }

    /// Loads the app as a first visit would find it: the page before it is
    /// left first (so what it saves as it goes is saved), then the site's
    /// localStorage and cookies are cleared, so no earlier run's connection,
    /// dashboard or language choice is resumed.
    pub async fn open_home_fresh(&self) {
        self.client
            .goto("about:blank")
            .await
            .unwrap_or_else(|error| panic!("cannot leave the page: {error}"));
        let origin = self.home.trim_end_matches('/').to_owned();
        self.cdp(
            "Storage.clearDataForOrigin",
            json!({ "origin": origin, "storageTypes": "local_storage,cookies" }),
        )
        .await;
        self.open_home().await;
    }

    /// Opens a blank tab in front of the app's and switches to it, so the
    /// app's tab is in the background (`document.hidden`, animation frames
    /// paused), as an operator's tab is behind another. Returns the app's
    /// tab, for [`Page::bring_back`].
    pub async fn hide_behind_new_tab(&self) -> fantoccini::wd::WindowHandle {
        let app = self.client.window().await.expect("the app's tab");
        let blank = self
            .client
            .new_window(true)
            .await
            .expect("open a blank tab");
        self.client
            .switch_to_window(blank.handle)
            .await
            .expect("switch to the blank tab");
        app
    }

    /// Switches back to the app's tab (closing the one in front).
    pub async fn bring_back(&self, app: fantoccini::wd::WindowHandle) {
        let _ = self.client.close_window().await;
        self.client
            .switch_to_window(app)
            .await
            .expect("switch back to the app's tab");
    }

    /// The titles of every page tab, read through the browser (CDP), so a
    /// tab in the background is read without bringing it to the front.
    pub async fn tab_titles(&self) -> Vec<String> {
        let targets = self.cdp("Target.getTargets", json!({})).await;
        targets["targetInfos"]
            .as_array()
            .map(|infos| {
                infos
                    .iter()
                    .filter(|info| info["type"] == "page")
                    .map(|info| info["title"].as_str().unwrap_or_default().to_owned())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// What `script` returns, as text ("" when it is not a string).
    pub async fn script_text(&self, script: &str) -> String {
        self.script(script)
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Reloads the page, as an operator's F5 would (the page gets its
    /// `pagehide`), and waits until the new document is complete.
    pub async fn reload(&self) {
        self.client
            .refresh()
            .await
            .unwrap_or_else(|error| panic!("cannot reload {}: {error}", self.home));
        self.wait_until_script_is_true("return document.readyState === 'complete'")
            .await;
    }

    /// Waits until an element matching `css` shows a text containing `text`,
    /// and returns it.
    pub async fn wait_for(&self, css: &str, text: &str) -> Element {
        self.wait_for_nth(css, text, 1).await
    }

    /// Waits until at least `count` elements matching `css` show a text
    /// containing `text`, and returns the last of them.
    pub async fn wait_for_nth(&self, css: &str, text: &str, count: usize) -> Element {
        let deadline = Instant::now() + PAGE_DEADLINE;
        loop {
            let mut matching = Vec::new();
            for element in self.all(css).await {
                if element.text().await.is_ok_and(|shown| shown.contains(text)) {
                    matching.push(element);
                }
            }
            if matching.len() >= count {
                return matching.pop().expect("count is at least 1");
            }
            if Instant::now() > deadline {
                panic!(
                    "waited {PAGE_DEADLINE:?} for {count} `{css}` showing {text:?}; the page shows {:?}",
                    self.texts(css).await
                );
            }
            tokio::time::sleep(POLL_INTERVAL).await;
        }
    }

    /// The texts of all elements matching `css`, in document order.
    pub async fn texts(&self, css: &str) -> Vec<String> {
        let mut texts = Vec::new();
        for element in self.all(css).await {
            texts.push(element.text().await.unwrap_or_default());
        }
        texts
    }

    /// The one element matching `css`, waiting for it to exist.
    pub async fn element(&self, css: &str) -> Element {
        let deadline = Instant::now() + PAGE_DEADLINE;
        loop {
            if let Ok(element) = self.client.find(Locator::Css(css)).await {
                return element;
            }
            assert!(
                Instant::now() <= deadline,
                "waited {PAGE_DEADLINE:?} for `{css}` to exist"
            );
            tokio::time::sleep(POLL_INTERVAL).await;
        }
    }

    /// Replaces the value of the input `css` by typing `value`.
    pub async fn fill(&self, css: &str, value: &str) {
        let input = self.element(css).await;
        input
            .clear()
            .await
            .unwrap_or_else(|error| panic!("clear `{css}`: {error}"));
        input
            .send_keys(value)
            .await
            .unwrap_or_else(|error| panic!("type into `{css}`: {error}"));
    }

    /// Picks the option with `value` in the select `css`.
    pub async fn select(&self, css: &str, value: &str) {
        self.element(css)
            .await
            .select_by_value(value)
            .await
            .unwrap_or_else(|error| panic!("select {value:?} in `{css}`: {error}"));
    }

    pub async fn click(&self, css: &str) {
        self.element(css)
            .await
            .click()
            .await
            .unwrap_or_else(|error| panic!("click `{css}`: {error}"));
    }

    /// From now on, counts the WebSockets the page opens, on the page or in
    /// a worker (read it with [`Page::websockets_opened`]).
    pub async fn count_websockets(&self) {
        self.script(
            "const Real = window.WebSocket; window.__sockets = 0;\n\
             window.WebSocket = function (...args) { window.__sockets += 1; return new Real(...args); };\n\
             const post = Worker.prototype.postMessage;\n\
             Worker.prototype.postMessage = function (message, ...rest) {\n\
               if (message && message.k === 'open') window.__sockets += 1;\n\
               return post.call(this, message, ...rest);\n\
             };\n\
             return true;",
        )
        .await;
    }

    /// WebSockets opened since [`Page::count_websockets`].
    pub async fn websockets_opened(&self) -> u64 {
        self.script("return window.__sockets;")
            .await
            .as_u64()
            .unwrap_or_default()
    }

    /// Waits until every one of `filters` is in the Client tab's subscription
    /// table and the broker has answered every SUBSCRIBE in its packet log
    /// with a SUBACK (what the dashboard subscribes to when it opens), then
    /// brings the Dashboard tab back to the front. The Client tab is shown
    /// meanwhile: a hidden tab does not render.
    pub async fn wait_dashboard_subscribed(&self, filters: &[&str]) {
        let filters = serde_json::to_string(filters).expect("filters as JSON");
        self.click("#tab-client").await;
        self.wait_until_script_is_true(&format!(
            "const lines = [...document.querySelectorAll('[data-testid=packet-log] > *')].map(e => e.textContent);\n\
             const subscribes = lines.filter(t => t.includes('SUBSCRIBE')).length;\n\
             const subacks = lines.filter(t => t.includes('SUBACK')).length;\n\
             const rows = [...document.querySelectorAll('[data-testid=sub-row]')].map(e => e.textContent).join(' ');\n\
             return subscribes > 0 && subacks >= subscribes && {filters}.every(f => rows.includes(f));"
        ))
        .await;
        self.click("#tab-dashboard").await;
    }

    /// Runs `script` (a function body; `return` gives the result) in the page.
    pub async fn script(&self, script: &str) -> Value {
        self.client
            .execute(script, Vec::new())
            .await
            .unwrap_or_else(|error| panic!("run script {script:?}: {error}"))
    }

    /// Sends a Chrome DevTools Protocol command through chromedriver
    /// (`goog/cdp/execute`) and returns its result: the profiler, memory and
    /// scripts that run before the app's own.
    pub async fn cdp(&self, cmd: &str, params: Value) -> Value {
        let command = Cdp {
            cmd: cmd.to_owned(),
            params,
        };
        self.client
            .issue_cmd(command)
            .await
            .unwrap_or_else(|error| panic!("CDP {cmd}: {error}"))
    }

    /// How long a script may wait for a busy page before WebDriver gives up
    /// (a flooded page answers only when its main thread is free).
    pub async fn set_script_timeout(&self, timeout: Duration) {
        let timeouts = fantoccini::wd::TimeoutConfiguration::new(
            Some(timeout),
            Some(Duration::from_secs(300)),
            Some(Duration::ZERO),
        );
        self.client
            .update_timeouts(timeouts)
            .await
            .expect("set the script timeout");
    }

    /// Waits until `script` returns `true`.
    pub async fn wait_until_script_is_true(&self, script: &str) {
        let deadline = Instant::now() + PAGE_DEADLINE;
        while self.script(script).await != Value::Bool(true) {
            assert!(
                Instant::now() <= deadline,
                "waited {PAGE_DEADLINE:?} for `{script}`"
            );
            tokio::time::sleep(POLL_INTERVAL).await;
        }
    }

    /// Resizes the window so that the page's viewport is `width` × `height`
    /// CSS pixels, as a projector or a laptop screen of that size shows it.
    pub async fn set_viewport(&self, width: u32, height: u32) {
        // The window's frame is outer minus inner size. The browser applies a
        // resize asynchronously: wait until the page sees the window at the
        // size asked for before measuring, then correct by the frame.
        let (mut w, mut h) = (width, height);
        let mut inner = (0, 0);
        for _ in 0..5 {
            self.client
                .set_window_size(w, h)
                .await
                .expect("resize the window");
            let applied = format!("return outerWidth === {w} && outerHeight === {h};");
            let deadline = Instant::now() + Duration::from_secs(2);
            while self.script(&applied).await != Value::Bool(true) && Instant::now() < deadline {
                tokio::time::sleep(POLL_INTERVAL).await;
            }
            let got = self.script("return [innerWidth, innerHeight];").await;
            inner = (got_u32(&got, 0), got_u32(&got, 1));
            if inner == (width, height) {
                return;
            }
            (w, h) = (
                width + w.saturating_sub(inner.0),
                height + h.saturating_sub(inner.1),
            );
        }
        assert_eq!(inner, (width, height), "viewport after resizing");
    }

    /// Saves a PNG of the viewport to `path` (directories created as needed).
    pub async fn save_screenshot(&self, path: &Path) {
        let png = match self.client.screenshot().await {
            Ok(png) => png,
            Err(error) => return eprintln!("no screenshot for {}: {error}", path.display()),
        };
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        if let Err(error) = std::fs::write(path, png) {
            eprintln!("cannot write {}: {error}", path.display());
        }
    }

    /// Where the page's screenshots go: docs/screenshots/`name`.png.
    pub fn screenshot_path(name: &str) -> PathBuf {
        super::repo_dir()
            .join("docs/screenshots")
            .join(format!("{name}.png"))
    }

    async fn all(&self, css: &str) -> Vec<Element> {
        self.client
            .find_all(Locator::Css(css))
            .await
            .unwrap_or_default()
    }
}

/// One DevTools command, in chromedriver's own endpoint for them.
#[derive(Debug)]
struct Cdp {
    cmd: String,
    params: Value,
}

impl WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/goog/cdp/execute",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        let body = json!({ "cmd": self.cmd, "params": self.params });
        (http::Method::POST, Some(body.to_string()))
    }
}
