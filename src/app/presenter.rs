//! Presenter mode: a talk track over the app for a projector. Full screen,
//! large type, ← → between steps (and a clicker's PageUp / PageDown), Esc
//! leaves. It walks the seed notes' courier analogy, then two guided
//! scenarios in the visualiser, then the lab's measured table and the
//! inventory counters: offline on the simulated broker, or live.

use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

use super::lab::form::{inventory_demo_plan, LabTarget};
use super::lab::handle::LabHandle;
use super::lab::plan::{FaultProfile, LabPlan};
use super::model::ConnStatus;
use super::visualiser::ScenarioRemote;
use super::ClientCtx;
use super::View;

/// What a step shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepKind {
    /// The courier analogy, full screen.
    Analogy,
    /// A guided scenario of the visualiser, by id.
    Scenario(&'static str),
    /// The lab's table beside the seed notes' claims.
    Lab,
    /// The inventory counters at QoS 1 and 2 over a lossy link.
    Inventory,
}

/// One step of the talk track.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    /// Its title.
    pub title: &'static str,
    /// In Chinese.
    pub title_zh: &'static str,
    /// What → does here, for the presenter.
    pub hint: &'static str,
    /// What it shows.
    pub kind: StepKind,
}

/// The talk track.
pub const STEPS: [Step; 5] = [
    Step {
        title: "QoS is a choice of delivery service",
        title_zh: "QoS 级别就像快递服务的选择",
        hint: "→ watch the handshakes",
        kind: StepKind::Analogy,
    },
    Step {
        title: "QoS 1: a lost PUBACK makes a duplicate",
        title_zh: "QoS 1:PUBACK 丢失导致重复",
        hint: "→ performs the scenario's next step, then moves on",
        kind: StepKind::Scenario("qos1-puback-lost"),
    },
    Step {
        title: "QoS 2: the four-way handshake keeps it exactly once",
        title_zh: "QoS 2:四段握手保证恰好一次",
        hint: "→ performs the scenario's next step, then moves on",
        kind: StepKind::Scenario("qos2-pubrec-lost"),
    },
    Step {
        title: "What each level costs, measured here",
        title_zh: "实测每个级别的开销",
        hint: "The lab measures QoS 0, 1 and 2; → shows the inventory counters",
        kind: StepKind::Lab,
    },
    Step {
        title: "Counting twice corrupts the stock",
        title_zh: "重复计数会导致库存错误",
        hint:
            "QoS 1 and 2 over a link that loses 10 % of packets and is cut every 2 s · Esc leaves",
        kind: StepKind::Inventory,
    },
];

/// Presenter mode's state: the step shown, or `None` when not presenting.
#[derive(Debug, Clone, Copy)]
pub struct Presenter(pub RwSignal<Option<usize>>);

/// Where the lab runs in presenter mode: as its form says while the app is
/// connected to a broker, else on the simulated broker, so every step works
/// offline.
fn lab_target(lab: LabHandle) -> LabTarget {
    let online = use_context::<ClientCtx>().is_some_and(|ctx| {
        ctx.model
            .with_untracked(|m| m.status == ConnStatus::Connected)
    });
    if online {
        lab.form.with_untracked(|f| f.target)
    } else {
        LabTarget::Simulated
    }
}

/// What a step does to the app when it is entered.
fn enter(step: Step, view: RwSignal<View>, lab: LabHandle, remote: ScenarioRemote) {
    match step.kind {
        StepKind::Analogy => {}
        StepKind::Scenario(id) => {
            view.set(View::Visualiser);
            remote
                .simulated
                .set(lab_target(lab) == LabTarget::Simulated);
            remote.start.set(Some(id.to_string()));
        }
        StepKind::Lab => {
            view.set(View::Lab);
            // A clean run of all three levels, unless one is shown already.
            let shown = lab.report.with_untracked(|r| {
                r.as_ref()
                    .is_some_and(|r| r.plan.faults == FaultProfile::None && r.levels.len() == 3)
            });
            if !shown {
                lab.start_plan(LabPlan::default(), lab_target(lab));
            }
            scroll_to("#lab-claims");
        }
        StepKind::Inventory => {
            view.set(View::Lab);
            lab.start_plan(inventory_demo_plan(), lab_target(lab));
            scroll_to(".lab-inventory");
        }
    }
}

fn scroll_to(css: &'static str) {
    let scroll = Closure::once_into_js(move || {
        if let Some(el) = document().query_selector(css).ok().flatten() {
            el.scroll_into_view();
        }
    });
    let _ = window().request_animation_frame(scroll.unchecked_ref());
}

/// The presenter's bar and the analogy slide; listens for its keys while
/// presenting.
#[component]
pub fn PresenterMode(
    view: RwSignal<View>,
    lab: LabHandle,
    remote: ScenarioRemote,
) -> impl IntoView {
    let Presenter(step) = expect_context::<Presenter>();
    Effect::new(move |was: Option<Option<usize>>| {
        let now = step.get();
        if was.flatten() != now {
            crate::net::page::set_presenting(now.is_some());
            if let Some(i) = now {
                enter(STEPS[i], view, lab, remote);
            }
        }
        now
    });
    // The lab's report arrives after its step was entered: show its table.
    Effect::new(move |_| {
        if lab.report.with(|r| r.is_some()) && !lab.run.with(|r| r.busy) {
            match step.get_untracked().map(|i| STEPS[i].kind) {
                Some(StepKind::Lab) => scroll_to("#lab-claims"),
                Some(StepKind::Inventory) => scroll_to(".lab-inventory"),
                _ => {}
            }
        }
    });
    let forward = move || {
        let Some(i) = step.get_untracked() else {
            return;
        };
        if matches!(STEPS[i].kind, StepKind::Scenario(_)) && remote.can_step.get_untracked() {
            remote.next.update(|n| *n += 1);
        } else if i + 1 < STEPS.len() {
            step.set(Some(i + 1));
        }
    };
    let back = move || {
        if let Some(i) = step.get_untracked() {
            step.set(Some(i.saturating_sub(1)));
        }
    };
    let leave = move || step.set(None);
    listen_for_keys(step, forward, back, leave);
    let current = move || step.get().map(|i| STEPS[i]);
    view! {
        <Show when=move || current().is_some_and(|s| s.kind == StepKind::Analogy)>
            <Analogy />
        </Show>
        <Show when=move || step.get().is_some()>
            <div class="presenter-bar" role="region" aria-label="Presenter mode" data-testid="presenter-bar">
                <span class="presenter-count">
                    {move || step.get().map(|i| format!("{} / {}", i + 1, STEPS.len())).unwrap_or_default()}
                </span>
                <div class="presenter-text">
                    <span class="presenter-title">
                        {move || current().map(|s| s.title).unwrap_or_default()}
                        <span class="zh" lang="zh-CN">{move || current().map(|s| s.title_zh).unwrap_or_default()}</span>
                    </span>
                    <span class="presenter-hint">{move || current().map(|s| s.hint).unwrap_or_default()}</span>
                </div>
                <button class="btn" id="presenter-back" on:click=move |_| back() disabled=move || step.get() == Some(0)>"← Back"</button>
                <button
                    class="btn primary"
                    id="presenter-next"
                    on:click=move |_| forward()
                    disabled=move || step.get() == Some(STEPS.len() - 1)
                >
                    "Next →"
                </button>
                <button class="btn" id="presenter-leave" on:click=move |_| leave()>"Leave (Esc)"</button>
            </div>
        </Show>
    }
}

/// ← → PageUp PageDown and Esc while presenting, before anyone else (the
/// visualiser's own arrow keys step its playhead).
fn listen_for_keys(
    step: RwSignal<Option<usize>>,
    forward: impl Fn() + 'static,
    back: impl Fn() + 'static,
    leave: impl Fn() + 'static,
) {
    let on_key =
        Closure::<dyn Fn(web_sys::KeyboardEvent)>::new(move |e: web_sys::KeyboardEvent| {
            if step.get_untracked().is_none() || e.ctrl_key() || e.meta_key() || e.alt_key() {
                return;
            }
            let typing = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .is_some_and(|el| {
                    matches!(
                        el.tag_name().to_ascii_lowercase().as_str(),
                        "input" | "textarea" | "select"
                    )
                });
            if typing {
                return;
            }
            match e.key().as_str() {
                "ArrowRight" | "PageDown" => forward(),
                "ArrowLeft" | "PageUp" => back(),
                "Escape" => leave(),
                _ => return,
            }
            e.prevent_default();
            e.stop_immediate_propagation();
        });
    let _ = window().add_event_listener_with_callback_and_bool(
        "keydown",
        on_key.as_ref().unchecked_ref(),
        true,
    );
    // The app lives as long as the page: the listener does too.
    on_key.forget();
}

/// The seed notes' courier analogy, one card per level.
#[component]
fn Analogy() -> impl IntoView {
    let card = |class: &'static str,
                level: &'static str,
                name: &'static str,
                name_zh: &'static str,
                text: &'static str,
                text_zh: &'static str,
                packets: &'static str| {
        view! {
            <article class="analogy-card">
                <span class=class>{level}</span>
                <h3>{name} " " <span class="zh" lang="zh-CN">{name_zh}</span></h3>
                <p>{text}</p>
                <p class="zh" lang="zh-CN">{text_zh}</p>
                <p class="analogy-packets">{packets}</p>
            </article>
        }
    };
    view! {
        <div class="analogy" role="dialog" aria-modal="false" aria-labelledby="analogy-title" data-testid="presenter-analogy">
            <h2 id="analogy-title">
                "QoS is a choice of delivery service"
                <span class="zh" lang="zh-CN">"QoS 级别就像快递服务的选择"</span>
            </h2>
            <div class="analogy-cards">
                {card("qos-badge qos0", "QoS 0", "Ordinary mail", "平邮", "Cheap and fast, but a letter may be lost.", "便宜、快速、但可能丢失", "PUBLISH")}
                {card("qos-badge qos1", "QoS 1", "Registered mail", "挂号信", "Signed for and sure to arrive; the postman may come twice.", "有签收确认、保证送到、可能多跑一趟", "PUBLISH → PUBACK")}
                {card("qos-badge qos2", "QoS 2", "A dedicated courier", "专车配送", "Tracked all the way and delivered exactly once: the dearest and slowest.", "全程跟踪、精确送达一次、最贵最慢", "PUBLISH → PUBREC → PUBREL → PUBCOMP")}
            </div>
            <p class="analogy-foot">
                "A temperature sent every 3 seconds needs only ordinary mail; commands to devices and payments need the courier. Next: the handshakes, then what each one costs on this broker."
                <span class="zh" lang="zh-CN">"对于温度数据这种每 3 秒更新一次的信息,用平邮(QoS 0)就足够了。只有控制设备或处理支付的指令才需要专车配送(QoS 2)。"</span>
            </p>
        </div>
    }
}
