//! Where on the diagram each event goes, and what is visible at a playhead.
//!
//! Event times (milliseconds of the broker or the simulation) are mapped onto
//! *stage time*: the clock the playhead runs on. 1× plays one stage
//! millisecond per wall millisecond; slow motion just advances it slower.
//! The mapping stretches event time by [`Pacing::stretch`] but keeps every
//! arrow at least [`Pacing::min_gap`] after the previous one and gives every
//! flight at least [`Pacing::min_flight`], so a live exchange that took
//! microseconds is still readable. It also keeps causality: an arrow sent
//! after another arrived starts below that arrival.
//!
//! The vertical position of anything is its stage time times a constant, so
//! "visible at the playhead" and "inside the scrolled viewport" are both
//! ranges of stage time.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};

use crate::mqtt::session::FlowDirection;

use super::model::{Arrow, Caption, DiagramEvent, FlowChip, Lane, LaneNote};

/// How event time becomes stage time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pacing {
    /// Stage milliseconds per event millisecond.
    pub stretch: f64,
    /// Least stage time between two arrows leaving.
    pub min_gap: f64,
    /// Most stage time between two arrows leaving: a long idle wait (a retry
    /// timeout) is compressed and marked as a break.
    pub max_gap: f64,
    /// Least stage time a packet spends in flight.
    pub min_flight: f64,
    /// Most stage time a packet spends in flight.
    pub max_flight: f64,
    /// Least stage time between two notes on the same lane.
    pub note_gap: f64,
    /// Stage time before the first arrow.
    pub lead_in: f64,
}

impl Default for Pacing {
    /// Tuned for a presenter: at 1× a QoS 2 handshake takes about 6 seconds,
    /// steep enough that each label has room above its arrow.
    fn default() -> Self {
        Pacing {
            stretch: 8.0,
            min_gap: 550.0,
            max_gap: 2400.0,
            min_flight: 1400.0,
            max_flight: 2000.0,
            note_gap: 280.0,
            lead_in: 400.0,
        }
    }
}

/// An arrow placed in stage time.
#[derive(Debug, Clone, PartialEq)]
pub struct PlacedArrow {
    /// The arrow.
    pub arrow: Arrow,
    /// Stage time it leaves its sender.
    pub start: f64,
    /// Stage time it reaches (or is lost before) its receiver.
    pub end: f64,
    /// Event milliseconds elided just before it, when an idle wait was compressed.
    pub break_before: Option<u64>,
}

/// A note placed in stage time.
#[derive(Debug, Clone, PartialEq)]
pub struct PlacedNote {
    /// The note.
    pub note: LaneNote,
    /// Stage time it appears.
    pub at: f64,
}

/// A caption placed in stage time.
#[derive(Debug, Clone, PartialEq)]
pub struct PlacedCaption {
    /// The caption.
    pub caption: Caption,
    /// Stage time it appears.
    pub at: f64,
}

/// An arrow as drawn at one playhead position.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VisibleArrow<'a> {
    /// Index into [`Layout::arrows`], stable across playhead moves (a key).
    pub index: usize,
    /// The placed arrow.
    pub placed: &'a PlacedArrow,
    /// 0.0 just sent … 1.0 arrived (or lost, for a dropped arrow).
    pub progress: f64,
}

impl VisibleArrow<'_> {
    /// True while the packet is still on its way.
    pub fn in_flight(&self) -> bool {
        self.progress < 1.0
    }
}

/// Every event placed on the stage, sorted by stage time.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Layout {
    /// Arrows, by start.
    pub arrows: Vec<PlacedArrow>,
    /// Notes, by appearance.
    pub notes: Vec<PlacedNote>,
    /// Captions, by appearance.
    pub captions: Vec<PlacedCaption>,
    /// Stage time when the last thing has happened.
    pub end: f64,
    /// Longest flight, so windowing can search by start.
    max_flight: f64,
}

impl Layout {
    /// Place `events` on the stage.
    pub fn new(events: &[DiagramEvent], pacing: &Pacing) -> Layout {
        let mut sorted: Vec<&DiagramEvent> = events.iter().collect();
        sorted.sort_by_key(|e| e.at()); // stable: equal times keep their order
        let arrows = place_arrows(&sorted, pacing);
        let (notes, captions) = place_marks(&sorted, &arrows, pacing);
        let end = arrows
            .iter()
            .map(|a| a.end)
            .chain(notes.iter().map(|n| n.at))
            .chain(captions.iter().map(|c| c.at))
            .fold(0.0, f64::max);
        let max_flight = arrows.iter().map(|a| a.end - a.start).fold(0.0, f64::max);
        Layout {
            arrows,
            notes,
            captions,
            end,
            max_flight,
        }
    }

    /// Arrows sent strictly before stage time `t`, the one in flight partly drawn.
    pub fn visible_at(&self, t: f64) -> Vec<VisibleArrow<'_>> {
        self.visible_in(t, f64::NEG_INFINITY, f64::INFINITY)
    }

    /// Like [`Layout::visible_at`], but only arrows that cross the stage-time
    /// window `[top, bottom]` (the scrolled viewport): thousands of packets
    /// cost only what is on screen.
    pub fn visible_in(&self, t: f64, top: f64, bottom: f64) -> Vec<VisibleArrow<'_>> {
        let first = self
            .arrows
            .partition_point(|a| a.start < top - self.max_flight);
        let last = self.arrows.partition_point(|a| a.start <= bottom.min(t));
        let range = first..last.max(first);
        self.arrows[range.clone()]
            .iter()
            .zip(range)
            .filter(|(a, _)| a.start < t && a.end >= top)
            .map(|(placed, index)| VisibleArrow {
                index,
                placed,
                progress: placed.progress_at(t),
            })
            .collect()
    }

    /// Notes that have appeared by `t` inside `[top, bottom]`.
    pub fn notes_in(&self, t: f64, top: f64, bottom: f64) -> impl Iterator<Item = &PlacedNote> {
        let first = self.notes.partition_point(|n| n.at < top);
        self.notes[first..]
            .iter()
            .take_while(move |n| n.at <= bottom)
            .filter(move |n| n.at <= t)
    }

    /// The caption in force at `t` (the last one that has appeared).
    pub fn caption_at(&self, t: f64) -> Option<&PlacedCaption> {
        let shown = self.captions.partition_point(|c| c.at <= t);
        shown.checked_sub(1).map(|i| &self.captions[i])
    }

    /// The open QoS flows of each lane at `t`, from the flow notes seen so far.
    pub fn flow_chips_at(&self, t: f64) -> BTreeMap<Lane, Vec<FlowChip>> {
        // One flow per (lane, peer, side, id): the broker's incoming id 1 from
        // the publisher and its outgoing id 1 to the subscriber are distinct.
        let mut latest: BTreeMap<(Lane, Option<&str>, bool, u16), &FlowChip> = BTreeMap::new();
        for placed in self.notes.iter().take_while(|n| n.at <= t) {
            if let Some(chip) = &placed.note.flow {
                let incoming = chip.direction == FlowDirection::Incoming;
                latest.insert(
                    (
                        placed.note.lane,
                        chip.peer.as_deref(),
                        incoming,
                        chip.packet_id,
                    ),
                    chip,
                );
            }
        }
        let mut chips: BTreeMap<Lane, Vec<FlowChip>> = BTreeMap::new();
        for ((lane, ..), chip) in latest.into_iter().filter(|(_, c)| c.open) {
            chips.entry(lane).or_default().push(chip.clone());
        }
        chips
    }

    /// Stage time where a scenario's set-up ends and its first explained step
    /// starts (the end, while only the set-up has run); 0 with no set-up.
    pub fn setup_end(&self) -> f64 {
        match self.captions.first() {
            Some(c) if c.caption.is_setup() => self.captions.get(1).map_or(self.end, |n| n.at),
            _ => 0.0,
        }
    }

    /// Where "step one packet" moves the playhead from `t`: to the next moment
    /// a packet arrives or is lost.
    pub fn next_step(&self, t: f64) -> Option<f64> {
        self.arrows
            .iter()
            .map(|a| a.end)
            .filter(|&end| end > t + 1e-6)
            .min_by(f64::total_cmp)
    }

    /// The latest arrival (or loss) strictly before stage time `t`, for stepping back.
    pub fn previous_step(&self, t: f64) -> Option<f64> {
        self.arrows
            .iter()
            .map(|a| a.end)
            .filter(|&end| end < t - 1e-6)
            .max_by(f64::total_cmp)
    }
}

impl PlacedArrow {
    /// How far along its flight the packet is at `t`: 0.0 … 1.0.
    pub fn progress_at(&self, t: f64) -> f64 {
        let span = self.end - self.start;
        if span <= 0.0 {
            1.0
        } else {
            ((t - self.start) / span).clamp(0.0, 1.0)
        }
    }
}

/// Give each arrow its stage start and end.
fn place_arrows(sorted: &[&DiagramEvent], pacing: &Pacing) -> Vec<PlacedArrow> {
    // Arrivals not yet passed, earliest first: (event ms, stage end bits).
    let mut pending: BinaryHeap<Reverse<(u64, u64)>> = BinaryHeap::new();
    let mut arrived_by = pacing.lead_in; // latest stage arrival already passed
    let mut prev: Option<(u64, f64)> = None; // previous arrow's (sent_at, start)
    let mut placed = Vec::new();
    for arrow in sorted.iter().filter_map(|e| match e {
        DiagramEvent::Arrow(a) => Some(a),
        _ => None,
    }) {
        while let Some(Reverse((at, end_bits))) = pending.peek().copied() {
            if at > arrow.sent_at {
                break;
            }
            pending.pop();
            arrived_by = arrived_by.max(f64::from_bits(end_bits));
        }
        let (gap, break_before) = match prev {
            None => (0.0, None),
            Some((prev_sent, _)) => gap_after(arrow.sent_at.saturating_sub(prev_sent), pacing),
        };
        let start = match prev {
            None => pacing.lead_in,
            Some((_, prev_start)) => (prev_start + gap).max(arrived_by),
        };
        let flight = (arrow.arrive_at.saturating_sub(arrow.sent_at) as f64 * pacing.stretch)
            .clamp(pacing.min_flight, pacing.max_flight.max(pacing.min_flight));
        let end = start + flight;
        pending.push(Reverse((arrow.arrive_at, end.to_bits())));
        prev = Some((arrow.sent_at, start));
        placed.push(PlacedArrow {
            arrow: arrow.clone(),
            start,
            end,
            break_before,
        });
    }
    placed
}

/// Stage gap for `elapsed` event ms, and the elided ms when it was capped.
fn gap_after(elapsed: u64, pacing: &Pacing) -> (f64, Option<u64>) {
    let stretched = elapsed as f64 * pacing.stretch;
    if stretched > pacing.max_gap {
        (pacing.max_gap, Some(elapsed))
    } else {
        (stretched.max(pacing.min_gap), None)
    }
}

/// Place notes and captions. A mark goes after every packet listed before
/// it in the event list, and after every such packet that had arrived by its
/// time: for a lane's note, the packets that lane had received (the cause of
/// a state change); for a caption, any packet. So a note sits beside the
/// packet that caused it and above the packets its cause sends next, whatever
/// their common millisecond (live packets share one), and a caption recorded
/// just before a step's packets stays above them. Notes on one lane side
/// never overlap.
fn place_marks(
    sorted: &[&DiagramEvent],
    arrows: &[PlacedArrow],
    pacing: &Pacing,
) -> (Vec<PlacedNote>, Vec<PlacedCaption>) {
    let mut arrivals = Arrivals::default();
    // Stacked per lane and side: the broker's notes about its publisher and
    // about its subscriber are written on opposite sides of its line. Each
    // side keeps its latest group of notes (indices), stacked note_gap apart.
    let mut last_on_side: BTreeMap<(Lane, bool), (f64, Vec<usize>)> = BTreeMap::new();
    let (mut notes, mut captions): (Vec<PlacedNote>, Vec<PlacedCaption>) = (Vec::new(), Vec::new());
    let mut sent_before = pacing.lead_in;
    let mut next_arrow = arrows.iter();
    for event in sorted {
        match event {
            // Arrows were placed in this same order.
            DiagramEvent::Arrow(_) => {
                if let Some(a) = next_arrow.next() {
                    sent_before = a.start;
                    arrivals.push(a);
                }
            }
            DiagramEvent::Caption(c) => {
                let at = sent_before.max(arrivals.by(c.at, None));
                captions.push(PlacedCaption {
                    caption: c.clone(),
                    at,
                });
            }
            DiagramEvent::Note(n) => {
                let side = (n.lane, n.is_leftwards());
                let at = sent_before.max(arrivals.by(n.at, Some(n.lane)));
                let group = last_on_side
                    .entry(side)
                    .or_insert((f64::NEG_INFINITY, Vec::new()));
                let crowded = at < group.0 + pacing.note_gap;
                let at = if !crowded {
                    group.1.clear();
                    at
                } else if side == (Lane::Broker, false) {
                    // The broker's subscriber side: the packet it forwards
                    // leaves here, its label just below. Earlier notes move
                    // up to make room, rather than this one down into it.
                    for &i in &group.1 {
                        notes[i].at -= pacing.note_gap;
                    }
                    at.max(group.0)
                } else {
                    group.0 + pacing.note_gap
                };
                group.0 = at;
                group.1.push(notes.len());
                notes.push(PlacedNote {
                    note: n.clone(),
                    at,
                });
            }
        }
    }
    notes.sort_by(|a, b| a.at.total_cmp(&b.at));
    (notes, captions)
}

/// Arrivals of the packets listed so far, per receiving lane, for placing
/// marks; marks come in time order, so each arrival is settled once.
#[derive(Default)]
struct Arrivals {
    /// Not yet settled: (event ms of arrival, stage end bits), earliest first.
    pending: [BinaryHeap<Reverse<(u64, u64)>>; 3],
    /// Latest stage arrival settled, per lane (0: none yet, before any mark).
    arrived: [f64; 3],
}

impl Arrivals {
    fn push(&mut self, a: &PlacedArrow) {
        let lane = a.arrow.to.index();
        self.pending[lane].push(Reverse((a.arrow.arrive_at, a.end.to_bits())));
    }

    /// Stage time of the latest arrival at or before event ms `at`, into
    /// `lane` (any lane when `None`).
    fn by(&mut self, at: u64, lane: Option<Lane>) -> f64 {
        for i in 0..3 {
            while let Some(Reverse((arrive, end))) = self.pending[i].peek().copied() {
                if arrive > at {
                    break;
                }
                self.pending[i].pop();
                self.arrived[i] = self.arrived[i].max(f64::from_bits(end));
            }
        }
        match lane {
            Some(lane) => self.arrived[lane.index()],
            None => self.arrived.iter().copied().fold(0.0, f64::max),
        }
    }
}
