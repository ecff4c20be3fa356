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
