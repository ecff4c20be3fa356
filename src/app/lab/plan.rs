//! What a lab run does: how many messages, how big, how fast, over which
//! faults, and the numbered payloads that let the subscriber tell a lost
//! message from a duplicate.

use serde::{Deserialize, Serialize};

use crate::i18n::{td_string, Locale};
use crate::mqtt::packet::QoS;

/// The most messages one level may send: enough for stable percentiles, few
/// enough that the per-message tables stay small (a few hundred KB).
pub const MAX_MESSAGES: u32 = 100_000;
/// The smallest payload: it must hold the message's number ("q2 #000123 ").
pub const MIN_PAYLOAD: u32 = 16;
/// The largest payload (Mosquitto's WebSocket listener is slow beyond this).
pub const MAX_PAYLOAD: u32 = 64 * 1024;
/// The highest loss a level can still finish under in reasonable time.
pub const MAX_LOSS_PERCENT: u8 = 50;

/// How fast the publisher sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Rate {
    /// As fast as the broker's limits allow: a new message whenever the
    /// in-flight window has room.
    Max,
    /// A steady number of messages per second.
    PerSecond(u32),
}

/// What goes wrong on the links while a level runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FaultProfile {
    /// A clean network.
    None,
    /// Each packet of a QoS flow is lost with this probability (in percent).
    Loss {
        /// 1 ..= [`MAX_LOSS_PERCENT`].
        percent: u8,
    },
    /// The connection is cut every `seconds`, the publisher's and the
    /// subscriber's in turn; each reconnects at once.
    CutEvery {
        /// Seconds between cuts.
        seconds: u32,
    },
    /// Both: a lossy link that is also cut every `seconds`.
    LossAndCuts {
        /// 1 ..= [`MAX_LOSS_PERCENT`].
        percent: u8,
        /// Seconds between cuts.
        seconds: u32,
    },
}

impl FaultProfile {
    /// "none", "5 % loss", "cut every 2 s".
    pub fn label(self) -> String {
        self.label_in(Locale::en)
    }

    /// The profile in words, in `locale`.
    pub fn label_in(self, locale: Locale) -> String {
        match self {
            FaultProfile::None => td_string!(locale, lab.faults.none).to_string(),
            FaultProfile::Loss { percent } => {
                td_string!(locale, lab.faults.loss, percent).to_string()
            }
            FaultProfile::CutEvery { seconds } => {
                td_string!(locale, lab.faults.cut, seconds).to_string()
            }
            FaultProfile::LossAndCuts { percent, seconds } => {
                td_string!(locale, lab.faults.loss_cut, percent, seconds).to_string()
            }
        }
    }

    /// The loss in percent, if the profile loses packets.
    pub fn loss_percent(self) -> Option<u8> {
        match self {
            FaultProfile::Loss { percent } | FaultProfile::LossAndCuts { percent, .. } => {
                Some(percent)
            }
            _ => None,
        }
    }

    /// The seconds between cuts, if the profile cuts the link.
    pub fn cut_seconds(self) -> Option<u32> {
        match self {
            FaultProfile::CutEvery { seconds } | FaultProfile::LossAndCuts { seconds, .. } => {
                Some(seconds)
            }
            _ => None,
        }
    }
}

/// One lab run: the same workload at each level in `levels`, in turn.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabPlan {
    /// Messages per level.
    pub messages: u32,
    /// Payload bytes per message.
    pub payload_bytes: u32,
    /// Publishing rate.
    pub rate: Rate,
    /// Faults on the links.
    pub faults: FaultProfile,
    /// The levels to measure, in order.
    pub levels: Vec<QoS>,
    /// Seeds the loss draws, so a simulated run replays exactly.
    pub seed: u64,
}

impl Default for LabPlan {
    fn default() -> Self {
        LabPlan {
            messages: 1_000,
            payload_bytes: 64,
            rate: Rate::Max,
            faults: FaultProfile::None,
            levels: vec![QoS::AtMostOnce, QoS::AtLeastOnce, QoS::ExactlyOnce],
            seed: 0x1AB,
        }
    }
}

/// Why a plan cannot run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanError {
    /// Messages per level outside 1 ..= [`MAX_MESSAGES`].
    Messages,
    /// Payload outside [`MIN_PAYLOAD`] ..= [`MAX_PAYLOAD`].
    Payload,
    /// A steady rate of 0.
    RateZero,
    /// Loss outside 1 ..= [`MAX_LOSS_PERCENT`].
    Loss,
    /// Cuts 0 seconds apart.
    CutZero,
    /// No level chosen.
    NoLevel,
}

impl PlanError {
    /// The problem in words for the form, in `locale`.
    pub fn text_in(self, locale: Locale) -> String {
        match self {
            PlanError::Messages => {
                td_string!(locale, lab.errors.messages_range, max = MAX_MESSAGES).to_string()
            }
            PlanError::Payload => td_string!(
                locale,
                lab.errors.payload_range,
                min = MIN_PAYLOAD,
                max = MAX_PAYLOAD
            )
            .to_string(),
            PlanError::RateZero => td_string!(locale, lab.errors.rate_zero).to_string(),
            PlanError::Loss => {
                td_string!(locale, lab.errors.loss_range, max = MAX_LOSS_PERCENT).to_string()
            }
            PlanError::CutZero => td_string!(locale, lab.errors.cut_zero).to_string(),
            PlanError::NoLevel => td_string!(locale, lab.errors.no_level).to_string(),
        }
    }
}

impl LabPlan {
    /// Why the plan cannot run, in words for the form; `Ok` when it can.
    pub fn validate(&self) -> Result<(), String> {
        self.check().map_err(|e| e.text_in(Locale::en))
    }

    /// Why the plan cannot run; `Ok` when it can.
    pub fn check(&self) -> Result<(), PlanError> {
        if self.messages == 0 || self.messages > MAX_MESSAGES {
            return Err(PlanError::Messages);
        }
        if !(MIN_PAYLOAD..=MAX_PAYLOAD).contains(&self.payload_bytes) {
            return Err(PlanError::Payload);
        }
        if let Rate::PerSecond(0) = self.rate {
            return Err(PlanError::RateZero);
        }
        if self
            .faults
            .loss_percent()
            .is_some_and(|p| p == 0 || p > MAX_LOSS_PERCENT)
        {
            return Err(PlanError::Loss);
        }
        if self.faults.cut_seconds() == Some(0) {
            return Err(PlanError::CutZero);
        }
        if self.levels.is_empty() {
            return Err(PlanError::NoLevel);
        }
        Ok(())
    }
}

/// The payload of message `seq` at `qos`: its number first, in text a person
/// reading `mosquitto_sub` can follow, then filler up to `size` bytes.
pub fn payload(qos: QoS, seq: u32, size: u32) -> Vec<u8> {
    const FILLER: &[u8] = b"QoScope lab message. ";
    let mut out = format!("q{} #{seq:06} ", qos.as_u8()).into_bytes();
    let size = size as usize;
    while out.len() < size {
        let take = (size - out.len()).min(FILLER.len());
        out.extend_from_slice(&FILLER[..take]);
    }
    out.truncate(size.max(MIN_PAYLOAD as usize));
    out
}

/// The level and number a lab payload carries; `None` for any other payload.
pub fn parse_payload(payload: &[u8]) -> Option<(QoS, u32)> {
    let rest = payload.strip_prefix(b"q")?;
    let qos = QoS::from_u8(rest.first()?.checked_sub(b'0')?)?;
    let rest = rest.get(1..)?.strip_prefix(b" #")?;
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 || digits > 9 {
        return None;
    }
    let seq = std::str::from_utf8(&rest[..digits]).ok()?.parse().ok()?;
    Some((qos, seq))
}

/// The stock movement message `seq` stands for in the inventory demo: 1 to 9
/// units, so a counter that counts a message twice is visibly wrong.
pub fn stock_delta(seq: u32) -> i64 {
    i64::from(seq % 9 + 1)
}
