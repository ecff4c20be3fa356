//! The Visualiser tab: one diagram, two modes. Simulated runs the engine's
//! own broker in the page (no network, so a demo works offline); Live runs
//! two real clients against the broker set on the Client tab.

use leptos::prelude::*;

use crate::app::form::ConnectionForm;
use crate::app::header::{VisualiserLinks, VisualiserStatus};
use crate::i18n::{td_string, Locale};
use crate::net::storage;

use super::live::LiveVisualiser;
use super::offline::SimulatedVisualiser;
use super::words;
use super::ScenarioRemote;

/// Where the chosen mode is remembered.
pub use crate::net::storage::VISUALISER_MODE_KEY as MODE_KEY;

/// Which broker the visualiser's clients talk to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The simulated broker, in the page.
    Simulated,
    /// A real broker over WebSockets.
    Live,
}

impl Mode {
    /// As stored.
    pub fn key(self) -> &'static str {
        match self {
            Mode::Simulated => "simulated",
            Mode::Live => "live",
        }
    }

    /// The switch's button text and tooltip in `locale`.
    pub fn words_in(self, locale: Locale) -> (&'static str, &'static str) {
        match self {
            Mode::Simulated => (
                td_string!(locale, visualiser.page.simulated),
                td_string!(locale, visualiser.page.simulated_hint),
            ),
            Mode::Live => (
                td_string!(locale, visualiser.page.live),
                td_string!(locale, visualiser.page.live_hint),
            ),
        }
    }

    /// From storage; simulated unless live was chosen.
    pub fn from_key(key: Option<&str>) -> Mode {
        match key {
            Some("live") => Mode::Live,
            _ => Mode::Simulated,
        }
    }
}

/// Mode switch over the two visualisers. Each stays mounted once shown, so
/// switching back finds a scenario where it was left.
#[component]
pub fn VisualiserPage(
    /// The client view's connection form, for live mode.
    form: RwSignal<ConnectionForm>,
) -> impl IntoView {
    let mode = RwSignal::new(Mode::from_key(storage::get(MODE_KEY).as_deref()));
    let live_seen = Memo::new(move |seen: Option<&bool>| {
        seen.copied().unwrap_or(false) || mode.get() == Mode::Live
    });
    if let Some(VisualiserStatus(links)) = use_context::<VisualiserStatus>() {
        Effect::new(move |_| {
            if mode.get() == Mode::Simulated {
                links.set(VisualiserLinks::Simulated);
            }
        });
    }
    // The app's remote drives the mode shown.
    let (sim_remote, live_remote) = (ScenarioRemote::new(), ScenarioRemote::new());
    let shown = move || match mode.get() {
        Mode::Simulated => sim_remote,
        Mode::Live => live_remote,
    };
    if let Some(app) = use_context::<ScenarioRemote>() {
        Effect::new(move |_| {
            if let Some(id) = app.start.get() {
                app.start.set(None);
                if app.simulated.get_untracked() {
                    // For this talk only: the stored choice stays.
                    mode.set(Mode::Simulated);
                }
                shown().start.set(Some(id));
            }
        });
        Effect::new(move |seen: Option<u32>| {
            let asked = app.next.get();
            if seen.is_some_and(|s| s != asked) {
                shown().next.update(|n| *n += 1);
            }
            asked
        });
        Effect::new(move |_| app.can_step.set(shown().can_step.get()));
    }
    let choose = move |m: Mode| {
        mode.set(m);
        let _ = storage::set(MODE_KEY, m.key());
    };
    let locale = words::locale();
    let option = move |m: Mode| {
        view! {
            <button
                class="vis-mode"
                data-mode=m.key()
                aria-pressed=move || (mode.get() == m).to_string()
                title=move || m.words_in(locale.get()).1
                on:click=move |_| choose(m)
            >
                {move || m.words_in(locale.get()).0}
            </button>
        }
    };
    view! {
        <div class="vis-page">
            <div class="vis-modes" role="group" aria-label=move || td_string!(locale.get(), visualiser.page.modes_label)>
                {[Mode::Simulated, Mode::Live].map(option)}
            </div>
            <div class="vis-mode-panel" data-mode="simulated" hidden=move || mode.get() != Mode::Simulated>
                <SimulatedVisualiser remote=Some(sim_remote)/>
            </div>
            <Show when=move || live_seen.get()>
                <div class="vis-mode-panel" data-mode="live" hidden=move || mode.get() != Mode::Live>
                    <LiveVisualiser form active=Signal::derive(move || mode.get() == Mode::Live) remote=Some(live_remote)/>
                </div>
            </Show>
        </div>
    }
}
