//! The run's charts as standalone SVG documents: the latency distribution,
//! the throughput and the bytes per message by packet type.
//!
//! Pure text out of measured levels, so the page, the exported files and the
//! native tests draw the same picture. Each chart's words are in the
//! reader's language (`*_in(…, locale)`); the plain functions draw in English. Colours are the app's custom
//! properties with the light theme's values as fallbacks
//! (`var(--qos1, #8a4b00)`): inline in the page the light and dark themes
//! restyle a chart in place, and an exported `.svg` still renders alone.
//! Sized for a projector: a 720 × 360 viewBox, labels of 14 units and more.

use std::fmt::Write as _;

use crate::i18n::{td_string, Locale};
use crate::mqtt::packet::QoS;

use super::record::{Hop, LevelResult, FLOW_PACKETS, LATENCY_BUCKETS_MS};
use super::report::group;
use super::tables::ms;

/// Escapes text for XML content and attribute values (`&`, `<`, `>`, `"`, `'`).
pub use crate::app::visualiser::export::escape;

/// The charts' viewBox width.
pub const WIDTH: f64 = 720.0;
/// The charts' viewBox height.
pub const HEIGHT: f64 = 360.0;

const TEXT: &str = "var(--text, #172033)";
const MUTED: &str = "var(--text-muted, #4a5568)";
const BORDER: &str = "var(--border, #cfd6e2)";
const SURFACE: &str = "var(--surface, #ffffff)";
const FONT: &str = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif";
/// Latency buckets: [`LATENCY_BUCKETS_MS`] and the slower one.
const BUCKETS: usize = LATENCY_BUCKETS_MS.len() + 1;
/// The fewest latency buckets shown, so one busy bucket still reads as a histogram.
const MIN_BUCKETS: usize = 4;

/// How a text is drawn: size (16 and up bold), `text-anchor`, fill.
type Font = (u8, &'static str, &'static str);

/// Legends and values: the smallest text in a chart.
const LABEL: Font = (14, "start", TEXT);
/// Axis values, right-aligned.
const TICK: Font = (14, "end", MUTED);
/// A bar's value beside it.
const VALUE: Font = (15, "start", TEXT);
/// Bucket and hop names under a bar.
const UNDER: Font = (14, "middle", MUTED);

/// The area inside the axes, and the value at its top edge.
#[derive(Clone, Copy)]
struct Plot {
    left: f64,
    top: f64,
    right: f64,
    bottom: f64,
    max: f64,
}

impl Plot {
    fn new(left: f64, top: f64, bottom: f64, max: f64) -> Plot {
        let right = WIDTH - 24.0;
        Plot {
            left,
            top,
            right,
            bottom,
            max,
        }
    }

    fn width(&self) -> f64 {
        self.right - self.left
    }

    /// The y of `v` on the 0 ..= `max` scale, clamped to the plot.
    fn y(&self, v: f64) -> f64 {
        self.bottom - (self.bottom - self.top) * ratio(v, self.max)
    }
}

/// `v / max` in 0 ..= 1; 0 when either is not a usable number.
fn ratio(v: f64, max: f64) -> f64 {
    if max > 0.0 && max.is_finite() && v.is_finite() {
        (v / max).clamp(0.0, 1.0)
    } else {
        0.0
    }
}

/// `v` if it is a finite non-negative number, else 0.
fn finite(v: f64) -> f64 {
    if v.is_finite() {
        v.max(0.0)
    } else {
        0.0
    }
}

/// An SVG document being written.
struct Svg(String);

impl Svg {
    /// The root, its `<title>`, the background and the visible title.
    fn open(title: &str, description: &str, subtitle: Option<&str>) -> Svg {
        let mut svg = Svg(String::new());
        let _ = write!(
            svg.0,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" \
             width=\"{WIDTH}\" height=\"{HEIGHT}\" role=\"img\" aria-label=\"{}\" \
             font-family=\"{FONT}\"><title>{}</title>",
            escape(description),
            escape(title)
        );
        svg.rect([0.0, 0.0, WIDTH, HEIGHT], SURFACE, "", None);
        svg.text(24.0, 30.0, (18, "start", TEXT), "title", title);
        if let Some(subtitle) = subtitle {
            svg.text(24.0, 52.0, (14, "start", MUTED), "subtitle", subtitle);
        }
        svg
    }

    fn text(&mut self, x: f64, y: f64, (size, anchor, fill): Font, class: &str, content: &str) {
        let _ = write!(
            self.0,
            "<text class=\"{class}\" x=\"{:.1}\" y=\"{:.1}\" font-size=\"{size}\" \
             font-weight=\"{}\" text-anchor=\"{anchor}\" style=\"fill: {fill}\">{}</text>",
            finite(x),
            finite(y),
            if size >= 16 { 700 } else { 400 },
            escape(content)
        );
    }

    /// A rectangle `[x, y, width, height]`, with extra `attrs` and a hover `tip`.
    fn rect(&mut self, r: [f64; 4], fill: &str, attrs: &str, tip: Option<&str>) {
        let [x, y, w, h] = r.map(finite);
        let space = if attrs.is_empty() { "" } else { " " };
        let _ = write!(
            self.0,
            "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{h:.1}\"{space}{attrs} style=\"fill: {fill}\""
        );
        match tip {
            Some(tip) => {
                let _ = write!(self.0, "><title>{}</title></rect>", escape(tip));
            }
            None => self.0.push_str("/>"),
        }
    }

    /// A grid or axis line `[x1, y1, x2, y2]`.
    fn line(&mut self, ends: [f64; 4]) {
        let [x1, y1, x2, y2] = ends.map(finite);
        let _ = write!(
            self.0,
            "<line x1=\"{x1:.1}\" y1=\"{y1:.1}\" x2=\"{x2:.1}\" y2=\"{y2:.1}\" \
             style=\"stroke: {BORDER}; stroke-width: 1\"/>"
        );
    }

    /// A colour square and its label at `(x, y)` (the text's baseline); the width taken.
    fn swatch(&mut self, x: f64, y: f64, fill: &str, label: &str) -> f64 {
        self.rect([x, y - 12.0, 14.0, 14.0], fill, "", None);
        self.text(x + 20.0, y, LABEL, "legend", label);
        20.0 + text_width(label, LABEL.0)
    }

    fn close(mut self) -> String {
        self.0.push_str("</svg>");
        self.0
    }
}

/// A generous estimate of a text's width (0.6 em a character, a full em for
/// a Chinese one), to keep labels apart.
fn text_width(text: &str, size: u8) -> f64 {
    let ems: f64 = text
        .chars()
        .map(|c| if is_wide(c) { 1.0 } else { 0.6 })
        .sum();
    ems * f64::from(size)
}

/// A character drawn a full em wide: CJK ideographs and full-width punctuation.
fn is_wide(c: char) -> bool {
    matches!(c, '\u{2e80}'..='\u{9fff}' | '\u{f900}'..='\u{faff}' | '\u{ff00}'..='\u{ffef}')
}

/// "Title. a; b": a chart's description for screen readers, in `locale`.
fn describe(title: &str, details: &[String], locale: Locale) -> String {
    let details = details.join(td_string!(locale, lab.charts.separator));
    td_string!(locale, lab.charts.description, title, details).to_string()
}

/// A chart with nothing to draw: its title and `message`, centred.
fn empty(title: &str, subtitle: Option<&str>, message: &str, locale: Locale) -> String {
    let description = td_string!(locale, lab.charts.empty_description, title, message);
    let mut svg = Svg::open(title, &description.to_string(), subtitle);
    let font = (16, "middle", MUTED);
    svg.text(WIDTH / 2.0, HEIGHT / 2.0, font, "empty", message);
    svg.close()
}

/// The app's colour of a level (`--qos0/1/2`, light theme as fallback).
fn qos_colour(qos: QoS) -> &'static str {
    [
        "var(--qos0, #3f5478)",
        "var(--qos1, #8a4b00)",
        "var(--qos2, #11673a)",
    ][qos.as_u8() as usize]
}

/// The [`FLOW_PACKETS`]' colours: Okabe–Ito hues, told apart in either theme
/// and by colour-blind eyes; `--lab-publish` ... `--lab-pubcomp` may restyle them.
const KIND_COLOURS: [&str; 5] = [
    "var(--lab-publish, #0072b2)",
    "var(--lab-puback, #e69f00)",
    "var(--lab-pubrec, #009e73)",
    "var(--lab-pubrel, #cc79a7)",
    "var(--lab-pubcomp, #56b4e9)",
];

/// A rounded top for a 0-based axis at or above `max`, and its tick step
/// (a 1-2-5 series, at most 5 steps).
fn nice_scale(max: f64) -> (f64, f64) {
    let max = Some(finite(max)).filter(|&m| m > 0.0).unwrap_or(1.0);
    let mut step = 10f64.powf((max / 5.0).log10().floor());
    for m in [1.0, 2.0, 5.0, 10.0] {
        if max / (step * m) <= 5.0 + 1e-9 {
            step *= m;
            break;
        }
    }
    (((max / step) - 1e-9).ceil().max(1.0) * step, step)
}

/// Grid lines and their values ("20 %", "1,500 B") up the left of `plot`.
fn y_axis(svg: &mut Svg, plot: Plot, step: f64, unit: &str) {
    let decimals = (-step.log10().floor()).clamp(0.0, 3.0) as usize;
    let steps = (plot.max / step).round() as u32;
    for k in 0..=steps {
        let v = f64::from(k) * step;
        let y = plot.y(v);
        svg.line([plot.left, y, plot.right, y]);
        let value = if decimals == 0 {
            group(v.round() as u64)
        } else {
            format!("{v:.decimals$}")
        };
        let (x, label) = (plot.left - 8.0, format!("{value} {unit}"));
        svg.text(x, y + 5.0, TICK, "y-tick", &label);
    }
}

/// A level's deliveries per latency bucket (a longer histogram's tail goes
/// to the slower bucket).
fn buckets(level: &LevelResult) -> [u64; BUCKETS] {
    let mut out = [0u64; BUCKETS];
    for (i, &n) in level.histogram.iter().enumerate() {
        let slot = &mut out[i.min(BUCKETS - 1)];
        *slot = slot.saturating_add(n);
    }
    out
}

/// Bucket `i`'s share of the level's deliveries, in percent.
fn share(histogram: &[u64; BUCKETS], i: usize) -> f64 {
    let total = histogram.iter().fold(0u64, |a, &n| a.saturating_add(n));
    100.0 * ratio(histogram[i] as f64, total as f64)
}

/// The buckets shown, inclusive: the first non-empty to the last, at least
/// [`MIN_BUCKETS`] wide.
fn bucket_range(histograms: &[[u64; BUCKETS]]) -> (usize, usize) {
    let used = |i: &usize| histograms.iter().any(|h| h[*i] > 0);
    let first = (0..BUCKETS).find(used).unwrap_or(0);
    let last = (0..BUCKETS).rev().find(used).unwrap_or(0);
    let last = last.max(first + MIN_BUCKETS - 1).min(BUCKETS - 1);
    (first.min(last + 1 - MIN_BUCKETS), last)
}

/// "≤0.1 ms", "≤20 ms", "≤2 s", ">10 s".
fn bucket_label(i: usize) -> String {
    let duration = |ms: f64| {
        if ms >= 1_000.0 {
            format!("{} s", ms / 1_000.0)
        } else {
            format!("{ms} ms")
        }
    };
    match LATENCY_BUCKETS_MS.get(i) {
        Some(&edge) => format!("≤{}", duration(edge)),
        None => format!(">{}", duration(LATENCY_BUCKETS_MS[BUCKETS - 2])),
    }
}

/// "QoS 1 · p50 0.42 ms · p99 1.90 ms".
fn latency_legend(level: &LevelResult) -> String {
    let q = level.qos.as_u8();
    match level.latency {
        Some(p) => format!(
            "QoS {q} · p50 {} · p99 {}",
            ms(finite(p.p50)),
            ms(finite(p.p99))
        ),
        None => format!("QoS {q}"),
    }
}

/// The bucket labels under `plot`, every bucket or every few so none overlap.
fn bucket_labels(svg: &mut Svg, plot: Plot, first: usize, last: usize) {
    let slot = plot.width() / (last - first + 1) as f64;
    let widest = (first..=last)
        .map(|i| text_width(&bucket_label(i), LABEL.0))
        .fold(0.0, f64::max);
    let every = ((widest + 10.0) / slot).ceil().max(1.0) as usize;
    for i in (first..=last).step_by(every) {
        let x = plot.left + slot * ((i - first) as f64 + 0.5);
        svg.text(x, plot.bottom + 22.0, UNDER, "x-tick", &bucket_label(i));
    }
}

/// The latency distribution: for each level with deliveries, the share of
/// its messages in each bucket of [`LATENCY_BUCKETS_MS`] (grouped bars in
/// the level's colour), from the first non-empty bucket to the last, with
/// each level's p50 and p99 in the legend. `simulated` says the times are
/// the simulation's link delays. In English.
pub fn latency_chart(levels: &[LevelResult], simulated: bool) -> String {
    latency_chart_in(levels, simulated, Locale::en)
}

/// [`latency_chart`] in `locale`.
pub fn latency_chart_in(levels: &[LevelResult], simulated: bool, locale: Locale) -> String {
    let title = td_string!(locale, lab.charts.latency_title);
    let subtitle = simulated.then(|| td_string!(locale, lab.charts.simulated));
    let series: Vec<(&LevelResult, [u64; BUCKETS])> = levels
        .iter()
        .map(|l| (l, buckets(l)))
        .filter(|(_, h)| h.iter().any(|&n| n > 0))
        .collect();
    if series.is_empty() {
        let message = td_string!(locale, lab.charts.nothing_delivered);
        return empty(title, subtitle, message, locale);
    }
    let histograms: Vec<_> = series.iter().map(|(_, h)| *h).collect();
    let (first, last) = bucket_range(&histograms);
    let peak = histograms
        .iter()
        .flat_map(|h| (first..=last).map(move |i| share(h, i)))
        .fold(0.0, f64::max);
    let (max, step) = nice_scale(peak);
    let legend: Vec<String> = series.iter().map(|(l, _)| latency_legend(l)).collect();
    let mut svg = Svg::open(title, &describe(title, &legend, locale), subtitle);
    let plot = Plot::new(72.0, 68.0, 246.0, max);
    y_axis(&mut svg, plot, step, "%");
    bucket_labels(&mut svg, plot, first, last);
    let slot = plot.width() / (last - first + 1) as f64;
    let width = slot * 0.8 / series.len() as f64;
    for (k, (level, histogram)) in series.iter().enumerate() {
        let q = level.qos.as_u8();
        for i in (first..=last).filter(|&i| histogram[i] > 0) {
            let x = plot.left + slot * ((i - first) as f64 + 0.1) + width * k as f64;
            let (v, y) = (share(histogram, i), plot.y(share(histogram, i)));
            let (label, n) = (bucket_label(i), group(histogram[i]));
            let tip = td_string!(
                locale,
                lab.charts.latency_tip,
                qos = q,
                bucket = label,
                share = format!("{v:.1}"),
                count = n
            )
            .to_string();
            let attrs = format!("data-bucket=\"{i}\"");
            let r = [x, y, width, plot.bottom - y];
            svg.rect(r, qos_colour(level.qos), &attrs, Some(&tip));
        }
    }
    for (k, ((level, _), text)) in series.iter().zip(&legend).enumerate() {
        let (x, y) = (24.0 + 352.0 * (k / 3) as f64, 292.0 + 22.0 * (k % 3) as f64);
        svg.swatch(x, y, qos_colour(level.qos), text);
    }
    svg.close()
}

/// "12,345 msg/s", or "4,321 msg/s · 35 % of QoS 0" beside a QoS 0 of `base` msg/s.
fn rate_label(level: &LevelResult, base: Option<f64>, locale: Locale) -> String {
    let rate = finite(level.throughput);
    let value = group(rate.round() as u64);
    match base {
        Some(base) if level.qos != QoS::AtMostOnce => {
            let share = format!("{:.0}", finite(100.0 * rate / base));
            td_string!(locale, lab.charts.rate_share, rate = value, share).to_string()
        }
        _ => td_string!(locale, lab.units.msg_per_s, rate = value).to_string(),
    }
}

/// The throughput: one horizontal bar per level, in the order run, its
/// messages delivered per second at the bar's end, and the share of QoS 0's
/// rate when QoS 0 ran. In English.
pub fn throughput_chart(levels: &[LevelResult]) -> String {
    throughput_chart_in(levels, Locale::en)
}

/// [`throughput_chart`] in `locale`.
pub fn throughput_chart_in(levels: &[LevelResult], locale: Locale) -> String {
    let title = td_string!(locale, lab.charts.throughput_title);
    let rate = |l: &LevelResult| finite(l.throughput);
    let peak = levels.iter().map(rate).fold(0.0, f64::max);
    if peak <= 0.0 {
        let message = td_string!(locale, lab.charts.nothing_delivered);
        return empty(title, None, message, locale);
    }
    let q0 = levels.iter().find(|l| l.qos == QoS::AtMostOnce);
    let base = q0.map(rate).filter(|&r| r > 0.0);
    let values: Vec<String> = levels.iter().map(|l| rate_label(l, base, locale)).collect();
    let tips: Vec<String> = levels
        .iter()
        .zip(&values)
        .map(|(l, value)| {
            td_string!(locale, lab.charts.level_value, qos = l.qos.as_u8(), value).to_string()
        })
        .collect();
    let mut svg = Svg::open(title, &describe(title, &tips, locale), None);
    let (left, top, longest) = (100.0, 60.0, 360.0);
    let row = ((HEIGHT - top - 16.0) / levels.len() as f64).min(96.0);
    let height = (row * 0.6).min(56.0);
    svg.line([left, top, left, top + row * levels.len() as f64]);
    for (k, (level, (value, tip))) in levels.iter().zip(values.iter().zip(&tips)).enumerate() {
        let (q, colour) = (level.qos.as_u8(), qos_colour(level.qos));
        let y = top + row * k as f64 + (row - height) / 2.0;
        let (width, middle) = (longest * ratio(rate(level), peak), y + height / 2.0 + 5.0);
        let font = (16, "end", colour);
        svg.text(left - 12.0, middle, font, "level", &format!("QoS {q}"));
        let r = [left, y, width, height];
        svg.rect(r, colour, &format!("data-qos=\"{q}\""), Some(tip));
        svg.text(left + width + 8.0, middle, VALUE, "value", value);
    }
    svg.close()
}

/// "pub", "sub": the `data-hop` attribute.
fn hop_short(hop: Hop) -> &'static str {
    ["pub", "sub"][hop as usize]
}

/// A level's bytes per message on each hop, per flow packet kind.
fn stack(level: &LevelResult) -> [[f64; 5]; 2] {
    Hop::BOTH.map(|hop| FLOW_PACKETS.map(|kind| finite(level.kind_bytes_per_message(hop, kind))))
}

/// One stacked bar from `x`, `width` wide: a segment per non-zero kind,
/// PUBLISH at the bottom, and the total above it.
fn stacked_bar(
    svg: &mut Svg,
    plot: Plot,
    [x, w]: [f64; 2],
    (qos, hop): (QoS, Hop),
    stack: &[f64; 5],
    locale: Locale,
) {
    let mut total = 0.0;
    let kinds = FLOW_PACKETS.iter().zip(KIND_COLOURS).zip(stack);
    for ((kind, colour), &v) in kinds.filter(|(_, &v)| v > 0.0) {
        let (bottom, top) = (plot.y(total), plot.y(total + v));
        total += v;
        let (q, name, h) = (qos.as_u8(), kind.name(), hop_short(hop));
        let attrs = format!("data-qos=\"{q}\" data-hop=\"{h}\" data-kind=\"{name}\"");
        let tip = td_string!(
            locale,
            lab.charts.bytes_tip,
            qos = q,
            hop = hop.label_in(locale),
            kind = name,
            bytes = format!("{v:.1}")
        )
        .to_string();
        let r = [x, top, w, bottom - top];
        svg.rect(r, colour, &attrs, Some(&tip));
    }
    if total > 0.0 {
        let (y, font) = (plot.y(total) - 6.0, (14, "middle", TEXT));
        svg.text(x + w / 2.0, y, font, "total", &format!("{total:.1} B"));
    }
}

/// The bytes per message: for each level, one bar per hop ("pub", "sub")
/// stacked by flow packet kind (PUBLISH, PUBACK, PUBREC, PUBREL, PUBCOMP),
/// the total on top, and a legend of the kinds that occur. In English.
pub fn bytes_chart(levels: &[LevelResult]) -> String {
    bytes_chart_in(levels, Locale::en)
}

/// [`bytes_chart`] in `locale`.
pub fn bytes_chart_in(levels: &[LevelResult], locale: Locale) -> String {
    let title = td_string!(locale, lab.charts.bytes_title);
    let subtitle = Some(td_string!(locale, lab.charts.bytes_subtitle));
    let stacks: Vec<[[f64; 5]; 2]> = levels.iter().map(stack).collect();
    let totals = stacks.iter().flatten().map(|s| s.iter().sum::<f64>());
    let peak = totals.fold(0.0, f64::max);
    if peak <= 0.0 {
        let message = td_string!(locale, lab.charts.nothing_published);
        return empty(title, subtitle, message, locale);
    }
    let description: Vec<String> = levels
        .iter()
        .zip(&stacks)
        .map(|(l, [p, s])| {
            let (p, s) = (p.iter().sum::<f64>(), s.iter().sum::<f64>());
            td_string!(
                locale,
                lab.charts.bytes_level,
                qos = l.qos.as_u8(),
                publisher = format!("{p:.1}"),
                subscriber = format!("{s:.1}")
            )
            .to_string()
        })
        .collect();
    let description = describe(title, &description, locale);
    let mut svg = Svg::open(title, &description, subtitle);
    let mut x = 24.0;
    for (i, (kind, colour)) in FLOW_PACKETS.iter().zip(KIND_COLOURS).enumerate() {
        if stacks.iter().flatten().any(|s| s[i] > 0.0) {
            x += svg.swatch(x, 78.0, colour, kind.name()) + 24.0;
        }
    }
    let (max, step) = nice_scale(peak);
    let plot = Plot::new(88.0, 104.0, 282.0, max);
    y_axis(&mut svg, plot, step, "B");
    let group_width = plot.width() / levels.len() as f64;
    let width = (group_width * 0.3).min(72.0);
    for (k, (level, stack)) in levels.iter().zip(&stacks).enumerate() {
        let middle = plot.left + group_width * (k as f64 + 0.5);
        for (hop, stack) in Hop::BOTH.into_iter().zip(stack) {
            let x = middle + [-4.0 - width, 4.0][hop as usize];
            stacked_bar(&mut svg, plot, [x, width], (level.qos, hop), stack, locale);
            let (x, y) = (x + width / 2.0, plot.bottom + 20.0);
            svg.text(x, y, UNDER, "hop", hop.short_in(locale));
        }
        let font = (16, "middle", qos_colour(level.qos));
        let label = format!("QoS {}", level.qos.as_u8());
        svg.text(middle, plot.bottom + 44.0, font, "level", &label);
    }
    svg.close()
}
