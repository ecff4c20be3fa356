//! The QoS notes' "QoS Level Comparison Summary" and "When Overhead
//! Matters", row by row, beside what a lab run measured, with the
//! difference marked and explained where they disagree. (The QoS notes are
//! the Chinese write-up of QoS costs this app puts to the test; `docs/lab.md`
//! reproduces their table.)
//!
//! The claims are quoted as the QoS notes state them (Chinese metric
//! names included, for a Chinese-speaking audience); every other figure
//! comes from the run. [`compare_in`] words the table in the reader's
//! language; [`compare`] in English.

use crate::i18n::{td_string, Locale};
use crate::mqtt::packet::{encode, Packet, PacketType, ProtocolVersion, Publish, QoS};

use super::plan::{FaultProfile, Rate};
use super::record::{Hop, LevelResult, Percentiles};
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
    /// The metric as the (Chinese) QoS notes name it, quoted beside the
    /// English.
    pub metric_zh: &'static str,
    /// The QoS notes' figure for QoS 0, 1, 2, in the reader's language.
    pub claims: [&'static str; 3],
    /// The measured figure for QoS 0, 1, 2 ("–" where a level did not run).
    pub measured: [String; 3],
    /// How the claim fared.
    pub verdict: Verdict,
    /// Why, in a sentence with the run's own numbers, in the reader's language.
    pub why: String,
}

/// The payload of the QoS notes' "100 devices" example.
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

/// The QoS notes' table and example, each row beside the run's figures, in English.
pub fn compare(report: &LabReport) -> Vec<ClaimRow> {
    compare_in(report, Locale::en)
}

/// `v` with one decimal: "12.3".
fn one_decimal(v: f64) -> String {
    format!("{v:.1}")
}

/// The QoS notes' table and example, each row beside the run's figures,
/// in `locale`.
pub fn compare_in(report: &LabReport, locale: Locale) -> Vec<ClaimRow> {
    let run = Run::new(report, locale);
    vec![
        exchanges(&run),
        latency(&run),
        throughput(&run),
        bandwidth(&run),
        publisher_storage(&run),
        broker_storage(locale),
        duplicates(&run),
        networks(&run),
        devices(&run),
        cpu(locale),
    ]
}

/// What every claim reads from one run.
struct Run<'a> {
    report: &'a LabReport,
    locale: Locale,
    /// QoS 0, 1 and 2, when all three ran.
    levels: Option<[&'a LevelResult; 3]>,
    /// Whether the run injected faults.
    faults: bool,
    /// The fault profile in words.
    fault_words: String,
    /// Whether the run was on the simulated broker (times are not real).
    simulated: bool,
}

impl<'a> Run<'a> {
    fn new(report: &'a LabReport, locale: Locale) -> Self {
        Run {
            report,
            locale,
            levels: all_levels(report),
            faults: report.plan.faults != FaultProfile::None,
            fault_words: report.plan.faults.label_in(locale),
            simulated: report.target.is_simulated(),
        }
    }

    /// Why a row needs QoS 0, 1 and 2 measured in one run.
    fn needs_all_levels(&self) -> (Verdict, String) {
        (
            Verdict::NotMeasured,
            td_string!(self.locale, lab.claims.all_levels).to_string(),
        )
    }

    /// `f` of each level that ran, "–" for one that did not.
    fn per_level(&self, f: impl Fn(&LevelResult) -> String) -> [String; 3] {
        per_level(self.report, f)
    }
}

/// `Agrees` when `holds`, else `Differs`.
fn agrees_if(holds: bool) -> Verdict {
    if holds {
        Verdict::Agrees
    } else {
        Verdict::Differs
    }
}

/// Exchanges per message: 1, 2 and 4 packets.
fn exchanges(run: &Run) -> ClaimRow {
    let locale = run.locale;
    let claimed = [1.0, 2.0, 4.0];
    let (verdict, why) = match run.levels {
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
            } else if run.faults {
                (
                    Verdict::Differs,
                    td_string!(
                        locale,
                        lab.claims.exchanges.resends,
                        faults = &run.fault_words,
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
        None => run.needs_all_levels(),
    };
    ClaimRow {
        metric: td_string!(locale, lab.claims.exchanges.metric),
        metric_zh: "消息交换次数",
        claims: [
            td_string!(locale, lab.claims.exchanges.claim0),
            td_string!(locale, lab.claims.exchanges.claim1),
            td_string!(locale, lab.claims.exchanges.claim2),
        ],
        measured: run.per_level(|l| {
            format!(
                "{:.2} · {:.2}",
                l.packets_per_message(Hop::Publisher),
                l.packets_per_message(Hop::Subscriber)
            )
        }),
        verdict,
        why,
    }
}

/// A level's latency unloaded: the probe's, sent one at a time, when the
/// run had one.
fn unloaded(l: &LevelResult) -> Option<Percentiles> {
    l.unloaded_latency.or(l.latency)
}

/// A level's completion time unloaded, as [`unloaded`].
fn unloaded_done(l: &LevelResult) -> Option<Percentiles> {
    l.unloaded_completion.or(l.completion)
}

/// Minimum latency: under 1 ms, 1–2 ms, 3–5 ms.
fn latency(run: &Run) -> ClaimRow {
    let locale = run.locale;
    let (verdict, why) = match run.levels {
        _ if run.simulated => (
            Verdict::NotMeasured,
            td_string!(locale, lab.claims.latency.simulated).to_string(),
        ),
        Some(ls) => {
            let p50 = ls.map(|l| unloaded(l).map_or(f64::NAN, |p| p.p50));
            let done = unloaded_done(ls[2]).map_or(f64::NAN, |p| p.p50);
            let within =
                p50[0] < 1.0 && (1.0..=2.0).contains(&p50[1]) && (3.0..=5.0).contains(&p50[2]);
            (
                agrees_if(within),
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
        None => run.needs_all_levels(),
    };
    ClaimRow {
        metric: td_string!(locale, lab.claims.latency.metric),
        metric_zh: "最小延迟",
        claims: ["< 1 ms", "1–2 ms", "3–5 ms"],
        measured: run.per_level(|l| {
            let delivered = unloaded(l).map_or("–".to_string(), |p| ms(p.p50));
            match unloaded_done(l) {
                Some(c) => td_string!(locale, lab.claims.latency.cell, delivered, done = ms(c.p50))
                    .to_string(),
                None => delivered,
            }
        }),
        verdict,
        why,
    }
}

/// Throughput: QoS 1 at ~40 % and QoS 2 at ~15 % of QoS 0's.
fn throughput(run: &Run) -> ClaimRow {
    let locale = run.locale;
    let (verdict, why) = match (run.levels, run.report.plan.rate) {
        _ if run.simulated => (
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
                agrees_if(close),
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
        (None, _) => run.needs_all_levels(),
    };
    let base = level(run.report, QoS::AtMostOnce).map(|l| l.throughput);
    ClaimRow {
        metric: td_string!(locale, lab.claims.throughput.metric),
        metric_zh: "吞吐量",
        claims: [
            td_string!(locale, lab.claims.throughput.claim0),
            "~40 %",
            "~15 %",
        ],
        measured: run.per_level(|l| match base {
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
    }
}

/// Bandwidth: each level costs more bytes per message than the one below.
fn bandwidth(run: &Run) -> ClaimRow {
    let locale = run.locale;
    let (verdict, why) = match run.levels {
        Some(ls) => {
            let b = ls.map(|l| l.bytes_per_message(Hop::Publisher));
            let ordered = b[0] < b[1] && b[1] < b[2];
            (
                agrees_if(ordered),
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
        None => run.needs_all_levels(),
    };
    ClaimRow {
        metric: td_string!(locale, lab.claims.bandwidth.metric),
        metric_zh: "带宽开销",
        claims: [
            td_string!(locale, lab.claims.bandwidth.claim0),
            td_string!(locale, lab.claims.bandwidth.claim1),
            td_string!(locale, lab.claims.bandwidth.claim2),
        ],
        measured: run
            .per_level(|l| format!("{} B", one_decimal(l.bytes_per_message(Hop::Publisher)))),
        verdict,
        why,
    }
}

/// What publisher and broker store per level: nothing, the unacknowledged
/// messages, the handshake state.
fn storage_claims(locale: Locale) -> [&'static str; 3] {
    [
        td_string!(locale, lab.claims.storage.none),
        td_string!(locale, lab.claims.storage.unacknowledged),
        td_string!(locale, lab.claims.storage.handshake),
    ]
}

/// Publisher storage: QoS 0 keeps nothing in flight.
fn publisher_storage(run: &Run) -> ClaimRow {
    let locale = run.locale;
    let (verdict, why) = match run.levels {
        Some(ls) => (
            agrees_if(ls[0].max_in_flight == 0),
            td_string!(
                locale,
                lab.claims.publisher_storage.why,
                window = ls[1].max_in_flight.max(ls[2].max_in_flight)
            )
            .to_string(),
        ),
        None => run.needs_all_levels(),
    };
    ClaimRow {
        metric: td_string!(locale, lab.claims.publisher_storage.metric),
        metric_zh: "发布者存储",
        claims: storage_claims(locale),
        measured: run.per_level(|l| {
            td_string!(locale, lab.units.messages, count = l.max_in_flight).to_string()
        }),
        verdict,
        why,
    }
}

/// Broker storage: a client cannot see it.
fn broker_storage(locale: Locale) -> ClaimRow {
    ClaimRow {
        metric: td_string!(locale, lab.claims.broker_storage.metric),
        metric_zh: "Broker 存储",
        claims: storage_claims(locale),
        measured: ["–", "–", "–"].map(String::from),
        verdict: Verdict::NotMeasured,
        why: td_string!(locale, lab.claims.broker_storage.why).to_string(),
    }
}

/// Duplicates: possible at QoS 1, never at QoS 2.
fn duplicates(run: &Run) -> ClaimRow {
    let locale = run.locale;
    let (verdict, why) = match run.levels {
        Some(ls) if ls[2].duplicates == 0 && ls[1].duplicates > 0 => (
            Verdict::Agrees,
            td_string!(
                locale,
                lab.claims.duplicates.qos1_only,
                count = ls[1].duplicates,
                faults = &run.fault_words
            )
            .to_string(),
        ),
        Some(ls) if ls[2].duplicates == 0 => (
            Verdict::Agrees,
            if run.faults {
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
        None => run.needs_all_levels(),
    };
    ClaimRow {
        metric: td_string!(locale, lab.claims.duplicates.metric),
        metric_zh: "去重保证",
        claims: [
            td_string!(locale, lab.claims.duplicates.claim0),
            td_string!(locale, lab.claims.duplicates.claim1),
            td_string!(locale, lab.claims.duplicates.claim2),
        ],
        measured: run.per_level(|l| {
            td_string!(locale, lab.claims.duplicates.cell, count = l.duplicates).to_string()
        }),
        verdict,
        why,
    }
}

/// Suitable networks: which level a lossy network needs.
fn networks(run: &Run) -> ClaimRow {
    let locale = run.locale;
    let (verdict, why) = match run.levels {
        _ if !run.faults => (
            Verdict::NotMeasured,
            td_string!(locale, lab.claims.networks.clean).to_string(),
        ),
        Some(ls) if ls[1].lost == 0 && ls[2].lost == 0 && ls[2].duplicates == 0 => (
            Verdict::Differs,
            td_string!(
                locale,
                lab.claims.networks.qos1_ok,
                faults = &run.fault_words,
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
        None => run.needs_all_levels(),
    };
    ClaimRow {
        metric: td_string!(locale, lab.claims.networks.metric),
        metric_zh: "适用网络",
        claims: [
            td_string!(locale, lab.claims.networks.claim0),
            td_string!(locale, lab.claims.networks.claim1),
            td_string!(locale, lab.claims.networks.claim2),
        ],
        measured: run.per_level(|l| {
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
    }
}

/// 100 devices × 1 KB/s: ~100, ~150, ~400 KB/s.
fn devices(run: &Run) -> ClaimRow {
    let locale = run.locale;
    let report = run.report;
    let (verdict, why) = match run.levels {
        Some(ls) => {
            let kbs = ls.map(|l| device_traffic(report, l));
            let close = [100.0, 150.0, 400.0]
                .iter()
                .zip(kbs)
                .all(|(c, m)| (m - c).abs() / c <= 0.2);
            let ack = ls[1].hops[0].of(PacketType::Puback).bytes as f64
                / f64::from(ls[1].published.max(1));
            (
                agrees_if(close),
                td_string!(
                    locale,
                    lab.claims.devices.why,
                    ack = format!("{ack:.0}"),
                    extra = one_decimal(kbs[2] - kbs[0])
                )
                .to_string(),
            )
        }
        None => run.needs_all_levels(),
    };
    ClaimRow {
        metric: td_string!(locale, lab.claims.devices.metric),
        metric_zh: "100 个设备，每秒 1 条 1KB 消息",
        claims: ["~100 KB/s", "~150 KB/s", "~400 KB/s"],
        measured: run.per_level(|l| format!("{} KB/s", one_decimal(device_traffic(report, l)))),
        verdict,
        why,
    }
}

/// CPU use: a browser cannot measure it.
fn cpu(locale: Locale) -> ClaimRow {
    ClaimRow {
        metric: td_string!(locale, lab.claims.cpu.metric),
        metric_zh: "CPU 使用率（单核）",
        claims: ["5 %", "15 %", "40 %"],
        measured: ["–", "–", "–"].map(String::from),
        verdict: Verdict::NotMeasured,
        why: td_string!(locale, lab.claims.cpu.why).to_string(),
    }
}
