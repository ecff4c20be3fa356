//! The health panel: the usual QoS best practices as live numbers.

use leptos::prelude::*;

use super::context::DashboardContext;
use super::health::{HealthSnapshot, QosTraffic};
use crate::app::locale::use_i18n;
use crate::app::slots::while_shown;
use crate::i18n::{t, t_string, td_string, Locale};
use crate::mqtt::session::FlowDirection;

/// The health panel. `now` ticks so open-handshake ages advance with no traffic.
#[component]
pub fn HealthPanel(#[prop(into)] now: Signal<u64>) -> impl IntoView {
    let ctx = DashboardContext::get();
    let i18n = use_i18n();
    let snapshot = while_shown(move || {
        let now = now.get();
        ctx.handle.read(|m| m.health.snapshot(now))
    });
    let threshold = move || ctx.settings.with(|s| s.health.stuck_handshake_ms);
    view! {
        <section class="dash-panel dash-health" aria-labelledby="dash-health-title">
            <header class="dash-panel-head">
                <h2 id="dash-health-title">{t!(i18n, dashboard.health.title)}</h2>
                <span class="dash-behind" role="status" data-testid="dash-behind">
                    {move || match ctx.handle.behind_ms.get() {
                        0 => String::new(),
                        ms => {
                            t_string!(
                                i18n, dashboard.health.behind, secs = format!("{:.1}", ms as f64 / 1000.0)
                            )
                                .to_string()
                        }
                    }}
                </span>
            </header>
            // Built once; each figure below reads its own part of the
            // snapshot, so a flood changes text in place, not the DOM.
            <QosTable snap=snapshot />
            <Qos2Summary snap=snapshot threshold=Signal::derive(threshold) />
            <MixedQosWarning snap=snapshot />
        </section>
    }
}

#[component]
fn QosTable(snap: Memo<HealthSnapshot>) -> impl IntoView {
    let i18n = use_i18n();
    let figure = move |level: usize, read: fn(&QosTraffic) -> u64| {
        let value = Memo::new(move |_| snap.with(|s| read(&s.per_qos[level])));
        move || value.get()
    };
    view! {
        <table class="dash-table dash-qos-table">
            <thead>
                <tr>
                    <th scope="col">"QoS"</th>
                    <th scope="col">{t!(i18n, dashboard.health.table.incoming)}</th>
                    <th scope="col">{t!(i18n, dashboard.health.table.outgoing)}</th>
                    <th scope="col">{t!(i18n, dashboard.health.table.in_flight)}</th>
                </tr>
            </thead>
            <tbody>
                {(0..3)
                    .map(|level| {
                        view! {
                            <tr class=format!("dash-qos-row dash-qos{level}")>
                                <th scope="row">
                                    <span class=format!("dash-qos dash-qos{level}")>
                                        {format!("QoS {level}")}
                                    </span>
                                </th>
                                <td class="dash-num">{figure(level, |t| t.received)}</td>
                                <td class="dash-num">{figure(level, |t| t.sent)}</td>
                                <td class="dash-num">{figure(level, |t| t.in_flight as u64)}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}

/// The QoS 2 completion rate as a percentage, "—" before any handshake.
fn completion_rate_label(snap: &HealthSnapshot) -> String {
    match snap.qos2_completion_rate() {
        Some(rate) => format!("{:.1}%", rate * 100.0),
        None => "—".to_owned(),
    }
}

/// A stuck QoS 2 handshake as listed: packet id, side, age in seconds.
type StuckFlow = (u16, FlowDirection, String);

/// The first three stuck handshakes, ages in seconds to one decimal.
fn stuck_flows(snap: &HealthSnapshot) -> Vec<StuckFlow> {
    snap.stuck
        .iter()
        .take(3)
        .map(|s| {
            (
                s.packet_id,
                s.direction,
                format!("{:.1}", s.age_ms as f64 / 1000.0),
            )
        })
        .collect()
}

/// The stuck handshakes in words, each preceded by a space.
fn stuck_list_in(locale: Locale, flows: &[StuckFlow]) -> String {
    flows
        .iter()
        .map(|(id, direction, secs)| {
            let side = match direction {
                FlowDirection::Outgoing => td_string!(locale, dashboard.health.side_out),
                FlowDirection::Incoming => td_string!(locale, dashboard.health.side_in),
            };
            let item = td_string!(
                locale,
                dashboard.health.stuck_item,
                id = id,
                side = side,
                secs = secs
            );
            format!(" {item}")
        })
        .collect()
}

/// One part of the snapshot as a memo of its own, so what shows it changes
/// only when that part does.
fn part<T>(snap: Memo<HealthSnapshot>, read: fn(&HealthSnapshot) -> T) -> Memo<T>
where
    T: Clone + PartialEq + Send + Sync + 'static,
{
    Memo::new(move |_| snap.with(read))
}

#[component]
fn Qos2Summary(snap: Memo<HealthSnapshot>, threshold: Signal<u64>) -> impl IntoView {
    let i18n = use_i18n();
    let latency = part(snap, |s| (s.latency_avg_ms, s.latency_p99_ms));
    let latency = move || match latency.get() {
        (Some(avg), Some(p99)) => t_string!(
            i18n,
            dashboard.health.latency_value,
            avg = format!("{avg:.1}"),
            p99 = p99
        )
        .to_string(),
        _ => "—".to_owned(),
    };
    let retries = part(snap, |s| s.retries);
    let suppressed = part(snap, |s| s.duplicates_suppressed);
    view! {
        <dl class="dash-stats">
            <CompletionStat snap />
            <StuckStat snap threshold />
            <div class="dash-stat">
                <dt title=move || {
                    t_string!(i18n, dashboard.health.retries_title)
                }>{t!(i18n, dashboard.health.retries)}</dt>
                <dd>{move || retries.get()}</dd>
            </div>
            <div class="dash-stat">
                <dt title=move || t_string!(i18n, dashboard.health.suppressed_title)>
                    {t!(i18n, dashboard.health.suppressed)}
                </dt>
                <dd>{move || suppressed.get()}</dd>
            </div>
            <div class="dash-stat dash-stat-wide">
                <dt title=move || {
                    t_string!(i18n, dashboard.health.latency_title)
                }>{t!(i18n, dashboard.health.latency)}</dt>
                <dd>{latency}</dd>
            </div>
        </dl>
    }
}

/// How many QoS 2 handshakes completed of those started.
#[component]
fn CompletionStat(snap: Memo<HealthSnapshot>) -> impl IntoView {
    let i18n = use_i18n();
    let rate = part(snap, completion_rate_label);
    let counts = part(snap, |s| (s.qos2_completed, s.qos2_started));
    view! {
        <div class="dash-stat">
            <dt title=move || t_string!(i18n, dashboard.health.completion_title)>
                {t!(i18n, dashboard.health.completion)}
            </dt>
            <dd>
                {move || rate.get()}
                <small>
                    {move || {
                        let (completed, started) = counts.get();
                        let done = t_string!(
                            i18n,
                            dashboard.health.started,
                            completed = completed,
                            started = started
                        );
                        format!(" {done}")
                    }}
                </small>
            </dd>
        </div>
    }
}

/// Handshakes open longer than `threshold` ms, and the first few of them.
#[component]
fn StuckStat(snap: Memo<HealthSnapshot>, threshold: Signal<u64>) -> impl IntoView {
    let i18n = use_i18n();
    let stuck_secs = move || format!("{:.1}", threshold.get() as f64 / 1000.0);
    let flows = part(snap, stuck_flows);
    let count = part(snap, |s| s.stuck_count);
    let stuck = move || flows.with(|flows| stuck_list_in(i18n.get_locale(), flows));
    let stuck_class = move || {
        if count.get() > 0 {
            "dash-stat dash-warn"
        } else {
            "dash-stat"
        }
    };
    view! {
        <div class=stuck_class>
            <dt>{move || t_string!(i18n, dashboard.health.stuck, secs = stuck_secs())}</dt>
            <dd>{move || count.get()} <small>{stuck}</small></dd>
        </div>
    }
}

/// Topics seen at more than one QoS level, the first ten, each with its
/// levels in words.
fn mixed_topics(snap: &HealthSnapshot) -> Vec<(String, String)> {
    snap.mixed_qos
        .iter()
        .take(10)
        .map(|t| {
            let levels: Vec<String> = t
                .levels
                .iter()
                .map(|q| format!("QoS {}", *q as u8))
                .collect();
            (t.topic.clone(), format!(": {}", levels.join(", ")))
        })
        .collect()
}

#[component]
fn MixedQosWarning(snap: Memo<HealthSnapshot>) -> impl IntoView {
    let i18n = use_i18n();
    let topics = part(snap, mixed_topics);
    move || {
        let topics = topics.get();
        (!topics.is_empty()).then(|| {
            view! {
                <div class="dash-warning" role="status">
                    <strong>{t!(i18n, dashboard.health.mixed)}</strong>
                    <span>{t!(i18n, dashboard.health.mixed_hint)}</span>
                    <ul>
                        {topics
                            .into_iter()
                            .map(|(topic, levels)| {
                                view! {
                                    <li>
                                        <code>{topic}</code>
                                        {levels}
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                </div>
            }
        })
    }
}
