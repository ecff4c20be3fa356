//! The connection panel: broker, identity, session options, last will,
//! retry policy, Connect/Disconnect, saved profiles.

use leptos::prelude::*;

use super::form::{validate_broker_url, ConnectionForm, Profiles, RetryChoice};
use super::session_store::Stored;
use super::ClientCtx;
use crate::mqtt::packet::{ProtocolVersion, QoS};
use crate::net::storage;

type Getter = fn(&ConnectionForm) -> String;
type Setter = fn(&mut ConnectionForm, String);
type FlagGetter = fn(&ConnectionForm) -> bool;
type FlagSetter = fn(&mut ConnectionForm, bool);

/// A labelled text input bound to one form field.
fn text_field(
    form: RwSignal<ConnectionForm>,
    id: &'static str,
    label: &'static str,
    kind: &'static str,
    get: Getter,
    set: Setter,
) -> impl IntoView {
    view! {
        <label class="field">
            <span class="field-label">{label}</span>
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
    label: &'static str,
    get: FlagGetter,
    set: FlagSetter,
) -> impl IntoView {
    view! {
        <label class="check">
            <input
                id=id
                type="checkbox"
                prop:checked=move || form.with(get)
                on:change:target=move |ev| form.update(|f| set(f, ev.target().checked()))
            />
            <span>{label}</span>
        </label>
    }
}

/// Everything needed to connect, and the button that does it.
#[component]
pub fn ConnectionPanel() -> impl IntoView {
    let ctx = expect_context::<ClientCtx>();
    let form = ctx.form;
    let model = ctx.model;
    let active = Memo::new(move |_| model.with(|m| m.status.is_active()));
    let url_error = Memo::new(move |_| form.with(|f| validate_broker_url(&f.broker_url).err()));
    let is_v5 = Memo::new(move |_| form.with(|f| f.version == ProtocolVersion::V5));
    let on_connect = move |_| {
        if active.get_untracked() {
            ctx.disconnect();
        } else {
            ctx.connect();
        }
    };
    view! {
        <section class="panel connection" aria-labelledby="connection-title">
            <h2 id="connection-title">"Connection"</h2>
            <fieldset class="form-grid" prop:disabled=move || active.get()>
                <legend class="sr-only">"Connection settings"</legend>
                <label class="field wide">
                    <span class="field-label">"Broker URL"</span>
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
                        {move || url_error.get().unwrap_or_else(|| "MQTT over WebSocket: ws:// or wss://".into())}
                    </span>
                </label>
                {text_field(form, "client-id", "Client ID", "text", |f| f.client_id.clone(), |f, v| f.client_id = v)}
                <label class="field">
                    <span class="field-label">"MQTT version"</span>
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
                {text_field(form, "keep-alive", "Keep alive (s)", "number", |f| f.keep_alive.clone(), |f, v| f.keep_alive = v)}
                <div class="field">
                    {move || {
                        let label = if is_v5.get() { "Clean start" } else { "Clean session" };
                        check_field(form, "clean-start", label, |f| f.clean_start, |f, v| f.clean_start = v)
                    }}
                </div>
                <Show when=move || is_v5.get()>
                    {text_field(form, "session-expiry", "Session expiry (s)", "number", |f| f.session_expiry.clone(), |f, v| f.session_expiry = v)}
                </Show>
                {text_field(form, "username", "Username", "text", |f| f.username.clone(), |f, v| f.username = v)}
                {text_field(form, "password", "Password", "password", |f| f.password.clone(), |f, v| f.password = v)}
                <div class="field wide">
                    {check_field(form, "remember-password", "Remember password in saved profiles", |f| f.remember_password, |f, v| f.remember_password = v)}
                    <Show when=move || form.with(|f| f.remember_password)>
                        <span class="hint" role="note">
                            "A profile saved now keeps the password as plain text in this browser's localStorage."
                        </span>
                    </Show>
                </div>
                <WillFields form=form />
                <RetryFields form=form is_v5=is_v5 />
            </fieldset>
            <Show when=move || is_v5.get()>
                // Chosen at the moment of leaving, so editable while connected.
                <fieldset class="form-grid disconnect-options">
                    <legend>"On Disconnect (MQTT 5)"</legend>
                    <div class="field wide">
                        {check_field(form, "disconnect-with-will", "Publish the will all the same (reason 0x04)", |f| f.disconnect_with_will, |f, v| f.disconnect_with_will = v)}
                    </div>
                    <label class="field wide">
                        <span class="field-label">"New session expiry (s)"</span>
                        <input
                            id="disconnect-expiry"
                            type="text"
                            inputmode="numeric"
                            autocomplete="off"
                            placeholder="unchanged"
                            prop:value=move || form.with(|f| f.disconnect_expiry.clone())
                            on:input:target=move |ev| form.update(|f| f.disconnect_expiry = ev.target().value())
                        />
                    </label>
                </fieldset>
            </Show>
            <div class="connect-row">
                <button
                    id="connect-btn"
                    class=move || if active.get() { "btn danger" } else { "btn primary" }
                    on:click=on_connect
                >
                    {move || if active.get() { "Disconnect" } else { "Connect" }}
                </button>
            </div>
            <p class="conn-error" data-testid="conn-error" role="alert">
                {move || model.with(|m| m.error.clone()).unwrap_or_default()}
            </p>
            {move || {
                ctx.session_stored
                    .get()
                    .map(|stored| {
                        let failed = matches!(stored, Stored::Failed(_));
                        view! {
                            <p class="hint" class:error=failed data-testid="session-store" role="status">
                                {stored.describe()}
                            </p>
                        }
                    })
            }}
            <ProfilesBox form=form active=active />
        </section>
    }
}

/// Last will: topic, payload, QoS, retain.
#[component]
fn WillFields(form: RwSignal<ConnectionForm>) -> impl IntoView {
    let enabled = Memo::new(move |_| form.with(|f| f.will_enabled));
    view! {
        <details class="wide">
            <summary>"Last will"</summary>
            <div class="form-grid nested">
                <div class="field wide">
                    {check_field(form, "will-enabled", "Leave a last will with the broker", |f| f.will_enabled, |f, v| f.will_enabled = v)}
                </div>
                <Show when=move || enabled.get()>
                    {text_field(form, "will-topic", "Will topic", "text", |f| f.will_topic.clone(), |f, v| f.will_topic = v)}
                    {text_field(form, "will-payload", "Will payload", "text", |f| f.will_payload.clone(), |f, v| f.will_payload = v)}
                    <label class="field">
                        <span class="field-label">"Will QoS"</span>
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
                        {check_field(form, "will-retain", "Retain", |f| f.will_retain, |f, v| f.will_retain = v)}
                    </div>
                </Show>
            </div>
        </details>
    }
}

/// Retry policy: on reconnect (both versions) or on timeout (3.1.1 only).
#[component]
fn RetryFields(form: RwSignal<ConnectionForm>, is_v5: Memo<bool>) -> impl IntoView {
    let on_timeout = Memo::new(move |_| form.with(|f| f.retry == RetryChoice::OnTimeout));
    view! {
        <details class="wide">
            <summary>"Retry policy and flow control"</summary>
            <div class="form-grid nested">
                <label class="field wide">
                    <span class="field-label">"Resend unacknowledged PUBLISH / PUBREL"</span>
                    <select
                        id="retry-policy"
                        on:change:target=move |ev| {
                            let choice = if ev.target().value() == "timeout" { RetryChoice::OnTimeout } else { RetryChoice::OnReconnect };
                            form.update(|f| f.retry = choice);
                        }
                    >
                        <option value="reconnect" selected=move || !on_timeout.get()>"On reconnect only (MQTT 3.1.1 and 5.0)"</option>
                        <option value="timeout" selected=move || on_timeout.get() disabled=move || is_v5.get()>
                            "Also on timeout (3.1.1 only)"
                        </option>
                    </select>
                </label>
                <Show when=move || on_timeout.get() && !is_v5.get()>
                    {text_field(form, "retry-interval", "Resend after (s)", "number", |f| f.retry_interval.clone(), |f, v| f.retry_interval = v)}
                </Show>
                <p class="hint wide">
                    {move || if is_v5.get() {
                        "MQTT 5 allows resending only after a reconnect with the session present."
                    } else {
                        "MQTT 3.1.1 requires resending on reconnect; resending on a timeout is what many tutorials show."
                    }}
                </p>
                {text_field(form, "max-inflight", "Messages in flight (QoS 1/2)", "number", |f| f.max_inflight.clone(), |f, v| f.max_inflight = v)}
                <p class="hint wide">
                    "Mosquitto takes 20 from a client at once unless its max_inflight_messages allows more, and drops the rest after an ordinary-looking PUBREC: raise this only for a broker you know. An MQTT 5 broker's Receive Maximum lowers it by itself."
                </p>
            </div>
        </details>
    }
}

/// Saved profiles: save the form under a name, load or delete one.
#[component]
fn ProfilesBox(form: RwSignal<ConnectionForm>, active: Memo<bool>) -> impl IntoView {
    let (initial, load_error) = match storage::get(storage::PROFILES_KEY) {
        Some(json) => match Profiles::from_json(&json) {
            Ok(p) => (p, None),
            Err(e) => (Profiles::default(), Some(e)),
        },
        None => (Profiles::default(), None),
    };
    let profiles = RwSignal::new(initial);
    let message = RwSignal::new(load_error);
    let name = RwSignal::new(String::new());
    let selected = RwSignal::new(String::new());
    let persist = move || {
        let json = profiles.with_untracked(Profiles::to_json);
        storage::set(storage::PROFILES_KEY, &json).map_err(|e| e.to_string())
    };
    let save = move |_| {
        let result = profiles
            .try_update(|p| p.save(&name.get_untracked(), &form.get_untracked()))
            .unwrap_or(Ok(()))
            .and_then(|_| persist());
        message.set(Some(match result {
            Ok(()) => {
                selected.set(name.get_untracked().trim().to_string());
                format!("Saved profile \"{}\".", name.get_untracked().trim())
            }
            Err(e) => e,
        }));
    };
    let load = move |_| {
        let chosen = selected.get_untracked();
        match profiles.with_untracked(|p| p.get(&chosen).cloned()) {
            Some(profile) => {
                form.set(profile.form);
                name.set(profile.name.clone());
                message.set(Some(format!("Loaded profile \"{}\".", profile.name)));
            }
            None => message.set(Some("Choose a saved profile first.".into())),
        }
    };
    let delete = move |_| {
        let chosen = selected.get_untracked();
        if profiles.try_update(|p| p.delete(&chosen)).unwrap_or(false) {
            let saved = persist();
            selected.set(String::new());
            message.set(Some(match saved {
                Ok(()) => format!("Deleted profile \"{chosen}\"."),
                Err(e) => e,
            }));
        } else {
            message.set(Some("Choose a saved profile first.".into()));
        }
    };
    view! {
        <details class="profiles">
            <summary>"Profiles"</summary>
            <div class="form-grid nested">
                <label class="field wide">
                    <span class="field-label">"Saved profiles"</span>
                    <select
                        id="profile-select"
                        on:change:target=move |ev| selected.set(ev.target().value())
                    >
                        <option value="" selected=move || selected.with(String::is_empty)>
                            {move || if profiles.with(|p| p.profiles.is_empty()) { "No saved profiles yet" } else { "Choose a profile…" }}
                        </option>
                        <For each=move || profiles.with(|p| p.profiles.iter().map(|x| x.name.clone()).collect::<Vec<_>>()) key=|n| n.clone() let:profile_name>
                            {
                                let value = profile_name.clone();
                                view! {
                                    <option value=value.clone() selected=move || selected.with(|s| *s == value)>{profile_name}</option>
                                }
                            }
                        </For>
                    </select>
                </label>
                <div class="button-row wide">
                    <button class="btn" on:click=load disabled=move || active.get()>"Load"</button>
                    <button class="btn" on:click=delete>"Delete"</button>
                </div>
                <label class="field wide">
                    <span class="field-label">"Save current settings as"</span>
                    <input
                        id="profile-name"
                        type="text"
                        placeholder="e.g. Plant broker"
                        prop:value=move || name.get()
                        on:input:target=move |ev| name.set(ev.target().value())
                    />
                </label>
                <div class="button-row wide">
                    <button class="btn" on:click=save>"Save profile"</button>
                </div>
                <p class="hint wide" role="status">{move || message.get().unwrap_or_default()}</p>
            </div>
        </details>
    }
}
