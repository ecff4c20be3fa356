//! Back-pressure: the session's packets wait in the session, not in the
//! browser, while the socket has not sent what it was given.
//!
//! `WebSocket.send` never refuses: what the network has not taken yet waits
//! in the browser (`bufferedAmount`), without bound. A burst of QoS 0
//! publishes (nothing acknowledges them, so no window holds them back) once
//! put every one of them there. Now, while the socket holds more than
//! [`HIGH_WATER`] unsent bytes, the link sends nothing more: the session
//! keeps its packets, in order, and refuses a QoS 0 publish once it holds
//! that much itself ([`refuses`]), as it refuses a QoS 1/2 publish when its
//! queue is full. When the socket has drained, the link sends again.
//!
//! The socket in a worker reports what it has sent only when asked (one
//! message when the page is held up, not one per frame): until then the
//! page counts every byte it posted as unsent, which errs on the safe side.

use std::cell::RefCell;
use std::rc::Weak;

use super::flush::after_input;
use super::state::{with_current, Inner};
use crate::mqtt::packet::QoS;
use crate::mqtt::session::CommandError;

/// Unsent bytes in the socket above which the link sends nothing more, and
/// the most one frame carries. MQTT.js waits at 512 KiB too (its
/// `browserBufferSize`), though it then polls once a second.
pub const HIGH_WATER: u64 = 512 * 1024;

/// Whether the socket already holds more than [`HIGH_WATER`] unsent bytes;
/// if so, asks to be told when it has drained (once until it has).
pub(super) fn socket_full(inner: &mut Inner, weak: &Weak<RefCell<Inner>>) -> bool {
    let Some(socket) = &inner.socket else {
        return false;
    };
    let unsent = socket.unsent(inner.posted, inner.reported_sent);
    inner.frames.most_unsent = inner.frames.most_unsent.max(unsent);
    if unsent <= HIGH_WATER {
        return false;
    }
    wait_for_drain(inner, weak);
    true
}

/// Asks the socket to say when it has drained (the worker answers with
/// [`drained`]; on the page, a timer looks again), unless already asked.
pub(super) fn wait_for_drain(inner: &mut Inner, weak: &Weak<RefCell<Inner>>) {
    if inner.awaiting_drain {
        return;
    }
    let Some(socket) = &inner.socket else {
        return;
    };
    inner.awaiting_drain = true;
    let generation = inner.generation;
    let w = weak.clone();
    inner.drain_timer = socket.ask_drain(move || {
        with_current(&w, generation, |inner, weak| drained(inner, weak, None));
    });
}

/// The socket drained: `sent` bytes of those posted to it are on the
/// network (from the worker), or it says so itself. Sends what waits.
pub(super) fn drained(inner: &mut Inner, weak: &Weak<RefCell<Inner>>, sent: Option<u64>) {
    if let Some(sent) = sent {
        inner.reported_sent = inner.reported_sent.max(sent);
    }
    inner.awaiting_drain = false;
    // Nothing else of the link's runs now: timers spent earlier may go, and
    // this one waits for the next time (it may be the one running).
    inner.spent.clear();
    if let Some(timer) = inner.drain_timer.take() {
        inner.spent.push(timer);
    }
    after_input(inner, weak);
}

/// A QoS 0 publish is refused while the session holds [`HIGH_WATER`] bytes
/// the socket could not take: nothing else bounds them.
pub(super) fn refuses(inner: &Inner, qos: QoS) -> Result<(), CommandError> {
    let bytes = inner.session.unsent_bytes();
    if qos != QoS::AtMostOnce || (bytes as u64) < HIGH_WATER {
        return Ok(());
    }
    Err(CommandError::QueueFull {
        messages: inner.session.unsent_len(),
        bytes,
    })
}
