//! The link's state, and how every input runs on it: one borrow at a time,
//! the collected updates handed to the app after the borrow ends.

use std::cell::RefCell;
use std::rc::Weak;

use gloo_timers::callback::Timeout;

use super::fault_filter::FaultFilter;
use super::flush::persist_if_changed;
use super::socket::Socket;
use super::{FrameStats, LinkUpdate, Notify, Persist, TransportEvent};
use crate::mqtt::session::Session;
use crate::net::backoff::Backoff;
use crate::net::clock::now_ms;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Phase {
    /// A socket is opening or open.
    Active,
    /// Waiting for the next reconnect attempt.
    WaitingToReconnect,
    /// Stopped: closed by the user, refused, or unreachable.
    Stopped,
}

/// What a link keeps between inputs.
pub(super) struct Inner {
    pub(super) url: String,
    pub(super) session: Session,
    /// Fault rules between the session and the socket, when asked for.
    pub(super) faults: Option<FaultFilter>,
    /// Session timers wait (a presenter's pause) instead of firing.
    pub(super) hold_timers: bool,
    /// Packets held back by added latency, by number.
    pub(super) delayed: Vec<(u64, Timeout)>,
    /// Delay timers that fired; dropped later, never inside their own callback.
    pub(super) spent: Vec<Timeout>,
    pub(super) next_delay: u64,
    pub(super) socket: Option<Socket>,
    /// Sockets whose handlers were cleared; dropped when the next one opens,
    /// never from inside their own handler.
    pub(super) retired: Vec<Socket>,
    pub(super) generation: u64,
    pub(super) phase: Phase,
    /// The current socket reached `open`.
    pub(super) opened: bool,
    /// A CONNACK accepted this link at least once (or [`Link::keep_trying`](super::Link::keep_trying)
    /// said it is known good): an unreachable broker is then tried again.
    pub(super) accepted_once: bool,
    /// A CONNACK accepted the current socket.
    pub(super) accepted_this_socket: bool,
    /// The broker refused the last CONNECT: its close is expected.
    pub(super) refused: bool,
    pub(super) backoff: Backoff,
    pub(super) reconnect_at: u64,
    pub(super) session_timer: Option<Timeout>,
    /// When `session_timer` fires, on the session's clock.
    pub(super) session_timer_due: u64,
    pub(super) reconnect_timer: Option<Timeout>,
    pub(super) out: Vec<LinkUpdate>,
    pub(super) notify: Notify,
    /// Where the session state is stored, if it is to outlive the page.
    pub(super) persist: Option<Persist>,
    /// The session's state revision when it was last stored.
    pub(super) persisted_revision: u64,
    /// Frames sent and received on every socket of this link.
    pub(super) frames: FrameStats,
    /// Commands whose packets wait for the flush at the end of this task
    /// (`flush::flush_later`); 0 once they are sent.
    pub(super) unflushed: u32,
    /// Bytes posted to the current socket.
    pub(super) posted: u64,
    /// Of them, those its worker last said were on the network.
    pub(super) reported_sent: u64,
    /// The link waits to hear that the socket drained (`pressure`).
    pub(super) awaiting_drain: bool,
    /// On a page socket, the timer that looks again.
    pub(super) drain_timer: Option<Timeout>,
    /// Topic prefixes never skipped, when the link skips QoS 0 messages
    /// while the page is behind ([`Link::shed_when_behind`](super::Link::shed_when_behind)).
    pub(super) shed: Option<Vec<String>>,
    /// Messages the current socket's worker said it skipped.
    pub(super) socket_skipped: u64,
}

impl Inner {
    /// A link's state before its first socket opens.
    pub(super) fn new(
        url: &str,
        session: Session,
        notify: Notify,
        faults: Option<FaultFilter>,
        persist: Option<Persist>,
    ) -> Inner {
        Inner {
            url: url.trim().to_string(),
            session,
            faults,
            hold_timers: false,
            delayed: Vec::new(),
            spent: Vec::new(),
            next_delay: 0,
            socket: None,
            retired: Vec::new(),
            generation: 0,
            phase: Phase::Active,
            opened: false,
            accepted_once: false,
            accepted_this_socket: false,
            refused: false,
            backoff: Backoff::default(),
            reconnect_at: 0,
            session_timer: None,
            session_timer_due: 0,
            reconnect_timer: None,
            out: Vec::new(),
            notify,
            persist,
            // Stored once at the start whatever its revision: it may come
            // from a link that did not store it.
            persisted_revision: u64::MAX,
            frames: FrameStats::default(),
            unflushed: 0,
            posted: 0,
            reported_sent: 0,
            awaiting_drain: false,
            drain_timer: None,
            shed: None,
            socket_skipped: 0,
        }
    }
}

/// Runs `f` on the state, then hands the collected updates to the app after
/// the borrow ends (the app may call back into the link).
pub(super) fn with_inner(
    weak: &Weak<RefCell<Inner>>,
    f: impl FnOnce(&mut Inner, &Weak<RefCell<Inner>>),
) {
    let Some(rc) = weak.upgrade() else { return };
    let (updates, notify) = {
        let Ok(mut inner) = rc.try_borrow_mut() else {
            web_sys::console::warn_1(&"qoscope: link busy, input dropped".into());
            return;
        };
        f(&mut inner, weak);
        persist_if_changed(&mut inner);
        (std::mem::take(&mut inner.out), inner.notify.clone())
    };
    if !updates.is_empty() {
        notify(updates);
    }
}

/// Runs `f` only if `generation` is still the current socket's.
pub(super) fn with_current(
    weak: &Weak<RefCell<Inner>>,
    generation: u64,
    f: impl FnOnce(&mut Inner, &Weak<RefCell<Inner>>),
) {
    with_inner(weak, |inner, weak| {
        if inner.generation == generation && inner.phase == Phase::Active {
            f(inner, weak);
        }
    });
}

/// Queues a transport event for the app, stamped with the current time.
pub(super) fn report(inner: &mut Inner, event: TransportEvent) {
    inner.out.push(LinkUpdate::Transport {
        at: now_ms(),
        event,
    });
}
