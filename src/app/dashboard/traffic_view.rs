//! The demo traffic generator's controls.

use leptos::prelude::*;

use super::context::DashboardContext;
use super::traffic::MAX_RATE;
use crate::app::locale::use_i18n;
use crate::i18n::{t, t_string};
use crate::mqtt::packet::QoS;

/// Generator controls. `running` and `sent` belong to the frame loop.
#[component]
pub fn TrafficPanel(running: RwSignal<bool>, #[prop(into)] sent: Signal<u64>) -> impl IntoView {
    let ctx = DashboardContext::get();
    let i18n = use_i18n();
    let where_to = move || {
        if ctx.is_live() {
            t_string!(i18n, dashboard.traffic.live)
        } else {
            t_string!(i18n, dashboard.traffic.offline)
        }
    };
    view! {
        <section class="dash-panel dash-traffic" aria-labelledby="dash-traffic-title">
            <header class="dash-panel-head">
                <h2 id="dash-traffic-title">{t!(i18n, dashboard.traffic.title)}</h2>
                <span class="dash-count">
                    {move || t_string!(i18n, dashboard.traffic.sent, count = sent.get())}
                </span>
            </header>
            <div class="dash-filters">
                <RateAndQos />
                <TopicToggles />
                <button
                    class="dash-button dash-primary"
                    aria-pressed=move || running.get().to_string()
                    on:click=move |_| running.update(|r| *r = !*r)
                >
                    {move || {
                        if running.get() {
                            t_string!(i18n, dashboard.traffic.stop)
                        } else {
                            t_string!(i18n, dashboard.traffic.start)
                        }
                    }}
                </button>
            </div>
            <p class="dash-hint">{where_to}</p>
        </section>
    }
}

/// The generator's rate (clamped to 1..=[`MAX_RATE`]) and QoS.
#[component]
fn RateAndQos() -> impl IntoView {
    let ctx = DashboardContext::get();
    let i18n = use_i18n();
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
    view! {
        <label>
            {t!(i18n, dashboard.traffic.rate)}
            " "
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
    }
}

/// Which kinds of message the generator sends.
#[component]
fn TopicToggles() -> impl IntoView {
    let ctx = DashboardContext::get();
    let i18n = use_i18n();
    let traffic = move || ctx.settings.with(|s| s.traffic);
    view! {
        <Toggle get=move || traffic().fire set=move |s, v| s.traffic.fire = v>
            {t!(i18n, dashboard.traffic.fire)}
        </Toggle>
        <Toggle get=move || traffic().security set=move |s, v| s.traffic.security = v>
            {t!(i18n, dashboard.traffic.security)}
        </Toggle>
        <Toggle get=move || traffic().stock set=move |s, v| s.traffic.stock = v>
            {t!(i18n, dashboard.traffic.stock)}
        </Toggle>
        <Toggle
            get=move || traffic().message_ids
            set=move |s, v| s.traffic.message_ids = v
        >
            {t!(i18n, dashboard.traffic.message_ids)}
        </Toggle>
    }
}

#[component]
fn Toggle(
    /// The words beside the box.
    children: Children,
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
            " "
            {children()}
        </label>
    }
}
