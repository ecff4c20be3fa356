//! The diagram as text: every packet up to the playhead, in order, for
//! screen readers (the SVG is one image to them) and for tests that check
//! what the diagram says rather than where it draws it.

use leptos::prelude::*;

use crate::i18n::{td_string, Locale};

use super::layout::Layout;
use super::model::Arrow;
use super::words;

/// Longest list kept in the DOM: the newest packets.
pub const LIST_LIMIT: usize = 200;

/// "Publisher → Broker: PUBREC (id 1) — lost: drop next PUBREC".
pub fn describe(arrow: &Arrow) -> String {
    let mut text = format!(
        "{} → {}: {}",
        arrow.from.title(),
        arrow.to.title(),
        arrow.label()
    );
    if let Some(why) = &arrow.dropped {
        text.push_str(&format!(" — lost: {why}"));
    }
    text
}

/// [`describe`] in `locale`.
pub fn describe_in(arrow: &Arrow, locale: Locale) -> String {
    let (from, to) = (arrow.from.title_in(locale), arrow.to.title_in(locale));
    let packet = arrow.label();
    match &arrow.dropped {
        Some(why) => td_string!(
            locale,
            visualiser.diagram.packet_lost,
            from = from,
            to = to,
            packet = packet,
            why = words::loss_in(why, locale)
        )
        .to_string(),
        None => td_string!(
            locale,
            visualiser.diagram.packet,
            from = from,
            to = to,
            packet = packet
        )
        .to_string(),
    }
}

/// Visually hidden ordered list of the packets sent before the playhead.
#[component]
pub fn PacketList(
    /// The diagram.
    #[prop(into)]
    layout: Signal<Layout>,
    /// Playhead.
    #[prop(into)]
    t: Signal<f64>,
) -> impl IntoView {
    let locale = words::locale();
    // Changes only when a packet starts, not on every frame.
    let shown =
        Memo::new(move |_| layout.with(|l| l.arrows.partition_point(|a| a.start < t.get())));
    let items = Memo::new(move |_| {
        let n = shown.get();
        let locale = locale.get();
        layout.with(|l| {
            l.arrows[n.saturating_sub(LIST_LIMIT)..n]
                .iter()
                .map(|p| {
                    (
                        p.arrow.packet.kind.name(),
                        p.arrow.is_dropped(),
                        describe_in(&p.arrow, locale),
                    )
                })
                .collect::<Vec<_>>()
        })
    });
    view! {
        <ol class="sr-only" data-testid="vis-packets" aria-label=move || td_string!(locale.get(), visualiser.diagram.packets)>
            {move || {
                items
                    .get()
                    .into_iter()
                    .map(|(kind, dropped, text)| view! { <li data-kind=kind data-dropped=dropped.to_string()>{text}</li> })
                    .collect_view()
            }}
        </ol>
    }
}
