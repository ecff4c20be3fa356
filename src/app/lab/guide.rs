//! The QoS notes' "When to Use QoS 2" tables and their "avoid" list, each
//! row with the demonstration that shows why: a lab preset or a guided
//! scenario of the visualiser. The rows' words are in the reader's language
//! ([`rows_in`]); the Chinese of the QoS notes is quoted beside English.

use crate::i18n::{td_string, Locale};
use crate::mqtt::packet::QoS;

use super::form::inventory_demo_plan;
use super::plan::{FaultProfile, LabPlan, Rate};

/// What a row's button opens.
#[derive(Debug, Clone, PartialEq)]
pub enum GuideAction {
    /// Runs the lab with this plan.
    Lab(LabPlan),
    /// Opens the visualiser on the guided scenario with this id.
    Scenario(&'static str),
}

/// Whether the QoS notes recommend QoS 2 for the row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GuideGroup {
    /// "Recommended Scenarios": QoS 2.
    UseQos2,
    /// "Not Recommended Scenarios": a lower level.
    LowerLevel,
    /// The "❌ 避免" list.
    Avoid,
}

/// One row.
#[derive(Debug, Clone, PartialEq)]
pub struct GuideRow {
    /// Which table it comes from.
    pub group: GuideGroup,
    /// The scenario, in the reader's language.
    pub scenario: &'static str,
    /// As the (Chinese) QoS notes name it.
    pub scenario_zh: &'static str,
    /// The recommended levels.
    pub levels: &'static [QoS],
    /// The reason, in the reader's language.
    pub reason: &'static str,
    /// As the (Chinese) QoS notes give it.
    pub reason_zh: &'static str,
    /// The demonstration.
    pub action: GuideAction,
    /// The button's words, in the reader's language.
    pub action_label: &'static str,
}

fn plan(levels: Vec<QoS>, faults: FaultProfile, messages: u32) -> LabPlan {
    LabPlan {
        messages,
        levels,
        faults,
        rate: Rate::Max,
        ..LabPlan::default()
    }
}

/// Every row, in the QoS notes' order, in English.
pub fn rows() -> Vec<GuideRow> {
    rows_in(Locale::en)
}

/// Every row, in the QoS notes' order, in `locale`.
pub fn rows_in(locale: Locale) -> Vec<GuideRow> {
    let mut rows = Vec::new();
    rows.extend(use_qos2_rows(locale));
    rows.extend(lower_level_rows(locale));
    rows.extend(avoid_rows(locale));
    rows
}

/// "Recommended Scenarios": where QoS 2 is worth its cost.
fn use_qos2_rows(locale: Locale) -> [GuideRow; 5] {
    let zh = Locale::zh_CN;
    use GuideAction::{Lab, Scenario};
    use GuideGroup::UseQos2;
    use QoS::{AtLeastOnce as Q1, ExactlyOnce as Q2};
    [
        GuideRow {
            group: UseQos2,
            scenario: td_string!(locale, lab.guide.payments.scenario),
            scenario_zh: td_string!(zh, lab.guide.payments.scenario),
            levels: &[Q2],
            reason: td_string!(locale, lab.guide.payments.reason),
            reason_zh: td_string!(zh, lab.guide.payments.reason),
            action: Scenario("qos2-pubrec-lost"),
            action_label: td_string!(locale, lab.guide.payments.action),
        },
        GuideRow {
            group: UseQos2,
            scenario: td_string!(locale, lab.guide.inventory.scenario),
            scenario_zh: td_string!(zh, lab.guide.inventory.scenario),
            levels: &[Q2],
            reason: td_string!(locale, lab.guide.inventory.reason),
            reason_zh: td_string!(zh, lab.guide.inventory.reason),
            action: Lab(inventory_demo_plan()),
            action_label: td_string!(locale, lab.guide.inventory.action),
        },
        GuideRow {
            group: UseQos2,
            scenario: td_string!(locale, lab.guide.billing.scenario),
            scenario_zh: td_string!(zh, lab.guide.billing.scenario),
            levels: &[Q2],
            reason: td_string!(locale, lab.guide.billing.reason),
            reason_zh: td_string!(zh, lab.guide.billing.reason),
            action: Scenario("qos2-reconnect"),
            action_label: td_string!(locale, lab.guide.billing.action),
        },
        GuideRow {
            group: UseQos2,
            scenario: td_string!(locale, lab.guide.alarms.scenario),
            scenario_zh: td_string!(zh, lab.guide.alarms.scenario),
            levels: &[Q2],
            reason: td_string!(locale, lab.guide.alarms.reason),
            reason_zh: td_string!(zh, lab.guide.alarms.reason),
            action: Scenario("qos2-pubrel-lost"),
            action_label: td_string!(locale, lab.guide.alarms.action),
        },
        GuideRow {
            group: UseQos2,
            scenario: td_string!(locale, lab.guide.activation.scenario),
            scenario_zh: td_string!(zh, lab.guide.activation.scenario),
            levels: &[Q2],
            reason: td_string!(locale, lab.guide.activation.reason),
            reason_zh: td_string!(zh, lab.guide.activation.reason),
            action: Lab(plan(
                vec![Q1, Q2],
                FaultProfile::CutEvery { seconds: 1 },
                2_000,
            )),
            action_label: td_string!(locale, lab.guide.activation.action),
        },
    ]
}

/// "Not Recommended Scenarios": where a lower level does.
fn lower_level_rows(locale: Locale) -> [GuideRow; 4] {
    let zh = Locale::zh_CN;
    use GuideAction::{Lab, Scenario};
    use GuideGroup::LowerLevel;
    use QoS::{AtLeastOnce as Q1, AtMostOnce as Q0};
    let loss = FaultProfile::Loss { percent: 10 };
    [
        GuideRow {
            group: LowerLevel,
            scenario: td_string!(locale, lab.guide.general.scenario),
            scenario_zh: td_string!(zh, lab.guide.general.scenario),
            levels: &[Q0, Q1],
            reason: td_string!(locale, lab.guide.general.reason),
            reason_zh: td_string!(zh, lab.guide.general.reason),
            action: Lab(LabPlan::default()),
            action_label: td_string!(locale, lab.guide.general.action),
        },
        GuideRow {
            group: LowerLevel,
            scenario: td_string!(locale, lab.guide.sensors.scenario),
            scenario_zh: td_string!(zh, lab.guide.sensors.scenario),
            levels: &[Q0],
            reason: td_string!(locale, lab.guide.sensors.reason),
            reason_zh: td_string!(zh, lab.guide.sensors.reason),
            action: Scenario("qos0-lossy"),
            action_label: td_string!(locale, lab.guide.sensors.action),
        },
        GuideRow {
            group: LowerLevel,
            scenario: td_string!(locale, lab.guide.status.scenario),
            scenario_zh: td_string!(zh, lab.guide.status.scenario),
            levels: &[Q1],
            reason: td_string!(locale, lab.guide.status.reason),
            reason_zh: td_string!(zh, lab.guide.status.reason),
            action: Scenario("qos1-puback-lost"),
            action_label: td_string!(locale, lab.guide.status.action),
        },
        GuideRow {
            group: LowerLevel,
            scenario: td_string!(locale, lab.guide.logs.scenario),
            scenario_zh: td_string!(zh, lab.guide.logs.scenario),
            levels: &[Q0],
            reason: td_string!(locale, lab.guide.logs.reason),
            reason_zh: td_string!(zh, lab.guide.logs.reason),
            action: Lab(plan(vec![Q0], loss, 1_000)),
            action_label: td_string!(locale, lab.guide.logs.action),
        },
    ]
}

/// The "❌ 避免" list: QoS 2 where it does harm.
fn avoid_rows(locale: Locale) -> [GuideRow; 3] {
    let zh = Locale::zh_CN;
    use GuideAction::{Lab, Scenario};
    use GuideGroup::Avoid;
    use QoS::{AtLeastOnce as Q1, AtMostOnce as Q0, ExactlyOnce as Q2};
    [
        GuideRow {
            group: Avoid,
            scenario: td_string!(locale, lab.guide.throughput.scenario),
            scenario_zh: td_string!(zh, lab.guide.throughput.scenario),
            levels: &[Q0, Q1],
            reason: td_string!(locale, lab.guide.throughput.reason),
            reason_zh: td_string!(zh, lab.guide.throughput.reason),
            action: Lab(plan(vec![Q0, Q1, Q2], FaultProfile::None, 5_000)),
            action_label: td_string!(locale, lab.guide.throughput.action),
        },
        GuideRow {
            group: Avoid,
            scenario: td_string!(locale, lab.guide.sensor_qos2.scenario),
            scenario_zh: td_string!(zh, lab.guide.sensor_qos2.scenario),
            levels: &[Q0],
            reason: td_string!(locale, lab.guide.sensor_qos2.reason),
            reason_zh: td_string!(zh, lab.guide.sensor_qos2.reason),
            action: Lab(plan(vec![Q0, Q2], FaultProfile::None, 1_000)),
            action_label: td_string!(locale, lab.guide.sensor_qos2.action),
        },
        GuideRow {
            group: Avoid,
            scenario: td_string!(locale, lab.guide.mixing.scenario),
            scenario_zh: td_string!(zh, lab.guide.mixing.scenario),
            levels: &[],
            reason: td_string!(locale, lab.guide.mixing.reason),
            reason_zh: td_string!(zh, lab.guide.mixing.reason),
            action: Scenario("qos2-downgraded"),
            action_label: td_string!(locale, lab.guide.mixing.action),
        },
    ]
}
