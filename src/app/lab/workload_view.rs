//! The Lab tab's workload form: where to run, how many messages of what
//! size, how fast, which faults and levels; and the progress bars of a run.

use leptos::prelude::*;
use web_sys::HtmlInputElement;

use crate::app::locale::use_i18n;
use crate::i18n::{t, t_string, td_string, Locale};
use crate::mqtt::packet::QoS;

use super::form::{FaultKind, LabForm, LabTarget};
use super::handle::{LabHandle, LevelBar};
use super::report::group;
use super::view::qos_class;

/// A number field bound to one of the form's strings.
fn number_field(
    handle: LabHandle,
    id: &'static str,
    label: fn(Locale) -> &'static str,
    get: fn(&LabForm) -> String,
    set: fn(&mut LabForm, String),
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <label class="field">
            <span class="field-label">{move || label(i18n.get_locale())}</span>
            <input
                id=id
                type="text"
                inputmode="numeric"
                prop:value=move || handle.form.with(get)
                on:input:target=move |ev| handle.form.update(|f| set(f, ev.target().value()))
                disabled=move || handle.run.with(|r| r.busy)
            />
        </label>
    }
}

/// The workload form, its error line and the run's progress.
#[component]
pub(super) fn WorkloadPanel(handle: LabHandle) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="panel lab-workload" aria-labelledby="lab-workload-title">
            <h2 id="lab-workload-title">{t!(i18n, lab.form.title)}</h2>
            <p class="hint">{t!(i18n, lab.form.intro)}</p>
            <div class="form-grid">
                <TargetChoice handle />
                {number_field(handle, "lab-messages", |l| td_string!(l, lab.form.messages), |f| f.messages.clone(), |f, v| f.messages = v)}
                {number_field(handle, "lab-payload", |l| td_string!(l, lab.form.payload), |f| f.payload_bytes.clone(), |f, v| f.payload_bytes = v)}
                <RateFields handle />
                <FaultFields handle />
                <LevelChoice handle />
                <RunButtons handle />
            </div>
            <p class="feedback error" role="alert" data-testid="lab-error">
                {move || handle.error.get().map(|e| e.text_in(i18n.get_locale())).unwrap_or_default()}
            </p>
            <Progress handle />
        </section>
    }
}

/// The connected broker or the simulated one.
#[component]
fn TargetChoice(handle: LabHandle) -> impl IntoView {
    let busy = move || handle.run.with(|r| r.busy);
    let target = move || handle.form.with(|f| f.target);
    let i18n = use_i18n();
    let broker_url = move || view! { <code>{move || handle.broker_url()}</code> };
    view! {
        <fieldset class="wide lab-target">
            <legend class="field-label">{t!(i18n, lab.form.target)}</legend>
            <label class="check">
                <input
                    type="radio"
                    name="lab-target"
                    id="lab-target-broker"
                    prop:checked=move || target() == LabTarget::Broker
                    on:change=move |_| handle.form.update(|f| f.target = LabTarget::Broker)
                    disabled=busy
                />
                <span>{t!(i18n, lab.form.target_broker, url = broker_url)}</span>
            </label>
            <label class="check">
                <input
                    type="radio"
                    name="lab-target"
                    id="lab-target-sim"
                    prop:checked=move || target() == LabTarget::Simulated
                    on:change=move |_| handle.form.update(|f| f.target = LabTarget::Simulated)
                    disabled=busy
                />
                <span>{t!(i18n, lab.form.target_sim)}</span>
            </label>
        </fieldset>
    }
}

/// As fast as allowed, or a rate per second.
#[component]
fn RateFields(handle: LabHandle) -> impl IntoView {
    let busy = move || handle.run.with(|r| r.busy);
    let i18n = use_i18n();
    view! {
        <div class="field">
            <span class="field-label">{t!(i18n, lab.form.rate)}</span>
            <label class="check">
                <input
                    id="lab-max-rate"
                    type="checkbox"
                    prop:checked=move || handle.form.with(|f| f.max_rate)
                    on:change:target=move |ev| handle.form.update(|f| f.max_rate = ev.target().checked())
                    disabled=busy
                />
                <span>{t!(i18n, lab.form.max_rate)}</span>
            </label>
        </div>
        <Show when=move || !handle.form.with(|f| f.max_rate)>
            {number_field(handle, "lab-rate", |l| td_string!(l, lab.form.per_second), |f| f.rate.clone(), |f, v| f.rate = v)}
        </Show>
    }
}

/// The fault profile, and its loss percentage and cut interval when it has them.
#[component]
fn FaultFields(handle: LabHandle) -> impl IntoView {
    let busy = move || handle.run.with(|r| r.busy);
    let i18n = use_i18n();
    view! {
        <label class="field">
            <span class="field-label">{t!(i18n, lab.form.faults)}</span>
            <select
                id="lab-faults"
                on:change:target=move |ev| handle.form.update(|f| f.fault = FaultKind::from_key(&ev.target().value()))
                disabled=busy
            >
                <option value="none" selected=move || handle.form.with(|f| f.fault == FaultKind::None)>{t!(i18n, lab.form.fault_none)}</option>
                <option value="loss" selected=move || handle.form.with(|f| f.fault == FaultKind::Loss)>{t!(i18n, lab.form.fault_loss)}</option>
                <option value="cut" selected=move || handle.form.with(|f| f.fault == FaultKind::Cut)>{t!(i18n, lab.form.fault_cut)}</option>
                <option value="loss-cut" selected=move || handle.form.with(|f| f.fault == FaultKind::LossAndCut)>{t!(i18n, lab.form.fault_both)}</option>
            </select>
        </label>
        <Show when=move || handle.form.with(|f| matches!(f.fault, FaultKind::Loss | FaultKind::LossAndCut))>
            {number_field(handle, "lab-loss", |l| td_string!(l, lab.form.loss), |f| f.loss_percent.clone(), |f, v| f.loss_percent = v)}
        </Show>
        <Show when=move || handle.form.with(|f| matches!(f.fault, FaultKind::Cut | FaultKind::LossAndCut))>
            {number_field(handle, "lab-cut", |l| td_string!(l, lab.form.cut_seconds), |f| f.cut_seconds.clone(), |f, v| f.cut_seconds = v)}
        </Show>
    }
}

/// Which of QoS 0, 1 and 2 to run.
#[component]
fn LevelChoice(handle: LabHandle) -> impl IntoView {
    let busy = move || handle.run.with(|r| r.busy);
    let i18n = use_i18n();
    view! {
        <fieldset class="wide lab-levels">
            <legend class="field-label">{t!(i18n, lab.form.levels)}</legend>
            {[QoS::AtMostOnce, QoS::AtLeastOnce, QoS::ExactlyOnce]
                .into_iter()
                .enumerate()
                .map(|(i, q)| {
                    view! {
                        <label class="check">
                            <input
                                type="checkbox"
                                id=format!("lab-level-{i}")
                                prop:checked=move || handle.form.with(|f| f.levels[i])
                                on:change:target=move |ev| handle.form.update(|f| f.levels[i] = ev.target().checked())
                                disabled=busy
                            />
                            <span class=qos_class(q)>{format!("QoS {}", q.as_u8())}</span>
                        </label>
                    }
                })
                .collect_view()}
        </fieldset>
    }
}

/// Run, stop, and open a saved run.
#[component]
fn RunButtons(handle: LabHandle) -> impl IntoView {
    let busy = move || handle.run.with(|r| r.busy);
    let i18n = use_i18n();
    let on_file = move |ev: leptos::ev::Event| {
        let input: HtmlInputElement = event_target(&ev);
        let _ =
            crate::app::visualiser::files::read_chosen_file(&input, move |text| handle.load(&text));
        input.set_value("");
    };
    view! {
        <div class="button-row wide">
            <button id="lab-run" class="btn primary" disabled=busy on:click=move |_| handle.start()>
                {move || if busy() { t_string!(i18n, lab.form.running) } else { t_string!(i18n, lab.form.run) }}
            </button>
            <Show when=busy>
                <button id="lab-stop" class="btn danger" on:click=move |_| handle.stop()>{t!(i18n, lab.form.stop)}</button>
            </Show>
            <label class="btn file-btn" class:disabled=busy>
                {t!(i18n, lab.form.open)}
                <input id="lab-load" type="file" accept=".json,application/json" on:change=on_file disabled=busy />
            </label>
        </div>
    }
}

#[component]
fn Progress(handle: LabHandle) -> impl IntoView {
    let i18n = use_i18n();
    let bar = move |b: LevelBar, locale: Locale| {
        let share = if b.planned == 0 {
            0.0
        } else {
            100.0 * f64::from(b.delivered.min(b.planned)) / f64::from(b.planned)
        };
        let q = b.qos.as_u8();
        let (delivered, planned) = (group(u64::from(b.delivered)), group(u64::from(b.planned)));
        let text = if b.done {
            td_string!(locale, lab.progress.delivered_done, delivered, planned).to_string()
        } else if b.published > 0 {
            td_string!(locale, lab.progress.delivered_running, delivered, planned).to_string()
        } else {
            td_string!(locale, lab.progress.delivered, delivered, planned).to_string()
        };
        view! {
            <div class="lab-bar" data-testid=format!("lab-progress-q{q}")>
                <span class=qos_class(b.qos)>{format!("QoS {q}")}</span>
                <div
                    class="lab-track"
                    role="progressbar"
                    aria-label=td_string!(locale, lab.progress.bar_label, qos = q).to_string()
                    aria-valuemin="0"
                    aria-valuemax="100"
                    aria-valuenow=format!("{share:.0}")
                >
                    <div class=format!("lab-fill q{q}") style=format!("width: {share:.1}%")></div>
                </div>
                <span class="count">{text}</span>
            </div>
        }
    };
    view! {
        <Show when=move || handle.run.with(|r| r.busy)>
            <div class="lab-progress" aria-live="polite">
                <p class="lab-stage" role="status" data-testid="lab-stage">
                    <span class="spinner" aria-hidden="true"></span>
                    {move || handle.run.with(|r| r.stage.text_in(i18n.get_locale()))}
                </p>
                {move || {
                    let locale = i18n.get_locale();
                    handle.run.with(|r| r.bars.clone()).into_iter().map(|b| bar(b, locale)).collect_view()
                }}
            </div>
        </Show>
    }
}
