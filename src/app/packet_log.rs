//! The packet log: `mosquitto_pub -d` style lines, pause, filter, clear, export.

use leptos::html::Div;
use leptos::prelude::*;

use super::form::reader_locale;
use super::model::{ClientModel, LogKind};
use super::ClientCtx;
use crate::i18n::td_string;
use crate::net::clock::clock_label;
use crate::net::page;

/// The packet log panel.
#[component]
pub fn PacketLogPanel() -> impl IntoView {
    let ctx = expect_context::<ClientCtx>();
    view! { <PacketLog model=ctx.model /> }
}

/// The log bound to `model` (mountable on its own in tests).
#[component]
pub fn PacketLog(
    /// The client state holding the log.
    model: RwSignal<ClientModel>,
) -> impl IntoView {
    let locale = reader_locale();
    let filter = RwSignal::new(String::new());
    let message = RwSignal::new(None::<String>);
    let total = Signal::derive(move || model.with(|m| m.log.len()));
    view! {
        <section class="panel packet-log" aria-labelledby="log-title">
            <LogHead model=model total=total message=message />
            <input
                id="log-filter"
                class="log-filter"
                type="search"
                placeholder=move || td_string!(locale.get(), client.packet_log.filter_placeholder)
                aria-label=move || td_string!(locale.get(), client.packet_log.filter_label)
                prop:value=move || filter.get()
                on:input:target=move |ev| filter.set(ev.target().value())
            />
            <p class="feedback error" role="status">{move || message.get().unwrap_or_default()}</p>
            <Show when=move || total.get() == 0>
                <p class="empty">{move || td_string!(locale.get(), client.packet_log.empty)}</p>
            </Show>
            <LogLines model=model filter=filter />
        </section>
    }
}

/// The title, the line count, Pause / Resume, Clear and Export.
#[component]
fn LogHead(
    model: RwSignal<ClientModel>,
    total: Signal<usize>,
    message: RwSignal<Option<String>>,
) -> impl IntoView {
    let locale = reader_locale();
    let paused = move || model.with(ClientModel::log_is_paused);
    let export = move |_| {
        let text = model.with_untracked(ClientModel::log_text);
        if let Err(e) = page::download_text("qoscope-packet-log.txt", &text) {
            message.set(Some(e));
        }
    };
    view! {
        <div class="panel-head">
            <h2 id="log-title">{move || td_string!(locale.get(), client.packet_log.title)}</h2>
            <span class="count">{move || model.with(|m| m.log_count_in(locale.get()))}</span>
            <button
                class="btn small"
                id="log-pause"
                aria-pressed=move || paused().to_string()
                on:click=move |_| model.update(|m| m.toggle_log_pause())
            >
                {move || {
                    if paused() {
                        td_string!(locale.get(), client.packet_log.resume)
                    } else {
                        td_string!(locale.get(), client.packet_log.pause)
                    }
                }}
            </button>
            <button class="btn small" id="log-clear" on:click=move |_| model.update(ClientModel::clear_log)>
                {move || td_string!(locale.get(), client.packet_log.clear)}
            </button>
            <button class="btn small" id="log-export" on:click=export disabled=move || total.get() == 0>
                {move || td_string!(locale.get(), client.packet_log.export)}
            </button>
        </div>
    }
}

/// The lines that match `filter`, the newest kept in view unless paused.
#[component]
fn LogLines(model: RwSignal<ClientModel>, filter: RwSignal<String>) -> impl IntoView {
    let locale = reader_locale();
    let lines = move || filter.with(|f| model.with(|m| m.visible_log(f)));
    let scroller = NodeRef::<Div>::new();
    // Keep the newest line in view unless paused (the user is reading). Not
    // while another tab shows: reading scrollHeight forces a layout of the
    // whole page, once per frame under a flood.
    Effect::new(move |_| {
        model.track();
        if let Some(el) = scroller.get() {
            let hidden = el.closest("[hidden]").ok().flatten().is_some();
            if !model.with(ClientModel::log_is_paused) && !hidden {
                el.set_scroll_top(el.scroll_height());
            }
        }
    });
    view! {
        <div class="log-lines" data-testid="packet-log" node_ref=scroller role="log" aria-live="off" tabindex="0">
            <For each=lines key=|(seq, _)| *seq let:entry>
                {
                    let line = entry.1;
                    let class = match line.kind {
                        LogKind::Sent => "log-line sent",
                        LogKind::Received => "log-line received",
                        LogKind::Note => "log-line note",
                    };
                    view! {
                        <div class=class>
                            <time class="time">{clock_label(line.at)}</time>
                            " "
                            <span class="text">{move || line.text_in(locale.get())}</span>
                        </div>
                    }
                }
            </For>
        </div>
    }
}
