//! Transport controls: play / pause, step, speed, replay, scrubber.
//!
//! Every control only edits the [`Playhead`]; the keyboard shortcuts
//! (space = play/pause, → = step, r = replay, End = now) are wired by the
//! visualiser root so they work wherever focus is.

use leptos::prelude::*;

use super::layout::Layout;
use super::transport::{Playhead, Speed};

/// The row of transport buttons and the scrubber.
#[component]
pub fn TransportControls(
    /// The playhead the controls move.
    playhead: RwSignal<Playhead>,
    /// The diagram, for step targets and the scrubber's length.
    #[prop(into)]
    layout: Signal<Layout>,
) -> impl IntoView {
    let playing = move || playhead.with(|p| p.playing);
    let end = move || layout.with(|l| l.end);
    let toggle = move |_| layout.with_untracked(|l| playhead.update(|p| p.toggle(l)));
    let step = move |_| layout.with_untracked(|l| playhead.update(|p| p.step(l)));
    let replay = move |_| playhead.update(|p| p.replay());
    let to_end = move |_| layout.with_untracked(|l| playhead.update(|p| p.jump_to_end(l)));
    let speed_button = move |speed: Speed| {
        view! {
            <button
                class="vis-speed"
                aria-pressed=move || (playhead.with(|p| p.speed) == speed).to_string()
                aria-label=format!("Speed {}", speed.label())
                on:click=move |_| playhead.update(|p| p.speed = speed)
            >
                {speed.label()}
            </button>
        }
    };
    view! {
        <div class="vis-transport" role="toolbar" aria-label="Playback">
            <button
                class="vis-play"
                aria-label=move || if playing() { "Pause (space)" } else { "Play (space)" }
                on:click=toggle
            >
                {move || if playing() { "Pause" } else { "▶ Play" }}
            </button>
            <button class="vis-step" aria-label="Step one packet (→)" on:click=step>"Step →"</button>
            <button class="vis-replay" aria-label="Replay from the start (r)" on:click=replay>"Replay"</button>
            <button class="vis-to-end" aria-label="Jump to the newest packet (End)" on:click=to_end>"Now ▶▶"</button>
            <span class="vis-speeds" role="group" aria-label="Speed">{Speed::ALL.map(speed_button)}</span>
            <input
                class="vis-scrubber"
                type="range"
                min="0"
                step="any"
                aria-label="Playhead position"
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

/// What a key press asks of the playhead, if anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyCommand {
    /// Space.
    TogglePlay,
    /// Right arrow.
    Step,
    /// "r".
    Replay,
    /// End.
    ToEnd,
}

impl KeyCommand {
    /// The command for a `KeyboardEvent.key` value.
    pub fn from_key(key: &str) -> Option<KeyCommand> {
        match key {
            " " | "Spacebar" => Some(KeyCommand::TogglePlay),
            "ArrowRight" => Some(KeyCommand::Step),
            "r" | "R" => Some(KeyCommand::Replay),
            "End" => Some(KeyCommand::ToEnd),
            _ => None,
        }
    }

    /// Carry it out.
    pub fn apply(self, playhead: &mut Playhead, layout: &Layout) {
        match self {
            KeyCommand::TogglePlay => playhead.toggle(layout),
            KeyCommand::Step => playhead.step(layout),
            KeyCommand::Replay => playhead.replay(),
            KeyCommand::ToEnd => playhead.jump_to_end(layout),
        }
    }
}
