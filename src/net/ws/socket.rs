//! One browser WebSocket (in a worker, or on the page): opening it, its
//! open/message/close handlers, sending a frame, retiring it.

use std::any::Any;
use std::cell::RefCell;
use std::rc::Weak;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{BinaryType, CloseEvent, ErrorEvent, MessageEvent, WebSocket, Worker};

use gloo_timers::callback::Timeout;

use super::fault_filter::receive;
use super::flush::{after_frames, after_input};
use super::pressure::drained;
use super::reconnect::{connection_dropped, socket_failed};
use super::state::{report, with_current, Inner, Phase};
use super::wire::{start_worker, FromWorker, Wire};
use super::{TransportEvent, SUBPROTOCOL};
use crate::net::clock::{from_event_time_stamp, now_ms};

/// One socket and the closures it calls; dropping the closures only after the
/// socket's handlers were cleared.
pub(super) struct Socket {
    wire: Wire,
    _handlers: Vec<Box<dyn Any>>,
}

/// Opens socket number `attempt` (0 for the user's own Connect) and
/// hooks its handlers to this link's current generation.
pub(super) fn open_socket(inner: &mut Inner, weak: &Weak<RefCell<Inner>>, attempt: u32) {
    inner.retired.clear();
    // Nothing of the last socket's bytes or delays may leak into this one:
    // a packet cut in half by the drop, or a delayed frame for the old socket.
    inner.delayed.clear();
    if let Some(faults) = inner.faults.as_mut() {
        faults.reset();
    }
    inner.generation += 1;
    inner.opened = false;
    inner.refused = false;
    inner.accepted_this_socket = false;
    inner.phase = Phase::Active;
    // A new socket holds nothing unsent.
    inner.posted = 0;
    inner.reported_sent = 0;
    inner.awaiting_drain = false;
    inner.drain_timer = None;
    inner.socket_skipped = 0;
    let url = inner.url.clone();
    report(inner, TransportEvent::Opening { url, attempt });
    inner.socket = match start_worker() {
        Some(worker) => Some(in_worker(inner, weak, worker)),
        None => on_page(inner, weak),
    };
}

/// The socket in `worker`: every message it posts goes to this generation.
fn in_worker(inner: &mut Inner, weak: &Weak<RefCell<Inner>>, worker: Worker) -> Socket {
    let generation = inner.generation;
    let w = weak.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
        let Some(message) = FromWorker::read(&ev) else {
            return;
        };
        with_current(&w, generation, |inner, weak| match message {
            FromWorker::Open => on_open(inner, weak),
            FromWorker::Frames { frames, skipped } => {
                note_skipped(inner, skipped);
                on_frames(inner, weak, generation, frames)
            }
            FromWorker::Skipped(skipped) => note_skipped(inner, skipped),
            FromWorker::Text => on_text_frame(inner, weak),
            FromWorker::Sent(sent) => drained(inner, weak, Some(sent)),
            FromWorker::Close { code, reason } => on_close(inner, weak, code, reason),
            FromWorker::Failed(detail) => {
                retire_socket(inner, None);
                socket_failed(inner, weak, detail);
            }
        });
    });
    let w = weak.clone();
    let on_error = Closure::<dyn FnMut(ErrorEvent)>::new(move |ev: ErrorEvent| {
        // The worker itself failed (it never should): as a dropped socket.
        let reason = format!("socket worker failed: {}", ev.message());
        with_current(&w, generation, |inner, weak| {
            on_close(inner, weak, 1006, reason)
        });
    });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    Wire::open_in_worker(&worker, &inner.url, SUBPROTOCOL);
    let wire = Wire::Worker(worker);
    if let Some(keep) = &inner.shed {
        wire.shed(keep);
    }
    Socket {
        wire,
        _handlers: vec![Box::new(on_message), Box::new(on_error)],
    }
}

/// The socket on the page, where no worker could be started.
fn on_page(inner: &mut Inner, weak: &Weak<RefCell<Inner>>) -> Option<Socket> {
    let generation = inner.generation;
    let ws = match WebSocket::new_with_str(&inner.url, SUBPROTOCOL) {
        Ok(ws) => ws,
        Err(err) => {
            let detail = err
                .dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()));
            socket_failed(inner, weak, detail);
            return None;
        }
    };
    ws.set_binary_type(BinaryType::Arraybuffer);

    let w = weak.clone();
    let on_open = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
        with_current(&w, generation, on_open);
    });
    let w = weak.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
        with_current(&w, generation, |inner, weak| {
            on_page_message(inner, weak, &ev)
        });
    });
    let w = weak.clone();
    let on_close = Closure::<dyn FnMut(CloseEvent)>::new(move |ev: CloseEvent| {
        with_current(&w, generation, |inner, weak| {
            on_close(inner, weak, ev.code(), ev.reason())
        });
    });
    ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
    Some(Socket {
        wire: Wire::Page(ws),
        _handlers: vec![Box::new(on_open), Box::new(on_message), Box::new(on_close)],
    })
}

fn on_open(inner: &mut Inner, weak: &Weak<RefCell<Inner>>) {
    inner.opened = true;
    inner.backoff.reset();
    report(inner, TransportEvent::Open);
    inner.session.connect(now_ms());
    after_input(inner, weak);
}

fn on_page_message(inner: &mut Inner, weak: &Weak<RefCell<Inner>>, ev: &MessageEvent) {
    match ev.data().dyn_into::<js_sys::ArrayBuffer>() {
        Ok(buffer) => {
            let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
            inner.frames.count(bytes.len(), false);
            // When the frame arrived, not when the page got to it: behind a
            // backlog the two differ, and "last seen" must say the first.
            let arrived = from_event_time_stamp(ev.time_stamp());
            receive(inner, weak, arrived, bytes);
        }
        Err(_) => on_text_frame(inner, weak),
    }
}

/// Frames the worker collected, in order. Without fault rules the session
/// takes them all and then answers once (one pass, one outgoing frame);
/// with rules each is judged as it comes.
fn on_frames(
    inner: &mut Inner,
    weak: &Weak<RefCell<Inner>>,
    generation: u64,
    frames: Vec<(u64, Vec<u8>)>,
) {
    if inner.faults.is_none() {
        for (arrived, bytes) in frames {
            inner.frames.count(bytes.len(), false);
            inner.session.handle_bytes(arrived, &bytes);
        }
        after_frames(inner, weak);
    } else {
        for (arrived, bytes) in frames {
            // A rule may have cut this socket: what follows was lost with it.
            if inner.generation != generation || inner.phase != Phase::Active {
                return;
            }
            inner.frames.count(bytes.len(), false);
            receive(inner, weak, arrived, bytes);
        }
    }
    if let Some(socket) = inner
        .socket
        .as_ref()
        .filter(|_| inner.generation == generation)
    {
        socket.wire.ready_for_more();
    }
}

/// The worker skipped `skipped` messages on this socket so far: counted for
/// the link, and reported when the count grew.
fn note_skipped(inner: &mut Inner, skipped: u64) {
    let Some(more) = skipped.checked_sub(inner.socket_skipped).filter(|&n| n > 0) else {
        return;
    };
    inner.socket_skipped = skipped;
    inner.frames.skipped += more;
    let total = inner.frames.skipped;
    report(inner, TransportEvent::Skipped { total });
}

/// MQTT-6.0.0-1: a non-binary frame means closing the connection.
fn on_text_frame(inner: &mut Inner, weak: &Weak<RefCell<Inner>>) {
    retire_socket(inner, Some(1003));
    connection_dropped(inner, weak, 1003, "text frame received".into());
}

fn on_close(inner: &mut Inner, weak: &Weak<RefCell<Inner>>, code: u16, reason: String) {
    let was_open = inner.opened;
    retire_socket(inner, None);
    if was_open {
        connection_dropped(inner, weak, code, reason);
    } else {
        socket_failed(inner, weak, None);
    }
}

/// Clears the current socket's handlers and retires it; closes it when `code` is given.
pub(super) fn retire_socket(inner: &mut Inner, code: Option<u16>) {
    if let Some(socket) = inner.socket.take() {
        socket.wire.clear_handlers();
        socket.wire.close(code);
        inner.retired.push(socket);
    }
    inner.opened = false;
}

/// Sends one binary frame on the open socket, counted.
/// Tells the current socket which topics it must never skip (see
/// [`Wire::shed`]).
pub(super) fn shed_on_socket(inner: &Inner) {
    if let (Some(socket), Some(keep)) = (&inner.socket, &inner.shed) {
        socket.wire.shed(keep);
    }
}

pub(super) fn send_frame(inner: &mut Inner, frame: &[u8]) {
    if let Some(socket) = &inner.socket {
        // A failed send shows up as a close event; nothing more to do here.
        socket.wire.send(frame);
        inner.frames.count(frame.len(), true);
        inner.posted += frame.len() as u64;
    }
}

impl Socket {
    /// Bytes given to this socket and not yet on the network, as far as the
    /// page knows: `posted` in all, `reported_sent` of them sent.
    pub(super) fn unsent(&self, posted: u64, reported_sent: u64) -> u64 {
        self.wire.unsent(posted, reported_sent)
    }

    /// Asks to hear when the socket has drained: the worker answers with a
    /// message; on the page, `look_again` runs after a short wait (the
    /// returned timer).
    pub(super) fn ask_drain(&self, look_again: impl FnOnce() + 'static) -> Option<Timeout> {
        self.wire.ask_drain(look_again)
    }
}
