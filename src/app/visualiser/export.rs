//! The diagram as a standalone `.svg` document, for slides and bug reports.
//!
//! Unlike the on-screen diagram it draws every arrow (no viewport windowing)
//! and carries its own colours, since the app's CSS variables are not there.

use std::fmt::Write as _;

use crate::i18n::{td_string, Locale};

use super::geometry::{self, arrow_shape, note_shape_in, ArrowShape, CROSS, GUTTER, WIDTH};
use super::layout::{Layout, PlacedCaption};
use super::model::Lane;

/// Colours: the light theme's `--qos0/1/2` of `style/main.css`, so slides made from the export
/// match the live demo (a test compares them).
/// The font stack is the app's `--font-ui`: Latin faces, then Chinese ones, for the captions.
const STYLE: &str = "text{font-family:system-ui,'Segoe UI',Roboto,Arial,'PingFang SC',\
'Hiragino Sans GB','Microsoft YaHei','Noto Sans CJK SC','WenQuanYi Micro Hei',sans-serif}\
.lane{stroke:#94a3b8;stroke-width:2;stroke-dasharray:6 6}\
.head{font-size:30px;font-weight:700;text-anchor:middle;fill:#0f172a}\
.label{font-size:20px;font-weight:600;text-anchor:middle}\
.detail{font-size:15px;text-anchor:middle;fill:#475569}\
.note{font-size:16px;fill:#334155}\
.mark{font-size:14px;fill:#64748b}\
line.arrow{stroke-width:3}\
.qos0{stroke:#3f5478;fill:#3f5478}.qos1{stroke:#8a4b00;fill:#8a4b00}\
.qos2{stroke:#11673a;fill:#11673a}.ctrl{stroke:#94a3b8;fill:#94a3b8}\
.cross{stroke:#dc2626;stroke-width:5}.lost{font-size:15px;fill:#dc2626}\
.steps-head{font-size:26px;font-weight:700;fill:#0f172a}\
.step{font-size:22px;fill:#0f172a}.step-zh{font-size:22px;fill:#334155}.step-marker{font-weight:800;fill:#11673a}";

/// Height of one caption line in the "Steps" list under the diagram.
const STEP_LINE: f64 = 34.0;

/// The diagram at playhead `t` as an SVG document, with the captions shown by then listed
/// under it (English, and Chinese where the scenario has it), as the presenter read them out.
pub fn svg_document(layout: &Layout, t: f64, title: &str) -> String {
    svg_document_in(layout, t, title, Locale::en)
}

/// [`svg_document`] with lane titles, notes, markers and headings in `locale`; the captions
/// keep the languages the run has.
pub fn svg_document_in(layout: &Layout, t: f64, title: &str, locale: Locale) -> String {
    let top = geometry::HEADER;
    let diagram_height = top + geometry::height(layout.end);
    let captions: Vec<_> = layout.captions.iter().filter(|c| c.at <= t).collect();
    let caption_lines: usize = captions
        .iter()
        .map(|c| 1 + usize::from(c.caption.text_zh.is_some()))
        .sum();
    let steps_height = if captions.is_empty() {
        0.0
    } else {
        80.0 + STEP_LINE * caption_lines as f64
    };
    let height = diagram_height + steps_height;
    let mut out = String::new();
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {height}\" width=\"{WIDTH}\" height=\"{height}\">\
         <title>{}</title><style>{STYLE}</style><rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>",
        escape(title)
    );
    for lane in Lane::ALL {
        let x = geometry::lane_x(lane);
        let _ = write!(
            out,
            "<text class=\"head\" x=\"{x}\" y=\"60\">{}</text><line class=\"lane\" x1=\"{x}\" y1=\"80\" x2=\"{x}\" y2=\"{diagram_height}\"/>",
            lane.title_in(locale)
        );
    }
    let _ = write!(out, "<g transform=\"translate(0 {top})\">");
    for v in layout.visible_at(t) {
        write_arrow(&mut out, &arrow_shape(v.placed, v.progress));
    }
    for n in layout.notes.iter().filter(|n| n.at <= t) {
        let s = note_shape_in(n, locale);
        let _ = write!(
            out,
            "<text class=\"note\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"{}\">{}</text>",
            s.at.0,
            s.at.1,
            s.anchor,
            escape(&s.text)
        );
    }
    let shown = layout.captions.partition_point(|c| c.at <= t);
    for m in geometry::step_markers_in(&layout.captions[..shown], locale) {
        let _ = write!(
            out,
            "<text class=\"mark\" x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            GUTTER - 100.0,
            m.y - 8.0,
            escape(&m.text)
        );
    }
    out.push_str("</g>");
    write_steps(&mut out, &captions, diagram_height, locale);
    out.push_str("</svg>");
    out
}

/// The captions as a numbered list from `y` down.
fn write_steps(out: &mut String, captions: &[&PlacedCaption], y: f64, locale: Locale) {
    if captions.is_empty() {
        return;
    }
    let x = 40.0;
    let mut y = y + 40.0;
    let _ = write!(
        out,
        "<text class=\"steps-head\" x=\"{x}\" y=\"{y:.1}\">{}</text>",
        escape(td_string!(locale, visualiser.diagram.steps))
    );
    for (i, c) in captions.iter().enumerate() {
        y += STEP_LINE;
        let _ = write!(
            out,
            "<text class=\"step\" x=\"{x}\" y=\"{y:.1}\"><tspan class=\"step-marker\">{}</tspan> {}</text>",
            escape(&c.caption.marker_in(i, locale)),
            escape(&c.caption.text)
        );
        if let Some(zh) = &c.caption.text_zh {
            y += STEP_LINE;
            let _ = write!(
                out,
                "<text class=\"step-zh\" x=\"{:.1}\" y=\"{y:.1}\" lang=\"zh\">{}</text>",
                x + 90.0,
                escape(zh)
            );
        }
    }
}

fn write_arrow(out: &mut String, s: &ArrowShape) {
    let _ = write!(
        out,
        "<g class=\"{}\"><line class=\"arrow {}\" x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\"/>",
        if s.lost_because.is_some() { "dropped" } else { "delivered" },
        s.class,
        s.from.0,
        s.from.1,
        s.tip.0,
        s.tip.1
    );
    if s.head.is_some() {
        let _ = write!(
            out,
            "<polygon class=\"{}\" points=\"{}\"/>",
            s.class,
            s.head_points()
        );
    }
    let _ = write!(
        out,
        "<text class=\"label {}\" stroke=\"none\" x=\"{:.1}\" y=\"{:.1}\" transform=\"{}\">{}</text>",
        s.class,
        s.label_pos().0,
        s.label_pos().1,
        s.text_transform(),
        escape(&s.label)
    );
    if let Some(d) = &s.detail {
        let _ = write!(
            out,
            "<text class=\"detail\" x=\"{:.1}\" y=\"{:.1}\" transform=\"{}\">{}</text>",
            s.detail_pos().0,
            s.detail_pos().1,
            s.text_transform(),
            escape(d)
        );
    }
    if let Some((x, y)) = s.cross {
        let _ = write!(
            out,
            "<path class=\"cross\" d=\"M{:.1} {:.1}L{:.1} {:.1}M{:.1} {:.1}L{:.1} {:.1}\"/>",
            x - CROSS,
            y - CROSS,
            x + CROSS,
            y + CROSS,
            x - CROSS,
            y + CROSS,
            x + CROSS,
            y - CROSS
        );
    }
    out.push_str("</g>");
}

/// Escape text for XML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            _ => out.push(c),
        }
    }
    out
}
