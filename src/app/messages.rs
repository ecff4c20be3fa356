//! The message list: newest first, bounded, payloads shown as text only.

use std::sync::Arc;

use leptos::prelude::*;

use super::model::{ClientModel, MessageRow, LIVE_MESSAGE_ROWS};
use super::ClientCtx;
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
    let rows = move || model.with(ClientModel::visible_messages);
    let count = move || model.with(|m| m.messages.len());
    let dropped = move || model.with(|m| m.messages.dropped());
    view! {
        <section class="panel messages" aria-labelledby="messages-title">
            <div class="panel-head">
                <h2 id="messages-title">"Messages"</h2>
                <span class="count" data-testid="msg-count">
                    {move || match dropped() {
                        0 if count() <= LIVE_MESSAGE_ROWS => format!("{}", count()),
                        d => format!("{} received · newest {LIVE_MESSAGE_ROWS} shown", count() as u64 + d),
                    }}
                </span>
                <button class="btn small" id="msg-clear" on:click=move |_| model.update(|m| m.messages.clear())>
                    "Clear"
                </button>
            </div>
            <Show
                when=move || { count() > 0 }
                fallback=move || view! {
                    <p class="empty">{move || model.with(ClientModel::messages_empty_hint)}</p>
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

/// One message: QoS badge, topic, flags, time, payload (a text node).
#[component]
fn MessageItem(row: Arc<MessageRow>) -> impl IntoView {
    let qos = row.qos.as_u8();
    let id = row
        .packet_id
        .map(|id| format!("packet id {id} · "))
        .unwrap_or_default();
    let subscriptions = match row.subscription_ids.as_slice() {
        [] => String::new(),
        ids => format!(
            "subscription id {} · ",
            ids.iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let meta = format!(
        "{id}{subscriptions}{} bytes · {}",
        row.size,
        row.payload.kind()
    );
    view! {
        <li class="msg-row" data-testid="msg-row">
            <div class="msg-head">
                <span class=format!("qos-badge qos{qos}") data-testid="msg-qos" title="Delivered QoS">
                    {format!("QoS {qos}")}
                </span>
                <span class="topic" data-testid="msg-topic">{row.topic.clone()}</span>
                {row.retain.then(|| view! { <span class="flag" title="Retained message">"retain"</span> })}
                {row.dup.then(|| view! { <span class="flag dup" title="DUP flag: a resend">"dup"</span> })}
                <time class="time">{clock_label(row.at)}</time>
            </div>
            <pre class="payload" data-testid="msg-payload">{row.payload.text().to_string()}</pre>
            <div class="msg-meta">{meta}</div>
        </li>
    }
}
