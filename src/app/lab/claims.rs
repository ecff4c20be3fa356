//! The seed notes' "QoS Level Comparison Summary" and "When Overhead
//! Matters", row by row, beside what a lab run measured, with the
//! difference marked and explained where they disagree.
//!
//! The claims are quoted as the seed notes state them (Chinese metric
//! names included, for a Chinese-speaking audience); every other figure
//! comes from the run. [`compare_in`] words the table in the reader's
//! language; [`compare`] in English.

use crate::i18n::{td_string, Locale};
use crate::mqtt::packet::{encode, Packet, PacketType, ProtocolVersion, Publish, QoS};

use super::plan::{FaultProfile, Rate};
use super::record::{Hop, LevelResult};
use super::report::{group, LabReport};
use super::tables::{ms, rate};

/// How a claim fared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The measurement bears it out.
    Agrees,
    /// The measurement says otherwise.
    Differs,
    /// This run cannot tell (simulated times, a fixed rate, no faults, or a
    /// figure a client cannot see).
    NotMeasured,
}

impl Verdict {
    /// "agrees", "differs", "not measured".
    pub fn label(self) -> &'static str {
        self.label_in(Locale::en)
    }

    /// The verdict in words, in `locale`.
    pub fn label_in(self, locale: Locale) -> &'static str {
        match self {
            Verdict::Agrees => td_string!(locale, lab.claims.agrees),
            Verdict::Differs => td_string!(locale, lab.claims.differs),
            Verdict::NotMeasured => td_string!(locale, lab.claims.not_measured),
        }
    }
}

/// One row of the comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimRow {
    /// The metric, in the reader's language.
    pub metric: &'static str,
    /// The metric as the (Chinese) seed notes name it, quoted beside the
    /// English.
    pub metric_zh: &'static str,
    /// The seed notes' figure for QoS 0, 1, 2, in the reader's language.
    pub claims: [&'static str; 3],
    /// The measured figure for QoS 0, 1, 2 ("–" where a level did not run).
    pub measured: [String; 3],
    /// How the claim fared.
    pub verdict: Verdict,
    /// Why, in a sentence with the run's own numbers, in the reader's language.
    pub why: String,
}

/// The payload of the seed notes' "100 devices" example.
pub const DEVICE_PAYLOAD: usize = 1024;
/// Devices in that example, each publishing once a second.
pub const DEVICES: f64 = 100.0;

fn level(report: &LabReport, qos: QoS) -> Option<&LevelResult> {
    report.levels.iter().find(|l| l.qos == qos)
}

fn per_level(report: &LabReport, f: impl Fn(&LevelResult) -> String) -> [String; 3] {
    [QoS::AtMostOnce, QoS::AtLeastOnce, QoS::ExactlyOnce]
        .map(|q| level(report, q).map(&f).unwrap_or_else(|| "–".to_string()))
}

fn all_levels(report: &LabReport) -> Option<[&LevelResult; 3]> {
    Some([
        level(report, QoS::AtMostOnce)?,
        level(report, QoS::AtLeastOnce)?,
        level(report, QoS::ExactlyOnce)?,
    ])
}

/// The encoded size of a PUBLISH of `payload` bytes to `topic` at `qos`.
pub fn publish_len(topic: &str, payload: usize, qos: QoS, version: ProtocolVersion) -> usize {
    let packet = Packet::Publish(Publish {
        qos,
        topic: topic.to_string(),
        packet_id: (qos != QoS::AtMostOnce).then_some(1),
        payload: vec![0; payload],
        ..Publish::default()
    });
    let mut out = Vec::new();
    let _ = encode(&packet, version, &mut out);
    out.len()
}

/// KB/s on the publisher's hop for [`DEVICES`] devices each sending one
/// [`DEVICE_PAYLOAD`]-byte message a second: the codec's PUBLISH for that
/// payload plus the acknowledgement bytes per message the run measured.
pub fn device_traffic(report: &LabReport, l: &LevelResult) -> f64 {
    let publish = publish_len(&report.topic_example, DEVICE_PAYLOAD, l.qos, report.version);
    let per_message = publish as f64 + l.control_bytes_per_message(Hop::Publisher);
    DEVICES * per_message / 1024.0
}

/// The seed notes' table and example, each row beside the run's figures, in English.
pub fn compare(report: &LabReport) -> Vec<ClaimRow> {
    compare_in(report, Locale::en)
}

/// `v` with one decimal: "12.3".
fn one_decimal(v: f64) -> String {
    format!("{v:.1}")
}

/// The seed notes' table and example, each row beside the run's figures,
/// in `locale`.
pub fn compare_in(report: &LabReport, locale: Locale) -> Vec<ClaimRow> {
    let levels = all_levels(report);
    let faults = report.plan.faults != FaultProfile::None;
    let fault_words = report.plan.faults.label_in(locale);
    let simulated = report.target.is_simulated();
    // Why a row needs QoS 0, 1 and 2 measured in one run.
    let all = || {
        (
            Verdict::NotMeasured,
            td_string!(locale, lab.claims.all_levels).to_string(),
        )
    };
    let mut rows = Vec::new();

    // Exchanges per message.
    let claimed = [1.0, 2.0, 4.0];
    let (verdict, why) = match levels {
        Some(ls) => {
            let exact = ls.iter().zip(claimed).all(|(l, c)| {
                Hop::BOTH
                    .iter()
                    .all(|h| (l.packets_per_message(*h) - c).abs() < 0.005)
            });
            let retries: u64 = ls.iter().map(|l| l.retries).sum();
            if exact {
                (
                    Verdict::Agrees,
                    td_string!(locale, lab.claims.exchanges.exact).to_string(),
                )
            } else if faults {
                (
                    Verdict::Differs,
                    td_string!(
                        locale,
                        lab.claims.exchanges.resends,
                        faults = &fault_words,
                        retries
                    )
                    .to_string(),
                )
            } else {
                (
                    Verdict::Differs,
                    td_string!(locale, lab.claims.exchanges.clean).to_string(),
                )
            }
        }
        None => all(),
    };
    rows.push(ClaimRow {
        metric: td_string!(locale, lab.claims.exchanges.metric),
        metric_zh: "消息交换次数",
        claims: [
            td_string!(locale, lab.claims.exchanges.claim0),
            td_string!(locale, lab.claims.exchanges.claim1),
            td_string!(locale, lab.claims.exchanges.claim2),
        ],
        measured: per_level(report, |l| {
            format!(
                "{:.2} · {:.2}",
                l.packets_per_message(Hop::Publisher),
                l.packets_per_message(Hop::Subscriber)
            )
        }),
        verdict,
        why,
    });

    // Minimum latency: the probe's, sent one at a time, when the run had one.
    let unloaded = |l: &LevelResult| l.unloaded_latency.or(l.latency);
    let unloaded_done = |l: &LevelResult| l.unloaded_completion.or(l.completion);
    let (verdict, why) = match levels {
        _ if simulated => (
            Verdict::NotMeasured,
            td_string!(locale, lab.claims.latency.simulated).to_string(),
        ),
        Some(ls) => {
            let p50 = ls.map(|l| unloaded(l).map_or(f64::NAN, |p| p.p50));
            let done = unloaded_done(ls[2]).map_or(f64::NAN, |p| p.p50);
            let within =
                p50[0] < 1.0 && (1.0..=2.0).contains(&p50[1]) && (3.0..=5.0).contains(&p50[2]);
            (
                if within {
                    Verdict::Agrees
                } else {
                    Verdict::Differs
                },
                td_string!(
                    locale,
                    lab.claims.latency.why,
                    q0 = ms(p50[0]),
                    q1 = ms(p50[1]),
                    q2 = ms(p50[2]),
                    done = ms(done)
                )
                .to_string(),
            )
        }
        None => all(),
    };
    rows.push(ClaimRow {
        metric: td_string!(locale, lab.claims.latency.metric),
        metric_zh: "最小延迟",
        claims: ["< 1 ms", "1–2 ms", "3–5 ms"],
        measured: per_level(report, |l| {
            let delivered = unloaded(l).map_or("–".to_string(), |p| ms(p.p50));
            match unloaded_done(l) {
                Some(c) => td_string!(locale, lab.claims.latency.cell, delivered, done = ms(c.p50))
                    .to_string(),
                None => delivered,
            }
        }),
        verdict,
        why,
    });

    // Throughput.
    let (verdict, why) = match (levels, report.plan.rate) {
        _ if simulated => (
            Verdict::NotMeasured,
            td_string!(locale, lab.claims.throughput.simulated).to_string(),
        ),
        (_, Rate::PerSecond(r)) => (
            Verdict::NotMeasured,
            td_string!(locale, lab.claims.throughput.fixed, rate = r).to_string(),
        ),
        (Some(ls), Rate::Max) => {
            let base = ls[0].throughput.max(f64::MIN_POSITIVE);
            let share = ls.map(|l| 100.0 * l.throughput / base);
            let close = (share[1] - 40.0).abs() <= 10.0 && (share[2] - 15.0).abs() <= 7.5;
            (
                if close {
                    Verdict::Agrees
                } else {
                    Verdict::Differs
                },
                td_string!(
                    locale,
                    lab.claims.throughput.why,
                    q1 = format!("{:.0}", share[1]),
                    q2 = format!("{:.0}", share[2]),
                    window = ls[1].max_in_flight.max(ls[2].max_in_flight)
                )
                .to_string(),
            )
        }
        (None, _) => all(),
    };
    let base = level(report, QoS::AtMostOnce).map(|l| l.throughput);
    rows.push(ClaimRow {
        metric: td_string!(locale, lab.claims.throughput.metric),
        metric_zh: "吞吐量",
        claims: [
            td_string!(locale, lab.claims.throughput.claim0),
            "~40 %",
            "~15 %",
        ],
        measured: per_level(report, |l| match base {
            Some(b) if b > 0.0 => td_string!(
                locale,
                lab.claims.throughput.cell,
                rate = group(l.throughput.round() as u64),
                share = format!("{:.0}", 100.0 * l.throughput / b)
            )
            .to_string(),
            _ => rate(l.throughput, locale),
        }),
        verdict,
        why,
    });

    // Bandwidth.
    let (verdict, why) = match levels {
        Some(ls) => {
            let b = ls.map(|l| l.bytes_per_message(Hop::Publisher));
            let ordered = b[0] < b[1] && b[1] < b[2];
            (
                if ordered {
                    Verdict::Agrees
                } else {
                    Verdict::Differs
                },
                td_string!(
                    locale,
                    lab.claims.bandwidth.why,
                    q1 = format!("{:.0}", b[1] - b[0]),
                    q2 = format!("{:.0}", b[2] - b[0]),
                    q1_share = format!("{:+.1}", 100.0 * (b[1] - b[0]) / b[0].max(1.0)),
                    q2_share = format!("{:+.1}", 100.0 * (b[2] - b[0]) / b[0].max(1.0)),
                    base = format!("{:.0}", b[0])
                )
                .to_string(),
            )
        }
        None => all(),
    };
    rows.push(ClaimRow {
        metric: td_string!(locale, lab.claims.bandwidth.metric),
        metric_zh: "带宽开销",
        claims: [
            td_string!(locale, lab.claims.bandwidth.claim0),
            td_string!(locale, lab.claims.bandwidth.claim1),
            td_string!(locale, lab.claims.bandwidth.claim2),
        ],
        measured: per_level(report, |l| {
            format!("{} B", one_decimal(l.bytes_per_message(Hop::Publisher)))
        }),
        verdict,
        why,
    });

    // Publisher storage.
    let storage = [
        td_string!(locale, lab.claims.storage.none),
        td_string!(locale, lab.claims.storage.unacknowledged),
        td_string!(locale, lab.claims.storage.handshake),
    ];
    let (verdict, why) = match levels {
        Some(ls) => (
            if ls[0].max_in_flight == 0 {
                Verdict::Agrees
            } else {
                Verdict::Differs
            },
            td_string!(
                locale,
                lab.claims.publisher_storage.why,
                window = ls[1].max_in_flight.max(ls[2].max_in_flight)
            )
            .to_string(),
        ),
        None => all(),
    };
    rows.push(ClaimRow {
        metric: td_string!(locale, lab.claims.publisher_storage.metric),
        metric_zh: "发布者存储",
        claims: storage,
        measured: per_level(report, |l| {
            td_string!(locale, lab.units.messages, count = l.max_in_flight).to_string()
        }),
        verdict,
        why,
    });

    rows.push(ClaimRow {
        metric: td_string!(locale, lab.claims.broker_storage.metric),
        metric_zh: "Broker 存储",
        claims: storage,
        measured: ["–", "–", "–"].map(String::from),
        verdict: Verdict::NotMeasured,
        why: td_string!(locale, lab.claims.broker_storage.why).to_string(),
    });

    // Duplicates.
    let (verdict, why) = match levels {
        Some(ls) if ls[2].duplicates == 0 && ls[1].duplicates > 0 => (
            Verdict::Agrees,
            td_string!(
                locale,
                lab.claims.duplicates.qos1_only,
                count = ls[1].duplicates,
                faults = &fault_words
            )
            .to_string(),
        ),
        Some(ls) if ls[2].duplicates == 0 => (
            Verdict::Agrees,
            if faults {
                td_string!(locale, lab.claims.duplicates.none_faults)
            } else {
                td_string!(locale, lab.claims.duplicates.none_clean)
            }
            .to_string(),
        ),
        Some(ls) => (
            Verdict::Differs,
            td_string!(locale, lab.claims.duplicates.qos2, count = ls[2].duplicates).to_string(),
        ),
        None => all(),
    };
    rows.push(ClaimRow {
        metric: td_string!(locale, lab.claims.duplicates.metric),
        metric_zh: "去重保证",
        claims: [
            td_string!(locale, lab.claims.duplicates.claim0),
            td_string!(locale, lab.claims.duplicates.claim1),
            td_string!(locale, lab.claims.duplicates.claim2),
        ],
        measured: per_level(report, |l| {
            td_string!(locale, lab.claims.duplicates.cell, count = l.duplicates).to_string()
        }),
        verdict,
        why,
    });

    // Suitable networks.
    let (verdict, why) = match levels {
        _ if !faults => (
            Verdict::NotMeasured,
            td_string!(locale, lab.claims.networks.clean).to_string(),
        ),
        Some(ls) if ls[1].lost == 0 && ls[2].lost == 0 && ls[2].duplicates == 0 => (
            Verdict::Differs,
            td_string!(
                locale,
                lab.claims.networks.qos1_ok,
                faults = &fault_words,
                duplicates = ls[1].duplicates,
                lost = ls[0].lost
            )
            .to_string(),
        ),
        Some(ls) => (
            Verdict::Differs,
            td_string!(
                locale,
                lab.claims.networks.lost,
                q0 = ls[0].lost,
                q1 = ls[1].lost,
                q2 = ls[2].lost
            )
            .to_string(),
        ),
        None => all(),
    };
    rows.push(ClaimRow {
        metric: td_string!(locale, lab.claims.networks.metric),
        metric_zh: "适用网络",
        claims: [
            td_string!(locale, lab.claims.networks.claim0),
            td_string!(locale, lab.claims.networks.claim1),
            td_string!(locale, lab.claims.networks.claim2),
        ],
        measured: per_level(report, |l| {
            td_string!(
                locale,
                lab.claims.networks.cell,
                lost = l.lost,
                duplicates = l.duplicates
            )
            .to_string()
        }),
        verdict,
        why,
    });

    // 100 devices × 1 KB/s.
    let (verdict, why) = match levels {
        Some(ls) => {
            let kbs = ls.map(|l| device_traffic(report, l));
            let close = [100.0, 150.0, 400.0]
                .iter()
                .zip(kbs)
                .all(|(c, m)| (m - c).abs() / c <= 0.2);
            let ack = ls[1].hops[0].of(PacketType::Puback).bytes as f64
                / f64::from(ls[1].published.max(1));
            (
                if close {
                    Verdict::Agrees
                } else {
                    Verdict::Differs
                },
                td_string!(
                    locale,
                    lab.claims.devices.why,
                    ack = format!("{ack:.0}"),
                    extra = one_decimal(kbs[2] - kbs[0])
                )
                .to_string(),
            )
        }
        None => all(),
    };
    rows.push(ClaimRow {
        metric: td_string!(locale, lab.claims.devices.metric),
        metric_zh: "100 个设备，每秒 1 条 1KB 消息",
        claims: ["~100 KB/s", "~150 KB/s", "~400 KB/s"],
        measured: per_level(report, |l| {
            format!("{} KB/s", one_decimal(device_traffic(report, l)))
        }),
        verdict,
        why,
    });

    rows.push(ClaimRow {
        metric: td_string!(locale, lab.claims.cpu.metric),
        metric_zh: "CPU 使用率（单核）",
        claims: ["5 %", "15 %", "40 %"],
        measured: ["–", "–", "–"].map(String::from),
        verdict: Verdict::NotMeasured,
        why: td_string!(locale, lab.claims.cpu.why).to_string(),
    });
    rows
}
