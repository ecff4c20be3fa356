//! The inventory table: count against its low-stock threshold, an inline
//! SVG sparkline of recent counts, and whether the count can be trusted.

use leptos::prelude::*;

use super::alarm_view::PanelState;
use super::browser::clock_label;
use super::context::DashboardContext;
use super::csv::inventory_csv;
use super::export_button::CsvExportButton;
use super::inventory::{sparkline_path, Inventory, StockItem, Trust, Unreadable};
use super::message::payload_text_in;
use super::more::{MoreRows, PAGE};
use crate::app::locale::use_i18n;
use crate::app::slots::{row_locale, slots, while_shown};
use crate::i18n::{t, t_string, td_string, Locale};

const SPARK_WIDTH: f64 = 120.0;
const SPARK_HEIGHT: f64 = 24.0;
/// The payloads the empty table suggests (JSON, the same in every language).
const LEVEL_EXAMPLE: &str = r#"{"sku":"A-100","level":42}"#;
const DELTA_EXAMPLE: &str = r#"{"sku":"A-100","delta":-3,"msg_id":"…"}"#;

/// One row, as rendered.
#[derive(Debug, Clone, PartialEq)]
struct StockRow {
    item: StockItem,
    threshold: i64,
    low: bool,
}

/// The rows `needle` admits (at most `limit`), each with its
/// threshold and whether it is low; how many matched; how many SKUs in all.
fn stock_rows(inventory: &Inventory, needle: &str, limit: usize) -> (Vec<StockRow>, usize, usize) {
    let (items, total) = inventory.visible(needle, limit);
    let rows: Vec<StockRow> = items
        .into_iter()
        .map(|item| StockRow {
            threshold: inventory.settings().threshold_for(&item.sku),
            low: inventory.is_low(item),
            item: item.clone(),
        })
        .collect();
    (rows, total, inventory.len())
}

/// The inventory panel.
#[component]
pub fn InventoryPanel() -> impl IntoView {
    let ctx = DashboardContext::get();
    let search = RwSignal::new(String::new());
    let limit = RwSignal::new(PAGE);
    let shown = while_shown(move || {
        let (needle, limit) = (search.get(), limit.get());
        ctx.handle
            .read(|m| stock_rows(&m.inventory, &needle, limit))
    });
    let unreadable = while_shown(move || {
        ctx.handle.read(|m| {
            m.inventory
                .unreadable()
                .rev()
                .cloned()
                .collect::<Vec<Unreadable>>()
        })
    });

    view! {
        <section class="dash-panel dash-inventory" aria-labelledby="dash-inventory-title">
            <InventoryHead search shown />
            <InventoryBody shown limit />
            {move || {
                let items = unreadable.get();
                (!items.is_empty()).then(|| view! { <UnreadableList items /> })
            }}
        </section>
    }
}

/// The panel's title, SKU count, search box and CSV export.
#[component]
fn InventoryHead(
    search: RwSignal<String>,
    shown: Memo<(Vec<StockRow>, usize, usize)>,
) -> impl IntoView {
    let ctx = DashboardContext::get();
    let i18n = use_i18n();
    let csv = Callback::new(move |()| {
        let needle = search.get_untracked();
        ctx.handle
            .read_untracked(|m| inventory_csv(&m.inventory, &needle))
    });
    view! {
        <header class="dash-panel-head">
            <h2 id="dash-inventory-title">{t!(i18n, dashboard.inventory.title)}</h2>
            <span class="dash-count">
                {move || t_string!(i18n, dashboard.inventory.skus, count = shown.with(|s| s.2))}
            </span>
            <label>
                {t!(i18n, dashboard.inventory.sku)}
                " "
                <input
                    type="search"
                    placeholder=move || t_string!(i18n, dashboard.inventory.sku_placeholder)
                    bind:value=search
                />
            </label>
            <CsvExportButton
                file_name="qoscope-inventory.csv"
                title=Signal::derive(move || {
                    t_string!(i18n, dashboard.inventory.export_title).to_string()
                })
                disabled=Signal::derive(move || shown.with(|(_, total, _)| *total == 0))
                csv
            />
        </header>
    }
}

/// The table, or why there is none (nothing received yet, or nothing
/// matches). Rebuilt only when that changes, so the table and its rows
/// persist while stock messages stream in.
#[component]
fn InventoryBody(
    shown: Memo<(Vec<StockRow>, usize, usize)>,
    limit: RwSignal<usize>,
) -> impl IntoView {
    let ctx = DashboardContext::get();
    let i18n = use_i18n();
    let filters = move || ctx.settings.with(|s| s.inventory.filters.join(", "));
    let rows = Memo::new(move |_| shown.with(|(rows, _, _)| rows.clone()));
    let total = Memo::new(move |_| shown.with(|(_, total, _)| *total));
    let state = Memo::new(move |_| shown.with(|(_, total, all)| PanelState::of((*total, *all))));
    move || match state.get() {
        PanelState::Empty => view! {
            <p class="dash-empty">
                {move || {
                    t_string!(
                        i18n,
                        dashboard.inventory.empty,
                        level = LEVEL_EXAMPLE,
                        delta = DELTA_EXAMPLE,
                        filters = filters()
                    )
                }}
            </p>
        }
        .into_any(),
        PanelState::NoMatch => {
            view! { <p class="dash-empty">{t!(i18n, dashboard.inventory.no_match)}</p> }.into_any()
        }
        PanelState::Rows => view! { <StockTable rows total limit /> }.into_any(),
    }
}

/// The rows: each slot's DOM is built once and then updated in place ([`slots`]).
#[component]
fn StockTable(
    rows: Memo<Vec<StockRow>>,
    total: Memo<usize>,
    limit: RwSignal<usize>,
) -> impl IntoView {
    let i18n = use_i18n();
    let body = NodeRef::<leptos::html::Tbody>::new();
    view! {
        <table class="dash-table dash-stock-table">
            <thead>
                <tr>
                    <th scope="col">{t!(i18n, dashboard.inventory.sku)}</th>
                    <th scope="col">{t!(i18n, dashboard.inventory.table.count)}</th>
                    <th scope="col">{t!(i18n, dashboard.inventory.table.low_below)}</th>
                    <th scope="col">{t!(i18n, dashboard.inventory.table.last_change)}</th>
                    <th scope="col">{t!(i18n, dashboard.inventory.table.trend)}</th>
                    <th scope="col">{t!(i18n, dashboard.inventory.table.trust)}</th>
                </tr>
            </thead>
            <tbody node_ref=body>{slots(rows, body, || view! { <tr class="slot-wait" aria-hidden="true"></tr> }, |row| view! { <StockRowView row /> })}</tbody>
        </table>
        <MoreRows
            shown=Signal::derive(move || rows.with(Vec::len))
            total=Signal::derive(move || total.get())
            limit
            note=Signal::derive(move || {
                let (shown, total) = (rows.with(Vec::len), total.get());
                t_string!(i18n, dashboard.inventory.more, shown = shown, total = total).to_string()
            })
        />
    }
}

/// One SKU, updated in place as it changes. The parts that change rarely
/// (tags, threshold, trust) are rebuilt only when what they show changed.
#[component]
fn StockRowView(row: Memo<StockRow>) -> impl IntoView {
    let locale = row_locale();
    let change = move || {
        row.with(|r| {
            let at = clock_label(r.item.last_change);
            match r.item.last_delta {
                Some(delta) => td_string!(
                    locale.get(),
                    dashboard.inventory.row.delta_at,
                    delta = format!("{delta:+}"),
                    time = at
                )
                .to_string(),
                None => td_string!(locale.get(), dashboard.inventory.row.level_at, time = at)
                    .to_string(),
            }
        })
    };
    // Which tags show, and the repeat count apart: a count that changes
    // rebuilds no tag (a rebuilt view's effects stay in the locale signal's
    // subscriber list until the language changes: memory held per frame).
    let tags = Memo::new(move |_| row.with(StockTagSet::of));
    let repeats = Memo::new(move |_| row.with(|r| r.item.broker_repeats));
    let threshold = Memo::new(move |_| row.with(|r| (r.item.sku.clone(), r.threshold)));
    let trust = Memo::new(move |_| row.with(|r| (r.item.trust(), r.item.duplicates_skipped)));
    let points = Memo::new(move |_| {
        row.with(|r| {
            r.item
                .history
                .iter()
                .map(|(_, count)| *count)
                .collect::<Vec<i64>>()
        })
    });
    view! {
        <tr
            class="dash-stock"
            class:low=move || row.with(|r| r.low)
            class:restored=move || row.with(|r| r.item.restored)
        >
            <th scope="row">{move || row.with(|r| r.item.sku.clone())}</th>
            <td class="dash-num">
                {move || row.with(|r| r.item.count)}
                {move || view! { <StockTags tags=tags.get() locale=locale.get() repeats /> }}
            </td>
            <td>
                <ThresholdInput threshold />
            </td>
            <td>{change}</td>
            <td>
                <Sparkline points />
            </td>
            <td>
                <TrustBadge trust />
            </td>
        </tr>
    }
}

/// What the tags beside a count say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct StockTagSet {
    anchored: bool,
    low: bool,
    repeats: bool,
    restored: bool,
    missed: bool,
}

impl StockTagSet {
    fn of(row: &StockRow) -> StockTagSet {
        StockTagSet {
            anchored: row.item.anchored,
            low: row.low,
            repeats: row.item.broker_repeats > 0,
            restored: row.item.restored,
            missed: row.item.missed,
        }
    }
}

/// The tags beside a count: delta only, low, broker repeats, restored, may
/// be short, in
/// `locale`. Rebuilt when the set or the language changes, so the tags read
/// neither reactively: a rebuilt part that read the language signal would
/// stay in its subscriber list (see `docs/flood.md`, "Memory over a long
/// flood").
#[component]
fn StockTags(tags: StockTagSet, locale: Locale, repeats: Memo<u32>) -> impl IntoView {
    view! {
        {(!tags.anchored)
            .then(|| {
                view! {
                    <span
                        class="dash-tag"
                        title=td_string!(locale, dashboard.inventory.row.delta_only_title)
                    >
                        {td_string!(locale, dashboard.inventory.row.delta_only)}
                    </span>
                }
            })}
        {tags.low
            .then(|| {
                view! {
                    <span class="dash-tag dash-low">
                        {td_string!(locale, dashboard.inventory.row.low)}
                    </span>
                }
            })}
        {tags
            .repeats
            .then(|| {
                view! {
                    <span
                        class="dash-tag dash-repeats"
                        data-testid="stock-repeats"
                        title=td_string!(locale, dashboard.inventory.row.repeats_title)
                    >
                        {move || {
                            td_string!(
                                locale, dashboard.inventory.row.repeats, count = repeats.get()
                            )
                            .to_string()
                        }}
                    </span>
                }
            })}
        {tags
            .restored
            .then(|| {
                view! {
                    <span
                        class="dash-tag dash-restored"
                        title=td_string!(locale, dashboard.inventory.row.restored_title)
                    >
                        {td_string!(locale, dashboard.inventory.row.restored)}
                    </span>
                }
            })}
        {tags
            .missed
            .then(|| {
                view! {
                    <span
                        class="dash-tag dash-restored"
                        data-testid="stock-missed"
                        title=td_string!(locale, dashboard.inventory.row.missed_title)
                    >
                        {td_string!(locale, dashboard.inventory.row.missed)}
                    </span>
                }
            })}
    }
}

/// The low-stock threshold of one SKU, editable; a number that does not
/// parse is ignored.
#[component]
fn ThresholdInput(threshold: Memo<(String, i64)>) -> impl IntoView {
    let ctx = DashboardContext::get();
    let i18n = use_i18n();
    let label = move || {
        t_string!(
            i18n,
            dashboard.inventory.row.threshold_label,
            sku = threshold.with(|(sku, _)| sku.clone())
        )
    };
    let set_threshold = move |value: String| {
        let Ok(level) = value.trim().parse::<i64>() else {
            return;
        };
        let sku = threshold.with_untracked(|(sku, _)| sku.clone());
        ctx.settings.update(|s| {
            s.inventory.low_stock.insert(sku, level);
        });
    };
    view! {
        <input
            class="dash-threshold"
            type="number"
            aria-label=label
            prop:value=move || threshold.with(|(_, level)| level.to_string())
            on:change:target=move |ev| set_threshold(ev.target().value())
        />
    }
}

/// An inline SVG line of recent counts, redrawn as they change.
#[component]
fn Sparkline(points: Memo<Vec<i64>>) -> impl IntoView {
    let locale = row_locale();
    let counts = Memo::new(move |_| points.with(Vec::len));
    view! {
        <svg
            class="dash-spark"
            width=SPARK_WIDTH
            height=SPARK_HEIGHT
            viewBox=format!("-1 -1 {} {}", SPARK_WIDTH + 2.0, SPARK_HEIGHT + 2.0)
            role="img"
            aria-label=move || {
                td_string!(locale.get(), dashboard.inventory.row.spark_label, count = counts.get())
            }
        >
            <path
                d=move || points.with(|p| sparkline_path(p, SPARK_WIDTH, SPARK_HEIGHT))
                fill="none"
                stroke="currentColor"
                stroke-width="1.5"
            />
        </svg>
    }
}

/// Whether a SKU's count can be trusted. The badge is rebuilt only when
/// that answer changes; the counts in it follow `trust` in place.
#[component]
fn TrustBadge(trust: Memo<(Trust, u32)>) -> impl IntoView {
    let i18n = use_i18n();
    let trusted = Memo::new(move |_| trust.with(|(t, _)| *t == Trust::Trusted));
    let untrusted = move || {
        trust.with(|(t, _)| match t {
            Trust::CannotBeTrusted {
                duplicates,
                low_qos_deltas,
            } => (*duplicates, *low_qos_deltas),
            Trust::Trusted => (0, 0),
        })
    };
    move || {
        if trusted.get() {
            let title = move || match trust.with(|(_, skipped)| *skipped) {
                0 => t_string!(i18n, dashboard.inventory.trust.trusted_title).to_string(),
                skipped => t_string!(
                    i18n,
                    dashboard.inventory.trust.skipped_title,
                    count = skipped
                )
                .to_string(),
            };
            view! {
                <span class="dash-trust dash-trusted" title=title>
                    {t!(i18n, dashboard.inventory.trust.trusted)}
                </span>
            }
            .into_any()
        } else {
            let title = move || {
                let (duplicates, deltas) = untrusted();
                t_string!(
                    i18n,
                    dashboard.inventory.trust.untrusted_title,
                    duplicates = duplicates,
                    deltas = deltas
                )
            };
            view! {
                <span class="dash-trust dash-untrusted" title=title>
                    {move || {
                        t_string!(i18n, dashboard.inventory.trust.untrusted, count = untrusted().0)
                    }}
                </span>
            }
            .into_any()
        }
    }
}

#[component]
fn UnreadableList(items: Vec<Unreadable>) -> impl IntoView {
    let i18n = use_i18n();
    let count = items.len();
    view! {
        <details class="dash-unreadable">
            <summary>
                {move || t_string!(i18n, dashboard.inventory.unreadable, count = count)}
            </summary>
            <ul>
                {items
                    .into_iter()
                    .map(|u| {
                        view! {
                            <li>
                                {clock_label(u.at)}
                                " "
                                <code>{u.topic}</code>
                                " "
                                <code>{move || payload_text_in(&u.text, i18n.get_locale())}</code>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </details>
    }
}
