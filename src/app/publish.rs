//! The publish panel: topic (validated live), payload as text / JSON / hex,
//! QoS, retain, MQTT 5 user properties, and the flow's result. What is
//! typed lives in a [`PublishForm`], which checks it and builds the publish.

use leptos::prelude::*;

use super::form::{reader_locale, PublishForm, UserPropertyRow};
use super::model::topic_error_sentence;
use super::payload::PayloadFormat;
use super::ClientCtx;
use crate::i18n::{td_string, Locale};
use crate::mqtt::packet::QoS;
use crate::mqtt::topic::TopicError;

/// The QoS `<select>` value as a level (anything unexpected means QoS 0).
pub fn qos_from_value(value: &str) -> QoS {
    value
        .parse()
        .ok()
        .and_then(QoS::from_u8)
        .unwrap_or_default()
}

/// Topic, payload, QoS, retain, user properties and the Publish button.
#[component]
pub fn PublishPanel() -> impl IntoView {
    let ctx = expect_context::<ClientCtx>();
    let locale = reader_locale();
    let form = RwSignal::new(PublishForm::default());
    // The live connection's version, not the form's: the form may have changed since Connect.
    let is_v5 = Memo::new(move |_| ctx.speaks_v5());
    let topic_error = Memo::new(move |_| form.with(PublishForm::topic_error));
    let payload_error = Memo::new(move |_| form.with(|f| f.payload_bytes_in(locale.get()).err()));
    let invalid = Signal::derive(move || {
        topic_error.with(Option::is_some) || payload_error.with(Option::is_some)
    });
    let qos = Signal::derive(move || form.with(|f| f.qos));
    let publish = move || {
        let request =
            form.with_untracked(|f| f.request_in(is_v5.get_untracked(), locale.get_untracked()));
        if let Ok(request) = request {
            ctx.publish(request);
        }
    };
    view! {
        <section class="panel publish" aria-labelledby="publish-title">
            <h2 id="publish-title">{move || td_string!(locale.get(), client.publish.title)}</h2>
            <div class="form-grid">
                <TopicField form=form topic_error=topic_error />
                <PayloadField form=form payload_error=payload_error />
                <FormatField form=form />
                <label class="field">
                    <span class="field-label">"QoS"</span>
                    <select id="pub-qos" on:change:target=move |ev| form.update(|f| f.qos = qos_from_value(&ev.target().value()))>
                        {qos_options(locale, qos)}
                    </select>
                </label>
                <div class="field">
                    <label class="check">
                        <input
                            id="pub-retain"
                            type="checkbox"
                            prop:checked=move || form.with(|f| f.retain)
                            on:change:target=move |ev| form.update(|f| f.retain = ev.target().checked())
                        />
                        <span>{move || td_string!(locale.get(), client.publish.retain)}</span>
                    </label>
                </div>
                <Show when=move || is_v5.get()>
                    <UserProperties form=form />
                </Show>
                <PublishRow invalid=invalid on_publish=Callback::new(move |()| publish()) />
            </div>
        </section>
    }
}

/// The topic name, checked as typed.
#[component]
fn TopicField(form: RwSignal<PublishForm>, topic_error: Memo<Option<TopicError>>) -> impl IntoView {
    let locale = reader_locale();
    view! {
        <label class="field wide">
            <span class="field-label">{move || td_string!(locale.get(), client.publish.topic)}</span>
            <input
                id="pub-topic"
                type="text"
                spellcheck="false"
                autocomplete="off"
                aria-describedby="pub-topic-error"
                aria-invalid=move || topic_error.with(Option::is_some).to_string()
                prop:value=move || form.with(|f| f.topic.clone())
                on:input:target=move |ev| form.update(|f| f.topic = ev.target().value())
            />
            <span id="pub-topic-error" class="hint error" data-testid="pub-topic-error">
                {move || {
                    let locale = locale.get();
                    topic_error.with(|e| e.as_ref().map(|e| topic_error_sentence(e, locale))).unwrap_or_default()
                }}
            </span>
        </label>
    }
}

/// The payload, checked as typed against its format.
#[component]
fn PayloadField(form: RwSignal<PublishForm>, payload_error: Memo<Option<String>>) -> impl IntoView {
    let locale = reader_locale();
    view! {
        <label class="field wide">
            <span class="field-label">{move || td_string!(locale.get(), client.publish.payload)}</span>
            <textarea
                id="pub-payload"
                rows="3"
                spellcheck="false"
                aria-describedby="pub-payload-error"
                aria-invalid=move || payload_error.with(Option::is_some).to_string()
                prop:value=move || form.with(|f| f.payload.clone())
                on:input:target=move |ev| form.update(|f| f.payload = ev.target().value())
            ></textarea>
            <span id="pub-payload-error" class="hint error" data-testid="pub-payload-error">
                {move || payload_error.get().unwrap_or_default()}
            </span>
        </label>
    }
}

/// How the payload is typed: text, JSON or hex.
#[component]
fn FormatField(form: RwSignal<PublishForm>) -> impl IntoView {
    let locale = reader_locale();
    let format = Memo::new(move |_| form.with(|f| f.format));
    view! {
        <label class="field">
            <span class="field-label">{move || td_string!(locale.get(), client.publish.payload_as)}</span>
            <select id="pub-format" on:change:target=move |ev| form.update(|f| f.format = PayloadFormat::from_key(&ev.target().value()))>
                <option value="text" selected=move || format.get() == PayloadFormat::Text>
                    {move || td_string!(locale.get(), client.publish.format_text)}
                </option>
                <option value="json" selected=move || format.get() == PayloadFormat::Json>"JSON"</option>
                <option value="hex" selected=move || format.get() == PayloadFormat::Hex>
                    {move || td_string!(locale.get(), client.publish.format_hex)}
                </option>
            </select>
        </label>
    }
}

/// MQTT 5 user properties: name / value rows, added and removed at will.
#[component]
fn UserProperties(form: RwSignal<PublishForm>) -> impl IntoView {
    let locale = reader_locale();
    view! {
        <fieldset class="user-properties wide">
            <legend>{move || td_string!(locale.get(), client.publish.user_properties)}</legend>
            <For each=move || form.with(PublishForm::property_ids) key=|id| *id let:id>
                <UserPropertyEditor form=form id=id />
            </For>
            <button class="btn small" id="add-user-property" on:click=move |_| { form.update(|f| { f.add_property(); }); }>
                {move || td_string!(locale.get(), client.publish.add_property)}
            </button>
        </fieldset>
    }
}

/// One user property row: name, value, Remove.
#[component]
fn UserPropertyEditor(form: RwSignal<PublishForm>, id: u32) -> impl IntoView {
    let locale = reader_locale();
    let field = move |read: fn(&UserPropertyRow) -> &String| {
        form.with(|f| f.property(id).map(|row| read(row).clone()))
            .unwrap_or_default()
    };
    view! {
        <div class="property-row">
            <input
                type="text"
                aria-label=move || td_string!(locale.get(), client.publish.property_name_label)
                placeholder=move || td_string!(locale.get(), client.publish.property_name)
                prop:value=move || field(|row| &row.name)
                on:input:target=move |ev| form.update(|f| {
                    if let Some(row) = f.property_mut(id) {
                        row.name = ev.target().value();
                    }
                })
            />
            <input
                type="text"
                aria-label=move || td_string!(locale.get(), client.publish.property_value_label)
                placeholder=move || td_string!(locale.get(), client.publish.property_value)
                prop:value=move || field(|row| &row.value)
                on:input:target=move |ev| form.update(|f| {
                    if let Some(row) = f.property_mut(id) {
                        row.value = ev.target().value();
                    }
                })
            />
            <button
                class="btn small"
                aria-label=move || td_string!(locale.get(), client.publish.remove_property_label)
                on:click=move |_| form.update(|f| f.remove_property(id))
            >
                {move || td_string!(locale.get(), client.publish.remove_property)}
            </button>
        </div>
    }
}

/// The Publish button, the last publish's result and the queue line.
#[component]
fn PublishRow(invalid: Signal<bool>, on_publish: Callback<()>) -> impl IntoView {
    let ctx = expect_context::<ClientCtx>();
    let locale = reader_locale();
    // With no link at all (never connected, stopped, refused) nothing could
    // take the message: the button says so instead of queueing it for a
    // connection that is not coming.
    let offline = Memo::new(move |_| ctx.model.with(|m| !m.status.is_active()));
    view! {
        <div class="button-row wide">
            <button
                id="pub-btn"
                class="btn primary"
                disabled=move || invalid.get() || offline.get()
                title=move || offline.get().then(|| td_string!(locale.get(), client.publish.offline_title))
                on:click=move |_| on_publish.run(())
            >
                {move || td_string!(locale.get(), client.publish.publish)}
            </button>
            <span
                class="feedback"
                class:error=move || ctx.model.with(|m| m.publish_feedback.as_ref().is_some_and(|f| !f.ok))
                data-testid="pub-feedback"
                role="status"
                aria-live="polite"
            >
                {move || ctx.model.with(|m| m.publish_feedback.as_ref().map(|f| f.text_in(locale.get()))).unwrap_or_default()}
            </span>
            {move || {
                let queued = ctx.model.with(|m| m.queued);
                (queued > 0)
                    .then(|| {
                        view! {
                            <span class="hint wide" data-testid="pub-queued" role="status">
                                {move || queued_words_in(queued, locale.get())}
                            </span>
                        }
                    })
            }}
        </div>
    }
}

/// The three QoS `<option>`s ("1 · at least once"), `qos` selected.
pub fn qos_options(locale: Signal<Locale>, qos: Signal<QoS>) -> impl IntoView {
    [QoS::AtMostOnce, QoS::AtLeastOnce, QoS::ExactlyOnce]
        .into_iter()
        .map(|level| {
            view! {
                <option value=level.as_u8().to_string() selected=move || qos.get() == level>
                    {move || qos_option_words(level, locale.get())}
                </option>
            }
        })
        .collect_view()
}

/// "1 · at least once": a QoS level and what it promises, for a `<select>`.
pub fn qos_option_words(qos: QoS, locale: Locale) -> &'static str {
    match qos {
        QoS::AtMostOnce => td_string!(locale, client.qos.at_most_once),
        QoS::AtLeastOnce => td_string!(locale, client.qos.at_least_once),
        QoS::ExactlyOnce => td_string!(locale, client.qos.exactly_once),
    }
}

/// "3 messages wait for the connection (at most 1000, 8 MiB)".
#[cfg(test)]
fn queued_words(queued: usize) -> String {
    queued_words_in(queued, Locale::en)
}

/// How many messages wait for the connection, and the bound, in `locale`.
fn queued_words_in(queued: usize, locale: Locale) -> String {
    let max = crate::mqtt::session::DEFAULT_MAX_QUEUED_MESSAGES;
    let mib = crate::mqtt::session::DEFAULT_MAX_QUEUED_BYTES / (1024 * 1024);
    if queued == 1 {
        td_string!(locale, client.publish.queued_one, count = queued, max, mib).to_string()
    } else {
        td_string!(locale, client.publish.queued_many, count = queued, max, mib).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::model::sentence;

    #[test]
    fn validation_messages_read_as_sentences() {
        assert_eq!(sentence("the topic is empty"), "The topic is empty.");
        assert_eq!(sentence("done."), "Done.");
        assert_eq!(sentence(""), "");
    }

    #[test]
    fn qos_select_values_map_to_levels() {
        assert_eq!(qos_from_value("2"), QoS::ExactlyOnce);
        assert_eq!(qos_from_value("1"), QoS::AtLeastOnce);
        assert_eq!(qos_from_value("x"), QoS::AtMostOnce);
    }

    #[test]
    fn the_queue_line_says_how_many_wait_and_the_bound() {
        assert_eq!(
            super::queued_words(1),
            "1 message waits for the connection (at most 1000, 8 MiB)."
        );
        assert!(super::queued_words(3).starts_with("3 messages wait"));
    }

    #[test]
    fn the_queue_line_and_qos_choices_read_in_chinese() {
        assert_eq!(
            super::queued_words_in(3, Locale::zh_CN),
            "3 条消息正在等待连接（最多 1000 条，8 MiB）。"
        );
        assert_eq!(
            qos_option_words(QoS::ExactlyOnce, Locale::zh_CN),
            "2 · 恰好一次"
        );
        assert_eq!(
            qos_option_words(QoS::AtLeastOnce, Locale::en),
            "1 · at least once"
        );
    }
}
