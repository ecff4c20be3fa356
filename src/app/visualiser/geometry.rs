//! Stage time → SVG coordinates, shared by the live diagram and the `.svg` export.
//!
//! The diagram is drawn in a fixed 1500-unit-wide coordinate system and
//! scaled to the screen, so a projector at any resolution shows the same
//! picture; the lengths here are chosen for labels readable from the back of
//! a room.

use crate::i18n::Locale;

use super::layout::{PlacedArrow, PlacedCaption, PlacedNote};
use super::model::Lane;
use super::words;

/// Width of the diagram's coordinate system.
pub const WIDTH: f64 = 1600.0;
/// Left gutter holding times, breaks and step markers.
pub const GUTTER: f64 = 110.0;
/// Height of the lane header band (drawn separately, it stays in view).
pub const HEADER: f64 = 118.0;
/// Diagram units per stage millisecond.
pub const PX_PER_STAGE_MS: f64 = 0.1;
/// Space below the last event.
pub const TAIL: f64 = 80.0;
/// A lost packet's arrow stops this far across its hop, ending in a cross:
/// short of the receiver, and past the end of its label.
pub const DROP_AT: f64 = 0.8;
/// Half the size of a loss cross.
pub const CROSS: f64 = 14.0;

/// x of a lane's life line.
pub fn lane_x(lane: Lane) -> f64 {
    match lane {
        Lane::Publisher => 480.0,
        Lane::Broker => 900.0,
        Lane::Subscriber => 1320.0,
    }
}

/// y of stage time `t`.
pub fn y_of(t: f64) -> f64 {
    t * PX_PER_STAGE_MS
}

/// Stage time at diagram height `y`.
pub fn stage_of(y: f64) -> f64 {
    y / PX_PER_STAGE_MS
}

/// Total diagram height for a layout ending at stage time `end`.
pub fn height(end: f64) -> f64 {
    y_of(end) + TAIL
}

/// One arrow as drawn at some progress.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ArrowShape {
    /// Where the line starts.
    pub from: (f64, f64),
    /// Where the line's drawn part ends (the head or the moving tip).
    pub tip: (f64, f64),
    /// The point on the line the label and detail are centred on
    /// ([`LABEL_ALONG`], [`LOST_LABEL_ALONG`]).
    pub label_at: (f64, f64),
    /// The line's slope, degrees, turned so text along it reads left to right.
    pub angle: f64,
    /// Label text.
    pub label: String,
    /// Second line (topic and payload), if any.
    pub detail: Option<String>,
    /// CSS colour class: qos0 / qos1 / qos2 / ctrl.
    pub class: &'static str,
    /// Centre of the loss cross, once a dropped packet has been lost.
    pub cross: Option<(f64, f64)>,
    /// Why it was lost, for dropped packets.
    pub lost_because: Option<String>,
    /// Arrowhead triangle at the tip, unless the packet was lost.
    pub head: Option<[(f64, f64); 3]>,
    /// True while travelling.
    pub in_flight: bool,
}

/// Label baseline above the line (diagram units, across the line).
pub const LABEL_ABOVE: f64 = 10.0;
/// Detail baseline above the line, over the label: nothing is written under
/// an arrow, where the answer to it starts.
pub const DETAIL_ABOVE: f64 = 40.0;
/// Where along a delivered arrow its label is centred: past the middle,
/// towards the receiver, where the arrow before it is farthest away.
pub const LABEL_ALONG: f64 = 0.58;
/// Where along a lost arrow's hop its label is centred: clear of the
/// sender's note written as it leaves, and short of the loss cross.
pub const LOST_LABEL_ALONG: f64 = 0.5;

impl ArrowShape {
    /// SVG `transform` that lays text along the line, about [`ArrowShape::label_at`].
    pub fn text_transform(&self) -> String {
        format!(
            "rotate({:.2} {:.1} {:.1})",
            self.angle, self.label_at.0, self.label_at.1
        )
    }

    /// Label anchor before [`ArrowShape::text_transform`]: on the line's
    /// middle, lifted above it.
    pub fn label_pos(&self) -> (f64, f64) {
        (self.label_at.0, self.label_at.1 - LABEL_ABOVE)
    }

    /// Detail anchor before [`ArrowShape::text_transform`]: over the label.
    pub fn detail_pos(&self) -> (f64, f64) {
        (self.label_at.0, self.label_at.1 - DETAIL_ABOVE)
    }

    /// The arrowhead as an SVG `points` attribute (empty when there is none).
    pub fn head_points(&self) -> String {
        self.head.map_or_else(String::new, |pts| {
            pts.iter()
                .map(|(x, y)| format!("{x:.1},{y:.1}"))
                .collect::<Vec<_>>()
                .join(" ")
        })
    }
}

/// Length and half-width of an arrowhead.
const HEAD: (f64, f64) = (18.0, 8.0);

/// A triangle pointing from `from` to `tip`, or none if the line has no length yet.
fn arrowhead(from: (f64, f64), tip: (f64, f64)) -> Option<[(f64, f64); 3]> {
    let (dx, dy) = (tip.0 - from.0, tip.1 - from.1);
    let len = (dx * dx + dy * dy).sqrt();
    if len < HEAD.0 {
        return None;
    }
    let (ux, uy) = (dx / len, dy / len);
    let back = (tip.0 - ux * HEAD.0, tip.1 - uy * HEAD.0);
    let (nx, ny) = (-uy * HEAD.1, ux * HEAD.1);
    Some([tip, (back.0 + nx, back.1 + ny), (back.0 - nx, back.1 - ny)])
}

/// Shape of `placed` at `progress` (0..=1).
pub fn arrow_shape(placed: &PlacedArrow, progress: f64) -> ArrowShape {
    let a = &placed.arrow;
    let (x0, y0) = (lane_x(a.from), y_of(placed.start));
    let (x1, y1) = (lane_x(a.to), y_of(placed.end));
    let reach = if a.is_dropped() { DROP_AT } else { 1.0 };
    let along = progress.clamp(0.0, 1.0) * reach;
    let tip = (x0 + (x1 - x0) * along, y0 + (y1 - y0) * along);
    let lost = a.is_dropped() && progress >= 1.0;
    // Labels run along the line, above it, so they never cross their own
    // line; towards the receiver, clear of the arrow this one answers; and
    // never under a loss cross.
    let mid = if a.is_dropped() {
        LOST_LABEL_ALONG
    } else {
        LABEL_ALONG
    };
    let label_at = (x0 + (x1 - x0) * mid, y0 + (y1 - y0) * mid);
    let mut angle = (y1 - y0).atan2(x1 - x0).to_degrees();
    if angle > 90.0 {
        angle -= 180.0;
    } else if angle <= -90.0 {
        angle += 180.0;
    }
    ArrowShape {
        from: (x0, y0),
        tip,
        label_at,
        angle,
        label: a.label(),
        // The topic line goes on the PUBLISH into the broker; on the one it
        // forwards it would repeat it where the broker writes its own notes.
        detail: if a.from == Lane::Broker {
            None
        } else {
            a.packet.detail()
        },
        class: a.packet.qos_class(),
        cross: lost.then_some(tip),
        lost_because: a.dropped.clone(),
        head: if lost { None } else { arrowhead((x0, y0), tip) },
        in_flight: progress < 1.0,
    }
}

/// Least height between two step markers in the gutter, diagram units.
pub const MARKER_GAP: f64 = 26.0;

/// A step marker in the gutter: its line's height and its text.
#[derive(Debug, Clone, PartialEq)]
pub struct StepMarker {
    /// y of the marker's line (the text sits on it).
    pub y: f64,
    /// "Step 2", or "Steps 1–2" for steps that started together.
    pub text: String,
}

/// The gutter's markers for `captions` (in stage order): steps that start
/// closer than [`MARKER_GAP`] (a step that only arms a fault) share one.
pub fn step_markers(captions: &[PlacedCaption]) -> Vec<StepMarker> {
    step_markers_in(captions, Locale::en)
}

/// [`step_markers`] in `locale`.
pub fn step_markers_in(captions: &[PlacedCaption], locale: Locale) -> Vec<StepMarker> {
    // Each marker with the index of the first caption it stands for.
    let mut out: Vec<(StepMarker, usize)> = Vec::new();
    for (i, c) in captions.iter().enumerate() {
        let y = y_of(c.at);
        match out.last_mut() {
            Some((m, first)) if y - m.y < MARKER_GAP => {
                m.text = match (&captions[*first].caption.label, &c.caption.label) {
                    (None, None) => words::steps_in(*first + 1, i + 1, locale),
                    _ => format!(
                        "{} · {}",
                        captions[*first].caption.marker_in(*first, locale),
                        c.caption.marker_in(i, locale)
                    ),
                };
            }
            _ => out.push((
                StepMarker {
                    y,
                    text: c.caption.marker_in(i, locale),
                },
                i,
            )),
        }
    }
    out.into_iter().map(|(m, ..)| m).collect()
}

/// Where a note's text goes and how it is anchored.
#[derive(Debug, Clone, PartialEq)]
pub struct NoteShape {
    /// Text anchor point.
    pub at: (f64, f64),
    /// SVG text-anchor: `end` for notes growing leftwards, `start` otherwise.
    pub anchor: &'static str,
    /// Text.
    pub text: String,
}

/// Shape of a placed note.
pub fn note_shape(placed: &PlacedNote) -> NoteShape {
    note_shape_in(placed, Locale::en)
}

/// [`note_shape`] with the note in `locale`.
pub fn note_shape_in(placed: &PlacedNote, locale: Locale) -> NoteShape {
    let lane = placed.note.lane;
    let leftwards = placed.note.is_leftwards();
    // The broker's line has arrows meeting it from both sides: its notes
    // start farther out, where the arriving and the leaving arrow have
    // opened up enough to leave room for a line of text.
    let gap = if lane == Lane::Broker { 46.0 } else { 14.0 };
    let (dx, anchor) = if leftwards {
        (-gap, "end")
    } else {
        (gap, "start")
    };
    // On the broker's subscriber side the note is written as its packet
    // leaves, where that packet's label starts: it sits above the line the
    // packet leaves on, the label along and above the line further out.
    let lift = if lane == Lane::Broker && !leftwards {
        -8.0
    } else {
        6.0
    };
    NoteShape {
        at: (lane_x(lane) + dx, y_of(placed.at) + lift),
        anchor,
        text: placed.note.text_in(locale),
    }
}

/// The scroll container's measurements, in CSS pixels.
///
/// The lane header sticks to the top of the scroll container, so the body
/// rows visible are those below it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Viewport {
    /// `scrollTop`.
    pub scroll_top: f64,
    /// `clientHeight`.
    pub height: f64,
    /// `clientWidth`.
    pub width: f64,
}

impl Viewport {
    /// Measure a scroll container.
    pub fn of(el: &web_sys::Element) -> Viewport {
        Viewport {
            scroll_top: f64::from(el.scroll_top()),
            height: f64::from(el.client_height()),
            width: f64::from(el.client_width()),
        }
    }

    /// CSS pixels per diagram unit.
    fn scale(&self) -> f64 {
        (self.width / WIDTH).max(1e-6)
    }

    /// Height of the body area under the sticky header, CSS pixels.
    fn body_height(&self) -> f64 {
        (self.height - HEADER * self.scale()).max(0.0)
    }

    /// The stage-time range worth rendering: what is on screen plus one
    /// screenful above and below, so scrolling never shows a gap.
    pub fn stage_window(&self) -> (f64, f64) {
        let scale = self.scale();
        let overscan = self.body_height().max(1.0);
        let top = (self.scroll_top - overscan) / scale;
        let bottom = (self.scroll_top + self.body_height() + overscan) / scale;
        (stage_of(top.max(0.0)), stage_of(bottom))
    }

    /// The `scrollTop` that brings diagram height `y` back into view
    /// (at 60% of the body), or `None` when it is comfortably visible.
    pub fn follow(&self, y: f64) -> Option<f64> {
        let y_px = y * self.scale();
        let body = self.body_height();
        let outside = y_px < self.scroll_top || y_px > self.scroll_top + body * 0.8;
        outside.then(|| (y_px - body * 0.6).max(0.0))
    }
}
