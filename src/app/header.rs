//! The header: name, connection status pill, theme toggle.

use leptos::prelude::*;

use super::ClientCtx;
use crate::net::{page, storage};

/// App name, status pill and theme toggle.
#[component]
pub fn Header() -> impl IntoView {
    let ctx = expect_context::<ClientCtx>();
    view! {
        <header class="app-header">
            <div class="brand">
                <span class="logo" aria-hidden="true">
                    "Q"
                </span>
                <div>
                    <h1>"QoScope"</h1>
                    <p class="tagline">"What each MQTT QoS level does on the wire"</p>
                </div>
            </div>
            <div class="header-tools">
                <StatusPill model=ctx.model />
                <ThemeToggle />
            </div>
        </header>
    }
}

/// The connection status: Disconnected / Connecting… / Connected / Reconnecting in Ns / Refused.
#[component]
pub fn StatusPill(
    /// The client state.
    model: RwSignal<super::model::ClientModel>,
) -> impl IntoView {
    let status = Memo::new(move |_| model.with(|m| m.status.clone()));
    view! {
        <div
            class=move || format!("status-pill tone-{}", status.with(|s| s.tone()))
            data-testid="conn-status"
            role="status"
            aria-live="polite"
        >
            <span
                class=move || {
                    if status.with(|s| s.tone() == "busy") { "dot spinner" } else { "dot" }
                }
                aria-hidden="true"
            ></span>
            <span class="label">{move || status.with(|s| s.label())}</span>
        </div>
    }
}

/// Light / dark switch; starts from the stored choice or the system preference.
#[component]
pub fn ThemeToggle() -> impl IntoView {
    let initial = storage::get(storage::THEME_KEY)
        .filter(|t| t == "dark" || t == "light")
        .unwrap_or_else(|| {
            if page::prefers_dark() {
                "dark"
            } else {
                "light"
            }
            .to_string()
        });
    let dark = RwSignal::new(initial == "dark");
    Effect::new(move |_| page::apply_theme(if dark.get() { "dark" } else { "light" }));
    let toggle = move |_| {
        dark.update(|d| *d = !*d);
        let theme = if dark.get_untracked() {
            "dark"
        } else {
            "light"
        };
        // Not being able to remember the theme is no reason to bother the user.
        let _ = storage::set(storage::THEME_KEY, theme);
    };
    view! {
        <button
            class="theme-toggle"
            id="theme-toggle"
            aria-pressed=move || dark.get().to_string()
            title="Switch between light and dark theme"
            on:click=toggle
        >
            <span aria-hidden="true">{move || if dark.get() { "☀" } else { "☾" }}</span>
            {move || if dark.get() { " Light theme" } else { " Dark theme" }}
        </button>
    }
}
