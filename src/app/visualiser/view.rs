//! The visualiser page: diagram, caption, transport, scenarios, faults,
//! inspector, export and import, wired to one event list and one playhead.

use leptos::ev;
use leptos::prelude::*;
use std::time::Duration;
use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;

use crate::i18n::{td_string, Locale};
use crate::mqtt::packet::QoS;
use crate::net::page::download;

use super::controls::{KeyCommand, TransportControls, SHORTCUTS};
use super::diagram::SequenceDiagram;
use super::export::svg_document_in;
use super::fault_panel::FaultPanel;
use super::faults::{FaultIntent, FaultPlan};
pub use super::feed::{FeedTitle, VisualiserFeed};
use super::files::{file_stem, read_chosen_file};
use super::inspector::PacketInspector;
use super::layout::{Layout, Pacing};
use super::model::{PacketSummary, Recording, RecordingError};
use super::packet_list::PacketList;
use super::scenario::{builtin, Scenario, ScenarioRun, StepPerformer};
use super::scenario_panel::{CaptionBar, CaptionLanguage, Qos2Table, ScenarioPicker, StepControl};
use super::transport::Playhead;
use super::words;
use super::ScenarioRemote;

/// Playhead clock tick. The playhead advances by measured wall time, so a
/// late tick never changes the speed, only the smoothness.
const TICK: Duration = Duration::from_millis(16);

/// A message over the diagram, worded when drawn.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Message {
    /// The chosen file could not be read.
    FileUnreadable,
    /// No performer for scenarios.
    NoPerformer,
    /// The file is not a recording this version draws.
    Recording(RecordingError),
    /// The browser's own words (a failed download).
    Said(String),
}

impl Message {
    fn words_in(&self, locale: Locale) -> String {
        match self {
            Message::FileUnreadable => {
                td_string!(locale, visualiser.messages.file_unreadable).into()
            }
            Message::NoPerformer => td_string!(locale, visualiser.messages.no_performer).into(),
            Message::Recording(e) => e.words_in(locale),
            Message::Said(why) => why.clone(),
        }
    }
}

/// How scenario steps are carried out, kept out of the reactive graph.
pub type SharedPerformer = StoredValue<Box<dyn StepPerformer>, LocalStorage>;

/// The whole visualiser.
#[component]
pub fn Visualiser(
    /// Event list to draw; a fresh one if not given.
    #[prop(optional)]
    feed: Option<VisualiserFeed>,
    /// Called for every fault the presenter asks for (live transport, simulation).
    #[prop(optional)]
    on_fault: Option<Callback<FaultIntent>>,
    /// Runs scenario steps; without one the scenario list is shown disabled.
    #[prop(optional)]
    performer: Option<SharedPerformer>,
    /// Scenarios offered; the built-in six if not given.
    #[prop(optional)]
    scenarios: Option<Vec<Scenario>>,
    /// Publish one message at a QoS now; shows "Publish now" buttons when given.
    #[prop(optional)]
    on_publish: Option<Callback<QoS>>,
    /// Scenarios driven from elsewhere (the lab's guide, presenter mode).
    #[prop(optional_no_strip)]
    remote: Option<ScenarioRemote>,
) -> impl IntoView {
    let feed = feed.unwrap_or_default();
    let scenarios = scenarios.unwrap_or_else(builtin);
    let (layout, playhead) = playing(feed);
    let t = Signal::derive(move || playhead.with(|p| p.t));
    let selected = RwSignal::new(None::<usize>);
    let message = RwSignal::new(None::<Message>);
    let locale = words::locale();
    let (chosen_language, language) = caption_language(locale);

    let root: NodeRef<leptos::html::Section> = NodeRef::new();
    let shortcuts_shown = RwSignal::new(false);

    let on_fault_change = Callback::new(move |intent: FaultIntent| {
        feed.faults.update(|f| f.apply(intent));
        on_fault.inspect(|cb| cb.run(intent));
    });
    let (scenario_ui, next_step) = scenario_controls(
        ScenarioWiring {
            feed,
            performer,
            playhead,
            selected,
            message,
            remote,
        },
        scenarios,
    );
    listen_for_keys(
        KeyTargets {
            playhead,
            layout,
            next_step,
            shortcuts_shown,
        },
        root,
    );

    view! {
        <section class="visualiser" aria-label=move || td_string!(locale.get(), visualiser.root.label) node_ref=root>
            <VisualiserTop feed language chosen_language shortcuts_shown playhead layout/>
            <Show when=move || shortcuts_shown.get()>
                <ShortcutList on_close=Callback::new(move |()| shortcuts_shown.set(false))/>
            </Show>
            {move || message.get().map(|m| view! { <p class="vis-message" role="alert">{m.words_in(locale.get())}</p> })}
            <div class="vis-main">
                <VisualiserStage feed layout t language next_step selected/>
                <aside class="vis-side">
                    {scenario_ui}
                    {on_publish.map(|cb| view! { <PublishNow on_publish=cb playhead/> })}
                    <FaultPanel plan=feed.faults on_fault=on_fault_change/>
                    <Qos2Table layout t/>
                    <SelectedPacket layout selected/>
                    <FileButtons feed layout message/>
                </aside>
            </div>
        </section>
    }
}

/// The captions' language as the presenter chose it, and as shown: the
/// interface language until the presenter picks one.
fn caption_language(
    locale: Signal<Locale>,
) -> (RwSignal<Option<CaptionLanguage>>, Signal<CaptionLanguage>) {
    let chosen = RwSignal::new(None::<CaptionLanguage>);
    let shown = Signal::derive(move || {
        chosen
            .get()
            .unwrap_or_else(|| CaptionLanguage::for_locale(locale.get()))
    });
    (chosen, shown)
}

/// The title, the caption language, the shortcut list's toggle and the transport.
#[component]
fn VisualiserTop(
    feed: VisualiserFeed,
    language: Signal<CaptionLanguage>,
    chosen_language: RwSignal<Option<CaptionLanguage>>,
    shortcuts_shown: RwSignal<bool>,
    playhead: RwSignal<Playhead>,
    layout: Memo<Layout>,
) -> impl IntoView {
    let locale = words::locale();
    view! {
        <header class="vis-top">
            <h2 class="vis-title">{move || feed.title.with(|t| t.words_in(locale.get()))}</h2>
            <LanguageToggle language chosen=chosen_language/>
            <button
                class="vis-shortcuts-toggle"
                aria-label=move || td_string!(locale.get(), visualiser.shortcuts.toggle)
                aria-expanded=move || shortcuts_shown.get().to_string()
                on:click=move |_| shortcuts_shown.update(|s| *s = !*s)
            >
                "?"
            </button>
            <TransportControls playhead layout/>
        </header>
    }
}

/// The caption over the diagram, the diagram (or what to do while it is
/// empty) and the packet list under it.
#[component]
fn VisualiserStage(
    feed: VisualiserFeed,
    layout: Memo<Layout>,
    t: Signal<f64>,
    language: Signal<CaptionLanguage>,
    next_step: StepControl,
    selected: RwSignal<Option<usize>>,
) -> impl IntoView {
    let locale = words::locale();
    view! {
        <div class="vis-stage">
            <CaptionBar layout t language step=next_step/>
            <Show
                when=move || feed.events.with(|e| !e.is_empty())
                fallback=move || view! { <p class="vis-empty">{move || td_string!(locale.get(), visualiser.root.empty)}</p> }
            >
                <SequenceDiagram layout t selected/>
            </Show>
            <PacketList layout t/>
        </div>
    }
}

/// The inspector, on the packet selected in the diagram.
#[component]
fn SelectedPacket(layout: Memo<Layout>, selected: RwSignal<Option<usize>>) -> impl IntoView {
    let inspected = Memo::new(move |_| {
        selected
            .get()
            .and_then(|i| layout.with(|l| packet_at(l, i)))
    });
    view! { <PacketInspector packet=inspected/> }
}

/// The feed laid out, and a playhead running over it from the start.
fn playing(feed: VisualiserFeed) -> (Memo<Layout>, RwSignal<Playhead>) {
    let layout = Memo::new(move |_| feed.events.with(|e| Layout::new(e, &Pacing::default())));
    let playhead = RwSignal::new(Playhead {
        playing: true,
        ..Playhead::default()
    });
    run_clock(playhead, layout);
    (layout, playhead)
}

/// Advance the playhead by wall time while playing.
fn run_clock(playhead: RwSignal<Playhead>, layout: Memo<Layout>) {
    let last = StoredValue::new(None::<f64>);
    let tick = move || {
        let now = window().performance().map(|p| p.now());
        let Some(now) = now else { return };
        let previous = last.get_value();
        last.set_value(Some(now));
        let Some(previous) = previous else { return };
        if playhead.with_untracked(|p| p.playing && p.t < layout.with_untracked(|l| l.end)) {
            layout.with_untracked(|l| playhead.update(|p| p.advance(now - previous, l)));
        }
    };
    if let Ok(handle) = set_interval_with_handle(tick, TICK) {
        on_cleanup(move || handle.clear());
    }
}

/// What the keyboard drives.
#[derive(Clone, Copy)]
struct KeyTargets {
    playhead: RwSignal<Playhead>,
    layout: Memo<Layout>,
    /// The running scenario's "Next step", when one waits.
    next_step: StepControl,
    shortcuts_shown: RwSignal<bool>,
}

/// The keys of [`SHORTCUTS`], unless typing in a field or the visualiser is on a hidden tab.
fn listen_for_keys(keys: KeyTargets, root: NodeRef<leptos::html::Section>) {
    let handle = window_event_listener(ev::keydown, move |e| {
        // A hidden element (or one inside a hidden tab) has no offsetParent.
        if root
            .get_untracked()
            .is_none_or(|el| el.offset_parent().is_none())
        {
            return;
        }
        let tag = e
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .map(|el| el.tag_name().to_ascii_lowercase())
            .unwrap_or_default();
        let typing = matches!(tag.as_str(), "input" | "textarea" | "select");
        // A focused button already turns space into a click.
        let pressing_button = tag == "button" && e.key() == " ";
        if typing || pressing_button || e.ctrl_key() || e.meta_key() || e.alt_key() {
            return;
        }
        let Some(cmd) = KeyCommand::from_key(&e.key()) else {
            return;
        };
        e.prevent_default();
        match cmd {
            KeyCommand::Shortcuts => keys.shortcuts_shown.update(|s| *s = !*s),
            KeyCommand::CloseShortcuts => keys.shortcuts_shown.set(false),
            KeyCommand::Next if keys.next_step.can_step.get_untracked() => {
                keys.next_step.run.run(());
            }
            _ => keys
                .layout
                .with_untracked(|l| keys.playhead.update(|p| cmd.apply(p, l))),
        }
    });
    on_cleanup(move || handle.remove());
}

/// The "?" list of keyboard shortcuts.
#[component]
fn ShortcutList(on_close: Callback<()>) -> impl IntoView {
    let locale = words::locale();
    view! {
        <div class="vis-shortcuts" role="dialog" aria-label=move || td_string!(locale.get(), visualiser.shortcuts.title)>
            <h3>{move || td_string!(locale.get(), visualiser.shortcuts.title)}</h3>
            <dl>
                {move || {
                    let locale = locale.get();
                    SHORTCUTS
                        .iter()
                        .map(|(keys, what)| {
                            view! { <dt><kbd>{shortcut_keys_in(keys, locale)}</kbd></dt><dd>{what(locale)}</dd> }
                        })
                        .collect_view()
                }}
            </dl>
            <button class="btn small" on:click=move |_| on_close.run(())>{move || td_string!(locale.get(), visualiser.shortcuts.close)}</button>
        </div>
    }
}

/// Export .svg / .json and import .json.
#[component]
fn FileButtons(
    feed: VisualiserFeed,
    layout: Memo<Layout>,
    message: RwSignal<Option<Message>>,
) -> impl IntoView {
    let locale = words::locale();
    let export_svg = move |_| {
        let title = feed.title.get_untracked();
        let locale = locale.get_untracked();
        // The whole diagram, whatever the playhead: slides show the complete handshake.
        let svg =
            layout.with_untracked(|l| svg_document_in(l, l.end, &title.words_in(locale), locale));
        if let Err(why) = download(
            &format!("{}.svg", file_stem(&title.english())),
            "image/svg+xml",
            &svg,
        ) {
            message.set(Some(Message::Said(why)));
        }
    };
    let export_json = move |_| {
        let title = feed.title.get_untracked().english();
        let json = Recording::new(title.clone(), feed.events.get_untracked()).to_json();
        if let Err(why) = download(
            &format!("{}.json", file_stem(&title)),
            "application/json",
            &json,
        ) {
            message.set(Some(Message::Said(why)));
        }
    };
    let import = move |ev: ev::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
        else {
            return;
        };
        let loaded = read_chosen_file(&input, move |text| match Recording::read(&text) {
            Ok(rec) => {
                feed.reset(rec.title);
                feed.extend(rec.events);
                message.set(None);
            }
            Err(e) => message.set(Some(Message::Recording(e))),
        });
        if loaded.is_err() {
            message.set(Some(Message::FileUnreadable));
        }
        input.set_value("");
    };
    view! {
        <div class="vis-files" role="group" aria-label=move || td_string!(locale.get(), visualiser.files.label)>
            <button aria-label=move || td_string!(locale.get(), visualiser.files.save_svg_label) on:click=export_svg>{move || td_string!(locale.get(), visualiser.files.save_svg)}</button>
            <button aria-label=move || td_string!(locale.get(), visualiser.files.save_json_label) on:click=export_json>{move || td_string!(locale.get(), visualiser.files.save_json)}</button>
            <label class="vis-import">
                {move || td_string!(locale.get(), visualiser.files.load_json)}
                <input type="file" accept=".json,application/json" aria-label=move || td_string!(locale.get(), visualiser.files.load_json_label) on:change=import/>
            </label>
        </div>
    }
}

/// Free play: publish one message at QoS 0, 1 or 2, then watch it.
#[component]
fn PublishNow(on_publish: Callback<QoS>, playhead: RwSignal<Playhead>) -> impl IntoView {
    let locale = words::locale();
    let button = move |qos: QoS| {
        view! {
            <button
                class=format!("vis-publish qos{}", qos.as_u8())
                aria-label=move || td_string!(locale.get(), visualiser.publish.button_label, qos = qos.as_u8()).to_string()
                on:click=move |_| {
                    on_publish.run(qos);
                    playhead.update(|p| p.playing = true);
                }
            >
                {format!("QoS {}", qos.as_u8())}
            </button>
        }
    };
    view! {
        <div class="vis-publish-now" role="group" aria-label=move || td_string!(locale.get(), visualiser.publish.title)>
            <h3>{move || td_string!(locale.get(), visualiser.publish.title)}</h3>
            <div>{[QoS::AtMostOnce, QoS::AtLeastOnce, QoS::ExactlyOnce].map(button)}</div>
        </div>
    }
}

/// EN / 中文 / both: the language names stay in their own language.
#[component]
fn LanguageToggle(
    /// The captions' language now.
    language: Signal<CaptionLanguage>,
    /// The presenter's pick, once made.
    chosen: RwSignal<Option<CaptionLanguage>>,
) -> impl IntoView {
    let locale = words::locale();
    let option = move |(lang, text): (CaptionLanguage, &'static str)| {
        view! {
            <button aria-pressed=move || (language.get() == lang).to_string() on:click=move |_| chosen.set(Some(lang))>
                {text}
            </button>
        }
    };
    view! {
        <div class="vis-lang" role="group" aria-label=move || td_string!(locale.get(), visualiser.caption.language_label)>
            {[(CaptionLanguage::English, "EN"), (CaptionLanguage::Chinese, "中文"), (CaptionLanguage::Both, "EN+中文")].map(option)}
        </div>
    }
}

/// The keys of shortcut `keys` in `locale` (only "Space" has a name to translate).
fn shortcut_keys_in(keys: &'static str, locale: Locale) -> &'static str {
    if keys == "Space" {
        td_string!(locale, visualiser.shortcuts.space)
    } else {
        keys
    }
}

/// What the scenario buttons need.
#[derive(Clone, Copy)]
struct ScenarioWiring {
    feed: VisualiserFeed,
    performer: Option<SharedPerformer>,
    playhead: RwSignal<Playhead>,
    selected: RwSignal<Option<usize>>,
    message: RwSignal<Option<Message>>,
    remote: Option<ScenarioRemote>,
}

/// The scenario picker, wired to a performer, and its next step for the keyboard.
fn scenario_controls(w: ScenarioWiring, scenarios: Vec<Scenario>) -> (impl IntoView, StepControl) {
    let run = StoredValue::new(None::<ScenarioRun>);
    let running = RwSignal::new(None::<String>);
    let progress = RwSignal::new(None::<(usize, usize)>);
    let can_step = RwSignal::new(false);
    let refresh = move || {
        run.with_value(|r| {
            running.set(r.as_ref().map(|r| r.scenario.id.clone()));
            progress.set(r.as_ref().map(|r| (r.next, r.scenario.steps.len())));
            can_step.set(r.as_ref().is_some_and(|r| !r.is_finished()));
        })
    };
    let list = scenarios.clone();
    let on_start = Callback::new(move |id: String| {
        let Some(performer) = w.performer else {
            w.message.set(Some(Message::NoPerformer));
            return;
        };
        let Some(scenario) = list.iter().find(|s| s.id == id).cloned() else {
            return;
        };
        w.feed.reset(FeedTitle::Scenario {
            en: scenario.title.clone(),
            zh: scenario.title_zh.clone(),
        });
        w.feed.faults.set(FaultPlan::default());
        w.selected.set(None);
        performer.update_value(|p| run.set_value(Some(ScenarioRun::start(scenario, p.as_mut()))));
        w.playhead.update(|p| p.replay());
        refresh();
    });
    if let Some(remote) = w.remote {
        Effect::new(move |_| {
            if let Some(id) = remote.start.get() {
                remote.start.set(None);
                on_start.run(id);
            }
        });
    }
    let on_next = Callback::new(move |()| {
        let Some(performer) = w.performer else { return };
        performer.update_value(|p| {
            run.update_value(|r| {
                if let Some(r) = r {
                    for intent in r
                        .scenario
                        .steps
                        .get(r.next)
                        .map(|s| s.arm.clone())
                        .unwrap_or_default()
                    {
                        w.feed.faults.update(|f| f.apply(intent));
                    }
                    r.advance(p.as_mut());
                }
            })
        });
        w.playhead.update(|p| p.playing = true);
        refresh();
    });
    if let Some(remote) = w.remote {
        Effect::new(move |_| remote.can_step.set(can_step.get()));
        Effect::new(move |seen: Option<u32>| {
            let asked = remote.next.get();
            if seen.is_some_and(|s| s != asked) && can_step.get_untracked() {
                on_next.run(());
            }
            asked
        });
    }
    let next = StepControl {
        can_step: can_step.into(),
        progress: progress.into(),
        run: on_next,
    };
    (
        view! { <ScenarioPicker scenarios running progress on_start/> },
        next,
    )
}

/// The packet under inspection, for callers that hold a selection index.
pub fn packet_at(layout: &Layout, index: usize) -> Option<PacketSummary> {
    layout.arrows.get(index).map(|a| a.arrow.packet.clone())
}
