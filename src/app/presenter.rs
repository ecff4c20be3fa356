//! Presenter mode: a talk track over the app for a projector. Full screen,
//! large type, ← → between steps (and a clicker's PageUp / PageDown), Esc
//! leaves. It walks the QoS notes' courier analogy, then two guided
//! scenarios in the visualiser, then the lab's measured table and the
//! inventory counters: offline on the simulated broker, or live.

use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

use crate::app::locale::use_i18n;
use crate::i18n::{t, t_string, td_string, Locale};

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
    /// The lab's table beside the QoS notes' claims.
    Lab,
    /// The inventory counters at QoS 1 and 2 over a lossy link.
    Inventory,
}

/// One step of the talk track.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    /// What it shows.
    pub kind: StepKind,
}

impl Step {
    /// Its title, in `locale`.
    pub fn title_in(self, locale: Locale) -> &'static str {
        match self.kind {
            StepKind::Analogy => td_string!(locale, presenter.steps.analogy.title),
            StepKind::Scenario("qos1-puback-lost") => {
                td_string!(locale, presenter.steps.duplicate.title)
            }
            StepKind::Scenario(_) => td_string!(locale, presenter.steps.exactly_once.title),
            StepKind::Lab => td_string!(locale, presenter.steps.costs.title),
            StepKind::Inventory => td_string!(locale, presenter.steps.inventory.title),
        }
    }

    /// What → does here, for the presenter, in `locale`.
    pub fn hint_in(self, locale: Locale) -> &'static str {
        match self.kind {
            StepKind::Analogy => td_string!(locale, presenter.steps.analogy.hint),
            StepKind::Scenario(_) => td_string!(locale, presenter.scenario_hint),
            StepKind::Lab => td_string!(locale, presenter.steps.costs.hint),
            StepKind::Inventory => td_string!(locale, presenter.steps.inventory.hint),
        }
    }
}

/// The talk track.
pub const STEPS: [Step; 5] = [
    Step {
        kind: StepKind::Analogy,
    },
    Step {
        kind: StepKind::Scenario("qos1-puback-lost"),
    },
    Step {
        kind: StepKind::Scenario("qos2-pubrec-lost"),
    },
    Step {
        kind: StepKind::Lab,
    },
    Step {
        kind: StepKind::Inventory,
    },
];

/// Whether the Chinese title is shown beside the words: for a reader of
/// English (the QoS notes' audience reads Chinese).
fn quotes_chinese(locale: Locale) -> bool {
    locale != Locale::zh_CN
}

/// Presenter mode's state: the step shown, or `None` when not presenting.
#[derive(Debug, Clone, Copy)]
pub struct Presenter(pub RwSignal<Option<usize>>);

/// Where the lab runs in presenter mode: as its form says while the app is
/// connected to a broker, else on the simulated broker, so every step works
/// offline.
fn lab_target(lab: LabHandle) -> LabTarget {
    if online_untracked() {
        lab.form.with_untracked(|f| f.target)
    } else {
        LabTarget::Simulated
    }
}

/// The app is connected to a broker (read without subscribing).
fn online_untracked() -> bool {
    use_context::<ClientCtx>().is_some_and(|ctx| {
        ctx.model
            .with_untracked(|m| m.status == ConnStatus::Connected)
    })
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

/// What → does on a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Forward {
    /// Steps the guided scenario shown, staying on this step.
    ScenarioStep,
    /// Goes to the step with this index.
    GoTo(usize),
    /// Nothing: the last step, with nothing left to step through.
    Stay,
}

/// What → does on step `i`: a scenario that can still step steps first.
pub fn forward_from(i: usize, scenario_can_step: bool) -> Forward {
    if matches!(STEPS[i].kind, StepKind::Scenario(_)) && scenario_can_step {
        Forward::ScenarioStep
    } else if i + 1 < STEPS.len() {
        Forward::GoTo(i + 1)
    } else {
        Forward::Stay
    }
}

/// The step ← goes to from step `i` (the first stays).
pub fn back_from(i: usize) -> usize {
    i.saturating_sub(1)
}

/// Where the page scrolls on a step once the lab's report is in.
pub fn report_anchor(kind: StepKind) -> Option<&'static str> {
    match kind {
        StepKind::Lab => Some("#lab-claims"),
        StepKind::Inventory => Some(".lab-inventory"),
        StepKind::Analogy | StepKind::Scenario(_) => None,
    }
}

/// Enters each step as it is shown, and scrolls to the lab's table when
/// its report arrives after the step was entered.
fn follow_steps(
    step: RwSignal<Option<usize>>,
    view: RwSignal<View>,
    lab: LabHandle,
    remote: ScenarioRemote,
) {
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
    Effect::new(move |_| {
        if lab.report.with(|r| r.is_some()) && !lab.run.with(|r| r.busy) {
            if let Some(css) = step
                .get_untracked()
                .and_then(|i| report_anchor(STEPS[i].kind))
            {
                scroll_to(css);
            }
        }
    });
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
    follow_steps(step, view, lab, remote);
    let forward = move || {
        let Some(i) = step.get_untracked() else {
            return;
        };
        match forward_from(i, remote.can_step.get_untracked()) {
            Forward::ScenarioStep => remote.next.update(|n| *n += 1),
            Forward::GoTo(next) => step.set(Some(next)),
            Forward::Stay => {}
        }
    };
    let back = move || {
        if let Some(i) = step.get_untracked() {
            step.set(Some(back_from(i)));
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
            <PresenterBar
                step
                forward=Callback::new(move |()| forward())
                back=Callback::new(move |()| back())
                leave=Callback::new(move |()| leave())
            />
        </Show>
    }
}

/// The bar along the bottom: where the talk is, what → does, and the
/// back / next / leave buttons.
#[component]
fn PresenterBar(
    step: RwSignal<Option<usize>>,
    forward: Callback<()>,
    back: Callback<()>,
    leave: Callback<()>,
) -> impl IntoView {
    let current = move || step.get().map(|i| STEPS[i]);
    let i18n = use_i18n();
    let ctx = use_context::<ClientCtx>();
    // Not connected: the scenarios and the lab run on the simulated broker.
    let offline =
        move || ctx.is_none_or(|ctx| ctx.model.with(|m| m.status != ConnStatus::Connected));
    view! {
        <div
            class="presenter-bar"
            role="region"
            aria-label=move || t_string!(i18n, presenter.bar_label)
            data-testid="presenter-bar"
        >
            <span class="presenter-count">
                {move || step.get().map(|i| format!("{} / {}", i + 1, STEPS.len())).unwrap_or_default()}
            </span>
            <div class="presenter-text">
                <span class="presenter-title">
                    {move || current().map(|s| s.title_in(i18n.get_locale())).unwrap_or_default()}
                    {move || {
                        let locale = i18n.get_locale();
                        current()
                            .filter(|_| quotes_chinese(locale))
                            .map(|s| view! { <span class="zh" lang="zh-CN">{s.title_in(Locale::zh_CN)}</span> })
                    }}
                </span>
                <span class="presenter-hint">
                    {move || current().map(|s| s.hint_in(i18n.get_locale())).unwrap_or_default()}
                    <Show when=offline>
                        " · "
                        <span class="presenter-offline" data-testid="presenter-offline">{t!(i18n, presenter.offline)}</span>
                    </Show>
                </span>
            </div>
            <button class="btn" id="presenter-back" on:click=move |_| back.run(()) disabled=move || step.get() == Some(0)>{t!(i18n, presenter.back)}</button>
            <button
                class="btn primary"
                id="presenter-next"
                on:click=move |_| forward.run(())
                disabled=move || step.get() == Some(STEPS.len() - 1)
            >
                {t!(i18n, presenter.next)}
            </button>
            <button class="btn" id="presenter-leave" on:click=move |_| leave.run(())>{t!(i18n, presenter.leave)}</button>
        </div>
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

/// The QoS notes' courier analogy, one card per level: 平邮, 挂号信,
/// 专车配送. A reader of English sees the QoS notes' Chinese beside it.
#[component]
fn Analogy() -> impl IntoView {
    let i18n = use_i18n();
    let card = |class: &'static str,
                level: &'static str,
                name: fn(Locale) -> &'static str,
                text: fn(Locale) -> &'static str,
                packets: &'static str| {
        view! {
            <article class="analogy-card">
                <span class=class>{level}</span>
                <h3>
                    {move || name(i18n.get_locale())}
                    {move || quotes_chinese(i18n.get_locale()).then(|| view! {
                        " "
                        <span class="zh" lang="zh-CN">{name(Locale::zh_CN)}</span>
                    })}
                </h3>
                <p>{move || text(i18n.get_locale())}</p>
                {move || quotes_chinese(i18n.get_locale()).then(|| view! {
                    <p class="zh" lang="zh-CN">{text(Locale::zh_CN)}</p>
                })}
                <p class="analogy-packets">{packets}</p>
            </article>
        }
    };
    let chinese = move || quotes_chinese(i18n.get_locale());
    view! {
        <div class="analogy" role="dialog" aria-modal="false" aria-labelledby="analogy-title" data-testid="presenter-analogy">
            <h2 id="analogy-title">
                {t!(i18n, presenter.steps.analogy.title)}
                <Show when=chinese>
                    <span class="zh" lang="zh-CN">{td_string!(Locale::zh_CN, presenter.steps.analogy.title)}</span>
                </Show>
            </h2>
            <div class="analogy-cards">
                {card("qos-badge qos0", "QoS 0", |l| td_string!(l, presenter.analogy.q0_name), |l| td_string!(l, presenter.analogy.q0_text), "PUBLISH")}
                {card("qos-badge qos1", "QoS 1", |l| td_string!(l, presenter.analogy.q1_name), |l| td_string!(l, presenter.analogy.q1_text), "PUBLISH → PUBACK")}
                {card("qos-badge qos2", "QoS 2", |l| td_string!(l, presenter.analogy.q2_name), |l| td_string!(l, presenter.analogy.q2_text), "PUBLISH → PUBREC → PUBREL → PUBCOMP")}
            </div>
            <p class="analogy-foot">
                {t!(i18n, presenter.analogy.foot)}
                " "
                {t!(i18n, presenter.analogy.next)}
                <Show when=chinese>
                    <span class="zh" lang="zh-CN">{td_string!(Locale::zh_CN, presenter.analogy.foot)}</span>
                </Show>
            </p>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forward_steps_a_scenario_before_leaving_it() {
        assert_eq!(forward_from(1, true), Forward::ScenarioStep);
        assert_eq!(forward_from(1, false), Forward::GoTo(2));
        assert_eq!(forward_from(0, true), Forward::GoTo(1));
        assert_eq!(forward_from(STEPS.len() - 1, false), Forward::Stay);
    }

    #[test]
    fn back_stops_at_the_first_step() {
        assert_eq!(back_from(0), 0);
        assert_eq!(back_from(3), 2);
    }

    #[test]
    fn the_lab_steps_scroll_to_their_tables() {
        assert_eq!(report_anchor(StepKind::Lab), Some("#lab-claims"));
        assert_eq!(report_anchor(StepKind::Inventory), Some(".lab-inventory"));
        assert_eq!(report_anchor(StepKind::Analogy), None);
    }
}
