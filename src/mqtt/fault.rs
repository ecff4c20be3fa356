//! Fault rules: what the network does to a packet between a session and its
//! transport.
//!
//! The same [`FaultRules`] value sits on the wire in both modes: in the
//! simulation ([`super::sim`]) it judges every packet on a link, and live the
//! browser driver asks it about every packet it sends or decodes. So "drop the
//! next PUBREC" looks the same against Mosquitto and against the built-in
//! broker.
//!
//! A rule set has three parts, judged in this order for each packet:
//! 1. one-shot [`TargetedRule`]s ("drop the next PUBREL to the broker", "cut
//!    the connection after 5 packets"), removed once they fire;
//! 2. a random [`Loss`] probability, drawn from a seeded [`SplitMix64`] so a
//!    run is replayed exactly from its seed (no `rand`, no clock);
//! 3. an [`AddedLatency`] per direction, for packets that are delivered.
//!
//! The whole set is serde-serialisable: the lab UI edits it as data.

use serde::{Deserialize, Serialize};

use super::packet::{Decoder, Packet, PacketType, ProtocolVersion};

/// Which way a packet travels on a client's link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Direction {
    /// From the client session to the broker.
    ClientToBroker,
    /// From the broker to the client session.
    BrokerToClient,
}

impl Direction {
    /// "client→broker" or "broker→client".
    pub fn label(self) -> &'static str {
        match self {
            Direction::ClientToBroker => "client→broker",
            Direction::BrokerToClient => "broker→client",
        }
    }
}

/// A one-shot rule aimed at a particular packet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum TargetedRule {
    /// Drop the next packet of this type travelling in `direction` (either
    /// way when `None`).
    DropNext {
        /// The packet type to drop, e.g. [`PacketType::Pubrec`].
        packet: PacketType,
        /// Only packets travelling this way; `None` matches both.
        direction: Option<Direction>,
    },
    /// Let `remaining` more packets through (both directions counted), then
    /// cut the connection at the next one, which is lost with it.
    CutAfter {
        /// Packets still allowed through before the cut.
        remaining: u32,
    },
    /// Cut the connection instead of delivering the next packet of this type.
    CutAtNext {
        /// The packet type whose arrival is prevented by the cut.
        packet: PacketType,
        /// Only packets travelling this way; `None` matches both.
        direction: Option<Direction>,
    },
}

impl TargetedRule {
    /// Drop the next `packet` travelling `direction`.
    pub fn drop_next(packet: PacketType, direction: Direction) -> Self {
        TargetedRule::DropNext {
            packet,
            direction: Some(direction),
        }
    }

    /// True when this rule is aimed at `packet` travelling `direction`.
    fn targets(&self, direction: Direction, packet: PacketType) -> bool {
        match self {
            TargetedRule::DropNext {
                packet: p,
                direction: d,
            }
            | TargetedRule::CutAtNext {
                packet: p,
                direction: d,
            } => *p == packet && d.is_none_or(|d| d == direction),
            TargetedRule::CutAfter { remaining } => *remaining == 0,
        }
    }

    /// A short human label for logs: "drop next PUBREC broker→client".
    pub fn label(&self) -> String {
        let way = |d: &Option<Direction>| d.map_or("either way", Direction::label);
        match self {
            TargetedRule::DropNext { packet, direction } => {
                format!("drop next {} {}", packet.name(), way(direction))
            }
            TargetedRule::CutAtNext { packet, direction } => {
                format!("cut at next {} {}", packet.name(), way(direction))
            }
            TargetedRule::CutAfter { remaining } => format!("cut after {remaining} more packets"),
        }
    }
}

/// Random loss: each packet travelling a matching direction is dropped with
/// `probability`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
pub struct Loss {
    /// 0.0 (never) ..= 1.0 (always).
    pub probability: f64,
    /// Only packets travelling this way; `None` matches both.
    pub direction: Option<Direction>,
    /// Spare the packets that set a connection up (CONNECT, CONNACK,
    /// SUBSCRIBE, SUBACK, UNSUBSCRIBE, UNSUBACK): losing them strands a
    /// session in a state no retry rescues, which hides the QoS behaviour a
    /// demo is about.
    pub spare_control_packets: bool,
}

impl Loss {
    fn applies_to(&self, direction: Direction, packet: PacketType) -> bool {
        use PacketType::*;
        let control = matches!(
            packet,
            Connect | Connack | Subscribe | Suback | Unsubscribe | Unsuback
        );
        self.probability > 0.0
            && self.direction.is_none_or(|d| d == direction)
            && !(self.spare_control_packets && control)
    }
}

/// Milliseconds added to every delivered packet, per direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct AddedLatency {
    /// Added to client→broker packets.
    pub client_to_broker_ms: u64,
    /// Added to broker→client packets.
    pub broker_to_client_ms: u64,
}

/// Why a packet did not arrive.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum FaultCause {
    /// A one-shot rule fired (it is no longer in the rule set).
    Rule(TargetedRule),
    /// The random loss draw hit.
    RandomLoss {
        /// The probability in force.
        probability: f64,
    },
    /// The connection was cut (by a rule or by the simulation's `cut`) while
    /// the packet was on its way.
    ConnectionCut,
}

impl FaultCause {
    /// A short human label for logs.
    pub fn label(&self) -> String {
        match self {
            FaultCause::Rule(rule) => rule.label(),
            FaultCause::RandomLoss { probability } => {
                format!("random loss ({:.0}%)", probability * 100.0)
            }
            FaultCause::ConnectionCut => "connection cut".to_string(),
        }
    }
}

/// The fate of one packet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[must_use]
pub enum Verdict {
    /// Let it through (after [`FaultRules::added_latency`]).
    Deliver,
    /// Lose it; the connection stays up.
    Drop {
        /// The rule or draw responsible.
        rule: FaultCause,
    },
    /// Lose it and close the connection: both ends see it closed.
    Cut {
        /// The rule responsible.
        rule: TargetedRule,
    },
}

/// SplitMix64: a tiny, fast, seedable PRNG (Steele, Lea & Flood 2014). Good
/// enough to decide packet loss and small enough to serialise with the rules,
/// so a lossy run replays exactly from its seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// A generator starting from `seed`.
    pub fn new(seed: u64) -> Self {
        SplitMix64 { state: seed }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform float in `[0, 1)`, from the top 53 bits.
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

impl Default for SplitMix64 {
    fn default() -> Self {
        SplitMix64::new(0x5EED)
    }
}

/// The fault rules on one client's link.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct FaultRules {
    /// One-shot rules, judged in order; the first that matches fires and is
    /// removed.
    pub rules: Vec<TargetedRule>,
    /// Random loss.
    pub loss: Loss,
    /// Added latency.
    pub latency: AddedLatency,
    /// The loss generator; reseed with [`FaultRules::reseed`].
    pub rng: SplitMix64,
}

impl FaultRules {
    /// No faults at all.
    pub fn none() -> Self {
        FaultRules::default()
    }

    /// Random loss of `probability` in both directions, drawn from `seed`.
    pub fn with_loss(probability: f64, seed: u64) -> Self {
        FaultRules {
            loss: Loss {
                probability,
                direction: None,
                spare_control_packets: false,
            },
            rng: SplitMix64::new(seed),
            ..FaultRules::default()
        }
    }

    /// Add a one-shot rule after the existing ones.
    pub fn push(&mut self, rule: TargetedRule) -> &mut Self {
        self.rules.push(rule);
        self
    }

    /// Restart the loss draws from `seed`.
    pub fn reseed(&mut self, seed: u64) {
        self.rng = SplitMix64::new(seed);
    }

    /// True when no rule, loss or latency is set.
    pub fn is_inert(&self) -> bool {
        self.rules.is_empty()
            && self.loss.probability <= 0.0
            && self.latency == AddedLatency::default()
    }

    /// Judge one packet travelling `direction`. One-shot rules that fire are
    /// consumed; every delivered packet counts down the `CutAfter` rules.
    pub fn decide(&mut self, direction: Direction, packet: &Packet) -> Verdict {
        let kind = packet.packet_type();
        if let Some(verdict) = self.fire_targeted(direction, kind) {
            return verdict;
        }
        if self.loss.applies_to(direction, kind) && self.rng.next_f64() < self.loss.probability {
            return Verdict::Drop {
                rule: FaultCause::RandomLoss {
                    probability: self.loss.probability,
                },
            };
        }
        self.count_down_cuts();
        Verdict::Deliver
    }

    /// Milliseconds to add to a delivered packet travelling `direction`.
    pub fn added_latency(&self, direction: Direction) -> u64 {
        match direction {
            Direction::ClientToBroker => self.latency.client_to_broker_ms,
            Direction::BrokerToClient => self.latency.broker_to_client_ms,
        }
    }

    fn fire_targeted(&mut self, direction: Direction, kind: PacketType) -> Option<Verdict> {
        let index = self.rules.iter().position(|r| r.targets(direction, kind))?;
        let rule = self.rules.remove(index);
        Some(match rule {
            TargetedRule::DropNext { .. } => Verdict::Drop {
                rule: FaultCause::Rule(rule),
            },
            TargetedRule::CutAfter { .. } | TargetedRule::CutAtNext { .. } => Verdict::Cut { rule },
        })
    }

    fn count_down_cuts(&mut self) {
        for rule in &mut self.rules {
            if let TargetedRule::CutAfter { remaining } = rule {
                *remaining = remaining.saturating_sub(1);
            }
        }
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mqtt::packet::{PubResponse, Publish, QoS};

    fn pubrec(id: u16) -> Packet {
        Packet::Pubrec(PubResponse {
            packet_id: id,
            ..PubResponse::default()
        })
    }

    fn publish() -> Packet {
        Packet::Publish(Publish {
            qos: QoS::ExactlyOnce,
            topic: "a".into(),
            packet_id: Some(1),
            ..Publish::default()
        })
    }

    #[test]
    fn drop_next_pubrec_drops_exactly_one_pubrec_in_its_direction() {
        let mut rules = FaultRules::none();
        rules.push(TargetedRule::drop_next(
            PacketType::Pubrec,
            Direction::BrokerToClient,
        ));
        assert_eq!(
            rules.decide(Direction::ClientToBroker, &pubrec(1)),
            Verdict::Deliver
        );
        assert_eq!(
            rules.decide(Direction::BrokerToClient, &publish()),
            Verdict::Deliver
        );
        assert!(matches!(
            rules.decide(Direction::BrokerToClient, &pubrec(1)),
            Verdict::Drop {
                rule: FaultCause::Rule(TargetedRule::DropNext {
                    packet: PacketType::Pubrec,
                    ..
                })
            }
        ));
        assert_eq!(
            rules.decide(Direction::BrokerToClient, &pubrec(1)),
            Verdict::Deliver
        );
        assert!(rules.rules.is_empty());
    }

    #[test]
    fn cut_after_two_packets_lets_two_through_then_cuts_the_third() {
        let mut rules = FaultRules::none();
        rules.push(TargetedRule::CutAfter { remaining: 2 });
        assert_eq!(
            rules.decide(Direction::ClientToBroker, &publish()),
            Verdict::Deliver
        );
        assert_eq!(
            rules.decide(Direction::BrokerToClient, &pubrec(1)),
            Verdict::Deliver
        );
        assert!(matches!(
            rules.decide(Direction::ClientToBroker, &publish()),
            Verdict::Cut { .. }
        ));
        assert_eq!(
            rules.decide(Direction::ClientToBroker, &publish()),
            Verdict::Deliver
        );
    }

    #[test]
    fn cut_at_next_pubrel_cuts_instead_of_delivering_it() {
        let mut rules = FaultRules::none();
        rules.push(TargetedRule::CutAtNext {
            packet: PacketType::Pubrel,
            direction: None,
        });
        assert_eq!(
            rules.decide(Direction::ClientToBroker, &publish()),
            Verdict::Deliver
        );
        let pubrel = Packet::Pubrel(PubResponse::default());
        assert!(matches!(
            rules.decide(Direction::ClientToBroker, &pubrel),
            Verdict::Cut { .. }
        ));
    }

    #[test]
    fn loss_is_deterministic_for_a_seed_and_close_to_its_probability() {
        let run = |seed| {
            let mut rules = FaultRules::with_loss(0.2, seed);
            (0..10_000)
                .map(|_| rules.decide(Direction::ClientToBroker, &publish()) != Verdict::Deliver)
                .collect::<Vec<bool>>()
        };
        let first = run(7);
        assert_eq!(first, run(7));
        assert_ne!(first, run(8));
        let dropped = first.iter().filter(|d| **d).count();
        assert!(
            (1_700..2_300).contains(&dropped),
            "dropped {dropped} of 10000 at 20%"
        );
    }

    #[test]
    fn loss_can_spare_control_packets_and_one_direction() {
        let mut rules = FaultRules::with_loss(1.0, 1);
        rules.loss.spare_control_packets = true;
        rules.loss.direction = Some(Direction::BrokerToClient);
        let suback = Packet::Suback(Default::default());
        assert_eq!(
            rules.decide(Direction::BrokerToClient, &suback),
            Verdict::Deliver
        );
        assert_eq!(
            rules.decide(Direction::ClientToBroker, &publish()),
            Verdict::Deliver
        );
        assert_ne!(
            rules.decide(Direction::BrokerToClient, &publish()),
            Verdict::Deliver
        );
    }

    #[test]
    fn added_latency_is_per_direction() {
        let mut rules = FaultRules::none();
        rules.latency.client_to_broker_ms = 30;
        rules.latency.broker_to_client_ms = 5;
        assert_eq!(rules.added_latency(Direction::ClientToBroker), 30);
        assert_eq!(rules.added_latency(Direction::BrokerToClient), 5);
        assert!(!rules.is_inert());
    }

    #[test]
    fn rule_set_round_trips_through_json_with_its_generator_state() {
        let mut rules = FaultRules::with_loss(0.5, 42);
        rules.push(TargetedRule::CutAfter { remaining: 3 });
        let _ = rules.decide(Direction::ClientToBroker, &publish());
        let json = serde_json::to_string(&rules).expect("serialises");
        let mut back: FaultRules = serde_json::from_str(&json).expect("deserialises");
        assert_eq!(back, rules);
        assert_eq!(
            back.decide(Direction::ClientToBroker, &publish()),
            rules.decide(Direction::ClientToBroker, &publish())
        );
    }

    fn bytes(packet: &Packet) -> Vec<u8> {
        packet.to_bytes(ProtocolVersion::V311).expect("encodes")
    }

    #[test]
    fn a_wire_judges_each_packet_of_a_frame_and_keeps_a_split_one_for_the_next() {
        let mut wire = FaultyWire::new(FaultRules::none());
        wire.rules_mut().push(TargetedRule::drop_next(
            PacketType::Pubrec,
            Direction::BrokerToClient,
        ));
        let frame = [bytes(&pubrec(1)), bytes(&pubrec(2)), bytes(&publish())].concat();
        let (head, tail) = frame.split_at(frame.len() - 3);
        let first = wire.judge_frame(10, ProtocolVersion::V311, Direction::BrokerToClient, head);
        assert_eq!(first.dropped.len(), 1, "the first PUBREC is lost");
        assert_eq!(
            first.deliver,
            vec![bytes(&pubrec(2))],
            "the second goes through"
        );
        let second = wire.judge_frame(11, ProtocolVersion::V311, Direction::BrokerToClient, tail);
        assert_eq!(
            second.deliver,
            vec![bytes(&publish())],
            "the split PUBLISH, whole"
        );

        // A new connection does not inherit half a packet from the last.
        wire.judge_frame(12, ProtocolVersion::V311, Direction::BrokerToClient, head);
        wire.reset();
        let fresh = wire.judge_frame(
            13,
            ProtocolVersion::V311,
            Direction::BrokerToClient,
            &bytes(&pubrec(3)),
        );
        assert_eq!(fresh.deliver, vec![bytes(&pubrec(3))]);
    }

    #[test]
    fn a_wire_is_fifo_whatever_its_latency_does() {
        let mut wire = FaultyWire::new(FaultRules::none());
        wire.rules_mut().latency.client_to_broker_ms = 500;
        let slow = wire.judge(0, 10, Direction::ClientToBroker, &publish());
        assert_eq!((slow.verdict, slow.arrive_at), (Verdict::Deliver, 510));
        wire.rules_mut().latency.client_to_broker_ms = 0;
        let next = wire.judge(100, 10, Direction::ClientToBroker, &publish());
        assert_eq!(next.arrive_at, 510, "never before what was sent earlier");
        let other_way = wire.judge(100, 10, Direction::BrokerToClient, &pubrec(1));
        assert_eq!(other_way.arrive_at, 110, "each direction has its own queue");
        assert_eq!(wire.arrival(600, 10, Direction::ClientToBroker, true), 610);
    }
}
