//! The Lab tab's report: the measured table, the QoS notes' table beside
//! it, the charts, the inventory counters, and the exports.

use leptos::prelude::*;

use crate::i18n::{td_string, Locale};
use crate::mqtt::packet::QoS;
use crate::net::page::download;

use super::charts::{bytes_chart_in, latency_chart_in, throughput_chart_in};
use super::claims::{compare_in, Verdict};
use super::form::{inventory_demo_plan, LabTarget};
use super::handle::{LabError, LabHandle};
use super::report::{group, LabReport};
use super::tables::{measured_rows_in, stock_line_in};
use super::view::{qos_class, quotes_chinese};

fn file_stem(report: &LabReport) -> String {
    format!("qoscope-lab-{}", report.started_at_ms)
}

/// What an export button saves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Export {
    Json,
    Csv,
    /// The three charts, one SVG file each.
    Svg,
}

/// Downloads `report` as `kind`, or why the browser would not.
fn export(report: &LabReport, kind: Export, locale: Locale) -> Result<(), String> {
    let stem = file_stem(report);
    let simulated = report.target.is_simulated();
    match kind {
        Export::Json => download(
            &format!("{stem}.json"),
            "application/json",
            &report.to_json(),
        ),
        Export::Csv => download(&format!("{stem}.csv"), "text/csv", &report.to_csv()),
        Export::Svg => [
            (
                "latency",
                latency_chart_in(&report.levels, simulated, locale),
            ),
            ("throughput", throughput_chart_in(&report.levels, locale)),
            ("bytes", bytes_chart_in(&report.levels, locale)),
        ]
        .iter()
        .try_for_each(|(name, svg)| download(&format!("{stem}-{name}.svg"), "image/svg+xml", svg)),
    }
}

/// One run's report.
#[component]
pub(super) fn Report(handle: LabHandle, report: LabReport, locale: Locale) -> impl IntoView {
    // A saved run may be from another day: the date and time as the reader's locale writes them.
    let when = crate::app::locale::date_time(report.started_at_ms, locale);
    let meta = format!(
        "MQTT {} · {} · {}",
        report.version.label(),
        report.workload_label_in(locale),
        when
    );
    let simulated = report.target.is_simulated();
    view! {
        <div class="panel-head">
            <h2 id="lab-report-title">
                {td_string!(locale, lab.report.measured_on, target = report.target.label_in(locale)).to_string()}
            </h2>
            <ExportButtons handle report=report.clone() locale />
        </div>
        <p class="lab-meta">{meta}</p>
        {move || handle.source.get().map(|s| view! { <p class="hint" data-testid="lab-source">{s.text_in(locale)}</p> })}
        {simulated.then(|| view! {
            <p class="hint">{td_string!(locale, lab.report.simulated_note)}</p>
        })}
        <MeasuredTable report=report.clone() locale />
        <Claims report=report.clone() locale />
        <Charts report=report.clone() locale />
        <Inventory handle report locale />
    }
}

/// JSON, CSV and SVG downloads; a failure shows as the lab's error.
#[component]
fn ExportButtons(handle: LabHandle, report: LabReport, locale: Locale) -> impl IntoView {
    let report = StoredValue::new(report);
    let save = move |kind: Export| {
        if let Err(why) = report.with_value(|r| export(r, kind, locale)) {
            handle.error.set(Some(LabError::Export(why)));
        }
    };
    view! {
        <div class="button-row">
            <button class="btn small" id="lab-export-json" on:click=move |_| save(Export::Json)>"JSON"</button>
            <button class="btn small" id="lab-export-csv" on:click=move |_| save(Export::Csv)>"CSV"</button>
            <button class="btn small" id="lab-export-svg" on:click=move |_| save(Export::Svg)>{td_string!(locale, lab.report.export_svg)}</button>
        </div>
    }
}

/// The measured figures, one column per level run.
#[component]
fn MeasuredTable(report: LabReport, locale: Locale) -> impl IntoView {
    let heads = report
        .levels
        .iter()
        .map(|l| view! { <th scope="col"><span class=qos_class(l.qos)>{format!("QoS {}", l.qos.as_u8())}</span></th> })
        .collect_view();
    let rows = measured_rows_in(&report, locale)
        .into_iter()
        .map(|row| {
            view! {
                <tr>
                    <th scope="row">{row.label}</th>
                    {row.cells.into_iter().map(|c| view! { <td>{c}</td> }).collect_view()}
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-scroll">
            <table class="lab-table" id="lab-measured">
                <caption>{td_string!(locale, lab.table.caption)}</caption>
                <thead><tr><th scope="col">{td_string!(locale, lab.table.per_message)}</th>{heads}</tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

#[component]
fn Claims(report: LabReport, locale: Locale) -> impl IntoView {
    let rows = compare_in(&report, locale)
        .into_iter()
        .map(|row| {
            let verdict = match row.verdict {
                Verdict::Agrees => "verdict agrees",
                Verdict::Differs => "verdict differs",
                Verdict::NotMeasured => "verdict unmeasured",
            };
            view! {
                <tr class=verdict>
                    <th scope="row">
                        {row.metric}
                        {quotes_chinese(locale).then(|| view! { <span class="zh" lang="zh-CN">{row.metric_zh}</span> })}
                    </th>
                    {row.claims.into_iter().map(|c| view! { <td class="claim">{c}</td> }).collect_view()}
                    {row.measured.into_iter().map(|m| view! { <td class="measured">{m}</td> }).collect_view()}
                    <td class="why"><span class="verdict-pill">{row.verdict.label_in(locale)}</span>" "{row.why}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-scroll">
            <table class="lab-table lab-claims" id="lab-claims">
                <caption>{td_string!(locale, lab.claims.caption)}</caption>
                <thead>
                    <tr>
                        <th scope="col" rowspan="2">{td_string!(locale, lab.claims.metric)}</th>
                        <th scope="colgroup" colspan="3">{td_string!(locale, lab.claims.claimed)}</th>
                        <th scope="colgroup" colspan="3">{td_string!(locale, lab.claims.measured)}</th>
                        <th scope="col" rowspan="2">{td_string!(locale, lab.claims.verdict)}</th>
                    </tr>
                    <tr>
                        {(0..2).map(|_| view! {
                            <th scope="col"><span class="qos-badge qos0">"0"</span></th>
                            <th scope="col"><span class="qos-badge qos1">"1"</span></th>
                            <th scope="col"><span class="qos-badge qos2">"2"</span></th>
                        }).collect_view()}
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

#[component]
fn Charts(report: LabReport, locale: Locale) -> impl IntoView {
    let simulated = report.target.is_simulated();
    // Our own SVG from numbers and fixed labels (escaped): no payload text in it.
    let charts = [
        (
            "lab-chart-latency",
            latency_chart_in(&report.levels, simulated, locale),
        ),
        (
            "lab-chart-throughput",
            throughput_chart_in(&report.levels, locale),
        ),
        ("lab-chart-bytes", bytes_chart_in(&report.levels, locale)),
    ];
    view! {
        <div class="lab-charts">
            {charts
                .into_iter()
                .map(|(id, svg)| view! { <figure class="lab-chart" id=id inner_html=svg></figure> })
                .collect_view()}
        </div>
    }
}

#[component]
fn Inventory(handle: LabHandle, report: LabReport, locale: Locale) -> impl IntoView {
    let counters = report
        .levels
        .iter()
        .filter(|l| l.qos != QoS::AtMostOnce)
        .map(|l| {
            let exact = l.stock_counted == l.stock_expected;
            view! {
                <div class="stock-counter" class:drifted=!exact data-testid=format!("lab-stock-q{}", l.qos.as_u8())>
                    <span class=qos_class(l.qos)>{format!("QoS {}", l.qos.as_u8())}</span>
                    <strong class="stock-total">{group(l.stock_counted.unsigned_abs())}</strong>
                    <span class="count">{stock_line_in(l, locale)}</span>
                </div>
            }
        })
        .collect_view();
    let faults = report.plan.faults.label_in(locale);
    let target = if report.target.is_simulated() {
        LabTarget::Simulated
    } else {
        LabTarget::Broker
    };
    view! {
        <div class="lab-inventory">
            <h3>
                {td_string!(locale, lab.inventory.title)}
                " "
                <span class="zh" lang="zh-CN">{td_string!(Locale::zh_CN, lab.inventory.tagline)}</span>
            </h3>
            <p class="hint">{td_string!(locale, lab.inventory.hint, faults).to_string()}</p>
            <div class="stock-counters">{counters}</div>
            <button
                class="btn"
                id="lab-inventory-demo"
                disabled=move || handle.run.with(|r| r.busy)
                on:click=move |_| handle.start_plan(inventory_demo_plan(), target)
            >
                {td_string!(locale, lab.inventory.run)}
            </button>
        </div>
    }
}
