//! Browser glue, written once: the WebSocket driver of the sans-IO session,
//! time, storage (every key), the page (downloads, title, theme, language)
//! and alerts (sound, notifications).

pub mod alerts;
pub mod backoff;
pub mod clock;
#[cfg(all(target_arch = "wasm32", feature = "bench"))]
mod heap;
pub mod page;
pub mod storage;
pub mod ws;
