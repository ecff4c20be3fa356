//! Browser time and randomness, for the callers of the sans-IO session.

/// The app's clock: Unix time in milliseconds, as `performance.timeOrigin +
/// performance.now()`, so it never steps back within a page (a wall-clock
/// change does not move it) and a time saved before a reload still reads
/// as the same moment after it. 0 outside a browser.
pub fn now_ms() -> u64 {
    #[cfg(target_arch = "wasm32")]
    {
        web_sys::window()
            .and_then(|w| w.performance())
            .map(|p| (p.time_origin() + p.now()).max(0.0) as u64)
            .unwrap_or(0)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        0
    }
}

/// A browser event's `timeStamp` (ms since `performance.timeOrigin`) on the
/// [`now_ms`] clock, never later than now.
pub fn from_event_time_stamp(time_stamp: f64) -> u64 {
    #[cfg(target_arch = "wasm32")]
    {
        let origin = web_sys::window()
            .and_then(|w| w.performance())
            .map(|p| p.time_origin())
            .unwrap_or(0.0);
        ((origin + time_stamp).max(0.0) as u64).min(now_ms())
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        time_stamp.max(0.0) as u64
    }
}

/// A time on the epoch clock (`performance.timeOrigin + timeStamp`, as a
/// worker reports it) on the [`now_ms`] clock, never later than `now` (one
/// [`now_ms`] read serves a whole batch of frames).
pub fn from_epoch_ms(epoch_ms: f64, now: u64) -> u64 {
    (epoch_ms.max(0.0) as u64).min(now)
}

/// Milliseconds since the page started, with the fraction the browser gives
/// (`performance.now()`): for timing sub-millisecond handshakes. 0 outside a
/// browser.
pub fn precise_ms() -> f64 {
    #[cfg(target_arch = "wasm32")]
    {
        web_sys::window()
            .and_then(|w| w.performance())
            .map_or(0.0, |p| p.now())
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        0.0
    }
}

/// A uniform random number in [0, 1) (`Math.random()`); 0.5 outside a browser.
pub fn random() -> f64 {
    #[cfg(target_arch = "wasm32")]
    {
        js_sys::Math::random()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        0.5
    }
}

/// The local wall-clock time of `at_ms` on the `now_ms` clock: hours,
/// minutes, seconds, milliseconds. None outside a browser.
fn wall_clock(at_ms: u64) -> Option<(u32, u32, u32, u32)> {
    #[cfg(target_arch = "wasm32")]
    {
        let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(at_ms as f64));
        Some((
            date.get_hours(),
            date.get_minutes(),
            date.get_seconds(),
            date.get_milliseconds(),
        ))
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = at_ms;
        None
    }
}

/// The local wall-clock time ("14:03:12.345") of `at_ms` on the `now_ms` clock.
pub fn clock_label(at_ms: u64) -> String {
    match wall_clock(at_ms) {
        Some((h, m, s, ms)) => format!("{h:02}:{m:02}:{s:02}.{ms:03}"),
        None => format!("{:.3} s", at_ms as f64 / 1000.0),
    }
}

/// The same to the second ("14:03:12"), for times an operator reads at a glance.
pub fn clock_label_seconds(at_ms: u64) -> String {
    match wall_clock(at_ms) {
        Some((h, m, s, _)) => format!("{h:02}:{m:02}:{s:02}"),
        None => format!("+{:.1}s", at_ms as f64 / 1000.0),
    }
}

#[cfg(test)]
mod tests {
    use super::from_epoch_ms;

    #[test]
    fn a_worker_stamp_is_whole_milliseconds_and_never_later_than_now() {
        assert_eq!(from_epoch_ms(1_500.7, 2_000), 1_500);
        assert_eq!(
            from_epoch_ms(2_500.0, 2_000),
            2_000,
            "a clock ahead of the page's"
        );
        assert_eq!(from_epoch_ms(-3.0, 2_000), 0);
    }
}
