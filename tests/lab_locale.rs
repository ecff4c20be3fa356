#![cfg(not(target_arch = "wasm32"))]
//! The lab and presenter mode in both languages: the English `*_in` paths
//! say exactly what the plain functions say, and the Chinese ones are
//! Chinese throughout (protocol names and numbers aside), built from the
//! same run's numbers.

use qoscope::app::lab::charts::{
    bytes_chart, bytes_chart_in, latency_chart, latency_chart_in, throughput_chart,
    throughput_chart_in,
};
use qoscope::app::lab::claims::{compare, compare_in, Verdict};
use qoscope::app::lab::form::LabForm;
use qoscope::app::lab::guide::{rows, rows_in};
use qoscope::app::lab::plan::{FaultProfile, LabPlan, Rate};
use qoscope::app::lab::report::{LabReport, Target, REPORT_FORMAT};
use qoscope::app::lab::sim_lab::{SimLab, SIM_TOPIC_PREFIX};
use qoscope::app::lab::tables::{measured_rows, measured_rows_in, stock_line, stock_line_in};
use qoscope::app::presenter::STEPS;
use qoscope::i18n::Locale;
use qoscope::mqtt::packet::ProtocolVersion;

fn run(plan: LabPlan, target: Target) -> LabReport {
    let mut lab = SimLab::new(plan.clone(), ProtocolVersion::V311, 1);
    lab.run_to_end();
    LabReport {
        format: REPORT_FORMAT,
        started_at_ms: 0,
        target,
        version: ProtocolVersion::V311,
        topic_example: format!("{SIM_TOPIC_PREFIX}/q0"),
        plan,
        levels: lab.into_runner().into_results(),
    }
}

/// Runs that reach every branch of the comparison's wording that a short
/// simulated run can: clean, lossy, cut at a fixed rate, "live".
fn reports() -> Vec<LabReport> {
    let lossy = FaultProfile::Loss { percent: 10 };
    let plans = [
        LabPlan {
            messages: 200,
            ..LabPlan::default()
        },
        LabPlan {
            messages: 200,
            faults: lossy,
            ..LabPlan::default()
        },
        LabPlan {
            messages: 200,
            rate: Rate::PerSecond(500),
            faults: FaultProfile::LossAndCuts {
                percent: 5,
                seconds: 1,
            },
            ..LabPlan::default()
        },
    ];
    let mut out = Vec::new();
    for plan in plans {
        out.push(run(plan.clone(), Target::Simulated { one_way_ms: 1 }));
        out.push(run(
            plan,
            Target::Broker {
                url: "ws://127.0.0.1:9001".into(),
            },
        ));
    }
    out
}

fn has_chinese(text: &str) -> bool {
    text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

#[test]
fn english_is_what_the_plain_functions_say() {
    for report in reports() {
        assert_eq!(compare_in(&report, Locale::en), compare(&report));
        assert_eq!(
            measured_rows_in(&report, Locale::en),
            measured_rows(&report)
        );
        let (levels, simulated) = (&report.levels, report.target.is_simulated());
        assert_eq!(
            latency_chart_in(levels, simulated, Locale::en),
            latency_chart(levels, simulated)
        );
        assert_eq!(
            throughput_chart_in(levels, Locale::en),
            throughput_chart(levels)
        );
        assert_eq!(bytes_chart_in(levels, Locale::en), bytes_chart(levels));
        for l in levels {
            assert_eq!(stock_line_in(l, Locale::en), stock_line(l));
        }
        assert_eq!(
            report.workload_label_in(Locale::en),
            report.workload_label()
        );
    }
    assert_eq!(rows_in(Locale::en), rows());
    assert_eq!(Verdict::NotMeasured.label(), "not measured");
}

#[test]
fn the_comparison_reads_in_chinese_with_the_runs_numbers() {
    for report in reports() {
        let en = compare(&report);
        let zh = compare_in(&report, Locale::zh_CN);
        assert_eq!(en.len(), zh.len());
        for (e, z) in en.iter().zip(&zh) {
            assert_eq!(e.verdict, z.verdict, "{}", e.metric);
            assert_eq!(e.metric_zh, z.metric_zh);
            assert!(has_chinese(z.metric), "{}", z.metric);
            assert!(has_chinese(&z.why), "{}", z.why);
            assert!(has_chinese(z.verdict.label_in(Locale::zh_CN)));
            // The same figures, whatever the words (and word order) around them.
            let digits = |s: &str| {
                let mut d: Vec<char> = s.chars().filter(char::is_ascii_digit).collect();
                d.sort_unstable();
                d.into_iter().collect::<String>()
            };
            assert_eq!(digits(&e.why), digits(&z.why), "{} / {}", e.why, z.why);
            for (a, b) in e.measured.iter().zip(&z.measured) {
                assert_eq!(digits(a), digits(b), "{a} / {b}");
            }
        }
        for row in measured_rows_in(&report, Locale::zh_CN) {
            assert!(has_chinese(row.label), "{}", row.label);
        }
        for l in &report.levels {
            assert!(has_chinese(&stock_line_in(l, Locale::zh_CN)));
        }
        assert!(has_chinese(&report.workload_label_in(Locale::zh_CN)));
        assert!(
            has_chinese(&report.target.label_in(Locale::zh_CN)) || !report.target.is_simulated()
        );
    }
}

#[test]
fn the_charts_draw_chinese_labels() {
    let report = &reports()[1];
    let levels = &report.levels;
    let latency = latency_chart_in(levels, true, Locale::zh_CN);
    assert!(latency.contains("到达订阅者的时延") && latency.contains("模拟链路的延迟"));
    let throughput = throughput_chart_in(levels, Locale::zh_CN);
    assert!(
        throughput.contains(" 条/秒") && !throughput.contains("msg/s"),
        "{throughput}"
    );
    let bytes = bytes_chart_in(levels, Locale::zh_CN);
    assert!(
        bytes.contains(">发布</text>") && bytes.contains(">订阅</text>"),
        "{bytes}"
    );
    // The hop attribute a stylesheet or test may select on stays as it is.
    assert!(bytes.contains("data-hop=\"pub\""));
    for svg in [&latency, &throughput, &bytes] {
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(!svg.contains("NaN") && !svg.contains("inf"));
    }
    let empty = throughput_chart_in(&[], Locale::zh_CN);
    assert!(empty.contains("还没有已送达的消息可供绘图。"));
}

#[test]
fn errors_and_the_guide_are_worded_in_both_languages() {
    let bad = LabPlan {
        messages: 0,
        ..LabPlan::default()
    };
    let why = bad.check().unwrap_err();
    assert_eq!(why.text_in(Locale::en), bad.validate().unwrap_err());
    assert!(why.text_in(Locale::zh_CN).ends_with('。'));
    let form = LabForm {
        messages: "many".into(),
        ..LabForm::default()
    };
    let why = form.plan().unwrap_err();
    assert_eq!(
        why.text_in(Locale::en),
        "Messages per level must be a whole number."
    );
    assert_eq!(why.text_in(Locale::zh_CN), "每个级别的消息数必须是整数。");
    let not_a_run = LabReport::parse("{}").unwrap_err();
    assert!(not_a_run.text_in(Locale::en).contains("lab run"));
    assert!(has_chinese(&not_a_run.text_in(Locale::zh_CN)));
    for (en, zh) in rows().iter().zip(rows_in(Locale::zh_CN)) {
        assert_eq!(
            (en.group, &en.action, en.levels),
            (zh.group, &zh.action, zh.levels)
        );
        assert_eq!((en.scenario_zh, en.reason_zh), (zh.scenario, zh.reason));
        assert!(has_chinese(zh.action_label), "{}", zh.action_label);
    }
}

#[test]
fn the_talk_track_has_both_languages_and_the_courier_analogy() {
    for step in STEPS {
        assert!(!step.title_in(Locale::en).is_empty() && !has_chinese(step.title_in(Locale::en)));
        assert!(has_chinese(step.title_in(Locale::zh_CN)));
        assert!(has_chinese(step.hint_in(Locale::zh_CN)));
    }
    assert_eq!(
        STEPS[0].title_in(Locale::en),
        "QoS is a choice of delivery service"
    );
    assert_eq!(
        STEPS[2].title_in(Locale::zh_CN),
        "QoS 2：四段握手保证恰好一次"
    );
}
