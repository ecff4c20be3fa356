//! A lab run as a file: JSON to save and load again (offline, to show a
//! run to a customer later), CSV for a spreadsheet.

use serde::{Deserialize, Serialize};

use crate::i18n::{td_string, Locale};
use crate::mqtt::packet::ProtocolVersion;

use super::plan::{LabPlan, Rate};
use super::record::{Hop, LevelResult, Percentiles, FLOW_PACKETS};

/// The file format's version.
pub const REPORT_FORMAT: u32 = 1;

/// Where a run was measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Target {
    /// A real broker over WebSockets.
    Broker {
        /// Its URL.
        url: String,
    },
    /// The built-in simulated broker.
    Simulated {
        /// Each link's one-way delay.
        one_way_ms: u64,
    },
}

impl Target {
    /// "ws://127.0.0.1:9001", "simulated broker, 1 ms each way".
    pub fn label(&self) -> String {
        self.label_in(Locale::en)
    }

    /// The broker's URL, or the simulated broker in words in `locale`.
    pub fn label_in(&self, locale: Locale) -> String {
        match self {
            Target::Broker { url } => url.clone(),
            Target::Simulated { one_way_ms } => {
                td_string!(locale, lab.report.simulated_target, ms = one_way_ms).to_string()
            }
        }
    }

    /// Times are the simulation's, not a network's.
    pub fn is_simulated(&self) -> bool {
        matches!(self, Target::Simulated { .. })
    }
}

/// Why a file is not a lab run this version can show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportError {
    /// Not a lab run's JSON at all (the parser's words).
    NotARun(String),
    /// Saved in another format version.
    WrongFormat(u32),
    /// No level in it.
    NothingMeasured,
    /// A latency histogram too long to be one.
    BadHistogram,
}

impl ReportError {
    /// The problem in words, in `locale`.
    pub fn text_in(&self, locale: Locale) -> String {
        match self {
            ReportError::NotARun(detail) => {
                td_string!(locale, lab.errors.not_a_run, detail).to_string()
            }
            ReportError::WrongFormat(found) => td_string!(
                locale,
                lab.errors.wrong_format,
                found,
                expected = REPORT_FORMAT
            )
            .to_string(),
            ReportError::NothingMeasured => {
                td_string!(locale, lab.errors.nothing_measured).to_string()
            }
            ReportError::BadHistogram => td_string!(locale, lab.errors.bad_histogram).to_string(),
        }
    }
}

/// One lab run, whole.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabReport {
    /// [`REPORT_FORMAT`].
    pub format: u32,
    /// When it ran (Unix milliseconds).
    pub started_at_ms: u64,
    /// Where.
    pub target: Target,
    /// MQTT version of both clients.
    pub version: ProtocolVersion,
    /// The topic each level published to (the same length at each level).
    pub topic_example: String,
    /// The workload.
    pub plan: LabPlan,
    /// One measured row per level, in the order run.
    pub levels: Vec<LevelResult>,
}

impl LabReport {
    /// Pretty JSON, to save.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// A saved run, or why the file is not one (in English).
    pub fn from_json(text: &str) -> Result<LabReport, String> {
        Self::parse(text).map_err(|e| e.text_in(Locale::en))
    }

    /// A saved run, or why the file is not one.
    pub fn parse(text: &str) -> Result<LabReport, ReportError> {
        let report: LabReport =
            serde_json::from_str(text).map_err(|e| ReportError::NotARun(e.to_string()))?;
        if report.format != REPORT_FORMAT {
            return Err(ReportError::WrongFormat(report.format));
        }
        if report.levels.is_empty() {
            return Err(ReportError::NothingMeasured);
        }
        if report.levels.iter().any(|l| l.histogram.len() > 64) {
            return Err(ReportError::BadHistogram);
        }
        Ok(report)
    }

    /// One row per level: every measured figure, per message where it is a cost.
    pub fn to_csv(&self) -> String {
        let mut out = csv_header().join(",");
        out.push('\n');
        for level in &self.levels {
            out.push_str(&csv_row(level).join(","));
            out.push('\n');
        }
        out
    }

    /// "1,000 × 64 B per level, as fast as allowed, faults: none".
    pub fn workload_label(&self) -> String {
        self.workload_label_in(Locale::en)
    }

    /// The workload in words, in `locale`.
    pub fn workload_label_in(&self, locale: Locale) -> String {
        let rate = match self.plan.rate {
            Rate::Max => td_string!(locale, lab.report.max_rate).to_string(),
            Rate::PerSecond(r) => td_string!(locale, lab.units.msg_per_s, rate = r).to_string(),
        };
        td_string!(
            locale,
            lab.report.workload,
            messages = group(u64::from(self.plan.messages)),
            bytes = self.plan.payload_bytes,
            rate,
            faults = self.plan.faults.label_in(locale)
        )
        .to_string()
    }
}

/// The CSV columns before the per-hop ones.
const CSV_LEVEL_COLUMNS: [&str; 20] = [
    "qos",
    "status",
    "planned",
    "published",
    "delivered",
    "lost",
    "duplicated",
    "duration_ms",
    "throughput_msg_per_s",
    "latency_p50_ms",
    "latency_p95_ms",
    "latency_p99_ms",
    "latency_max_ms",
    "completion_p50_ms",
    "completion_p95_ms",
    "completion_p99_ms",
    "retries",
    "max_in_flight",
    "cuts",
    "reconnects",
];

/// Every CSV column name: the level's figures, then per hop the costs per
/// message and each flow packet's count and bytes, then framing and stock.
fn csv_header() -> Vec<String> {
    let mut header: Vec<String> = CSV_LEVEL_COLUMNS.into_iter().map(String::from).collect();
    for hop in ["publisher_hop", "subscriber_hop"] {
        header.push(format!("{hop}_packets_per_msg"));
        header.push(format!("{hop}_bytes_per_msg"));
        for kind in FLOW_PACKETS {
            header.push(format!("{hop}_{}_packets", kind.name().to_lowercase()));
            header.push(format!("{hop}_{}_bytes", kind.name().to_lowercase()));
        }
    }
    header.push("websocket_header_bytes_per_msg".into());
    header.push("stock_expected".into());
    header.push("stock_counted".into());
    header
}

/// One level's CSV cells, in [`csv_header`]'s order.
fn csv_row(level: &LevelResult) -> Vec<String> {
    let p = |p: Option<Percentiles>, f: fn(&Percentiles) -> f64| {
        p.map(|p| format!("{:.3}", f(&p))).unwrap_or_default()
    };
    let mut row = vec![
        level.qos.as_u8().to_string(),
        format!("{:?}", level.status).to_lowercase(),
        level.planned.to_string(),
        level.published.to_string(),
        level.delivered.to_string(),
        level.lost.to_string(),
        level.duplicates.to_string(),
        format!("{:.1}", level.duration_ms),
        format!("{:.1}", level.throughput),
        p(level.latency, |p| p.p50),
        p(level.latency, |p| p.p95),
        p(level.latency, |p| p.p99),
        p(level.latency, |p| p.max),
        p(level.completion, |p| p.p50),
        p(level.completion, |p| p.p95),
        p(level.completion, |p| p.p99),
        level.retries.to_string(),
        level.max_in_flight.to_string(),
        level.cuts.to_string(),
        level.reconnects.to_string(),
    ];
    for hop in Hop::BOTH {
        row.push(format!("{:.3}", level.packets_per_message(hop)));
        row.push(format!("{:.3}", level.bytes_per_message(hop)));
        for kind in FLOW_PACKETS {
            let t = level.hops[hop as usize].of(kind);
            row.push(t.packets.to_string());
            row.push(t.bytes.to_string());
        }
    }
    row.push(
        level
            .framing_per_message()
            .map(|f| format!("{f:.3}"))
            .unwrap_or_default(),
    );
    row.push(level.stock_expected.to_string());
    row.push(level.stock_counted.to_string());
    row
}

/// 12345 → "12,345".
pub fn group(n: u64) -> String {
    crate::app::locale::group_thousands(n)
}
