//! After every input: store the state, send what is ready, hand the events
//! to the app, re-arm the session's timer.

use std::cell::RefCell;
use std::rc::Weak;
use std::sync::Arc;

use gloo_timers::callback::Timeout;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

use super::fault_filter::delay;
use super::pressure::{socket_full, wait_for_drain, HIGH_WATER};
use super::reconnect::{connection_dropped, drop_for_fault};
use super::socket::{retire_socket, send_frame};
use super::state::{with_current, with_inner, Inner};
use super::LinkUpdate;
use crate::mqtt::fault::{Direction, FaultCause, Verdict};
use crate::mqtt::session::EventKind;
use crate::net::clock::now_ms;

/// After every input: send what is ready, report events, re-arm the timer.
pub(super) fn after_input(inner: &mut Inner, weak: &Weak<RefCell<Inner>>) {
    let cut = pump(inner, weak);
    drain_events(inner);
    if cut {
        drop_for_fault(inner, weak);
        return;
    }
    if inner.session.poll_close() {
        // The session ended the connection itself (keep-alive timeout,
        // protocol error, no CONNACK): close the transport and treat it as a drop.
        retire_socket(inner, Some(1000));
        connection_dropped(inner, weak, 1000, String::new());
        return;
    }
    arm_session_timer(inner, weak);
}

/// After frames from the broker (no fault rules): their events go to the
/// app now, and the packets that answer them (acknowledgements) leave at
/// the end of the task, in one frame with whatever the app sends in
/// reaction (the next publish of a lab run, a reply). Sent at once, the
/// acknowledgements made a frame of their own and the reaction a second
/// one; Mosquitto 2.0.11 then left the second in its WebSocket buffer until
/// its next 100 ms wake-up now and then (docs/engine-speed.md).
pub(super) fn after_frames(inner: &mut Inner, weak: &Weak<RefCell<Inner>>) {
    if inner.session.poll_close() {
        // Ending the connection: what is ready goes first, as after any input.
        pump(inner, weak);
        drain_events(inner);
        retire_socket(inner, Some(1000));
        connection_dropped(inner, weak, 1000, String::new());
        return;
    }
    drain_events(inner);
    flush_after_queued(inner, weak);
    arm_session_timer(inner, weak);
}

/// Like [`flush_later`] for the packets that answer a batch from the broker,
/// but the flush is a task of its own, queued behind the batches the
/// socket's worker has already posted. The broker often answers one publish
/// with two frames close together (at QoS 2 the PUBREC for it and its
/// delivery to us), which the worker posts one by one; their answers (the
/// PUBREL and the PUBREC) then leave in one frame, not two. A command in
/// the meantime rides along.
fn flush_after_queued(inner: &mut Inner, weak: &Weak<RefCell<Inner>>) {
    if inner.unflushed > 0 {
        // A flush is already queued.
        inner.unflushed += 1;
        return;
    }
    let w = weak.clone();
    let posted = post_task(move || flush_if_pending(&w));
    if posted {
        inner.unflushed = 1;
    } else {
        flush_later(inner, weak);
    }
}

thread_local! {
    /// A channel whose messages run [`TASK_QUEUE`]; made once per page.
    static TASK_CHANNEL: RefCell<Option<web_sys::MessageChannel>> = const { RefCell::new(None) };
    /// What the next messages on [`TASK_CHANNEL`] run, in order.
    static TASK_QUEUE: RefCell<std::collections::VecDeque<Box<dyn FnOnce()>>> =
        RefCell::new(std::collections::VecDeque::new());
}

/// Runs `f` in a task of its own, queued after the messages already posted
/// to this page (a `MessageChannel` message). False where no channel could
/// be made.
fn post_task(f: impl FnOnce() + 'static) -> bool {
    TASK_CHANNEL.with(|cell| {
        let mut channel = cell.borrow_mut();
        if channel.is_none() {
            let Ok(made) = web_sys::MessageChannel::new() else {
                return false;
            };
            let run = Closure::<dyn FnMut()>::new(|| {
                if let Some(task) = TASK_QUEUE.with(|q| q.borrow_mut().pop_front()) {
                    task();
                }
            });
            made.port1()
                .set_onmessage(Some(run.as_ref().unchecked_ref()));
            // Lives as long as the page: the channel calls it.
            run.forget();
            *channel = Some(made);
        }
        let Some(channel) = channel.as_ref() else {
            return false;
        };
        TASK_QUEUE.with(|q| q.borrow_mut().push_back(Box::new(f)));
        let posted = channel
            .port2()
            .post_message(&wasm_bindgen::JsValue::UNDEFINED)
            .is_ok();
        if !posted {
            TASK_QUEUE.with(|q| q.borrow_mut().pop_back());
        }
        posted
    })
}

/// Commands flushed at once when this many wait: a loop of publishes sends
/// frames of at most this many packets, not one frame of the whole loop.
pub(super) const FLUSH_EVERY: u32 = 256;

/// After a command (publish, subscribe, ...): its packets go out with those
/// of every other command of this task, in one frame when the task ends (a
/// microtask), instead of one frame per command; at once when
/// [`FLUSH_EVERY`] commands wait. Any earlier [`pump`] takes them along.
pub(super) fn flush_later(inner: &mut Inner, weak: &Weak<RefCell<Inner>>) {
    inner.unflushed += 1;
    if inner.unflushed >= FLUSH_EVERY {
        after_input(inner, weak);
        return;
    }
    if inner.unflushed > 1 {
        // A flush is already queued for this task.
        return;
    }
    let Some(window) = web_sys::window() else {
        after_input(inner, weak);
        return;
    };
    let w = weak.clone();
    let flush = Closure::once_into_js(move || flush_if_pending(&w));
    window.queue_microtask(flush.unchecked_ref());
}

/// The queued flush: sends what waits, unless an earlier pump took it.
fn flush_if_pending(weak: &Weak<RefCell<Inner>>) {
    with_inner(weak, |inner, weak| {
        if inner.unflushed > 0 {
            after_input(inner, weak);
        }
    });
}

/// Sends every ready transmit as one binary frame (less what the fault
/// rules lose; later, with added latency). Returns true when a rule cut the
/// connection.
pub(super) fn pump(inner: &mut Inner, weak: &Weak<RefCell<Inner>>) -> bool {
    inner.unflushed = 0;
    // The state these packets carry is stored before they leave.
    persist_if_changed(inner);
    if socket_full(inner, weak) {
        // They wait in the session until the socket has drained.
        return false;
    }
    let mut frame = Vec::new();
    let mut cut = false;
    let now = now_ms();
    let mut due = now;
    while frame.len() < HIGH_WATER as usize {
        let Some(transmit) = inner.session.poll_transmit() else {
            break;
        };
        let Some(faults) = inner.faults.as_mut() else {
            frame.extend_from_slice(&transmit.bytes);
            continue;
        };
        if cut {
            // Queued behind the cut: lost with the connection.
            faults
                .dropped_out
                .push((transmit.bytes, FaultCause::ConnectionCut));
            continue;
        }
        let judged = faults
            .faulty_wire
            .judge(now, 0, Direction::ClientToBroker, &transmit.packet);
        match judged.verdict {
            Verdict::Deliver => {
                due = judged.arrive_at;
                frame.extend_from_slice(&transmit.bytes);
            }
            Verdict::Drop { rule } => faults.dropped_out.push((transmit.bytes, rule)),
            Verdict::Cut { rule } => {
                faults
                    .dropped_out
                    .push((transmit.bytes, FaultCause::Rule(rule)));
                cut = true;
            }
        }
    }
    if inner.session.unsent_len() > 0 && !cut {
        // More than a frame's worth: the rest once this one left.
        wait_for_drain(inner, weak);
    }
    if frame.is_empty() {
        return cut;
    }
    if due > now {
        delay(inner, weak, Direction::ClientToBroker, due, frame);
    } else {
        send_frame(inner, &frame);
    }
    cut
}

/// Stores the session state if it changed since it was last stored.
pub(super) fn persist_if_changed(inner: &mut Inner) {
    let revision = inner.session.state_revision();
    if revision == inner.persisted_revision {
        return;
    }
    // Taken even with nothing to store it in, so that it stays small.
    let changes = inner.session.take_state_changes();
    if let Some(persist) = &inner.persist {
        persist(&inner.session, &changes);
    }
    inner.persisted_revision = revision;
}

/// Moves session events to the app.
pub(super) fn drain_events(inner: &mut Inner) {
    while let Some(event) = inner.session.poll_event() {
        match &event.kind {
            EventKind::Connected { .. } => {
                inner.accepted_once = true;
                inner.accepted_this_socket = true;
            }
            EventKind::ConnectionRefused { .. } => inner.refused = true,
            // The broker broke the protocol before accepting us (MQTT-3.2.2-4,
            // a malformed CONNACK): trying again would fail the same way.
            EventKind::ProtocolError { .. } => {
                inner.refused = inner.refused || !inner.accepted_this_socket;
            }
            _ => {}
        }
        let dropped = match (&event.kind, inner.faults.as_mut()) {
            (EventKind::PacketSent { packet, bytes }, Some(faults)) => faults
                .dropped_out
                .iter()
                .position(|(b, _)| b == bytes)
                .map(|i| (packet.clone(), faults.dropped_out.remove(i))),
            _ => None,
        };
        let at = event.at;
        inner.out.push(LinkUpdate::Session(Arc::new(event)));
        if let Some((packet, (bytes, cause))) = dropped {
            inner.out.push(LinkUpdate::Dropped {
                at,
                direction: Direction::ClientToBroker,
                packet: Box::new(packet),
                bytes,
                cause,
            });
        }
    }
}

/// Arms the timer for the session's next deadline (keep-alive, retries),
/// unless timers are held.
fn arm_session_timer(inner: &mut Inner, weak: &Weak<RefCell<Inner>>) {
    if inner.hold_timers {
        inner.session_timer = None;
        return;
    }
    let Some(deadline) = inner.session.poll_timeout() else {
        inner.session_timer = None;
        return;
    };
    // A timer already due no later stays: firing early is harmless (the
    // session takes only what expired, and the timer is armed again), and
    // keep-alive moves the deadline with every packet, which would otherwise
    // cost a clearTimeout and a setTimeout per packet under a flood.
    if inner.session_timer.is_some() && inner.session_timer_due <= deadline {
        return;
    }
    let now = now_ms();
    let delay = deadline.saturating_sub(now).min(u64::from(u32::MAX)) as u32;
    let generation = inner.generation;
    let w = weak.clone();
    inner.session_timer_due = deadline.max(now);
    inner.session_timer = Some(Timeout::new(delay, move || {
        with_current(&w, generation, |inner, weak| {
            // This timer is spent: the next arm must make a new one. It is
            // dropped later (never inside its own callback), with the others.
            inner.spent.clear();
            if let Some(spent) = inner.session_timer.take() {
                inner.spent.push(spent);
            }
            inner.session.handle_timeout(now_ms());
            after_input(inner, weak);
        });
    }));
}
