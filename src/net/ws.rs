//! The WebSocket driver: runs a sans-IO [`Session`] over a browser WebSocket.
//!
//! Every input (socket open, frame, close, timer) goes into the session, then
//! the driver drains it: all ready transmits are sent as one binary frame,
//! the events are handed to the app, and the keep-alive timer is re-armed to
//! [`Session::poll_timeout`]. The codec reassembles packets split across
//! frames or packed several to a frame, so frames go in as they come.
//!
//! MQTT over WebSocket uses binary frames only and the subprotocol `mqtt`
//! (MQTT-6.0.0-1, MQTT-6.0.0-3, MQTT-6.0.0-4).
//!
//! When a connection drops without the user asking (before or after its
//! CONNACK; not when the broker refused it or broke the protocol while
//! accepting it), the driver reconnects with exponential backoff and jitter;
//! the backoff starts again whenever a socket opens.
//! What happens to the session then (resending, subscribing again to what a
//! broker lost) is the session's own policy, tested natively; the driver
//! keeps only sockets, timers and backoff. Each socket gets a generation
//! number; events from an older socket are ignored, and handlers are cleared
//! before a socket is closed.
//!
//! A link opened with [`Link::connect_with_faults`] puts the visualiser's
//! [`FaultRules`] between the session and the socket: every packet the
//! session sends and every packet the broker sends is judged, and a lost one
//! never reaches the other side (it is reported as [`LinkUpdate::Dropped`]).
//! So "drop the next PUBREC" makes a real Mosquitto and a real session do
//! their real recovery.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use gloo_timers::callback::Timeout;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{BinaryType, CloseEvent, MessageEvent, WebSocket};

use super::backoff::Backoff;
use super::clock::{from_event_time_stamp, now_ms, random};
use crate::mqtt::fault::{Direction, FaultCause, FaultRules, FaultyWire, Verdict};
use crate::mqtt::packet::{Packet, PacketId, Properties, SubscribeFilter};
use crate::mqtt::session::{
    CommandError, ConnectionState, DisconnectRequest, Event, EventKind, PublishRequest, Session,
    SessionConfig, StateChanges,
};

/// The WebSocket subprotocol for MQTT (MQTT-6.0.0-3).
pub const SUBPROTOCOL: &str = "mqtt";

/// Something that happened to the transport, for the status pill and messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransportEvent {
    /// A socket is being opened; `attempt` 0 is the user's own Connect.
    Opening {
        /// Broker URL.
        url: String,
        /// Reconnect attempt number (0 for the first connection).
        attempt: u32,
    },
    /// The WebSocket is open; CONNECT is on its way.
    Open,
    /// The socket closed before it ever opened: nothing listens at `url`, or
    /// the connection closed during the WebSocket handshake (browsers do not
    /// say which).
    Unreachable {
        /// Broker URL.
        url: String,
        /// The browser's own explanation, when it gave one.
        detail: Option<String>,
    },
    /// An open connection dropped without the user asking.
    Lost {
        /// WebSocket close code (1006 = dropped without a close frame).
        code: u16,
        /// Close reason sent by the peer, if any.
        reason: String,
    },
    /// The next reconnect attempt starts in `in_secs` seconds (sent every second).
    ReconnectIn {
        /// Whole seconds left.
        in_secs: u32,
        /// The attempt that will start.
        attempt: u32,
    },
    /// The user's Disconnect finished (DISCONNECT sent, socket closed).
    Closed,
    /// The connection was cut on purpose to show what a network failure
    /// does (no DISCONNECT: the broker keeps the session and the will fires).
    Cut {
        /// A reconnect follows on its own (else [`Link::reconnect_now`] starts it).
        reconnect: bool,
    },
}

/// What the driver reports to the app, in order.
#[derive(Debug, Clone, PartialEq)]
pub enum LinkUpdate {
    /// An event of the session (packets, flows, connection results).
    Session(Box<Event>),
    /// A transport event, at `now_ms()` time.
    Transport {
        /// Milliseconds, on the session's clock.
        at: u64,
        /// What happened.
        event: TransportEvent,
    },
    /// The link's fault rules lost a packet: it was never sent, or the
    /// session never saw it. For an outgoing packet this follows the
    /// session's `PacketSent` event for it.
    Dropped {
        /// Milliseconds, on the session's clock.
        at: u64,
        /// Which way it was going.
        direction: Direction,
        /// The packet.
        packet: Box<Packet>,
        /// Its bytes.
        bytes: Vec<u8>,
        /// The rule or draw that lost it.
        cause: FaultCause,
    },
}

/// WebSocket frames a link sent and received, and their header bytes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FrameStats {
    /// Frames, both ways.
    pub frames: u64,
    /// Their headers: length fields and, on frames we send, the mask.
    pub header_bytes: u64,
}

impl FrameStats {
    fn count(&mut self, payload_len: usize, masked: bool) {
        self.frames += 1;
        self.header_bytes += frame_header_len(payload_len, masked);
    }
}

/// The header of a binary WebSocket frame carrying `len` bytes (RFC 6455
/// §5.2): 2 bytes, 2 or 8 more for a longer length, and the 4-byte mask
/// every frame a client sends carries.
pub fn frame_header_len(len: usize, masked: bool) -> u64 {
    let extended = match len {
        0..=125 => 0,
        126..=65_535 => 2,
        _ => 8,
    };
    2 + extended + if masked { 4 } else { 0 }
}

/// Receives the driver's updates, after each input, outside any borrow.
pub type Notify = Rc<dyn Fn(Vec<LinkUpdate>)>;

/// Stores the session state ([`Session::snapshot`]) where it outlives the
/// page, given what changed since the last call ([`StateChanges`]). Called
/// inside the driver whenever [`Session::state_revision`] moved,
/// and always before the packets that state protects are sent, so a message
/// is never acknowledged (PUBREC) nor sent before its state is stored. It
/// must not call back into the link.
pub type Persist = Rc<dyn Fn(&Session, &StateChanges)>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// A socket is opening or open.
    Active,
    /// Waiting for the next reconnect attempt.
    WaitingToReconnect,
    /// Stopped: closed by the user, refused, or unreachable.
    Stopped,
}

/// One socket and the closures it calls; dropping the closures only after the
/// socket's handlers were cleared.
struct Socket {
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

/// Fault rules on the wire, for the visualiser's links.
struct WireFilter {
    /// The rules and the link's FIFO clock (shared with the simulation).
    wire: FaultyWire,
    /// Outgoing packets judged lost, until their `PacketSent` event is drained.
    dropped_out: Vec<(Vec<u8>, FaultCause)>,
}

struct Inner {
    url: String,
    session: Session,
    /// Fault rules between the session and the socket, when asked for.
    wire: Option<WireFilter>,
    /// Session timers wait (a presenter's pause) instead of firing.
    hold_timers: bool,
    /// Packets held back by added latency, by number.
    delayed: Vec<(u64, Timeout)>,
    /// Delay timers that fired; dropped later, never inside their own callback.
    spent: Vec<Timeout>,
    next_delay: u64,
    socket: Option<Socket>,
    /// Sockets whose handlers were cleared; dropped when the next one opens,
    /// never from inside their own handler.
    retired: Vec<Socket>,
    generation: u64,
    phase: Phase,
    /// The current socket reached `open`.
    opened: bool,
    /// A CONNACK accepted this link at least once (or [`Link::keep_trying`]
    /// said it is known good): an unreachable broker is then tried again.
    accepted_once: bool,
    /// A CONNACK accepted the current socket.
    accepted_this_socket: bool,
    /// The broker refused the last CONNECT: its close is expected.
    refused: bool,
    backoff: Backoff,
    reconnect_at: u64,
    session_timer: Option<Timeout>,
    /// When `session_timer` fires, on the session's clock.
    session_timer_due: u64,
    reconnect_timer: Option<Timeout>,
    out: Vec<LinkUpdate>,
    notify: Notify,
    /// Where the session state is stored, if it is to outlive the page.
    persist: Option<Persist>,
    /// The session's state revision when it was last stored.
    persisted_revision: u64,
    /// Frames sent and received on every socket of this link.
    frames: FrameStats,
}

/// A running connection; cheap to clone (all clones drive the same socket).
#[derive(Clone)]
pub struct Link {
    inner: Rc<RefCell<Inner>>,
}

impl Link {
    /// Opens a WebSocket to `url` and drives `session` over it: the caller
    /// owns the session and takes it back with [`Link::take_session`], so its
    /// state outlives this link (Disconnect, then Connect again). With
    /// `persist`, the state is stored whenever it changes, before the packets
    /// it protects are sent.
    pub fn connect(url: &str, session: Session, notify: Notify, persist: Option<Persist>) -> Link {
        Link::open(url, session, notify, None, persist)
    }

    /// Like [`Link::connect`], with fault rules between the session and the
    /// socket (none armed yet: see [`Link::with_faults`]).
    pub fn connect_with_faults(url: &str, mut config: SessionConfig, notify: Notify) -> Link {
        // A PUBLISH the rules drop must not be the one that set an alias.
        config.assign_topic_aliases = false;
        let wire = WireFilter {
            wire: FaultyWire::new(FaultRules::none()),
            dropped_out: Vec::new(),
        };
        Link::open(url, Session::new(config), notify, Some(wire), None)
    }

    /// Tries again with backoff when the broker cannot be reached, from the
    /// first attempt on, as a link that was accepted before does. For a page
    /// resuming after a reload the connection it had: an unreachable broker
    /// is then an outage to ride out, not a mistyped URL to report and stop.
    pub fn keep_trying(&self) {
        self.inner.borrow_mut().accepted_once = true;
    }

    fn open(
        url: &str,
        session: Session,
        notify: Notify,
        wire: Option<WireFilter>,
        persist: Option<Persist>,
    ) -> Link {
        let inner = Rc::new(RefCell::new(Inner {
            url: url.trim().to_string(),
            session,
            wire,
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
        }));
        let link = Link { inner };
        link.run(|inner, weak| open_socket(inner, weak, 0));
        link
    }

    /// Publishes; returns the packet id for QoS > 0.
    pub fn publish(&self, req: PublishRequest) -> Result<Option<PacketId>, CommandError> {
        self.command(|inner| inner.session.publish(now_ms(), req))
    }

    /// Subscribes (the session subscribes again by itself if a broker loses
    /// it, when its config says so).
    pub fn subscribe(&self, filters: Vec<SubscribeFilter>) -> Result<PacketId, CommandError> {
        self.subscribe_with(filters, Properties::default())
    }

    /// Subscribes with MQTT 5 properties (a subscription identifier).
    pub fn subscribe_with(
        &self,
        filters: Vec<SubscribeFilter>,
        properties: Properties,
    ) -> Result<PacketId, CommandError> {
        self.command(|inner| inner.session.subscribe_with(now_ms(), filters, properties))
    }

    /// Unsubscribes.
    pub fn unsubscribe(&self, filters: Vec<String>) -> Result<PacketId, CommandError> {
        self.command(|inner| inner.session.unsubscribe(now_ms(), filters))
    }

    /// The session's connection state.
    pub fn state(&self) -> ConnectionState {
        self.inner
            .try_borrow()
            .map(|inner| inner.session.state())
            .unwrap_or(ConnectionState::Disconnected)
    }

    /// A QoS 1/2 publish made now would be sent at once
    /// ([`Session::has_room`]).
    pub fn has_room(&self) -> bool {
        self.inner
            .try_borrow()
            .map(|inner| inner.session.has_room())
            .unwrap_or(false)
    }

    /// The frames this link has sent and received so far.
    pub fn frame_stats(&self) -> FrameStats {
        self.inner
            .try_borrow()
            .map(|inner| inner.frames)
            .unwrap_or_default()
    }

    /// Ends the connection on purpose: DISCONNECT when connected, then close.
    /// Stops any pending reconnect.
    pub fn disconnect(&self) {
        self.disconnect_with(DisconnectRequest::default());
    }

    /// As [`Link::disconnect`], with an MQTT 5 reason and session expiry on
    /// the DISCONNECT; if the session refuses them, a plain one is sent.
    pub fn disconnect_with(&self, request: DisconnectRequest) {
        self.run(|inner, weak| {
            inner.phase = Phase::Stopped;
            inner.reconnect_timer = None;
            inner.session_timer = None;
            if inner.socket.is_some() {
                // DISCONNECT first, so the broker discards the will (MQTT-3.14.4-3),
                // unless asked to publish it (reason 0x04).
                if inner.session.disconnect_with(now_ms(), request).is_err() {
                    let _ = inner.session.disconnect(now_ms());
                }
                pump(inner, weak);
                retire_socket(inner, Some(1000));
                inner.session.handle_closed(now_ms());
                drain_events(inner);
            }
            report(inner, TransportEvent::Closed);
        });
    }

    /// Stops the link (as [`Link::disconnect_with`] does, if it has not)
    /// and hands back its session, with every flow still in it, for the next link.
    pub fn take_session(&self, request: DisconnectRequest) -> Option<Session> {
        let mut session = None;
        self.disconnect_with(request);
        self.run(|inner, _| {
            let fresh = Session::new(inner.session.config().clone());
            session = Some(std::mem::replace(&mut inner.session, fresh));
            inner.persist = None;
        });
        session
    }

    /// Edits the link's fault rules (a link opened without them ignores this).
    pub fn with_faults(&self, f: impl FnOnce(&mut FaultRules)) {
        self.run(|inner, _| {
            if let Some(wire) = inner.wire.as_mut() {
                f(wire.wire.rules_mut());
            }
        });
    }

    /// Holds the session's timers (retries) while `hold` is true, so a
    /// presenter decides when the next retry may happen; releasing them
    /// fires whatever came due meanwhile.
    pub fn hold_timers(&self, hold: bool) {
        self.run(|inner, weak| {
            inner.hold_timers = hold;
            if hold {
                inner.session_timer = None;
            } else if inner.phase == Phase::Active {
                inner.session.handle_timeout(now_ms());
                after_input(inner, weak);
            }
        });
    }

    /// Cuts the connection as a network failure would: no DISCONNECT, the
    /// socket just closes. With `reconnect` the usual backoff brings it back;
    /// without, it stays down until [`Link::reconnect_now`].
    pub fn cut(&self, reconnect: bool) {
        self.run(|inner, weak| cut_socket(inner, weak, reconnect));
    }

    /// Opens a new socket now (after a cut, or instead of waiting for the
    /// next backoff attempt); the session resumes on it.
    pub fn reconnect_now(&self) {
        self.run(|inner, weak| {
            if inner.phase == Phase::Active {
                return;
            }
            inner.reconnect_timer = None;
            let attempt = inner.backoff.attempt().max(1);
            open_socket(inner, weak, attempt);
        });
    }

    fn command<T>(
        &self,
        f: impl FnOnce(&mut Inner) -> Result<T, CommandError>,
    ) -> Result<T, CommandError> {
        let mut result = Err(CommandError::NotConnected);
        self.run(|inner, weak| {
            result = f(inner);
            after_input(inner, weak);
        });
        result
    }

    /// Runs `f` on the state, then hands the collected updates to the app
    /// after the borrow ends (the app may call back into the link).
    fn run(&self, f: impl FnOnce(&mut Inner, &Weak<RefCell<Inner>>)) {
        with_inner(&Rc::downgrade(&self.inner), f);
    }
}

/// Queues a transport event for the app, stamped with the current time.
fn report(inner: &mut Inner, event: TransportEvent) {
    inner.out.push(LinkUpdate::Transport {
        at: now_ms(),
        event,
    });
}

fn with_inner(weak: &Weak<RefCell<Inner>>, f: impl FnOnce(&mut Inner, &Weak<RefCell<Inner>>)) {
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

fn open_socket(inner: &mut Inner, weak: &Weak<RefCell<Inner>>, attempt: u32) {
    inner.retired.clear();
    // Nothing of the last socket's bytes or delays may leak into this one:
    // a packet cut in half by the drop, or a delayed frame for the old socket.
    inner.delayed.clear();
    if let Some(wire) = inner.wire.as_mut() {
        wire.wire.reset();
        wire.dropped_out.clear();
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

/// Runs `f` only if `generation` is still the current socket's.
fn with_current(
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

/// Hands bytes that arrived at `arrived` to the session, judging each packet
/// first when the link has fault rules.
fn receive(inner: &mut Inner, weak: &Weak<RefCell<Inner>>, arrived: u64, bytes: Vec<u8>) {
    let version = inner.session.config().version;
    let Some(wire) = inner.wire.as_mut() else {
        inner.session.handle_bytes(arrived, &bytes);
        after_input(inner, weak);
        return;
    };
    let now = now_ms();
    let frame = wire
        .wire
        .judge_frame(now, version, Direction::BrokerToClient, &bytes);
    for (packet, raw, cause) in frame.dropped {
        inner.out.push(LinkUpdate::Dropped {
            at: now,
            direction: Direction::BrokerToClient,
            packet: Box::new(packet),
            bytes: raw,
            cause,
        });
    }
    if frame.arrive_at > now && !frame.deliver.is_empty() {
        let bytes: Vec<u8> = frame.deliver.concat();
        delay(
            inner,
            weak,
            Direction::BrokerToClient,
            frame.arrive_at,
            bytes,
        );
    } else {
        for raw in frame.deliver {
            inner.session.handle_bytes(arrived, &raw);
        }
        after_input(inner, weak);
    }
    if frame.cut {
        drop_for_fault(inner, weak);
    }
}

/// Runs `frame` through at `due`: sent when outgoing, handed to the session
/// when incoming (the wire's FIFO clock already keeps it behind earlier ones).
fn delay(
    inner: &mut Inner,
    weak: &Weak<RefCell<Inner>>,
    direction: Direction,
    due: u64,
    frame: Vec<u8>,
) {
    let now = now_ms();
    let generation = inner.generation;
    let w = weak.clone();
    inner.next_delay += 1;
    let id = inner.next_delay;
    let timeout = Timeout::new(
        due.saturating_sub(now).min(u64::from(u32::MAX)) as u32,
        move || {
            with_current(&w, generation, |inner, weak| {
                inner.spent.clear();
                if let Some(i) = inner.delayed.iter().position(|(n, _)| *n == id) {
                    let (_, own) = inner.delayed.remove(i);
                    inner.spent.push(own);
                }
                match direction {
                    Direction::ClientToBroker => {
                        send_frame(inner, &frame);
                    }
                    Direction::BrokerToClient => {
                        inner.session.handle_bytes(now_ms(), &frame);
                        after_input(inner, weak);
                    }
                }
            });
        },
    );
    inner.delayed.push((id, timeout));
}

/// A fault rule cut the connection: as [`Link::cut`] with a reconnect.
fn drop_for_fault(inner: &mut Inner, weak: &Weak<RefCell<Inner>>) {
    cut_socket(inner, weak, true);
}

/// Closes the socket without DISCONNECT, as a network failure would.
fn cut_socket(inner: &mut Inner, weak: &Weak<RefCell<Inner>>, reconnect: bool) {
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
fn socket_failed(inner: &mut Inner, weak: &Weak<RefCell<Inner>>, detail: Option<String>) {
    let url = inner.url.clone();
    report(inner, TransportEvent::Unreachable { url, detail });
    if inner.accepted_once {
        schedule_reconnect(inner, weak);
    } else {
        inner.phase = Phase::Stopped;
    }
}

/// An open socket closed without the user asking.
fn connection_dropped(inner: &mut Inner, weak: &Weak<RefCell<Inner>>, code: u16, reason: String) {
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

/// Clears the current socket's handlers and retires it; closes it when `code` is given.
fn retire_socket(inner: &mut Inner, code: Option<u16>) {
    if let Some(socket) = inner.socket.take() {
        socket.clear_handlers();
        if let Some(code) = code {
            let _ = socket.ws.close_with_code(code);
        }
        inner.retired.push(socket);
    }
    inner.opened = false;
}

/// After every input: send what is ready, report events, re-arm the timer.
fn after_input(inner: &mut Inner, weak: &Weak<RefCell<Inner>>) {
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

/// Sends every ready transmit as one binary frame (less what the fault
/// rules lose; later, with added latency). Returns true when a rule cut the
/// connection.
fn pump(inner: &mut Inner, weak: &Weak<RefCell<Inner>>) -> bool {
    // The state these packets carry is stored before they leave.
    persist_if_changed(inner);
    let mut frame = Vec::new();
    let mut cut = false;
    let now = now_ms();
    let mut due = now;
    while let Some(transmit) = inner.session.poll_transmit() {
        let Some(wire) = inner.wire.as_mut() else {
            frame.extend_from_slice(&transmit.bytes);
            continue;
        };
        if cut {
            // Queued behind the cut: lost with the connection.
            wire.dropped_out
                .push((transmit.bytes, FaultCause::ConnectionCut));
            continue;
        }
        let judged = wire
            .wire
            .judge(now, 0, Direction::ClientToBroker, &transmit.packet);
        match judged.verdict {
            Verdict::Deliver => {
                due = judged.arrive_at;
                frame.extend_from_slice(&transmit.bytes);
            }
            Verdict::Drop { rule } => wire.dropped_out.push((transmit.bytes, rule)),
            Verdict::Cut { rule } => {
                wire.dropped_out
                    .push((transmit.bytes, FaultCause::Rule(rule)));
                cut = true;
            }
        }
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

/// Sends one binary frame on the open socket, counted.
fn send_frame(inner: &mut Inner, frame: &[u8]) {
    if let Some(socket) = &inner.socket {
        // A failed send shows up as a close event; nothing more to do here.
        let _ = socket.ws.send_with_u8_array(frame);
        inner.frames.count(frame.len(), true);
    }
}

/// Stores the session state if it changed since it was last stored.
fn persist_if_changed(inner: &mut Inner) {
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
fn drain_events(inner: &mut Inner) {
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
        let dropped = match (&event.kind, inner.wire.as_mut()) {
            (EventKind::PacketSent { packet, bytes }, Some(wire)) => wire
                .dropped_out
                .iter()
                .position(|(b, _)| b == bytes)
                .map(|i| (packet.clone(), wire.dropped_out.remove(i))),
            _ => None,
        };
        let at = event.at;
        inner.out.push(LinkUpdate::Session(Box::new(event)));
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
