//! Which slots of a list are on screen, and which have their row built.
//!
//! A list's first [`EAGER_SLOTS`] slots build their row as soon as they
//! exist: about a screenful, and what a view mounted alone shows at once.
//! The slots after them start as a placeholder of a row's height, and build
//! their row when the browser first says they are on screen, or in an idle
//! moment, a few at a time, so that every row is soon in the document (for
//! the keyboard, find-in-page and screen readers). A flood that fills an
//! empty board of 50 alarms and 50 stock rows thus builds the rows one can
//! see in its first frame, not all hundred (see `docs/flood.md`).

use leptos::html::ElementType;
use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

/// Slots whose row is built as soon as they exist.
pub const EAGER_SLOTS: usize = 8;
/// Rows built in one idle moment: each costs about a millisecond on code
/// the browser has not optimised yet, and an idle moment can be a few.
const IDLE_BUILDS: usize = 2;
/// How far beyond the viewport a slot still counts as on screen.
const ON_SCREEN_MARGIN: &str = "25% 0px 25% 0px";
/// The attribute that tells the observer which slot an element is.
const SLOT_ATTRIBUTE: &str = "data-slot";

/// One slot's state.
#[derive(Clone, Copy)]
pub struct SlotFlags {
    /// On screen (or not yet placed by the observer): the row follows its source.
    pub seen: RwSignal<bool>,
    /// The row is built (not a placeholder); never goes back while the slot lives.
    pub built: RwSignal<bool>,
}

/// The observer and the callback it calls, dropped with the list.
type Observer = (
    web_sys::IntersectionObserver,
    Closure<dyn Fn(js_sys::Array)>,
);

/// What the observer needs and what it watches, kept on the page's thread.
#[derive(Default)]
struct Watch {
    observer: Option<Observer>,
    /// The list's element, once it is in the document.
    parent: Option<web_sys::Element>,
    /// The element observed for each slot (a placeholder, then its row).
    observed: Vec<Option<web_sys::Element>>,
    /// The list's length as last rendered.
    len: usize,
    /// An idle callback is asked for.
    idle_asked: bool,
    /// No slot before this one waits for its row.
    first_waiting: usize,
}

/// The slots of one list: their flags, the observer on their elements, and
/// the idle work that builds the rows not yet on screen.
#[derive(Clone, Copy)]
pub struct OnScreen {
    flags: StoredValue<Vec<SlotFlags>>,
    /// The list's owner: a slot's flags outlive the slot (the list may
    /// shrink and grow again).
    owner: StoredValue<Option<Owner>>,
    watch: StoredValue<Watch, LocalStorage>,
}

impl OnScreen {
    /// Watches the children of `parent` (slot `i` is child `i`), again each
    /// time `len` changes.
    pub fn watch<E>(parent: NodeRef<E>, len: Signal<usize>) -> OnScreen
    where
        E: ElementType + 'static,
        E::Output: JsCast + Clone + 'static,
    {
        let screen = OnScreen {
            flags: StoredValue::new(Vec::new()),
            owner: StoredValue::new(Owner::current()),
            watch: StoredValue::new_local(Watch::default()),
        };
        let observer = screen.observer();
        screen.watch.update_value(|w| w.observer = observer);
        Effect::new(move |_| {
            let len = len.get();
            // After the new slots are in the document.
            request_animation_frame(move || {
                let Some(Some(parent)) = parent.try_get_untracked() else {
                    return;
                };
                let parent: &web_sys::Element = parent.unchecked_ref();
                screen.watch.try_update_value(|w| {
                    w.parent = Some(parent.clone());
                    w.len = len;
                    w.sync(len);
                });
                screen.build_when_idle();
            });
        });
        on_cleanup(move || {
            screen.watch.try_update_value(|w| {
                if let Some((observer, _)) = w.observer.take() {
                    observer.disconnect();
                }
                w.observed.clear();
            });
        });
        screen
    }

    /// Slot `i`'s flags, reset as for a new slot (also when the slot comes
    /// back after the list shrank): the first [`EAGER_SLOTS`], or every slot
    /// where the browser has no observer, are built and on screen until the
    /// observer says otherwise; the others wait for it, or for an idle moment.
    pub fn slot(self, i: usize) -> SlotFlags {
        let eager = i < EAGER_SLOTS || !self.observing();
        let new_flags = || SlotFlags {
            seen: RwSignal::new(eager),
            built: RwSignal::new(eager),
        };
        let flags = self
            .flags
            .try_update_value(|flags| {
                while flags.len() <= i {
                    let made = match self.owner.get_value() {
                        Some(owner) => owner.with(new_flags),
                        None => new_flags(),
                    };
                    flags.push(made);
                }
                flags[i]
            })
            .unwrap_or_else(new_flags);
        for flag in [flags.seen, flags.built] {
            if flag.try_get_untracked() != Some(eager) {
                flag.set(eager);
            }
        }
        if !eager {
            self.watch
                .try_update_value(|w| w.first_waiting = w.first_waiting.min(i));
        }
        flags
    }

    /// Slot `i`'s row has just replaced its placeholder: observe the row.
    pub fn built(self, i: usize) {
        request_animation_frame(move || {
            self.watch.try_update_value(|w| w.observe(i));
            self.build_when_idle();
        });
    }

    fn observing(self) -> bool {
        self.watch
            .try_with_value(|w| w.observer.is_some())
            .unwrap_or(false)
    }

    /// Asks for an idle moment to build the rows still waiting, unless asked.
    fn build_when_idle(self) {
        let waiting = self.next_waiting().is_some();
        let ask = self
            .watch
            .try_update_value(|w| !std::mem::replace(&mut w.idle_asked, waiting) && waiting)
            .unwrap_or(false);
        if !ask {
            return;
        }
        let build = move || {
            self.watch.try_update_value(|w| w.idle_asked = false);
            for _ in 0..IDLE_BUILDS {
                match self.next_waiting() {
                    Some(flags) => flags.built.set(true),
                    None => break,
                }
            }
            // A built row asks again through `built`.
        };
        let asked = web_sys::window().and_then(|window| {
            let callback = Closure::once_into_js(build);
            window.request_idle_callback(callback.unchecked_ref()).ok()
        });
        if asked.is_none() {
            set_timeout(build, std::time::Duration::from_millis(50));
        }
    }

    /// The first slot in the list whose row is not built (looked for from
    /// where the last look stopped: slots only stop waiting, or come anew).
    fn next_waiting(self) -> Option<SlotFlags> {
        let (len, from) = self
            .watch
            .try_with_value(|w| (w.len, w.first_waiting))
            .unwrap_or((0, 0));
        let found = self
            .flags
            .try_with_value(|flags| {
                (from..len.min(flags.len()))
                    .find(|&i| flags[i].built.try_get_untracked() == Some(false))
                    .map(|i| (i, flags[i]))
            })
            .flatten();
        self.watch
            .try_update_value(|w| w.first_waiting = found.map_or(len, |(i, _)| i));
        found.map(|(_, flags)| flags)
    }

    /// The observer, or none where the browser has none (every slot then
    /// is built and stays on screen).
    fn observer(self) -> Option<Observer> {
        let callback = Closure::<dyn Fn(js_sys::Array)>::new(move |entries: js_sys::Array| {
            for entry in entries.iter() {
                let entry: web_sys::IntersectionObserverEntry = entry.unchecked_into();
                let index = entry
                    .target()
                    .get_attribute(SLOT_ATTRIBUTE)
                    .and_then(|i| i.parse::<usize>().ok());
                let flags = index.and_then(|i| self.flags.try_with_value(|s| s.get(i).copied()));
                if let Some(Some(flags)) = flags {
                    let on = entry.is_intersecting();
                    if flags.seen.try_get_untracked() != Some(on) {
                        flags.seen.set(on);
                    }
                    if on && flags.built.try_get_untracked() == Some(false) {
                        flags.built.set(true);
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

impl Watch {
    /// Observes the list's `len` children, each marked with its slot, and
    /// lets go of the elements of slots the list no longer has.
    fn sync(&mut self, len: usize) {
        for gone in self
            .observed
            .drain(len.min(self.observed.len())..)
            .flatten()
        {
            if let Some((observer, _)) = &self.observer {
                observer.unobserve(&gone);
            }
        }
        for i in 0..len {
            self.observe(i);
        }
    }

    /// Observes child `i` of the list, if it is not the element observed
    /// for slot `i` already (then that one, replaced, is let go of).
    fn observe(&mut self, i: usize) {
        let (Some((observer, _)), Some(parent)) = (&self.observer, &self.parent) else {
            return;
        };
        let Some(child) = parent.children().item(i as u32) else {
            return;
        };
        if self.observed.len() <= i {
            self.observed.resize(i + 1, None);
        }
        if self.observed[i].as_ref() == Some(&child) {
            return;
        }
        if let Some(old) = self.observed[i].take() {
            observer.unobserve(&old);
        }
        let _ = child.set_attribute(SLOT_ATTRIBUTE, &i.to_string());
        observer.observe(&child);
        self.observed[i] = Some(child);
    }
}
