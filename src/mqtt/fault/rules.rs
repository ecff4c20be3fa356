//! The parts of a rule set: one-shot rules aimed at a packet, random loss,
//! added latency, and the verdicts and causes they produce.

use serde::{Deserialize, Serialize};

use super::Direction;
use crate::mqtt::packet::PacketType;

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
    pub(super) fn targets(&self, direction: Direction, packet: PacketType) -> bool {
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
    pub(super) fn applies_to(&self, direction: Direction, packet: PacketType) -> bool {
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
    /// Let it through (after [`super::FaultRules::added_latency`]).
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
