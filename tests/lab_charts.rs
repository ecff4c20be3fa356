#![cfg(not(target_arch = "wasm32"))]
//! The lab's SVG charts, natively: well-formed standalone documents from a
//! simulated run, one bar per level, one stacked segment per packet kind
//! measured, themed colours, and an empty state instead of a panic or NaN.

use qoscope::app::lab::charts::{bytes_chart, escape, latency_chart, throughput_chart};
use qoscope::app::lab::plan::LabPlan;
use qoscope::app::lab::record::{
    Hop, HopCost, LevelResult, LevelStatus, Percentiles, Tally, FLOW_PACKETS, LATENCY_BUCKETS_MS,
};
use qoscope::app::lab::sim_lab::SimLab;
use qoscope::mqtt::packet::{ProtocolVersion, QoS};

/// A simulated run of 200 messages at each of `levels`, 1 ms each way.
fn run(levels: Vec<QoS>) -> Vec<LevelResult> {
    let plan = LabPlan {
        messages: 200,
        levels,
        ..LabPlan::default()
    };
    let mut lab = SimLab::new(plan, ProtocolVersion::V311, 1);
    lab.run_to_end();
    lab.into_runner().into_results()
}

fn all_levels() -> Vec<LevelResult> {
    run(vec![QoS::AtMostOnce, QoS::AtLeastOnce, QoS::ExactlyOnce])
}

/// A level made by hand: `histogram` deliveries per bucket, nothing on the wire.
fn level(qos: QoS, histogram: Vec<u64>) -> LevelResult {
    let delivered = histogram.iter().sum::<u64>() as u32;
    LevelResult {
        qos,
        status: LevelStatus::Complete,
        planned: delivered,
        published: delivered,
        delivered,
        duplicates: 0,
        lost: 0,
        duration_ms: 100.0,
        throughput: f64::from(delivered) * 10.0,
        latency: (delivered > 0).then_some(Percentiles {
            count: u64::from(delivered),
            p50: 1.0,
            p95: 1.5,
            p99: 2.0,
            max: 2.0,
        }),
        completion: None,
        probe: 0,
        unloaded_latency: None,
        unloaded_completion: None,
        histogram,
        hops: [HopCost::default(), HopCost::default()],
        retries: 0,
        max_in_flight: 0,
        cuts: 0,
        reconnects: 0,
        framing: None,
        stock_counted: 0,
        stock_expected: 0,
    }
}

/// A histogram with `n` deliveries in each of `buckets`.
fn histogram(buckets: &[usize], n: u64) -> Vec<u64> {
    let mut h = vec![0; LATENCY_BUCKETS_MS.len() + 1];
    for &b in buckets {
        h[b] = n;
    }
    h
}

/// A standalone SVG document: one `<svg>` root with the namespace, a title
/// and an accessible name; every tag closed or self-closed, in order; every
/// `&` an entity; no stray `>` in text; no NaN or infinity anywhere.
fn assert_well_formed(svg: &str) {
    assert!(svg.starts_with("<svg"), "not an svg document: {svg}");
    assert!(
        svg.ends_with("</svg>"),
        "the root is not closed last: {svg}"
    );
    assert!(svg.contains("xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(svg.contains("role=\"img\"") && svg.contains("aria-label=\""));
    assert!(svg.contains("<title>"), "no <title>: {svg}");
    assert!(svg.contains("viewBox=\"0 0 720 360\""));
    for bad in ["NaN", "inf", "Inf"] {
        assert!(!svg.contains(bad), "{bad} in {svg}");
    }
    let mut open: Vec<&str> = Vec::new();
    let mut rest = svg;
    while let Some(start) = rest.find('<') {
        assert_text(&rest[..start]);
        let end = start + rest[start..].find('>').expect("a tag is not closed");
        let tag = &rest[start + 1..end];
        assert!(!tag.contains('<'), "'<' inside a tag: {tag}");
        assert_eq!(tag.matches('"').count() % 2, 0, "unbalanced quotes: {tag}");
        assert_text(tag);
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(open.pop(), Some(name.trim()), "mismatched </{name}>");
        } else if !tag.ends_with('/') {
            open.push(tag.split_whitespace().next().expect("an empty tag"));
        }
        rest = &rest[end + 1..];
        if open.is_empty() {
            assert!(rest.is_empty(), "content after the root: {rest}");
        }
    }
    assert!(open.is_empty(), "unclosed: {open:?}");
    assert_eq!(rest, "", "text after the last tag");
}

/// Text or a tag's inside: no '>' and only the five XML entities.
fn assert_text(text: &str) {
    assert!(!text.contains('>'), "a raw '>' in {text}");
    for (i, _) in text.match_indices('&') {
        let after = &text[i + 1..];
        assert!(
            ["amp;", "lt;", "gt;", "quot;", "apos;"]
                .iter()
                .any(|e| after.starts_with(e)),
            "a raw '&' in {text}"
        );
    }
}

/// The numbers in every `name="..."` attribute of `svg`.
fn attribute_values(svg: &str, name: &str) -> Vec<f64> {
    let key = format!(" {name}=\"");
    svg.match_indices(&key)
        .map(|(i, _)| {
            let value = &svg[i + key.len()..];
            value[..value.find('"').unwrap()].parse().unwrap()
        })
        .collect()
}

fn charts(levels: &[LevelResult]) -> [String; 3] {
    [
        latency_chart(levels, true),
        throughput_chart(levels),
        bytes_chart(levels),
    ]
}

#[test]
fn charts_of_a_simulated_run_are_well_formed_standalone_svg() {
    let levels = all_levels();
    assert_eq!(levels.len(), 3);
    for svg in charts(&levels) {
        assert_well_formed(&svg);
        assert!(!svg.contains("No delivered"), "a full run charted as empty");
    }
}

#[test]
fn text_is_readable_on_a_projector() {
    for svg in charts(&all_levels()) {
        let sizes = attribute_values(&svg, "font-size");
        assert!(!sizes.is_empty());
        assert!(sizes.iter().all(|&s| s >= 14.0), "{sizes:?}");
        assert!(sizes.iter().any(|&s| s >= 16.0), "no title of 16 or more");
    }
}

#[test]
fn colours_are_the_themes_variables_with_fallbacks() {
    let [latency, throughput, bytes] = charts(&all_levels());
    for svg in [&latency, &throughput, &bytes] {
        for (i, _) in svg
            .match_indices("fill: ")
            .chain(svg.match_indices("stroke: "))
        {
            let colour = &svg[i..];
            let colour = &colour[colour.find(' ').unwrap() + 1..];
            assert!(
                colour.starts_with("var(--"),
                "a bare colour: {}",
                &colour[..20]
            );
            let value = &colour[..colour.find(')').unwrap()];
            assert!(value.contains(", #"), "no fallback: {value}");
        }
        assert!(svg.contains("var(--text, #172033)"));
    }
    for svg in [&latency, &throughput] {
        assert!(svg.contains("var(--qos0, #3f5478)"));
        assert!(svg.contains("var(--qos1, #8a4b00)"));
        assert!(svg.contains("var(--qos2, #11673a)"));
    }
    assert!(bytes.contains("var(--border, #cfd6e2)"));
}

#[test]
fn the_throughput_chart_draws_one_bar_per_level() {
    let levels = all_levels();
    let svg = throughput_chart(&levels);
    assert_eq!(svg.matches("data-qos=").count(), levels.len());
    for q in 0..3 {
        assert_eq!(svg.matches(&format!("data-qos=\"{q}\"")).count(), 1);
    }
    assert!(svg.contains(" msg/s"));
    assert!(svg.contains("% of QoS 0"), "{svg}");
    let one = throughput_chart(&run(vec![QoS::AtLeastOnce]));
    assert_eq!(one.matches("data-qos=").count(), 1);
    assert!(!one.contains("% of QoS 0"), "no QoS 0 to compare with");
}

#[test]
fn the_throughput_chart_groups_thousands() {
    let mut fast = level(QoS::AtMostOnce, histogram(&[3], 10));
    fast.throughput = 12_345.4;
    let mut slow = level(QoS::ExactlyOnce, histogram(&[5], 10));
    slow.throughput = 4_321.0;
    let svg = throughput_chart(&[fast, slow]);
    assert_well_formed(&svg);
    assert!(svg.contains("12,345 msg/s"), "{svg}");
    assert!(svg.contains("4,321 msg/s · 35 % of QoS 0"), "{svg}");
}

#[test]
fn the_bytes_chart_stacks_one_segment_per_measured_packet_kind() {
    let levels = all_levels();
    let svg = bytes_chart(&levels);
    let tallies = levels
        .iter()
        .filter(|l| l.published > 0)
        .flat_map(|l| Hop::BOTH.map(|hop| (l, hop)))
        .flat_map(|(l, hop)| FLOW_PACKETS.map(|kind| l.hops[hop as usize].of(kind)))
        .filter(|t| t.bytes > 0)
        .count();
    assert_eq!(
        tallies,
        2 * (1 + 2 + 4),
        "PUBLISH; + PUBACK; + PUBREC, PUBREL, PUBCOMP"
    );
    assert_eq!(svg.matches("data-kind=").count(), tallies);
    assert_eq!(svg.matches("data-hop=\"pub\"").count(), tallies / 2);
    assert!(svg.contains(">pub</text>") && svg.contains(">sub</text>"));
    assert_eq!(
        svg.matches(" B</text>").count() - svg.matches("y-tick").count(),
        6,
        "a total per bar"
    );
}

#[test]
fn the_bytes_legend_names_the_kinds_that_ran() {
    let svg = bytes_chart(&all_levels());
    for kind in FLOW_PACKETS {
        assert!(
            svg.contains(&format!(">{}</text>", kind.name())),
            "{}",
            kind.name()
        );
    }
    let qos0 = bytes_chart(&run(vec![QoS::AtMostOnce]));
    assert_well_formed(&qos0);
    assert!(qos0.contains(">PUBLISH</text>"));
    assert!(
        !qos0.contains("PUBREC") && !qos0.contains("PUBACK"),
        "{qos0}"
    );
}

#[test]
fn the_bytes_totals_are_the_measured_bytes_per_message() {
    let mut l = level(QoS::AtLeastOnce, histogram(&[3], 4));
    l.hops[0].flow[0] = Tally {
        packets: 4,
        bytes: 272,
    };
    l.hops[0].flow[1] = Tally {
        packets: 4,
        bytes: 16,
    };
    let svg = bytes_chart(&[l]);
    assert_well_formed(&svg);
    assert!(svg.contains(">72.0 B</text>"), "68 + 4 per message: {svg}");
    assert_eq!(svg.matches("data-kind=").count(), 2);
}

#[test]
fn the_latency_chart_marks_percentiles_and_says_when_times_are_simulated() {
    let levels = all_levels();
    let svg = latency_chart(&levels, true);
    for q in 0..3 {
        assert!(svg.contains(&format!("QoS {q} · p50 ")), "QoS {q}: {svg}");
    }
    assert!(svg.contains(" · p99 "));
    assert!(svg.contains("simulated link delays, not measured times"));
    let measured = latency_chart(&levels, false);
    assert_well_formed(&measured);
    assert!(!measured.contains("simulated"));
    let bars = svg.matches("data-bucket=").count();
    assert!(bars >= 3, "at least a bar per level: {bars}");
}

#[test]
fn the_latency_chart_shows_at_least_four_buckets_around_the_samples() {
    let low = latency_chart(&[level(QoS::AtMostOnce, histogram(&[3], 50))], false);
    assert_well_formed(&low);
    for label in ["≤1 ms", "≤2 ms", "≤5 ms", "≤10 ms"] {
        assert!(low.contains(&format!(">{label}</text>")), "{label}: {low}");
    }
    assert!(!low.contains("≤0.5 ms") && !low.contains("≤20 ms"));
    assert!(low.contains("100 %"), "one full bucket");

    let slow = latency_chart(&[level(QoS::AtLeastOnce, histogram(&[16], 5))], false);
    assert_well_formed(&slow);
    for label in ["≤2 s", "≤5 s", "≤10 s", "&gt;10 s"] {
        assert!(
            slow.contains(&format!(">{label}</text>")),
            "{label}: {slow}"
        );
    }
}

#[test]
fn latency_labels_never_overlap_over_the_widest_range() {
    let wide = level(QoS::ExactlyOnce, histogram(&(0..17).collect::<Vec<_>>(), 3));
    let svg = latency_chart(&[wide], false);
    assert_well_formed(&svg);
    assert_eq!(svg.matches("data-bucket=").count(), 17);
    let xs: Vec<f64> = svg
        .split("class=\"x-tick\" x=\"")
        .skip(1)
        .map(|s| s[..s.find('"').unwrap()].parse().unwrap())
        .collect();
    assert!(
        xs.len() >= 9,
        "at least every other bucket labelled: {xs:?}"
    );
    let widest = 7.0 * 14.0 * 0.6;
    assert!(xs.windows(2).all(|w| w[1] - w[0] >= widest), "{xs:?}");
}

#[test]
fn empty_input_gives_the_empty_state() {
    let none = level(QoS::AtMostOnce, histogram(&[], 0));
    for levels in [vec![], vec![none.clone()], vec![none.clone(), none]] {
        let [latency, throughput, bytes] = charts(&levels);
        for svg in [&latency, &throughput, &bytes] {
            assert_well_formed(svg);
            assert!(!svg.contains("data-qos") && !svg.contains("data-bucket"));
        }
        assert!(latency.contains("No delivered messages to chart yet."));
        assert!(throughput.contains("No delivered messages to chart yet."));
        assert!(bytes.contains("No published messages to chart yet."));
    }
}

#[test]
fn broken_numbers_never_reach_the_document() {
    let mut l = level(QoS::AtLeastOnce, histogram(&[0, 1], 1));
    l.histogram = vec![u64::MAX, u64::MAX, 0, 0];
    l.throughput = f64::NAN;
    l.latency = Some(Percentiles {
        count: 1,
        p50: f64::INFINITY,
        p95: f64::NAN,
        p99: f64::NEG_INFINITY,
        max: f64::NAN,
    });
    let mut q0 = level(QoS::AtMostOnce, histogram(&[1], 1));
    q0.throughput = f64::INFINITY;
    for svg in charts(&[l, q0]) {
        assert_well_formed(&svg);
    }
    let mut tiny = level(QoS::AtMostOnce, histogram(&[1], 1));
    tiny.throughput = 1e-300;
    let mut huge = level(QoS::AtLeastOnce, histogram(&[1], 1));
    huge.throughput = f64::MAX;
    assert_well_formed(&throughput_chart(&[tiny, huge]));
}

#[test]
fn the_escape_helper_escapes_markup() {
    let hostile = "<script>alert(\"x & y\")</script>";
    let escaped = escape(hostile);
    assert_eq!(
        escaped,
        "&lt;script&gt;alert(&quot;x &amp; y&quot;)&lt;/script&gt;"
    );
    assert_text(&escaped);
}
