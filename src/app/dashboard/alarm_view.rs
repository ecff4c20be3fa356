//! The alarm list: severity colours, acknowledge / acknowledge all / clear,
//! filters. Payloads are rendered as text nodes, never as HTML.

use leptos::prelude::*;

use super::alarms::{Alarm, AlarmView, Severity};
use super::browser::clock_label;
use super::context::DashboardContext;
use super::csv::alarms_csv;
use super::export_button::CsvExportButton;

/// Most rows rendered at once; the rest are reachable through the filters.
pub const ROW_LIMIT: usize = 200;

/// The alarm panel.
#[component]
pub fn AlarmPanel() -> impl IntoView {
    let ctx = DashboardContext::get();
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
                <h2 id="dash-alarms-title">"Alarms"</h2>
                <span class="dash-count" aria-live="polite">
                    {move || format!("{} unacknowledged", unacknowledged())}
                </span>
                <button
                    class="dash-button"
                    on:click=acknowledge_all
                    disabled=move || shown.with(|(rows, _, _)| rows.iter().all(|a| a.acknowledged))
                >
                    "Acknowledge all shown"
                </button>
                <CsvExportButton
                    file_name="qoscope-alarms.csv"
                    title="Every alarm the filters admit, with its acknowledgement, as CSV"
                    disabled=Signal::derive(move || shown.with(|(_, total, _)| *total == 0))
                    csv
                />
            </header>
            <AlarmFilters severity zone text hide_acknowledged />
            {move || {
                let (rows, total, all) = shown.get();
                if all == 0 {
                    view! {
                        <p class="dash-empty">
                            "No alarms. Connect to a broker and publish to alarms/… or critical/…, or start the traffic generator below."
                        </p>
                    }
                        .into_any()
                } else if total == 0 {
                    view! { <p class="dash-empty">"No alarm matches these filters."</p> }.into_any()
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
    view! {
        <div class="dash-filters" role="search">
            <label>
                "Severity "
                <select on:change:target=move |ev| severity.set(ev.target().value())>
                    <option value="">"all"</option>
                    {Severity::ALL
                        .iter()
                        .map(|s| view! { <option value=s.label()>{s.label()}</option> })
                        .collect_view()}
                </select>
            </label>
            <label>"Zone " <input type="search" placeholder="e.g. A-12" bind:value=zone /></label>
            <label>
                "Text " <input type="search" placeholder="type, topic, payload" bind:value=text />
            </label>
            <label class="dash-check">
                <input type="checkbox" bind:checked=hide_acknowledged />
                " Hide acknowledged"
            </label>
        </div>
    }
}

/// The rows, most urgent first.
#[component]
fn AlarmTable(rows: Vec<Alarm>, total: usize) -> impl IntoView {
    let shown = rows.len();
    view! {
        <div class="dash-scroll">
        <table class="dash-table dash-alarm-table">
            <thead>
                <tr>
                    <th scope="col">"Severity"</th>
                    <th scope="col">"Type"</th>
                    <th scope="col">"Zone"</th>
                    <th scope="col">"Topic"</th>
                    <th scope="col">"Last seen"</th>
                    <th scope="col">"Count"</th>
                    <th scope="col">"Payload"</th>
                    <th scope="col">"Actions"</th>
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
                        {format!("Showing {shown} of {total}. Narrow the filters to see the rest.")}
                    </p>
                }
            })}
    }
}

/// One alarm.
#[component]
fn AlarmRow(alarm: Alarm) -> impl IntoView {
    let ctx = DashboardContext::get();
    let key = alarm.key.clone();
    let who = format!(
        "{} in zone {}",
        alarm.key.alarm_type,
        zone_label(&alarm.key.zone)
    );
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
    let severity = alarm.severity.label();
    let qos = alarm.qos as u8;
    let duplicates = alarm.duplicates;
    view! {
        <tr
            class=format!("dash-alarm sev-{severity}")
            class:acknowledged=alarm.acknowledged
            class:restored=alarm.restored
            data-severity=severity
        >
            <td>
                <span class=format!("dash-sev dash-sev-{severity}")>{severity}</span>
            </td>
            <td class="dash-alarm-type">{alarm.key.alarm_type.clone()}</td>
            <td>{zone_label(&alarm.key.zone)}</td>
            <td class="dash-topic">
                <code>{alarm.topic.clone()}</code>
                <span class=format!("dash-qos dash-qos{qos}") title="effective QoS">
                    {format!("QoS {qos}")}
                </span>
                {alarm.retained.then(|| view! { <span class="dash-tag">"retained"</span> })}
                {alarm
                    .restored
                    .then(|| {
                        view! {
                            <span
                                class="dash-tag dash-restored"
                                title="Shown as it was before the page was reloaded; no live message for it has arrived since."
                            >
                                "restored"
                            </span>
                        }
                    })}
            </td>
            <td>
                {clock_label(alarm.last_seen)}
                {(alarm.first_seen != alarm.last_seen)
                    .then(|| {
                        view! {
                            <small class="dash-since">
                                {format!("first {}", clock_label(alarm.first_seen))}
                            </small>
                        }
                    })}
            </td>
            <td>
                {alarm.repeat_count}
                {(duplicates > 0)
                    .then(|| {
                        view! {
                            <span
                                class="dash-tag dash-dup"
                                title="Duplicate deliveries (DUP=1 or a message id seen before): flagged, not counted"
                            >
                                {format!("+{duplicates} dup")}
                            </span>
                        }
                    })}
            </td>
            <td class="dash-payload">
                <code class:raw=!alarm.payload_is_json title=alarm.payload_text.clone()>
                    {alarm.payload_text.clone()}
                </code>
            </td>
            <td class="dash-actions">
                <button
                    class="dash-button"
                    on:click=acknowledge
                    disabled=alarm.acknowledged
                    aria-label=format!("Acknowledge {who}")
                >
                    {if alarm.acknowledged { "Acknowledged" } else { "Ack" }}
                </button>
                <button class="dash-button" on:click=clear aria-label=format!("Clear {who}")>
                    "Clear"
                </button>
                <button
                    class="dash-button dash-danger"
                    on:click=clear_retained
                    aria-label=format!("Clear {who} and delete the retained message on the broker")
                    title="Also publishes an empty retained message to this topic, deleting the broker's copy"
                >
                    "Clear retained"
                </button>
            </td>
        </tr>
    }
}

fn zone_label(zone: &str) -> String {
    if zone.is_empty() {
        "—".to_owned()
    } else {
        zone.to_owned()
    }
}
