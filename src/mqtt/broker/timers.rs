//! Time-driven work: keep-alive timeouts, PUBREC and PUBLISH/PUBREL resends,
//! session expiry.

use super::client_session::ClientSession;
use super::events::{BrokerEventKind, CloseReason, ResendReason, SessionEnd};
use super::reason;
use super::{ack, Broker, ConnectionId};
use crate::mqtt::packet::{Packet, PacketType, ProtocolVersion};

impl Broker {
    pub(super) fn session_deadline(&self, session: &ClientSession) -> Option<u64> {
        if session.connection.is_none() {
            return session.expires_at;
        }
        let pubrec = self.config.pubrec_resend_ms.and_then(|after| {
            session
                .inbound_qos2
                .values()
                .map(|t| t.pubrec_sent_at + after)
                .min()
        });
        let retry = self.retry_interval(session).and_then(|after| {
            session
                .outbound
                .iter()
                .map(|f| f.last_sent_at + after)
                .min()
        });
        pubrec.into_iter().chain(retry).min()
    }

    /// Resending within a connection is a 3.1.1 habit MQTT 5 forbids
    /// (MQTT 5.0 §4.4), so it never applies to MQTT 5 clients.
    pub(super) fn retry_interval(&self, session: &ClientSession) -> Option<u64> {
        self.config
            .retry_interval_ms
            .filter(|_| session.version == ProtocolVersion::V311)
    }

    pub(super) fn expire_keep_alives(&mut self, now: u64) {
        let expired: Vec<ConnectionId> = self
            .transports
            .iter()
            .filter(|(_, l)| l.keep_alive_ms > 0 && now >= l.last_heard + l.keep_alive_ms * 3 / 2)
            .map(|(c, _)| *c)
            .collect();
        for connection in expired {
            self.disconnect_with(
                connection,
                reason::KEEP_ALIVE_TIMEOUT,
                CloseReason::KeepAliveTimeout,
            );
        }
    }

    pub(super) fn session_timeouts(&mut self, now: u64, client_id: &str) {
        let Some(session) = self.sessions.get(client_id) else {
            return;
        };
        if session.connection.is_none() {
            if session.expires_at.is_some_and(|t| now >= t) {
                self.end_session(client_id, SessionEnd::Expired);
            }
            return;
        }
        self.resend_pubrecs(now, client_id);
        self.resend_outbound(now, client_id);
    }

    /// No PUBREL for [`super::BrokerConfig::pubrec_resend_ms`]: PUBREC again
    /// (the PUBREL, or the PUBREC before it, may have been lost).
    pub(super) fn resend_pubrecs(&mut self, now: u64, client_id: &str) {
        let Some(after) = self.config.pubrec_resend_ms else {
            return;
        };
        let Some(session) = self.sessions.get_mut(client_id) else {
            return;
        };
        let Some(connection) = session.connection else {
            return;
        };
        for t in session
            .inbound_qos2
            .values_mut()
            .filter(|t| now >= t.pubrec_sent_at + after)
        {
            t.pubrec_sent_at = now;
            t.pubrec_resends += 1;
            self.out.event(BrokerEventKind::Resent {
                client_id: client_id.to_string(),
                packet_id: t.packet_id,
                packet: PacketType::Pubrec,
                reason: ResendReason::Timeout,
            });
            self.out.send(
                connection,
                session.version,
                Packet::Pubrec(ack(t.packet_id, reason::SUCCESS)),
            );
        }
    }

    pub(super) fn resend_outbound(&mut self, now: u64, client_id: &str) {
        let Some(after) = self
            .sessions
            .get(client_id)
            .and_then(|s| self.retry_interval(s))
        else {
            return;
        };
        let Some(session) = self.sessions.get_mut(client_id) else {
            return;
        };
        let Some(connection) = session.connection else {
            return;
        };
        for flow in session
            .outbound
            .iter_mut()
            .filter(|f| now >= f.last_sent_at + after)
        {
            let packet = flow.resend_packet(now);
            self.out.event(BrokerEventKind::Resent {
                client_id: client_id.to_string(),
                packet_id: flow.packet_id,
                packet: packet.packet_type(),
                reason: ResendReason::Timeout,
            });
            self.out.send(connection, session.version, packet);
        }
    }
}
