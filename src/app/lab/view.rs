//! The Lab tab: the workload form with its progress bars, and the report:
//! the measured table, the QoS notes' table beside it, the charts and the
//! inventory counters.

use leptos::prelude::*;

use crate::app::locale::use_i18n;
use crate::i18n::{t, td_string, Locale};
use crate::mqtt::packet::QoS;

use super::form::LabForm;
use super::guide::{rows_in as guide_rows, GuideAction, GuideGroup};
use super::handle::LabHandle;
use super::report_view::Report;
use super::workload_view::WorkloadPanel;

/// Whether the QoS notes' Chinese is quoted beside the words: for a reader
/// of English (a Chinese reader reads it in the words themselves).
pub(super) fn quotes_chinese(locale: Locale) -> bool {
    locale != Locale::zh_CN
}

/// The badge classes of `qos`.
pub(super) fn qos_class(qos: QoS) -> &'static str {
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

/// The QoS notes' "when to use QoS 2" tables, each row a demonstration.
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
