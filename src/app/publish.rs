//! The publish panel: topic (validated live), payload as text / JSON / hex,
//! QoS, retain, MQTT 5 user properties, and the flow's result.

use leptos::prelude::*;

use super::form::reader_locale;
use super::payload::{encode_payload_in, PayloadFormat};
use super::ClientCtx;
use crate::i18n::{td_string, Locale};
use crate::mqtt::packet::{Properties, QoS};
use crate::mqtt::session::PublishRequest;
use crate::mqtt::topic::validate_topic_name;

/// The QoS `<select>` value as a level (anything unexpected means QoS 0).
pub fn qos_from_value(value: &str) -> QoS {
    value
        .parse()
        .ok()
        .and_then(QoS::from_u8)
        .unwrap_or_default()
}

/// One MQTT 5 user property row being edited.
#[derive(Clone)]
struct UserProperty {
    id: u32,
    name: RwSignal<String>,
    value: RwSignal<String>,
}

/// Topic, payload, QoS, retain, user properties and the Publish button.
#[component]
pub fn PublishPanel() -> impl IntoView {
    let ctx = expect_context::<ClientCtx>();
    let locale = reader_locale();
    let topic = RwSignal::new(String::from("qoscope/test"));
    let payload = RwSignal::new(String::from("hello from QoScope"));
    let format = RwSignal::new(PayloadFormat::Text);
    let qos = RwSignal::new(QoS::AtLeastOnce);
    let retain = RwSignal::new(false);
    let properties = RwSignal::new(Vec::<UserProperty>::new());
    let next_property = StoredValue::new(0u32);
    // The live connection's version, not the form's: the form may have changed since Connect.
    let is_v5 = Memo::new(move |_| ctx.speaks_v5());

    let topic_error = Memo::new(move |_| topic.with(|t| validate_topic_name(t).err()));
    let payload_bytes =
        Memo::new(move |_| payload.with(|p| encode_payload_in(format.get(), p, locale.get())));
    let payload_error = Memo::new(move |_| payload_bytes.with(|r| r.as_ref().err().cloned()));
    let invalid = move || topic_error.with(Option::is_some) || payload_error.with(Option::is_some);
    // With no link at all (never connected, stopped, refused) nothing could
    // take the message: the button says so instead of queueing it for a
    // connection that is not coming.
    let offline = Memo::new(move |_| ctx.model.with(|m| !m.status.is_active()));

    let add_property = move |_| {
        let id = next_property.get_value();
        next_property.set_value(id + 1);
        properties.update(|p| {
            p.push(UserProperty {
                id,
                name: RwSignal::new(String::new()),
                value: RwSignal::new(String::new()),
            })
        });
    };
    let publish = move |_| {
        let Ok(bytes) = payload_bytes.get_untracked() else {
            return;
        };
        if topic_error.with_untracked(Option::is_some) {
            return;
        }
        let mut props = Properties::default();
        if is_v5.get_untracked() {
            props.user_properties = properties.with_untracked(|p| {
                p.iter()
                    .filter(|row| !row.name.get_untracked().is_empty())
                    .map(|row| (row.name.get_untracked(), row.value.get_untracked()))
                    .collect()
            });
        }
        ctx.publish(PublishRequest {
            topic: topic.get_untracked(),
            payload: bytes,
            qos: qos.get_untracked(),
            retain: retain.get_untracked(),
            properties: props,
        });
    };

    view! {
        <section class="panel publish" aria-labelledby="publish-title">
            <h2 id="publish-title">{move || td_string!(locale.get(), client.publish.title)}</h2>
            <div class="form-grid">
                <label class="field wide">
                    <span class="field-label">{move || td_string!(locale.get(), client.publish.topic)}</span>
                    <input
                        id="pub-topic"
                        type="text"
                        spellcheck="false"
                        autocomplete="off"
                        aria-describedby="pub-topic-error"
                        aria-invalid=move || topic_error.with(Option::is_some).to_string()
                        prop:value=move || topic.get()
                        on:input:target=move |ev| topic.set(ev.target().value())
                    />
                    <span id="pub-topic-error" class="hint error" data-testid="pub-topic-error">
                        {move || {
                            let locale = locale.get();
                            topic_error.with(|e| e.as_ref().map(|e| crate::app::model::topic_error_sentence(e, locale))).unwrap_or_default()
                        }}
                    </span>
                </label>
                <label class="field wide">
                    <span class="field-label">{move || td_string!(locale.get(), client.publish.payload)}</span>
                    <textarea
                        id="pub-payload"
                        rows="3"
                        spellcheck="false"
                        aria-describedby="pub-payload-error"
                        aria-invalid=move || payload_error.with(Option::is_some).to_string()
                        prop:value=move || payload.get()
                        on:input:target=move |ev| payload.set(ev.target().value())
                    ></textarea>
                    <span id="pub-payload-error" class="hint error" data-testid="pub-payload-error">
                        {move || payload_error.get().unwrap_or_default()}
                    </span>
                </label>
                <label class="field">
                    <span class="field-label">{move || td_string!(locale.get(), client.publish.payload_as)}</span>
                    <select id="pub-format" on:change:target=move |ev| format.set(PayloadFormat::from_key(&ev.target().value()))>
                        <option value="text" selected=move || format.get() == PayloadFormat::Text>
                            {move || td_string!(locale.get(), client.publish.format_text)}
                        </option>
                        <option value="json" selected=move || format.get() == PayloadFormat::Json>"JSON"</option>
                        <option value="hex" selected=move || format.get() == PayloadFormat::Hex>
                            {move || td_string!(locale.get(), client.publish.format_hex)}
                        </option>
                    </select>
                </label>
                <label class="field">
                    <span class="field-label">"QoS"</span>
                    <select id="pub-qos" on:change:target=move |ev| qos.set(qos_from_value(&ev.target().value()))>
                        {qos_options(locale, qos)}
                    </select>
                </label>
                <div class="field">
                    <label class="check">
                        <input
                            id="pub-retain"
                            type="checkbox"
                            prop:checked=move || retain.get()
                            on:change:target=move |ev| retain.set(ev.target().checked())
                        />
                        <span>{move || td_string!(locale.get(), client.publish.retain)}</span>
                    </label>
                </div>
                <Show when=move || is_v5.get()>
                    <fieldset class="user-properties wide">
                        <legend>{move || td_string!(locale.get(), client.publish.user_properties)}</legend>
                        <For each=move || properties.get() key=|p| p.id let:row>
                            <div class="property-row">
                                <input
                                    type="text"
                                    aria-label=move || td_string!(locale.get(), client.publish.property_name_label)
                                    placeholder=move || td_string!(locale.get(), client.publish.property_name)
                                    prop:value=move || row.name.get()
                                    on:input:target=move |ev| row.name.set(ev.target().value())
                                />
                                <input
                                    type="text"
                                    aria-label=move || td_string!(locale.get(), client.publish.property_value_label)
                                    placeholder=move || td_string!(locale.get(), client.publish.property_value)
                                    prop:value=move || row.value.get()
                                    on:input:target=move |ev| row.value.set(ev.target().value())
                                />
                                <button
                                    class="btn small"
                                    aria-label=move || td_string!(locale.get(), client.publish.remove_property_label)
                                    on:click=move |_| properties.update(|p| p.retain(|x| x.id != row.id))
                                >
                                    {move || td_string!(locale.get(), client.publish.remove_property)}
                                </button>
                            </div>
                        </For>
                        <button class="btn small" id="add-user-property" on:click=add_property>
                            {move || td_string!(locale.get(), client.publish.add_property)}
                        </button>
                    </fieldset>
                </Show>
                <div class="button-row wide">
                    <button
                        id="pub-btn"
                        class="btn primary"
                        disabled=move || invalid() || offline.get()
                        title=move || offline.get().then(|| td_string!(locale.get(), client.publish.offline_title))
                        on:click=publish
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
            </div>
        </section>
    }
}

/// The three QoS `<option>`s ("1 · at least once"), `qos` selected.
pub fn qos_options(locale: Signal<Locale>, qos: RwSignal<QoS>) -> impl IntoView {
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
