//! The packet log: `mosquitto_pub -d` style lines, pause, filter, clear, export.

use std::cell::Cell;
use std::rc::Rc;
use std::sync::Arc;

use leptos::html::Div;
use leptos::prelude::*;

use super::form::reader_locale;
use super::model::{ClientModel, LogKind, LogLine};
use super::slots::slots;
use super::slots::{row_locale, while_shown};
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
    // One memo for the lines, read by every slot: each line's view is built
    // once and then updated in place (see `slots`).
    let lines = while_shown(move || filter.with(|f| model.with(|m| m.visible_log(f))));
    let scroller = NodeRef::<Div>::new();
    follow_newest(model, scroller);
    view! {
        <div class="log-lines" data-testid="packet-log" node_ref=scroller role="log" aria-live="off" tabindex="0">
            {slots(lines, scroller, || view! { <div class="log-line slot-wait" aria-hidden="true"></div> }, |line| view! { <LogLineItem line /> })}
        </div>
    }
}

/// One log line: its kind as a class, the time, the text.
#[component]
fn LogLineItem(line: Memo<(u64, Arc<LogLine>)>) -> impl IntoView {
    let locale = row_locale();
    let class = move || {
        line.with(|(_, l)| match l.kind {
            LogKind::Sent => "log-line sent",
            LogKind::Received => "log-line received",
            LogKind::Note => "log-line note",
        })
    };
    view! {
        <div class=class>
            <time class="time">{move || line.with(|(_, l)| clock_label(l.at))}</time>
            " "
            <span class="text">{move || line.with(|(_, l)| l.text_in(locale.get()))}</span>
        </div>
    }
}

/// Keeps the newest line in view unless paused (the user is reading). Not
/// while another tab shows, and at most once per animation frame: reading
/// scrollHeight forces a layout of the whole page, and under a flood the
/// model changes more often than the page draws.
fn follow_newest(model: RwSignal<ClientModel>, scroller: NodeRef<Div>) {
    let scheduled = Rc::new(Cell::new(false));
    Effect::new(move |_| {
        model.track();
        let Some(el) = scroller.get() else { return };
        if scheduled.get() || !should_follow(&el, model.with(ClientModel::log_is_paused)) {
            return;
        }
        scheduled.set(true);
        let scheduled = scheduled.clone();
        request_animation_frame(move || {
            scheduled.set(false);
            // The view may have gone, or been paused or hidden, since.
            let paused = model.try_with_untracked(ClientModel::log_is_paused);
            if paused.is_some_and(|paused| should_follow(&el, paused)) {
                el.set_scroll_top(el.scroll_height());
            }
        });
    });
}

/// Whether the log should scroll to its newest line: not paused, and its tab shown.
fn should_follow(el: &web_sys::Element, paused: bool) -> bool {
    !paused && el.closest("[hidden]").ok().flatten().is_none()
}
