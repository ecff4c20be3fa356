//! The connection panel: broker, identity, session options, last will,
//! retry policy, Connect/Disconnect, saved profiles.

use leptos::prelude::*;

use super::form::{check_broker_url, ConnectionForm, FormError, ProfileShelf, RetryChoice};
use super::session_store::Stored;
use super::ClientCtx;
use crate::i18n::{td_string, Locale};
use crate::mqtt::packet::{ProtocolVersion, QoS};
use crate::net::storage::LocalStorage;

type Getter = fn(&ConnectionForm) -> String;
type Setter = fn(&mut ConnectionForm, String);
type FlagGetter = fn(&ConnectionForm) -> bool;
type FlagSetter = fn(&mut ConnectionForm, bool);
/// A label's words in a locale.
type Words = fn(Locale) -> &'static str;

/// A labelled text input bound to one form field.
fn text_field(
    form: RwSignal<ConnectionForm>,
    id: &'static str,
    label: Words,
    kind: &'static str,
    get: Getter,
    set: Setter,
) -> impl IntoView {
    let locale = super::form::reader_locale();
    view! {
        <label class="field">
            <span class="field-label">{move || label(locale.get())}</span>
            <input
                id=id
                type=kind
                autocomplete="off"
                spellcheck="false"
                prop:value=move || form.with(get)
                on:input:target=move |ev| form.update(|f| set(f, ev.target().value()))
            />
        </label>
    }
}

/// A labelled checkbox bound to one form flag.
fn check_field(
    form: RwSignal<ConnectionForm>,
    id: &'static str,
    label: Words,
    get: FlagGetter,
    set: FlagSetter,
) -> impl IntoView {
    let locale = super::form::reader_locale();
    view! {
        <label class="check">
            <input
                id=id
                type="checkbox"
                prop:checked=move || form.with(get)
                on:change:target=move |ev| form.update(|f| set(f, ev.target().checked()))
            />
            <span>{move || label(locale.get())}</span>
        </label>
    }
}

/// Everything needed to connect, and the button that does it.
#[component]
pub fn ConnectionPanel() -> impl IntoView {
    let ctx = expect_context::<ClientCtx>();
    let form = ctx.form;
    let model = ctx.model;
    let locale = super::form::reader_locale();
    let active = Memo::new(move |_| model.with(|m| m.status.is_active()));
    let is_v5 = Memo::new(move |_| form.with(|f| f.version == ProtocolVersion::V5));
    // Why the form cannot connect (or disconnect as asked), kept as what
    // went wrong so that it reads in the language chosen now. The model's
    // own errors (refused, unreachable) replace it when they come.
    let form_error = RwSignal::new(None::<FormError>);
    let model_error = Memo::new(move |_| model.with(|m| m.error.clone()));
    Effect::new(move |_| {
        model_error.track();
        form_error.set(None);
    });
    let on_connect = move |_| {
        let disconnecting = active.get_untracked();
        if let Err(why) = form.with_untracked(|f| f.check_button(disconnecting)) {
            form_error.set(Some(why));
            return;
        }
        form_error.set(None);
        if disconnecting {
            ctx.disconnect();
        } else {
            ctx.connect();
        }
    };
    view! {
        <section class="panel connection" aria-labelledby="connection-title">
            <h2 id="connection-title">{move || td_string!(locale.get(), client.connection.title)}</h2>
            <SessionSettings form=form active=active is_v5=is_v5 />
            <Show when=move || is_v5.get()>
                <DisconnectOptions form=form />
            </Show>
            <div class="connect-row">
                <button
                    id="connect-btn"
                    class=move || if active.get() { "btn danger" } else { "btn primary" }
                    on:click=on_connect
                >
                    {move || {
                        if active.get() {
                            td_string!(locale.get(), client.connection.disconnect)
                        } else {
                            td_string!(locale.get(), client.connection.connect)
                        }
                    }}
                </button>
            </div>
            <p class="conn-error" data-testid="conn-error" role="alert">
                {move || {
                    let locale = locale.get();
                    form_error
                        .with(|e| e.as_ref().map(|e| e.words_in(locale)))
                        .or_else(|| model.with(|m| m.error_in(locale)))
                        .unwrap_or_default()
                }}
            </p>
            {move || ctx.session_stored.get().map(|stored| session_store_note(stored, locale))}
            <ProfilesBox form=form active=active />
        </section>
    }
}

/// Whether the session the page holds was stored (or why not).
fn session_store_note(stored: Stored, locale: Signal<Locale>) -> impl IntoView {
    let failed = matches!(stored, Stored::Failed(_));
    view! {
        <p class="hint" class:error=failed data-testid="session-store" role="status">
            {move || stored.describe_in(locale.get())}
        </p>
    }
}

/// The settings a connection is made with; locked while it exists.
#[component]
fn SessionSettings(
    form: RwSignal<ConnectionForm>,
    active: Memo<bool>,
    is_v5: Memo<bool>,
) -> impl IntoView {
    let locale = super::form::reader_locale();
    view! {
        <fieldset class="form-grid" prop:disabled=move || active.get()>
            <legend class="sr-only">{move || td_string!(locale.get(), client.connection.settings)}</legend>
            <BrokerUrlField form=form />
            {text_field(form, "client-id", |l| td_string!(l, client.connection.client_id), "text", |f| f.client_id.clone(), |f, v| f.client_id = v)}
            <VersionField form=form is_v5=is_v5 />
            {text_field(form, "keep-alive", |l| td_string!(l, client.connection.keep_alive), "number", |f| f.keep_alive.clone(), |f, v| f.keep_alive = v)}
            <div class="field">
                {move || {
                    let label: Words = if is_v5.get() {
                        |l| td_string!(l, client.connection.clean_start)
                    } else {
                        |l| td_string!(l, client.connection.clean_session)
                    };
                    check_field(form, "clean-start", label, |f| f.clean_start, |f, v| f.clean_start = v)
                }}
            </div>
            <Show when=move || is_v5.get()>
                {text_field(form, "session-expiry", |l| td_string!(l, client.connection.session_expiry), "number", |f| f.session_expiry.clone(), |f, v| f.session_expiry = v)}
            </Show>
            {text_field(form, "username", |l| td_string!(l, client.connection.username), "text", |f| f.username.clone(), |f, v| f.username = v)}
            {text_field(form, "password", |l| td_string!(l, client.connection.password), "password", |f| f.password.clone(), |f, v| f.password = v)}
            <div class="field wide">
                {check_field(form, "remember-password", |l| td_string!(l, client.connection.remember_password), |f| f.remember_password, |f, v| f.remember_password = v)}
                <Show when=move || form.with(|f| f.remember_password)>
                    <span class="hint" role="note">
                        {move || td_string!(locale.get(), client.connection.remember_password_note)}
                    </span>
                </Show>
            </div>
            <WillFields form=form />
            <RetryFields form=form is_v5=is_v5 />
        </fieldset>
    }
}

/// The broker URL, checked as typed: the hint turns into what is wrong.
#[component]
fn BrokerUrlField(form: RwSignal<ConnectionForm>) -> impl IntoView {
    let locale = super::form::reader_locale();
    let url_error = Memo::new(move |_| form.with(|f| check_broker_url(&f.broker_url).err()));
    view! {
        <label class="field wide">
            <span class="field-label">{move || td_string!(locale.get(), client.connection.broker_url)}</span>
            <input
                id="broker-url"
                type="url"
                spellcheck="false"
                autocomplete="off"
                aria-describedby="broker-url-hint"
                aria-invalid=move || url_error.with(Option::is_some).to_string()
                prop:value=move || form.with(|f| f.broker_url.clone())
                on:input:target=move |ev| form.update(|f| f.broker_url = ev.target().value())
            />
            <span id="broker-url-hint" class="hint" class:error=move || url_error.with(Option::is_some)>
                {move || {
                    let locale = locale.get();
                    url_error
                        .with(|e| e.as_ref().map(|e| e.words_in(locale)))
                        .unwrap_or_else(|| td_string!(locale, client.connection.broker_url_hint).into())
                }}
            </span>
        </label>
    }
}

/// The protocol version: 3.1.1 or 5.0.
#[component]
fn VersionField(form: RwSignal<ConnectionForm>, is_v5: Memo<bool>) -> impl IntoView {
    let locale = super::form::reader_locale();
    view! {
        <label class="field">
            <span class="field-label">{move || td_string!(locale.get(), client.connection.version)}</span>
            <select
                id="mqtt-version"
                on:change:target=move |ev| {
                    let v5 = ev.target().value() == "5";
                    form.update(|f| f.version = if v5 { ProtocolVersion::V5 } else { ProtocolVersion::V311 });
                }
            >
                <option value="4" selected=move || !is_v5.get()>"3.1.1"</option>
                <option value="5" selected=move || is_v5.get()>"5.0"</option>
            </select>
        </label>
    }
}

/// MQTT 5: what Disconnect sends. Chosen at the moment of leaving, so
/// editable while connected.
#[component]
fn DisconnectOptions(form: RwSignal<ConnectionForm>) -> impl IntoView {
    let locale = super::form::reader_locale();
    view! {
        <fieldset class="form-grid disconnect-options">
            <legend>{move || td_string!(locale.get(), client.connection.on_disconnect)}</legend>
            <div class="field wide">
                {check_field(form, "disconnect-with-will", |l| td_string!(l, client.connection.disconnect_with_will), |f| f.disconnect_with_will, |f, v| f.disconnect_with_will = v)}
            </div>
            <label class="field wide">
                <span class="field-label">{move || td_string!(locale.get(), client.connection.new_session_expiry)}</span>
                <input
                    id="disconnect-expiry"
                    type="text"
                    inputmode="numeric"
                    autocomplete="off"
                    placeholder=move || td_string!(locale.get(), client.connection.unchanged)
                    prop:value=move || form.with(|f| f.disconnect_expiry.clone())
                    on:input:target=move |ev| form.update(|f| f.disconnect_expiry = ev.target().value())
                />
            </label>
        </fieldset>
    }
}

/// Last will: topic, payload, QoS, retain.
#[component]
fn WillFields(form: RwSignal<ConnectionForm>) -> impl IntoView {
    let locale = super::form::reader_locale();
    let enabled = Memo::new(move |_| form.with(|f| f.will_enabled));
    view! {
        <details class="wide">
            <summary>{move || td_string!(locale.get(), client.will.title)}</summary>
            <div class="form-grid nested">
                <div class="field wide">
                    {check_field(form, "will-enabled", |l| td_string!(l, client.will.enabled), |f| f.will_enabled, |f, v| f.will_enabled = v)}
                </div>
                <Show when=move || enabled.get()>
                    {text_field(form, "will-topic", |l| td_string!(l, client.will.topic), "text", |f| f.will_topic.clone(), |f, v| f.will_topic = v)}
                    {text_field(form, "will-payload", |l| td_string!(l, client.will.payload), "text", |f| f.will_payload.clone(), |f, v| f.will_payload = v)}
                    <label class="field">
                        <span class="field-label">{move || td_string!(locale.get(), client.will.qos)}</span>
                        <select
                            id="will-qos"
                            on:change:target=move |ev| {
                                let qos = ev.target().value().parse().ok().and_then(QoS::from_u8).unwrap_or_default();
                                form.update(|f| f.will_qos = qos);
                            }
                        >
                            {[0u8, 1, 2].into_iter().map(|q| view! {
                                <option value=q.to_string() selected=move || form.with(|f| f.will_qos.as_u8() == q)>
                                    {format!("QoS {q}")}
                                </option>
                            }).collect_view()}
                        </select>
                    </label>
                    <div class="field">
                        {check_field(form, "will-retain", |l| td_string!(l, client.will.retain), |f| f.will_retain, |f, v| f.will_retain = v)}
                    </div>
                </Show>
            </div>
        </details>
    }
}

/// Retry policy: on reconnect (both versions) or on timeout (3.1.1 only).
#[component]
fn RetryFields(form: RwSignal<ConnectionForm>, is_v5: Memo<bool>) -> impl IntoView {
    let locale = super::form::reader_locale();
    let on_timeout = Memo::new(move |_| form.with(|f| f.retry == RetryChoice::OnTimeout));
    view! {
        <details class="wide">
            <summary>{move || td_string!(locale.get(), client.retry.title)}</summary>
            <div class="form-grid nested">
                <label class="field wide">
                    <span class="field-label">{move || td_string!(locale.get(), client.retry.resend)}</span>
                    <select
                        id="retry-policy"
                        on:change:target=move |ev| {
                            let choice = if ev.target().value() == "timeout" { RetryChoice::OnTimeout } else { RetryChoice::OnReconnect };
                            form.update(|f| f.retry = choice);
                        }
                    >
                        <option value="reconnect" selected=move || !on_timeout.get()>
                            {move || td_string!(locale.get(), client.retry.on_reconnect)}
                        </option>
                        <option value="timeout" selected=move || on_timeout.get() disabled=move || is_v5.get()>
                            {move || td_string!(locale.get(), client.retry.on_timeout)}
                        </option>
                    </select>
                </label>
                <Show when=move || on_timeout.get() && !is_v5.get()>
                    {text_field(form, "retry-interval", |l| td_string!(l, client.retry.interval), "number", |f| f.retry_interval.clone(), |f, v| f.retry_interval = v)}
                </Show>
                <p class="hint wide">
                    {move || if is_v5.get() {
                        td_string!(locale.get(), client.retry.hint_v5)
                    } else {
                        td_string!(locale.get(), client.retry.hint_v311)
                    }}
                </p>
                {text_field(form, "max-inflight", |l| td_string!(l, client.retry.max_inflight), "number", |f| f.max_inflight.clone(), |f, v| f.max_inflight = v)}
                <p class="hint wide">
                    {move || td_string!(locale.get(), client.retry.max_inflight_hint)}
                </p>
            </div>
        </details>
    }
}

/// Saved profiles: save the form under a name, load or delete one.
#[component]
fn ProfilesBox(form: RwSignal<ConnectionForm>, active: Memo<bool>) -> impl IntoView {
    let locale = super::form::reader_locale();
    let shelf = RwSignal::new(ProfileShelf::read(&LocalStorage));
    let save = move |_| shelf.update(|s| s.save(&form.get_untracked(), &LocalStorage));
    let load = move |_| {
        if let Some(loaded) = shelf.try_update(ProfileShelf::load).flatten() {
            form.set(loaded);
        }
    };
    let delete = move |_| shelf.update(|s| s.delete(&LocalStorage));
    view! {
        <details class="profiles">
            <summary>{move || td_string!(locale.get(), client.profiles.title)}</summary>
            <div class="form-grid nested">
                <ProfileList shelf=shelf />
                <div class="button-row wide">
                    <button class="btn" on:click=load disabled=move || active.get()>
                        {move || td_string!(locale.get(), client.profiles.load)}
                    </button>
                    <button class="btn" on:click=delete>{move || td_string!(locale.get(), client.profiles.delete)}</button>
                </div>
                <label class="field wide">
                    <span class="field-label">{move || td_string!(locale.get(), client.profiles.save_as)}</span>
                    <input
                        id="profile-name"
                        type="text"
                        placeholder=move || td_string!(locale.get(), client.profiles.name_placeholder)
                        prop:value=move || shelf.with(|s| s.name.clone())
                        on:input:target=move |ev| shelf.update(|s| s.name = ev.target().value())
                    />
                </label>
                <div class="button-row wide">
                    <button class="btn" on:click=save>{move || td_string!(locale.get(), client.profiles.save)}</button>
                </div>
                <p class="hint wide" role="status">
                    {move || {
                        let locale = locale.get();
                        shelf.with(|s| s.note.as_ref().map(|n| n.words_in(locale))).unwrap_or_default()
                    }}
                </p>
            </div>
        </details>
    }
}

/// The saved profiles to choose from.
#[component]
fn ProfileList(shelf: RwSignal<ProfileShelf>) -> impl IntoView {
    let locale = super::form::reader_locale();
    let selected = Memo::new(move |_| shelf.with(|s| s.selected.clone()));
    let names = Memo::new(move |_| shelf.with(ProfileShelf::names));
    view! {
        <label class="field wide">
            <span class="field-label">{move || td_string!(locale.get(), client.profiles.saved_profiles)}</span>
            <select
                id="profile-select"
                on:change:target=move |ev| shelf.update(|s| s.selected = ev.target().value())
            >
                <option value="" selected=move || selected.with(String::is_empty)>
                    {move || {
                        if names.with(Vec::is_empty) {
                            td_string!(locale.get(), client.profiles.none_yet)
                        } else {
                            td_string!(locale.get(), client.profiles.choose)
                        }
                    }}
                </option>
                <For each=move || names.get() key=|n| n.clone() let:profile_name>
                    {
                        let value = profile_name.clone();
                        view! {
                            <option value=value.clone() selected=move || selected.with(|s| *s == value)>{profile_name}</option>
                        }
                    }
                </For>
            </select>
        </label>
    }
}
