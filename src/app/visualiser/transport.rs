//! The playhead: play, pause, step, slow motion, replay, scrub.
//!
//! Everything here only moves one number, the stage time the diagram is drawn
//! at; the diagram itself is recomputed from (events, playhead).

use serde::{Deserialize, Serialize};

use super::layout::Layout;

/// Stage milliseconds per wall millisecond while a scenario's set-up plays.
pub const SETUP_SPEED: f64 = 4.0;

/// Playback speed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Speed {
    /// Real stage time.
    #[default]
    Normal,
    /// A quarter of it.
    Quarter,
    /// A tenth of it: every packet crawls across.
    Tenth,
}

impl Speed {
    /// All speeds, fastest first, as the buttons show them.
    pub const ALL: [Speed; 3] = [Speed::Normal, Speed::Quarter, Speed::Tenth];

    /// Stage milliseconds per wall millisecond.
    pub fn factor(self) -> f64 {
        match self {
            Speed::Normal => 1.0,
            Speed::Quarter => 0.25,
            Speed::Tenth => 0.1,
        }
    }

    /// Button text.
    pub fn label(self) -> &'static str {
        match self {
            Speed::Normal => "1×",
            Speed::Quarter => "0.25×",
            Speed::Tenth => "0.1×",
        }
    }
}

/// Playhead state.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Playhead {
    /// Stage time the diagram is drawn at.
    pub t: f64,
    /// Advancing on its own.
    pub playing: bool,
    /// How fast it advances.
    pub speed: Speed,
}

impl Playhead {
    /// Advance by `wall_ms` of wall time, stopping at the end of `layout`.
    /// Playback stays "on" at the end so packets that arrive later (live
    /// mode, a scenario's next step) animate in as they come.
    ///
    /// A scenario's set-up (connect, subscribe) plays at [`SETUP_SPEED`]
    /// whatever the chosen speed: slow motion is for the steps it explains,
    /// and an audience should not wait half a minute for step 1.
    pub fn advance(&mut self, wall_ms: f64, layout: &Layout) {
        if !self.playing || wall_ms <= 0.0 {
            return;
        }
        let mut wall = wall_ms;
        let quick_until = layout.setup_end().min(layout.end);
        if self.t < quick_until {
            let rate = SETUP_SPEED.max(self.speed.factor());
            let needed = (quick_until - self.t) / rate;
            if wall <= needed {
                self.t += wall * rate;
                return;
            }
            self.t = quick_until;
            wall -= needed;
        }
        self.t = (self.t + wall * self.speed.factor()).min(layout.end);
    }

    /// Toggle play / pause. With nothing left to play (at the end, where playback waits for
    /// packets still to come), "play" starts over from the beginning; an empty diagram has
    /// nothing to play at all.
    pub fn toggle(&mut self, layout: &Layout) {
        if self.t >= layout.end {
            if layout.end > 0.0 {
                self.t = 0.0;
                self.playing = true;
            }
        } else {
            self.playing = !self.playing;
        }
    }

    /// True while packets are moving on screen: playing, with something left to play.
    /// The play button reads "Pause" only then.
    pub fn is_moving(&self, layout: &Layout) -> bool {
        self.playing && self.t < layout.end
    }

    /// Pause and move to the next packet arrival (or loss).
    pub fn step(&mut self, layout: &Layout) {
        self.playing = false;
        if let Some(next) = layout.next_step(self.t) {
            self.t = next;
        }
    }

    /// Pause and move back to the previous packet arrival (or loss), or to the start.
    pub fn step_back(&mut self, layout: &Layout) {
        self.playing = false;
        self.t = layout.previous_step(self.t).unwrap_or(0.0);
    }

    /// Back to the start, playing.
    pub fn replay(&mut self) {
        self.t = 0.0;
        self.playing = true;
    }

    /// Jump to the newest packet and keep playing: what a live operator
    /// wants after looking back.
    pub fn jump_to_end(&mut self, layout: &Layout) {
        self.t = layout.end.max(0.0);
        self.playing = true;
    }

    /// Jump to stage time `t` (the scrubber), clamped to the diagram.
    pub fn scrub(&mut self, t: f64, layout: &Layout) {
        self.t = t.clamp(0.0, layout.end.max(0.0));
    }

    /// True when nothing is left to play.
    pub fn at_end(&self, layout: &Layout) -> bool {
        self.t >= layout.end
    }
}
