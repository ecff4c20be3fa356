//! Transport controls: play / pause, step, speed, replay, scrubber.
//!
//! Every control only edits the [`Playhead`]; the keyboard shortcuts
//! ([`SHORTCUTS`]) are wired by the visualiser root so they work wherever focus
//! is, including the keys a presentation clicker sends (PageDown / PageUp).

use leptos::prelude::*;

use crate::i18n::{td_string, Locale};

use super::layout::Layout;
use super::transport::{Playhead, Speed};
use super::words;

/// The row of transport buttons and the scrubber.
#[component]
pub fn TransportControls(
    /// The playhead the controls move.
    playhead: RwSignal<Playhead>,
    /// The diagram, for step targets and the scrubber's length.
    #[prop(into)]
    layout: Signal<Layout>,
) -> impl IntoView {
    let locale = words::locale();
    let moving = move || playhead.with(|p| layout.with(|l| p.is_moving(l)));
    let end = move || layout.with(|l| l.end);
    let toggle = move |_| layout.with_untracked(|l| playhead.update(|p| p.toggle(l)));
    let step = move |_| layout.with_untracked(|l| playhead.update(|p| p.step(l)));
    let step_back = move |_| layout.with_untracked(|l| playhead.update(|p| p.step_back(l)));
    let replay = move |_| playhead.update(|p| p.replay());
    let to_end = move |_| layout.with_untracked(|l| playhead.update(|p| p.jump_to_end(l)));
    let speed_button = move |speed: Speed| {
        view! {
            <button
                class="vis-speed"
                aria-pressed=move || (playhead.with(|p| p.speed) == speed).to_string()
                aria-label=move || td_string!(locale.get(), visualiser.controls.speed_label, speed = speed.label()).to_string()
                on:click=move |_| playhead.update(|p| p.speed = speed)
            >
                {speed.label()}
            </button>
        }
    };
    view! {
        <div class="vis-transport" role="toolbar" aria-label=move || td_string!(locale.get(), visualiser.controls.label)>
            <button
                class="vis-play"
                aria-label=move || if moving() {
                    td_string!(locale.get(), visualiser.controls.pause_label)
                } else {
                    td_string!(locale.get(), visualiser.controls.play_label)
                }
                disabled=move || end() <= 0.0
                on:click=toggle
            >
                {move || if moving() {
                    td_string!(locale.get(), visualiser.controls.pause)
                } else {
                    td_string!(locale.get(), visualiser.controls.play)
                }}
            </button>
            <button class="vis-step-back" aria-label=move || td_string!(locale.get(), visualiser.controls.back_label) on:click=step_back disabled=move || end() <= 0.0>{move || td_string!(locale.get(), visualiser.controls.back)}</button>
            <button class="vis-step" aria-label=move || td_string!(locale.get(), visualiser.controls.step_label) on:click=step>{move || td_string!(locale.get(), visualiser.controls.step)}</button>
            <button class="vis-replay" aria-label=move || td_string!(locale.get(), visualiser.controls.replay_label) on:click=replay>{move || td_string!(locale.get(), visualiser.controls.replay)}</button>
            <button class="vis-to-end" aria-label=move || td_string!(locale.get(), visualiser.controls.to_end_label) on:click=to_end>{move || td_string!(locale.get(), visualiser.controls.to_end)}</button>
            <span class="vis-speeds" role="group" aria-label=move || td_string!(locale.get(), visualiser.controls.speeds)>{Speed::ALL.map(speed_button)}</span>
            <input
                class="vis-scrubber"
                type="range"
                min="0"
                step="any"
                aria-label=move || td_string!(locale.get(), visualiser.controls.scrubber)
                prop:max=end
                prop:value=move || playhead.with(|p| p.t)
                on:input:target=move |ev| {
                    if let Ok(t) = ev.target().value().parse::<f64>() {
                        layout.with_untracked(|l| playhead.update(|p| {
                            p.playing = false;
                            p.scrub(t, l);
                        }));
                    }
                }
            />
        </div>
    }
}

/// What a key press asks for, if anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyCommand {
    /// Space.
    TogglePlay,
    /// Right arrow.
    Step,
    /// Left arrow, PageUp (a clicker's "back").
    StepBack,
    /// PageDown (a clicker's "next"), "n": the scenario's next step, or one packet when no
    /// scenario step is waiting.
    Next,
    /// "r".
    Replay,
    /// End.
    ToEnd,
    /// "?": show or hide the list of shortcuts.
    Shortcuts,
    /// Escape: hide that list.
    CloseShortcuts,
}

/// What a shortcut does, in a language.
pub type ShortcutWords = fn(Locale) -> &'static str;

/// The shortcuts as the "?" list shows them: keys, then what they do.
pub const SHORTCUTS: &[(&str, ShortcutWords)] = &[
    ("PageDown · n", |l| {
        td_string!(l, visualiser.shortcuts.next)
    }),
    ("PageUp · ←", |l| {
        td_string!(l, visualiser.shortcuts.back)
    }),
    ("→", |l| td_string!(l, visualiser.shortcuts.forward)),
    ("Space", |l| td_string!(l, visualiser.shortcuts.play)),
    ("r", |l| td_string!(l, visualiser.shortcuts.replay)),
    ("End", |l| td_string!(l, visualiser.shortcuts.to_end)),
    ("?", |l| td_string!(l, visualiser.shortcuts.list)),
];

impl KeyCommand {
    /// The command for a `KeyboardEvent.key` value.
    pub fn from_key(key: &str) -> Option<KeyCommand> {
        match key {
            " " | "Spacebar" => Some(KeyCommand::TogglePlay),
            "ArrowRight" => Some(KeyCommand::Step),
            "ArrowLeft" | "PageUp" => Some(KeyCommand::StepBack),
            "PageDown" | "n" | "N" => Some(KeyCommand::Next),
            "r" | "R" => Some(KeyCommand::Replay),
            "End" => Some(KeyCommand::ToEnd),
            "?" => Some(KeyCommand::Shortcuts),
            "Escape" => Some(KeyCommand::CloseShortcuts),
            _ => None,
        }
    }

    /// Carry out what it asks of the playhead. [`KeyCommand::Next`] lands here only when no
    /// scenario step is waiting; the shortcut list is the view's business.
    pub fn apply(self, playhead: &mut Playhead, layout: &Layout) {
        match self {
            KeyCommand::TogglePlay => playhead.toggle(layout),
            KeyCommand::Step | KeyCommand::Next => playhead.step(layout),
            KeyCommand::StepBack => playhead.step_back(layout),
            KeyCommand::Replay => playhead.replay(),
            KeyCommand::ToEnd => playhead.jump_to_end(layout),
            KeyCommand::Shortcuts | KeyCommand::CloseShortcuts => {}
        }
    }
}
