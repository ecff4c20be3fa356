//! What the presenter asks the network to do wrong.
//!
//! The fault panel edits a [`FaultPlan`]; each change is also a
//! [`FaultIntent`] that the engine side turns into its own fault rules
//! (`mqtt::fault`), so the same buttons drive the simulation and a live
//! connection.

use serde::{Deserialize, Serialize};

use crate::i18n::{td_string, Locale};
use crate::mqtt::fault::{AddedLatency, FaultRules, Loss, TargetedRule};
use crate::mqtt::packet::PacketType;

/// Which hop a fault applies to.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
pub enum Hop {
    /// Between the publisher and the broker.
    #[default]
    PublisherBroker,
    /// Between the broker and the subscriber.
    BrokerSubscriber,
}

impl Hop {
    /// Words for the panel.
    pub fn label(self) -> &'static str {
        match self {
            Hop::PublisherBroker => "publisher ⇄ broker",
            Hop::BrokerSubscriber => "broker ⇄ subscriber",
        }
    }

    /// Words for the panel, in `locale`.
    pub fn label_in(self, locale: Locale) -> &'static str {
        match self {
            Hop::PublisherBroker => td_string!(locale, visualiser.faults.hop_publisher),
            Hop::BrokerSubscriber => td_string!(locale, visualiser.faults.hop_subscriber),
        }
    }
}

/// One request from the fault panel or a scenario step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FaultIntent {
    /// Lose the next packet of this type on this hop (once).
    DropNext {
        /// PUBACK, PUBREC, PUBREL or PUBCOMP (any type is accepted).
        kind: PacketType,
        /// Where.
        hop: Hop,
    },
    /// Close the connection on this hop now.
    CutConnection {
        /// Which connection.
        hop: Hop,
    },
    /// Lose this percentage of all packets, both hops (0 turns loss off).
    LossPercent(u8),
    /// Add this one-way latency, both hops, milliseconds.
    LatencyMs(u32),
}

impl FaultIntent {
    /// What the fault panel and scenario captions say about it.
    pub fn describe(&self) -> String {
        match self {
            FaultIntent::DropNext { kind, hop } => {
                format!("drop the next {} ({})", kind.name(), hop.label())
            }
            FaultIntent::CutConnection { hop } => format!("cut the connection ({})", hop.label()),
            FaultIntent::LossPercent(0) => "no random loss".to_string(),
            FaultIntent::LossPercent(p) => format!("lose {p}% of packets"),
            FaultIntent::LatencyMs(ms) => format!("add {ms} ms latency"),
        }
    }
}

/// The packets the panel offers to drop, in handshake order.
pub const DROPPABLE: [PacketType; 4] = [
    PacketType::Puback,
    PacketType::Pubrec,
    PacketType::Pubrel,
    PacketType::Pubcomp,
];

/// The faults currently armed, as the panel shows them.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FaultPlan {
    /// One-shot drops not yet used up.
    pub drop_next: Vec<(PacketType, Hop)>,
    /// Random loss, percent (0..=100).
    pub loss_percent: u8,
    /// Added one-way latency, milliseconds.
    pub latency_ms: u32,
}

impl FaultPlan {
    /// Apply one intent. Cutting a connection is an action, not a standing
    /// rule, so it leaves the plan as it is.
    pub fn apply(&mut self, intent: FaultIntent) {
        match intent {
            FaultIntent::DropNext { kind, hop } => {
                if !self.drop_next.contains(&(kind, hop)) {
                    self.drop_next.push((kind, hop));
                }
            }
            FaultIntent::CutConnection { .. } => {}
            FaultIntent::LossPercent(p) => self.loss_percent = p.min(100),
            FaultIntent::LatencyMs(ms) => self.latency_ms = ms,
        }
    }

    /// A one-shot drop was used up by the network.
    pub fn consumed(&mut self, kind: PacketType, hop: Hop) {
        self.drop_next.retain(|d| *d != (kind, hop));
    }

    /// True when a drop of `kind` on `hop` is armed.
    pub fn is_armed(&self, kind: PacketType, hop: Hop) -> bool {
        self.drop_next.contains(&(kind, hop))
    }

    /// The plan as intents, to re-arm a fresh engine.
    pub fn intents(&self) -> Vec<FaultIntent> {
        let mut out: Vec<FaultIntent> = self
            .drop_next
            .iter()
            .map(|&(kind, hop)| FaultIntent::DropNext { kind, hop })
            .collect();
        out.push(FaultIntent::LossPercent(self.loss_percent));
        out.push(FaultIntent::LatencyMs(self.latency_ms));
        out
    }
}

/// Fixed seed for the loss draws, so a scenario with loss replays identically.
pub const LOSS_SEED: u64 = 0x005E_ED0F_1055;

/// Apply `intent` to the fault rules of one client's link (`mqtt::fault`),
/// as both the simulation and a live transport judge packets with them.
/// Returns true for [`FaultIntent::CutConnection`], which is not a rule: the
/// caller cuts the connection itself.
pub fn apply_to_rules(intent: FaultIntent, rules: &mut FaultRules) -> bool {
    match intent {
        FaultIntent::DropNext { kind, .. } => {
            // On one hop each flow packet has a single sender, so "either way"
            // names exactly the packet the presenter means.
            rules.push(TargetedRule::DropNext {
                packet: kind,
                direction: None,
            });
        }
        FaultIntent::CutConnection { .. } => return true,
        FaultIntent::LossPercent(p) => {
            rules.loss = Loss {
                probability: f64::from(p.min(100)) / 100.0,
                direction: None,
                // Losing CONNECT or SUBACK strands a session in a way no QoS
                // retry rescues; the demo is about the QoS flows.
                spare_control_packets: true,
            };
            rules.reseed(LOSS_SEED);
        }
        FaultIntent::LatencyMs(ms) => {
            let ms = u64::from(ms);
            rules.latency = AddedLatency {
                client_to_broker_ms: ms,
                broker_to_client_ms: ms,
            };
        }
    }
    false
}
