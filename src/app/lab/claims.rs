//! The seed notes' "QoS Level Comparison Summary" and "When Overhead
//! Matters", row by row, beside what a lab run measured, with the
//! difference marked and explained where they disagree.
//!
//! The claims are quoted as the seed notes state them (Chinese metric
//! names included, for a Chinese-speaking audience); every other figure
//! comes from the run.

use crate::mqtt::packet::{encode, Packet, PacketType, ProtocolVersion, Publish, QoS};

use super::plan::{FaultProfile, Rate};
use super::record::{Hop, LevelResult};
use super::report::{group, LabReport};
use super::tables::ms;

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
        match self {
            Verdict::Agrees => "agrees",
            Verdict::Differs => "differs",
            Verdict::NotMeasured => "not measured",
        }
    }
}

/// One row of the comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimRow {
    /// The metric, in English.
    pub metric: &'static str,
    /// The metric as the seed notes name it.
    pub metric_zh: &'static str,
    /// The seed notes' figure for QoS 0, 1, 2.
    pub claims: [&'static str; 3],
    /// The measured figure for QoS 0, 1, 2 ("–" where a level did not run).
    pub measured: [String; 3],
    /// How the claim fared.
    pub verdict: Verdict,
    /// Why, in a sentence with the run's own numbers.
    pub why: String,
}

/// Why a row needs QoS 0, 1 and 2 measured in one run.
const ALL_LEVELS: &str = "Run all three levels to compare.";

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

/// The seed notes' table and example, each row beside the run's figures.
pub fn compare(report: &LabReport) -> Vec<ClaimRow> {
    let levels = all_levels(report);
    let faults = report.plan.faults != FaultProfile::None;
    let simulated = report.target.is_simulated();
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
                    "Exactly 1, 2 and 4 packets per message on each hop: the handshake runs once publisher → broker and once broker → subscriber.".to_string(),
                )
            } else if faults {
                (
                    Verdict::Differs,
                    format!("With faults ({}), resends add packets: {retries} retries in this run. The table counts a handshake that works first time.", report.plan.faults.label()),
                )
            } else {
                (
                    Verdict::Differs,
                    "Packets per message differ from 1 / 2 / 4 on a clean network: look at the packet columns below.".to_string(),
                )
            }
        }
        None => (Verdict::NotMeasured, ALL_LEVELS.to_string()),
    };
    rows.push(ClaimRow {
        metric: "Exchanges per message (publisher hop · subscriber hop)",
        metric_zh: "消息交换次数",
        claims: ["1 (one way)", "2 (send + ack)", "4 (two round trips)"],
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
            "Simulated run: its times are the simulated links' delays. Run against a broker to measure them.".to_string(),
        ),
        Some(ls) => {
            let p50 = ls.map(|l| unloaded(l).map_or(f64::NAN, |p| p.p50));
            let done = unloaded_done(ls[2]).map_or(f64::NAN, |p| p.p50);
            let within = p50[0] < 1.0
                && (1.0..=2.0).contains(&p50[1])
                && (3.0..=5.0).contains(&p50[2]);
            (
                if within { Verdict::Agrees } else { Verdict::Differs },
                format!(
                    "One message at a time, the subscriber waited {} at QoS 0, {} at QoS 1 and {} at QoS 2, and the QoS 2 publisher was done after {}. The extra packets cost round trips of this network and this broker, not a fixed few milliseconds per level.",
                    ms(p50[0]), ms(p50[1]), ms(p50[2]), ms(done)
                ),
            )
        }
        None => (Verdict::NotMeasured, ALL_LEVELS.to_string()),
    };
    rows.push(ClaimRow {
        metric: "Minimum latency (median, one at a time: delivered; publisher done)",
        metric_zh: "最小延迟",
        claims: ["< 1 ms", "1–2 ms", "3–5 ms"],
        measured: per_level(report, |l| {
            let deliver = unloaded(l).map_or("–".to_string(), |p| ms(p.p50));
            match unloaded_done(l) {
                Some(c) => format!("{deliver}; done {}", ms(c.p50)),
                None => deliver,
            }
        }),
        verdict,
        why,
    });

    // Throughput.
    let (verdict, why) = match (levels, report.plan.rate) {
        _ if simulated => (
            Verdict::NotMeasured,
            "Simulated run: the simulated links carry any number of packets at once, so rates there say nothing about a network. Run against a broker to measure them.".to_string(),
        ),
        (_, Rate::PerSecond(r)) => (
            Verdict::NotMeasured,
            format!("The rate was fixed at {r} msg/s; run \"as fast as allowed\" to compare throughput."),
        ),
        (Some(ls), Rate::Max) => {
            let base = ls[0].throughput.max(f64::MIN_POSITIVE);
            let share = ls.map(|l| 100.0 * l.throughput / base);
            let close = (share[1] - 40.0).abs() <= 10.0 && (share[2] - 15.0).abs() <= 7.5;
            (
                if close { Verdict::Agrees } else { Verdict::Differs },
                format!(
                    "QoS 1 reached {:.0} % and QoS 2 {:.0} % of QoS 0's rate. Acknowledgements cost a wait, but up to {} messages are in flight at once, so the rate falls far less than the packet count rises.",
                    share[1], share[2], ls[1].max_in_flight.max(ls[2].max_in_flight)
                ),
            )
        }
        (None, _) => (Verdict::NotMeasured, ALL_LEVELS.to_string()),
    };
    let base = level(report, QoS::AtMostOnce).map(|l| l.throughput);
    rows.push(ClaimRow {
        metric: "Throughput",
        metric_zh: "吞吐量",
        claims: ["100 % (baseline)", "~40 %", "~15 %"],
        measured: per_level(report, |l| match base {
            Some(b) if b > 0.0 => format!(
                "{} msg/s ({:.0} %)",
                group(l.throughput.round() as u64),
                100.0 * l.throughput / b
            ),
            _ => format!("{} msg/s", group(l.throughput.round() as u64)),
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
                if ordered { Verdict::Agrees } else { Verdict::Differs },
                format!(
                    "The order holds, the size does not impress: on the publisher's hop QoS 1 adds {:.0} B and QoS 2 {:.0} B per message ({:+.1} % and {:+.1} % of a {:.0}-byte QoS 0 message).",
                    b[1] - b[0], b[2] - b[0],
                    100.0 * (b[1] - b[0]) / b[0].max(1.0),
                    100.0 * (b[2] - b[0]) / b[0].max(1.0),
                    b[0]
                ),
            )
        }
        None => (Verdict::NotMeasured, ALL_LEVELS.to_string()),
    };
    rows.push(ClaimRow {
        metric: "Bandwidth (bytes per message, publisher's hop)",
        metric_zh: "带宽开销",
        claims: ["lowest", "medium", "highest"],
        measured: per_level(report, |l| {
            format!("{:.1} B", l.bytes_per_message(Hop::Publisher))
        }),
        verdict,
        why,
    });

    // Publisher storage.
    let (verdict, why) = match levels {
        Some(ls) => (
            if ls[0].max_in_flight == 0 { Verdict::Agrees } else { Verdict::Differs },
            format!(
                "QoS 0 keeps nothing; QoS 1 and 2 keep each message until its last acknowledgement, at most {} at once here (the in-flight window), so the storage is bounded, not proportional to traffic.",
                ls[1].max_in_flight.max(ls[2].max_in_flight)
            ),
        ),
        None => (Verdict::NotMeasured, ALL_LEVELS.to_string()),
    };
    rows.push(ClaimRow {
        metric: "Publisher storage (most in flight)",
        metric_zh: "发布者存储",
        claims: ["none", "unacknowledged messages", "full handshake state"],
        measured: per_level(report, |l| format!("{} messages", l.max_in_flight)),
        verdict,
        why,
    });

    rows.push(ClaimRow {
        metric: "Broker storage",
        metric_zh: "Broker 存储",
        claims: ["none", "unacknowledged messages", "full handshake state"],
        measured: ["–", "–", "–"].map(String::from),
        verdict: Verdict::NotMeasured,
        why: "A client cannot see the broker's memory. The subscriber hop's packets show what the broker had to track.".to_string(),
    });

    // Duplicates.
    let (verdict, why) = match levels {
        Some(ls) if ls[2].duplicates == 0 && ls[1].duplicates > 0 => (
            Verdict::Agrees,
            format!(
                "QoS 1 delivered {} duplicates under {}; QoS 2 delivered none.",
                ls[1].duplicates,
                report.plan.faults.label()
            ),
        ),
        Some(ls) if ls[2].duplicates == 0 => (
            Verdict::Agrees,
            if faults {
                "No duplicates at either level this time: resends happened where nothing was lost twice.".to_string()
            } else {
                "No duplicates on a clean network. Run with loss or cuts to see QoS 1 duplicate and QoS 2 not.".to_string()
            },
        ),
        Some(ls) => (
            Verdict::Differs,
            format!(
                "QoS 2 delivered {} duplicates: that breaks exactly-once.",
                ls[2].duplicates
            ),
        ),
        None => (Verdict::NotMeasured, ALL_LEVELS.to_string()),
    };
    rows.push(ClaimRow {
        metric: "Duplicates (dedup guarantee)",
        metric_zh: "去重保证",
        claims: ["n/a", "no", "yes"],
        measured: per_level(report, |l| format!("{} duplicated", l.duplicates)),
        verdict,
        why,
    });

    // Suitable networks.
    let (verdict, why) = match levels {
        _ if !faults => (
            Verdict::NotMeasured,
            "A clean network tells nothing here: run with loss or cuts.".to_string(),
        ),
        Some(ls) if ls[1].lost == 0 && ls[2].lost == 0 && ls[2].duplicates == 0 => (
            Verdict::Differs,
            format!(
                "Under {}, QoS 1 lost nothing and only duplicated ({}): it suits unreliable networks too, where the receiver can tolerate or remove duplicates. QoS 0 lost {}.",
                report.plan.faults.label(), ls[1].duplicates, ls[0].lost
            ),
        ),
        Some(ls) => (
            Verdict::Differs,
            format!("Lost: QoS 0 {}, QoS 1 {}, QoS 2 {}.", ls[0].lost, ls[1].lost, ls[2].lost),
        ),
        None => (Verdict::NotMeasured, ALL_LEVELS.to_string()),
    };
    rows.push(ClaimRow {
        metric: "Suitable networks (lost · duplicated here)",
        metric_zh: "适用网络",
        claims: ["all", "reliable networks", "very unreliable networks"],
        measured: per_level(report, |l| {
            format!("{} lost · {} dup", l.lost, l.duplicates)
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
                if close { Verdict::Agrees } else { Verdict::Differs },
                format!(
                    "An acknowledgement is {ack:.0} bytes, not another copy of the message: QoS 2's three control packets add about {:.1} KB/s for 100 devices, not 300. The seed notes count each control packet as if it were 1 KB.",
                    kbs[2] - kbs[0]
                ),
            )
        }
        None => (Verdict::NotMeasured, ALL_LEVELS.to_string()),
    };
    rows.push(ClaimRow {
        metric: "100 devices × 1 KB/s (publisher's hop)",
        metric_zh: "100 个设备,每秒 1 条 1KB 消息",
        claims: ["~100 KB/s", "~150 KB/s", "~400 KB/s"],
        measured: per_level(report, |l| format!("{:.1} KB/s", device_traffic(report, l))),
        verdict,
        why,
    });

    rows.push(ClaimRow {
        metric: "CPU, one core",
        metric_zh: "CPU 使用率(单核)",
        claims: ["5 %", "15 %", "40 %"],
        measured: ["–", "–", "–"].map(String::from),
        verdict: Verdict::NotMeasured,
        why: "A browser cannot see the broker's CPU. The throughput row shows what each level costs in time on this broker.".to_string(),
    });
    rows
}
