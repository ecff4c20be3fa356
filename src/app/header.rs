//! The header: name, connection status pills, theme toggle.
//!
//! The pills show the connections of the view the user is looking at: the
//! client's own on the Client and Dashboard tabs, and on the Visualiser tab
//! the live publisher and subscriber (or that the simulated broker needs
//! none). So the corner of a projected demo never contradicts the demo.

use leptos::prelude::*;

use super::model::ConnStatus;
use super::visualiser::live_trace::LinkStatus;
use super::{ClientCtx, View};
use crate::app::locale::use_i18n;
use crate::i18n::{t, t_string, td_string, Locale};
use crate::net::{page, storage};

/// What the visualiser is connected to, written by the visualiser for the header.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum VisualiserLinks {
    /// The simulated broker in this page: no connection at all.
    #[default]
    Simulated,
    /// Two real clients on a broker.
    Live {
        /// The publisher's connection.
        publisher: LinkStatus,
        /// The subscriber's connection.
        subscriber: LinkStatus,
    },
}

/// The visualiser's connections, shared through context.
#[derive(Debug, Clone, Copy)]
pub struct VisualiserStatus(pub RwSignal<VisualiserLinks>);

/// One pill: whose connection, its words, its tone (`ok`, `busy`, `off`, `bad`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pill {
    /// "Publisher", "Subscriber", or None for the client's own connection.
    pub who: Option<&'static str>,
    /// What it is doing.
    pub label: String,
    /// Colour.
    pub tone: &'static str,
}

/// The pills for `view`, in English: the client's connection, or the visualiser's.
pub fn pills(view: View, client: &ConnStatus, visualiser: &VisualiserLinks) -> Vec<Pill> {
    pills_in(view, client, visualiser, Locale::en)
}

/// The pills for `view` in `locale`.
pub fn pills_in(
    view: View,
    client: &ConnStatus,
    visualiser: &VisualiserLinks,
    locale: Locale,
) -> Vec<Pill> {
    match (view, visualiser) {
        (View::Visualiser, VisualiserLinks::Simulated) => vec![Pill {
            who: None,
            label: td_string!(locale, common.pill_simulated).into(),
            tone: "sim",
        }],
        (
            View::Visualiser,
            VisualiserLinks::Live {
                publisher,
                subscriber,
            },
        ) => [
            (td_string!(locale, common.pill_publisher), publisher),
            (td_string!(locale, common.pill_subscriber), subscriber),
        ]
        .into_iter()
        .map(|(who, status)| Pill {
            who: Some(who),
            label: status.short_in(locale).into(),
            tone: status.tone(),
        })
        .collect(),
        _ => vec![Pill {
            who: None,
            label: client.label_in(locale),
            tone: client.tone(),
        }],
    }
}

/// App name, status pills and theme toggle.
#[component]
pub fn Header(
    /// The view shown, whose connections the pills report.
    view: RwSignal<View>,
) -> impl IntoView {
    let ctx = expect_context::<ClientCtx>();
    let visualiser = expect_context::<VisualiserStatus>().0;
    let i18n = use_i18n();
    view! {
        <header class="app-header">
            <div class="brand">
                <span class="logo" aria-hidden="true">
                    "Q"
                </span>
                <div>
                    <h1>"QoScope"</h1>
                    <p class="tagline">{t!(i18n, common.tagline)}</p>
                </div>
            </div>
            <div class="header-tools">
                <StatusPills model=ctx.model view visualiser />
                <super::locale::LanguageSwitch />
                <PresentButton />
                <ThemeToggle />
            </div>
        </header>
    }
}

/// The connection status of the view shown: Disconnected / Connecting… /
/// Connected / Reconnecting in Ns / Refused, or the visualiser's two clients.
#[component]
fn StatusPills(
    /// The client state.
    model: RwSignal<super::model::ClientModel>,
    view: RwSignal<View>,
    visualiser: RwSignal<VisualiserLinks>,
) -> impl IntoView {
    let i18n = use_i18n();
    let shown = Memo::new(move |_| {
        let client = model.with(|m| m.status.clone());
        let locale = i18n.get_locale();
        visualiser.with(|v| pills_in(view.get(), &client, v, locale))
    });
    let pill = |p: Pill| {
        let dot = if p.tone == "busy" {
            "dot spinner"
        } else {
            "dot"
        };
        view! {
            <div class=format!("status-pill tone-{}", p.tone)>
                <span class=dot aria-hidden="true"></span>
                {p.who.map(|who| view! { <strong class="who">{who}</strong> })}
                <span class="label">{p.label}</span>
            </div>
        }
    };
    view! {
        <div class="status-pills" data-testid="conn-status" role="status" aria-live="polite">
            {move || shown.get().into_iter().map(pill).collect_view()}
        </div>
    }
}

/// Starts presenter mode (full screen, large type, a talk track).
#[component]
pub fn PresentButton() -> impl IntoView {
    let crate::app::presenter::Presenter(step) = expect_context();
    let i18n = use_i18n();
    view! {
        <button
            class="theme-toggle"
            id="present"
            title=move || t_string!(i18n, common.present_title)
            on:click=move |_| step.set(Some(0))
        >
            <span aria-hidden="true">"▶"</span>
            " "
            {t!(i18n, common.present)}
        </button>
    }
}

/// Light / dark switch; starts from the stored choice or the system preference.
#[component]
pub fn ThemeToggle() -> impl IntoView {
    let initial = storage::get(storage::THEME_KEY)
        .filter(|t| t == "dark" || t == "light")
        .unwrap_or_else(|| {
            if page::prefers_dark() {
                "dark"
            } else {
                "light"
            }
            .to_string()
        });
    let dark = RwSignal::new(initial == "dark");
    let i18n = use_i18n();
    Effect::new(move |_| page::apply_theme(if dark.get() { "dark" } else { "light" }));
    let toggle = move |_| {
        dark.update(|d| *d = !*d);
        let theme = if dark.get_untracked() {
            "dark"
        } else {
            "light"
        };
        // Not being able to remember the theme is no reason to bother the user.
        let _ = storage::set(storage::THEME_KEY, theme);
    };
    view! {
        <button
            class="theme-toggle"
            id="theme-toggle"
            aria-pressed=move || dark.get().to_string()
            title=move || t_string!(i18n, common.theme_title)
            on:click=toggle
        >
            <span aria-hidden="true">{move || if dark.get() { "☀" } else { "☾" }}</span>
            " "
            {move || {
                if dark.get() {
                    t_string!(i18n, common.theme_light)
                } else {
                    t_string!(i18n, common.theme_dark)
                }
            }}
        </button>
    }
}
