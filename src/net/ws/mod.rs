//! The WebSocket driver: runs a sans-IO [`Session`] over a browser WebSocket.
//!
//! Every input (socket open, the frames that arrived since the last, close,
//! timer) goes into the session, then
//! the driver drains it: all ready transmits are sent as one binary frame
//! (the app's commands of one task, a loop of publishes, together when the
//! task ends),
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
//! [`FaultRules`](crate::mqtt::fault::FaultRules) between the session and the socket: every packet the
//! session sends and every packet the broker sends is judged, and a lost one
//! never reaches the other side (it is reported as [`LinkUpdate::Dropped`]).
//! So "drop the next PUBREC" makes a real Mosquitto and a real session do
//! their real recovery.
//!
//! The code is split by responsibility: [`Link`] is the app's handle;
//! `state` holds what a link keeps and runs each input under one borrow;
//! `socket` opens a WebSocket and handles its events; `wire` puts the
//! WebSocket in a dedicated worker, which posts frames to the page in batches; `flush` sends what
//! the session has ready and hands its events on; `fault_filter` puts the
//! fault rules between them; `pressure` holds the session's packets back
//! while the socket has not sent what it was given; `reconnect` decides
//! what a closed socket leads to.

use std::rc::Rc;
use std::sync::Arc;

use crate::mqtt::fault::{Direction, FaultCause};
use crate::mqtt::packet::Packet;
use crate::mqtt::session::{Event, Session, StateChanges};

#[cfg(all(target_arch = "wasm32", feature = "bench"))]
mod burst;
mod fault_filter;
mod flush;
mod link;
mod pressure;
mod reconnect;
mod socket;
mod state;
mod wire;

pub use link::Link;
pub use pressure::HIGH_WATER;

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
    /// The page fell behind, and the socket's worker skipped QoS 0 messages
    /// on topics it was not told to keep ([`Link::shed_when_behind`]).
    Skipped {
        /// Messages skipped on every socket of this link so far.
        total: u64,
    },
}

/// What the driver reports to the app, in order.
#[derive(Debug, Clone, PartialEq)]
pub enum LinkUpdate {
    /// An event of the session (packets, flows, connection results).
    Session(Arc<Event>),
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
    /// Of them, the frames this side sent.
    pub sent: u64,
    /// Their headers: length fields and, on frames we send, the mask.
    pub header_bytes: u64,
    /// The most bytes a socket of this link held unsent (as far as the
    /// page knew) when the link was about to send more: at most
    /// [`HIGH_WATER`] plus one frame, by the back-pressure.
    pub most_unsent: u64,
    /// QoS 0 messages that reached a socket of this link and were skipped
    /// before the session saw them, because the page was behind
    /// ([`Link::shed_when_behind`]).
    pub skipped: u64,
}

impl FrameStats {
    fn count(&mut self, payload_len: usize, masked: bool) {
        self.frames += 1;
        self.sent += u64::from(masked);
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
