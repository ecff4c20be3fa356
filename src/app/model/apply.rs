//! How each driver update and each command result changes the client model.

use std::sync::Arc;

use super::pending::{is_delivery, is_packet_line};
use super::{
    reasons, ClientModel, ConnStatus, Feedback, LogKind, LogLine, MessageRow, Said, SubState,
    SubscriptionRow,
};
use crate::i18n::Locale;
use crate::mqtt::packet::{PacketId, PacketType, QoS};
use crate::mqtt::session::{
    log_line, CommandError, DisconnectReason, Event, EventKind, FilterResult, FlowDirection,
    FlowState,
};
use crate::net::ws::{LinkUpdate, TransportEvent};

impl ClientModel {
    /// Applies one update from the driver.
    pub fn apply(&mut self, update: LinkUpdate) {
        match update {
            LinkUpdate::Transport { at, event } => self.apply_transport(at, event),
            LinkUpdate::Session(event) => {
                if !self.apply_shared(&event) {
                    self.apply_session(Arc::unwrap_or_clone(event));
                }
            }
            LinkUpdate::Dropped {
                at,
                direction,
                packet,
                cause,
                ..
            } => self.note(
                at,
                Said::FaultDrop {
                    packet: packet.packet_type(),
                    direction,
                    cause,
                },
            ),
        }
    }

    /// Applies one frame's worth of updates in order. Packet lines and
    /// message rows that later ones in the same batch would push out of
    /// their rings are counted, not built: a backlog costs the view what it
    /// can show, not what arrived.
    pub fn apply_batch(&mut self, updates: Vec<LinkUpdate>) {
        let lines = updates.iter().filter(|u| is_packet_line(u)).count();
        let rows = updates.iter().filter(|u| is_delivery(u)).count();
        let mut skip_lines = lines.saturating_sub(self.log.capacity());
        let mut skip_rows = rows.saturating_sub(self.messages.capacity());
        for update in updates {
            if skip_lines > 0 && is_packet_line(&update) {
                self.log.skip();
                skip_lines -= 1;
            } else if skip_rows > 0 && is_delivery(&update) {
                self.messages.skip();
                skip_rows -= 1;
            } else {
                self.apply(update);
            }
        }
    }

    /// The user pressed Connect with this client id and URL, with a session
    /// that holds `subscriptions` (a new one holds none; one carried over
    /// from the last connection or the last page keeps them, granted).
    pub fn connecting(
        &mut self,
        client_id: &str,
        url: &str,
        subscriptions: &[(String, QoS)],
        queued: usize,
    ) {
        self.queued = queued;
        self.subscriptions = subscriptions
            .iter()
            .map(|(filter, qos)| SubscriptionRow {
                filter: filter.clone(),
                requested: *qos,
                packet_id: 0,
                state: SubState::Granted(*qos),
            })
            .collect();
        self.subscribe_feedback = None;
        self.client_id = client_id.to_string();
        self.url = url.to_string();
        self.set_error(None);
        self.status = ConnStatus::Connecting;
    }

    /// The form could not start a connection.
    pub fn refuse_to_connect(&mut self, why: String) {
        self.set_error(Some(Said::Verbatim(why)));
    }

    fn apply_transport(&mut self, at: u64, event: TransportEvent) {
        match event {
            TransportEvent::Opening { url, attempt } => {
                if attempt > 0 {
                    let url = url.clone();
                    self.note(at, Said::Reconnecting { url, attempt });
                }
                self.url = url;
                self.status = if attempt == 0 {
                    ConnStatus::Connecting
                } else {
                    ConnStatus::Reconnecting {
                        in_secs: None,
                        attempt,
                    }
                };
            }
            TransportEvent::Open => {}
            TransportEvent::Unreachable { url, detail } => {
                let could_not = Said::CouldNotReach { url: url.clone() };
                self.note(at, could_not);
                self.set_error(Some(Said::Unreachable {
                    url,
                    detail,
                    page_secure: self.page_secure,
                }));
                if !matches!(self.status, ConnStatus::Reconnecting { .. }) {
                    self.status = ConnStatus::Disconnected;
                }
            }
            TransportEvent::Lost { code, reason } => {
                let url = self.url.clone();
                let lost = Said::Lost {
                    url: url.clone(),
                    code,
                    reason: reason.clone(),
                };
                self.note(at, lost.clone());
                if self.status == ConnStatus::Connecting && self.error.is_none() {
                    // Open, but no CONNACK yet: the WebSocket side worked, MQTT did not.
                    self.set_error(Some(Said::ClosedBeforeConnack { url, code, reason }));
                }
                // A more precise cause (keep-alive timeout, protocol error) stays.
                if self.error.is_none() {
                    self.set_error(Some(lost));
                }
                self.status = ConnStatus::Disconnected;
            }
            TransportEvent::ReconnectIn { in_secs, attempt } => {
                self.status = ConnStatus::Reconnecting {
                    in_secs: Some(in_secs),
                    attempt,
                };
            }
            TransportEvent::Closed => {
                self.status = ConnStatus::Disconnected;
                self.set_error(None);
            }
            TransportEvent::Cut { .. } => {
                let url = self.url.clone();
                self.note(at, Said::Cut { url });
                self.status = ConnStatus::Disconnected;
            }
            TransportEvent::Skipped { total } => {
                self.skipped.note(total, at);
            }
        }
    }

    /// The events of every message (its packets, its delivery), read where
    /// they are: the dashboard holds the same event until its next frame,
    /// and taking it would copy the packet. False for any other event.
    fn apply_shared(&mut self, event: &Event) -> bool {
        let at = event.at;
        match &event.kind {
            EventKind::PacketSent { packet, .. } => {
                self.log_line(at, LogKind::Sent, log_line(&self.client_id, true, packet))
            }
            EventKind::PacketReceived { packet, .. } => self.log_line(
                at,
                LogKind::Received,
                log_line(&self.client_id, false, packet),
            ),
            EventKind::Delivered { message } => {
                self.messages
                    .push(Arc::new(MessageRow::from_message(at, message)));
            }
            _ => return false,
        }
        true
    }

    /// Every other event, owned (moved out of the update if nothing else
    /// holds it).
    fn apply_session(&mut self, event: Event) {
        let at = event.at;
        match event.kind {
            // Read in place by `apply_shared`.
            EventKind::PacketSent { .. }
            | EventKind::PacketReceived { .. }
            | EventKind::Delivered { .. } => {}
            EventKind::Connected { .. } => {
                self.status = ConnStatus::Connected;
                self.set_error(None);
            }
            EventKind::ConnectionRefused { code, reason } => self.refused(code, reason),
            EventKind::PublishComplete {
                packet_id,
                qos,
                latency_ms,
            } => self.publish_complete(packet_id, qos, latency_ms),
            EventKind::PublishFailed { packet_id, reason } => {
                self.publish_feedback = Some(Feedback::error(Said::PublishFailed {
                    id: packet_id,
                    reason,
                    version: self.version.unwrap_or_default(),
                }));
            }
            EventKind::MessageDropped { packet_id, why } => {
                self.publish_feedback =
                    Some(Feedback::error(Said::MessageDropped { id: packet_id, why }));
            }
            EventKind::Subscribed { results, .. } => self.subscribed(&results),
            EventKind::Unsubscribed { results, .. } => {
                for result in &results {
                    self.subscriptions.retain(|row| row.filter != result.filter);
                }
            }
            EventKind::RequestAbandoned {
                packet_id,
                packet_type,
            } => self.request_abandoned(packet_id, packet_type),
            EventKind::SubscriptionsLost { filters } => self.subscriptions_lost(at, filters),
            EventKind::KeepAliveTimeout => self.set_error(Some(Said::KeepAliveTimeout)),
            EventKind::Disconnected { reason } => self.disconnected(reason),
            EventKind::ProtocolError { message } => {
                self.set_error(Some(Said::ProtocolError { message }));
            }
            EventKind::DuplicateSuppressed { packet_id } => {
                self.note(at, Said::DuplicateSuppressed { id: packet_id })
            }
            EventKind::Retry {
                packet_id,
                packet_type,
                attempt,
            } => self.note(
                at,
                Said::Retry {
                    id: packet_id,
                    packet: packet_type,
                    attempt,
                },
            ),
            EventKind::Warning { message } => self.note(at, Said::Warning { message }),
            EventKind::Flow {
                direction: FlowDirection::Outgoing,
                from,
                to,
                ..
            } => self.outgoing_flow(from, to),
            EventKind::Flow { .. } => {}
        }
    }

    /// CONNACK refused the connection: the error line, and the pill with the reason.
    fn refused(&mut self, code: u8, reason: String) {
        self.set_error(Some(Said::Refused {
            code,
            words: reason.clone(),
        }));
        let reason = Said::Code {
            packet: PacketType::Connack,
            version: reasons::connack_version(code),
            code,
            words: reason,
        };
        self.status = ConnStatus::Refused { reason };
    }

    /// PUBACK (QoS 1) or PUBCOMP (QoS 2) completed an outgoing publish.
    fn publish_complete(&mut self, packet_id: PacketId, qos: QoS, latency_ms: u64) {
        let ack = if qos == QoS::ExactlyOnce {
            PacketType::Pubcomp
        } else {
            PacketType::Puback
        };
        self.publish_feedback = Some(Feedback::ok(Said::Completed {
            id: packet_id,
            ack,
            latency_ms,
        }));
    }

    /// The broker kept no session: the rows wait for their SUBACK again.
    fn subscriptions_lost(&mut self, at: u64, filters: Vec<String>) {
        for row in self
            .subscriptions
            .iter_mut()
            .filter(|r| filters.contains(&r.filter))
        {
            row.state = SubState::Pending;
        }
        self.note(at, Said::Resubscribing { filters });
    }

    /// An outgoing message moved between flow states: count those queued.
    fn outgoing_flow(&mut self, from: FlowState, to: FlowState) {
        if to == FlowState::Queued {
            self.queued += 1;
        }
        if from == FlowState::Queued {
            self.queued = self.queued.saturating_sub(1);
        }
    }

    fn disconnected(&mut self, reason: DisconnectReason) {
        match reason {
            DisconnectReason::ServerDisconnect { code, reason } => {
                self.set_error(Some(Said::ServerDisconnect {
                    code,
                    words: reason,
                }));
            }
            DisconnectReason::ConnackTimeout => {
                let url = self.url.clone();
                self.set_error(Some(Said::ConnackTimeout { url }));
            }
            _ => {}
        }
    }

    fn subscribed(&mut self, results: &[FilterResult]) {
        let version = self.version.unwrap_or_default();
        for result in results {
            if let Some(row) = self
                .subscriptions
                .iter_mut()
                .find(|r| r.filter == result.filter)
            {
                row.state = match result.granted {
                    Some(qos) if result.is_success() => SubState::Granted(qos),
                    _ => SubState::Failed(Said::Code {
                        packet: PacketType::Suback,
                        version,
                        code: result.code,
                        words: result.reason.clone(),
                    }),
                };
            }
        }
    }

    fn request_abandoned(&mut self, packet_id: PacketId, packet_type: PacketType) {
        for row in self
            .subscriptions
            .iter_mut()
            .filter(|r| r.packet_id == packet_id)
        {
            row.state = SubState::Failed(Said::NoAnswerShort);
        }
        self.subscribe_feedback = Some(Feedback::error(Said::NoAnswer {
            id: packet_id,
            packet: packet_type,
        }));
    }

    fn log_line(&mut self, at: u64, kind: LogKind, text: String) {
        let said = None;
        self.log.push(Arc::new(LogLine {
            at,
            kind,
            text,
            said,
        }));
    }

    fn note(&mut self, at: u64, said: Said) {
        let text = said.words_in(Locale::en);
        self.log.push(Arc::new(LogLine {
            at,
            kind: LogKind::Note,
            text,
            said: Some(said),
        }));
    }

    /// The result of a publish command.
    pub fn published(&mut self, qos: QoS, result: Result<Option<PacketId>, CommandError>) {
        self.publish_feedback = Some(match result {
            Ok(None) => Feedback::ok(Said::Qos0Sent),
            Ok(Some(id)) => {
                let waiting = if qos == QoS::ExactlyOnce {
                    PacketType::Pubrec
                } else {
                    PacketType::Puback
                };
                Feedback::ok(match &self.status {
                    ConnStatus::Connected => Said::Sent { id, waiting },
                    ConnStatus::Reconnecting {
                        in_secs: Some(secs),
                        attempt,
                    } => Said::QueuedForAttempt {
                        id,
                        attempt: *attempt,
                        secs: *secs,
                    },
                    _ => Said::Queued { id },
                })
            }
            Err(CommandError::NotConnected) if !self.status.is_active() => {
                Feedback::error(Said::NotConnected {
                    why: self.error_said().map(Box::new),
                })
            }
            Err(e) => Feedback::error(Said::Command(e)),
        });
    }

    /// The result of a subscribe command for `filter`.
    pub fn subscribing(&mut self, filter: &str, qos: QoS, result: Result<PacketId, CommandError>) {
        match result {
            Ok(packet_id) => {
                let row = SubscriptionRow {
                    filter: filter.to_string(),
                    requested: qos,
                    packet_id,
                    state: SubState::Pending,
                };
                match self.subscriptions.iter_mut().find(|r| r.filter == filter) {
                    Some(existing) => *existing = row,
                    None => self.subscriptions.push(row),
                }
                self.subscribe_feedback = None;
            }
            Err(e) => self.subscribe_feedback = Some(Feedback::error(Said::Command(e))),
        }
    }

    /// The result of an unsubscribe command for `filter`.
    pub fn unsubscribing(&mut self, filter: &str, result: Result<PacketId, CommandError>) {
        match result {
            Ok(packet_id) => {
                if let Some(row) = self.subscriptions.iter_mut().find(|r| r.filter == filter) {
                    row.state = SubState::Leaving;
                    row.packet_id = packet_id;
                }
            }
            Err(CommandError::NotConnected) => {
                // Nothing to tell the broker: just forget the row.
                self.subscriptions.retain(|r| r.filter != filter);
            }
            Err(e) => self.subscribe_feedback = Some(Feedback::error(Said::Command(e))),
        }
    }
}
