//! The guided-scenario panel: pick a scenario, step through it, read the
//! caption, watch the broker's open QoS 2 transactions.

use leptos::prelude::*;

use crate::i18n::{td_string, Locale};
use crate::mqtt::packet::QoS;
use crate::mqtt::session::FlowDirection;

use super::layout::Layout;
use super::model::{FlowChip, Lane};
use super::scenario::Scenario;
use super::words;

/// Which language captions are shown in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CaptionLanguage {
    /// English.
    #[default]
    English,
    /// Chinese.
    Chinese,
    /// Both, Chinese under English.
    Both,
}

impl CaptionLanguage {
    /// The captions' language for an interface in `locale`, until the presenter picks one.
    pub fn for_locale(locale: Locale) -> CaptionLanguage {
        match locale {
            Locale::zh_CN => CaptionLanguage::Chinese,
            Locale::en => CaptionLanguage::English,
        }
    }
}

/// "step 2 of 4" in `locale`.
pub fn progress_in(step: usize, total: usize, locale: Locale) -> String {
    td_string!(
        locale,
        visualiser.scenarios.progress,
        step = step,
        total = total
    )
    .to_string()
}

/// Scenario picker and step button.
#[component]
pub fn ScenarioPicker(
    /// Scenarios offered.
    scenarios: Vec<Scenario>,
    /// Id of the running scenario, if any.
    #[prop(into)]
    running: Signal<Option<String>>,
    /// (steps done, steps in all) of the running scenario, if any.
    #[prop(into)]
    progress: Signal<Option<(usize, usize)>>,
    /// Start the scenario with this id.
    on_start: Callback<String>,
) -> impl IntoView {
    let locale = words::locale();
    let buttons = scenarios
        .into_iter()
        .map(|s| {
            let id = s.id.clone();
            let id_for_class = s.id.clone();
            let (en, zh) = (s.title.clone(), s.title_zh.clone());
            let (en_tip, zh_tip) = (en.clone(), zh.clone());
            // The title in the interface's language, the other one as the tooltip.
            let chinese = move || locale.get() == Locale::zh_CN;
            view! {
                <li>
                    <button
                        class="vis-scenario"
                        class:running=move || running.get().as_deref() == Some(id_for_class.as_str())
                        title=move || if chinese() { en_tip.clone() } else { zh_tip.clone() }
                        on:click=move |_| on_start.run(id.clone())
                    >
                        {move || if chinese() { zh.clone() } else { en.clone() }}
                    </button>
                </li>
            }
        })
        .collect_view();
    view! {
        <nav class="vis-scenarios" aria-label=move || td_string!(locale.get(), visualiser.scenarios.label)>
            <h3>{move || td_string!(locale.get(), visualiser.scenarios.title)}</h3>
            <ul>{buttons}</ul>
            <p class="vis-progress">{move || progress.get().map(|(n, total)| progress_in(n, total, locale.get()))}</p>
        </nav>
    }
}

/// The running scenario's next step: the caption bar's button, and the keys.
#[derive(Clone, Copy)]
pub struct StepControl {
    /// True when a step waits.
    pub can_step: Signal<bool>,
    /// (steps done, steps in all), while a scenario runs.
    pub progress: Signal<Option<(usize, usize)>>,
    /// Performs it.
    pub run: Callback<()>,
}

/// The caption of the step the playhead is in, large, with the button that
/// performs the next step beside it: where the presenter is looking.
#[component]
pub fn CaptionBar(
    /// The diagram.
    #[prop(into)]
    layout: Signal<Layout>,
    /// Playhead.
    #[prop(into)]
    t: Signal<f64>,
    /// Language.
    #[prop(into)]
    language: Signal<CaptionLanguage>,
    /// The scenario's next step, when there are scenarios.
    #[prop(optional)]
    step: Option<StepControl>,
) -> impl IntoView {
    let locale = words::locale();
    let caption = Memo::new(move |_| {
        layout.with(|l| {
            let shown = l.captions.partition_point(|c| c.at <= t.get());
            l.caption_at(t.get()).map(|c| {
                let marker = c.caption.marker_in(shown.saturating_sub(1), locale.get());
                (c.caption.clone(), marker)
            })
        })
    });
    let text = move || {
        caption.get().map(|(c, marker)| {
            let zh = c.text_zh.clone().unwrap_or_default();
            let (en, zh) = match language.get() {
                CaptionLanguage::English => (Some(c.text), None),
                CaptionLanguage::Chinese => (None, Some(zh)),
                CaptionLanguage::Both => (Some(c.text), Some(zh)),
            };
            view! {
                <span class="vis-caption-step">{marker}</span>
                <span class="vis-caption-text">
                    {en.map(|t| view! { <span lang="en">{t}</span> })}
                    {zh.map(|t| view! { <span class="zh" lang="zh">{t}</span> })}
                </span>
            }
        })
    };
    // Shown from the moment a scenario starts, before its first caption is
    // reached: the Next step button must be there whenever a step waits.
    let running = move || step.is_some_and(|s| s.progress.with(Option::is_some));
    view! {
        <Show when=move || caption.with(Option::is_some) || running()>
            <div class="vis-caption">
                <span class="vis-caption-words" role="status" aria-live="polite">{text}</span>
                {step.map(|s| view! {
                    <span class="vis-next">
                        <button
                            class="vis-next-step"
                            aria-label=move || td_string!(locale.get(), visualiser.caption.next_step_label)
                            prop:disabled=move || !s.can_step.get()
                            on:click=move |_| s.run.run(())
                        >
                            {move || td_string!(locale.get(), visualiser.caption.next_step)}
                        </button>
                        <span class="vis-step-of">{move || s.progress.get().map(|(n, total)| progress_in(n, total, locale.get()))}</span>
                    </span>
                })}
            </div>
        </Show>
    }
}

/// The broker's open QoS 2 receiver transactions at the playhead: ids it has
/// stored and answered with PUBREC, waiting for PUBREL (MQTT 4.3.3).
#[component]
pub fn Qos2Table(
    /// The diagram.
    #[prop(into)]
    layout: Signal<Layout>,
    /// Playhead.
    #[prop(into)]
    t: Signal<f64>,
) -> impl IntoView {
    let locale = words::locale();
    let rows = Memo::new(move |_| layout.with(|l| open_qos2_receipts(l, t.get())));
    let text = move |say: fn(Locale) -> &'static str| move || say(locale.get());
    view! {
        <section class="vis-qos2-table" aria-label=text(|l| td_string!(l, visualiser.qos2.label))>
            <h3>{text(|l| td_string!(l, visualiser.qos2.title))}</h3>
            <table>
                <thead><tr>
                    <th>{text(|l| td_string!(l, visualiser.qos2.client))}</th>
                    <th>{text(|l| td_string!(l, visualiser.qos2.packet_id))}</th>
                    <th>{text(|l| td_string!(l, visualiser.qos2.state))}</th>
                </tr></thead>
                <tbody>
                    {move || {
                        let rows = rows.get();
                        let locale = locale.get();
                        if rows.is_empty() {
                            view! { <tr><td colspan="3" class="none">{td_string!(locale, visualiser.qos2.none)}</td></tr> }.into_any()
                        } else {
                            rows.into_iter()
                                .map(|c| {
                                    let peer = words::peer_in(c.peer.as_deref().unwrap_or("publisher"), locale);
                                    let state = c.state_in(locale);
                                    view! { <tr><td>{peer}</td><td>{c.packet_id}</td><td>{state}</td></tr> }
                                })
                                .collect_view()
                                .into_any()
                        }
                    }}
                </tbody>
            </table>
        </section>
    }
}

/// The broker lane's open incoming QoS 2 flows at `t`.
pub fn open_qos2_receipts(layout: &Layout, t: f64) -> Vec<FlowChip> {
    layout
        .flow_chips_at(t)
        .remove(&Lane::Broker)
        .unwrap_or_default()
        .into_iter()
        .filter(|c| c.qos == QoS::ExactlyOnce && c.direction == FlowDirection::Incoming)
        .collect()
}
