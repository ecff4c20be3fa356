//! The subscriptions panel: a filter (validated live), QoS, and the table of
//! subscriptions with the QoS the broker granted or why it refused.

use leptos::prelude::*;

use super::model::{sentence, SubState, SubscriptionRow};
use super::publish::qos_from_value;
use super::ClientCtx;
use crate::mqtt::packet::QoS;
use crate::mqtt::session::SUBSCRIPTION_IDS;
use crate::mqtt::topic::validate_topic_filter;

/// Subscribe form and subscription table.
#[component]
pub fn SubscriptionsPanel() -> impl IntoView {
    let ctx = expect_context::<ClientCtx>();
    let filter = RwSignal::new(String::from("alarms/#"));
    let qos = RwSignal::new(QoS::ExactlyOnce);
    let filter_error = Memo::new(move |_| {
        filter.with(|f| {
            validate_topic_filter(f)
                .err()
                .map(|e| sentence(&e.to_string()))
        })
    });
    // The live connection's version, not the form's: the form may have changed since Connect.
    let is_v5 = Memo::new(move |_| ctx.speaks_v5());
    // MQTT 5 Subscription Identifier, as typed (empty = none).
    let subscription_id = RwSignal::new(String::new());
    let id_error = Memo::new(move |_| {
        subscription_id.with(|typed| match typed.trim() {
            "" => None,
            typed => match typed.parse::<u32>() {
                Ok(id) if SUBSCRIPTION_IDS.contains(&id) => None,
                _ => Some(format!(
                    "A subscription identifier is a whole number from {} to {}.",
                    SUBSCRIPTION_IDS.start(),
                    SUBSCRIPTION_IDS.end()
                )),
            },
        })
    });
    let subscribe = move || {
        if filter_error.with_untracked(Option::is_none) && id_error.with_untracked(Option::is_none)
        {
            let id = is_v5
                .get_untracked()
                .then(|| subscription_id.with_untracked(|t| t.trim().parse::<u32>().ok()))
                .flatten();
            ctx.subscribe_with_id(filter.get_untracked().clone(), qos.get_untracked(), id);
        }
    };
    let rows = move || ctx.model.with(|m| m.subscriptions.clone());
    view! {
        <section class="panel subscriptions" aria-labelledby="subscriptions-title">
            <h2 id="subscriptions-title">"Subscriptions"</h2>
            <div class="form-grid">
                <label class="field wide">
                    <span class="field-label">"Topic filter"</span>
                    <input
                        id="sub-filter"
                        type="text"
                        spellcheck="false"
                        autocomplete="off"
                        aria-describedby="sub-filter-error"
                        aria-invalid=move || filter_error.with(Option::is_some).to_string()
                        prop:value=move || filter.get()
                        on:input:target=move |ev| filter.set(ev.target().value())
                        on:keydown=move |ev| {
                            if ev.key() == "Enter" {
                                subscribe();
                            }
                        }
                    />
                    <span id="sub-filter-error" class="hint error" data-testid="sub-filter-error">
                        {move || filter_error.get().unwrap_or_default()}
                    </span>
                </label>
                <label class="field">
                    <span class="field-label">"Maximum QoS"</span>
                    <select id="sub-qos" on:change:target=move |ev| qos.set(qos_from_value(&ev.target().value()))>
                        <option value="0" selected=move || qos.get() == QoS::AtMostOnce>"0 · at most once"</option>
                        <option value="1" selected=move || qos.get() == QoS::AtLeastOnce>"1 · at least once"</option>
                        <option value="2" selected=move || qos.get() == QoS::ExactlyOnce>"2 · exactly once"</option>
                    </select>
                </label>
                <Show when=move || is_v5.get()>
                    <label class="field">
                        <span class="field-label">"Subscription identifier (MQTT 5)"</span>
                        <input
                            id="sub-id"
                            type="text"
                            inputmode="numeric"
                            autocomplete="off"
                            placeholder="none"
                            title="The broker tags every message this subscription delivers with it"
                            aria-describedby="sub-id-error"
                            prop:value=move || subscription_id.get()
                            on:input:target=move |ev| subscription_id.set(ev.target().value())
                        />
                        <span id="sub-id-error" class="hint error">
                            {move || id_error.get().unwrap_or_default()}
                        </span>
                    </label>
                </Show>
                <div class="field end">
                    <button
                        id="sub-btn"
                        class="btn primary"
                        disabled=move || filter_error.with(Option::is_some) || (is_v5.get() && id_error.with(Option::is_some))
                        on:click=move |_| subscribe()
                    >
                        "Subscribe"
                    </button>
                </div>
            </div>
            <p
                class="feedback error"
                role="status"
                aria-live="polite"
            >
                {move || ctx.model.with(|m| m.subscribe_feedback.as_ref().map(|f| f.text.clone())).unwrap_or_default()}
            </p>
            <Show
                when=move || ctx.model.with(|m| !m.subscriptions.is_empty())
                fallback=|| view! {
                    <p class="empty">"No subscriptions yet. Subscribe to a filter such as alarms/# — messages matching it appear under Messages."</p>
                }
            >
                <ul class="sub-list">
                    <For each=rows key=|row| (row.filter.clone(), row.packet_id, state_key(&row.state)) let:row>
                        <SubscriptionItem row=row />
                    </For>
                </ul>
            </Show>
        </section>
    }
}

fn state_key(state: &SubState) -> String {
    format!("{state:?}")
}

/// One subscription: filter, requested and granted QoS (or the failure), Unsubscribe.
#[component]
fn SubscriptionItem(row: SubscriptionRow) -> impl IntoView {
    let ctx = expect_context::<ClientCtx>();
    let filter = row.filter.clone();
    let requested = row.requested.as_u8();
    let (badge_class, state_text) = match &row.state {
        SubState::Pending => (
            "state pending".to_string(),
            "waiting for SUBACK…".to_string(),
        ),
        SubState::Granted(q) => (
            format!("qos-badge qos{}", q.as_u8()),
            format!("granted QoS {}", q.as_u8()),
        ),
        SubState::Failed(reason) => ("state failed".to_string(), format!("refused: {reason}")),
        SubState::Leaving => (
            "state pending".to_string(),
            "waiting for UNSUBACK…".to_string(),
        ),
    };
    let downgraded = matches!(row.state, SubState::Granted(q) if q < row.requested);
    view! {
        <li class="sub-row" data-testid="sub-row">
            <span class="topic" data-testid="sub-filter-text">{row.filter.clone()}</span>
            <span class="requested">{format!("asked QoS {requested}")}</span>
            <span class=badge_class data-testid="sub-granted">{state_text}</span>
            {downgraded.then(|| view! { <span class="warn">"downgraded by the broker"</span> })}
            <button
                class="btn small"
                aria-label=format!("Unsubscribe from {filter}")
                on:click=move |_| ctx.unsubscribe(filter.clone())
            >
                "Unsubscribe"
            </button>
        </li>
    }
}
