//! Lists that update in place, for views a flood changes every frame.
//!
//! Slot `i` of a list always shows row `i` of its source. A slot's DOM is
//! built once, when the list grows to it; after that, a changed row changes
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
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

use crate::i18n::Locale;

/// Renders `rows` in slots, as the children of the element `parent` refers
/// to (and nothing else in it): `row` builds slot `i`'s view once, from a
/// memo of row `i` that changes only when that row does, and only while the
/// slot is on screen.
pub fn slots<T, V, E>(
    rows: Memo<Vec<T>>,
    parent: NodeRef<E>,
    row: impl Fn(Memo<T>) -> V + Clone + Send + Sync + 'static,
) -> impl IntoView
where
    T: Clone + PartialEq + Send + Sync + 'static,
    V: IntoView + 'static,
    E: ElementType + 'static,
    E::Output: JsCast + Clone + 'static,
{
    let screen = OnScreen::watch(parent, Signal::derive(move || rows.with(Vec::len)));
    view! {
        <For
            each=move || 0..rows.with(Vec::len)
            key=|i| *i
            children=move |i| {
                let seen = screen.slot(i);
                rows.with_untracked(|r| r.get(i).cloned())
                    .map(|first| row(slot(rows, i, first, seen)))
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

/// Observes the children of `parent` not yet observed, each marked with its
/// slot, and stops observing those no longer in the document.
fn observe_children(
    observer: &web_sys::IntersectionObserver,
    parent: &web_sys::Element,
    observed: &mut Vec<web_sys::Element>,
) {
    observed.retain(|element| {
        let kept = element.is_connected();
        if !kept {
            observer.unobserve(element);
        }
        kept
    });
    let children = parent.children();
    for i in 0..children.length() {
        if let Some(child) = children.item(i) {
            if !child.has_attribute(SLOT_ATTRIBUTE) {
                let _ = child.set_attribute(SLOT_ATTRIBUTE, &i.to_string());
                observer.observe(&child);
                observed.push(child);
            }
        }
    }
}

/// Which slots of a list are on screen: an `IntersectionObserver` on the
/// parent's children (slot `i` is child `i`), a quarter of the viewport
/// beyond its edges counted as on screen so that a short scroll finds rows
/// already drawn. A new slot counts as on screen until the observer first
/// says where it is.
#[derive(Clone, Copy)]
pub struct OnScreen {
    seen: StoredValue<Vec<RwSignal<bool>>>,
    /// The list's owner: a slot's flag outlives the slot (the list may
    /// shrink and grow again).
    owner: StoredValue<Option<Owner>>,
}

/// The observer and the callback it calls, dropped with the list.
type Observer = (
    web_sys::IntersectionObserver,
    Closure<dyn Fn(js_sys::Array)>,
);

/// How far beyond the viewport a slot still counts as on screen.
const ON_SCREEN_MARGIN: &str = "25% 0px 25% 0px";
/// The attribute that tells the observer which slot an element is.
const SLOT_ATTRIBUTE: &str = "data-slot";

impl OnScreen {
    /// Watches the children of `parent`, again each time `len` changes.
    fn watch<E>(parent: NodeRef<E>, len: Signal<usize>) -> OnScreen
    where
        E: ElementType + 'static,
        E::Output: JsCast + Clone + 'static,
    {
        let screen = OnScreen {
            seen: StoredValue::new(Vec::new()),
            owner: StoredValue::new(Owner::current()),
        };
        let observer = StoredValue::new_local(screen.observer());
        // The elements observed, so that those a shrinking list removed are
        // let go of (the observer would keep them alive).
        let observed = StoredValue::new_local(Vec::<web_sys::Element>::new());
        Effect::new(move |_| {
            len.track();
            // After the new slots are in the document.
            request_animation_frame(move || {
                let Some(Some(parent)) = parent.try_get_untracked() else {
                    return;
                };
                let parent: &web_sys::Element = parent.unchecked_ref();
                observer.try_with_value(|o| {
                    if let Some((observer, _)) = o {
                        observed.try_update_value(|observed| {
                            observe_children(observer, parent, observed)
                        });
                    }
                });
            });
        });
        on_cleanup(move || {
            observer.try_update_value(|o| {
                if let Some((observer, _)) = o.take() {
                    observer.disconnect();
                }
            });
        });
        screen
    }

    /// Slot `i`'s flag, on screen until the observer says otherwise (also
    /// when the slot comes back after the list shrank).
    fn slot(self, i: usize) -> Signal<bool> {
        let seen = self
            .seen
            .try_update_value(|seen| {
                while seen.len() <= i {
                    let flag = match self.owner.get_value() {
                        Some(owner) => owner.with(|| RwSignal::new(true)),
                        None => RwSignal::new(true),
                    };
                    seen.push(flag);
                }
                seen[i]
            })
            .unwrap_or_else(|| RwSignal::new(true));
        if seen.try_get_untracked() == Some(false) {
            seen.set(true);
        }
        seen.into()
    }

    /// The observer, or none where the browser has none (every slot then
    /// stays on screen).
    fn observer(self) -> Option<Observer> {
        let callback = Closure::<dyn Fn(js_sys::Array)>::new(move |entries: js_sys::Array| {
            for entry in entries.iter() {
                let entry: web_sys::IntersectionObserverEntry = entry.unchecked_into();
                let index = entry
                    .target()
                    .get_attribute(SLOT_ATTRIBUTE)
                    .and_then(|i| i.parse::<usize>().ok());
                let flag = index.and_then(|i| self.seen.try_with_value(|s| s.get(i).copied()));
                if let Some(Some(flag)) = flag {
                    let on = entry.is_intersecting();
                    if flag.try_get_untracked() != Some(on) {
                        flag.set(on);
                    }
                }
            }
        });
        let options = web_sys::IntersectionObserverInit::new();
        options.set_root_margin(ON_SCREEN_MARGIN);
        let observer = web_sys::IntersectionObserver::new_with_options(
            callback.as_ref().unchecked_ref(),
            &options,
        )
        .ok()?;
        Some((observer, callback))
    }
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
