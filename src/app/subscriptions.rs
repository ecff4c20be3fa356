//! The subscriptions panel: a filter (validated live), QoS, and the table of
//! subscriptions with the QoS the broker granted or why it refused.

use leptos::prelude::*;

use super::form::{reader_locale, SubscribeForm};
use super::model::{topic_error_sentence, SubState, SubscriptionRow};
use super::publish::{qos_from_value, qos_options};
use super::ClientCtx;
use crate::i18n::{td_string, Locale};
use crate::mqtt::session::SUBSCRIPTION_IDS;
use crate::mqtt::topic::TopicError;

/// Subscribe form and subscription table.
#[component]
pub fn SubscriptionsPanel() -> impl IntoView {
    let ctx = expect_context::<ClientCtx>();
    let locale = reader_locale();
    let form = RwSignal::new(SubscribeForm::default());
    let filter_error = Memo::new(move |_| form.with(SubscribeForm::filter_error));
    // The live connection's version, not the form's: the form may have changed since Connect.
    let is_v5 = Memo::new(move |_| ctx.speaks_v5());
    let id_error = Memo::new(move |_| form.with(SubscribeForm::id_error));
    let subscribe = Callback::new(move |()| {
        if let Some(choice) = form.with_untracked(|f| f.choice(is_v5.get_untracked())) {
            ctx.subscribe_with_id(choice.filter, choice.qos, choice.subscription_id);
        }
    });
    let qos = Signal::derive(move || form.with(|f| f.qos));
    view! {
        <section class="panel subscriptions" aria-labelledby="subscriptions-title">
            <h2 id="subscriptions-title">{move || td_string!(locale.get(), client.subscriptions.title)}</h2>
            <div class="form-grid">
                <FilterField form=form filter_error=filter_error on_enter=subscribe />
                <label class="field">
                    <span class="field-label">{move || td_string!(locale.get(), client.subscriptions.max_qos)}</span>
                    <select id="sub-qos" on:change:target=move |ev| form.update(|f| f.qos = qos_from_value(&ev.target().value()))>
                        {qos_options(locale, qos)}
                    </select>
                </label>
                <Show when=move || is_v5.get()>
                    <SubscriptionIdField form=form id_error=id_error />
                </Show>
                <div class="field end">
                    <button
                        id="sub-btn"
                        class="btn primary"
                        disabled=move || filter_error.with(Option::is_some) || (is_v5.get() && id_error.get())
                        on:click=move |_| subscribe.run(())
                    >
                        {move || td_string!(locale.get(), client.subscriptions.subscribe)}
                    </button>
                </div>
            </div>
            <p
                class="feedback error"
                role="status"
                aria-live="polite"
            >
                {move || ctx.model.with(|m| m.subscribe_feedback.as_ref().map(|f| f.text_in(locale.get()))).unwrap_or_default()}
            </p>
            <SubscriptionTable />
        </section>
    }
}

/// The topic filter, checked as typed; Enter subscribes.
#[component]
fn FilterField(
    form: RwSignal<SubscribeForm>,
    filter_error: Memo<Option<TopicError>>,
    on_enter: Callback<()>,
) -> impl IntoView {
    let locale = reader_locale();
    view! {
        <label class="field wide">
            <span class="field-label">{move || td_string!(locale.get(), client.subscriptions.filter)}</span>
            <input
                id="sub-filter"
                type="text"
                spellcheck="false"
                autocomplete="off"
                aria-describedby="sub-filter-error"
                aria-invalid=move || filter_error.with(Option::is_some).to_string()
                prop:value=move || form.with(|f| f.filter.clone())
                on:input:target=move |ev| form.update(|f| f.filter = ev.target().value())
                on:keydown=move |ev| {
                    if ev.key() == "Enter" {
                        on_enter.run(());
                    }
                }
            />
            <span id="sub-filter-error" class="hint error" data-testid="sub-filter-error">
                {move || {
                    let locale = locale.get();
                    filter_error.with(|e| e.as_ref().map(|e| topic_error_sentence(e, locale))).unwrap_or_default()
                }}
            </span>
        </label>
    }
}

/// MQTT 5: the Subscription Identifier to ask for (empty = none).
#[component]
fn SubscriptionIdField(form: RwSignal<SubscribeForm>, id_error: Memo<bool>) -> impl IntoView {
    let locale = reader_locale();
    view! {
        <label class="field">
            <span class="field-label">{move || td_string!(locale.get(), client.subscriptions.id)}</span>
            <input
                id="sub-id"
                type="text"
                inputmode="numeric"
                autocomplete="off"
                placeholder=move || td_string!(locale.get(), client.subscriptions.id_none)
                title=move || td_string!(locale.get(), client.subscriptions.id_title)
                aria-describedby="sub-id-error"
                prop:value=move || form.with(|f| f.subscription_id.clone())
                on:input:target=move |ev| form.update(|f| f.subscription_id = ev.target().value())
            />
            <span id="sub-id-error" class="hint error">
                {move || id_error.get().then(|| id_error_words(locale.get()))}
            </span>
        </label>
    }
}

/// The subscriptions made, or what to do while there are none.
#[component]
fn SubscriptionTable() -> impl IntoView {
    let ctx = expect_context::<ClientCtx>();
    let locale = reader_locale();
    let rows = move || ctx.model.with(|m| m.subscriptions.clone());
    view! {
        <Show
            when=move || ctx.model.with(|m| !m.subscriptions.is_empty())
            fallback=move || view! {
                <p class="empty">{move || td_string!(locale.get(), client.subscriptions.empty)}</p>
            }
        >
            <ul class="sub-list">
                <For each=rows key=|row| (row.filter.clone(), row.packet_id, state_key(&row.state)) let:row>
                    <SubscriptionItem row=row />
                </For>
            </ul>
        </Show>
    }
}

fn state_key(state: &SubState) -> String {
    format!("{state:?}")
}

/// What is wrong with a typed subscription identifier, in `locale`.
fn id_error_words(locale: Locale) -> String {
    td_string!(
        locale,
        client.subscriptions.id_error,
        min = SUBSCRIPTION_IDS.start(),
        max = SUBSCRIPTION_IDS.end()
    )
    .to_string()
}

/// A subscription's state in `locale`: waiting, granted, refused (with the
/// broker's reason, as the model words it), leaving.
fn state_words(state: &SubState, locale: Locale) -> String {
    match state {
        SubState::Pending => td_string!(locale, client.subscriptions.waiting_suback).into(),
        SubState::Granted(q) => {
            td_string!(locale, client.subscriptions.granted, qos = q.as_u8()).to_string()
        }
        SubState::Failed(reason) => td_string!(
            locale,
            client.subscriptions.refused,
            reason = reason.words_in(locale)
        )
        .to_string(),
        SubState::Leaving => td_string!(locale, client.subscriptions.waiting_unsuback).into(),
    }
}

/// One subscription: filter, requested and granted QoS (or the failure), Unsubscribe.
#[component]
fn SubscriptionItem(row: SubscriptionRow) -> impl IntoView {
    let ctx = expect_context::<ClientCtx>();
    let locale = reader_locale();
    let filter = row.filter.clone();
    let requested = row.requested.as_u8();
    let badge_class = match &row.state {
        SubState::Pending | SubState::Leaving => "state pending".to_string(),
        SubState::Granted(q) => format!("qos-badge qos{}", q.as_u8()),
        SubState::Failed(_) => "state failed".to_string(),
    };
    let state = row.state.clone();
    let downgraded = matches!(row.state, SubState::Granted(q) if q < row.requested);
    view! {
        <li class="sub-row" data-testid="sub-row">
            <span class="topic" data-testid="sub-filter-text">{row.filter.clone()}</span>
            <span class="requested">
                {move || td_string!(locale.get(), client.subscriptions.asked, qos = requested).to_string()}
            </span>
            <span class=badge_class data-testid="sub-granted">{move || state_words(&state, locale.get())}</span>
            {downgraded.then(|| view! {
                <span class="warn">{move || td_string!(locale.get(), client.subscriptions.downgraded)}</span>
            })}
            <button
                class="btn small"
                aria-label={
                    let filter = filter.clone();
                    move || td_string!(locale.get(), client.subscriptions.unsubscribe_label, filter = filter.as_str()).to_string()
                }
                on:click=move |_| ctx.unsubscribe(filter.clone())
            >
                {move || td_string!(locale.get(), client.subscriptions.unsubscribe)}
            </button>
        </li>
    }
}
