//! Fault-injection controls: one-shot drops, cutting the connection, random
//! loss and added latency. They only emit [`FaultIntent`]s; whoever runs the
//! engine (simulation or live transport) applies them.

use leptos::prelude::*;

use crate::i18n::{td_string, Locale};
use crate::mqtt::packet::PacketType;

use super::faults::{FaultIntent, FaultPlan, Hop, DROPPABLE};
use super::words;

/// The fault panel.
#[component]
pub fn FaultPanel(
    /// What is armed now.
    #[prop(into)]
    plan: Signal<FaultPlan>,
    /// Called with every change the presenter asks for.
    on_fault: Callback<FaultIntent>,
) -> impl IntoView {
    let locale = words::locale();
    let hop = RwSignal::new(Hop::PublisherBroker);
    view! {
        <fieldset class="vis-faults">
            <legend>{move || td_string!(locale.get(), visualiser.faults.legend)}</legend>
            {hop_choice(hop, locale)}
            {drop_buttons(plan, hop, on_fault, locale)}
            {loss_slider(plan, on_fault, locale)}
            {latency_slider(plan, on_fault, locale)}
        </fieldset>
    }
}

/// Which hop the drops and the cut act on.
fn hop_choice(hop: RwSignal<Hop>, locale: Signal<Locale>) -> impl IntoView {
    let hop_option = move |h: Hop| {
        view! {
            <label class="vis-hop">
                <input
                    type="radio"
                    name="vis-hop"
                    prop:checked=move || hop.get() == h
                    on:change=move |_| hop.set(h)
                />
                {move || h.label_in(locale.get())}
            </label>
        }
    };
    view! {
        <div class="vis-hops" role="radiogroup" aria-label=move || td_string!(locale.get(), visualiser.faults.hop)>
            {[Hop::PublisherBroker, Hop::BrokerSubscriber].map(hop_option)}
        </div>
    }
}

/// One "drop the next …" button per droppable packet, and the cut.
fn drop_buttons(
    plan: Signal<FaultPlan>,
    hop: RwSignal<Hop>,
    on_fault: Callback<FaultIntent>,
    locale: Signal<Locale>,
) -> impl IntoView {
    let drop_button = move |kind: PacketType| {
        let armed = move || plan.with(|p| p.is_armed(kind, hop.get()));
        view! {
            <button
                class="vis-drop"
                class:armed=armed
                aria-pressed=move || armed().to_string()
                aria-label=move || td_string!(locale.get(), visualiser.faults.drop_label, packet = kind.name()).to_string()
                on:click=move |_| on_fault.run(FaultIntent::DropNext { kind, hop: hop.get_untracked() })
            >
                {format!("✗ {}", kind.name())}
            </button>
        }
    };
    view! {
        <div class="vis-drops" role="group" aria-label=move || td_string!(locale.get(), visualiser.faults.drops)>
            {DROPPABLE.map(drop_button)}
            <button
                class="vis-cut"
                aria-label=move || td_string!(locale.get(), visualiser.faults.cut_label)
                on:click=move |_| on_fault.run(FaultIntent::CutConnection { hop: hop.get_untracked() })
            >
                {move || td_string!(locale.get(), visualiser.faults.cut)}
            </button>
        </div>
    }
}

/// Random loss, in percent.
fn loss_slider(
    plan: Signal<FaultPlan>,
    on_fault: Callback<FaultIntent>,
    locale: Signal<Locale>,
) -> impl IntoView {
    view! {
        <label class="vis-slider">
            <span>{move || td_string!(locale.get(), visualiser.faults.loss, percent = plan.with(|p| p.loss_percent)).to_string()}</span>
            <input
                type="range"
                min="0"
                max="100"
                step="5"
                aria-label=move || td_string!(locale.get(), visualiser.faults.loss_label)
                prop:value=move || plan.with(|p| p.loss_percent).to_string()
                on:change:target=move |ev| {
                    if let Ok(p) = ev.target().value().parse::<u8>() {
                        on_fault.run(FaultIntent::LossPercent(p));
                    }
                }
            />
        </label>
    }
}

/// Added latency, in milliseconds.
fn latency_slider(
    plan: Signal<FaultPlan>,
    on_fault: Callback<FaultIntent>,
    locale: Signal<Locale>,
) -> impl IntoView {
    view! {
        <label class="vis-slider">
            <span>{move || td_string!(locale.get(), visualiser.faults.latency, ms = plan.with(|p| p.latency_ms)).to_string()}</span>
            <input
                type="range"
                min="0"
                max="2000"
                step="20"
                aria-label=move || td_string!(locale.get(), visualiser.faults.latency_label)
                prop:value=move || plan.with(|p| p.latency_ms).to_string()
                on:change:target=move |ev| {
                    if let Ok(ms) = ev.target().value().parse::<u32>() {
                        on_fault.run(FaultIntent::LatencyMs(ms));
                    }
                }
            />
        </label>
    }
}
