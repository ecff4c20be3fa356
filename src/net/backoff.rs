//! How long to wait before the next reconnect attempt.

/// First delay.
pub const BASE_MS: u64 = 1_000;
/// Longest delay.
pub const CAP_MS: u64 = 30_000;

/// Exponential backoff with jitter: about 1 s, 2 s, 4 s, ... capped at 30 s.
///
/// Jitter (±20 %) keeps a room full of demo laptops from reconnecting to a
/// restarted broker in the same millisecond.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Backoff {
    attempt: u32,
}

impl Backoff {
    /// Starts counting again: the WebSocket opened, so the broker is reachable.
    ///
    /// Not only on CONNACK: a link cut during its MQTT handshake (a flaky
    /// network cuts at random, handshakes included) would otherwise push each
    /// wait further out although every socket opened at once. A broker that
    /// accepts sockets and drops them before CONNACK is still tried only about
    /// once a second, never in a tight loop.
    pub fn reset(&mut self) {
        self.attempt = 0;
    }

    /// Attempts made since the last reset.
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    /// Counts one more attempt and returns its delay; `random` is uniform in [0, 1).
    pub fn next_delay_ms(&mut self, random: f64) -> u64 {
        self.attempt = self.attempt.saturating_add(1);
        let exponent = (self.attempt - 1).min(16);
        let nominal = BASE_MS.saturating_mul(1 << exponent).min(CAP_MS);
        let factor = 0.8 + 0.4 * random.clamp(0.0, 1.0);
        ((nominal as f64 * factor) as u64).clamp(BASE_MS / 2, CAP_MS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_from_one_second_up_to_thirty() {
        let mut backoff = Backoff::default();
        let delays: Vec<u64> = (0..8).map(|_| backoff.next_delay_ms(0.5)).collect();
        assert_eq!(
            delays,
            vec![1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]
        );
        assert_eq!(backoff.attempt(), 8);
    }

    #[test]
    fn jitter_stays_within_twenty_percent_and_under_the_cap() {
        let mut low = Backoff::default();
        let mut high = Backoff::default();
        assert_eq!(low.next_delay_ms(0.0), 800);
        assert_eq!(high.next_delay_ms(0.999_999), 1199);
        for _ in 0..40 {
            assert!(high.next_delay_ms(1.0) <= CAP_MS);
        }
    }

    #[test]
    fn reset_starts_again_at_one_second() {
        let mut backoff = Backoff::default();
        backoff.next_delay_ms(0.5);
        backoff.next_delay_ms(0.5);
        backoff.reset();
        assert_eq!(backoff.next_delay_ms(0.5), 1000);
    }
}
