#![cfg(not(target_arch = "wasm32"))]
//! What one message from the broker costs the page's models, counted in
//! allocations (never timed): into the session, its events handed to the
//! client view and the dashboard as `AppCtx::on_updates` hands them, the
//! dashboard drained. Under a flood this work runs for every message that
//! reaches the socket (docs/flood.md), and an allocation is the cheapest
//! thing to count that follows what it costs: each copy of a topic, a
//! payload or a whole event is one or more.
//!
//! Measured on the dashboard's synthetic mix (alarms, stock levels and
//! deltas, other topics; `traffic::synthetic_message`) with every ring,
//! table and id memory full, in allocations a message:
//!
//! | | QoS 0 | QoS 1 |
//! |---|---|---|
//! | each event copied for the dashboard, as before | 37.97 | 46.98 |
//! | shared, and read in place (docs/flood.md) | 26.62 | 33.12 |
//!
//! The bounds sit between the two: copying the events again, or the topic
//! and payload of each message for the dashboard, fails them.

use qoscope::mqtt::packet::QoS;

#[path = "support/allocations.rs"]
mod allocations;
#[path = "support/pipeline.rs"]
mod pipeline;
mod session_harness;

use allocations::allocations;
use pipeline::Pipeline;

/// Allocations per message, on average over 10,000, once warm.
fn per_message(qos: QoS) -> f64 {
    let mut pipeline = Pipeline::new();
    // Warm: the client's rings and the dashboard's tables and id memories full.
    pipeline.stream(60_000, qos);
    let frames: Vec<_> = (0..100).map(|_| pipeline.next_packets(100, qos)).collect();
    let before = allocations();
    for frame in &frames {
        pipeline.take(frame);
    }
    (allocations() - before) as f64 / 10_000.0
}

#[test]
fn a_message_costs_a_bounded_number_of_allocations() {
    for (qos, bound) in [(QoS::AtMostOnce, 28.0), (QoS::AtLeastOnce, 35.0)] {
        let per = per_message(qos);
        eprintln!("{qos:?}: {per:.2} allocations a message");
        assert!(
            per <= bound,
            "{qos:?}: {per:.2} allocations a message, more than {bound}"
        );
    }
}
