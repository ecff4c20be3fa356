//! Guided scenarios: data a presenter steps through, not code paths.
//!
//! A scenario is a setup (protocol version, retry policy, subscription QoS)
//! and a list of steps; each step arms fault rules, performs one action and
//! explains in one line what the audience is about to see. How a step is
//! carried out — on the simulation or against a live broker — is the
//! [`StepPerformer`]'s business, so both modes share the same scenarios.

use serde::{Deserialize, Serialize};

use crate::mqtt::packet::{PacketType, ProtocolVersion, QoS};
use crate::mqtt::session::RetryPolicy;

use super::faults::{FaultIntent, Hop};

/// What a step does once its faults are armed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Action {
    /// Publish one message from the publisher.
    Publish {
        /// Topic name.
        topic: String,
        /// Payload text.
        payload: String,
        /// QoS requested by the publisher.
        qos: QoS,
    },
    /// Publish `count` messages, numbered `payload 1`, `payload 2`, ...
    PublishMany {
        /// Topic name.
        topic: String,
        /// Payload prefix.
        payload: String,
        /// QoS.
        qos: QoS,
        /// How many.
        count: u16,
    },
    /// Close the publisher's connection now (network failure, no DISCONNECT).
    CutConnection,
    /// Reconnect the publisher with its session kept (clean start = false),
    /// which makes it resend what is unacknowledged (MQTT-4.4.0-1).
    Reconnect,
    /// Let time pass, so timers (retries) fire.
    Wait {
        /// Milliseconds.
        ms: u64,
    },
}

/// One step of a scenario.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    /// Faults armed before the action.
    pub arm: Vec<FaultIntent>,
    /// The action.
    pub action: Action,
    /// One-line explanation, English.
    pub explain: String,
    /// One-line explanation, Chinese.
    pub explain_zh: String,
}

/// How the clients are set up before the first step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Setup {
    /// Protocol version both clients speak.
    pub version: ProtocolVersion,
    /// Publisher's retry policy.
    pub retry: RetryPolicy,
    /// Topic filter the subscriber subscribes to.
    pub filter: String,
    /// QoS the subscriber asks for.
    pub subscribe_qos: QoS,
    /// One-way latency of each hop, milliseconds.
    pub latency_ms: u32,
}

/// A guided scenario.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scenario {
    /// Stable id, for the picker.
    pub id: String,
    /// Title, English.
    pub title: String,
    /// Title, Chinese.
    pub title_zh: String,
    /// Setup.
    pub setup: Setup,
    /// Steps, in order.
    pub steps: Vec<Step>,
}

/// Carries out scenario steps on some engine.
pub trait StepPerformer {
    /// Start a fresh run: connect both clients as `setup` says.
    fn start(&mut self, setup: &Setup);
    /// Arm the step's faults, perform its action, record what happened.
    fn perform(&mut self, step: &Step);
}

/// A scenario being stepped through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioRun {
    /// The scenario.
    pub scenario: Scenario,
    /// Index of the next step to perform.
    pub next: usize,
}

impl ScenarioRun {
    /// Start `scenario` on `performer`.
    pub fn start(scenario: Scenario, performer: &mut dyn StepPerformer) -> ScenarioRun {
        performer.start(&scenario.setup);
        ScenarioRun { scenario, next: 0 }
    }

    /// Perform the next step, if any; returns the step performed.
    pub fn advance(&mut self, performer: &mut dyn StepPerformer) -> Option<&Step> {
        let step = self.scenario.steps.get(self.next)?;
        performer.perform(step);
        self.next += 1;
        Some(step)
    }

    /// True when every step has been performed.
    pub fn is_finished(&self) -> bool {
        self.next >= self.scenario.steps.len()
    }

    /// "step 2 of 4".
    pub fn progress(&self) -> String {
        format!("step {} of {}", self.next, self.scenario.steps.len())
    }
}

fn step(arm: Vec<FaultIntent>, action: Action, explain: &str, explain_zh: &str) -> Step {
    Step {
        arm,
        action,
        explain: explain.into(),
        explain_zh: explain_zh.into(),
    }
}

fn publish(topic: &str, payload: &str, qos: QoS) -> Action {
    Action::Publish {
        topic: topic.into(),
        payload: payload.into(),
        qos,
    }
}

fn drop_next(kind: PacketType) -> FaultIntent {
    FaultIntent::DropNext {
        kind,
        hop: Hop::PublisherBroker,
    }
}

fn setup(filter: &str, subscribe_qos: QoS, retry: RetryPolicy) -> Setup {
    Setup {
        version: ProtocolVersion::V311,
        retry,
        filter: filter.into(),
        subscribe_qos,
        latency_ms: 40,
    }
}

/// Retry after a silent second, as many 3.1.1 clients do (MQTT 5 forbids it).
const RETRY_1S: RetryPolicy = RetryPolicy::OnTimeout { interval_ms: 1000 };

/// The built-in scenarios, in the order a presentation tells them.
pub fn builtin() -> Vec<Scenario> {
    vec![
        qos0_lossy(),
        qos1_puback_lost(),
        qos2_pubrec_lost(),
        qos2_pubrel_lost(),
        qos2_reconnect(),
        qos2_downgraded(),
    ]
}

fn scenario(id: &str, title: &str, title_zh: &str, setup: Setup, steps: Vec<Step>) -> Scenario {
    Scenario {
        id: id.into(),
        title: title.into(),
        title_zh: title_zh.into(),
        setup,
        steps,
    }
}

fn qos0_lossy() -> Scenario {
    scenario(
        "qos0-lossy",
        "QoS 0 over a lossy link",
        "QoS 0:有丢包的链路",
        setup(
            "plant/temperature",
            QoS::AtMostOnce,
            RetryPolicy::OnReconnect,
        ),
        vec![
            step(
                vec![FaultIntent::LossPercent(30)],
                Action::Wait { ms: 0 },
                "The link now loses 30% of packets.",
                "链路现在丢失 30% 的报文。",
            ),
            step(
                vec![],
                Action::PublishMany {
                    topic: "plant/temperature".into(),
                    payload: "21.5 °C #".into(),
                    qos: QoS::AtMostOnce,
                    count: 6,
                },
                "Six readings at QoS 0: fire and forget, no acknowledgement.",
                "以 QoS 0 发送六个读数:发出即不管,没有确认。",
            ),
            step(
                vec![FaultIntent::LossPercent(0)],
                Action::Wait { ms: 500 },
                "Result: lost readings are simply gone: at most once, nobody retries.",
                "结果:丢失的读数就没了:至多一次,没人重发。",
            ),
        ],
    )
}

fn qos1_puback_lost() -> Scenario {
    scenario(
        "qos1-puback-lost",
        "QoS 1: duplicate after a lost PUBACK",
        "QoS 1:PUBACK 丢失导致重复",
        setup("shop/inventory", QoS::AtLeastOnce, RETRY_1S),
        vec![
            step(
                vec![drop_next(PacketType::Puback)],
                publish("shop/inventory", "sold 1 × SKU-42", QoS::AtLeastOnce),
                "Publish at QoS 1; the broker delivers it, but its PUBACK is lost.",
                "以 QoS 1 发布;Broker 已投递,但 PUBACK 丢失。",
            ),
            step(
                vec![],
                Action::Wait { ms: 1500 },
                "No PUBACK: the publisher resends with DUP=1, and the broker delivers it again.",
                "没收到 PUBACK:发布者以 DUP=1 重发,Broker 再次投递。",
            ),
            step(
                vec![],
                Action::Wait { ms: 300 },
                "Result: the subscriber counted the sale twice. At least once means duplicates.",
                "结果:订阅者把这笔销售计了两次。至少一次意味着可能重复。",
            ),
        ],
    )
}

fn qos2_pubrec_lost() -> Scenario {
    scenario(
        "qos2-pubrec-lost",
        "QoS 2 with PUBREC lost",
        "QoS 2:PUBREC 丢失",
        setup("shop/inventory", QoS::ExactlyOnce, RETRY_1S),
        vec![
            step(vec![drop_next(PacketType::Pubrec)], publish("shop/inventory", "sold 1 × SKU-42", QoS::ExactlyOnce),
                "Publish at QoS 2; the broker stores id 1 and replies PUBREC, which is lost.", "以 QoS 2 发布;Broker 保存 id 1 并回复 PUBREC,但 PUBREC 丢失。"),
            step(vec![], Action::Wait { ms: 1500 },
                "The publisher resends PUBLISH with DUP=1; the broker knows id 1, sends PUBREC again and does not deliver twice.",
                "发布者以 DUP=1 重发 PUBLISH;Broker 认出 id 1,再回 PUBREC,不重复投递。"),
            step(vec![], Action::Wait { ms: 300 },
                "Result: PUBREL and PUBCOMP finished the handshake; the subscriber got it exactly once.", "结果:PUBREL 和 PUBCOMP 完成握手;订阅者恰好收到一次。"),
        ],
    )
}

fn qos2_pubrel_lost() -> Scenario {
    scenario(
        "qos2-pubrel-lost",
        "QoS 2 with PUBREL lost",
        "QoS 2:PUBREL 丢失",
        setup("shop/inventory", QoS::ExactlyOnce, RETRY_1S),
        vec![
            step(
                vec![drop_next(PacketType::Pubrel)],
                publish("shop/inventory", "sold 1 × SKU-42", QoS::ExactlyOnce),
                "PUBLISH and PUBREC go through; the publisher's PUBREL is lost.",
                "PUBLISH 与 PUBREC 正常;发布者的 PUBREL 丢失。",
            ),
            step(
                vec![],
                Action::Wait { ms: 1500 },
                "The publisher resends PUBREL — never PUBLISH again once PUBREC arrived.",
                "发布者重发 PUBREL——收到 PUBREC 后绝不再发 PUBLISH。",
            ),
            step(
                vec![],
                Action::Wait { ms: 300 },
                "Result: the broker released id 1 and answered PUBCOMP; still exactly once.",
                "结果:Broker 释放 id 1 并回复 PUBCOMP;仍然恰好一次。",
            ),
        ],
    )
}

fn qos2_reconnect() -> Scenario {
    scenario(
        "qos2-reconnect",
        "QoS 2 across a reconnect",
        "QoS 2:断线重连",
        setup("alarm/fire", QoS::ExactlyOnce, RetryPolicy::OnReconnect),
        vec![
            step(
                vec![drop_next(PacketType::Pubcomp)],
                publish("alarm/fire", "zone A-12", QoS::ExactlyOnce),
                "A fire alarm at QoS 2; the PUBCOMP is lost, so the publisher still holds id 1.",
                "以 QoS 2 发送火警;PUBCOMP 丢失,发布者仍持有 id 1。",
            ),
            step(
                vec![],
                Action::CutConnection,
                "The connection drops. Both sides keep their session state.",
                "连接中断。双方保留会话状态。",
            ),
            step(
                vec![],
                Action::Reconnect,
                "On reconnect the publisher resends PUBREL for id 1; the broker answers PUBCOMP.",
                "重连后发布者为 id 1 重发 PUBREL;Broker 回复 PUBCOMP。",
            ),
        ],
    )
}

fn qos2_downgraded() -> Scenario {
    scenario(
        "qos2-downgraded",
        "QoS 2 publish, QoS 1 subscription",
        "QoS 2 发布,QoS 1 订阅",
        setup("alarm/security", QoS::AtLeastOnce, RetryPolicy::OnReconnect),
        vec![
            step(vec![], publish("alarm/security", "door 3 forced", QoS::ExactlyOnce),
                "Published at QoS 2, but the subscriber asked for QoS 1: it receives QoS 1 (min of the two).",
                "以 QoS 2 发布,但订阅者只要 QoS 1:实际按 QoS 1 投递(取两者较小)。"),
            step(vec![], Action::Wait { ms: 300 },
                "Result: QoS is per hop: QoS 2 to the broker, QoS 1 from the broker on.", "结果:QoS 是逐跳协商的:到 Broker 是 QoS 2,之后是 QoS 1。"),
        ],
    )
}
