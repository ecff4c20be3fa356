//! Codec throughput: encode and decode of a mix of packets (PUBLISH QoS 0/1/2
//! with 64-byte and 1 KiB payloads, PUBACK, PUBREC, PUBREL, PUBCOMP), ours
//! against the peer codec `mqtt-protocol-core` doing the same work in the
//! same run. Prints a table of packets/s, MB/s and the ratio ours/peer.
//!
//! Run: `cargo bench --bench codec`. Nothing here fails on a time.

#[cfg(not(target_arch = "wasm32"))]
#[path = "../tests/peer/mod.rs"]
mod peer;

#[cfg(not(target_arch = "wasm32"))]
mod bench {
    use std::hint::black_box;
    use std::time::{Duration, Instant};

    use super::peer::{ours_to_peer, split_with_peer, PeerPacket};
    use qoscope::mqtt::packet::*;

    /// Length of one timed slice; each side gets SLICES of them, interleaved.
    const SLICE: Duration = Duration::from_millis(60);
    const SLICES: usize = 5;

    struct Case {
        name: String,
        packets: Vec<Packet>,
    }

    fn publish(qos: QoS, payload: usize) -> Packet {
        Packet::Publish(Publish {
            qos,
            packet_id: (qos != QoS::AtMostOnce).then_some(42),
            topic: "plant/line1/inventory/count".into(),
            payload: vec![b'x'; payload],
            ..Default::default()
        })
    }

    fn cases() -> Vec<Case> {
        let ack = PubResponse {
            packet_id: 42,
            ..Default::default()
        };
        let mut cases: Vec<Case> = Vec::new();
        for (label, size) in [("64 B", 64), ("1 KiB", 1024)] {
            for (q, qos) in [
                (0, QoS::AtMostOnce),
                (1, QoS::AtLeastOnce),
                (2, QoS::ExactlyOnce),
            ] {
                cases.push(Case {
                    name: format!("PUBLISH QoS {q} {label}"),
                    packets: vec![publish(qos, size)],
                });
            }
        }
        let acks = [
            ("PUBACK", Packet::Puback(ack.clone())),
            ("PUBREC", Packet::Pubrec(ack.clone())),
            ("PUBREL", Packet::Pubrel(ack.clone())),
            ("PUBCOMP", Packet::Pubcomp(ack)),
        ];
        for (name, p) in acks {
            cases.push(Case {
                name: name.into(),
                packets: vec![p],
            });
        }
        let mix = cases.iter().flat_map(|c| c.packets.clone()).collect();
        cases.push(Case {
            name: "mix of all above".into(),
            packets: mix,
        });
        cases
    }

    /// Rounds of `work` per second over one SLICE.
    fn rounds_per_sec(work: &mut impl FnMut()) -> f64 {
        let (start, mut rounds) = (Instant::now(), 0u64);
        while start.elapsed() < SLICE {
            for _ in 0..64 {
                work();
            }
            rounds += 64;
        }
        rounds as f64 / start.elapsed().as_secs_f64()
    }

    /// Times `ours` and `peer` in alternating slices and keeps each side's
    /// best slice, so a burst of load on the machine hits both alike and
    /// cannot decide the ratio. Each closure handles `packets` packets of
    /// `bytes` bytes in all: ((packets/s, MB/s) ours, (packets/s, MB/s) peer).
    fn measure_pair(
        packets: usize,
        bytes: usize,
        mut ours: impl FnMut(),
        mut peer: impl FnMut(),
    ) -> ((f64, f64), (f64, f64)) {
        for _ in 0..100 {
            ours(); // warm up caches and allocator
            peer();
        }
        let (mut best_ours, mut best_peer) = (0f64, 0f64);
        for _ in 0..SLICES {
            best_ours = best_ours.max(rounds_per_sec(&mut ours));
            best_peer = best_peer.max(rounds_per_sec(&mut peer));
        }
        let rates = |r: f64| (r * packets as f64, r * bytes as f64 / 1e6);
        (rates(best_ours), rates(best_peer))
    }

    struct Row {
        version: &'static str,
        case: String,
        op: &'static str,
        ours: (f64, f64),
        peer: (f64, f64),
    }

    fn run_case(case: &Case, version: ProtocolVersion) -> [Row; 2] {
        let encoded: Vec<Vec<u8>> = case
            .packets
            .iter()
            .map(|p| p.to_bytes(version).expect("encodes"))
            .collect();
        let peer: Vec<PeerPacket> = case
            .packets
            .iter()
            .map(|p| ours_to_peer(p, version).expect("peer builds"))
            .collect();
        assert_eq!(
            peer.iter().map(PeerPacket::to_bytes).collect::<Vec<_>>(),
            encoded,
            "same bytes on both sides"
        );
        let (n, bytes) = (
            case.packets.len(),
            encoded.iter().map(Vec::len).sum::<usize>(),
        );

        let (enc_ours, enc_peer) = measure_pair(
            n,
            bytes,
            || {
                for p in &case.packets {
                    black_box(black_box(p).to_bytes(version).ok());
                }
            },
            || {
                for p in &peer {
                    black_box(black_box(p).to_bytes());
                }
            },
        );
        let (dec_ours, dec_peer) = measure_pair(
            n,
            bytes,
            || {
                for b in &encoded {
                    black_box(decode(black_box(b), version, None).ok());
                }
            },
            || {
                for b in &encoded {
                    let (raw, _) = split_with_peer(black_box(b)).expect("frames");
                    black_box(PeerPacket::parse(&raw, version).ok());
                }
            },
        );
        let v = version.label();
        [
            Row {
                version: v,
                case: case.name.clone(),
                op: "encode",
                ours: enc_ours,
                peer: enc_peer,
            },
            Row {
                version: v,
                case: case.name.clone(),
                op: "decode",
                ours: dec_ours,
                peer: dec_peer,
            },
        ]
    }

    fn print(rows: &[Row]) {
        println!(
            "{:<5} {:<20} {:<6} {:>13} {:>9} {:>13} {:>9} {:>9}",
            "MQTT",
            "packet",
            "op",
            "ours pkt/s",
            "ours MB/s",
            "peer pkt/s",
            "peer MB/s",
            "ours/peer"
        );
        for r in rows {
            println!(
                "{:<5} {:<20} {:<6} {:>13.0} {:>9.1} {:>13.0} {:>9.1} {:>8.2}x",
                r.version,
                r.case,
                r.op,
                r.ours.0,
                r.ours.1,
                r.peer.0,
                r.peer.1,
                r.ours.0 / r.peer.0
            );
        }
    }

    pub fn run() {
        println!(
            "MQTT codec throughput: qoscope vs mqtt-protocol-core 0.7, same run, same packets"
        );
        println!(
            "(encode: packet -> contiguous bytes; decode: bytes -> owned packet; higher is better;"
        );
        println!(
            " best of {SLICES} interleaved {} ms slices per side)\n",
            SLICE.as_millis()
        );
        let mut rows = Vec::new();
        for version in [ProtocolVersion::V311, ProtocolVersion::V5] {
            for case in cases() {
                rows.extend(run_case(&case, version));
            }
        }
        print(&rows);
    }
}

fn main() {
    #[cfg(not(target_arch = "wasm32"))]
    bench::run();
}
