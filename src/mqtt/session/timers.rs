//! The session's timers: an enum and a small table of deadlines (ms).

/// What a deadline is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Timer {
    /// Nothing sent for the keep-alive period: send PINGREQ (MQTT-3.1.2-23).
    /// While connecting, the same deadline bounds the wait for CONNACK.
    KeepAlive,
    /// PINGREQ sent: PINGRESP must come before this.
    Pingresp,
    /// OnTimeout retry policy: the earliest unacknowledged packet is due.
    Retry,
}

/// Handling order when several are due at once: an overdue PINGRESP closes
/// the connection before a late keep-alive could send a pointless PINGREQ.
const ALL: [Timer; 3] = [Timer::Pingresp, Timer::KeepAlive, Timer::Retry];

/// One optional deadline per [`Timer`].
#[derive(Debug, Clone, Default)]
pub(crate) struct TimerTable {
    deadlines: [Option<u64>; 3],
}

impl TimerTable {
    pub(crate) fn set(&mut self, timer: Timer, at: u64) {
        self.deadlines[timer as usize] = Some(at);
    }

    pub(crate) fn stop(&mut self, timer: Timer) {
        self.deadlines[timer as usize] = None;
    }

    pub(crate) fn stop_all(&mut self) {
        self.deadlines = [None; 3];
    }

    pub(crate) fn get(&self, timer: Timer) -> Option<u64> {
        self.deadlines[timer as usize]
    }

    /// The earliest deadline.
    pub(crate) fn next_deadline(&self) -> Option<u64> {
        self.deadlines.iter().flatten().min().copied()
    }

    /// Removes and returns the timers due at `now`, in table order.
    pub(crate) fn take_expired(&mut self, now: u64) -> Vec<Timer> {
        let due: Vec<Timer> = ALL
            .into_iter()
            .filter(|t| self.get(*t).is_some_and(|d| d <= now))
            .collect();
        for t in &due {
            self.stop(*t);
        }
        due
    }
}
