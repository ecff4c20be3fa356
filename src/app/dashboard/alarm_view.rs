//! The alarm list: severity colours, acknowledge / acknowledge all / clear,
//! filters. Payloads are rendered as text nodes, never as HTML.

use leptos::prelude::*;

use super::alarms::{Alarm, AlarmView, Severity};
use super::browser::clock_label;
use super::context::DashboardContext;
use super::csv::alarms_csv;
use super::export_button::CsvExportButton;
use super::message::payload_text_in;
use crate::app::locale::use_i18n;
use crate::i18n::{t, t_string};

/// Most rows rendered at once; the rest are reachable through the filters.
pub const ROW_LIMIT: usize = 200;

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
    let shown = Memo::new(move |_| {
        let view = filter.get();
        ctx.handle.read(|m| {
            let (rows, total) = m.alarms.visible(&view, ROW_LIMIT);
            (
                rows.into_iter().cloned().collect::<Vec<Alarm>>(),
                total,
                m.alarms.len(),
            )
        })
    });
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
            {move || {
                let (rows, total, all) = shown.get();
                if all == 0 {
                    view! {
                        <p class="dash-empty">{t!(i18n, dashboard.alarms.empty)}</p>
                    }
                        .into_any()
                } else if total == 0 {
                    view! { <p class="dash-empty">{t!(i18n, dashboard.alarms.no_match)}</p> }
                        .into_any()
                } else {
                    view! { <AlarmTable rows total /> }.into_any()
                }
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

/// The rows, most urgent first.
#[component]
fn AlarmTable(rows: Vec<Alarm>, total: usize) -> impl IntoView {
    let shown = rows.len();
    let i18n = use_i18n();
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
            <tbody>
                <For
                    each=move || rows.clone()
                    key=|alarm| (alarm.key.clone(), alarm.revision)
                    children=|alarm| view! { <AlarmRow alarm /> }
                />
            </tbody>
        </table>
        </div>
        {(total > shown)
            .then(|| {
                view! {
                    <p class="dash-more">
                        {move || t_string!(i18n, dashboard.alarms.more, shown = shown, total = total)}
                    </p>
                }
            })}
    }
}

/// One alarm.
#[component]
fn AlarmRow(alarm: Alarm) -> impl IntoView {
    let i18n = use_i18n();
    let level = alarm.severity;
    let severity = level.label();
    let payload = alarm.payload_text.clone();
    let payload_shown = Memo::new(move |_| payload_text_in(&payload, i18n.get_locale()));
    let (acknowledged, restored) = (alarm.acknowledged, alarm.restored);
    view! {
        <tr
            class=format!("dash-alarm sev-{severity}")
            class:acknowledged=acknowledged
            class:restored=restored
            data-severity=severity
        >
            <td>
                <span class=format!(
                    "dash-sev dash-sev-{severity}",
                )>{move || level.word_in(i18n.get_locale())}</span>
            </td>
            <td class="dash-alarm-type">{alarm.key.alarm_type.clone()}</td>
            <td>{zone_label(&alarm.key.zone)}</td>
            <AlarmTopicCell alarm=alarm.clone() />
            <AlarmSeenCell first_seen=alarm.first_seen last_seen=alarm.last_seen />
            <AlarmCountCell repeat_count=alarm.repeat_count duplicates=alarm.duplicates />
            <td class="dash-payload">
                <code class:raw=!alarm.payload_is_json title=payload_shown>
                    {payload_shown}
                </code>
            </td>
            <AlarmActions alarm />
        </tr>
    }
}

/// The topic, its QoS, and whether the message was retained or restored.
#[component]
fn AlarmTopicCell(alarm: Alarm) -> impl IntoView {
    let i18n = use_i18n();
    let qos = alarm.qos as u8;
    view! {
        <td class="dash-topic">
            <code>{alarm.topic.clone()}</code>
            <span
                class=format!("dash-qos dash-qos{qos}")
                title=move || t_string!(i18n, dashboard.alarms.row.qos_title)
            >
                {format!("QoS {qos}")}
            </span>
            {alarm
                .retained
                .then(|| {
                    view! {
                        <span class="dash-tag">{t!(i18n, dashboard.alarms.row.retained)}</span>
                    }
                })}
            {alarm
                .restored
                .then(|| {
                    view! {
                        <span
                            class="dash-tag dash-restored"
                            title=move || t_string!(i18n, dashboard.alarms.row.restored_title)
                        >
                            {t!(i18n, dashboard.alarms.row.restored)}
                        </span>
                    }
                })}
        </td>
    }
}

/// When the alarm was last seen, and first seen when that differs.
#[component]
fn AlarmSeenCell(first_seen: u64, last_seen: u64) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <td>
            {clock_label(last_seen)}
            {(first_seen != last_seen)
                .then(|| {
                    view! {
                        <small class="dash-since">
                            {move || {
                                t_string!(
                                    i18n, dashboard.alarms.row.first, time = clock_label(first_seen)
                                )
                            }}
                        </small>
                    }
                })}
        </td>
    }
}

/// How often the alarm came, and the duplicate deliveries flagged.
#[component]
fn AlarmCountCell(repeat_count: u32, duplicates: u32) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <td>
            {repeat_count}
            {(duplicates > 0)
                .then(|| {
                    view! {
                        <span
                            class="dash-tag dash-dup"
                            title=move || t_string!(i18n, dashboard.alarms.row.dup_title)
                        >
                            {move || t_string!(i18n, dashboard.alarms.row.dup, count = duplicates)}
                        </span>
                    }
                })}
        </td>
    }
}

/// Acknowledge, clear, and clear the broker's retained copy.
#[component]
fn AlarmActions(alarm: Alarm) -> impl IntoView {
    let ctx = DashboardContext::get();
    let i18n = use_i18n();
    let key = alarm.key.clone();
    let who = StoredValue::new((key.alarm_type.clone(), zone_label(&key.zone)));
    let (ack_key, clear_key, retained_key) = (key.clone(), key.clone(), key);
    let acknowledge = move |_| {
        ctx.handle.write(|m| m.alarms.acknowledge(&ack_key));
        ctx.persist();
    };
    let clear = move |_| {
        ctx.handle.write(|m| m.alarms.clear(&clear_key, false));
        ctx.persist();
    };
    let clear_retained = move |_| {
        let intent = ctx
            .handle
            .write(|m| m.alarms.clear(&retained_key, true))
            .flatten();
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
                disabled=alarm.acknowledged
                aria-label=move || {
                    let (kind, zone) = who.get_value();
                    t_string!(i18n, dashboard.alarms.row.ack_label, kind = kind, zone = zone)
                }
            >
                {if alarm.acknowledged {
                    t!(i18n, dashboard.alarms.row.acknowledged).into_any()
                } else {
                    t!(i18n, dashboard.alarms.row.ack).into_any()
                }}
            </button>
            <button
                class="dash-button"
                on:click=clear
                aria-label=move || {
                    let (kind, zone) = who.get_value();
                    t_string!(i18n, dashboard.alarms.row.clear_label, kind = kind, zone = zone)
                }
            >
                {t!(i18n, dashboard.alarms.row.clear)}
            </button>
            <button
                class="dash-button dash-danger"
                on:click=clear_retained
                aria-label=move || {
                    let (kind, zone) = who.get_value();
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

fn zone_label(zone: &str) -> String {
    if zone.is_empty() {
        "—".to_owned()
    } else {
        zone.to_owned()
    }
}
