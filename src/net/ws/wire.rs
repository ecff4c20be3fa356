//! Where a link's WebSocket lives: in a dedicated Worker (`worker.js`), or,
//! on a page that may not start one, on the page itself.
//!
//! Under a 20k msg/s flood the browser's own work per WebSocket message
//! (an event, a buffer, a task) took a quarter of the page's thread before
//! any of our code ran. In the worker that work happens off the page's
//! thread, and the page gets every frame that arrived while it handled the
//! last batch in one message: one task and one pass through the session per
//! batch instead of per frame. Idle, a frame is posted at once.

use std::cell::OnceCell;

use gloo_timers::callback::Timeout;
use js_sys::{Array, ArrayBuffer, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Blob, BlobPropertyBag, MessageEvent, Url, WebSocket, Worker};

use crate::net::clock::{from_epoch_ms, now_ms};

/// The worker's source (plain JavaScript, no imports).
const WORKER_JS: &str = include_str!("worker.js");

thread_local! {
    /// A `blob:` URL of [`WORKER_JS`], made once per page; None where the
    /// page cannot make one.
    static WORKER_URL: OnceCell<Option<String>> = const { OnceCell::new() };
}

fn worker_url() -> Option<String> {
    WORKER_URL.with(|cell| {
        cell.get_or_init(|| {
            let parts = Array::of1(&JsValue::from_str(WORKER_JS));
            let options = BlobPropertyBag::new();
            options.set_type("text/javascript");
            let blob = Blob::new_with_str_sequence_and_options(&parts, &options).ok()?;
            Url::create_object_url_with_blob(&blob).ok()
        })
        .clone()
    })
}

/// Starts a worker for one socket, or None where the page may not (a
/// Content-Security-Policy without `worker-src blob:` refuses it at once).
pub(super) fn start_worker() -> Option<Worker> {
    Worker::new(&worker_url()?).ok()
}

/// A socket's transport.
pub(super) enum Wire {
    /// The WebSocket runs in this worker.
    Worker(Worker),
    /// The WebSocket runs on the page.
    Page(WebSocket),
}

impl Wire {
    /// Asks the worker to open its WebSocket to `url`.
    pub(super) fn open_in_worker(worker: &Worker, url: &str, protocol: &str) {
        let message = object(&[("k", "open".into()), ("url", url.into())]);
        let _ = Reflect::set(&message, &"protocol".into(), &protocol.into());
        let _ = worker.post_message(&message);
    }

    /// Sends `frame` as one binary frame. A failed send shows up as a close.
    pub(super) fn send(&self, frame: &[u8]) {
        match self {
            Wire::Worker(worker) => {
                let buffer = Uint8Array::from(frame).buffer();
                let _ = worker.post_message_with_transfer(&buffer, &Array::of1(&buffer));
            }
            Wire::Page(ws) => {
                let _ = ws.send_with_u8_array(frame);
            }
        }
    }

    /// Bytes given to the socket and not on the network yet: on the page,
    /// the browser's `bufferedAmount`; in a worker, what the page posted
    /// less what the worker last said it sent.
    pub(super) fn unsent(&self, posted: u64, reported_sent: u64) -> u64 {
        match self {
            Wire::Worker(_) => posted.saturating_sub(reported_sent),
            Wire::Page(ws) => u64::from(ws.buffered_amount()),
        }
    }

    /// Asks the worker to say how much it has sent once its socket holds
    /// little ([`FromWorker::Sent`]); on the page, `look_again` runs after
    /// [`DRAIN_POLL_MS`] (the returned timer).
    pub(super) fn ask_drain(&self, look_again: impl FnOnce() + 'static) -> Option<Timeout> {
        match self {
            Wire::Worker(worker) => {
                let _ = worker.post_message(&object(&[("k", "drain".into())]));
                None
            }
            Wire::Page(_) => Some(Timeout::new(DRAIN_POLL_MS, look_again)),
        }
    }

    /// Tells the worker to skip QoS 0 messages while the page is behind,
    /// except retained ones and those whose topic starts with one of `keep`
    /// (`worker.js` says when). A page socket skips nothing.
    pub(super) fn shed(&self, keep: &[String]) {
        if let Wire::Worker(worker) = self {
            let prefixes: Array = keep.iter().map(|p| JsValue::from_str(p)).collect();
            let message = object(&[("k", "shed".into()), ("keep", prefixes.into())]);
            let _ = worker.post_message(&message);
        }
    }

    /// Tells the worker that the page has handled the last batch of frames:
    /// what arrived since comes as the next batch.
    pub(super) fn ready_for_more(&self) {
        if let Wire::Worker(worker) = self {
            let _ = worker.post_message(&object(&[("k", "more".into())]));
        }
    }

    /// Closes the WebSocket with `code`, or, with None, lets go of what is
    /// left of one that already closed.
    pub(super) fn close(&self, code: Option<u16>) {
        match (self, code) {
            (Wire::Worker(worker), Some(code)) => {
                // The worker ends itself once its socket has closed.
                let message = object(&[("k", "close".into()), ("code", code.into())]);
                let _ = worker.post_message(&message);
            }
            (Wire::Worker(worker), None) => worker.terminate(),
            (Wire::Page(ws), Some(code)) => {
                // Pages may send only 1000 and 3000-4999 (not 1003).
                if ws.close_with_code(code).is_err() {
                    let _ = ws.close_with_code(1000);
                }
            }
            (Wire::Page(_), None) => {}
        }
    }

    /// Stops calling this socket's handlers.
    pub(super) fn clear_handlers(&self) {
        match self {
            Wire::Worker(worker) => {
                worker.set_onmessage(None);
                worker.set_onerror(None);
            }
            Wire::Page(ws) => {
                ws.set_onopen(None);
                ws.set_onmessage(None);
                ws.set_onclose(None);
                ws.set_onerror(None);
            }
        }
    }
}

/// How often a page socket that holds too much is looked at again. The
/// worker looks as often (`worker.js`).
const DRAIN_POLL_MS: u32 = 4;

/// A message from the worker.
pub(super) enum FromWorker {
    /// The WebSocket opened.
    Open,
    /// Binary frames, each with when it arrived (on the `now_ms` clock), and
    /// the messages the worker has skipped so far.
    Frames {
        /// The frames, in order.
        frames: Vec<(u64, Vec<u8>)>,
        /// Messages skipped on this socket so far.
        skipped: u64,
    },
    /// The messages skipped on this socket so far, when no frame carried it.
    Skipped(u64),
    /// A text frame arrived (MQTT-6.0.0-1: the connection must close).
    Text,
    /// The socket, asked, holds little unsent: of the bytes the page posted
    /// to it, this many are on the network.
    Sent(u64),
    /// The WebSocket closed.
    Close {
        /// Close code.
        code: u16,
        /// Close reason.
        reason: String,
    },
    /// The WebSocket could not be made.
    Failed(Option<String>),
}

impl FromWorker {
    /// Reads a worker's message; None for one it does not know.
    pub(super) fn read(ev: &MessageEvent) -> Option<FromWorker> {
        let data = ev.data();
        let field = |name: &str| Reflect::get(&data, &name.into()).unwrap_or_default();
        Some(match field("k").as_string()?.as_str() {
            "open" => FromWorker::Open,
            "frames" => {
                let buffers: Array = field("f").dyn_into().ok()?;
                let stamps: Array = field("t").dyn_into().ok()?;
                let now = now_ms();
                let frames = buffers
                    .iter()
                    .zip(stamps.iter())
                    .filter_map(|(buffer, stamp)| {
                        let buffer: ArrayBuffer = buffer.dyn_into().ok()?;
                        let at = from_epoch_ms(stamp.as_f64().unwrap_or(0.0), now);
                        Some((at, Uint8Array::new(&buffer).to_vec()))
                    })
                    .collect();
                FromWorker::Frames {
                    frames,
                    skipped: field("s").as_f64().unwrap_or(0.0) as u64,
                }
            }
            "skipped" => FromWorker::Skipped(field("s").as_f64().unwrap_or(0.0) as u64),
            "text" => FromWorker::Text,
            "sent" => FromWorker::Sent(field("a").as_f64().unwrap_or(0.0) as u64),
            "close" => FromWorker::Close {
                code: field("code").as_f64().unwrap_or(1006.0) as u16,
                reason: field("reason").as_string().unwrap_or_default(),
            },
            "failed" => FromWorker::Failed(field("detail").as_string()),
            _ => return None,
        })
    }
}

fn object(fields: &[(&str, JsValue)]) -> js_sys::Object {
    let object = js_sys::Object::new();
    for (name, value) in fields {
        let _ = Reflect::set(&object, &JsValue::from_str(name), value);
    }
    object
}
