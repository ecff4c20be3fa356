//! One link's fault rules with its FIFO clock, judging packets one by one
//! (the simulation) or whole transport frames (the browser driver).

use super::{Direction, FaultCause, FaultRules, Verdict};
use crate::mqtt::packet::{Decoder, Packet, ProtocolVersion};

/// One link's fault rules and its FIFO clock: what both the simulation and
/// the browser's WebSocket driver put between a session and its transport,
/// so "drop the next PUBREC" and added latency behave the same in both.
#[derive(Debug, Clone)]
pub struct FaultyWire {
    rules: FaultRules,
    /// When the last delivered packet arrives, per direction: links are FIFO,
    /// as TCP is, so a packet never overtakes one sent before it.
    last_arrival: [u64; 2],
    /// Splits a transport's frames into packets to judge one by one.
    decoder: Option<Decoder>,
}

/// What the wire does with one packet.
#[derive(Debug, Clone, PartialEq)]
pub struct Judged {
    /// Delivered, lost, or lost and the connection cut.
    pub verdict: Verdict,
    /// When it arrives if delivered: never before an earlier packet.
    pub arrive_at: u64,
}

/// What the wire does with one frame of bytes: the whole packets it lets
/// through, in order, and the ones it loses.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct JudgedFrame {
    /// Raw bytes of each packet delivered (and, last, anything that did not
    /// decode, for the session to report in its own words).
    pub deliver: Vec<Vec<u8>>,
    /// Packets lost, with their bytes and the rule or draw that lost them.
    pub dropped: Vec<(Packet, Vec<u8>, FaultCause)>,
    /// A rule cut the connection (packets after it in the frame are lost with it).
    pub cut: bool,
    /// When the delivered packets arrive.
    pub arrive_at: u64,
}

impl FaultyWire {
    /// A wire with `rules` and no traffic yet.
    pub fn new(rules: FaultRules) -> Self {
        FaultyWire {
            rules,
            last_arrival: [0; 2],
            decoder: None,
        }
    }

    /// The rules.
    pub fn rules(&self) -> &FaultRules {
        &self.rules
    }

    /// The rules, to arm or change.
    pub fn rules_mut(&mut self) -> &mut FaultRules {
        &mut self.rules
    }

    /// A new connection on this wire: nothing of the last one's bytes (a
    /// packet cut in half) or timing carries over. The rules stay.
    pub fn reset(&mut self) {
        self.last_arrival = [0; 2];
        self.decoder = None;
    }

    /// Judges one packet sent at `now` over a link whose own latency is
    /// `base_ms`: the rules' verdict and, if delivered, its arrival.
    pub fn judge(
        &mut self,
        now: u64,
        base_ms: u64,
        direction: Direction,
        packet: &Packet,
    ) -> Judged {
        let verdict = self.rules.decide(direction, packet);
        let arrive_at = self.arrival(now, base_ms, direction, verdict == Verdict::Deliver);
        Judged { verdict, arrive_at }
    }

    /// When something sent at `now` arrives (latency plus added latency,
    /// never before what was sent earlier); with `delivered`, later sends
    /// queue behind it. For what the rules do not judge, such as the close
    /// of the connection, which arrives after the data on its way.
    pub fn arrival(
        &mut self,
        now: u64,
        base_ms: u64,
        direction: Direction,
        delivered: bool,
    ) -> u64 {
        let slot = match direction {
            Direction::ClientToBroker => 0,
            Direction::BrokerToClient => 1,
        };
        let arrive_at =
            (now + base_ms + self.rules.added_latency(direction)).max(self.last_arrival[slot]);
        if delivered {
            self.last_arrival[slot] = arrive_at;
        }
        arrive_at
    }

    /// Judges every whole packet in `bytes` (a transport frame, which may
    /// hold several packets or part of one) travelling `direction` at `now`.
    pub fn judge_frame(
        &mut self,
        now: u64,
        version: ProtocolVersion,
        direction: Direction,
        bytes: &[u8],
    ) -> JudgedFrame {
        let mut decoder = self
            .decoder
            .take()
            .unwrap_or_else(|| Decoder::new(version, None));
        decoder.feed(bytes);
        let mut frame = JudgedFrame {
            arrive_at: now,
            ..Default::default()
        };
        loop {
            match decoder.next_packet() {
                Ok(Some((packet, raw))) => {
                    let judged = self.judge(now, 0, direction, &packet);
                    match judged.verdict {
                        Verdict::Deliver => {
                            frame.arrive_at = judged.arrive_at;
                            frame.deliver.push(raw);
                        }
                        Verdict::Drop { rule } => frame.dropped.push((packet, raw, rule)),
                        Verdict::Cut { rule } => {
                            frame.dropped.push((packet, raw, FaultCause::Rule(rule)));
                            frame.cut = true;
                            break;
                        }
                    }
                }
                Ok(None) => break,
                Err(_) => {
                    // Not the wire's to judge: the session reads the same
                    // bytes and reports the malformed packet itself.
                    frame.deliver.push(decoder.pending().to_vec());
                    decoder.clear();
                    break;
                }
            }
        }
        self.decoder = Some(decoder);
        frame
    }
}
