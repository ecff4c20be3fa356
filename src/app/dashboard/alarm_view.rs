//! The alarm list: severity colours, acknowledge / acknowledge all / clear,
//! filters. Payloads are rendered as text nodes, never as HTML.

use leptos::prelude::*;

use super::alarms::{Alarm, AlarmView, Severity};
use super::browser::clock_label;
use super::context::DashboardContext;
use super::csv::alarms_csv;
use super::export_button::CsvExportButton;
use super::message::payload_text_in;
use super::more::{MoreRows, PAGE};
use crate::app::locale::use_i18n;
use crate::app::slots::{row_locale, slots, while_shown};
use crate::i18n::{t, t_string, td_string, Locale};

/// The alarm panel.
#[component]
pub fn AlarmPanel() -> impl IntoView {
    let ctx = DashboardContext::get();
    let i18n = use_i18n();
    let severity = RwSignal::new(String::new());
    let zone = RwSignal::new(String::new());
    let text = RwSignal::new(String::new());
    let hide_acknowledged = RwSignal::new(false);
    let filter = Memo::new(move |_| AlarmView {
        severity: severity.with(|s| Severity::parse(s)),
        zone: zone.get(),
        text: text.get(),
        hide_acknowledged: hide_acknowledged.get(),
    });
    let limit = RwSignal::new(PAGE);
    let shown = while_shown(move || {
        let view = filter.get();
        let limit = limit.get();
        ctx.handle.read(|m| {
            let (rows, total) = m.alarms.visible(&view, limit);
            (
                rows.into_iter().cloned().collect::<Vec<Alarm>>(),
                total,
                m.alarms.len(),
            )
        })
    });
    let rows = Memo::new(move |_| shown.with(|(rows, _, _)| rows.clone()));
    let counts = Memo::new(move |_| shown.with(|(_, total, all)| (*total, *all)));
    let state = Memo::new(move |_| PanelState::of(counts.get()));
    let unacknowledged = move || ctx.handle.read(|m| m.alarms.unacknowledged());
    let acknowledge_all = move |_| {
        let view = filter.get_untracked();
        ctx.handle.write(|m| m.alarms.acknowledge_all(&view));
        ctx.persist();
    };
    let csv = Callback::new(move |()| {
        let view = filter.get_untracked();
        ctx.handle.read_untracked(|m| alarms_csv(&m.alarms, &view))
    });

    view! {
        <section class="dash-panel dash-alarms" aria-labelledby="dash-alarms-title">
            <header class="dash-panel-head">
                <h2 id="dash-alarms-title">{t!(i18n, dashboard.alarms.title)}</h2>
                <span class="dash-count" aria-live="polite">
                    {move || {
                        t_string!(i18n, dashboard.alarms.unacknowledged, count = unacknowledged())
                    }}
                </span>
                <button
                    class="dash-button"
                    on:click=acknowledge_all
                    disabled=move || shown.with(|(rows, _, _)| rows.iter().all(|a| a.acknowledged))
                >
                    {t!(i18n, dashboard.alarms.ack_all)}
                </button>
                <CsvExportButton
                    file_name="qoscope-alarms.csv"
                    title=Signal::derive(move || {
                        t_string!(i18n, dashboard.alarms.export_title).to_string()
                    })
                    disabled=Signal::derive(move || shown.with(|(_, total, _)| *total == 0))
                    csv
                />
            </header>
            <AlarmFilters severity zone text hide_acknowledged />
            // Rebuilt only when the panel's state changes, so the table and
            // its rows persist while alarms stream in.
            {move || match state.get() {
                PanelState::Empty => view! {
                    <p class="dash-empty">{t!(i18n, dashboard.alarms.empty)}</p>
                }
                    .into_any(),
                PanelState::NoMatch => view! { <p class="dash-empty">{t!(i18n, dashboard.alarms.no_match)}</p> }
                    .into_any(),
                PanelState::Rows => view! { <AlarmTable rows counts limit /> }.into_any(),
            }}
        </section>
    }
}

/// Severity, zone and text filters.
#[component]
fn AlarmFilters(
    severity: RwSignal<String>,
    zone: RwSignal<String>,
    text: RwSignal<String>,
    hide_acknowledged: RwSignal<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="dash-filters" role="search">
            <label>
                {t!(i18n, dashboard.alarms.filters.severity)}
                " "
                <select on:change:target=move |ev| severity.set(ev.target().value())>
                    <option value="">{t!(i18n, dashboard.alarms.filters.all)}</option>
                    {Severity::ALL
                        .iter()
                        .map(|&s| {
                            view! {
                                <option value=s.label()>
                                    {move || s.word_in(i18n.get_locale())}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </label>
            <label>
                {t!(i18n, dashboard.alarms.filters.zone)}
                " "
                <input
                    type="search"
                    placeholder=move || t_string!(i18n, dashboard.alarms.filters.zone_placeholder)
                    bind:value=zone
                />
            </label>
            <label>
                {t!(i18n, dashboard.alarms.filters.text)}
                " "
                <input
                    type="search"
                    placeholder=move || t_string!(i18n, dashboard.alarms.filters.text_placeholder)
                    bind:value=text
                />
            </label>
            <label class="dash-check">
                <input type="checkbox" bind:checked=hide_acknowledged />
                " "
                {t!(i18n, dashboard.alarms.filters.hide_acknowledged)}
            </label>
        </div>
    }
}

/// The rows, most urgent first: each slot's DOM is built once and then
/// updated in place ([`slots`]).
#[component]
fn AlarmTable(
    rows: Memo<Vec<Alarm>>,
    counts: Memo<(usize, usize)>,
    limit: RwSignal<usize>,
) -> impl IntoView {
    let i18n = use_i18n();
    let body = NodeRef::<leptos::html::Tbody>::new();
    view! {
        <div class="dash-scroll">
        <table class="dash-table dash-alarm-table">
            <thead>
                <tr>
                    <th scope="col">{t!(i18n, dashboard.alarms.table.severity)}</th>
                    <th scope="col">{t!(i18n, dashboard.alarms.table.kind)}</th>
                    <th scope="col">{t!(i18n, dashboard.alarms.table.zone)}</th>
                    <th scope="col">{t!(i18n, dashboard.alarms.table.topic)}</th>
                    <th scope="col">{t!(i18n, dashboard.alarms.table.last_seen)}</th>
                    <th scope="col">{t!(i18n, dashboard.alarms.table.count)}</th>
                    <th scope="col">{t!(i18n, dashboard.alarms.table.payload)}</th>
                    <th scope="col">{t!(i18n, dashboard.alarms.table.actions)}</th>
                </tr>
            </thead>
            <tbody node_ref=body>{slots(rows, body, || view! { <tr class="slot-wait" aria-hidden="true"></tr> }, |alarm| view! { <AlarmRow alarm /> })}</tbody>
        </table>
        </div>
        <MoreRows
            shown=Signal::derive(move || rows.with(Vec::len))
            total=Signal::derive(move || counts.get().0)
            limit
            note=Signal::derive(move || {
                let (shown, total) = (rows.with(Vec::len), counts.get().0);
                t_string!(i18n, dashboard.alarms.more, shown = shown, total = total).to_string()
            })
        />
    }
}

/// One alarm, updated in place as it changes.
#[component]
fn AlarmRow(alarm: Memo<Alarm>) -> impl IntoView {
    let locale = row_locale();
    let level = Memo::new(move |_| alarm.with(|a| a.severity));
    let payload_shown =
        Memo::new(move |_| alarm.with(|a| payload_text_in(&a.payload_text, locale.get())));
    view! {
        <tr
            class=move || format!("dash-alarm sev-{}", level.get().label())
            class:acknowledged=move || alarm.with(|a| a.acknowledged)
            class:restored=move || alarm.with(|a| a.restored)
            data-severity=move || level.get().label()
        >
            <td>
                <span class=move || {
                    format!("dash-sev dash-sev-{}", level.get().label())
                }>{move || level.get().word_in(locale.get())}</span>
            </td>
            <td class="dash-alarm-type">{move || alarm.with(|a| a.key.alarm_type.clone())}</td>
            <td>{move || alarm.with(|a| zone_label(&a.key.zone))}</td>
            <AlarmTopicCell alarm locale />
            <AlarmSeenCell alarm locale />
            <AlarmCountCell alarm />
            <td class="dash-payload">
                <code class:raw=move || alarm.with(|a| !a.payload_is_json) title=payload_shown>
                    {payload_shown}
                </code>
            </td>
            <AlarmActions alarm />
        </tr>
    }
}

/// The topic, its QoS, and whether the message was retained or restored.
/// The tags are rebuilt as they come and go, in the language read by the
/// closure that rebuilds them: a rebuilt part that read the language signal
/// itself would stay in its subscriber list (`docs/flood.md`, "Memory over
/// a long flood").
#[component]
fn AlarmTopicCell(alarm: Memo<Alarm>, locale: Memo<Locale>) -> impl IntoView {
    let i18n = use_i18n();
    let qos = Memo::new(move |_| alarm.with(|a| a.qos as u8));
    let retained = Memo::new(move |_| alarm.with(|a| a.retained));
    let restored = Memo::new(move |_| alarm.with(|a| a.restored));
    view! {
        <td class="dash-topic">
            <code>{move || alarm.with(|a| a.topic.clone())}</code>
            <span
                class=move || format!("dash-qos dash-qos{}", qos.get())
                title=move || t_string!(i18n, dashboard.alarms.row.qos_title)
            >
                {move || format!("QoS {}", qos.get())}
            </span>
            {move || {
                let locale = locale.get();
                retained
                    .get()
                    .then(|| {
                        view! {
                            <span class="dash-tag">
                                {td_string!(locale, dashboard.alarms.row.retained)}
                            </span>
                        }
                    })
            }}
            {move || {
                let locale = locale.get();
                restored
                    .get()
                    .then(|| {
                        view! {
                            <span
                                class="dash-tag dash-restored"
                                title=td_string!(locale, dashboard.alarms.row.restored_title)
                            >
                                {td_string!(locale, dashboard.alarms.row.restored)}
                            </span>
                        }
                    })
            }}
        </td>
    }
}

/// When the alarm was last seen, and first seen when that differs.
#[component]
fn AlarmSeenCell(alarm: Memo<Alarm>, locale: Memo<Locale>) -> impl IntoView {
    let first =
        Memo::new(move |_| alarm.with(|a| (a.first_seen != a.last_seen).then_some(a.first_seen)));
    view! {
        <td>
            {move || alarm.with(|a| clock_label(a.last_seen))}
            {move || {
                let locale = locale.get();
                first
                    .get()
                    .map(|first_seen| {
                        let time = clock_label(first_seen);
                        view! {
                            <small class="dash-since">
                                {td_string!(locale, dashboard.alarms.row.first, time = time)
                                    .to_string()}
                            </small>
                        }
                    })
            }}
        </td>
    }
}

/// How often the alarm came, and the duplicate deliveries flagged.
#[component]
fn AlarmCountCell(alarm: Memo<Alarm>) -> impl IntoView {
    let i18n = use_i18n();
    let duplicates = Memo::new(move |_| alarm.with(|a| a.duplicates));
    view! {
        <td>
            {move || alarm.with(|a| a.repeat_count)}
            {move || {
                (duplicates.get() > 0)
                    .then(|| {
                        view! {
                            <span
                                class="dash-tag dash-dup"
                                title=move || t_string!(i18n, dashboard.alarms.row.dup_title)
                            >
                                {move || {
                                    t_string!(i18n, dashboard.alarms.row.dup, count = duplicates.get())
                                }}
                            </span>
                        }
                    })
            }}
        </td>
    }
}

/// Acknowledge, clear, and clear the broker's retained copy: each acts on
/// the alarm the row shows when clicked.
#[component]
fn AlarmActions(alarm: Memo<Alarm>) -> impl IntoView {
    let ctx = DashboardContext::get();
    let i18n = use_i18n();
    let key = move || alarm.with_untracked(|a| a.key.clone());
    let who =
        Memo::new(move |_| alarm.with(|a| (a.key.alarm_type.clone(), zone_label(&a.key.zone))));
    let acknowledged = Memo::new(move |_| alarm.with(|a| a.acknowledged));
    let acknowledge = move |_| {
        ctx.handle.write(|m| m.alarms.acknowledge(&key()));
        ctx.persist();
    };
    let clear = move |_| {
        ctx.handle.write(|m| m.alarms.clear(&key(), false));
        ctx.persist();
    };
    let clear_retained = move |_| {
        let intent = ctx.handle.write(|m| m.alarms.clear(&key(), true)).flatten();
        if let Some(publish) = intent {
            ctx.send(publish);
        }
        ctx.persist();
    };
    view! {
        <td class="dash-actions">
            <button
                class="dash-button"
                on:click=acknowledge
                disabled=acknowledged
                aria-label=move || {
                    let (kind, zone) = who.get();
                    t_string!(i18n, dashboard.alarms.row.ack_label, kind = kind, zone = zone)
                }
            >
                {move || {
                    if acknowledged.get() {
                        t_string!(i18n, dashboard.alarms.row.acknowledged)
                    } else {
                        t_string!(i18n, dashboard.alarms.row.ack)
                    }
                }}
            </button>
            <button
                class="dash-button"
                on:click=clear
                aria-label=move || {
                    let (kind, zone) = who.get();
                    t_string!(i18n, dashboard.alarms.row.clear_label, kind = kind, zone = zone)
                }
            >
                {t!(i18n, dashboard.alarms.row.clear)}
            </button>
            <button
                class="dash-button dash-danger"
                on:click=clear_retained
                aria-label=move || {
                    let (kind, zone) = who.get();
                    t_string!(
                        i18n, dashboard.alarms.row.clear_retained_label, kind = kind, zone = zone
                    )
                }
                title=move || t_string!(i18n, dashboard.alarms.row.clear_retained_title)
            >
                {t!(i18n, dashboard.alarms.row.clear_retained)}
            </button>
        </td>
    }
}

/// What a table panel shows: why there is no table, or the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum PanelState {
    /// Nothing received yet.
    Empty,
    /// Rows exist, but none matches the filters.
    NoMatch,
    /// The table.
    Rows,
}

impl PanelState {
    /// From (rows that match, rows in all).
    pub(super) fn of((matching, all): (usize, usize)) -> PanelState {
        match (matching, all) {
            (_, 0) => PanelState::Empty,
            (0, _) => PanelState::NoMatch,
            _ => PanelState::Rows,
        }
    }
}

fn zone_label(zone: &str) -> String {
    if zone.is_empty() {
        "—".to_owned()
    } else {
        zone.to_owned()
    }
}
