//! The diagram as a standalone `.svg` document, for slides and bug reports.
//!
//! Unlike the on-screen diagram it draws every arrow (no viewport windowing)
//! and carries its own colours, since the app's CSS variables are not there.

use std::fmt::Write as _;

use super::geometry::{self, arrow_shape, note_shape, ArrowShape, CROSS, GUTTER, WIDTH};
use super::layout::Layout;
use super::model::Lane;

/// Colours matching the app's `--qos0/1/2` defaults.
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
.qos0{stroke:#64748b;fill:#64748b}.qos1{stroke:#2563eb;fill:#2563eb}\
.qos2{stroke:#9333ea;fill:#9333ea}.ctrl{stroke:#94a3b8;fill:#94a3b8}\
.cross{stroke:#dc2626;stroke-width:5}.lost{font-size:15px;fill:#dc2626}";

/// The diagram at playhead `t` as an SVG document.
pub fn svg_document(layout: &Layout, t: f64, title: &str) -> String {
    let top = geometry::HEADER;
    let height = top + geometry::height(layout.end);
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
            "<text class=\"head\" x=\"{x}\" y=\"60\">{}</text><line class=\"lane\" x1=\"{x}\" y1=\"80\" x2=\"{x}\" y2=\"{height}\"/>",
            lane.title()
        );
    }
    let _ = write!(out, "<g transform=\"translate(0 {top})\">");
    for v in layout.visible_at(t) {
        write_arrow(&mut out, &arrow_shape(v.placed, v.progress));
    }
    for n in layout.notes.iter().filter(|n| n.at <= t) {
        let s = note_shape(n);
        let _ = write!(
            out,
            "<text class=\"note\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"{}\">{}</text>",
            s.at.0,
            s.at.1,
            s.anchor,
            escape(&s.text)
        );
    }
    for (i, c) in layout
        .captions
        .iter()
        .enumerate()
        .filter(|(_, c)| c.at <= t)
    {
        let _ = write!(
            out,
            "<text class=\"mark\" x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            GUTTER - 100.0,
            geometry::y_of(c.at) - 8.0,
            escape(&c.caption.marker(i))
        );
    }
    out.push_str("</g></svg>");
    out
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
