//! How many rows a dashboard table renders: a page at first, more on
//! request, up to a bound. Every row rendered is work on every frame
//! under a flood (style, layout, paint), and a screen holds far fewer than
//! the bound: with 200 rows the alarm table alone held a flooded page at
//! 9 fps, with 40 at 14 (`docs/flood.md`).

use leptos::prelude::*;

use crate::app::locale::use_i18n;
use crate::i18n::t_string;

/// Rows rendered at first, and added by each "Show more".
pub const PAGE: usize = 50;
/// The most rows a table renders; the filters reach the rest.
pub const MAX_ROWS: usize = 200;

/// The line under a table that does not show every row: `note` (how many
/// of how many, and how to narrow them), and a button that renders
/// [`PAGE`] more while fewer than [`MAX_ROWS`] are.
#[component]
pub fn MoreRows(
    /// Rows rendered.
    shown: Signal<usize>,
    /// Rows that match.
    total: Signal<usize>,
    /// How many may be rendered; the button raises it.
    limit: RwSignal<usize>,
    /// The sentence saying how many are shown.
    #[prop(into)]
    note: Signal<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    // Memos, so that the line and its button are built when they come and
    // go, not on every frame that changes a count: a view rebuilt each
    // frame kept its effects subscribed to the counts, 0.2 KB a frame
    // (tests/web_memory.rs).
    let hidden_rows = Memo::new(move |_| total.get() > shown.get());
    let more = Memo::new(move |_| limit.get() < MAX_ROWS && hidden_rows.get());
    move || {
        hidden_rows.get().then(|| {
            view! {
                <p class="dash-more">
                    {note}
                    {move || {
                        more.get()
                            .then(|| {
                                view! {
                                    " "
                                    <button
                                        class="dash-button"
                                        on:click=move |_| {
                                            limit.update(|l| *l = (*l + PAGE).min(MAX_ROWS))
                                        }
                                    >
                                        {move || t_string!(i18n, dashboard.view.show_more, count = PAGE)}
                                    </button>
                                }
                            })
                    }}
                </p>
            }
        })
    }
}

/// The first `limit` of `rows` in the order of `cmp`, sorted: the rest are
/// set apart in linear time instead of being sorted (a table shows 50 of up
/// to thousands of rows, and is asked again every frame of a flood).
pub fn first_sorted<T>(
    mut rows: Vec<T>,
    limit: usize,
    cmp: impl Fn(&T, &T) -> std::cmp::Ordering,
) -> Vec<T> {
    if limit == 0 {
        rows.clear();
    } else if rows.len() > limit {
        rows.select_nth_unstable_by(limit - 1, &cmp);
        rows.truncate(limit);
    }
    rows.sort_by(cmp);
    rows
}

#[cfg(test)]
mod tests {
    use super::first_sorted;

    #[test]
    fn the_first_rows_are_those_a_full_sort_puts_first() {
        let rows: Vec<u32> = (0..500).map(|i| (i * 7919) % 1009).collect();
        for limit in [0, 1, 2, 50, 499, 500, 501] {
            let mut sorted = rows.clone();
            sorted.sort();
            sorted.truncate(limit);
            assert_eq!(first_sorted(rows.clone(), limit, |a, b| a.cmp(b)), sorted);
        }
        let reversed = first_sorted(rows.clone(), 3, |a, b| b.cmp(a));
        assert_eq!(reversed, vec![1006, 1005, 1002]);
    }
}
