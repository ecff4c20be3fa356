//! Lists that update in place, for views a flood changes every frame.
//!
//! Slot `i` of a list always shows row `i` of its source. A slot's DOM is
//! built once: when the list grows to it for the first slots, when it first
//! comes on screen or in an idle moment for the others ([`OnScreen`]). After that, a changed row changes
//! only the text and attributes it shows. A list keyed by row (and
//! revision) instead destroys and rebuilds every row that changed or moved,
//! which under a flood is every row, every frame: that rebuilding, and the
//! style and layout work it caused, held the page at 3–6 fps (see
//! `docs/flood.md`).
//!
//! Only the slots on screen follow their rows: a slot scrolled out of view
//! (or in a hidden tab) keeps what it showed, costs nothing per frame, and
//! catches up as soon as it shows again ([`OnScreen`]).
//!
//! The row views take a `Memo<T>` and read their fields through it, so each
//! part of a row re-renders only when what it shows changed.

use leptos::html::ElementType;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

pub use super::on_screen::OnScreen;
use crate::i18n::Locale;

/// Renders `rows` in slots, as the children of the element `parent` refers
/// to (and nothing else in it): `row` builds slot `i`'s view once, from a
/// memo of row `i` that changes only when that row does, and only while the
/// slot is on screen. Until a slot's row is built ([`OnScreen`]), `wait`
/// stands in for it: an empty element of the parent's kind, a row high.
pub fn slots<T, V, W, E>(
    rows: Memo<Vec<T>>,
    parent: NodeRef<E>,
    wait: impl Fn() -> W + Clone + Send + Sync + 'static,
    row: impl Fn(Memo<T>) -> V + Clone + Send + Sync + 'static,
) -> impl IntoView
where
    T: Clone + PartialEq + Send + Sync + 'static,
    V: IntoView + 'static,
    W: IntoView + 'static,
    E: ElementType + 'static,
    E::Output: JsCast + Clone + 'static,
{
    let screen = OnScreen::watch(parent, Signal::derive(move || rows.with(Vec::len)));
    view! {
        <For
            each=move || 0..rows.with(Vec::len)
            key=|i| *i
            children=move |i| {
                let flags = screen.slot(i);
                let (row, wait) = (row.clone(), wait.clone());
                let mut waited = false;
                move || {
                    if !flags.built.get() {
                        waited = true;
                        return wait().into_any();
                    }
                    if waited {
                        screen.built(i);
                    }
                    rows.with_untracked(|r| r.get(i).cloned())
                        .map(|first| row(slot(rows, i, first, flags.seen.into())))
                        .into_any()
                }
            }
        />
    }
}

/// Row `i` of `rows` while `seen`; while not, the row it showed last,
/// without reading `rows`. When the list shrinks, a slot about to go keeps
/// its last row for the one run before it is removed.
pub fn slot<T>(rows: Memo<Vec<T>>, i: usize, first: T, seen: Signal<bool>) -> Memo<T>
where
    T: Clone + PartialEq + Send + Sync + 'static,
{
    Memo::new(move |previous: Option<&T>| match previous {
        Some(previous) if !seen.get() => previous.clone(),
        _ => rows
            .with(|r| r.get(i).cloned())
            .or_else(|| previous.cloned())
            .unwrap_or_else(|| first.clone()),
    })
}

/// The reader's language, for one row. The parts of a row that re-render
/// every frame read this memo, not the app-wide signal: a reactive node
/// leaving a source's subscriber list costs a linear removal in that list,
/// and the app-wide signal's list holds every part of every row (profiled:
/// 39 % of a flooded page's time went to those removals).
pub fn row_locale() -> Memo<Locale> {
    let reader = crate::app::locale::reader();
    Memo::new(move |_| reader.get())
}

/// Whether the tab holding a view shows: provided by each tab panel. A
/// view mounted alone (as the component tests do) counts as shown.
#[derive(Debug, Clone, Copy)]
pub struct TabShown(pub Signal<bool>);

impl TabShown {
    /// The enclosing tab's, or always shown.
    pub fn get() -> Signal<bool> {
        use_context::<TabShown>()
            .map(|TabShown(shown)| shown)
            .unwrap_or_else(|| Signal::stored(true))
    }
}

/// `source` while the enclosing tab shows; while it is hidden, the last
/// value, without reading `source` at all, so nothing in a hidden tab
/// re-renders as messages stream in (the tabs stay mounted, so that the
/// dashboard digests alarms while another tab shows). Showing the tab
/// again reads `source` at once.
pub fn while_shown<T>(source: impl Fn() -> T + Send + Sync + 'static) -> Memo<T>
where
    T: Clone + PartialEq + Send + Sync + 'static,
{
    let shown = TabShown::get();
    Memo::new(move |previous: Option<&T>| match previous {
        Some(previous) if !shown.get() => previous.clone(),
        _ => source(),
    })
}
