//! Updates held for the next animation frame, and which ones cannot wait.

use crate::mqtt::session::EventKind;
use crate::net::ws::{LinkUpdate, TransportEvent};

/// A packet sent or received: it only adds a packet log line.
pub(super) fn is_packet_line(update: &LinkUpdate) -> bool {
    matches!(update, LinkUpdate::Session(event) if matches!(
        event.kind,
        EventKind::PacketSent { .. } | EventKind::PacketReceived { .. }
    ))
}

/// A delivered message: it only adds a message row.
pub(super) fn is_delivery(update: &LinkUpdate) -> bool {
    matches!(update, LinkUpdate::Session(event) if matches!(event.kind, EventKind::Delivered { .. }))
}

/// Whether `update` changes what the status pill or the error line says (or
/// what the app does next: subscribing after CONNACK). Such updates are
/// shown in the same event-loop turn, together with everything queued before
/// them; the rest wait for the next frame.
pub fn is_urgent(update: &LinkUpdate) -> bool {
    match update {
        // Skipped messages are counted at the next frame, with the rest.
        LinkUpdate::Transport {
            event: TransportEvent::Skipped { .. },
            ..
        } => false,
        LinkUpdate::Transport { .. } => true,
        LinkUpdate::Session(event) => matches!(
            event.kind,
            EventKind::Connected { .. }
                | EventKind::ConnectionRefused { .. }
                | EventKind::Disconnected { .. }
                | EventKind::KeepAliveTimeout
                | EventKind::ProtocolError { .. }
                | EventKind::SubscriptionsLost { .. }
        ),
        LinkUpdate::Dropped { .. } => false,
    }
}

/// Updates waiting for the next animation frame: a flood then costs the
/// client view one render per frame instead of one per packet.
#[derive(Debug, Default)]
pub struct PendingUpdates {
    updates: Vec<LinkUpdate>,
    scheduled: bool,
    /// Frames asked for so far: a fallback timer flushes only if the frame
    /// it stands in for has not come.
    asked: u64,
}

/// What the caller of [`PendingUpdates::push`] must do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flush {
    /// Apply everything now (an urgent update, or the batch is full).
    Now,
    /// Ask for a frame (and a fallback timer), then apply.
    AtNextFrame,
    /// A frame is already asked for.
    Later,
}

impl PendingUpdates {
    /// Most updates held for one frame; more are applied at once, so a
    /// hidden tab (no frames) holds a bounded batch.
    pub const CAPACITY: usize = 4096;

    /// Queues `updates` behind those already waiting.
    pub fn push(&mut self, updates: Vec<LinkUpdate>) -> Flush {
        let urgent = updates.iter().any(is_urgent);
        self.updates.extend(updates);
        if urgent || self.updates.len() >= Self::CAPACITY {
            Flush::Now
        } else {
            self.at_next_frame()
        }
    }

    /// Asks for a flush at the next animation frame, with or without updates
    /// (what a flooded frame did not show yet waits for it).
    pub fn at_next_frame(&mut self) -> Flush {
        if self.scheduled {
            Flush::Later
        } else {
            self.scheduled = true;
            self.asked += 1;
            Flush::AtNextFrame
        }
    }

    /// The number of the frame asked for last.
    pub fn asked(&self) -> u64 {
        self.asked
    }

    /// Whether frame number `asked` is still to come (no flush since).
    pub fn still_waiting_for(&self, asked: u64) -> bool {
        self.scheduled && self.asked == asked
    }

    /// Everything waiting, oldest first; the next push asks for a new frame.
    pub fn take(&mut self) -> Vec<LinkUpdate> {
        self.scheduled = false;
        std::mem::take(&mut self.updates)
    }

    /// Updates waiting.
    pub fn len(&self) -> usize {
        self.updates.len()
    }

    /// Whether nothing waits.
    pub fn is_empty(&self) -> bool {
        self.updates.is_empty()
    }
}
