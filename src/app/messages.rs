//! The message list: newest first, bounded, payloads shown as text only.

use std::sync::Arc;

use leptos::prelude::*;

use super::form::reader_locale;
use super::model::{ClientModel, MessageRow, LIVE_MESSAGE_ROWS};
use super::overload::{Overload, OverloadNotice};
use super::slots::slots;
use super::slots::{row_locale, while_shown};
use super::ClientCtx;
use crate::i18n::{td_string, Locale};
use crate::net::clock::{clock_label, clock_label_seconds};

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
    // One memo for the rows, read by every slot: each row view is built once
    // and then updated in place (see `slots`).
    let rows = while_shown(move || model.with(ClientModel::visible_messages));
    let count = move || model.with(|m| m.messages.len());
    let dropped = move || model.with(|m| m.messages.dropped());
    let skipped = Memo::new(move |_| model.with(|m| m.skipped));
    let skipped_words = move |s: Overload| {
        td_string!(
            locale.get(),
            client.messages.skipped,
            count = s.shed,
            since = clock_label_seconds(s.since),
            last = clock_label_seconds(s.last)
        )
        .to_string()
    };
    let list = NodeRef::<leptos::html::Ol>::new();
    view! {
        <section class="panel messages" aria-labelledby="messages-title">
            <div class="panel-head">
                <h2 id="messages-title">{move || td_string!(locale.get(), client.messages.title)}</h2>
                <span
                    class="count"
                    data-testid="msg-count"
                    data-received=move || (count() as u64 + dropped()).to_string()
                >
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
            <OverloadNotice overload=skipped class="notice warn" testid="msg-skipped" words=skipped_words />
            <Show
                when=move || { count() > 0 }
                fallback=move || view! {
                    <p class="empty">{move || model.with(|m| m.messages_empty_hint_in(locale.get()))}</p>
                }
            >
                <ol class="msg-list" aria-live="polite" node_ref=list>
                    {slots(rows, list, || view! { <li class="slot-wait" aria-hidden="true"></li> }, |row| view! { <MessageItem row /> })}
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
/// Built once per slot; every part reads `row`, so a new message in this
/// slot changes the text and classes in place.
#[component]
fn MessageItem(row: Memo<(u64, Arc<MessageRow>)>) -> impl IntoView {
    let locale = row_locale();
    let qos = Memo::new(move |_| row.with(|(_, r)| r.qos.as_u8()));
    let retain = Memo::new(move |_| row.with(|(_, r)| r.retain));
    let dup = Memo::new(move |_| row.with(|(_, r)| r.dup));
    view! {
        <li class="msg-row" data-testid="msg-row">
            <div class="msg-head">
                <span
                    class=move || format!("qos-badge qos{}", qos.get())
                    data-testid="msg-qos"
                    title=move || td_string!(locale.get(), client.messages.delivered_qos)
                >
                    {move || format!("QoS {}", qos.get())}
                </span>
                <span class="topic" data-testid="msg-topic">{move || row.with(|(_, r)| r.topic.clone())}</span>
                {move || retain.get().then(|| view! {
                    <span class="flag" title=move || td_string!(locale.get(), client.messages.retained_title)>
                        {move || td_string!(locale.get(), client.messages.retained)}
                    </span>
                })}
                {move || dup.get().then(|| view! {
                    <span class="flag dup" title=move || td_string!(locale.get(), client.messages.dup_title)>
                        {move || td_string!(locale.get(), client.messages.dup)}
                    </span>
                })}
                <time class="time">{move || row.with(|(_, r)| clock_label(r.at))}</time>
            </div>
            <pre class="payload" data-testid="msg-payload">
                {move || row.with(|(_, r)| r.payload_text_in(locale.get()))}
            </pre>
            <div class="msg-meta">{move || row.with(|(_, r)| meta_words(r, locale.get()))}</div>
        </li>
    }
}
