//! The message list: newest first, bounded, payloads shown as text only.

use std::sync::Arc;

use leptos::prelude::*;

use super::form::reader_locale;
use super::model::{ClientModel, MessageRow, LIVE_MESSAGE_ROWS};
use super::ClientCtx;
use crate::i18n::{td_string, Locale};
use crate::net::clock::clock_label;

/// Received messages with a count, the number dropped, and Clear.
#[component]
pub fn MessagesPanel() -> impl IntoView {
    let ctx = expect_context::<ClientCtx>();
    view! { <MessageList model=ctx.model /> }
}

/// The list itself, bound to `model` (mountable on its own in tests).
#[component]
pub fn MessageList(
    /// The client state holding the messages.
    model: RwSignal<ClientModel>,
) -> impl IntoView {
    let locale = reader_locale();
    let rows = move || model.with(ClientModel::visible_messages);
    let count = move || model.with(|m| m.messages.len());
    let dropped = move || model.with(|m| m.messages.dropped());
    view! {
        <section class="panel messages" aria-labelledby="messages-title">
            <div class="panel-head">
                <h2 id="messages-title">{move || td_string!(locale.get(), client.messages.title)}</h2>
                <span class="count" data-testid="msg-count">
                    {move || match dropped() {
                        0 if count() <= LIVE_MESSAGE_ROWS => format!("{}", count()),
                        d => td_string!(
                            locale.get(),
                            client.messages.count_capped,
                            received = count() as u64 + d,
                            shown = LIVE_MESSAGE_ROWS
                        )
                        .to_string(),
                    }}
                </span>
                <button class="btn small" id="msg-clear" on:click=move |_| model.update(|m| m.messages.clear())>
                    {move || td_string!(locale.get(), client.messages.clear)}
                </button>
            </div>
            <Show
                when=move || { count() > 0 }
                fallback=move || view! {
                    <p class="empty">{move || model.with(|m| m.messages_empty_hint_in(locale.get()))}</p>
                }
            >
                <ol class="msg-list" aria-live="polite">
                    <For each=rows key=|(seq, _)| *seq let:entry>
                        <MessageItem row=entry.1 />
                    </For>
                </ol>
            </Show>
        </section>
    }
}

/// The line under a message: "packet id 7 · subscription id 3 · 12 bytes ·
/// JSON" (the payload's kind as the payload module words it), in `locale`.
pub fn meta_words(row: &MessageRow, locale: Locale) -> String {
    let mut parts = Vec::with_capacity(4);
    if let Some(id) = row.packet_id {
        parts.push(td_string!(locale, client.messages.packet_id, id).to_string());
    }
    if !row.subscription_ids.is_empty() {
        let ids = row
            .subscription_ids
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        parts.push(td_string!(locale, client.messages.subscription_ids, ids).to_string());
    }
    parts.push(td_string!(locale, client.messages.bytes, size = row.size).to_string());
    parts.push(row.payload.kind_in(locale).to_string());
    parts.join(" · ")
}

/// One message: QoS badge, topic, flags, time, payload (a text node).
#[component]
fn MessageItem(row: Arc<MessageRow>) -> impl IntoView {
    let locale = reader_locale();
    let qos = row.qos.as_u8();
    let meta = {
        let row = row.clone();
        move || meta_words(&row, locale.get())
    };
    view! {
        <li class="msg-row" data-testid="msg-row">
            <div class="msg-head">
                <span
                    class=format!("qos-badge qos{qos}")
                    data-testid="msg-qos"
                    title=move || td_string!(locale.get(), client.messages.delivered_qos)
                >
                    {format!("QoS {qos}")}
                </span>
                <span class="topic" data-testid="msg-topic">{row.topic.clone()}</span>
                {row.retain.then(|| view! {
                    <span class="flag" title=move || td_string!(locale.get(), client.messages.retained_title)>
                        {move || td_string!(locale.get(), client.messages.retained)}
                    </span>
                })}
                {row.dup.then(|| view! {
                    <span class="flag dup" title=move || td_string!(locale.get(), client.messages.dup_title)>
                        {move || td_string!(locale.get(), client.messages.dup)}
                    </span>
                })}
                <time class="time">{clock_label(row.at)}</time>
            </div>
            <pre class="payload" data-testid="msg-payload">
                {
                    let row = row.clone();
                    move || row.payload_text_in(locale.get())
                }
            </pre>
            <div class="msg-meta">{meta}</div>
        </li>
    }
}
