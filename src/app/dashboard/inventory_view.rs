//! The inventory table: count against its low-stock threshold, an inline
//! SVG sparkline of recent counts, and whether the count can be trusted.

use leptos::prelude::*;

use super::browser::clock_label;
use super::context::DashboardContext;
use super::csv::inventory_csv;
use super::export_button::CsvExportButton;
use super::inventory::{sparkline_path, StockItem, Trust, Unreadable};

/// Most rows rendered at once.
pub const ROW_LIMIT: usize = 200;
const SPARK_WIDTH: f64 = 120.0;
const SPARK_HEIGHT: f64 = 24.0;

/// One row, as rendered.
#[derive(Debug, Clone, PartialEq)]
struct StockRow {
    item: StockItem,
    threshold: i64,
    low: bool,
}

/// The inventory panel.
#[component]
pub fn InventoryPanel() -> impl IntoView {
    let ctx = DashboardContext::get();
    let search = RwSignal::new(String::new());
    let shown = Memo::new(move |_| {
        let needle = search.get();
        ctx.handle.read(|m| {
            let inventory = &m.inventory;
            let (items, total) = inventory.visible(&needle, ROW_LIMIT);
            let rows: Vec<StockRow> = items
                .into_iter()
                .map(|item| StockRow {
                    threshold: inventory.settings().threshold_for(&item.sku),
                    low: inventory.is_low(item),
                    item: item.clone(),
                })
                .collect();
            (rows, total, inventory.len())
        })
    });
    let unreadable = Memo::new(move |_| {
        ctx.handle.read(|m| {
            m.inventory
                .unreadable()
                .rev()
                .cloned()
                .collect::<Vec<Unreadable>>()
        })
    });
    let filters = move || ctx.settings.with(|s| s.inventory.filters.join(", "));
    let csv = Callback::new(move |()| {
        let needle = search.get_untracked();
        ctx.handle
            .read_untracked(|m| inventory_csv(&m.inventory, &needle))
    });

    view! {
        <section class="dash-panel dash-inventory" aria-labelledby="dash-inventory-title">
            <header class="dash-panel-head">
                <h2 id="dash-inventory-title">"Inventory"</h2>
                <span class="dash-count">{move || format!("{} SKUs", shown.with(|s| s.2))}</span>
                <label>
                    "SKU " <input type="search" placeholder="filter SKUs" bind:value=search />
                </label>
                <CsvExportButton
                    file_name="qoscope-inventory.csv"
                    title="Every SKU the filter admits, with its trust state, as CSV"
                    disabled=Signal::derive(move || shown.with(|(_, total, _)| *total == 0))
                    csv
                />
            </header>
            {move || {
                let (rows, total, all) = shown.get();
                if all == 0 {
                    view! {
                        <p class="dash-empty">
                            {format!(
                                "No stock yet. Publish levels ({{\"sku\":\"A-100\",\"level\":42}}) or deltas ({{\"sku\":\"A-100\",\"delta\":-3,\"msg_id\":\"…\"}}) to {}, or start the traffic generator.",
                                filters(),
                            )}
                        </p>
                    }
                        .into_any()
                } else if total == 0 {
                    view! { <p class="dash-empty">"No SKU matches the filter."</p> }.into_any()
                } else {
                    view! { <StockTable rows total /> }.into_any()
                }
            }}
            {move || {
                let items = unreadable.get();
                (!items.is_empty()).then(|| view! { <UnreadableList items /> })
            }}
        </section>
    }
}

#[component]
fn StockTable(rows: Vec<StockRow>, total: usize) -> impl IntoView {
    let shown = rows.len();
    view! {
        <table class="dash-table dash-stock-table">
            <thead>
                <tr>
                    <th scope="col">"SKU"</th>
                    <th scope="col">"Count"</th>
                    <th scope="col">"Low below"</th>
                    <th scope="col">"Last change"</th>
                    <th scope="col">"Trend"</th>
                    <th scope="col">"Trust"</th>
                </tr>
            </thead>
            <tbody>
                <For
                    each=move || rows.clone()
                    key=|row| (row.item.sku.clone(), row.item.revision, row.threshold)
                    children=|row| view! { <StockRowView row /> }
                />
            </tbody>
        </table>
        {(total > shown)
            .then(|| {
                view! {
                    <p class="dash-more">
                        {format!("Showing {shown} of {total} SKUs. Filter by SKU to see the rest.")}
                    </p>
                }
            })}
    }
}

#[component]
fn StockRowView(row: StockRow) -> impl IntoView {
    let ctx = DashboardContext::get();
    let item = row.item;
    let sku = item.sku.clone();
    let set_threshold = move |value: String| {
        let Ok(threshold) = value.trim().parse::<i64>() else {
            return;
        };
        ctx.settings.update(|s| {
            s.inventory.low_stock.insert(sku.clone(), threshold);
        });
    };
    let change = match item.last_delta {
        Some(delta) => format!("{delta:+} at {}", clock_label(item.last_change)),
        None => format!("level at {}", clock_label(item.last_change)),
    };
    let points: Vec<i64> = item.history.iter().map(|(_, count)| *count).collect();
    let path = sparkline_path(&points, SPARK_WIDTH, SPARK_HEIGHT);
    let label = format!("Low-stock threshold for {}", item.sku);
    let restored = item.restored;
    view! {
        <tr class="dash-stock" class:low=row.low class:restored=restored>
            <th scope="row">{item.sku.clone()}</th>
            <td class="dash-num">
                {item.count}
                {(!item.anchored)
                    .then(|| {
                        view! {
                            <span
                                class="dash-tag"
                                title="No level message yet: this is the sum of deltas from 0"
                            >
                                "Δ only"
                            </span>
                        }
                    })}
                {row.low.then(|| view! { <span class="dash-tag dash-low">"low"</span> })}
                {(item.broker_repeats > 0)
                    .then(|| {
                        view! {
                            <span
                                class="dash-tag dash-repeats"
                                data-testid="stock-repeats"
                                title="Copies of deltas already counted (same msg_id), delivered at QoS 2. The session already drops the protocol's own resends, so these are old messages the broker delivered again: Mosquitto does this to a persistent session after it restarts. Skipped, not counted; the publisher sent each delta once."
                            >
                                {format!("{} repeated by the broker", item.broker_repeats)}
                            </span>
                        }
                    })}
                {restored
                    .then(|| {
                        view! {
                            <span
                                class="dash-tag dash-restored"
                                title="Carried over from before the page was reloaded. Deltas sent while it was away may be missing; the next level message confirms the count."
                            >
                                "restored"
                            </span>
                        }
                    })}
            </td>
            <td>
                <input
                    class="dash-threshold"
                    type="number"
                    aria-label=label
                    value=row.threshold
                    on:change:target=move |ev| set_threshold(ev.target().value())
                />
            </td>
            <td>{change}</td>
            <td>
                <svg
                    class="dash-spark"
                    width=SPARK_WIDTH
                    height=SPARK_HEIGHT
                    viewBox=format!("-1 -1 {} {}", SPARK_WIDTH + 2.0, SPARK_HEIGHT + 2.0)
                    role="img"
                    aria-label=format!("last {} counts", points.len())
                >
                    <path d=path fill="none" stroke="currentColor" stroke-width="1.5" />
                </svg>
            </td>
            <td>
                <TrustBadge item />
            </td>
        </tr>
    }
}

#[component]
fn TrustBadge(item: StockItem) -> impl IntoView {
    match item.trust() {
        Trust::Trusted => {
            let title = if item.duplicates_skipped > 0 {
                format!(
                    "{} duplicate(s) recognised by msg_id and skipped",
                    item.duplicates_skipped
                )
            } else {
                "No duplicate met a QoS 0/1 delta since the last level".to_owned()
            };
            view! { <span class="dash-trust dash-trusted" title=title>"trusted"</span> }.into_any()
        }
        Trust::CannotBeTrusted {
            duplicates,
            low_qos_deltas,
        } => {
            let title = format!(
                "{duplicates} duplicate(s) among {low_qos_deltas} delta(s) sent at QoS 0/1 since the last level. QoS 1 is at-least-once: a resent delta can be counted twice. Use QoS 2 for inventory counts, or publish a level to re-anchor."
            );
            view! {
                <span class="dash-trust dash-untrusted" title=title>
                    {format!("cannot be trusted ({duplicates} dup)")}
                </span>
            }
            .into_any()
        }
    }
}

#[component]
fn UnreadableList(items: Vec<Unreadable>) -> impl IntoView {
    view! {
        <details class="dash-unreadable">
            <summary>
                {format!("{} message(s) were neither a level nor a delta (kept raw)", items.len())}
            </summary>
            <ul>
                {items
                    .into_iter()
                    .map(|u| {
                        view! {
                            <li>
                                {clock_label(u.at)} " " <code>{u.topic}</code> " " <code>{u.text}</code>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </details>
    }
}
