//! How often the views re-render under a flood: the dashboard's
//! ([`crate::app::dashboard::handle::DashboardHandle::drain_frame`]) and the
//! client view's (its message list and packet log, `ClientCtx::flush`).
//!
//! The models digest every input each animation frame. Re-rendering the
//! views each frame as well cost most of a flooded page's time (render
//! effects, then the browser's style, layout and paint), to show figures
//! that change faster than anyone reads them. So while frames keep bringing
//! more than [`FLOOD_INPUTS`] inputs, the views re-render every
//! [`FLOOD_FRAMES`]th frame (10 times a second at 60 fps); otherwise, on
//! the first flooded frame after a quiet spell, and on the first quieter
//! frame after a flood, at once. What the user does re-renders at once
//! (`DashboardHandle::write`, any update of the client model outside a
//! flush), and so does a change of the connection's status; an alert for a
//! critical alarm (sound, notification) never waits for this.

/// More inputs than this in one frame is a flood.
pub const FLOOD_INPUTS: usize = 64;
/// Under a flood, the views re-render every this many frames.
pub const FLOOD_FRAMES: u32 = 6;

/// Whether this frame re-renders the views.
#[derive(Debug, Clone, Copy)]
pub struct Refresh {
    /// Something changed that the views have not shown yet.
    pending: bool,
    /// Frames since the views last re-rendered.
    waited: u32,
}

/// As after a quiet spell: the first flooded frame renders at once.
impl Default for Refresh {
    fn default() -> Self {
        Refresh {
            pending: false,
            waited: FLOOD_FRAMES,
        }
    }
}

impl Refresh {
    /// One frame that digested `inputs` inputs, `changed` whether anything
    /// the views show changed: true when the views should re-render now.
    pub fn frame(&mut self, inputs: usize, changed: bool) -> bool {
        self.pending |= changed;
        self.waited = self.waited.saturating_add(1);
        let flood = inputs > FLOOD_INPUTS;
        if !self.pending || (flood && self.waited < FLOOD_FRAMES) {
            return false;
        }
        self.pending = false;
        self.waited = 0;
        true
    }

    /// Something changed that the views have not shown yet.
    pub fn pending(&self) -> bool {
        self.pending
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quiet_frames_re_render_as_they_change() {
        let mut r = Refresh::default();
        assert!(r.frame(3, true));
        assert!(!r.frame(0, false), "nothing changed");
        assert!(r.frame(FLOOD_INPUTS, true));
    }

    #[test]
    fn a_flood_re_renders_every_sixth_frame_and_the_first_quiet_frame_shows_the_rest() {
        let mut r = Refresh::default();
        let renders = (0..62).filter(|_| r.frame(500, true)).count();
        assert_eq!(renders, 11, "62 flooded frames: the 1st, 7th, ... 61st");
        assert!(!r.frame(500, true), "the 63rd");
        assert!(r.frame(0, false), "what the last flooded frames changed");
        assert!(!r.frame(0, false));
    }
}
