#![cfg(not(target_arch = "wasm32"))]
//! No two texts on the diagram overlap, and none runs off its edge, in any of
//! the six guided scenarios: every packet label, topic line, lane note, loss
//! reason, step marker and "… ms later" break, at the end of the scenario when
//! all of them are drawn.
//!
//! Text is measured with a width model of the sans-serif fonts the app names
//! (DejaVu Sans metrics, rounded up), at the font sizes
//! `style/visualiser.css` gives each class. Labels are boxes turned with their
//! arrow, so the check is between turned rectangles, not their bounding boxes.

use qoscope::app::visualiser::geometry::{self, arrow_shape, note_shape, ArrowShape, WIDTH};
use qoscope::app::visualiser::layout::{Layout, Pacing};
use qoscope::app::visualiser::scenario::builtin;

mod sim_support;

use sim_support::run_scenario;

/// Font size and weight of each text class, as `style/visualiser.css` sets them.
#[derive(Clone, Copy)]
struct Font {
    size: f64,
    bold: bool,
}

const LABEL: Font = Font {
    size: 24.0,
    bold: true,
};
const DETAIL: Font = Font {
    size: 18.0,
    bold: false,
};
const NOTE: Font = Font {
    size: 20.0,
    bold: false,
};
const LOST: Font = Font {
    size: 20.0,
    bold: true,
};
const STEP: Font = Font {
    size: 18.0,
    bold: true,
};
const BREAK: Font = Font {
    size: 16.0,
    bold: false,
};

/// Advance of one character in em: DejaVu Sans (Debian's default sans-serif,
/// and wider than the other fonts the app names), rounded up.
fn advance(c: char) -> f64 {
    match c {
        'i' | 'j' | 'l' | 'I' | '.' | ',' | ':' | ';' | '\'' | '|' | '!' | ' ' | '·' => 0.34,
        'f' | 't' | 'r' | '(' | ')' | '[' | ']' | '-' | '/' => 0.42,
        'c' | 's' | 'z' | 'J' => 0.54,
        'k' | 'v' | 'x' | 'y' | 'F' | 'L' => 0.6,
        'm' | 'w' => 0.98,
        'a'..='z' => 0.6,
        'M' | 'W' => 1.0,
        'E' | 'P' | 'T' | 'Z' | 'S' | 'K' => 0.66,
        'A' | 'B' | 'C' | 'R' | 'X' | 'Y' => 0.7,
        'A'..='Z' => 0.8,
        '0'..='9' => 0.64,
        c if c >= '\u{2E80}' => 1.0,
        _ => 0.84,
    }
}

fn text_width(text: &str, font: Font) -> f64 {
    let em: f64 = text.chars().map(advance).sum();
    // Bold DejaVu runs about a tenth wider.
    em * font.size * if font.bold { 1.1 } else { 1.0 }
}

/// A text's box: four corners, in diagram units.
#[derive(Debug, Clone)]
struct TextBox {
    what: String,
    corners: [(f64, f64); 4],
}

#[derive(Clone, Copy)]
enum Anchor {
    Start,
    Middle,
    End,
}

/// The box of `text` drawn at baseline point `at`, turned `angle` degrees about `pivot`.
fn text_box(
    what: String,
    text: &str,
    font: Font,
    at: (f64, f64),
    anchor: Anchor,
    rotation: Option<(f64, (f64, f64))>,
) -> TextBox {
    let w = text_width(text, font);
    let left = match anchor {
        Anchor::Start => at.0,
        Anchor::Middle => at.0 - w / 2.0,
        Anchor::End => at.0 - w,
    };
    // Ascenders to descenders: most of the em above the baseline, a fifth below.
    let (top, bottom) = (at.1 - 0.78 * font.size, at.1 + 0.2 * font.size);
    let mut corners = [
        (left, top),
        (left + w, top),
        (left + w, bottom),
        (left, bottom),
    ];
    if let Some((angle, (px, py))) = rotation {
        let (sin, cos) = angle.to_radians().sin_cos();
        for c in &mut corners {
            let (dx, dy) = (c.0 - px, c.1 - py);
            *c = (px + dx * cos - dy * sin, py + dx * sin + dy * cos);
        }
    }
    TextBox {
        what: format!("{what} {text:?}"),
        corners,
    }
}

/// Every text the diagram draws once `layout` has played to its end.
fn texts(layout: &Layout) -> Vec<TextBox> {
    let mut out = Vec::new();
    for (i, placed) in layout.arrows.iter().enumerate() {
        let s: ArrowShape = arrow_shape(placed, 1.0);
        let turn = Some((s.angle, s.label_at));
        out.push(text_box(
            format!("arrow {i} label"),
            &s.label,
            LABEL,
            s.label_pos(),
            Anchor::Middle,
            turn,
        ));
        if let Some(detail) = &s.detail {
            out.push(text_box(
                format!("arrow {i} detail"),
                detail,
                DETAIL,
                s.detail_pos(),
                Anchor::Middle,
                turn,
            ));
        }
        if let (Some((x, y)), Some(why)) = (s.cross, &s.lost_because) {
            out.push(text_box(
                format!("arrow {i} loss"),
                &format!("lost: {why}"),
                LOST,
                (x, y + 34.0),
                Anchor::Middle,
                None,
            ));
        }
        if let Some(ms) = placed.break_before {
            let y = geometry::y_of(placed.start) - 24.0;
            out.push(text_box(
                format!("arrow {i} break"),
                &format!("⋯ {ms} ms later"),
                BREAK,
                (8.0, y),
                Anchor::Start,
                None,
            ));
        }
    }
    for (i, placed) in layout.notes.iter().enumerate() {
        let s = note_shape(placed);
        let anchor = if s.anchor == "end" {
            Anchor::End
        } else {
            Anchor::Start
        };
        out.push(text_box(
            format!("note {i} ({:?})", placed.note.lane),
            &s.text,
            NOTE,
            s.at,
            anchor,
            None,
        ));
    }
    for (i, m) in geometry::step_markers(&layout.captions).iter().enumerate() {
        out.push(text_box(
            format!("step marker {i}"),
            &m.text,
            STEP,
            (8.0, m.y - 8.0),
            Anchor::Start,
            None,
        ));
    }
    out
}

/// True when two convex quadrilaterals overlap by more than `slack` units
/// (separating-axis test).
fn overlap(a: &[(f64, f64); 4], b: &[(f64, f64); 4], slack: f64) -> bool {
    fn axes(q: &[(f64, f64); 4]) -> [(f64, f64); 2] {
        [0, 1].map(|i| {
            let (p, n) = (q[i], q[i + 1]);
            let (dx, dy) = (n.0 - p.0, n.1 - p.1);
            let len = (dx * dx + dy * dy).sqrt().max(1e-9);
            (-dy / len, dx / len)
        })
    }
    let project = |q: &[(f64, f64); 4], ax: (f64, f64)| {
        q.iter()
            .map(|p| p.0 * ax.0 + p.1 * ax.1)
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                (lo.min(v), hi.max(v))
            })
    };
    axes(a).into_iter().chain(axes(b)).all(|ax| {
        let (a_lo, a_hi) = project(a, ax);
        let (b_lo, b_hi) = project(b, ax);
        a_hi.min(b_hi) - a_lo.max(b_lo) > slack
    })
}

fn played_to_end(id: &str) -> Layout {
    Layout::new(run_scenario(id, None).events(), &Pacing::default())
}

/// Pairs of texts that overlap, and texts that leave the diagram, in one scenario.
fn collisions(id: &str) -> Vec<String> {
    let layout = played_to_end(id);
    let boxes = texts(&layout);
    let mut found = Vec::new();
    for (i, a) in boxes.iter().enumerate() {
        for b in &boxes[i + 1..] {
            if overlap(&a.corners, &b.corners, 1.0) {
                found.push(format!("{id}: {} overlaps {}", a.what, b.what));
            }
        }
        let (lo, hi) = a
            .corners
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), c| {
                (lo.min(c.0), hi.max(c.0))
            });
        if lo < 0.0 || hi > WIDTH {
            found.push(format!(
                "{id}: {} runs off the diagram (x {lo:.0}..{hi:.0} of 0..{WIDTH})",
                a.what
            ));
        }
    }
    found
}

#[test]
fn no_two_texts_overlap_in_any_scenario() {
    let scenarios = builtin();
    assert_eq!(scenarios.len(), 6, "the check covers every guided scenario");
    let found: Vec<String> = scenarios.iter().flat_map(|s| collisions(&s.id)).collect();
    assert!(
        found.is_empty(),
        "{} collisions:\n{}",
        found.len(),
        found.join("\n")
    );
}

#[test]
fn the_check_sees_an_overlap_when_there_is_one() {
    // Two labels on the same baseline, one 10 units right of the other.
    let a = text_box(
        "a".into(),
        "PUBACK (id 1)",
        LABEL,
        (500.0, 100.0),
        Anchor::Middle,
        None,
    );
    let b = text_box(
        "b".into(),
        "PUBACK (id 1)",
        LABEL,
        (510.0, 100.0),
        Anchor::Middle,
        None,
    );
    assert!(overlap(&a.corners, &b.corners, 1.0));
    // The same label 40 units lower does not touch it.
    let c = text_box(
        "c".into(),
        "PUBACK (id 1)",
        LABEL,
        (500.0, 140.0),
        Anchor::Middle,
        None,
    );
    assert!(!overlap(&a.corners, &c.corners, 1.0));
    // Turned 30° about its own centre, a label crosses a horizontal one through that centre.
    let d = text_box(
        "d".into(),
        "PUBLISH (id 1, QoS 2)",
        LABEL,
        (500.0, 300.0),
        Anchor::Middle,
        Some((30.0, (500.0, 300.0))),
    );
    let e = text_box(
        "e".into(),
        "id 1: new",
        NOTE,
        (500.0, 300.0),
        Anchor::Middle,
        None,
    );
    assert!(overlap(&d.corners, &e.corners, 1.0));
    // Turned boxes are not their bounding boxes: a note tucked into the
    // corner a steep label leaves empty does not collide with it.
    let f = text_box(
        "f".into(),
        "PUBREL",
        LABEL,
        (500.0, 300.0),
        Anchor::Middle,
        Some((45.0, (500.0, 300.0))),
    );
    let g = text_box("g".into(), "x", NOTE, (530.0, 266.0), Anchor::Start, None);
    let inside_bounds = |q: &[(f64, f64); 4], p: (f64, f64)| {
        let xs = q.iter().map(|c| c.0);
        let ys = q.iter().map(|c| c.1);
        xs.clone().fold(f64::INFINITY, f64::min) < p.0
            && p.0 < xs.fold(f64::NEG_INFINITY, f64::max)
            && ys.clone().fold(f64::INFINITY, f64::min) < p.1
            && p.1 < ys.fold(f64::NEG_INFINITY, f64::max)
    };
    assert!(g.corners.iter().all(|&c| inside_bounds(&f.corners, c)));
    assert!(!overlap(&f.corners, &g.corners, 1.0));
}
