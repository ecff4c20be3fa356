//! Fault-injection controls: one-shot drops, cutting the connection, random
//! loss and added latency. They only emit [`FaultIntent`]s; whoever runs the
//! engine (simulation or live transport) applies them.

use leptos::prelude::*;

use super::faults::{FaultIntent, FaultPlan, Hop, DROPPABLE};

/// The fault panel.
#[component]
pub fn FaultPanel(
    /// What is armed now.
    #[prop(into)]
    plan: Signal<FaultPlan>,
    /// Called with every change the presenter asks for.
    on_fault: Callback<FaultIntent>,
) -> impl IntoView {
    let hop = RwSignal::new(Hop::PublisherBroker);
    let drop_button = move |kind: crate::mqtt::packet::PacketType| {
        let armed = move || plan.with(|p| p.is_armed(kind, hop.get()));
        view! {
            <button
                class="vis-drop"
                class:armed=armed
                aria-pressed=move || armed().to_string()
                aria-label=format!("Drop the next {}", kind.name())
                on:click=move |_| on_fault.run(FaultIntent::DropNext { kind, hop: hop.get_untracked() })
            >
                {format!("✗ {}", kind.name())}
            </button>
        }
    };
    let hop_option = move |h: Hop| {
        view! {
            <label class="vis-hop">
                <input
                    type="radio"
                    name="vis-hop"
                    prop:checked=move || hop.get() == h
                    on:change=move |_| hop.set(h)
                />
                {h.label()}
            </label>
        }
    };
    view! {
        <fieldset class="vis-faults">
            <legend>"Network faults"</legend>
            <div class="vis-hops" role="radiogroup" aria-label="Hop">
                {[Hop::PublisherBroker, Hop::BrokerSubscriber].map(hop_option)}
            </div>
            <div class="vis-drops" role="group" aria-label="Drop the next packet">
                {DROPPABLE.map(drop_button)}
                <button
                    class="vis-cut"
                    aria-label="Cut the connection now"
                    on:click=move |_| on_fault.run(FaultIntent::CutConnection { hop: hop.get_untracked() })
                >
                    "Cut connection"
                </button>
            </div>
            <label class="vis-slider">
                <span>{move || format!("Loss {}%", plan.with(|p| p.loss_percent))}</span>
                <input
                    type="range"
                    min="0"
                    max="100"
                    step="5"
                    aria-label="Random packet loss, percent"
                    prop:value=move || plan.with(|p| p.loss_percent).to_string()
                    on:change:target=move |ev| {
                        if let Ok(p) = ev.target().value().parse::<u8>() {
                            on_fault.run(FaultIntent::LossPercent(p));
                        }
                    }
                />
            </label>
            <label class="vis-slider">
                <span>{move || format!("Latency +{} ms", plan.with(|p| p.latency_ms))}</span>
                <input
                    type="range"
                    min="0"
                    max="2000"
                    step="20"
                    aria-label="Added latency, milliseconds"
                    prop:value=move || plan.with(|p| p.latency_ms).to_string()
                    on:change:target=move |ev| {
                        if let Ok(ms) = ev.target().value().parse::<u32>() {
                            on_fault.run(FaultIntent::LatencyMs(ms));
                        }
                    }
                />
            </label>
        </fieldset>
    }
}
