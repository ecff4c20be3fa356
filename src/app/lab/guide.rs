//! The seed notes' "When to Use QoS 2" tables and their "avoid" list, each
//! row with the demonstration that shows why: a lab preset or a guided
//! scenario of the visualiser.

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

/// Whether the seed notes recommend QoS 2 for the row.
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
    /// The scenario, in English.
    pub scenario: &'static str,
    /// As the seed notes name it.
    pub scenario_zh: &'static str,
    /// The recommended levels.
    pub levels: &'static [QoS],
    /// The reason, in English.
    pub reason: &'static str,
    /// As the seed notes give it.
    pub reason_zh: &'static str,
    /// The demonstration.
    pub action: GuideAction,
    /// The button's words.
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

/// Every row, in the seed notes' order.
pub fn rows() -> Vec<GuideRow> {
    use GuideAction::{Lab, Scenario};
    use GuideGroup::*;
    use QoS::{AtLeastOnce as Q1, AtMostOnce as Q0, ExactlyOnce as Q2};
    let loss = FaultProfile::Loss { percent: 10 };
    vec![
        GuideRow {
            group: UseQos2,
            scenario: "Payment transactions",
            scenario_zh: "支付交易",
            levels: &[Q2],
            reason: "Must be neither repeated nor lost",
            reason_zh: "不可重复也不可丢失",
            action: Scenario("qos2-pubrec-lost"),
            action_label: "Show: PUBREC lost, paid once",
        },
        GuideRow {
            group: UseQos2,
            scenario: "Inventory count updates",
            scenario_zh: "库存计数更新",
            levels: &[Q2],
            reason: "Counting twice corrupts the stock",
            reason_zh: "重复计数会导致库存错误",
            action: Lab(inventory_demo_plan()),
            action_label: "Measure: stock counters at QoS 1 and 2",
        },
        GuideRow {
            group: UseQos2,
            scenario: "Billing data",
            scenario_zh: "计费数据",
            levels: &[Q2],
            reason: "Every use must be recorded exactly",
            reason_zh: "必须精确记录每次使用",
            action: Scenario("qos2-reconnect"),
            action_label: "Show: QoS 2 across a reconnect",
        },
        GuideRow {
            group: UseQos2,
            scenario: "Critical alarms (fire, security)",
            scenario_zh: "关键告警(火警/安防)",
            levels: &[Q2],
            reason: "Must arrive, and only once",
            reason_zh: "必须到达且只能一次",
            action: Scenario("qos2-pubrel-lost"),
            action_label: "Show: PUBREL lost, alarm once",
        },
        GuideRow {
            group: UseQos2,
            scenario: "Device activation and registration",
            scenario_zh: "设备激活/注册",
            levels: &[Q2],
            reason: "Registering twice breaks the system",
            reason_zh: "重复注册会导致系统错误",
            action: Lab(plan(
                vec![Q1, Q2],
                FaultProfile::CutEvery { seconds: 1 },
                2_000,
            )),
            action_label: "Measure: QoS 1 and 2 with the link cut every second",
        },
        GuideRow {
            group: LowerLevel,
            scenario: "Almost every general case",
            scenario_zh: "几乎所有通用场景",
            levels: &[Q0, Q1],
            reason: "QoS 2 costs too much",
            reason_zh: "QoS 2 开销过大",
            action: Lab(LabPlan::default()),
            action_label: "Measure what QoS 2 costs here",
        },
        GuideRow {
            group: LowerLevel,
            scenario: "High-frequency sensor data",
            scenario_zh: "高频传感器数据",
            levels: &[Q0],
            reason: "Exactly once is not needed",
            reason_zh: "不需要精确一次",
            action: Scenario("qos0-lossy"),
            action_label: "Show: QoS 0 over a lossy link",
        },
        GuideRow {
            group: LowerLevel,
            scenario: "Device status updates",
            scenario_zh: "设备状态更新",
            levels: &[Q1],
            reason: "A repeated status does no harm",
            reason_zh: "重复状态可接受",
            action: Scenario("qos1-puback-lost"),
            action_label: "Show: a duplicate after a lost PUBACK",
        },
        GuideRow {
            group: LowerLevel,
            scenario: "Debug logs",
            scenario_zh: "调试日志",
            levels: &[Q0],
            reason: "Losing some does not matter",
            reason_zh: "丢失无关紧要",
            action: Lab(plan(vec![Q0], loss, 1_000)),
            action_label: "Measure: QoS 0 with 10 % loss",
        },
        GuideRow {
            group: Avoid,
            scenario: "QoS 2 for high throughput",
            scenario_zh: "在高吞吐场景中使用 QoS 2",
            levels: &[Q0, Q1],
            reason: "It lowers system performance",
            reason_zh: "降低系统性能",
            action: Lab(plan(vec![Q0, Q1, Q2], FaultProfile::None, 5_000)),
            action_label: "Measure throughput, 5,000 per level",
        },
        GuideRow {
            group: Avoid,
            scenario: "QoS 2 for sensor data",
            scenario_zh: "对传感器数据使用 QoS 2",
            levels: &[Q0],
            reason: "QoS 0 is enough",
            reason_zh: "QoS 0 已足够",
            action: Lab(plan(vec![Q0, Q2], FaultProfile::None, 1_000)),
            action_label: "Measure QoS 0 against QoS 2",
        },
        GuideRow {
            group: Avoid,
            scenario: "Mixing QoS levels on one topic",
            scenario_zh: "在同一 Topic 中混用不同 QoS 级别",
            levels: &[],
            reason: "Each subscriber gets the lower of the two levels",
            reason_zh: "订阅者收到的是两者中较低的级别",
            action: Scenario("qos2-downgraded"),
            action_label: "Show: QoS 2 publish, QoS 1 subscription",
        },
    ]
}
