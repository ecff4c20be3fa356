//! What the visualiser draws: the event list and its title, shared with
//! whoever produces events (the simulation runner, live mode's links).

use leptos::prelude::*;

use crate::i18n::{td_string, Locale};
use crate::mqtt::packet::ProtocolVersion;

use super::faults::FaultPlan;
use super::model::DiagramEvent;

/// What the visualiser draws, shared with whoever produces events (the
/// simulation runner, or the lead's live WebSocket wiring).
#[derive(Debug, Clone, Copy)]
pub struct VisualiserFeed {
    /// Every event so far, in the order it happened.
    pub events: RwSignal<Vec<DiagramEvent>>,
    /// Title over the diagram.
    pub title: RwSignal<FeedTitle>,
    /// Faults the panel shows as armed.
    pub faults: RwSignal<FaultPlan>,
}

impl VisualiserFeed {
    /// An empty feed.
    pub fn new() -> Self {
        VisualiserFeed {
            events: RwSignal::new(Vec::new()),
            title: RwSignal::new(FeedTitle::Live),
            faults: RwSignal::new(FaultPlan::default()),
        }
    }

    /// Append events (live packets, a scenario step's trace).
    pub fn extend(&self, more: impl IntoIterator<Item = DiagramEvent>) {
        self.events.update(|e| e.extend(more));
    }

    /// Start over with `title`.
    pub fn reset(&self, title: impl Into<FeedTitle>) {
        self.events.set(Vec::new());
        self.title.set(title.into());
    }
}

impl Default for VisualiserFeed {
    fn default() -> Self {
        Self::new()
    }
}

/// The title over the diagram, worded when drawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeedTitle {
    /// A title of its own (an imported recording's), shown as it is.
    Text(String),
    /// A guided scenario's, in both languages.
    Scenario {
        /// English.
        en: String,
        /// Chinese.
        zh: String,
    },
    /// Live, nothing chosen yet.
    Live,
    /// The simulated broker, nothing chosen yet.
    SimIdle,
    /// The live broker, nothing chosen yet.
    LiveIdle,
    /// Publishing by hand on the simulated broker.
    FreePlaySim,
    /// Publishing by hand on the live broker, in this protocol version.
    FreePlayLive(ProtocolVersion),
}

impl From<String> for FeedTitle {
    fn from(title: String) -> Self {
        FeedTitle::Text(title)
    }
}

impl From<&str> for FeedTitle {
    fn from(title: &str) -> Self {
        FeedTitle::Text(title.to_string())
    }
}

impl FeedTitle {
    /// The title in `locale`.
    pub fn words_in(&self, locale: Locale) -> String {
        match self {
            FeedTitle::Text(t) => t.clone(),
            FeedTitle::Scenario { zh, .. } if locale == Locale::zh_CN => zh.clone(),
            FeedTitle::Scenario { en, .. } => en.clone(),
            FeedTitle::Live => td_string!(locale, visualiser.title.live).into(),
            FeedTitle::SimIdle => td_string!(locale, visualiser.title.sim_idle).into(),
            FeedTitle::LiveIdle => td_string!(locale, visualiser.title.live_idle).into(),
            FeedTitle::FreePlaySim => td_string!(locale, visualiser.title.free_play_sim).into(),
            FeedTitle::FreePlayLive(version) => td_string!(
                locale,
                visualiser.title.free_play_live,
                version = version.label()
            )
            .to_string(),
        }
    }

    /// The title in English: recordings and file names.
    pub fn english(&self) -> String {
        self.words_in(Locale::en)
    }
}
