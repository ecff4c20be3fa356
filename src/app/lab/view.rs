//! The Lab tab: the workload form with its progress bars, and the report:
//! the measured table, the seed notes' table beside it, the charts and the
//! inventory counters.

use leptos::prelude::*;
use web_sys::HtmlInputElement;

use crate::app::locale::use_i18n;
use crate::i18n::{t, t_string, td_string, Locale};
use crate::mqtt::packet::QoS;
use crate::net::page::download;

use super::charts::{bytes_chart_in, latency_chart_in, throughput_chart_in};
use super::claims::{compare_in, Verdict};
use super::form::{inventory_demo_plan, FaultKind, LabForm, LabTarget};
use super::guide::{rows_in as guide_rows, GuideAction, GuideGroup};
use super::handle::{LabError, LabHandle, LevelBar};
use super::report::{group, LabReport};
use super::tables::{measured_rows_in, stock_line_in};

/// Whether the seed notes' Chinese is quoted beside the words: for a reader
/// of English (a Chinese reader reads it in the words themselves).
fn quotes_chinese(locale: Locale) -> bool {
    locale != Locale::zh_CN
}

fn qos_class(qos: QoS) -> &'static str {
    match qos {
        QoS::AtMostOnce => "qos-badge qos0",
        QoS::AtLeastOnce => "qos-badge qos1",
        QoS::ExactlyOnce => "qos-badge qos2",
    }
}

/// The whole tab.
#[component]
pub fn LabPage(
    handle: LabHandle,
    /// Opens the visualiser on a guided scenario, by id.
    on_scenario: Callback<String>,
) -> impl IntoView {
    view! {
        <div class="lab-grid">
            <div class="column lab-setup">
                <WorkloadPanel handle />
                <GuidePanel handle on_scenario />
            </div>
            <div class="column lab-results">
                <ResultsPanel handle />
            </div>
        </div>
    }
}

/// A number field bound to one of the form's strings.
fn number_field(
    handle: LabHandle,
    id: &'static str,
    label: fn(Locale) -> &'static str,
    get: fn(&LabForm) -> String,
    set: fn(&mut LabForm, String),
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <label class="field">
            <span class="field-label">{move || label(i18n.get_locale())}</span>
            <input
                id=id
                type="text"
                inputmode="numeric"
                prop:value=move || handle.form.with(get)
                on:input:target=move |ev| handle.form.update(|f| set(f, ev.target().value()))
                disabled=move || handle.run.with(|r| r.busy)
            />
        </label>
    }
}

#[component]
fn WorkloadPanel(handle: LabHandle) -> impl IntoView {
    let busy = move || handle.run.with(|r| r.busy);
    let target = move || handle.form.with(|f| f.target);
    let i18n = use_i18n();
    let broker_url = move || view! { <code>{move || handle.broker_url()}</code> };
    let on_file = move |ev: leptos::ev::Event| {
        let input: HtmlInputElement = event_target(&ev);
        let _ =
            crate::app::visualiser::files::read_chosen_file(&input, move |text| handle.load(&text));
        input.set_value("");
    };
    view! {
        <section class="panel lab-workload" aria-labelledby="lab-workload-title">
            <h2 id="lab-workload-title">{t!(i18n, lab.form.title)}</h2>
            <p class="hint">{t!(i18n, lab.form.intro)}</p>
            <div class="form-grid">
                <fieldset class="wide lab-target">
                    <legend class="field-label">{t!(i18n, lab.form.target)}</legend>
                    <label class="check">
                        <input
                            type="radio"
                            name="lab-target"
                            id="lab-target-broker"
                            prop:checked=move || target() == LabTarget::Broker
                            on:change=move |_| handle.form.update(|f| f.target = LabTarget::Broker)
                            disabled=busy
                        />
                        <span>{t!(i18n, lab.form.target_broker, url = broker_url)}</span>
                    </label>
                    <label class="check">
                        <input
                            type="radio"
                            name="lab-target"
                            id="lab-target-sim"
                            prop:checked=move || target() == LabTarget::Simulated
                            on:change=move |_| handle.form.update(|f| f.target = LabTarget::Simulated)
                            disabled=busy
                        />
                        <span>{t!(i18n, lab.form.target_sim)}</span>
                    </label>
                </fieldset>
                {number_field(handle, "lab-messages", |l| td_string!(l, lab.form.messages), |f| f.messages.clone(), |f, v| f.messages = v)}
                {number_field(handle, "lab-payload", |l| td_string!(l, lab.form.payload), |f| f.payload_bytes.clone(), |f, v| f.payload_bytes = v)}
                <div class="field">
                    <span class="field-label">{t!(i18n, lab.form.rate)}</span>
                    <label class="check">
                        <input
                            id="lab-max-rate"
                            type="checkbox"
                            prop:checked=move || handle.form.with(|f| f.max_rate)
                            on:change:target=move |ev| handle.form.update(|f| f.max_rate = ev.target().checked())
                            disabled=busy
                        />
                        <span>{t!(i18n, lab.form.max_rate)}</span>
                    </label>
                </div>
                <Show when=move || !handle.form.with(|f| f.max_rate)>
                    {number_field(handle, "lab-rate", |l| td_string!(l, lab.form.per_second), |f| f.rate.clone(), |f, v| f.rate = v)}
                </Show>
                <label class="field">
                    <span class="field-label">{t!(i18n, lab.form.faults)}</span>
                    <select
                        id="lab-faults"
                        on:change:target=move |ev| handle.form.update(|f| f.fault = FaultKind::from_key(&ev.target().value()))
                        disabled=busy
                    >
                        <option value="none" selected=move || handle.form.with(|f| f.fault == FaultKind::None)>{t!(i18n, lab.form.fault_none)}</option>
                        <option value="loss" selected=move || handle.form.with(|f| f.fault == FaultKind::Loss)>{t!(i18n, lab.form.fault_loss)}</option>
                        <option value="cut" selected=move || handle.form.with(|f| f.fault == FaultKind::Cut)>{t!(i18n, lab.form.fault_cut)}</option>
                        <option value="loss-cut" selected=move || handle.form.with(|f| f.fault == FaultKind::LossAndCut)>{t!(i18n, lab.form.fault_both)}</option>
                    </select>
                </label>
                <Show when=move || handle.form.with(|f| matches!(f.fault, FaultKind::Loss | FaultKind::LossAndCut))>
                    {number_field(handle, "lab-loss", |l| td_string!(l, lab.form.loss), |f| f.loss_percent.clone(), |f, v| f.loss_percent = v)}
                </Show>
                <Show when=move || handle.form.with(|f| matches!(f.fault, FaultKind::Cut | FaultKind::LossAndCut))>
                    {number_field(handle, "lab-cut", |l| td_string!(l, lab.form.cut_seconds), |f| f.cut_seconds.clone(), |f, v| f.cut_seconds = v)}
                </Show>
                <fieldset class="wide lab-levels">
                    <legend class="field-label">{t!(i18n, lab.form.levels)}</legend>
                    {[QoS::AtMostOnce, QoS::AtLeastOnce, QoS::ExactlyOnce]
                        .into_iter()
                        .enumerate()
                        .map(|(i, q)| {
                            view! {
                                <label class="check">
                                    <input
                                        type="checkbox"
                                        id=format!("lab-level-{i}")
                                        prop:checked=move || handle.form.with(|f| f.levels[i])
                                        on:change:target=move |ev| handle.form.update(|f| f.levels[i] = ev.target().checked())
                                        disabled=busy
                                    />
                                    <span class=qos_class(q)>{format!("QoS {}", q.as_u8())}</span>
                                </label>
                            }
                        })
                        .collect_view()}
                </fieldset>
                <div class="button-row wide">
                    <button id="lab-run" class="btn primary" disabled=busy on:click=move |_| handle.start()>
                        {move || if busy() { t_string!(i18n, lab.form.running) } else { t_string!(i18n, lab.form.run) }}
                    </button>
                    <Show when=busy>
                        <button id="lab-stop" class="btn danger" on:click=move |_| handle.stop()>{t!(i18n, lab.form.stop)}</button>
                    </Show>
                    <label class="btn file-btn" class:disabled=busy>
                        {t!(i18n, lab.form.open)}
                        <input id="lab-load" type="file" accept=".json,application/json" on:change=on_file disabled=busy />
                    </label>
                </div>
            </div>
            <p class="feedback error" role="alert" data-testid="lab-error">
                {move || handle.error.get().map(|e| e.text_in(i18n.get_locale())).unwrap_or_default()}
            </p>
            <Progress handle />
        </section>
    }
}

#[component]
fn Progress(handle: LabHandle) -> impl IntoView {
    let i18n = use_i18n();
    let bar = move |b: LevelBar, locale: Locale| {
        let share = if b.planned == 0 {
            0.0
        } else {
            100.0 * f64::from(b.delivered.min(b.planned)) / f64::from(b.planned)
        };
        let q = b.qos.as_u8();
        let (delivered, planned) = (group(u64::from(b.delivered)), group(u64::from(b.planned)));
        let text = if b.done {
            td_string!(locale, lab.progress.delivered_done, delivered, planned).to_string()
        } else if b.published > 0 {
            td_string!(locale, lab.progress.delivered_running, delivered, planned).to_string()
        } else {
            td_string!(locale, lab.progress.delivered, delivered, planned).to_string()
        };
        view! {
            <div class="lab-bar" data-testid=format!("lab-progress-q{q}")>
                <span class=qos_class(b.qos)>{format!("QoS {q}")}</span>
                <div
                    class="lab-track"
                    role="progressbar"
                    aria-label=td_string!(locale, lab.progress.bar_label, qos = q).to_string()
                    aria-valuemin="0"
                    aria-valuemax="100"
                    aria-valuenow=format!("{share:.0}")
                >
                    <div class=format!("lab-fill q{q}") style=format!("width: {share:.1}%")></div>
                </div>
                <span class="count">{text}</span>
            </div>
        }
    };
    view! {
        <Show when=move || handle.run.with(|r| r.busy)>
            <div class="lab-progress" aria-live="polite">
                <p class="lab-stage" role="status" data-testid="lab-stage">
                    <span class="spinner" aria-hidden="true"></span>
                    {move || handle.run.with(|r| r.stage.text_in(i18n.get_locale()))}
                </p>
                {move || {
                    let locale = i18n.get_locale();
                    handle.run.with(|r| r.bars.clone()).into_iter().map(|b| bar(b, locale)).collect_view()
                }}
            </div>
        </Show>
    }
}

#[component]
fn ResultsPanel(handle: LabHandle) -> impl IntoView {
    let i18n = use_i18n();
    // The report is words and charts built from numbers: built again, whole,
    // when the reader switches language.
    view! {
        <section class="panel lab-report" aria-labelledby="lab-report-title" data-testid="lab-report">
            {move || match handle.report.get() {
                None => view! {
                    <h2 id="lab-report-title">{t!(i18n, lab.report.empty_title)}</h2>
                    <div class="empty lab-empty">
                        <p>{t!(i18n, lab.report.empty_none)}</p>
                        <p>{t!(i18n, lab.report.empty_how, <strong> = <strong />, <code> = <code />)}</p>
                        <p>{t!(i18n, lab.report.empty_then)}</p>
                    </div>
                }
                .into_any(),
                Some(report) => {
                    let locale = i18n.get_locale();
                    view! { <Report handle report locale /> }.into_any()
                }
            }}
        </section>
    }
}

fn file_stem(report: &LabReport) -> String {
    format!("qoscope-lab-{}", report.started_at_ms)
}

#[component]
fn Report(handle: LabHandle, report: LabReport, locale: Locale) -> impl IntoView {
    // A saved run may be from another day: the date and time as the reader's locale writes them.
    let when = crate::app::locale::date_time(report.started_at_ms, locale);
    let meta = format!(
        "MQTT {} · {} · {}",
        report.version.label(),
        report.workload_label_in(locale),
        when
    );
    let export = {
        let report = report.clone();
        move |kind: &'static str| {
            let stem = file_stem(&report);
            let simulated = report.target.is_simulated();
            let result = match kind {
                "json" => download(
                    &format!("{stem}.json"),
                    "application/json",
                    &report.to_json(),
                ),
                "csv" => download(&format!("{stem}.csv"), "text/csv", &report.to_csv()),
                _ => [
                    (
                        "latency",
                        latency_chart_in(&report.levels, simulated, locale),
                    ),
                    ("throughput", throughput_chart_in(&report.levels, locale)),
                    ("bytes", bytes_chart_in(&report.levels, locale)),
                ]
                .iter()
                .try_for_each(|(name, svg)| {
                    download(&format!("{stem}-{name}.svg"), "image/svg+xml", svg)
                }),
            };
            if let Err(why) = result {
                handle.error.set(Some(LabError::Export(why)));
            }
        }
    };
    let (e1, e2, e3) = (export.clone(), export.clone(), export);
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
    let simulated = report.target.is_simulated();
    view! {
        <div class="panel-head">
            <h2 id="lab-report-title">
                {td_string!(locale, lab.report.measured_on, target = report.target.label_in(locale)).to_string()}
            </h2>
            <div class="button-row">
                <button class="btn small" id="lab-export-json" on:click=move |_| e1("json")>"JSON"</button>
                <button class="btn small" id="lab-export-csv" on:click=move |_| e2("csv")>"CSV"</button>
                <button class="btn small" id="lab-export-svg" on:click=move |_| e3("svg")>{td_string!(locale, lab.report.export_svg)}</button>
            </div>
        </div>
        <p class="lab-meta">{meta}</p>
        {move || handle.source.get().map(|s| view! { <p class="hint" data-testid="lab-source">{s.text_in(locale)}</p> })}
        {simulated.then(|| view! {
            <p class="hint">{td_string!(locale, lab.report.simulated_note)}</p>
        })}
        <div class="table-scroll">
            <table class="lab-table" id="lab-measured">
                <caption>{td_string!(locale, lab.table.caption)}</caption>
                <thead><tr><th scope="col">{td_string!(locale, lab.table.per_message)}</th>{heads}</tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        <Claims report=report.clone() locale />
        <Charts report=report.clone() locale />
        <Inventory handle report locale />
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

/// The seed notes' "when to use QoS 2" tables, each row a demonstration.
#[component]
fn GuidePanel(handle: LabHandle, on_scenario: Callback<String>) -> impl IntoView {
    let i18n = use_i18n();
    let group = move |g: GuideGroup, locale: Locale| {
        let (title, title_zh) = match g {
            GuideGroup::UseQos2 => (
                td_string!(locale, lab.guide.use_qos2),
                td_string!(Locale::zh_CN, lab.guide.use_qos2),
            ),
            GuideGroup::LowerLevel => (
                td_string!(locale, lab.guide.lower),
                td_string!(Locale::zh_CN, lab.guide.lower),
            ),
            GuideGroup::Avoid => (
                td_string!(locale, lab.guide.avoid),
                td_string!(Locale::zh_CN, lab.guide.avoid),
            ),
        };
        let quote = quotes_chinese(locale);
        let rows = guide_rows(locale)
            .into_iter()
            .filter(|r| r.group == g)
            .map(|row| {
                let levels = row
                    .levels
                    .iter()
                    .map(|q| view! { <span class=qos_class(*q)>{format!("QoS {}", q.as_u8())}</span> })
                    .collect_view();
                let action = row.action.clone();
                let run = move |_| match action.clone() {
                    GuideAction::Scenario(id) => on_scenario.run(id.to_string()),
                    GuideAction::Lab(plan) => {
                        let target = handle.form.with_untracked(|f| f.target);
                        handle.form.set(LabForm::from_plan(&plan, target));
                        handle.start_plan(plan, target);
                    }
                };
                view! {
                    <li class="guide-row">
                        <div class="guide-text">
                            <strong>{row.scenario}</strong>
                            {quote.then(|| view! {
                                " "
                                <span class="zh" lang="zh-CN">{row.scenario_zh}</span>
                            })}
                            <span class="guide-levels">{levels}</span>
                            <span class="hint">
                                {row.reason}
                                {quote.then(|| view! { " · " <span lang="zh-CN">{row.reason_zh}</span> })}
                            </span>
                        </div>
                        <button class="btn small" disabled=move || handle.run.with(|r| r.busy) on:click=run>
                            {row.action_label}
                        </button>
                    </li>
                }
            })
            .collect_view();
        view! {
            <h3>
                {title}
                {quote.then(|| view! { " " <span class="zh" lang="zh-CN">{title_zh}</span> })}
            </h3>
            <ul class="guide-list">{rows}</ul>
        }
    };
    view! {
        <section class="panel lab-guide" aria-labelledby="lab-guide-title">
            <h2 id="lab-guide-title">{t!(i18n, lab.guide.title)}</h2>
            <p class="hint">{t!(i18n, lab.guide.intro)}</p>
            {move || {
                let locale = i18n.get_locale();
                [GuideGroup::UseQos2, GuideGroup::LowerLevel, GuideGroup::Avoid]
                    .map(|g| group(g, locale))
                    .collect_view()
            }}
        </section>
    }
}
