//! The Lab tab: the workload form with its progress bars, and the report:
//! the measured table, the seed notes' table beside it, the charts and the
//! inventory counters.

use leptos::prelude::*;
use web_sys::HtmlInputElement;

use crate::mqtt::packet::QoS;
use crate::net::page::download;

use super::charts::{bytes_chart, latency_chart, throughput_chart};
use super::claims::{compare, Verdict};
use super::form::{inventory_demo_plan, FaultKind, LabForm, LabTarget};
use super::guide::{rows as guide_rows, GuideAction, GuideGroup};
use super::handle::{LabHandle, LevelBar};
use super::report::{group, LabReport};
use super::tables::{measured_rows, stock_line};

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
    label: &'static str,
    get: fn(&LabForm) -> String,
    set: fn(&mut LabForm, String),
) -> impl IntoView {
    view! {
        <label class="field">
            <span class="field-label">{label}</span>
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
    let on_file = move |ev: leptos::ev::Event| {
        let input: HtmlInputElement = event_target(&ev);
        let _ =
            crate::app::visualiser::files::read_chosen_file(&input, move |text| handle.load(&text));
        input.set_value("");
    };
    view! {
        <section class="panel lab-workload" aria-labelledby="lab-workload-title">
            <h2 id="lab-workload-title">"Workload"</h2>
            <p class="hint">
                "One workload runs at QoS 0, 1 and 2 in turn. Every figure is counted from the packets, never quoted."
            </p>
            <div class="form-grid">
                <fieldset class="wide lab-target">
                    <legend class="field-label">"Run against"</legend>
                    <label class="check">
                        <input
                            type="radio"
                            name="lab-target"
                            id="lab-target-broker"
                            prop:checked=move || target() == LabTarget::Broker
                            on:change=move |_| handle.form.update(|f| f.target = LabTarget::Broker)
                            disabled=busy
                        />
                        <span>"The broker " <code>{move || handle.broker_url()}</code> " (two lab clients of its own)"</span>
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
                        <span>"The simulated broker (offline; simulated times)"</span>
                    </label>
                </fieldset>
                {number_field(handle, "lab-messages", "Messages per level", |f| f.messages.clone(), |f, v| f.messages = v)}
                {number_field(handle, "lab-payload", "Payload bytes", |f| f.payload_bytes.clone(), |f, v| f.payload_bytes = v)}
                <div class="field">
                    <span class="field-label">"Rate"</span>
                    <label class="check">
                        <input
                            id="lab-max-rate"
                            type="checkbox"
                            prop:checked=move || handle.form.with(|f| f.max_rate)
                            on:change:target=move |ev| handle.form.update(|f| f.max_rate = ev.target().checked())
                            disabled=busy
                        />
                        <span>"As fast as the window allows"</span>
                    </label>
                </div>
                <Show when=move || !handle.form.with(|f| f.max_rate)>
                    {number_field(handle, "lab-rate", "Messages per second", |f| f.rate.clone(), |f, v| f.rate = v)}
                </Show>
                <label class="field">
                    <span class="field-label">"Faults"</span>
                    <select
                        id="lab-faults"
                        on:change:target=move |ev| handle.form.update(|f| f.fault = FaultKind::from_key(&ev.target().value()))
                        disabled=busy
                    >
                        <option value="none" selected=move || handle.form.with(|f| f.fault == FaultKind::None)>"None"</option>
                        <option value="loss" selected=move || handle.form.with(|f| f.fault == FaultKind::Loss)>"Lose packets (publisher's link)"</option>
                        <option value="cut" selected=move || handle.form.with(|f| f.fault == FaultKind::Cut)>"Cut the connection every N s"</option>
                        <option value="loss-cut" selected=move || handle.form.with(|f| f.fault == FaultKind::LossAndCut)>"Both: lose packets and cut"</option>
                    </select>
                </label>
                <Show when=move || handle.form.with(|f| matches!(f.fault, FaultKind::Loss | FaultKind::LossAndCut))>
                    {number_field(handle, "lab-loss", "Loss, %", |f| f.loss_percent.clone(), |f, v| f.loss_percent = v)}
                </Show>
                <Show when=move || handle.form.with(|f| matches!(f.fault, FaultKind::Cut | FaultKind::LossAndCut))>
                    {number_field(handle, "lab-cut", "Seconds between cuts", |f| f.cut_seconds.clone(), |f, v| f.cut_seconds = v)}
                </Show>
                <fieldset class="wide lab-levels">
                    <legend class="field-label">"Levels"</legend>
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
                        {move || if busy() { "Running…" } else { "Run lab" }}
                    </button>
                    <Show when=busy>
                        <button id="lab-stop" class="btn danger" on:click=move |_| handle.stop()>"Stop"</button>
                    </Show>
                    <label class="btn file-btn" class:disabled=busy>
                        "Open a saved run…"
                        <input id="lab-load" type="file" accept=".json,application/json" on:change=on_file disabled=busy />
                    </label>
                </div>
            </div>
            <p class="feedback error" role="alert" data-testid="lab-error">
                {move || handle.error.get().unwrap_or_default()}
            </p>
            <Progress handle />
        </section>
    }
}

#[component]
fn Progress(handle: LabHandle) -> impl IntoView {
    let bar = |b: LevelBar| {
        let share = if b.planned == 0 {
            0.0
        } else {
            100.0 * f64::from(b.delivered.min(b.planned)) / f64::from(b.planned)
        };
        let q = b.qos.as_u8();
        let text = format!(
            "{} / {} delivered{}",
            group(u64::from(b.delivered)),
            group(u64::from(b.planned)),
            if b.done {
                " · done"
            } else if b.published > 0 {
                " · running"
            } else {
                ""
            }
        );
        view! {
            <div class="lab-bar" data-testid=format!("lab-progress-q{q}")>
                <span class=qos_class(b.qos)>{format!("QoS {q}")}</span>
                <div
                    class="lab-track"
                    role="progressbar"
                    aria-label=format!("QoS {q} progress")
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
                    {move || handle.run.with(|r| r.stage.clone())}
                </p>
                {move || handle.run.with(|r| r.bars.clone()).into_iter().map(bar).collect_view()}
            </div>
        </Show>
    }
}

#[component]
fn ResultsPanel(handle: LabHandle) -> impl IntoView {
    view! {
        <section class="panel lab-report" aria-labelledby="lab-report-title" data-testid="lab-report">
            {move || match handle.report.get() {
                None => view! {
                    <h2 id="lab-report-title">"What each QoS level costs"</h2>
                    <div class="empty lab-empty">
                        <p>"No measurement yet."</p>
                        <p>
                            "Press " <strong>"Run lab"</strong>
                            " to measure QoS 0, 1 and 2 on the broker of the Client tab ("
                            <code>"make run"</code>
                            " starts one), or choose the simulated broker to try it offline. 1,000 messages per level take a few seconds."
                        </p>
                        <p>"The table of the seed notes then appears beside the measured one, with each difference explained."</p>
                    </div>
                }
                .into_any(),
                Some(report) => view! { <Report handle report /> }.into_any(),
            }}
        </section>
    }
}

fn file_stem(report: &LabReport) -> String {
    format!("qoscope-lab-{}", report.started_at_ms)
}

#[component]
fn Report(handle: LabHandle, report: LabReport) -> impl IntoView {
    let when = crate::net::clock::clock_label_seconds(report.started_at_ms);
    let meta = format!(
        "MQTT {} · {} · {}",
        report.version.label(),
        report.workload_label(),
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
                    ("latency", latency_chart(&report.levels, simulated)),
                    ("throughput", throughput_chart(&report.levels)),
                    ("bytes", bytes_chart(&report.levels)),
                ]
                .iter()
                .try_for_each(|(name, svg)| {
                    download(&format!("{stem}-{name}.svg"), "image/svg+xml", svg)
                }),
            };
            if let Err(why) = result {
                handle.error.set(Some(why));
            }
        }
    };
    let (e1, e2, e3) = (export.clone(), export.clone(), export);
    let heads = report
        .levels
        .iter()
        .map(|l| view! { <th scope="col"><span class=qos_class(l.qos)>{format!("QoS {}", l.qos.as_u8())}</span></th> })
        .collect_view();
    let rows = measured_rows(&report)
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
            <h2 id="lab-report-title">"Measured on " {report.target.label()}</h2>
            <div class="button-row">
                <button class="btn small" id="lab-export-json" on:click=move |_| e1("json")>"JSON"</button>
                <button class="btn small" id="lab-export-csv" on:click=move |_| e2("csv")>"CSV"</button>
                <button class="btn small" id="lab-export-svg" on:click=move |_| e3("svg")>"Charts (SVG)"</button>
            </div>
        </div>
        <p class="lab-meta">{meta}</p>
        {move || handle.source.get().map(|s| view! { <p class="hint" data-testid="lab-source">{s}</p> })}
        {simulated.then(|| view! {
            <p class="hint">"Simulated: packets and bytes are the codec's own; times come from the simulated links' delays, not from a network."</p>
        })}
        <div class="table-scroll">
            <table class="lab-table" id="lab-measured">
                <caption>"Measured, per level"</caption>
                <thead><tr><th scope="col">"Per message"</th>{heads}</tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        <Claims report=report.clone() />
        <Charts report=report.clone() />
        <Inventory handle report />
    }
}

#[component]
fn Claims(report: LabReport) -> impl IntoView {
    let rows = compare(&report)
        .into_iter()
        .map(|row| {
            let verdict = match row.verdict {
                Verdict::Agrees => "verdict agrees",
                Verdict::Differs => "verdict differs",
                Verdict::NotMeasured => "verdict unmeasured",
            };
            view! {
                <tr class=verdict>
                    <th scope="row">{row.metric}<span class="zh" lang="zh-CN">{row.metric_zh}</span></th>
                    {row.claims.into_iter().map(|c| view! { <td class="claim">{c}</td> }).collect_view()}
                    {row.measured.into_iter().map(|m| view! { <td class="measured">{m}</td> }).collect_view()}
                    <td class="why"><span class="verdict-pill">{row.verdict.label()}</span>" "{row.why}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-scroll">
            <table class="lab-table lab-claims" id="lab-claims">
                <caption>"The seed notes' table beside the measurement"</caption>
                <thead>
                    <tr>
                        <th scope="col" rowspan="2">"Metric"</th>
                        <th scope="colgroup" colspan="3">"Seed notes claim"</th>
                        <th scope="colgroup" colspan="3">"Measured here"</th>
                        <th scope="col" rowspan="2">"Verdict"</th>
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
fn Charts(report: LabReport) -> impl IntoView {
    let simulated = report.target.is_simulated();
    // Our own SVG from numbers and fixed labels: no payload text in it.
    let charts = [
        (
            "lab-chart-latency",
            latency_chart(&report.levels, simulated),
        ),
        ("lab-chart-throughput", throughput_chart(&report.levels)),
        ("lab-chart-bytes", bytes_chart(&report.levels)),
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
fn Inventory(handle: LabHandle, report: LabReport) -> impl IntoView {
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
                    <span class="count">{stock_line(l)}</span>
                </div>
            }
        })
        .collect_view();
    let faults = report.plan.faults.label();
    let target = if report.target.is_simulated() {
        LabTarget::Simulated
    } else {
        LabTarget::Broker
    };
    view! {
        <div class="lab-inventory">
            <h3>"Inventory counters " <span class="zh" lang="zh-CN">"重复计数会导致库存错误"</span></h3>
            <p class="hint">
                {format!("Each message is a stock movement of 1 to 9 units; the subscriber adds up every delivery it gets (faults: {faults}).")}
            </p>
            <div class="stock-counters">{counters}</div>
            <button
                class="btn"
                id="lab-inventory-demo"
                disabled=move || handle.run.with(|r| r.busy)
                on:click=move |_| handle.start_plan(inventory_demo_plan(), target)
            >
                "Run the inventory demo (QoS 1 and 2, 10 % loss, cut every 2 s)"
            </button>
        </div>
    }
}

/// The seed notes' "when to use QoS 2" tables, each row a demonstration.
#[component]
fn GuidePanel(handle: LabHandle, on_scenario: Callback<String>) -> impl IntoView {
    let group = |g: GuideGroup, title: &'static str, title_zh: &'static str| {
        let rows = guide_rows()
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
                            " "
                            <span class="zh" lang="zh-CN">{row.scenario_zh}</span>
                            <span class="guide-levels">{levels}</span>
                            <span class="hint">{row.reason} " · " <span lang="zh-CN">{row.reason_zh}</span></span>
                        </div>
                        <button class="btn small" disabled=move || handle.run.with(|r| r.busy) on:click=run>
                            {row.action_label}
                        </button>
                    </li>
                }
            })
            .collect_view();
        view! {
            <h3>{title} " " <span class="zh" lang="zh-CN">{title_zh}</span></h3>
            <ul class="guide-list">{rows}</ul>
        }
    };
    view! {
        <section class="panel lab-guide" aria-labelledby="lab-guide-title">
            <h2 id="lab-guide-title">"When to use which level"</h2>
            <p class="hint">"The seed notes' advice. Each button shows why, with real packets."</p>
            {group(GuideGroup::UseQos2, "QoS 2 recommended", "推荐使用 QoS 2")}
            {group(GuideGroup::LowerLevel, "A lower level is enough", "不推荐使用 QoS 2")}
            {group(GuideGroup::Avoid, "Avoid", "避免")}
        </section>
    }
}
