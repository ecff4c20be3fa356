//! The demo traffic generator's controls.

use leptos::prelude::*;

use super::context::DashboardContext;
use super::traffic::MAX_RATE;
use crate::mqtt::packet::QoS;

/// Generator controls. `running` and `sent` belong to the frame loop.
#[component]
pub fn TrafficPanel(running: RwSignal<bool>, #[prop(into)] sent: Signal<u64>) -> impl IntoView {
    let ctx = DashboardContext::get();
    let traffic = move || ctx.settings.with(|s| s.traffic);
    let set_rate = move |value: String| {
        if let Ok(rate) = value.trim().parse::<u32>() {
            ctx.settings
                .update(|s| s.traffic.rate_per_s = rate.clamp(1, MAX_RATE));
        }
    };
    let set_qos = move |value: String| {
        let qos = value
            .parse::<u8>()
            .ok()
            .and_then(QoS::from_u8)
            .unwrap_or_default();
        ctx.settings.update(|s| s.traffic.qos = qos);
    };
    let where_to = move || {
        if ctx.is_live() {
            "Messages go through the broker of the current connection."
        } else {
            "No connection: messages are looped back locally, not sent to a broker."
        }
    };
    view! {
        <section class="dash-panel dash-traffic" aria-labelledby="dash-traffic-title">
            <header class="dash-panel-head">
                <h2 id="dash-traffic-title">"Traffic generator"</h2>
                <span class="dash-count">{move || format!("{} sent", sent.get())}</span>
            </header>
            <div class="dash-filters">
                <label>
                    "Rate (msg/s) "
                    <input
                        type="number"
                        min="1"
                        max=MAX_RATE
                        prop:value=move || traffic().rate_per_s.to_string()
                        on:change:target=move |ev| set_rate(ev.target().value())
                    />
                </label>
                <label>
                    "QoS "
                    <select on:change:target=move |ev| set_qos(ev.target().value())>
                        {[0u8, 1, 2]
                            .into_iter()
                            .map(|level| {
                                view! {
                                    <option
                                        value=level.to_string()
                                        selected=move || traffic().qos as u8 == level
                                    >
                                        {level}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </label>
                <Toggle label="Fire" get=move || traffic().fire set=move |s, v| s.traffic.fire = v />
                <Toggle
                    label="Security"
                    get=move || traffic().security
                    set=move |s, v| s.traffic.security = v
                />
                <Toggle
                    label="Stock movements"
                    get=move || traffic().stock
                    set=move |s, v| s.traffic.stock = v
                />
                <Toggle
                    label="Message ids"
                    get=move || traffic().message_ids
                    set=move |s, v| s.traffic.message_ids = v
                />
                <button
                    class="dash-button dash-primary"
                    aria-pressed=move || running.get().to_string()
                    on:click=move |_| running.update(|r| *r = !*r)
                >
                    {move || if running.get() { "Stop" } else { "Start" }}
                </button>
            </div>
            <p class="dash-hint">{where_to}</p>
        </section>
    }
}

#[component]
fn Toggle(
    label: &'static str,
    get: impl Fn() -> bool + Send + Sync + Copy + 'static,
    set: impl Fn(&mut super::settings::DashboardSettings, bool) + Send + Sync + Copy + 'static,
) -> impl IntoView {
    let ctx = DashboardContext::get();
    view! {
        <label class="dash-check">
            <input
                type="checkbox"
                prop:checked=get
                on:change:target=move |ev| {
                    let on = ev.target().checked();
                    ctx.settings.update(|s| set(s, on));
                }
            />
            {format!(" {label}")}
        </label>
    }
}
