//! The measured table, as text: one row per figure, one cell per level.
//! Pure, so the page, the exports and the tests read the same words.

use crate::mqtt::packet::QoS;

use super::record::{Hop, LevelResult, LevelStatus, Percentiles};
use super::report::{group, LabReport};

/// One row of the measured table.
#[derive(Debug, Clone, PartialEq)]
pub struct MeasuredRow {
    /// What the row measures.
    pub label: &'static str,
    /// One cell per level run, in run order.
    pub cells: Vec<String>,
}

/// "0.42 ms", "12.3 ms", "1,204 ms".
pub fn ms(v: f64) -> String {
    if !v.is_finite() {
        "–".to_string()
    } else if v < 10.0 {
        format!("{v:.2} ms")
    } else if v < 100.0 {
        format!("{v:.1} ms")
    } else {
        format!("{} ms", group(v.round() as u64))
    }
}

fn percentiles(p: Option<Percentiles>) -> String {
    p.map_or("–".to_string(), |p| {
        format!("{} / {} / {}", ms(p.p50), ms(p.p95), ms(p.p99))
    })
}

fn status(l: &LevelResult) -> String {
    match l.status {
        LevelStatus::Complete => "complete".to_string(),
        LevelStatus::Stopped => "stopped".to_string(),
        LevelStatus::TimedOut => "timed out".to_string(),
    }
}

fn bytes(l: &LevelResult, hop: Hop) -> String {
    let acks = l.control_bytes_per_message(hop);
    if l.qos == QoS::AtMostOnce {
        format!("{:.1} B", l.bytes_per_message(hop))
    } else {
        format!("{:.1} B ({acks:.1} B acks)", l.bytes_per_message(hop))
    }
}

/// The measured table of `report`.
pub fn measured_rows(report: &LabReport) -> Vec<MeasuredRow> {
    let row = |label: &'static str, f: &dyn Fn(&LevelResult) -> String| MeasuredRow {
        label,
        cells: report.levels.iter().map(f).collect(),
    };
    let mut rows = vec![
        row("Status", &status),
        row("Delivered · lost · duplicated", &|l| {
            format!(
                "{} · {} · {}",
                group(u64::from(l.delivered)),
                group(u64::from(l.lost)),
                group(u64::from(l.duplicates))
            )
        }),
        row("Packets per message, publisher ↔ broker", &|l| {
            format!("{:.2}", l.packets_per_message(Hop::Publisher))
        }),
        row("Packets per message, broker ↔ subscriber", &|l| {
            format!("{:.2}", l.packets_per_message(Hop::Subscriber))
        }),
        row("Bytes per message, publisher ↔ broker", &|l| {
            bytes(l, Hop::Publisher)
        }),
        row("Bytes per message, broker ↔ subscriber", &|l| {
            bytes(l, Hop::Subscriber)
        }),
    ];
    if report.levels.iter().any(|l| l.framing.is_some()) {
        rows.push(row("WebSocket framing per message, both hops", &|l| {
            l.framing_per_message()
                .map_or("–".to_string(), |f| format!("{f:.1} B"))
        }));
    }
    rows.extend([
        row(
            "One at a time: latency to the subscriber, p50 / p95 / p99",
            &|l| percentiles(l.unloaded_latency),
        ),
        row("One at a time: publisher done, p50 / p95 / p99", &|l| {
            percentiles(l.unloaded_completion)
        }),
        row(
            "Under load: latency to the subscriber, p50 / p95 / p99",
            &|l| percentiles(l.latency),
        ),
        row(
            "Under load: publisher done (last ack), p50 / p95 / p99",
            &|l| percentiles(l.completion),
        ),
        row("Throughput", &|l| {
            format!("{} msg/s", group(l.throughput.round() as u64))
        }),
        row("Most held in flight by the publisher", &|l| {
            l.max_in_flight.to_string()
        }),
        row("Retries · reconnects · cuts", &|l| {
            format!("{} · {} · {}", l.retries, l.reconnects, l.cuts)
        }),
    ]);
    rows
}

/// The inventory demo's line for one level: "expected 2,513 units, counted
/// 2,540 (+27)".
pub fn stock_line(l: &LevelResult) -> String {
    let drift = l.stock_counted - l.stock_expected;
    let diff = if drift == 0 {
        "exact".to_string()
    } else {
        format!("{drift:+} units")
    };
    format!(
        "expected {} · counted {} · {diff}",
        group(l.stock_expected.unsigned_abs()),
        group(l.stock_counted.unsigned_abs())
    )
}
