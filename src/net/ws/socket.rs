//! One browser WebSocket: opening it, its open/message/close handlers,
//! sending a frame, retiring it.

use std::cell::RefCell;
use std::rc::Weak;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{BinaryType, CloseEvent, MessageEvent, WebSocket};

use super::fault_filter::receive;
use super::flush::after_input;
use super::reconnect::{connection_dropped, socket_failed};
use super::state::{report, with_current, Inner, Phase};
use super::{TransportEvent, SUBPROTOCOL};
use crate::net::clock::{from_event_time_stamp, now_ms};

/// One socket and the closures it calls; dropping the closures only after the
/// socket's handlers were cleared.
pub(super) struct Socket {
    ws: WebSocket,
    _on_open: Closure<dyn FnMut(web_sys::Event)>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_close: Closure<dyn FnMut(CloseEvent)>,
}

impl Socket {
    fn clear_handlers(&self) {
        self.ws.set_onopen(None);
        self.ws.set_onmessage(None);
        self.ws.set_onclose(None);
        self.ws.set_onerror(None);
    }
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
    let generation = inner.generation;
    let url = inner.url.clone();
    report(inner, TransportEvent::Opening { url, attempt });
    let ws = match WebSocket::new_with_str(&inner.url, SUBPROTOCOL) {
        Ok(ws) => ws,
        Err(err) => {
            let detail = err
                .dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()));
            socket_failed(inner, weak, detail);
            return;
        }
    };
    ws.set_binary_type(BinaryType::Arraybuffer);

    let w = weak.clone();
    let on_open = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
        with_current(&w, generation, on_open);
    });
    let w = weak.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
        with_current(&w, generation, |inner, weak| on_message(inner, weak, &ev));
    });
    let w = weak.clone();
    let on_close = Closure::<dyn FnMut(CloseEvent)>::new(move |ev: CloseEvent| {
        with_current(&w, generation, |inner, weak| on_close(inner, weak, &ev));
    });
    ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
    inner.socket = Some(Socket {
        ws,
        _on_open: on_open,
        _on_message: on_message,
        _on_close: on_close,
    });
}

fn on_open(inner: &mut Inner, weak: &Weak<RefCell<Inner>>) {
    inner.opened = true;
    inner.backoff.reset();
    report(inner, TransportEvent::Open);
    inner.session.connect(now_ms());
    after_input(inner, weak);
}

fn on_message(inner: &mut Inner, weak: &Weak<RefCell<Inner>>, ev: &MessageEvent) {
    match ev.data().dyn_into::<js_sys::ArrayBuffer>() {
        Ok(buffer) => {
            let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
            inner.frames.count(bytes.len(), false);
            // When the frame arrived, not when the page got to it: behind a
            // backlog the two differ, and "last seen" must say the first.
            let arrived = from_event_time_stamp(ev.time_stamp());
            receive(inner, weak, arrived, bytes);
        }
        Err(_) => {
            // MQTT-6.0.0-1: a non-binary frame means closing the connection.
            retire_socket(inner, Some(1003));
            connection_dropped(inner, weak, 1003, "text frame received".into());
        }
    }
}

fn on_close(inner: &mut Inner, weak: &Weak<RefCell<Inner>>, ev: &CloseEvent) {
    let was_open = inner.opened;
    retire_socket(inner, None);
    if was_open {
        connection_dropped(inner, weak, ev.code(), ev.reason());
    } else {
        socket_failed(inner, weak, None);
    }
}

/// Clears the current socket's handlers and retires it; closes it when `code` is given.
pub(super) fn retire_socket(inner: &mut Inner, code: Option<u16>) {
    if let Some(socket) = inner.socket.take() {
        socket.clear_handlers();
        if let Some(code) = code {
            let _ = socket.ws.close_with_code(code);
        }
        inner.retired.push(socket);
    }
    inner.opened = false;
}

/// Sends one binary frame on the open socket, counted.
pub(super) fn send_frame(inner: &mut Inner, frame: &[u8]) {
    if let Some(socket) = &inner.socket {
        // A failed send shows up as a close event; nothing more to do here.
        let _ = socket.ws.send_with_u8_array(frame);
        inner.frames.count(frame.len(), true);
    }
}
