//! Browser glue: the WebSocket driver of the sans-IO session, time, storage.

pub mod backoff;
pub mod clock;
pub mod page;
pub mod storage;
pub mod ws;
