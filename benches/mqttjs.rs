//! QoScope's browser client against MQTT.js, in one headless Chromium page,
//! against one Mosquitto, in one run.
//!
//! Each burst: one client connects over a real WebSocket, subscribes to a
//! topic of its own, publishes `QOSCOPE_MQTTJS_MESSAGES` (default 20,000)
//! messages of 1 KB of incompressible bytes to it as fast as it takes them,
//! and the burst ends when every message came back. Messages per second are
//! counted from the SUBACK to the last delivery; every message carries its
//! number, so lost and duplicated ones are counted too.
//!
//! - QoScope: `net::ws::Link` over the sans-IO session, driven as the app
//!   drives it (`link_burst`, exported by a build with the `bench` feature).
//! - MQTT.js: its own browser bundle (`mqtt.min.js` from npm, version pinned
//!   in benches/mqttjs/package.json), `client.publish` in a loop.
//!
//! Both run at QoS 0, 1 and 2, over MQTT 3.1.1 and 5.0, interleaved burst by
//! burst (`QOSCOPE_MQTTJS_RUNS` rounds, default 3; the table gives medians),
//! after one warm-up burst each. It also prints the size of both bundles,
//! gzip -9. `QOSCOPE_MQTTJS_PROFILE=<dir>` saves a DevTools CPU profile of
//! each burst of the first round there (which slows that round down).
//! `QOSCOPE_MQTTJS_WINDOW=<n>` runs QoScope with at most n messages in flight
//! instead of the app's default, to find which window is fastest.
//!
//! Then one at a time: `QOSCOPE_MQTTJS_ONE_AT_A_TIME` messages (default
//! 2,000) per client, QoS and version, each published when the last came
//! back; the table gives p50 and p99 of publish → delivery.
//!
//! The broker takes any number of messages in flight and queues a million
//! (`support::Broker::start_for_bursts`): MQTT.js puts a whole burst in flight at
//! once, and Mosquitto's default limit of 20 makes it lose QoS 2 messages
//! (the 21st is discarded after its PUBREC). QoScope keeps its own window
//! (20 by default, less if a 5.0 broker's Receive Maximum says so).
//!
//! Needs a release trunk build with the `bench` feature (`$QOSCOPE_DIST`),
//! MQTT.js installed (`npm ci --prefix benches/mqttjs`), chromium,
//! chromedriver and mosquitto; run by `scripts/bench-browser.sh`
//! (`make bench`), which sets QOSCOPE_BROWSER_BENCH=1; without it `cargo
//! bench` skips this bench. It never fails on a time: it prints figures.

#[cfg(not(target_arch = "wasm32"))]
#[path = "../tests/support/mod.rs"]
#[allow(dead_code)]
mod support;

#[cfg(not(target_arch = "wasm32"))]
mod versus {
    use super::support::bench::{env_number, open_bench_page};
    use super::support::{dist_dir, repo_dir, Auth, Broker, Page};
    use serde_json::{json, Value};
    use std::path::{Path, PathBuf};
    use std::time::{Duration, Instant};

    /// Payload bytes per message.
    const SIZE: u32 = 1024;

    /// The MQTT.js side of a burst, the same steps as `link_burst`; its
    /// result lands in `window.__burst` too.
    const MQTTJS_BURST: &str = r#"
    window.mqttjsBurst = (url, version, qos, n, size, _window, oneAtATime) => {
      window.__burst = null;
      const tag = Math.random().toString(16).slice(2);
      const topic = 'mqttjs-bench/' + tag;
      const base = new Uint8Array(size);
      crypto.getRandomValues(base);
      const seen = new Uint8Array(n);
      let delivered = 0, duplicates = 0, published = 0, started = 0, first = null, done = false;
      const sentAt = [], lat = [];
      const client = mqtt.connect(url, {
        protocolVersion: version === 5 ? 5 : 4, clean: true, reconnectPeriod: 0,
        clientId: 'mqttjs-bench-' + tag,
      });
      const finish = error => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        window.__burst = JSON.stringify({
          ms: performance.now() - started, first_ms: first, delivered, duplicates, published,
          frames: null, error: error ?? null, lat,
        });
        client.end(true);
      };
      const timer = setTimeout(() => finish('timed out'), 120000);
      client.on('error', e => finish(String((e && e.message) || e)));
      client.on('message', (t, p) => {
        if (first === null) first = performance.now() - started;
        const i = p[0] | (p[1] << 8) | (p[2] << 16) | (p[3] << 24);
        if (i >= 0 && i < n) {
          if (seen[i]) duplicates++;
          else {
            seen[i] = 1;
            delivered++;
            if (oneAtATime) {
              lat.push(performance.now() - sentAt[i]);
              if (published < n) publishNext();
            }
          }
        }
        if (delivered === n) finish();
      });
      const publishNext = () => {
        const i = published;
        const p = base.slice();
        p[0] = i & 255; p[1] = (i >> 8) & 255; p[2] = (i >> 16) & 255; p[3] = (i >> 24) & 255;
        sentAt[i] = performance.now();
        // No Buffer global in the browser bundle: a Uint8Array is what a page has.
        client.publish(topic, p, { qos });
        published++;
      };
      client.on('connect', () => client.subscribe(topic, { qos }, err => {
        if (err) return finish(String(err));
        started = performance.now();
        if (oneAtATime) publishNext();
        else for (let i = 0; i < n; i++) publishNext();
      }));
    };
    "#;

    /// One burst's result, as both sides report it.
    #[derive(Debug, Clone, Default)]
    struct Burst {
        rate: f64,
        first_ms: f64,
        delivered: u64,
        duplicates: u64,
        frames: Option<u64>,
        error: Option<String>,
        /// One at a time: ms from each publish to its delivery.
        latencies: Vec<f64>,
    }

    #[derive(Clone, Copy, PartialEq)]
    enum Client {
        MqttJs,
        QoScope,
    }

    /// Every client, in the order the table lists them.
    const CLIENTS: [Client; 2] = [Client::MqttJs, Client::QoScope];

    impl Client {
        fn name(self) -> &'static str {
            match self {
                Client::MqttJs => "MQTT.js",
                Client::QoScope => "QoScope",
            }
        }
    }

    pub async fn measure() {
        let messages = env_number("QOSCOPE_MQTTJS_MESSAGES", 20_000);
        let runs = env_number("QOSCOPE_MQTTJS_RUNS", 3).max(1);
        let profiles = std::env::var_os("QOSCOPE_MQTTJS_PROFILE").map(PathBuf::from);
        let window = match env_number("QOSCOPE_MQTTJS_WINDOW", 0) {
            0 => "undefined".to_owned(),
            n => n.min(65_535).to_string(),
        };
        let dist = dist_dir();
        let Some(mqttjs) = install_mqttjs(&dist) else {
            return;
        };
        let broker = Broker::start_for_bursts(Auth::Anonymous);
        let (_site, browser, page) = open_bench_page("link_burst").await;
        page.script(
            "const s = document.createElement('script'); s.src = '/mqtt.min.js'; \
             document.head.appendChild(s);",
        )
        .await;
        page.wait_until_script_is_true("return typeof window.mqtt?.connect === 'function'")
            .await;
        page.script(MQTTJS_BURST).await;
        let url = broker.ws_url();

        // Warm-up: JIT, allocators, the broker's first sessions.
        for client in CLIENTS {
            let warm = burst(&page, client, &url, (4, 1, 1_000, &window, false), None).await;
            if let Some(error) = warm.error {
                println!("{} cannot run a burst: {error}", client.name());
                browser.close().await;
                return;
            }
        }
        let mut results: Vec<(Client, u8, u8, Burst)> = Vec::new();
        for round in 0..runs {
            for version in [4u8, 5] {
                for qos in [0u8, 1, 2] {
                    // Who goes first alternates from round to round.
                    let mut order = CLIENTS;
                    if round % 2 == 1 {
                        order.reverse();
                    }
                    for client in order {
                        let profile = profiles.as_ref().filter(|_| round == 0).map(|dir| {
                            dir.join(format!("{}-v{version}-qos{qos}.cpuprofile", client.name()))
                        });
                        let shape = (version, qos, messages, window.as_str(), false);
                        let result = burst(&page, client, &url, shape, profile).await;
                        results.push((client, version, qos, result));
                    }
                }
            }
        }
        let one_at_a_time = env_number("QOSCOPE_MQTTJS_ONE_AT_A_TIME", 2_000);
        let mut latencies: Vec<(Client, u8, u8, Burst)> = Vec::new();
        for version in [4u8, 5] {
            for qos in [0u8, 1, 2] {
                for client in CLIENTS {
                    let shape = (version, qos, one_at_a_time, window.as_str(), true);
                    let result = burst(&page, client, &url, shape, None).await;
                    latencies.push((client, version, qos, result));
                }
            }
        }
        browser.close().await;
        println!("QoScope's in-flight window: {window} (undefined: the app's default)");
        print_table(messages, runs, &results);
        print_latencies(one_at_a_time, &latencies);
        print_sizes(&dist, &mqttjs);
    }

    /// One line of a table: `label`, then each cell right-aligned in `width`.
    fn print_row(label: &str, cells: &[impl AsRef<str>], width: usize) {
        let cells: String = cells
            .iter()
            .map(|cell| format!(" {:>width$}", cell.as_ref()))
            .collect();
        println!("{label:<16}{cells}");
    }

    /// The one-at-a-time runs: each publish waits for the last message to
    /// come back; p50 and p99 of publish → delivery.
    fn print_latencies(messages: u64, results: &[(Client, u8, u8, Burst)]) {
        println!(
            "one at a time: {messages} × {SIZE} B, each published when the last came back; \
             ms from publish to delivery, p50 / p99 (ratio of p50: MQTT.js's to QoScope's)"
        );
        println!(
            "{:<16} {:>22} {:>22} {:>22}",
            "ms", "QoS 0", "QoS 1", "QoS 2"
        );
        let quantiles = |client: Client, version: u8, qos: u8| {
            let burst = results
                .iter()
                .find(|r| r.0 == client && r.1 == version && r.2 == qos)
                .map(|r| &r.3);
            let mut values = burst.map(|b| b.latencies.clone()).unwrap_or_default();
            values.sort_by(f64::total_cmp);
            let at = |q: f64| {
                values
                    .get(((values.len() as f64 * q) as usize).min(values.len().saturating_sub(1)))
                    .copied()
                    .unwrap_or(f64::NAN)
            };
            (at(0.5), at(0.99), burst.and_then(|b| b.error.clone()))
        };
        for version in [4u8, 5] {
            let label = if version == 4 { "3.1.1" } else { "5.0" };
            for client in CLIENTS {
                let cells: Vec<String> = (0..3)
                    .map(|qos| {
                        let (p50, p99, error) = quantiles(client, version, qos);
                        if let Some(error) = error {
                            return error;
                        }
                        if client == Client::MqttJs {
                            format!("{p50:.2} / {p99:.2}")
                        } else {
                            let theirs = quantiles(Client::MqttJs, version, qos).0;
                            format!("{p50:.2} / {p99:.2} ({:.2}×)", theirs / p50)
                        }
                    })
                    .collect();
                print_row(&format!("{}, {label}", client.name()), &cells, 22);
            }
        }
        for client in CLIENTS {
            let slow: Vec<String> = results
                .iter()
                .filter(|r| r.0 == client)
                .map(|(_, version, qos, burst)| {
                    let over = burst.latencies.iter().filter(|&&ms| ms > 50.0).count();
                    let max = burst.latencies.iter().copied().fold(0.0, f64::max);
                    format!("v{version} QoS {qos}: {over} (max {max:.1} ms)")
                })
                .collect();
            println!(
                "{}, deliveries over 50 ms: {}",
                client.name(),
                slow.join(", ")
            );
        }
    }

    /// Copies MQTT.js's browser bundle into the served dist; None (with the
    /// reason printed) when it is not installed.
    fn install_mqttjs(dist: &Path) -> Option<PathBuf> {
        let bundle = std::env::var_os("QOSCOPE_MQTTJS").map_or_else(
            || repo_dir().join("benches/mqttjs/node_modules/mqtt/dist/mqtt.min.js"),
            PathBuf::from,
        );
        if let Err(error) = std::fs::copy(&bundle, dist.join("mqtt.min.js")) {
            println!(
                "MQTT.js bench skipped: cannot copy {} into {} ({error}); \
                 install it with `npm ci --prefix benches/mqttjs`",
                bundle.display(),
                dist.display()
            );
            return None;
        }
        Some(bundle)
    }

    /// One burst of `n` messages at `qos` over `version` (4 or 5), QoScope
    /// with at most `window` in flight (a JS expression); with `profile`, a
    /// DevTools CPU profile of it is saved there.
    async fn burst(
        page: &Page,
        client: Client,
        url: &str,
        (version, qos, n, window, one_at_a_time): (u8, u8, u64, &str, bool),
        profile: Option<PathBuf>,
    ) -> Burst {
        if profile.is_some() {
            page.cdp("Profiler.enable", json!({})).await;
            page.cdp("Profiler.setSamplingInterval", json!({ "interval": 500 }))
                .await;
            page.cdp("Profiler.start", json!({})).await;
        }
        let call = match client {
            Client::MqttJs => "window.mqttjsBurst",
            Client::QoScope => "window.wasmBindings.link_burst",
        };
        page.script(&format!(
            "{call}({url:?}, {version}, {qos}, {n}, {SIZE}, {window}, {one_at_a_time}); return true"
        ))
        .await;
        // Polled: a burst takes from a second to a minute.
        let deadline = Instant::now() + Duration::from_secs(150);
        let text = loop {
            let value = page.script("return window.__burst").await;
            if let Some(text) = value.as_str() {
                break text.to_owned();
            }
            if Instant::now() > deadline {
                break r#"{"error":"no result from the page"}"#.to_owned();
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        if let Some(path) = profile {
            let result = page.cdp("Profiler.stop", json!({})).await;
            if let Err(error) = std::fs::write(&path, result["profile"].to_string()) {
                println!("cannot write the CPU profile {}: {error}", path.display());
            }
        }
        let json: Value = serde_json::from_str(&text).unwrap_or_default();
        let ms = json["ms"].as_f64().unwrap_or(f64::NAN);
        Burst {
            rate: n as f64 / (ms / 1000.0),
            first_ms: json["first_ms"].as_f64().unwrap_or(f64::NAN),
            delivered: json["delivered"].as_u64().unwrap_or(0),
            duplicates: json["duplicates"].as_u64().unwrap_or(0),
            frames: json["frames"].as_u64(),
            error: json["error"].as_str().map(str::to_owned),
            latencies: json["lat"]
                .as_array()
                .map(|lat| lat.iter().filter_map(Value::as_f64).collect())
                .unwrap_or_default(),
        }
    }

    fn median(mut values: Vec<f64>) -> f64 {
        if values.is_empty() {
            return f64::NAN;
        }
        values.sort_by(f64::total_cmp);
        values[values.len() / 2]
    }

    fn print_table(messages: u64, runs: u64, results: &[(Client, u8, u8, Burst)]) {
        println!(
            "burst through Mosquitto over a real WebSocket, one headless Chromium page: \
             {messages} × {SIZE} B per burst, median msg/s of {runs} (ratio: to MQTT.js)"
        );
        println!(
            "broker: max_inflight_messages 0, max_queued_messages 1000000 (with Mosquitto's \
             defaults MQTT.js, all of its burst in flight, loses QoS 2 messages)"
        );
        print_row("msg/s", &["QoS 0", "QoS 1", "QoS 2"], 16);
        let rate = |client: Client, version: u8, qos: u8| {
            median(
                results
                    .iter()
                    .filter(|r| r.0 == client && r.1 == version && r.2 == qos)
                    .map(|r| r.3.rate)
                    .collect(),
            )
        };
        for version in [4u8, 5] {
            let label = if version == 4 { "3.1.1" } else { "5.0" };
            for client in CLIENTS {
                let cells: Vec<String> = (0..3)
                    .map(|qos| {
                        let ours = rate(client, version, qos);
                        if client == Client::MqttJs {
                            format!("{ours:.0}")
                        } else {
                            let ratio = ours / rate(Client::MqttJs, version, qos);
                            format!("{ours:.0} ({ratio:.2}×)")
                        }
                    })
                    .collect();
                print_row(&format!("{}, {label}", client.name()), &cells, 16);
            }
        }
        for client in CLIENTS {
            let mine = results.iter().filter(|r| r.0 == client);
            let lost: u64 = mine
                .clone()
                .map(|r| messages - r.3.delivered.min(messages))
                .sum();
            let duplicated: u64 = mine.clone().map(|r| r.3.duplicates).sum();
            let first = median(mine.clone().map(|r| r.3.first_ms).collect());
            println!(
                "{}: {lost} lost, {duplicated} duplicated over all bursts; first delivery after \
                 {first:.0} ms (median)",
                client.name()
            );
            for (_, version, qos, burst) in mine.clone().filter(|r| r.3.error.is_some()) {
                println!(
                    "  v{version} QoS {qos}: {}",
                    burst.error.as_deref().unwrap_or_default()
                );
            }
        }
        for qos in 0..3u8 {
            let frames = median(
                results
                    .iter()
                    .filter(|r| r.0 == Client::QoScope && r.2 == qos)
                    .filter_map(|r| r.3.frames)
                    .map(|f| f as f64)
                    .collect(),
            );
            println!(
                "QoScope QoS {qos}: {frames:.0} WebSocket frames per burst, both ways ({:.2} per message)",
                frames / messages as f64
            );
        }
    }

    /// Bundle sizes, gzip -9: the whole app (wasm + JS) and MQTT.js's library alone.
    fn print_sizes(dist: &Path, mqttjs: &Path) {
        let app: Vec<PathBuf> = std::fs::read_dir(dist)
            .map(|entries| {
                entries
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| {
                        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
                        name.starts_with("qoscope")
                            && (name.ends_with(".wasm") || name.ends_with(".js"))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let app_size: u64 = app.iter().map(|p| gzip_size(p)).sum();
        let peer_size = gzip_size(mqttjs);
        println!(
            "bundle, gzip -9: QoScope app (wasm + JS, bench build) {:.0} KB; MQTT.js library \
             (mqtt.min.js) {:.0} KB",
            app_size as f64 / 1024.0,
            peer_size as f64 / 1024.0
        );
    }

    fn gzip_size(file: &Path) -> u64 {
        std::process::Command::new("gzip")
            .args(["-9", "-c"])
            .arg(file)
            .output()
            .map(|out| out.stdout.len() as u64)
            .unwrap_or(0)
    }
}

/// Chromium drives the native side: nothing to run on wasm32.
#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    support::bench::run_browser_bench(
        "MQTT.js bench",
        "needs a release build with the bench feature, MQTT.js from npm, chromium, mosquitto",
        versus::measure(),
    );
}
