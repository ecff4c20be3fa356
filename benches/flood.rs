//! The flood, end to end: a real Mosquitto fed 20,000 alarm and stock
//! messages a second over TCP, the release app in headless Chromium
//! subscribed over a real WebSocket, and what the page does meanwhile.
//!
//! For each QoS (0, 1) and each visible view (Dashboard, Client) it reports:
//! - frame times during the flood (p50, p95, max, frames over 50 ms), from a
//!   `requestAnimationFrame` probe installed before the app loads;
//! - messages: published to the dashboard's topics, PUBLISH packets that
//!   reached the page's socket (counted by the probe from the WebSocket's own
//!   frames, as the socket's worker hands them to the page), and messages the app counted (the dashboard's "In" column);
//! - how long after the flood the app had counted everything it received;
//! - JS heap and wasm memory before and after;
//! - each frame over 50 ms, in time order: when, how long, where its time
//!   went and which scripts took it (Long Animation Frames).
//!
//! It saves what the page shows once caught up, in
//! `target/screenshots/flood-<view>-qos<n>.png`.
//!
//! Needs a release trunk build (`$QOSCOPE_DIST`, else `dist/`), chromium, chromedriver, mosquitto;
//! run by `scripts/bench-browser.sh` (`make bench`), which sets
//! QOSCOPE_BROWSER_BENCH=1; without it `cargo bench` skips this bench.
//! `QOSCOPE_FLOOD_SECONDS` sets the flood's length (default 10; 300 for the
//! five-minute memory soak), `QOSCOPE_FLOOD_RATE` its rate, and
//! `QOSCOPE_FLOOD_ONLY=client1` runs one case, and
//! `QOSCOPE_FLOOD_PROFILE=<file>` saves a DevTools CPU profile of the first
//! run. It never fails on a time: it prints figures.

#[cfg(not(target_arch = "wasm32"))]
#[path = "../tests/support/mod.rs"]
#[allow(dead_code)]
mod support;

#[cfg(not(target_arch = "wasm32"))]
mod flood {
    use super::support::bench::env_number;
    use super::support::flood::{reaches_dashboard, Flood};
    use super::support::{dist_dir, Auth, Broker, Browser, Page, Site};
    use qoscope::mqtt::packet::QoS;
    use serde_json::json;
    use std::time::{Duration, Instant};

    /// Installed before the app's own scripts: frame times, PUBLISH packets
    /// seen on every WebSocket (parsed from the frames, so independent of the
    /// app), and the wasm exports trunk hands over at start-up.
    const PROBE: &str = r#"
    (() => {
      const probe = window.__flood = { frames: [], recording: false, publishes: 0, skipped: 0, wasm: null, batches: [0, 0, 0] };
      addEventListener('TrunkApplicationStarted', e => { probe.wasm = e.detail.wasm; });
      // Counts the PUBLISH packets in one socket's binary frames; says how
      // many a frame ended.
      const counter = () => {
        let held = new Uint8Array(0);
        return data => {
          if (!(data instanceof ArrayBuffer)) return 0;
          const before = probe.publishes;
          const fresh = new Uint8Array(data);
          let buf = fresh;
          if (held.length) { buf = new Uint8Array(held.length + fresh.length); buf.set(held); buf.set(fresh, held.length); }
          let i = 0;
          for (;;) {
            if (i + 2 > buf.length) break;
            let len = 0, mul = 1, j = i + 1, done = false;
            while (j < buf.length && j < i + 5) { const b = buf[j++]; len += (b & 127) * mul; mul *= 128; if (!(b & 128)) { done = true; break; } }
            if (!done || j + len > buf.length) break;
            if ((buf[i] >> 4) === 3) probe.publishes++;
            i = j + len;
          }
          held = buf.slice(i);
          return probe.publishes - before;
        };
      };
      // A socket on the page...
      const Native = window.WebSocket;
      window.WebSocket = class extends Native {
        constructor(...args) {
          super(...args);
          const count = counter();
          this.addEventListener('message', ev => count(ev.data));
        }
      };
      // ...or in the app's socket worker, which posts its frames in batches.
      const NativeWorker = window.Worker;
      window.Worker = class extends NativeWorker {
        constructor(...args) {
          super(...args);
          const count = counter();
          // The PUBLISH packets the worker skipped (its running total), which
          // reached the socket but not the page.
          let skipped = 0;
          this.addEventListener('message', ev => {
            if (ev.data && typeof ev.data.s === 'number' && ev.data.s > skipped) {
              probe.skipped += ev.data.s - skipped;
              skipped = ev.data.s;
            }
            if (!(ev.data && ev.data.k === 'frames')) return;
            const batch = ev.data.f;
            if (probe.recording) {
              const b = probe.batches;
              b[0] += 1; b[1] += batch.length; b[2] = Math.max(b[2], batch.length);
            }
            batch.forEach((frame, k) => {
              // When the last PUBLISH so far reached the worker, and the page.
              if (count(frame)) probe.tail = [ev.data.t[k], performance.timeOrigin + performance.now()];
            });
          });
        }
      };
      // Frames over 50 ms (Long Animation Frames): where each one's time went.
      // [frames, total, tasks before rendering, rAF callbacks, style + layout] ms.
      probe.long = [0, 0, 0, 0, 0]; probe.loafs = []; probe.marks = []; probe.since = 0;
      try {
        new PerformanceObserver(list => {
          if (!probe.recording) return;
          for (const f of list.getEntries()) {
            const end = f.startTime + f.duration;
            const render = f.renderStart || end, layout = f.styleAndLayoutStart || end;
            const l = probe.long;
            l[0] += 1; l[1] += f.duration; l[2] += render - f.startTime;
            l[3] += layout - render; l[4] += end - layout;
            // Each one on its own: when (ms into the recording), how long,
            // and the scripts that took the most of it.
            if (probe.loafs.length < 40) {
              const scripts = [...(f.scripts || [])].sort((a, b) => b.duration - a.duration).slice(0, 3)
                .map(s => `${s.invokerType} ${s.invoker} ${s.sourceFunctionName || ''} ${Math.round(s.duration)} ms`
                  + (s.forcedStyleAndLayoutDuration ? ` (forced layout ${Math.round(s.forcedStyleAndLayoutDuration)})` : ''));
              probe.loafs.push([f.startTime - probe.since, f.duration, render - f.startTime, layout - render, end - layout, scripts.join('; ')]);
            }
          }
        }).observe({ type: 'long-animation-frame' });
      } catch (_) {}
      let last = 0;
      const tick = t => { if (probe.recording && last) probe.frames.push([t, t - last]); last = t; requestAnimationFrame(tick); };
      requestAnimationFrame(tick);
    })();
    "#;

    /// What the page shows as counted: the dashboard health panel's "In"
    /// column, or with the Client tab in front (the hidden dashboard does not
    /// re-render), the messages the message list received; each plus the
    /// messages its overload notice says were skipped.
    const COUNTED: &str = r#"
      const number = (selector, field) =>
        parseInt(document.querySelector(selector)?.dataset[field], 10) || 0;
      if (document.querySelector('[aria-labelledby=tab-dashboard]')?.hidden) {
        return number('[data-testid=msg-count]', 'received') + number('[data-testid=msg-skipped]', 'skipped');
      }
      return [...document.querySelectorAll('.dash-qos-row td:nth-of-type(1)')]
        .reduce((n, td) => n + (parseInt(td.textContent, 10) || 0), 0)
        + number('[data-testid=dash-overload]', 'skipped');
    "#;

    /// Milliseconds since the Unix epoch: the clock of the worker's stamps.
    fn epoch_ms() -> f64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(f64::NAN, |d| d.as_secs_f64() * 1000.0)
    }

    /// Memory now: JS heap (DevTools) and the wasm linear memory, bytes.
    async fn memory(page: &Page) -> (f64, f64) {
        let heap = page.cdp("Runtime.getHeapUsage", json!({})).await;
        let wasm = page
            .script("return window.__flood.wasm?.memory?.buffer?.byteLength ?? 0")
            .await;
        (
            heap["usedSize"].as_f64().unwrap_or(f64::NAN),
            wasm.as_f64().unwrap_or(f64::NAN),
        )
    }

    /// One row of the table.
    struct Run {
        view: &'static str,
        qos: QoS,
        published: u64,
        to_dashboard: u64,
        reached_socket: u64,
        counted: u64,
        /// Of those that reached the socket, the messages its worker skipped
        /// because the page was behind (counted too, by the notice).
        skipped: u64,
        /// Frame times while the flood ran, ms.
        frames: Vec<f64>,
        /// Frame times from the flood's end until the page caught up, ms.
        frames_after: Vec<f64>,
        catch_up: Option<Duration>,
        memory_before: (f64, f64),
        memory_after: (f64, f64),
        /// Memory sampled ten times while the flood ran, bytes: seconds into
        /// the flood, JS heap, wasm memory, and the bytes the wasm heap holds
        /// now (a build with the `bench` feature counts them).
        memory_during: Vec<(u64, f64, f64, Option<f64>)>,
        /// Batches the socket worker posted while the flood ran, the frames
        /// in them, and the largest.
        batches: [u64; 3],
        /// When the last PUBLISH reached the socket's worker, and when the
        /// worker handed it to the page: seconds after the flood's publisher
        /// finished (the Unix clock of both sides).
        tail: [f64; 2],
        /// Seconds after the publisher's last write until the broker had
        /// read every PUBLISH (its answer to the PINGREQ that followed them).
        broker_behind: f64,
        /// Frames over 50 ms while the flood ran (Long Animation Frames): how
        /// many, and their ms in total, in tasks before rendering, in rAF
        /// callbacks, and in style and layout.
        long_frames: [f64; 5],
        /// Each frame over 50 ms, one line: ms into the flood, how long,
        /// where its time went, and the scripts that took the most of it.
        long_detail: Vec<String>,
    }

    pub async fn measure() {
        let seconds: u64 = env_number("QOSCOPE_FLOOD_SECONDS", 10);
        let rate: u64 = env_number("QOSCOPE_FLOOD_RATE", 20_000);
        let profile = std::env::var("QOSCOPE_FLOOD_PROFILE").ok();
        let broker = Broker::start_for_load(Auth::Anonymous);
        let site = Site::serve(dist_dir());
        let browser = Browser::launch().await;
        let page = browser.page(site.url());
        page.set_script_timeout(Duration::from_secs(300)).await;
        page.cdp(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({ "source": PROBE }),
        )
        .await;
        let mut runs = Vec::new();
        for (i, (qos, view)) in [
            (QoS::AtMostOnce, "Dashboard"),
            (QoS::AtMostOnce, "Client"),
            (QoS::AtLeastOnce, "Dashboard"),
            (QoS::AtLeastOnce, "Client"),
        ]
        .into_iter()
        .filter(|(qos, view)| wanted(*qos, view))
        .enumerate()
        {
            let profile = profile.as_deref().filter(|_| i == 0);
            runs.push(run(&page, &broker, qos, view, rate, seconds, profile).await);
        }
        browser.close().await;
        print_table(rate, seconds, &runs);
    }

    async fn run(
        page: &Page,
        broker: &Broker,
        qos: QoS,
        view: &'static str,
        rate: u64,
        seconds: u64,
        profile: Option<&str>,
    ) -> Run {
        // Each run starts as a first visit: no connection or board resumed
        // from the run before.
        page.open_home_fresh().await;
        page.wait_until_script_is_true("return !!window.__flood?.wasm")
            .await;
        page.fill("#broker-url", &broker.ws_url()).await;
        page.click("#connect-btn").await;
        page.wait_for("[data-testid=conn-status]", "Connected")
            .await;
        // Opening the dashboard subscribes its filters; the packet log, in
        // the Client tab, shows the SUBACK only while that tab is in front.
        page.click("#tab-dashboard").await;
        page.click("#tab-client").await;
        page.wait_until_script_is_true(
            "return [...document.querySelectorAll('[data-testid=sub-row]')].length >= 3 \
             && [...document.querySelectorAll('[data-testid=packet-log] > *')] \
                .filter(e => e.textContent.includes('SUBACK')).length >= 1",
        )
        .await;
        if view == "Dashboard" {
            page.click("#tab-dashboard").await;
        }
        let memory_before = memory(page).await;
        if profile.is_some() {
            page.cdp("Profiler.enable", json!({})).await;
            page.cdp("Profiler.setSamplingInterval", json!({ "interval": 500 }))
                .await;
            page.cdp("Profiler.start", json!({})).await;
        }
        let started = page
            .script("window.__flood.frames = []; window.__flood.since = performance.now(); window.__flood.recording = true; return performance.now()")
            .await
            .as_f64()
            .unwrap_or(0.0);
        let duration = Duration::from_secs(seconds);
        let flood = Flood::start(broker.tcp_port, rate, qos, duration);
        let memory_during = sample_memory(page, duration).await;
        let (published, flood_end) = flood.finish();
        let flood_end_epoch = epoch_ms() - flood_end.elapsed().as_secs_f64() * 1000.0;
        // On the page's clock, so that a page too busy to answer is measured right.
        let ended = started + duration.as_secs_f64() * 1000.0;
        if let Some(path) = profile {
            let result = page.cdp("Profiler.stop", json!({})).await;
            let text = result["profile"].to_string();
            match std::fs::write(path, text) {
                Ok(()) => println!("CPU profile of the first run: {path}"),
                Err(error) => println!("cannot write the CPU profile {path}: {error}"),
            }
        }
        // Caught up: the app has counted every PUBLISH that reached its
        // socket, and both counts held still for a second.
        let mut catch_up = None;
        let mut last = (u64::MAX, u64::MAX);
        let mut still_since = Instant::now();
        let (mut reached_socket, mut counted, mut skipped) = (0, 0, 0);
        while flood_end.elapsed() < Duration::from_secs(120) {
            let socket = page
                .script("return [window.__flood.publishes, window.__flood.skipped]")
                .await;
            let at = |i: usize| socket[i].as_u64().unwrap_or(0);
            (reached_socket, skipped) = (at(0) + at(1), at(1));
            counted = page.script(COUNTED).await.as_u64().unwrap_or(0);
            if (reached_socket, counted) != last {
                last = (reached_socket, counted);
                still_since = Instant::now();
                catch_up = None;
            } else if counted >= reached_socket && catch_up.is_none() {
                catch_up = Some(still_since.duration_since(flood_end));
            }
            if catch_up.is_some() && still_since.elapsed() > Duration::from_secs(1) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let memory_after = memory(page).await;
        let shot = super::support::repo_dir()
            .join("target/screenshots")
            .join(format!(
                "flood-{}-qos{}.png",
                view.to_lowercase(),
                qos as u8
            ));
        page.save_screenshot(&shot).await;
        let frames = page
            .script("window.__flood.recording = false; return window.__flood.frames")
            .await;
        let long = page.script("return window.__flood.long").await;
        let long_frames = [0, 1, 2, 3, 4].map(|i| long[i].as_f64().unwrap_or(0.0));
        let long_detail = long_frame_lines(page, &frames).await;
        let batches = page.script("return window.__flood.batches").await;
        let batches = [0, 1, 2].map(|i| batches[i].as_u64().unwrap_or(0));
        let tail = page
            .script("return window.__flood.tail ?? [NaN, NaN]")
            .await;
        let tail =
            [0, 1].map(|i| (tail[i].as_f64().unwrap_or(f64::NAN) - flood_end_epoch) / 1000.0);
        let broker_behind = flood
            .broker_behind(flood_end)
            .map_or(f64::NAN, |d| d.as_secs_f64());
        let frames: Vec<(f64, f64)> = frames
            .as_array()
            .map(|f| {
                f.iter()
                    .filter_map(|p| Some((p[0].as_f64()?, p[1].as_f64()?)))
                    .collect()
            })
            .unwrap_or_default();
        let caught_up_at = ended + catch_up.map_or(f64::INFINITY, |d| d.as_secs_f64() * 1000.0);
        let during = frames.iter().filter(|(t, _)| *t <= ended).map(|f| f.1);
        let after = frames
            .iter()
            .filter(|(t, _)| *t > ended && *t <= caught_up_at)
            .map(|f| f.1);
        Run {
            view,
            qos,
            published,
            to_dashboard: (0..published).filter(|&i| reaches_dashboard(i)).count() as u64,
            reached_socket,
            counted,
            skipped,
            frames: during.collect(),
            frames_after: after.collect(),
            catch_up,
            memory_before,
            memory_after,
            memory_during,
            batches,
            tail,
            broker_behind,
            long_frames,
            long_detail,
        }
    }

    /// One line for each long animation frame and each rAF interval over
    /// 50 ms, in time order, with the moments the bench sampled memory.
    async fn long_frame_lines(page: &Page, frames: &serde_json::Value) -> Vec<String> {
        let since = page
            .script("return window.__flood.since")
            .await
            .as_f64()
            .unwrap_or(0.0);
        let loafs = page.script("return window.__flood.loafs").await;
        let marks = page.script("return window.__flood.marks").await;
        let number = |v: &serde_json::Value| v.as_f64().unwrap_or(f64::NAN);
        let mut lines: Vec<(f64, String)> = Vec::new();
        for f in loafs.as_array().into_iter().flatten() {
            let at = number(&f[0]);
            let line = format!(
                "{at:>8.0} ms  LoAF {:.0} ms (tasks {:.0}, rAF {:.0}, style+layout {:.0}) {}",
                number(&f[1]),
                number(&f[2]),
                number(&f[3]),
                number(&f[4]),
                f[5].as_str().unwrap_or("")
            );
            lines.push((at, line));
        }
        for f in frames.as_array().into_iter().flatten() {
            let (t, dt) = (number(&f[0]) - since, number(&f[1]));
            if dt > 50.0 {
                lines.push((t - dt, format!("{:>8.0} ms  rAF gap {dt:.0} ms", t - dt)));
            }
        }
        for m in marks.as_array().into_iter().flatten() {
            lines.push((
                number(m),
                format!("{:>8.0} ms  bench sampled memory", number(m)),
            ));
        }
        lines.sort_by(|a, b| a.0.total_cmp(&b.0));
        lines.into_iter().map(|(_, l)| l).collect()
    }

    /// Memory, ten times over `duration`, so a soak shows whether it stays
    /// flat: (seconds into the flood, JS heap, wasm memory, live wasm heap).
    async fn sample_memory(page: &Page, duration: Duration) -> Vec<(u64, f64, f64, Option<f64>)> {
        let start = Instant::now();
        let mut samples = Vec::new();
        for i in 1..=10u32 {
            let at = start + duration * i / 10;
            tokio::time::sleep(at.saturating_duration_since(Instant::now())).await;
            let (heap, wasm) = memory(page).await;
            let live = page
                .script(
                    "window.__flood.marks.push(performance.now() - window.__flood.since); \
                     return window.wasmBindings?.live_heap_bytes?.() ?? null",
                )
                .await
                .as_f64();
            samples.push((start.elapsed().as_secs(), heap, wasm, live));
        }
        samples
    }

    /// `QOSCOPE_FLOOD_ONLY=dashboard0` (view and QoS) runs that one case.
    fn wanted(qos: QoS, view: &str) -> bool {
        std::env::var("QOSCOPE_FLOOD_ONLY").map_or(true, |only| {
            only.eq_ignore_ascii_case(&format!("{view}{}", qos as u8))
        })
    }

    fn percentile(sorted: &[f64], p: f64) -> f64 {
        if sorted.is_empty() {
            return f64::NAN;
        }
        let rank = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len());
        sorted[rank - 1]
    }

    fn print_table(rate: u64, seconds: u64, runs: &[Run]) {
        println!(
            "flood through Mosquitto and a real WebSocket: {rate} msg/s for {seconds} s, \
             alarm and stock mix, page = release build in headless Chromium"
        );
        println!(
            "{:<10} {:>3} {:>6} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>6} {:>9} {:>11} {:>11}",
            "view", "qos", "fps", "p50 ms", "p95 ms", "max ms", ">50 ms", "after p95", "to dash",
            "socket", "skipped", "lost", "caught up", "heap MB", "wasm MB",
        );
        for run in runs {
            let mut sorted = run.frames.clone();
            sorted.sort_by(f64::total_cmp);
            let total_ms: f64 = sorted.iter().sum();
            let fps = sorted.len() as f64 / (total_ms / 1000.0);
            let mb = |b: f64| b / 1_048_576.0;
            let mut after = run.frames_after.clone();
            after.sort_by(f64::total_cmp);
            println!(
                "{:<10} {:>3} {:>6.1} {:>8.1} {:>8.1} {:>8.1} {:>8} {:>8.1} {:>8} {:>8} {:>8} {:>6} {:>9} {:>5.1}→{:<5.1} {:>5.1}→{:<5.1}",
                run.view,
                run.qos as u8,
                fps,
                percentile(&sorted, 0.5),
                percentile(&sorted, 0.95),
                sorted.last().copied().unwrap_or(f64::NAN),
                sorted.iter().filter(|&&f| f > 50.0).count(),
                percentile(&after, 0.95),
                run.to_dashboard,
                run.reached_socket,
                run.skipped,
                run.reached_socket.saturating_sub(run.counted),
                run.catch_up
                    .map(|d| format!("{:.1} s", d.as_secs_f64()))
                    .unwrap_or_else(|| "never".into()),
                mb(run.memory_before.0),
                mb(run.memory_after.0),
                mb(run.memory_before.1),
                mb(run.memory_after.1),
            );
        }
        println!(
            "after p95: frames from the flood's end until caught up; to dash: published to the dashboard's topics; socket: PUBLISH packets that reached \
             the page's WebSocket (the rest the broker dropped for a slow subscriber); skipped: of \
             them, QoS 0 messages the socket's worker skipped while the page was behind (never an \
             alarm), which the page's overload notice counts; lost: reached the socket but \
             counted neither as received nor as skipped; caught up: after the flood ended, until \
             the page had counted all it received; published in total: {}",
            runs.iter().map(|r| r.published.to_string()).collect::<Vec<_>>().join(" / ")
        );
        for run in runs {
            let samples: Vec<String> = run
                .memory_during
                .iter()
                .map(|(secs, heap, wasm, live)| {
                    let mb = |b: f64| b / 1_048_576.0;
                    match live {
                        Some(live) => {
                            format!(
                                "{secs} s {:.1}/{:.1}/{:.1}",
                                mb(*heap),
                                mb(*wasm),
                                mb(*live)
                            )
                        }
                        None => format!("{secs} s {:.1}/{:.1}", mb(*heap), mb(*wasm)),
                    }
                })
                .collect();
            println!(
                "{} QoS {}: JS heap/wasm memory[/live wasm heap, bench build] MB while the flood \
                 ran: {}",
                run.view,
                run.qos as u8,
                samples.join(", ")
            );
        }
        for run in runs.iter().filter(|r| r.long_frames[0] > 0.0) {
            let [n, total, tasks, raf, layout] = run.long_frames;
            let share = |ms: f64| 100.0 * ms / total;
            println!(
                "{} QoS {}: {n} frames over 50 ms, {:.0} ms in all: tasks before rendering {:.0} %, \
                 rAF callbacks {:.0} %, style and layout {:.0} %",
                run.view,
                run.qos as u8,
                total,
                share(tasks),
                share(raf),
                share(layout),
            );
        }
        for run in runs.iter().filter(|r| r.long_frames[0] > 0.0) {
            println!(
                "{} QoS {}: frames over 50 ms, in time order:",
                run.view, run.qos as u8
            );
            for line in &run.long_detail {
                println!("  {line}");
            }
        }
        for run in runs.iter().filter(|r| r.batches[0] > 0) {
            let [batches, frames, largest] = run.batches;
            println!(
                "{} QoS {}: the socket worker handed the page {frames} frames in {batches} batches \
                 ({:.1} a batch, the largest {largest}); after the flood's publisher finished, the \
                 broker had read its last PUBLISH {:+.1} s after, the last PUBLISH reached the worker \
                 {:+.1} s after, and the page {:+.1} s after",
                run.view,
                run.qos as u8,
                frames as f64 / batches as f64,
                run.broker_behind,
                run.tail[0],
                run.tail[1],
            );
        }
    }
}

/// Chromium drives the native side: nothing to run on wasm32.
#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    support::bench::run_browser_bench(
        "flood bench",
        "needs a release build, chromium, mosquitto",
        flood::measure(),
    );
}
