//! The pure MQTT 3.1.1 / 5.0 protocol core.
//!
//! Nothing in here touches the browser, the network or a clock: time comes in
//! as milliseconds (`now: u64`) from the caller. It compiles and is tested
//! natively with plain `cargo test`, and builds for `wasm32-unknown-unknown`.

pub mod broker;
pub mod fault;
pub mod observer;
pub mod packet;
pub mod session;
pub mod sim;
pub mod topic;
