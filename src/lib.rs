//! QoScope: see what each MQTT QoS level does on the wire.
//!
//! Data flows one way: bytes → packets ([`mqtt::packet`]) → session events
//! ([`mqtt::session`]) → app state → view ([`app`]).
//!
//! [`mqtt`] is the pure protocol core: no browser, no clock. [`net`] is the
//! browser glue (WebSocket, timers, storage). [`app`] holds the Leptos views.

pub mod app;
pub mod mqtt;
pub mod net;
