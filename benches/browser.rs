//! The dashboard's ingest in headless Chromium, against a plain-JavaScript
//! peer measured in the same run in the same page.
//!
//! Both digest the same synthetic messages (`traffic::synthetic_message`,
//! mirrored in JS below), 334 per frame, each frame timed with
//! `performance.now()`. The peer does what the digest must do at minimum:
//! `JSON.parse` each payload, a Map of alarms by (type, zone), a Map of SKU
//! levels with msg_id de-duplication. It has no caps, no severity, no
//! history and no health counters, so it is a floor, not a rival.
//!
//! Needs a release trunk build with the `bench` feature (the product build
//! does not export `dashboard_bench`), chromium and chromedriver; run by
//! `scripts/bench-browser.sh` (`make bench`), which builds it into
//! target/bench-dist, points QOSCOPE_DIST at it and sets
//! QOSCOPE_BROWSER_BENCH=1; without that `cargo bench` skips this bench.
//! Never under `--virtual-time-budget` (it freezes `performance.now()`).

#[cfg(not(target_arch = "wasm32"))]
#[path = "../tests/support/mod.rs"]
#[allow(dead_code)]
mod support;

#[cfg(not(target_arch = "wasm32"))]
use serde_json::Value;

/// Messages per run.
#[cfg(not(target_arch = "wasm32"))]
const MESSAGES: u64 = 200_000;

/// The JS peer: the same message mix and frame slicing as `bench.rs`.
#[cfg(not(target_arch = "wasm32"))]
const PEER: &str = r#"
function synth(i) {
  switch (i % 10) {
    case 0: return { topic: 'critical/alarm', payload: `{"alarm":"fire","zone":"Z-${i % 30000}","msg_id":"f${i}"}` };
    case 1: return { topic: 'alarms/security', payload: `{"alarm":"motion","zone":"Z-${i % 50}","severity":"minor"}` };
    case 2: return { topic: 'alarms/raw', payload: `<b>not json</b> #${i}` };
    case 3: return { topic: `inventory/S-${i % 40}`, payload: `{"level":${i % 100}}` };
    case 4: return { topic: 'sensors/temperature', payload: '21.5' };
    default: {
      const id = i % 9 === 0 ? Math.max(i - 10, 0) : i;
      return { topic: `inventory/S-${id % 4000}`, payload: `{"delta":-1,"msg_id":"d${id}"}` };
    }
  }
}
function parse(text) { try { return JSON.parse(text); } catch (e) { return undefined; } }
function digest(m, alarms, skus, seen) {
  if (m.topic.startsWith('alarms/') || m.topic.startsWith('critical/')) {
    const o = parse(m.payload);
    const key = o && typeof o === 'object' ? `${o.alarm}\u001f${o.zone ?? ''}` : m.topic;
    const a = alarms.get(key);
    if (a) { a.count += 1; a.payload = m.payload; } else alarms.set(key, { count: 1, payload: m.payload });
  } else if (m.topic.startsWith('inventory/')) {
    const o = parse(m.payload);
    if (!o || typeof o !== 'object') return;
    const sku = o.sku ?? m.topic.slice(m.topic.lastIndexOf('/') + 1);
    if (o.msg_id !== undefined) {
      const id = `${sku}\u001f${o.msg_id}`;
      if (seen.has(id)) return;
      seen.add(id);
    }
    if (typeof o.level === 'number') skus.set(sku, o.level);
    else if (typeof o.delta === 'number') skus.set(sku, (skus.get(sku) ?? 0) + o.delta);
  }
}
function peerBench(n, perFrame) {
  const alarms = new Map(), skus = new Map(), seen = new Set(), frames = [];
  for (let next = 0; next < n; ) {
    const batch = [];
    for (let i = next; i < Math.min(next + perFrame, n); i++) batch.push(synth(i));
    next += batch.length;
    const start = performance.now();
    for (const m of batch) digest(m, alarms, skus, seen);
    frames.push(Math.round(Math.max(performance.now() - start, 0) * 1000));
  }
  const total = frames.reduce((s, f) => s + f, 0) / 1000;
  const sorted = [...frames].sort((a, b) => a - b);
  const p99 = sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)];
  return { messages: n, frames: frames.length, total_ms: total, mean_frame_ms: total / frames.length,
           p99_frame_ms: p99 / 1000, max_frame_ms: sorted[sorted.length - 1] / 1000,
           messages_per_s: n / total * 1000, alarms: alarms.size, skus: skus.size };
}
"#;

/// Chromium drives the native side: nothing to run on wasm32.
#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    support::bench::run_browser_bench(
        "browser bench",
        "builds the app with the bench feature; needs chromium",
        measure(),
    );
}

#[cfg(not(target_arch = "wasm32"))]
async fn measure() {
    let (_site, browser, page) = support::bench::open_bench_page("dashboard_bench").await;
    // A warm-up run each (JIT, allocator), then the measured runs.
    let qoscope = |n: u64| format!("return JSON.parse(window.wasmBindings.dashboard_bench({n}))");
    let peer = |n: u64| format!("{PEER}\nreturn peerBench({n}, 334)");
    page.script(&qoscope(20_000)).await;
    page.script(&peer(20_000)).await;
    let ours = page.script(&qoscope(MESSAGES)).await;
    let theirs = page.script(&peer(MESSAGES)).await;
    browser.close().await;
    print_table(&ours, &theirs);
}

#[cfg(not(target_arch = "wasm32"))]
fn field(report: &Value, name: &str) -> f64 {
    report.get(name).and_then(Value::as_f64).unwrap_or(f64::NAN)
}

#[cfg(not(target_arch = "wasm32"))]
fn print_table(ours: &Value, theirs: &Value) {
    println!("dashboard ingest in headless Chromium: {MESSAGES} messages, 334 per frame");
    println!(
        "{:<22} {:>12} {:>10} {:>10} {:>10} {:>7} {:>6}",
        "", "msgs/s", "mean ms", "p99 ms", "max ms", "alarms", "skus"
    );
    for (name, report) in [("QoScope (wasm)", ours), ("JS peer (Map+JSON)", theirs)] {
        println!(
            "{:<22} {:>12.0} {:>10.3} {:>10.3} {:>10.3} {:>7} {:>6}",
            name,
            field(report, "messages_per_s"),
            field(report, "mean_frame_ms"),
            field(report, "p99_frame_ms"),
            field(report, "max_frame_ms"),
            field(report, "alarms"),
            field(report, "skus"),
        );
    }
    println!(
        "QoScope / peer throughput: {:.2}x",
        field(ours, "messages_per_s") / field(theirs, "messages_per_s")
    );
}
