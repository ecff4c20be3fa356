//! When a socket closes or never opens: stop, or reconnect with backoff.

use std::cell::RefCell;
use std::rc::Weak;

use gloo_timers::callback::Timeout;

use super::flush::drain_events;
use super::socket::{open_socket, retire_socket};
use super::state::{report, with_inner, Inner, Phase};
use super::TransportEvent;
use crate::net::clock::{now_ms, random};

/// A fault rule cut the connection: as [`Link::cut`](super::Link::cut) with a reconnect.
pub(super) fn drop_for_fault(inner: &mut Inner, weak: &Weak<RefCell<Inner>>) {
    cut_socket(inner, weak, true);
}

/// Closes the socket without DISCONNECT, as a network failure would.
pub(super) fn cut_socket(inner: &mut Inner, weak: &Weak<RefCell<Inner>>, reconnect: bool) {
    if inner.socket.is_none() {
        return;
    }
    // 4000: an application close code (browsers refuse 1001..=2999).
    retire_socket(inner, Some(4000));
    inner.session_timer = None;
    inner.delayed.clear();
    inner.session.handle_closed(now_ms());
    drain_events(inner);
    report(inner, TransportEvent::Cut { reconnect });
    if reconnect && inner.accepted_once {
        schedule_reconnect(inner, weak);
    } else {
        inner.phase = Phase::Stopped;
    }
}

/// The socket never opened.
pub(super) fn socket_failed(
    inner: &mut Inner,
    weak: &Weak<RefCell<Inner>>,
    detail: Option<String>,
) {
    let url = inner.url.clone();
    report(inner, TransportEvent::Unreachable { url, detail });
    if inner.accepted_once {
        schedule_reconnect(inner, weak);
    } else {
        inner.phase = Phase::Stopped;
    }
}

/// An open socket closed without the user asking.
pub(super) fn connection_dropped(
    inner: &mut Inner,
    weak: &Weak<RefCell<Inner>>,
    code: u16,
    reason: String,
) {
    inner.session_timer = None;
    inner.session.handle_closed(now_ms());
    drain_events(inner);
    if inner.refused {
        // The broker refused CONNECT and closed, as it must (MQTT-3.2.2-5); the
        // refusal is already reported, and retrying would only be refused again.
        inner.phase = Phase::Stopped;
        return;
    }
    report(inner, TransportEvent::Lost { code, reason });
    // Dropped before or after its CONNACK, a link the user asked for is
    // tried again with backoff; only a refusal stops it.
    schedule_reconnect(inner, weak);
}

fn schedule_reconnect(inner: &mut Inner, weak: &Weak<RefCell<Inner>>) {
    let delay = inner.backoff.next_delay_ms(random());
    inner.reconnect_at = now_ms() + delay;
    inner.phase = Phase::WaitingToReconnect;
    countdown(inner, weak);
}

/// Reports the seconds left and wakes up at the next whole second (or opens).
fn countdown(inner: &mut Inner, weak: &Weak<RefCell<Inner>>) {
    let attempt = inner.backoff.attempt();
    let left = inner.reconnect_at.saturating_sub(now_ms());
    if left == 0 {
        inner.reconnect_timer = None;
        open_socket(inner, weak, attempt);
        return;
    }
    let in_secs = left.div_ceil(1000);
    report(
        inner,
        TransportEvent::ReconnectIn {
            in_secs: in_secs as u32,
            attempt,
        },
    );
    let wait = left - (in_secs - 1) * 1000;
    let w = weak.clone();
    inner.reconnect_timer = Some(Timeout::new(wait as u32, move || {
        with_inner(&w, |inner, weak| {
            if inner.phase == Phase::WaitingToReconnect {
                countdown(inner, weak);
            }
        });
    }));
}
