//! Browser time and randomness, for the callers of the sans-IO session.

/// Milliseconds since the page loaded (monotonic, `performance.now()`);
/// 0 outside a browser.
pub fn now_ms() -> u64 {
    #[cfg(target_arch = "wasm32")]
    {
        web_sys::window()
            .and_then(|w| w.performance())
            .map(|p| p.now().max(0.0) as u64)
            .unwrap_or(0)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        0
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
        let origin = epoch_of_zero_ms();
        let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(origin + at_ms as f64));
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

/// Unix time, ms, of `now_ms()` 0 (`performance.timeOrigin`); 0 outside a browser.
pub fn epoch_of_zero_ms() -> f64 {
    #[cfg(target_arch = "wasm32")]
    {
        web_sys::window()
            .and_then(|w| w.performance())
            .map(|p| p.time_origin())
            .unwrap_or(0.0)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        0.0
    }
}
