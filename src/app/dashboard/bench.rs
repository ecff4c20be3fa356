//! A benchmark of the ingest path: synthetic messages pushed into the same
//! queue and drained by the same per-frame budget as the live dashboard,
//! each frame timed with the caller's clock (`performance.now()` in the
//! browser).
//!
//! In the browser, a build with the `bench` feature (`trunk build --features
//! bench`, as scripts/bench-browser.sh does) exposes it on
//! `window.wasmBindings`; the product build leaves the export out:
//!
//! ```js
//! const report = JSON.parse(window.wasmBindings.dashboard_bench(200000));
//! // { messages, frames, per_frame, total_ms, mean_frame_ms, p99_frame_ms,
//! //   max_frame_ms, messages_per_s, alarms, skus }
//! ```
//!
//! Do not run it under `--virtual-time-budget`: virtual time freezes
//! `performance.now()` and every frame then reads 0 ms. Compare release
//! builds; a debug build is several times slower.
//!
//! Frames carry 334 messages each: 20,000 messages/s at 60 frames/s. A
//! frame time under 16.7 ms means the model keeps up with that flood.

use serde::Serialize;

use super::health::percentile;
use super::model::{DashboardModel, FRAME_BUDGET};
use super::traffic::synthetic_message;
use crate::net::clock::precise_ms;

/// Messages per simulated frame: 20,000 messages/s at 60 Hz.
pub const MESSAGES_PER_FRAME: u64 = 334;

/// What one bench run measured.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BenchReport {
    /// Messages fed.
    pub messages: u64,
    /// Frames run.
    pub frames: u64,
    /// Messages per frame.
    pub per_frame: u64,
    /// Sum of frame times, ms.
    pub total_ms: f64,
    /// Mean frame time, ms.
    pub mean_frame_ms: f64,
    /// p99 frame time, ms (microsecond resolution).
    pub p99_frame_ms: f64,
    /// Longest frame, ms.
    pub max_frame_ms: f64,
    /// Messages digested per second of frame time.
    pub messages_per_s: f64,
    /// Alarm rows at the end (bounded).
    pub alarms: usize,
    /// SKUs at the end (bounded).
    pub skus: usize,
}

/// Feeds `n` synthetic messages through the ingest queue, `per_frame` at a
/// time, timing each frame's push and drain with `clock` (ms).
pub fn run_bench(n: u64, per_frame: u64, mut clock: impl FnMut() -> f64) -> BenchReport {
    let per_frame = per_frame.max(1);
    let mut model = DashboardModel::default();
    let mut frame_us = Vec::new();
    let mut next = 0;
    while next < n {
        let batch: Vec<_> = (next..(next + per_frame).min(n))
            .map(synthetic_message)
            .collect();
        next += batch.len() as u64;
        let start = clock();
        for message in batch {
            model.push_message(message);
        }
        model.drain(FRAME_BUDGET);
        frame_us.push(((clock() - start).max(0.0) * 1000.0) as u64);
    }
    report(n, per_frame, &frame_us, &model)
}

fn report(n: u64, per_frame: u64, frame_us: &[u64], model: &DashboardModel) -> BenchReport {
    let total_ms = frame_us.iter().sum::<u64>() as f64 / 1000.0;
    let frames = frame_us.len() as u64;
    BenchReport {
        messages: n,
        frames,
        per_frame,
        total_ms,
        mean_frame_ms: if frames > 0 {
            total_ms / frames as f64
        } else {
            0.0
        },
        p99_frame_ms: percentile(frame_us.iter().copied(), 99).unwrap_or(0) as f64 / 1000.0,
        max_frame_ms: frame_us.iter().copied().max().unwrap_or(0) as f64 / 1000.0,
        messages_per_s: if total_ms > 0.0 {
            n as f64 / total_ms * 1000.0
        } else {
            0.0
        },
        alarms: model.alarms.len(),
        skus: model.inventory.len(),
    }
}

/// Runs [`run_bench`] on `n` messages with `performance.now()` as the clock
/// (0 outside a browser) and returns the report as JSON: what the browser
/// entry point returns.
pub fn bench_report_json(n: u32) -> String {
    let report = run_bench(u64::from(n), MESSAGES_PER_FRAME, precise_ms);
    serde_json::to_string(&report).unwrap_or_else(|e| format!(r#"{{"error":"{e}"}}"#))
}

/// Browser entry point ([`bench_report_json`]), only in a build with the
/// `bench` feature: the product has no use for it (it cost the release
/// bundle 3 KB of wasm and 0.5 KB of JS glue).
#[cfg(all(target_arch = "wasm32", feature = "bench"))]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn dashboard_bench(n: u32) -> String {
    bench_report_json(n)
}
