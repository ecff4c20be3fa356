//! The lab's workload form as the user types it, and the plan it makes.

use crate::i18n::{td_string, Locale};
use crate::mqtt::packet::QoS;

use super::plan::{FaultProfile, LabPlan, PlanError, Rate};

/// Where the lab runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LabTarget {
    /// The broker of the connection form, with two lab clients of its own.
    Broker,
    /// The built-in simulated broker, offline.
    Simulated,
}

/// Which fault profile the form shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultKind {
    /// A clean network.
    None,
    /// Random loss on the publisher's link.
    Loss,
    /// Cut a link every N seconds.
    Cut,
    /// Both.
    LossAndCut,
}

impl FaultKind {
    /// The `<select>` value.
    pub fn key(self) -> &'static str {
        match self {
            FaultKind::None => "none",
            FaultKind::Loss => "loss",
            FaultKind::Cut => "cut",
            FaultKind::LossAndCut => "loss-cut",
        }
    }

    /// From a `<select>` value.
    pub fn from_key(key: &str) -> Self {
        match key {
            "loss" => FaultKind::Loss,
            "cut" => FaultKind::Cut,
            "loss-cut" => FaultKind::LossAndCut,
            _ => FaultKind::None,
        }
    }
}

/// The form's fields, as typed.
#[derive(Debug, Clone, PartialEq)]
pub struct LabForm {
    /// Where to run.
    pub target: LabTarget,
    /// Messages per level.
    pub messages: String,
    /// Payload bytes.
    pub payload_bytes: String,
    /// Publish as fast as the window allows.
    pub max_rate: bool,
    /// Messages per second when not.
    pub rate: String,
    /// Fault profile.
    pub fault: FaultKind,
    /// Loss in percent.
    pub loss_percent: String,
    /// Seconds between cuts.
    pub cut_seconds: String,
    /// Measure QoS 0, 1, 2 (in that order).
    pub levels: [bool; 3],
}

impl Default for LabForm {
    fn default() -> Self {
        LabForm {
            target: LabTarget::Broker,
            messages: "1000".into(),
            payload_bytes: "64".into(),
            max_rate: true,
            rate: "500".into(),
            fault: FaultKind::None,
            loss_percent: "10".into(),
            cut_seconds: "2".into(),
            levels: [true; 3],
        }
    }
}

/// A field of the form that takes a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// Messages per level.
    Messages,
    /// Payload size.
    Payload,
    /// Messages per second.
    Rate,
    /// Loss in percent.
    Loss,
    /// Seconds between cuts.
    CutSeconds,
}

impl Field {
    /// The field's name at the start of a sentence, in `locale`.
    pub fn name_in(self, locale: Locale) -> &'static str {
        match self {
            Field::Messages => td_string!(locale, lab.errors.field_messages),
            Field::Payload => td_string!(locale, lab.errors.field_payload),
            Field::Rate => td_string!(locale, lab.errors.field_rate),
            Field::Loss => td_string!(locale, lab.errors.field_loss),
            Field::CutSeconds => td_string!(locale, lab.errors.field_cut),
        }
    }
}

/// Why the form does not describe a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormError {
    /// A field is not a whole number.
    NotANumber(Field),
    /// The numbers make a plan that cannot run.
    Plan(PlanError),
}

impl FormError {
    /// The problem in words, in `locale`.
    pub fn text_in(self, locale: Locale) -> String {
        match self {
            FormError::NotANumber(field) => td_string!(
                locale,
                lab.errors.whole_number,
                field = field.name_in(locale)
            )
            .to_string(),
            FormError::Plan(e) => e.text_in(locale),
        }
    }
}

fn number<T: std::str::FromStr>(text: &str, field: Field) -> Result<T, FormError> {
    text.trim()
        .replace([',', '_', ' '], "")
        .parse()
        .map_err(|_| FormError::NotANumber(field))
}

impl LabForm {
    /// The plan the form describes, or its first problem.
    pub fn plan(&self) -> Result<LabPlan, FormError> {
        let levels: Vec<QoS> = [QoS::AtMostOnce, QoS::AtLeastOnce, QoS::ExactlyOnce]
            .into_iter()
            .zip(self.levels)
            .filter_map(|(q, on)| on.then_some(q))
            .collect();
        let plan = LabPlan {
            messages: number(&self.messages, Field::Messages)?,
            payload_bytes: number(&self.payload_bytes, Field::Payload)?,
            rate: if self.max_rate {
                Rate::Max
            } else {
                Rate::PerSecond(number(&self.rate, Field::Rate)?)
            },
            faults: match self.fault {
                FaultKind::None => FaultProfile::None,
                FaultKind::Loss => FaultProfile::Loss {
                    percent: number(&self.loss_percent, Field::Loss)?,
                },
                FaultKind::Cut => FaultProfile::CutEvery {
                    seconds: number(&self.cut_seconds, Field::CutSeconds)?,
                },
                FaultKind::LossAndCut => FaultProfile::LossAndCuts {
                    percent: number(&self.loss_percent, Field::Loss)?,
                    seconds: number(&self.cut_seconds, Field::CutSeconds)?,
                },
            },
            levels,
            ..LabPlan::default()
        };
        plan.check().map_err(FormError::Plan)?;
        Ok(plan)
    }

    /// The form for a plan (a preset, or a loaded run's workload).
    pub fn from_plan(plan: &LabPlan, target: LabTarget) -> Self {
        let defaults = LabForm::default();
        let has = |q: QoS| plan.levels.contains(&q);
        LabForm {
            target,
            messages: plan.messages.to_string(),
            payload_bytes: plan.payload_bytes.to_string(),
            max_rate: plan.rate == Rate::Max,
            rate: match plan.rate {
                Rate::PerSecond(r) => r.to_string(),
                Rate::Max => defaults.rate,
            },
            fault: match plan.faults {
                FaultProfile::None => FaultKind::None,
                FaultProfile::Loss { .. } => FaultKind::Loss,
                FaultProfile::CutEvery { .. } => FaultKind::Cut,
                FaultProfile::LossAndCuts { .. } => FaultKind::LossAndCut,
            },
            loss_percent: plan
                .faults
                .loss_percent()
                .map_or(defaults.loss_percent, |p| p.to_string()),
            cut_seconds: plan
                .faults
                .cut_seconds()
                .map_or(defaults.cut_seconds, |s| s.to_string()),
            levels: [
                has(QoS::AtMostOnce),
                has(QoS::AtLeastOnce),
                has(QoS::ExactlyOnce),
            ],
        }
    }
}

/// The inventory demo's workload: the same stock movements at QoS 1 and
/// QoS 2 over a link that loses 10 % of the flow packets and is cut every
/// 2 seconds.
pub fn inventory_demo_plan() -> LabPlan {
    LabPlan {
        messages: 500,
        payload_bytes: 64,
        rate: Rate::Max,
        faults: FaultProfile::LossAndCuts {
            percent: 10,
            seconds: 2,
        },
        levels: vec![QoS::AtLeastOnce, QoS::ExactlyOnce],
        ..LabPlan::default()
    }
}
