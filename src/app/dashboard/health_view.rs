//! The health panel: the usual QoS best practices as live numbers.

use leptos::prelude::*;

use super::context::DashboardContext;
use super::health::HealthSnapshot;
use crate::mqtt::session::FlowDirection;

/// The health panel. `now` ticks so open-handshake ages advance with no traffic.
#[component]
pub fn HealthPanel(#[prop(into)] now: Signal<u64>) -> impl IntoView {
    let ctx = DashboardContext::get();
    let snapshot = Memo::new(move |_| {
        let now = now.get();
        ctx.handle.read(|m| m.health.snapshot(now))
    });
    let threshold = move || ctx.settings.with(|s| s.health.stuck_handshake_ms);
    view! {
        <section class="dash-panel dash-health" aria-labelledby="dash-health-title">
            <header class="dash-panel-head">
                <h2 id="dash-health-title">"Health"</h2>
                <span class="dash-behind" role="status" data-testid="dash-behind">
                    {move || match ctx.handle.behind_ms.get() {
                        0 => String::new(),
                        ms => format!("Behind live by {:.1} s, catching up", ms as f64 / 1000.0),
                    }}
                </span>
            </header>
            {move || {
                let snap = snapshot.get();
                view! {
                    <QosTable snap=snap.clone() />
                    <Qos2Summary snap=snap.clone() threshold=threshold() />
                    <MixedQosWarning snap />
                }
            }}
        </section>
    }
}

#[component]
fn QosTable(snap: HealthSnapshot) -> impl IntoView {
    view! {
        <table class="dash-table dash-qos-table">
            <thead>
                <tr>
                    <th scope="col">"QoS"</th>
                    <th scope="col">"In"</th>
                    <th scope="col">"Out"</th>
                    <th scope="col">"In flight"</th>
                </tr>
            </thead>
            <tbody>
                {snap
                    .per_qos
                    .iter()
                    .enumerate()
                    .map(|(level, traffic)| {
                        view! {
                            <tr class=format!("dash-qos-row dash-qos{level}")>
                                <th scope="row">
                                    <span class=format!("dash-qos dash-qos{level}")>
                                        {format!("QoS {level}")}
                                    </span>
                                </th>
                                <td class="dash-num">{traffic.received}</td>
                                <td class="dash-num">{traffic.sent}</td>
                                <td class="dash-num">{traffic.in_flight}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn Qos2Summary(snap: HealthSnapshot, threshold: u64) -> impl IntoView {
    let rate = match snap.qos2_completion_rate() {
        Some(rate) => format!("{:.1}%", rate * 100.0),
        None => "—".to_owned(),
    };
    let latency = match (snap.latency_avg_ms, snap.latency_p99_ms) {
        (Some(avg), Some(p99)) => format!("{avg:.1} ms avg · {p99} ms p99"),
        _ => "—".to_owned(),
    };
    let stuck_class = if snap.stuck_count > 0 {
        "dash-stat dash-warn"
    } else {
        "dash-stat"
    };
    view! {
        <dl class="dash-stats">
            <div class="dash-stat">
                <dt title="监控 QoS 2 消息的完成率: completed / (completed + abandoned)">
                    "QoS 2 completion"
                </dt>
                <dd>
                    {rate}
                    <small>
                        {format!(
                            " {} of {} started",
                            snap.qos2_completed,
                            snap.qos2_started,
                        )}
                    </small>
                </dd>
            </div>
            <div class=stuck_class>
                <dt>{format!("QoS 2 open > {:.1} s", threshold as f64 / 1000.0)}</dt>
                <dd>
                    {snap.stuck_count}
                    <small>
                        {snap
                            .stuck
                            .iter()
                            .take(3)
                            .map(|s| {
                                let side = match s.direction {
                                    FlowDirection::Outgoing => "out",
                                    FlowDirection::Incoming => "in",
                                };
                                format!(" #{} {side} {:.1}s", s.packet_id, s.age_ms as f64 / 1000.0)
                            })
                            .collect::<String>()}
                    </small>
                </dd>
            </div>
            <div class="dash-stat">
                <dt title="PUBLISH resent with DUP=1, or PUBREL resent">"Retries"</dt>
                <dd>{snap.retries}</dd>
            </div>
            <div class="dash-stat">
                <dt title="QoS 2 PUBLISH repeats the session answered with PUBREC and did not deliver again. Repeats at QoS 0/1 reach the application; the stock table skips those by msg_id and says so per SKU.">
                    "QoS 2 repeats suppressed"
                </dt>
                <dd>{snap.duplicates_suppressed}</dd>
            </div>
            <div class="dash-stat dash-stat-wide">
                <dt title="PUBLISH to PUBACK / PUBCOMP, our outgoing flows">"Handshake latency"</dt>
                <dd>{latency}</dd>
            </div>
        </dl>
    }
}

#[component]
fn MixedQosWarning(snap: HealthSnapshot) -> impl IntoView {
    (!snap.mixed_qos.is_empty()).then(|| {
        view! {
            <div class="dash-warning" role="status">
                <strong>"Mixed QoS on one topic "</strong>
                <span>"(避免: 在同一 Topic 中混用不同 QoS 级别): "</span>
                <ul>
                    {snap
                        .mixed_qos
                        .iter()
                        .take(10)
                        .map(|t| {
                            let levels: Vec<String> =
                                t.levels.iter().map(|q| format!("QoS {}", *q as u8)).collect();
                            view! {
                                <li>
                                    <code>{t.topic.clone()}</code>
                                    {format!(": {}", levels.join(", "))}
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </div>
        }
    })
}
