//! Connection lifecycle: CONNECT and CONNACK, session take-over, resuming a
//! session, DISCONNECT, closing a transport, the will, session end.

use super::client_session::{expiry_from_secs, session_expiry, ClientSession, SessionExpiry};
use super::events::{BrokerEventKind, CloseReason, ResendReason, SessionEnd};
use super::reason;
use super::{Broker, ConnectionId};
use crate::mqtt::packet::{
    Connack, Connect, Disconnect, LastWill, Packet, Properties, ProtocolVersion, Publish, QoS,
};

impl Broker {
    pub(super) fn on_connect(&mut self, connection: ConnectionId, connect: Connect) {
        let version = connect.protocol;
        if let Some(transport) = self.transports.get_mut(&connection) {
            transport.version = version;
            transport.keep_alive_ms = u64::from(connect.keep_alive) * 1000;
            transport.decoder.set_version(version);
        }
        let assigned = connect.client_id.is_empty();
        if assigned && version == ProtocolVersion::V311 && !connect.clean_start {
            // MQTT-3.1.3-8: an empty id needs Clean Session = 1 in 3.1.1.
            return self.refuse(connection, version, reason::V311_IDENTIFIER_REJECTED);
        }
        let client_id = if assigned {
            self.assigned_ids += 1;
            format!("qoscope-sim-{}", self.assigned_ids)
        } else {
            connect.client_id.clone()
        };
        self.take_over(connection, &client_id);
        let session_present = self.open_session(connection, &client_id, &connect);
        if let Some(transport) = self.transports.get_mut(&connection) {
            transport.client_id = Some(client_id.clone());
        }
        let connack = self.connack(
            session_present,
            assigned.then(|| client_id.clone()),
            version,
        );
        self.out.send(connection, version, Packet::Connack(connack));
        self.out.event(BrokerEventKind::ClientConnected {
            connection,
            client_id: client_id.clone(),
            version,
            clean_start: connect.clean_start,
            session_present,
        });
        self.resume(&client_id);
    }

    pub(super) fn refuse(
        &mut self,
        connection: ConnectionId,
        version: ProtocolVersion,
        v311_code: u8,
    ) {
        let code = match version {
            ProtocolVersion::V311 => v311_code,
            ProtocolVersion::V5 => reason::CLIENT_ID_NOT_VALID,
        };
        let connack = Connack {
            session_present: false,
            code,
            properties: Properties::default(),
        };
        self.out.send(connection, version, Packet::Connack(connack));
        self.close_transport(connection, CloseReason::ConnectRefused, false);
    }

    /// MQTT-3.1.4-2: a second connection with the same client identifier
    /// closes the first. The session itself survives for the new connection.
    pub(super) fn take_over(&mut self, connection: ConnectionId, client_id: &str) {
        let old = self.sessions.get(client_id).and_then(|s| s.connection);
        if let Some(old) = old.filter(|old| *old != connection) {
            self.disconnect_with(
                old,
                reason::SESSION_TAKEN_OVER,
                CloseReason::SessionTakenOver,
            );
        }
    }

    /// Finds or creates the session; returns Session Present.
    pub(super) fn open_session(
        &mut self,
        connection: ConnectionId,
        client_id: &str,
        connect: &Connect,
    ) -> bool {
        if connect.clean_start && self.sessions.remove(client_id).is_some() {
            self.out.event(BrokerEventKind::SessionEnded {
                client_id: client_id.to_string(),
                reason: SessionEnd::CleanStart,
            });
        }
        let session_present = self.sessions.contains_key(client_id);
        let session = self
            .sessions
            .entry(client_id.to_string())
            .or_insert_with(|| ClientSession::new(client_id));
        session.connection = Some(connection);
        session.version = connect.protocol;
        session.expiry = session_expiry(connect);
        session.expires_at = None;
        session.receive_maximum = connect.properties.receive_maximum.unwrap_or(u16::MAX);
        session.will = connect.will.clone();
        session_present
    }

    pub(super) fn connack(
        &self,
        session_present: bool,
        assigned: Option<String>,
        version: ProtocolVersion,
    ) -> Connack {
        let mut properties = Properties::default();
        if version == ProtocolVersion::V5 {
            properties.assigned_client_identifier = assigned;
            if self.config.maximum_qos < QoS::ExactlyOnce {
                properties.maximum_qos = Some(self.config.maximum_qos.as_u8());
            }
        }
        Connack {
            session_present,
            code: reason::SUCCESS,
            properties,
        }
    }

    /// After CONNACK: resend what was in flight, in order (MQTT-4.4.0-1,
    /// MQTT-4.6.0-1), then send what was queued.
    pub(super) fn resume(&mut self, client_id: &str) {
        let Some(session) = self.sessions.get_mut(client_id) else {
            return;
        };
        let Some(connection) = session.connection else {
            return;
        };
        let now = self.out.now;
        for flow in session.outbound.iter_mut() {
            let packet = flow.resend_packet(now);
            self.out.event(BrokerEventKind::Resent {
                client_id: client_id.to_string(),
                packet_id: flow.packet_id,
                packet: packet.packet_type(),
                reason: ResendReason::Reconnect,
            });
            self.out.send(connection, session.version, packet);
        }
        self.pump(client_id);
    }

    pub(super) fn on_client_disconnect(
        &mut self,
        connection: ConnectionId,
        disconnect: Disconnect,
    ) {
        // MQTT-3.14.4-3: a normal DISCONNECT discards the will; 5.0 reason
        // 0x04 asks for it to be published anyway.
        let publish_will = disconnect.reason == 0x04;
        if let Some(expiry) = disconnect.properties.session_expiry_interval {
            if let Some(session) = self.session_of(connection) {
                session.expiry = expiry_from_secs(expiry);
            }
        }
        self.close_transport(connection, CloseReason::ClientDisconnected, publish_will);
    }

    pub(super) fn violation(&mut self, connection: ConnectionId, detail: &str) {
        self.out.event(BrokerEventKind::ProtocolViolation {
            connection,
            detail: detail.to_string(),
        });
        self.disconnect_with(
            connection,
            reason::PROTOCOL_ERROR,
            CloseReason::ProtocolError,
        );
    }

    /// Sends DISCONNECT with `code` to an MQTT 5 client, then closes.
    pub(super) fn disconnect_with(&mut self, connection: ConnectionId, code: u8, why: CloseReason) {
        let Some(transport) = self.transports.get(&connection) else {
            return;
        };
        if transport.version == ProtocolVersion::V5 && transport.client_id.is_some() {
            let disconnect = Disconnect {
                reason: code,
                properties: Properties::default(),
            };
            self.out.send(
                connection,
                transport.version,
                Packet::Disconnect(disconnect),
            );
        }
        self.close_transport(connection, why, true);
    }

    /// The broker closes `connection`: the caller is told via `poll_close`.
    pub(super) fn close_transport(
        &mut self,
        connection: ConnectionId,
        why: CloseReason,
        publish_will: bool,
    ) {
        if self.transports.contains_key(&connection) {
            self.out.closes.push_back(connection);
        }
        self.drop_transport(connection, why, publish_will);
    }

    /// Forgets `connection` and detaches its session.
    pub(super) fn drop_transport(
        &mut self,
        connection: ConnectionId,
        why: CloseReason,
        publish_will: bool,
    ) {
        let Some(transport) = self.transports.remove(&connection) else {
            return;
        };
        self.out.event(BrokerEventKind::ConnectionClosed {
            connection,
            client_id: transport.client_id.clone(),
            reason: why,
        });
        if let Some(client_id) = transport.client_id {
            self.detach(connection, &client_id, publish_will);
        }
    }

    pub(super) fn detach(&mut self, connection: ConnectionId, client_id: &str, publish_will: bool) {
        let Some(session) = self.sessions.get_mut(client_id) else {
            return;
        };
        if session.connection != Some(connection) {
            return; // already taken over by a newer connection
        }
        session.connection = None;
        let will = session.will.take().filter(|_| publish_will);
        match session.expiry {
            SessionExpiry::AtClose => self.end_session(client_id, SessionEnd::ConnectionClosed),
            SessionExpiry::AfterSecs(secs) => {
                session.expires_at = Some(self.out.now + u64::from(secs) * 1000);
            }
            SessionExpiry::Never => {}
        }
        if let Some(will) = will {
            self.publish_will(client_id, will);
        }
    }

    pub(super) fn publish_will(&mut self, client_id: &str, will: LastWill) {
        self.out.event(BrokerEventKind::WillPublished {
            client_id: client_id.to_string(),
            topic: will.topic.clone(),
        });
        let message = Publish {
            dup: false,
            qos: will.qos,
            retain: will.retain,
            topic: will.topic,
            packet_id: None,
            payload: will.payload,
            properties: will.properties,
        };
        self.route(client_id, &message);
    }

    pub(super) fn end_session(&mut self, client_id: &str, reason: SessionEnd) {
        if self.sessions.remove(client_id).is_some() {
            self.out.event(BrokerEventKind::SessionEnded {
                client_id: client_id.to_string(),
                reason,
            });
        }
    }

    pub(super) fn session_of(&mut self, connection: ConnectionId) -> Option<&mut ClientSession> {
        let client_id = self.transports.get(&connection)?.client_id.as_ref()?;
        self.sessions.get_mut(client_id)
    }
}
