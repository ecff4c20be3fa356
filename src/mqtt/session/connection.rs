//! One connection's life: CONNECT → CONNACK, keep-alive (PINGREQ /
//! PINGRESP), DISCONNECT either way, protocol errors.

use super::aliases::TopicAliases;
use super::codec;
use super::{
    BrokerLimits, CommandError, ConnState, DisconnectReason, DisconnectRequest, EventKind,
    LiveConnection, PendingRequest, Session, Timer,
};
use crate::mqtt::packet::{Connack, Connect, Disconnect, Packet, PacketType, Properties, QoS};

impl Session {
    /// The transport is open: send CONNECT. Ignored (with a `Warning`) when
    /// already connecting or connected.
    pub fn connect(&mut self, now: u64) {
        if !matches!(self.conn_state, ConnState::Disconnected) {
            return self.warn(
                now,
                "connect while already connecting or connected: ignored".into(),
            );
        }
        if self.is_v5() && matches!(self.config.retry, super::RetryPolicy::OnTimeout { .. }) {
            // MQTT-4.4.0-1 (5.0): resending is only allowed on reconnect.
            self.warn(now, "MQTT 5 forbids in-session resends: retry policy OnTimeout ignored, resending on reconnect only".into());
        }
        self.decoder =
            codec::FrameDecoder::new(self.config.version, self.config.maximum_packet_size);
        self.close_requested = false;
        self.conn_state = ConnState::Connecting;
        // What a driver held back for the last connection is not this one's
        // (and CONNECT must come first): QoS 1/2 flows are sent again from
        // their state, QoS 0 is at most once.
        self.transmits.clear();
        self.transmit_bytes = 0;
        let connect = self.connect_packet();
        if !self.try_send(now, Packet::Connect(connect)) {
            return self.close(now, DisconnectReason::InvalidConnect);
        }
        // No CONNACK in time ends the attempt, whatever the keep-alive.
        self.timers.set(
            Timer::KeepAlive,
            now + self.config.connack_timeout_ms.max(1),
        );
    }

    fn connect_packet(&self) -> Connect {
        let c = &self.config;
        let mut properties = Properties::default();
        if self.is_v5() {
            properties.session_expiry_interval = c.session_expiry_secs;
            properties.receive_maximum =
                (c.receive_maximum != u16::MAX).then_some(c.receive_maximum);
            properties.maximum_packet_size = c.maximum_packet_size;
            properties.topic_alias_maximum =
                (c.topic_alias_maximum > 0).then_some(c.topic_alias_maximum);
        }
        Connect {
            protocol: c.version,
            clean_start: c.clean_start,
            keep_alive: c.keep_alive_secs,
            client_id: c.client_id.clone(),
            will: c.will.clone(),
            username: c.username.clone(),
            password: c.password.clone(),
            properties,
        }
    }

    /// CONNACK: refused, or connected with or without the session.
    pub(crate) fn on_connack(&mut self, now: u64, connack: Connack) {
        if !matches!(self.conn_state, ConnState::Connecting) {
            return self.protocol_error(now, "a second CONNACK".into(), 0x82);
        }
        let refused = if self.is_v5() {
            connack.code >= 0x80
        } else {
            connack.code != 0
        };
        if refused {
            let reason =
                codec::reason_words(PacketType::Connack, self.config.version, connack.code);
            self.emit(
                now,
                EventKind::ConnectionRefused {
                    code: connack.code,
                    reason,
                },
            );
            return self.close(now, DisconnectReason::Refused { code: connack.code });
        }
        if connack.session_present && !self.has_state && self.is_v5() {
            // MQTT-3.2.2-4: the broker resumes a session this client has no
            // state for; carrying on would take its resends for new messages.
            return self.protocol_error(
                now,
                "the broker resumed a session for this client id that this client holds no \
                 state for (Session Present = 1); MQTT 5 requires closing (MQTT-3.2.2-4). \
                 Connect once with Clean Start to begin a new session, or use another client id"
                    .into(),
                0x82,
            );
        }
        self.has_state = true;
        let broker = self.broker_limits(&connack);
        let keep_alive_ms = u64::from(broker.keep_alive_secs) * 1000;
        self.conn_state = ConnState::Connected(LiveConnection {
            broker: broker.clone(),
            keep_alive_ms,
            aliases: TopicAliases::default(),
        });
        self.timers.stop(Timer::KeepAlive);
        if keep_alive_ms > 0 {
            self.timers.set(Timer::KeepAlive, now + keep_alive_ms);
        }
        let session_present = connack.session_present;
        self.emit(
            now,
            EventKind::Connected {
                session_present,
                broker,
            },
        );
        if session_present {
            self.resend_after_reconnect(now);
        } else {
            self.drop_unacknowledged(now);
            self.forget_incoming(now);
            self.forget_subscriptions(now);
            self.pump(now);
        }
    }

    /// The broker's CONNACK properties with the spec's defaults (§3.2.2.3).
    fn broker_limits(&self, connack: &Connack) -> BrokerLimits {
        let p = &connack.properties;
        BrokerLimits {
            receive_maximum: p.receive_maximum.filter(|m| *m > 0).unwrap_or(u16::MAX),
            topic_alias_maximum: p.topic_alias_maximum.unwrap_or(0),
            maximum_packet_size: p.maximum_packet_size,
            maximum_qos: p
                .maximum_qos
                .and_then(QoS::from_u8)
                .unwrap_or(QoS::ExactlyOnce),
            retain_available: p.retain_available != Some(0),
            // MQTT-3.2.2-21: the Server Keep Alive replaces ours.
            keep_alive_secs: p.server_keep_alive.unwrap_or(self.config.keep_alive_secs),
            assigned_client_id: p.assigned_client_identifier.clone(),
            session_expiry_secs: p
                .session_expiry_interval
                .or(self.config.session_expiry_secs),
            subscription_identifiers_available: p.subscription_identifier_available != Some(0),
        }
    }

    /// Ends the connection politely: DISCONNECT (reason 0), then
    /// `Disconnected` and `poll_close`. The session state is kept.
    pub fn disconnect(&mut self, now: u64) -> Result<(), CommandError> {
        self.disconnect_with(now, DisconnectRequest::default())
    }

    /// Ends the connection with an MQTT 5 reason code and, if given, a new
    /// Session Expiry Interval (how long the broker keeps the session now).
    /// Reason 0x04 asks the broker to publish the will all the same.
    pub fn disconnect_with(
        &mut self,
        now: u64,
        request: DisconnectRequest,
    ) -> Result<(), CommandError> {
        if matches!(self.conn_state, ConnState::Disconnected) {
            return Err(CommandError::NotConnected);
        }
        let mut disconnect = Disconnect::default();
        if request != DisconnectRequest::default() {
            if !self.is_v5() {
                return Err(CommandError::NotAllowed(
                    "a DISCONNECT reason or session expiry needs MQTT 5".into(),
                ));
            }
            let connect_expiry = self.config.session_expiry_secs.unwrap_or(0);
            if connect_expiry == 0 && request.session_expiry_secs.is_some_and(|s| s > 0) {
                return Err(CommandError::NotAllowed(
                    "the session was opened with a Session Expiry of 0: a DISCONNECT may not \
                     extend it (MQTT 5.0 §3.14.2.2.2); connect with a session expiry first"
                        .into(),
                ));
            }
            disconnect.reason = request.reason;
            disconnect.properties.session_expiry_interval = request.session_expiry_secs;
        }
        self.send(now, Packet::Disconnect(disconnect));
        self.close(now, DisconnectReason::ClientDisconnect);
        Ok(())
    }

    /// Keep-alive deadline: CONNACK overdue while connecting, otherwise
    /// nothing sent for the keep-alive period: PINGREQ (MQTT-3.1.2-23).
    pub(crate) fn on_keep_alive_due(&mut self, now: u64) {
        let Some(keep_alive_ms) = self.connection().map(|c| c.keep_alive_ms) else {
            if matches!(self.conn_state, ConnState::Connecting) {
                self.close(now, DisconnectReason::ConnackTimeout);
            }
            return;
        };
        self.send(now, Packet::Pingreq);
        let wait = self
            .config
            .pingresp_timeout_ms
            .unwrap_or(keep_alive_ms / 2)
            .max(1);
        self.timers.set(Timer::Pingresp, now + wait);
    }

    pub(crate) fn on_pingresp(&mut self, _now: u64) {
        self.timers.stop(Timer::Pingresp);
    }

    /// No PINGRESP in time: the connection is considered dead.
    pub(crate) fn on_pingresp_overdue(&mut self, now: u64) {
        self.emit(now, EventKind::KeepAliveTimeout);
        self.close(now, DisconnectReason::KeepAliveTimeout);
    }

    /// DISCONNECT from the broker (MQTT 5).
    pub(crate) fn on_server_disconnect(&mut self, now: u64, disconnect: Disconnect) {
        let code = disconnect.reason;
        let mut reason = codec::reason_words(PacketType::Disconnect, self.config.version, code);
        if let Some(text) = &disconnect.properties.reason_string {
            reason = format!("{reason}: {text}");
        }
        self.close(now, DisconnectReason::ServerDisconnect { code, reason });
    }

    /// The broker broke the protocol: report it, DISCONNECT with `code`
    /// (MQTT 5, once connected), close. Never panics, whatever arrived.
    pub(crate) fn protocol_error(&mut self, now: u64, message: String, code: u8) {
        self.emit(now, EventKind::ProtocolError { message });
        if self.is_v5() && self.is_connected() {
            let disconnect = Disconnect {
                reason: code,
                ..Default::default()
            };
            self.send(now, Packet::Disconnect(disconnect));
        }
        self.close(now, DisconnectReason::ProtocolError);
    }

    /// The session ends the connection: as `end_connection`, and `poll_close`
    /// tells the caller to close the transport.
    pub(crate) fn close(&mut self, now: u64, reason: DisconnectReason) {
        self.end_connection(now, reason);
        self.close_requested = true;
    }

    /// Leaves the connection: timers off, unanswered SUBSCRIBE/UNSUBSCRIBE
    /// reported, `Disconnected` emitted. Flows stay for the next connect.
    pub(crate) fn end_connection(&mut self, now: u64, reason: DisconnectReason) {
        self.conn_state = ConnState::Disconnected;
        self.timers.stop_all();
        for (packet_id, request) in std::mem::take(&mut self.pending) {
            self.ids.release(packet_id);
            let packet_type = match request {
                PendingRequest::Subscribe(..) => PacketType::Subscribe,
                PendingRequest::Unsubscribe(_) => PacketType::Unsubscribe,
            };
            self.emit(
                now,
                EventKind::RequestAbandoned {
                    packet_id,
                    packet_type,
                },
            );
        }
        self.emit(now, EventKind::Disconnected { reason });
    }
}
