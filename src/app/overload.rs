//! Overload: what the page skipped to keep up with a flood, and the notice
//! that says so (the client's message list and the dashboard each show one).

use leptos::prelude::*;

/// What was skipped to keep the page responsive, and when (Unix ms, as the
/// page noticed it).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Overload {
    /// Messages (or inputs) skipped in all.
    pub shed: u64,
    /// When the first were noticed.
    pub since: u64,
    /// When the latest were noticed.
    pub last: u64,
}

impl Overload {
    /// Notes the count skipped so far at `now`; true when it grew.
    pub fn note(&mut self, shed: u64, now: u64) -> bool {
        if shed <= self.shed {
            return false;
        }
        if self.shed == 0 {
            self.since = now;
        }
        self.shed = shed;
        self.last = now;
        true
    }
}

/// "Overload: N … skipped …, since …": shown from the first skip on, built
/// once, its words following the count in place. `words` says it in the
/// reader's language; `data-skipped` carries the count for tests and benches.
#[component]
pub fn OverloadNotice<F>(
    /// What was skipped.
    overload: Memo<Overload>,
    /// The notice's class.
    class: &'static str,
    /// Its `data-testid`.
    testid: &'static str,
    /// Its words.
    words: F,
) -> impl IntoView
where
    F: Fn(Overload) -> String + Clone + Send + Sync + 'static,
{
    let shown = Memo::new(move |_| overload.with(|o| o.shed > 0));
    move || {
        let words = words.clone();
        shown.get().then(|| {
            view! {
                <p
                    class=class
                    role="status"
                    data-testid=testid
                    data-skipped=move || overload.get().shed.to_string()
                >
                    {move || words(overload.get())}
                </p>
            }
        })
    }
}
