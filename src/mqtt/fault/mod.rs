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
//!
//! Modules: `rules` (the one-shot rules, loss, latency, and what they decide),
//! `random` (the seeded generator), `faulty_wire` (a link's rules and FIFO
//! clock, packet by packet or frame by frame).

mod faulty_wire;
mod random;
mod rules;
#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

use super::packet::{Packet, PacketType};

pub use faulty_wire::{FaultyWire, Judged, JudgedFrame};
pub use random::SplitMix64;
pub use rules::{AddedLatency, FaultCause, Loss, TargetedRule, Verdict};

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
