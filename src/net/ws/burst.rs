//! A publish burst through a [`Link`], for `make bench`'s comparison with
//! MQTT.js in the same page (benches/mqttjs.rs). Only in a build with the
//! `bench` feature: the product has no use for it.
//!
//! One connection subscribes to a topic of its own, then publishes `n`
//! messages of `size` incompressible bytes to it, as fast as the session
//! takes them: a publish the session refuses because its queue is full
//! waits for the next update from the link, as the app's lab waits. The run
//! ends when every message came back once. The first four bytes of each
//! payload are its number, so a message lost or delivered twice is counted.
//!
//! ```js
//! window.wasmBindings.link_burst("ws://127.0.0.1:9001", 5, 1, 20000, 1024);
//! // or with a window other than the app's default (SessionConfig::max_inflight):
//! window.wasmBindings.link_burst("ws://127.0.0.1:9001", 5, 1, 20000, 1024, 100);
//! // or one at a time (each publish waits for the last message to come back):
//! window.wasmBindings.link_burst("ws://127.0.0.1:9001", 5, 2, 2000, 1024, undefined, true);
//! // later: JSON.parse(window.__burst) =
//! // { ms, first_ms, delivered, duplicates, published, frames, error,
//! //   lat: [ms from publish to delivery, one at a time only] }
//! ```

use std::cell::RefCell;
use std::rc::Rc;

use gloo_timers::callback::Timeout;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;

use super::{Link, LinkUpdate, TransportEvent};
use crate::mqtt::packet::{ProtocolVersion, QoS, SubscribeFilter};
use crate::mqtt::session::{CommandError, EventKind, PublishRequest, Session, SessionConfig};
use crate::net::clock::{precise_ms, random};

/// A run that has not finished after this long reports what it got.
const GIVE_UP_MS: u32 = 120_000;

/// Where the result goes, as JSON: `window.__burst`.
const RESULT: &str = "__burst";

#[derive(Default)]
struct Burst {
    link: Option<Link>,
    topic: String,
    qos: u8,
    n: u32,
    payload: Vec<u8>,
    next: u32,
    seen: Vec<bool>,
    delivered: u32,
    duplicates: u32,
    subscribed: bool,
    publishing: bool,
    started: f64,
    first_ms: Option<f64>,
    /// One at a time: the next publish waits until the last came back.
    one_at_a_time: bool,
    /// When each message was published ([`precise_ms`]), one at a time.
    sent_at: Vec<f64>,
    /// From publish to delivery, ms, one at a time.
    latencies: Vec<f64>,
    done: bool,
    _give_up: Option<Timeout>,
}

/// Starts a burst; its result lands in `window.__burst` (see the module docs).
/// `window` (absent: the app's default) caps the session's in-flight window;
/// with `one_at_a_time`, each publish waits for the last message to arrive.
#[wasm_bindgen]
pub fn link_burst(
    url: String,
    version: u8,
    qos: u8,
    n: u32,
    size: u32,
    window: Option<u16>,
    one_at_a_time: Option<bool>,
) {
    set_result(JsValue::NULL);
    let tag = (random() * 1e12) as u64;
    let mut payload = vec![0u8; (size as usize).max(4)];
    let mut x = tag | 1;
    for byte in &mut payload {
        // xorshift: bytes that no compression would shrink.
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        *byte = x as u8;
    }
    let burst = Rc::new(RefCell::new(Burst {
        topic: format!("qoscope-bench/{tag:x}"),
        qos: qos.min(2),
        n,
        payload,
        seen: vec![false; n as usize],
        one_at_a_time: one_at_a_time.unwrap_or(false),
        ..Burst::default()
    }));
    let config = SessionConfig {
        version: if version == 5 {
            ProtocolVersion::V5
        } else {
            ProtocolVersion::V311
        },
        client_id: format!("qoscope-bench-{tag:x}"),
        clean_start: true,
        max_inflight: window.unwrap_or(crate::mqtt::session::DEFAULT_MAX_INFLIGHT),
        ..SessionConfig::default()
    };
    let b = burst.clone();
    let notify = Rc::new(move |updates: Vec<LinkUpdate>| on_updates(&b, updates));
    let link = Link::connect(&url, Session::new(config), notify, None);
    let b = burst.clone();
    let give_up = Timeout::new(GIVE_UP_MS, move || finish(&b, Some("timed out")));
    let mut state = burst.borrow_mut();
    state.link = Some(link);
    state._give_up = Some(give_up);
}

fn on_updates(burst: &Rc<RefCell<Burst>>, updates: Vec<LinkUpdate>) {
    let Some((subscribe, failed)) = read(&mut burst.borrow_mut(), updates) else {
        return;
    };
    if let Some(reason) = failed {
        finish(burst, Some(&reason));
        return;
    }
    if subscribe {
        let (link, topic, qos) = {
            let b = burst.borrow();
            (b.link.clone(), b.topic.clone(), b.qos)
        };
        if let Some(link) = link {
            let filter = SubscribeFilter {
                filter: topic,
                qos: qos_of(qos),
                ..SubscribeFilter::default()
            };
            if let Err(error) = link.subscribe(vec![filter]) {
                finish(burst, Some(&error.to_string()));
                return;
            }
        }
    }
    publish_more(burst);
    let complete = {
        let b = burst.borrow();
        b.delivered == b.n && b.subscribed
    };
    if complete {
        finish(burst, None);
    }
}

/// Counts what `updates` say; returns whether to subscribe now and why the
/// run failed, if it did (None once the run is over).
fn read(b: &mut Burst, updates: Vec<LinkUpdate>) -> Option<(bool, Option<String>)> {
    if b.done {
        return None;
    }
    let (mut subscribe, mut failed) = (false, None);
    for update in updates {
        match update {
            LinkUpdate::Session(event) => match &event.kind {
                EventKind::Connected { .. } => subscribe = true,
                EventKind::Subscribed { .. } => {
                    b.subscribed = true;
                    b.started = precise_ms();
                }
                EventKind::Delivered { message } if message.topic == b.topic => {
                    let index = message
                        .payload
                        .get(..4)
                        .map_or(u32::MAX, |n| u32::from_le_bytes([n[0], n[1], n[2], n[3]]));
                    let started = b.started;
                    b.first_ms.get_or_insert_with(|| precise_ms() - started);
                    match b.seen.get_mut(index as usize) {
                        Some(true) => b.duplicates += 1,
                        Some(seen) => {
                            *seen = true;
                            b.delivered += 1;
                            if let Some(at) = b.sent_at.get(index as usize) {
                                let latency = precise_ms() - at;
                                b.latencies.push(latency);
                            }
                        }
                        None => {}
                    }
                }
                EventKind::ConnectionRefused { reason, .. } => failed = Some(reason.clone()),
                _ => {}
            },
            LinkUpdate::Transport {
                event: TransportEvent::Unreachable { url, .. },
                ..
            } => failed = Some(format!("{url} cannot be reached")),
            LinkUpdate::Transport {
                event: TransportEvent::Lost { code, .. },
                ..
            } => failed = Some(format!("the connection dropped (close code {code})")),
            _ => {}
        }
    }
    Some((subscribe, failed))
}

/// Publishes until all are sent or the session's queue is full. Updates
/// that arrive meanwhile (the link reports each publish) are only counted:
/// the outer call goes on publishing.
fn publish_more(burst: &Rc<RefCell<Burst>>) {
    let link = {
        let mut b = burst.borrow_mut();
        if b.publishing || !b.subscribed || b.next >= b.n || b.done {
            return;
        }
        b.publishing = true;
        b.link.clone()
    };
    let Some(link) = link else { return };
    loop {
        let request = {
            let b = burst.borrow();
            if b.next >= b.n || b.done || (b.one_at_a_time && b.delivered < b.next) {
                break;
            }
            let mut payload = b.payload.clone();
            payload[..4].copy_from_slice(&b.next.to_le_bytes());
            PublishRequest {
                topic: b.topic.clone(),
                payload,
                qos: qos_of(b.qos),
                ..PublishRequest::default()
            }
        };
        let at = precise_ms();
        match link.publish(request) {
            Ok(_) => {
                let mut b = burst.borrow_mut();
                b.next += 1;
                if b.one_at_a_time {
                    b.sent_at.push(at);
                }
            }
            Err(CommandError::QueueFull { .. }) => break,
            Err(error) => {
                burst.borrow_mut().publishing = false;
                finish(burst, Some(&error.to_string()));
                return;
            }
        }
    }
    burst.borrow_mut().publishing = false;
}

fn finish(burst: &Rc<RefCell<Burst>>, error: Option<&str>) {
    let link = {
        let mut b = burst.borrow_mut();
        if b.done {
            return;
        }
        b.done = true;
        b._give_up = None;
        let ms = precise_ms() - b.started;
        let frames = b.link.as_ref().map(Link::frame_stats).unwrap_or_default();
        let result = serde_json::json!({
            "ms": ms,
            "first_ms": b.first_ms,
            "delivered": b.delivered,
            "duplicates": b.duplicates,
            "published": b.next,
            "frames": frames.frames,
            "error": error,
            "lat": b.latencies,
        });
        set_result(JsValue::from_str(&result.to_string()));
        b.link.take()
    };
    if let Some(link) = link {
        link.disconnect();
    }
}

fn qos_of(qos: u8) -> QoS {
    match qos {
        0 => QoS::AtMostOnce,
        1 => QoS::AtLeastOnce,
        _ => QoS::ExactlyOnce,
    }
}

fn set_result(value: JsValue) {
    if let Some(window) = web_sys::window() {
        let _ = js_sys::Reflect::set(&window, &JsValue::from_str(RESULT), &value);
    }
}
