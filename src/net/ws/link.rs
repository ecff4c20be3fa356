//! [`Link`]: the app's handle on a running connection.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use super::fault_filter::FaultFilter;
use super::flush::{after_input, drain_events, flush_later, pump};
use super::pressure::refuses;
use super::reconnect::cut_socket;
use super::socket::{open_socket, retire_socket, shed_on_socket};
use super::state::{report, with_inner, Inner, Phase};
use super::{FrameStats, Notify, Persist, TransportEvent};
use crate::mqtt::fault::FaultRules;
use crate::mqtt::packet::{PacketId, Properties, SubscribeFilter};
use crate::mqtt::session::{
    CommandError, ConnectionState, DisconnectRequest, PublishRequest, Session, SessionConfig,
};
use crate::net::clock::now_ms;

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
        let faults = FaultFilter::new(FaultRules::none());
        Link::open(url, Session::new(config), notify, Some(faults), None)
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
        faults: Option<FaultFilter>,
        persist: Option<Persist>,
    ) -> Link {
        let inner = Rc::new(RefCell::new(Inner::new(
            url, session, notify, faults, persist,
        )));
        let link = Link { inner };
        link.run(|inner, weak| open_socket(inner, weak, 0));
        link
    }

    /// When the page falls behind a flood (a frame waits in the socket's
    /// worker for more than a quarter of a second), lets the worker skip QoS
    /// 0 messages before they reach the session, except retained ones and
    /// those whose topic starts with one of `keep` (see
    /// [`literal_prefix`](crate::mqtt::topic::literal_prefix)): the page
    /// then catches up soon after the flood. QoS 1 and 2 messages are never
    /// skipped. Each skip is counted ([`FrameStats::skipped`]) and reported
    /// ([`TransportEvent::Skipped`]). A link on a page socket (no worker)
    /// skips nothing.
    pub fn shed_when_behind(&self, keep: Vec<String>) {
        if let Ok(mut inner) = self.inner.try_borrow_mut() {
            inner.shed = Some(keep);
            shed_on_socket(&inner);
        }
    }

    /// Publishes; returns the packet id for QoS > 0.
    pub fn publish(&self, req: PublishRequest) -> Result<Option<PacketId>, CommandError> {
        self.command(|inner| {
            refuses(inner, req.qos)?;
            inner.session.publish(now_ms(), req)
        })
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

    /// Of `wanted`, the filters the session neither holds nor has asked for
    /// ([`Session::missing_subscriptions`]).
    pub fn missing_subscriptions(&self, wanted: &[SubscribeFilter]) -> Vec<SubscribeFilter> {
        self.inner
            .try_borrow()
            .map(|inner| inner.session.missing_subscriptions(wanted))
            .unwrap_or_default()
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
            if let Some(faults) = inner.faults.as_mut() {
                f(faults.faulty_wire.rules_mut());
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
        self.run(|inner, weak| {
            // What was asked for before the cut was on the wire before it.
            if inner.unflushed > 0 {
                pump(inner, weak);
            }
            cut_socket(inner, weak, reconnect);
        });
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
            flush_later(inner, weak);
        });
        result
    }

    /// Runs `f` on the state, then hands the collected updates to the app
    /// after the borrow ends (the app may call back into the link).
    fn run(&self, f: impl FnOnce(&mut Inner, &Weak<RefCell<Inner>>)) {
        with_inner(&Rc::downgrade(&self.inner), f);
    }
}
