//! The measured table, as text: one row per figure, one cell per level.
//! Pure, so the page, the exports and the tests read the same words.

use crate::i18n::{td_string, Locale};
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

fn status(l: &LevelResult, locale: Locale) -> String {
    match l.status {
        LevelStatus::Complete => td_string!(locale, lab.table.complete),
        LevelStatus::Stopped => td_string!(locale, lab.table.stopped),
        LevelStatus::TimedOut => td_string!(locale, lab.table.timed_out),
    }
    .to_string()
}

fn bytes(l: &LevelResult, hop: Hop, locale: Locale) -> String {
    let all = format!("{:.1}", l.bytes_per_message(hop));
    if l.qos == QoS::AtMostOnce {
        format!("{all} B")
    } else {
        let acks = format!("{:.1}", l.control_bytes_per_message(hop));
        td_string!(locale, lab.table.bytes_acks, bytes = all, acks).to_string()
    }
}

/// "1,234 msg/s", in `locale`.
pub fn rate(messages_per_second: f64, locale: Locale) -> String {
    let rate = group(messages_per_second.round() as u64);
    td_string!(locale, lab.units.msg_per_s, rate).to_string()
}

/// The measured table of `report`, in English.
pub fn measured_rows(report: &LabReport) -> Vec<MeasuredRow> {
    measured_rows_in(report, Locale::en)
}

/// The measured table of `report`, in `locale`.
pub fn measured_rows_in(report: &LabReport, locale: Locale) -> Vec<MeasuredRow> {
    let row = |label: &'static str, f: &dyn Fn(&LevelResult) -> String| MeasuredRow {
        label,
        cells: report.levels.iter().map(f).collect(),
    };
    let mut rows = vec![
        row(td_string!(locale, lab.table.status), &|l| status(l, locale)),
        row(td_string!(locale, lab.table.delivery), &|l| {
            format!(
                "{} · {} · {}",
                group(u64::from(l.delivered)),
                group(u64::from(l.lost)),
                group(u64::from(l.duplicates))
            )
        }),
        row(td_string!(locale, lab.table.packets_pub), &|l| {
            format!("{:.2}", l.packets_per_message(Hop::Publisher))
        }),
        row(td_string!(locale, lab.table.packets_sub), &|l| {
            format!("{:.2}", l.packets_per_message(Hop::Subscriber))
        }),
        row(td_string!(locale, lab.table.bytes_pub), &|l| {
            bytes(l, Hop::Publisher, locale)
        }),
        row(td_string!(locale, lab.table.bytes_sub), &|l| {
            bytes(l, Hop::Subscriber, locale)
        }),
    ];
    if report.levels.iter().any(|l| l.framing.is_some()) {
        rows.push(row(td_string!(locale, lab.table.framing), &|l| {
            l.framing_per_message()
                .map_or("–".to_string(), |f| format!("{f:.1} B"))
        }));
    }
    rows.extend([
        row(td_string!(locale, lab.table.unloaded_latency), &|l| {
            percentiles(l.unloaded_latency)
        }),
        row(td_string!(locale, lab.table.unloaded_done), &|l| {
            percentiles(l.unloaded_completion)
        }),
        row(td_string!(locale, lab.table.loaded_latency), &|l| {
            percentiles(l.latency)
        }),
        row(td_string!(locale, lab.table.loaded_done), &|l| {
            percentiles(l.completion)
        }),
        row(td_string!(locale, lab.table.throughput), &|l| {
            rate(l.throughput, locale)
        }),
        row(td_string!(locale, lab.table.in_flight), &|l| {
            l.max_in_flight.to_string()
        }),
        row(td_string!(locale, lab.table.retries), &|l| {
            format!("{} · {} · {}", l.retries, l.reconnects, l.cuts)
        }),
    ]);
    rows
}

/// The inventory demo's line for one level: "expected 2,513 · counted
/// 2,540 · +27 units".
pub fn stock_line(l: &LevelResult) -> String {
    stock_line_in(l, Locale::en)
}

/// The inventory demo's line for one level, in `locale`.
pub fn stock_line_in(l: &LevelResult, locale: Locale) -> String {
    let drift = l.stock_counted - l.stock_expected;
    let difference = if drift == 0 {
        td_string!(locale, lab.inventory.exact).to_string()
    } else {
        td_string!(locale, lab.inventory.drift, drift = format!("{drift:+}")).to_string()
    };
    td_string!(
        locale,
        lab.inventory.expected,
        expected = group(l.stock_expected.unsigned_abs()),
        counted = group(l.stock_counted.unsigned_abs()),
        difference
    )
    .to_string()
}
