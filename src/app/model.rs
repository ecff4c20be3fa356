//! The client view's state as plain data, fed by the driver's updates.
//!
//! [`ClientModel::apply`] turns each [`LinkUpdate`] (a session event or a
//! transport event) into what the view shows: the status pill, the error
//! line, the message list, the packet log, the subscription table and the
//! publish feedback. It does not track protocol state itself: the session's
//! events already say what happened.

use std::sync::Arc;

pub mod reasons;
pub mod said;

pub use said::{command_words, sentence_in, topic_error_sentence, topic_error_words, Said};

use super::payload::{render_payload, PayloadView};
use super::ring::Ring;
use crate::i18n::{td_string, Locale};
use crate::mqtt::packet::{PacketId, PacketType, ProtocolVersion, QoS};
use crate::mqtt::session::{
    log_line, CommandError, DisconnectReason, Event, EventKind, FilterResult, FlowDirection,
    FlowState, Message,
};
use crate::net::ws::{LinkUpdate, TransportEvent};

/// Messages kept in memory.
pub const MESSAGE_CAPACITY: usize = 500;
/// Packet log lines kept in memory.
pub const LOG_CAPACITY: usize = 2000;
/// Packet log lines the running log renders, the newest; Pause shows every
/// line it held. A flood then replaces at most this many rows a frame.
pub const LIVE_LOG_ROWS: usize = 200;
/// Message rows the list renders, the newest.
pub const LIVE_MESSAGE_ROWS: usize = 100;

/// What the status pill says.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ConnStatus {
    /// No connection and none being made.
    #[default]
    Disconnected,
    /// The first connection is being made.
    Connecting,
    /// CONNACK accepted.
    Connected,
    /// Waiting to reconnect (`in_secs` None while the attempt runs).
    Reconnecting {
        /// Seconds until the next attempt.
        in_secs: Option<u32>,
        /// Attempt number.
        attempt: u32,
    },
    /// CONNACK refused the connection.
    Refused {
        /// The reason: its code, said in the reader's language.
        reason: Said,
    },
}

impl ConnStatus {
    /// The pill's text, in English.
    pub fn label(&self) -> String {
        self.label_in(Locale::en)
    }

    /// The pill's text in `locale`.
    pub fn label_in(&self, locale: Locale) -> String {
        match self {
            ConnStatus::Disconnected => td_string!(locale, common.status_disconnected).into(),
            ConnStatus::Connecting => td_string!(locale, common.status_connecting).into(),
            ConnStatus::Connected => td_string!(locale, common.status_connected).into(),
            ConnStatus::Reconnecting {
                in_secs: Some(s),
                attempt,
            } => td_string!(
                locale,
                common.status_reconnecting_in,
                secs = s,
                attempt = attempt
            )
            .to_string(),
            ConnStatus::Reconnecting {
                in_secs: None,
                attempt,
            } => td_string!(locale, common.status_reconnecting, attempt = attempt).to_string(),
            ConnStatus::Refused { reason } => td_string!(
                locale,
                common.status_refused,
                reason = reason.words_in(locale)
            )
            .to_string(),
        }
    }

    /// A CSS class suffix: "ok", "busy", "off", "bad".
    pub fn tone(&self) -> &'static str {
        match self {
            ConnStatus::Connected => "ok",
            ConnStatus::Connecting | ConnStatus::Reconnecting { .. } => "busy",
            ConnStatus::Disconnected => "off",
            ConnStatus::Refused { .. } => "bad",
        }
    }

    /// True while a connection exists or is being made (the button then says Disconnect).
    pub fn is_active(&self) -> bool {
        matches!(
            self,
            ConnStatus::Connecting | ConnStatus::Connected | ConnStatus::Reconnecting { .. }
        )
    }
}

/// One received message, ready to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageRow {
    /// Milliseconds (session time) it was delivered.
    pub at: u64,
    /// Topic name.
    pub topic: String,
    /// Delivered (effective) QoS.
    pub qos: QoS,
    /// RETAIN flag.
    pub retain: bool,
    /// DUP flag.
    pub dup: bool,
    /// Packet id (QoS > 0).
    pub packet_id: Option<PacketId>,
    /// Payload size in bytes.
    pub size: usize,
    /// MQTT 5 Subscription Identifiers: which of our subscriptions matched.
    pub subscription_ids: Vec<u32>,
    /// Payload, rendered as text.
    pub payload: PayloadView,
}

impl MessageRow {
    /// A row for a delivered message.
    pub fn from_message(at: u64, message: &Message) -> Self {
        MessageRow {
            at,
            topic: message.topic.clone(),
            qos: message.qos,
            retain: message.retain,
            dup: message.dup,
            packet_id: message.packet_id,
            size: message.payload.len(),
            subscription_ids: message.properties.subscription_identifiers.clone(),
            payload: render_payload(&message.payload),
        }
    }

    /// The payload as the view shows it, notes in `locale`.
    pub fn payload_text_in(&self, locale: Locale) -> String {
        self.payload.text_in(self.size, locale)
    }
}

/// A packet sent or received: it only adds a packet log line.
fn is_packet_line(update: &LinkUpdate) -> bool {
    matches!(update, LinkUpdate::Session(event) if matches!(
        event.kind,
        EventKind::PacketSent { .. } | EventKind::PacketReceived { .. }
    ))
}

/// A delivered message: it only adds a message row.
fn is_delivery(update: &LinkUpdate) -> bool {
    matches!(update, LinkUpdate::Session(event) if matches!(event.kind, EventKind::Delivered { .. }))
}

/// Whether `update` changes what the status pill or the error line says (or
/// what the app does next: subscribing after CONNACK). Such updates are
/// shown in the same event-loop turn, together with everything queued before
/// them; the rest wait for the next frame.
pub fn is_urgent(update: &LinkUpdate) -> bool {
    match update {
        LinkUpdate::Transport { .. } => true,
        LinkUpdate::Session(event) => matches!(
            event.kind,
            EventKind::Connected { .. }
                | EventKind::ConnectionRefused { .. }
                | EventKind::Disconnected { .. }
                | EventKind::KeepAliveTimeout
                | EventKind::ProtocolError { .. }
                | EventKind::SubscriptionsLost { .. }
        ),
        LinkUpdate::Dropped { .. } => false,
    }
}

/// Updates waiting for the next animation frame: a flood then costs the
/// client view one render per frame instead of one per packet.
#[derive(Debug, Default)]
pub struct PendingUpdates {
    updates: Vec<LinkUpdate>,
    scheduled: bool,
}

/// What the caller of [`PendingUpdates::push`] must do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flush {
    /// Apply everything now (an urgent update, or the batch is full).
    Now,
    /// Ask for a frame (and a fallback timer), then apply.
    AtNextFrame,
    /// A frame is already asked for.
    Later,
}

impl PendingUpdates {
    /// Most updates held for one frame; more are applied at once, so a
    /// hidden tab (no frames) holds a bounded batch.
    pub const CAPACITY: usize = 4096;

    /// Queues `updates` behind those already waiting.
    pub fn push(&mut self, updates: Vec<LinkUpdate>) -> Flush {
        let urgent = updates.iter().any(is_urgent);
        self.updates.extend(updates);
        if urgent || self.updates.len() >= Self::CAPACITY {
            Flush::Now
        } else if self.scheduled {
            Flush::Later
        } else {
            self.scheduled = true;
            Flush::AtNextFrame
        }
    }

    /// Everything waiting, oldest first; the next push asks for a new frame.
    pub fn take(&mut self) -> Vec<LinkUpdate> {
        self.scheduled = false;
        std::mem::take(&mut self.updates)
    }

    /// Updates waiting.
    pub fn len(&self) -> usize {
        self.updates.len()
    }

    /// Whether nothing waits.
    pub fn is_empty(&self) -> bool {
        self.updates.is_empty()
    }
}

/// Whether a log line is a packet we sent, one we received, or a note.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogKind {
    /// A packet we sent.
    Sent,
    /// A packet we received.
    Received,
    /// Something that is not a packet (resend, duplicate suppressed, warning).
    Note,
}

/// One packet log line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    /// Milliseconds (session time).
    pub at: u64,
    /// Sent, received or note.
    pub kind: LogKind,
    /// The text (`mosquitto_pub -d` style for packets), in English.
    pub text: String,
    /// What a note says, to say it in the reader's language (None for packets).
    pub said: Option<Said>,
}

impl LogLine {
    /// The text in `locale`: a note in the reader's language, a packet as
    /// `mosquitto_pub -d` prints it.
    pub fn text_in(&self, locale: Locale) -> String {
        match &self.said {
            Some(said) => said.words_in(locale),
            None => self.text.clone(),
        }
    }
}

/// Where a subscription stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubState {
    /// SUBSCRIBE sent, no SUBACK yet.
    Pending,
    /// Granted at this QoS.
    Granted(QoS),
    /// Refused, with the reason (say it with [`Said::words_in`]).
    Failed(Said),
    /// UNSUBSCRIBE sent, no UNSUBACK yet.
    Leaving,
}

/// One row of the subscription table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriptionRow {
    /// Topic filter.
    pub filter: String,
    /// QoS asked for.
    pub requested: QoS,
    /// Packet id of the last SUBSCRIBE / UNSUBSCRIBE for it.
    pub packet_id: PacketId,
    /// Where it stands.
    pub state: SubState,
}

/// A one-line result shown under a form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feedback {
    /// The sentence, in English.
    pub text: String,
    /// False for failures (shown as an error).
    pub ok: bool,
    /// What it says, to say it in the reader's language.
    pub said: Said,
}

impl Feedback {
    fn ok(said: Said) -> Self {
        Feedback {
            text: said.words_in(Locale::en),
            ok: true,
            said,
        }
    }
    fn error(said: Said) -> Self {
        Feedback {
            text: said.words_in(Locale::en),
            ok: false,
            said,
        }
    }

    /// The sentence in `locale`.
    pub fn text_in(&self, locale: Locale) -> String {
        self.said.words_in(locale)
    }
}

/// Everything the client view shows.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientModel {
    /// The status pill.
    pub status: ConnStatus,
    /// The connection error line, if any, in English.
    pub error: Option<String>,
    /// What the error line says, to say it in the reader's language
    /// ([`ClientModel::error_in`]); set with `error`.
    pub error_said: Option<Said>,
    /// Client id used in log lines.
    pub client_id: String,
    /// Broker URL of the current connection.
    pub url: String,
    /// Received messages, newest last.
    pub messages: Ring<Arc<MessageRow>>,
    /// Packet log, newest last.
    pub log: Ring<Arc<LogLine>>,
    /// While paused, the lines the view keeps showing: a copy taken at the pause, so a burst
    /// that pushes them out of the ring cannot empty the view the operator is reading.
    pub log_paused: Option<PausedLog>,
    /// Subscriptions in the order they were made.
    pub subscriptions: Vec<SubscriptionRow>,
    /// Result of the last publish.
    pub publish_feedback: Option<Feedback>,
    /// QoS 1/2 messages waiting for the connection (or window room).
    pub queued: usize,
    /// Result of the last subscribe / unsubscribe.
    pub subscribe_feedback: Option<Feedback>,
    /// The page was loaded over https:// (it may then open only wss://).
    pub page_secure: bool,
    /// The protocol version of the last Connect: what the broker speaks on
    /// this link, whatever the form says since.
    pub version: Option<ProtocolVersion>,
}

/// The packet log as it was when the operator paused it.
#[derive(Debug, Clone, PartialEq)]
pub struct PausedLog {
    /// The sequence number of the newest line at the pause.
    pub at: u64,
    /// The lines shown while paused (shared with the ring: no text is copied).
    pub lines: Vec<(u64, Arc<LogLine>)>,
}

impl Default for ClientModel {
    fn default() -> Self {
        ClientModel {
            status: ConnStatus::Disconnected,
            error: None,
            error_said: None,
            client_id: String::new(),
            url: String::new(),
            messages: Ring::new(MESSAGE_CAPACITY),
            log: Ring::new(LOG_CAPACITY),
            log_paused: None,
            subscriptions: Vec::new(),
            publish_feedback: None,
            queued: 0,
            subscribe_feedback: None,
            page_secure: false,
            version: None,
        }
    }
}

impl ClientModel {
    /// What the empty message list says: what to do next, given the
    /// subscriptions there are.
    pub fn messages_empty_hint(&self) -> String {
        self.messages_empty_hint_in(Locale::en)
    }

    /// [`ClientModel::messages_empty_hint`] in `locale`.
    pub fn messages_empty_hint_in(&self, locale: Locale) -> String {
        let granted: Vec<&str> = self
            .subscriptions
            .iter()
            .filter(|s| matches!(s.state, SubState::Granted(_)))
            .map(|s| s.filter.as_str())
            .collect();
        if granted.is_empty() {
            td_string!(locale, protocol.messages.hint_subscribe).into()
        } else {
            td_string!(
                locale,
                protocol.messages.hint_subscribed,
                filters = granted.join(", ")
            )
            .to_string()
        }
    }

    /// The connection error line in `locale`.
    pub fn error_in(&self, locale: Locale) -> Option<String> {
        self.error_said().map(|said| said.words_in(locale))
    }

    /// What the error line says (text set from outside is shown as given).
    fn error_said(&self) -> Option<Said> {
        let english = self.error.as_ref()?;
        match &self.error_said {
            Some(said) if said == &english.as_str() => Some(said.clone()),
            _ => Some(Said::Verbatim(english.clone())),
        }
    }

    /// Sets the error line (None clears it).
    fn set_error(&mut self, said: Option<Said>) {
        self.error = said.as_ref().map(|s| s.words_in(Locale::en));
        self.error_said = said;
    }

    /// Applies one update from the driver.
    pub fn apply(&mut self, update: LinkUpdate) {
        match update {
            LinkUpdate::Transport { at, event } => self.apply_transport(at, event),
            LinkUpdate::Session(event) => self.apply_session(*event),
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
    /// The version of the connection in use: the last Connect's while the
    /// link is up or coming back, none once it has stopped.
    pub fn live_version(&self) -> Option<ProtocolVersion> {
        self.version.filter(|_| self.status.is_active())
    }

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
        }
    }

    fn apply_session(&mut self, event: Event) {
        let at = event.at;
        match event.kind {
            EventKind::PacketSent { packet, .. } => {
                self.log_line(at, LogKind::Sent, log_line(&self.client_id, true, &packet))
            }
            EventKind::PacketReceived { packet, .. } => self.log_line(
                at,
                LogKind::Received,
                log_line(&self.client_id, false, &packet),
            ),
            EventKind::Connected { .. } => {
                self.status = ConnStatus::Connected;
                self.set_error(None);
            }
            EventKind::ConnectionRefused { code, reason } => {
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
            EventKind::Delivered { message } => {
                self.messages
                    .push(Arc::new(MessageRow::from_message(at, &message)));
            }
            EventKind::PublishComplete {
                packet_id,
                qos,
                latency_ms,
            } => {
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
            EventKind::SubscriptionsLost { filters } => {
                for row in self
                    .subscriptions
                    .iter_mut()
                    .filter(|r| filters.contains(&r.filter))
                {
                    row.state = SubState::Pending;
                }
                self.note(at, Said::Resubscribing { filters });
            }
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
            } => {
                if to == FlowState::Queued {
                    self.queued += 1;
                }
                if from == FlowState::Queued {
                    self.queued = self.queued.saturating_sub(1);
                }
            }
            EventKind::Flow { .. } => {}
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

    /// Log lines the view shows (those held at the pause, while paused), matching `filter`
    /// (case-insensitive).
    pub fn visible_log(&self, filter: &str) -> Vec<(u64, Arc<LogLine>)> {
        let needle = filter.trim().to_lowercase();
        let matches =
            |line: &LogLine| needle.is_empty() || line.text.to_lowercase().contains(&needle);
        match &self.log_paused {
            Some(paused) => paused
                .lines
                .iter()
                .filter(|(_, line)| matches(line))
                .cloned()
                .collect(),
            None => {
                let mut newest: Vec<(u64, Arc<LogLine>)> = self
                    .log
                    .iter()
                    .rev()
                    .filter(|e| matches(&e.item))
                    .take(LIVE_LOG_ROWS)
                    .map(|e| (e.seq, e.item.clone()))
                    .collect();
                newest.reverse();
                newest
            }
        }
    }

    /// The message rows to render, newest first (at most [`LIVE_MESSAGE_ROWS`]).
    pub fn visible_messages(&self) -> Vec<(u64, Arc<MessageRow>)> {
        self.messages
            .iter()
            .rev()
            .take(LIVE_MESSAGE_ROWS)
            .map(|e| (e.seq, e.item.clone()))
            .collect()
    }

    /// True while the log view is paused.
    pub fn log_is_paused(&self) -> bool {
        self.log_paused.is_some()
    }

    /// Lines that arrived since the log was paused, including any the ring has since let go.
    pub fn lines_since_pause(&self) -> u64 {
        match &self.log_paused {
            Some(paused) => self.log.last_seq().unwrap_or(0).saturating_sub(paused.at),
            None => 0,
        }
    }

    /// Empties the log, and the paused view with it.
    pub fn clear_log(&mut self) {
        self.log.clear();
        if let Some(paused) = &mut self.log_paused {
            paused.lines.clear();
        }
    }

    /// Pauses or resumes the log view.
    pub fn toggle_log_pause(&mut self) {
        self.log_paused = match self.log_paused {
            Some(_) => None,
            None => Some(PausedLog {
                at: self.log.last_seq().unwrap_or(0),
                lines: self.log.iter().map(|e| (e.seq, e.item.clone())).collect(),
            }),
        };
    }

    /// The whole log as text, one line per packet, for export: local time
    /// to the millisecond, as the log shows it.
    pub fn log_text(&self) -> String {
        let mut text = String::new();
        for entry in self.log.iter() {
            let at = crate::net::clock::clock_label(entry.item.at);
            text.push_str(&format!("{at}  {}\n", entry.item.text));
        }
        text
    }
}

/// Sentence-cases a message: capital first letter, final full stop.
pub fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => {
            let mut out: String = first.to_uppercase().chain(chars).collect();
            if !out.ends_with('.') {
                out.push('.');
            }
            out
        }
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mqtt::packet::{Packet, Properties};

    fn session(at: u64, kind: EventKind) -> LinkUpdate {
        LinkUpdate::Session(Box::new(Event { at, kind }))
    }

    fn transport(event: TransportEvent) -> LinkUpdate {
        LinkUpdate::Transport { at: 0, event }
    }

    fn message(topic: &str, payload: &[u8], qos: QoS) -> Message {
        Message {
            topic: topic.into(),
            payload: payload.to_vec(),
            qos,
            retain: false,
            dup: false,
            packet_id: None,
            properties: Properties::default(),
            matched_filters: vec![],
        }
    }

    #[test]
    fn status_labels_say_what_the_connection_is_doing() {
        assert_eq!(ConnStatus::Disconnected.label(), "Disconnected");
        assert_eq!(ConnStatus::Connecting.label(), "Connecting…");
        assert_eq!(
            ConnStatus::Reconnecting {
                in_secs: Some(4),
                attempt: 3
            }
            .label(),
            "Reconnecting in 4s (attempt 3)"
        );
        assert_eq!(
            ConnStatus::Refused {
                reason: "Not authorized".into()
            }
            .label(),
            "Refused: Not authorized"
        );
    }

    #[test]
    fn a_refusal_follows_the_language_in_the_pill_and_the_error_line() {
        let mut model = ClientModel::default();
        model.connecting("c1", "ws://h", &[], 0);
        model.apply(session(
            5,
            EventKind::ConnectionRefused {
                code: 0x86,
                reason: "Bad User Name or Password".into(),
            },
        ));
        assert_eq!(model.status.label(), "Refused: Bad User Name or Password");
        assert_eq!(
            model.status.label_in(Locale::zh_CN),
            "连接被拒绝：用户名或密码错误"
        );
        assert_eq!(
            model.error.as_deref(),
            Some(
                "The broker refused the connection: Bad User Name or Password (code 0x86). \
                 Check the user name and password."
            )
        );
        assert_eq!(
            model.error_in(Locale::zh_CN).as_deref(),
            Some("代理拒绝了连接：用户名或密码错误（代码 0x86）。请检查用户名和密码。")
        );
    }

    #[test]
    fn feedback_and_notes_follow_the_language() {
        let mut model = ClientModel {
            status: ConnStatus::Connected,
            url: "ws://h".into(),
            ..Default::default()
        };
        model.published(QoS::ExactlyOnce, Ok(Some(3)));
        let feedback = model.publish_feedback.clone().unwrap();
        assert_eq!(feedback.text_in(Locale::en), feedback.text);
        assert_eq!(
            feedback.text_in(Locale::zh_CN),
            "id 3：PUBLISH 已发送，等待 PUBREC…"
        );
        model.apply(transport(TransportEvent::Lost {
            code: 1006,
            reason: String::new(),
        }));
        model.published(QoS::AtMostOnce, Err(CommandError::NotConnected));
        assert_eq!(
            model
                .publish_feedback
                .as_ref()
                .unwrap()
                .text_in(Locale::zh_CN),
            "未发送：未连接。与 ws://h 的连接已丢失（WebSocket 关闭码 1006）。请先点击“连接”。"
        );
        let note = &model.log.iter().last().unwrap().item;
        assert_eq!(note.text_in(Locale::en), note.text);
        assert_eq!(
            note.text_in(Locale::zh_CN),
            "与 ws://h 的连接已丢失（WebSocket 关闭码 1006）。"
        );
        assert_eq!(
            model.messages_empty_hint_in(Locale::zh_CN),
            "订阅一个主题（例如 alarms/#），消息就会显示在这里。"
        );
    }

    #[test]
    fn an_error_line_set_from_outside_is_shown_as_given() {
        let mut model = ClientModel::default();
        model.refuse_to_connect("Give a broker URL.".into());
        assert_eq!(
            model.error_in(Locale::zh_CN).as_deref(),
            Some("Give a broker URL.")
        );
        model.error = Some("Could not reach ws://h:1".into());
        assert_eq!(
            model.error_in(Locale::zh_CN).as_deref(),
            Some("Could not reach ws://h:1")
        );
    }

    #[test]
    fn an_unreachable_broker_is_explained() {
        let mut model = ClientModel::default();
        model.connecting("c1", "ws://127.0.0.1:1", &[], 0);
        model.apply(transport(TransportEvent::Unreachable {
            url: "ws://127.0.0.1:1".into(),
            detail: None,
        }));
        assert_eq!(model.status, ConnStatus::Disconnected);
        let error = model.error.as_deref().unwrap_or_default();
        assert!(
            error.starts_with("Nothing accepted a WebSocket at 127.0.0.1:1, or the connection")
                && error.contains("Is the broker running here"),
            "{error}"
        );
    }

    #[test]
    fn a_refusal_shows_the_reason_in_words() {
        let mut model = ClientModel::default();
        model.connecting("c1", "ws://h", &[], 0);
        model.apply(session(
            5,
            EventKind::ConnectionRefused {
                code: 5,
                reason: "not authorized".into(),
            },
        ));
        assert_eq!(model.status.label(), "Refused: not authorized");
        assert!(model
            .error
            .as_deref()
            .unwrap_or("")
            .contains("not authorized (code 0x05)"));
    }

    #[test]
    fn a_lost_connection_counts_down_to_the_next_attempt_then_reconnects() {
        let mut model = ClientModel::default();
        model.connecting("c1", "ws://h", &[], 0);
        model.apply(transport(TransportEvent::Lost {
            code: 1006,
            reason: String::new(),
        }));
        assert!(model
            .error
            .as_deref()
            .unwrap_or("")
            .contains("close code 1006"));
        model.apply(transport(TransportEvent::ReconnectIn {
            in_secs: 2,
            attempt: 1,
        }));
        assert_eq!(model.status.label(), "Reconnecting in 2s (attempt 1)");
        model.apply(transport(TransportEvent::Opening {
            url: "ws://h".into(),
            attempt: 1,
        }));
        assert_eq!(model.status.label(), "Reconnecting… (attempt 1)");
        model.apply(session(
            9,
            EventKind::Connected {
                session_present: true,
                broker: crate::mqtt::session::BrokerLimits::spec_defaults(60),
            },
        ));
        assert_eq!(model.status, ConnStatus::Connected);
        assert_eq!(model.error, None);
    }

    #[test]
    fn delivered_messages_are_kept_newest_last_and_bounded() {
        let mut model = ClientModel::default();
        for n in 0..(MESSAGE_CAPACITY + 3) {
            model.apply(session(
                n as u64,
                EventKind::Delivered {
                    message: message("alarms/fire", b"{\"n\":1}", QoS::ExactlyOnce),
                },
            ));
        }
        assert_eq!(model.messages.len(), MESSAGE_CAPACITY);
        assert_eq!(model.messages.dropped(), 3);
        let newest = &model.messages.iter().last().unwrap().item;
        assert_eq!(newest.topic, "alarms/fire");
        assert_eq!(newest.payload.kind(), "JSON");
    }

    #[test]
    fn packets_become_mosquitto_style_log_lines() {
        let mut model = ClientModel::default();
        model.connecting("qoscope-1", "ws://h", &[], 0);
        model.apply(session(
            1,
            EventKind::PacketSent {
                packet: Packet::Pingreq,
                bytes: vec![0xc0, 0],
            },
        ));
        model.apply(session(
            2,
            EventKind::PacketReceived {
                packet: Packet::Pingresp,
                bytes: vec![0xd0, 0],
            },
        ));
        let texts: Vec<String> = model.log.iter().map(|e| e.item.text.clone()).collect();
        assert_eq!(
            texts,
            vec![
                "Client qoscope-1 sending PINGREQ",
                "Client qoscope-1 received PINGRESP"
            ]
        );
        assert!(model.log_text().contains("sending PINGREQ\n"));
    }

    #[test]
    fn pausing_the_log_freezes_the_view_and_counts_new_lines() {
        let mut model = ClientModel::default();
        model.apply(session(
            1,
            EventKind::PacketSent {
                packet: Packet::Pingreq,
                bytes: vec![],
            },
        ));
        model.toggle_log_pause();
        model.apply(session(
            2,
            EventKind::PacketReceived {
                packet: Packet::Pingresp,
                bytes: vec![],
            },
        ));
        assert_eq!(model.visible_log("").len(), 1);
        assert_eq!(model.lines_since_pause(), 1);
        model.toggle_log_pause();
        assert_eq!(model.visible_log("").len(), 2);
        assert_eq!(model.visible_log("pingresp").len(), 1);
    }

    #[test]
    fn a_paused_log_keeps_its_lines_when_a_burst_pushes_them_out_of_the_ring() {
        let mut model = ClientModel::default();
        let ping = |at| {
            session(
                at,
                EventKind::PacketSent {
                    packet: Packet::Pingreq,
                    bytes: vec![],
                },
            )
        };
        for at in 0..10 {
            model.apply(ping(at));
        }
        model.toggle_log_pause();
        let before = model.visible_log("");
        for at in 10..(10 + 2 * LOG_CAPACITY as u64) {
            model.apply(ping(at));
        }
        assert_eq!(
            model.visible_log(""),
            before,
            "the paused view is unchanged"
        );
        assert_eq!(model.visible_log("").len(), 10);
        assert_eq!(model.lines_since_pause(), 2 * LOG_CAPACITY as u64);
        model.toggle_log_pause();
        assert_eq!(
            model.visible_log("").len(),
            LIVE_LOG_ROWS,
            "running: the newest"
        );
        model.toggle_log_pause();
        assert_eq!(
            model.visible_log("").len(),
            LOG_CAPACITY,
            "paused: all it held"
        );
    }

    #[test]
    fn the_messages_waiting_for_the_connection_are_counted_from_the_flows() {
        use crate::mqtt::session::{FlowDirection, FlowState};
        let flow = |id, from, to| {
            session(
                1,
                EventKind::Flow {
                    packet_id: id,
                    direction: FlowDirection::Outgoing,
                    qos: QoS::AtLeastOnce,
                    from,
                    to,
                },
            )
        };
        let mut model = ClientModel::default();
        model.connecting("c1", "ws://h", &[], 1); // one carried over in the session
        model.apply(flow(2, FlowState::New, FlowState::Queued));
        model.apply(flow(3, FlowState::New, FlowState::Queued));
        assert_eq!(model.queued, 3);
        model.apply(flow(2, FlowState::Queued, FlowState::AwaitingPuback));
        assert_eq!(model.queued, 2);
        model.apply(flow(4, FlowState::AwaitingPuback, FlowState::Queued));
        assert_eq!(
            model.queued, 3,
            "sent, then waiting again for a smaller window"
        );
    }

    #[test]
    fn a_publish_while_not_connected_says_what_becomes_of_it() {
        let mut model = ClientModel {
            status: ConnStatus::Reconnecting {
                in_secs: Some(3),
                attempt: 2,
            },
            ..Default::default()
        };
        model.published(QoS::AtLeastOnce, Ok(Some(5)));
        assert_eq!(
            model.publish_feedback.as_ref().unwrap().text,
            "id 5: queued; reconnect attempt 2 starts in 3 s and sends it."
        );
        model.status = ConnStatus::Connecting;
        model.published(QoS::ExactlyOnce, Ok(Some(6)));
        assert!(model
            .publish_feedback
            .as_ref()
            .unwrap()
            .text
            .contains("as soon as the broker accepts"));

        // Stopped: nothing is queued for a connection that is not coming.
        model.status = ConnStatus::Disconnected;
        model.error = Some("Could not reach ws://h:1".into());
        model.published(QoS::ExactlyOnce, Err(CommandError::NotConnected));
        let feedback = model.publish_feedback.clone().unwrap();
        assert!(!feedback.ok);
        assert_eq!(
            feedback.text,
            "Not sent: not connected. Could not reach ws://h:1. Press Connect first."
        );
    }

    #[test]
    fn publish_feedback_names_the_acknowledgement_and_its_latency() {
        let mut model = ClientModel {
            status: ConnStatus::Connected,
            ..Default::default()
        };
        model.published(QoS::ExactlyOnce, Ok(Some(3)));
        assert_eq!(
            model.publish_feedback.as_ref().unwrap().text,
            "id 3: PUBLISH sent, waiting for PUBREC…"
        );
        model.apply(session(
            9,
            EventKind::PublishComplete {
                packet_id: 3,
                qos: QoS::ExactlyOnce,
                latency_ms: 4,
            },
        ));
        assert_eq!(
            model.publish_feedback.as_ref().unwrap().text,
            "id 3: PUBCOMP received in 4 ms"
        );
        model.published(QoS::AtMostOnce, Err(CommandError::NotConnected));
        let feedback = model.publish_feedback.clone().unwrap();
        assert!(!feedback.ok);
        assert!(
            feedback.text.starts_with("Not connected"),
            "{}",
            feedback.text
        );
    }

    #[test]
    fn a_suback_fills_in_granted_qos_or_the_failure() {
        let mut model = ClientModel::default();
        model.subscribing("alarms/#", QoS::ExactlyOnce, Ok(1));
        model.subscribing("secret/#", QoS::AtLeastOnce, Ok(1));
        assert_eq!(model.subscriptions[0].state, SubState::Pending);
        model.apply(session(
            3,
            EventKind::Subscribed {
                packet_id: 1,
                results: vec![
                    FilterResult {
                        filter: "alarms/#".into(),
                        granted: Some(QoS::AtLeastOnce),
                        code: 1,
                        reason: "Granted QoS 1".into(),
                    },
                    FilterResult {
                        filter: "secret/#".into(),
                        granted: None,
                        code: 0x80,
                        reason: "Failure".into(),
                    },
                ],
            },
        ));
        assert_eq!(
            model.subscriptions[0].state,
            SubState::Granted(QoS::AtLeastOnce)
        );
        assert_eq!(
            model.subscriptions[1].state,
            SubState::Failed("Failure".into())
        );
    }

    #[test]
    fn an_unsuback_removes_the_row() {
        let mut model = ClientModel::default();
        model.subscribing("alarms/#", QoS::ExactlyOnce, Ok(1));
        model.unsubscribing("alarms/#", Ok(2));
        assert_eq!(model.subscriptions[0].state, SubState::Leaving);
        model.apply(session(
            3,
            EventKind::Unsubscribed {
                packet_id: 2,
                results: vec![FilterResult {
                    filter: "alarms/#".into(),
                    granted: None,
                    code: 0,
                    reason: "Success".into(),
                }],
            },
        ));
        assert!(model.subscriptions.is_empty());
    }

    #[test]
    fn the_empty_message_list_says_what_is_subscribed_and_what_to_do() {
        let mut model = ClientModel::default();
        assert!(model
            .messages_empty_hint()
            .starts_with("Subscribe to a topic"));
        model.subscribing("alarms/#", QoS::ExactlyOnce, Ok(1));
        assert!(
            model
                .messages_empty_hint()
                .starts_with("Subscribe to a topic"),
            "no SUBACK yet"
        );
        model.subscriptions[0].state = SubState::Granted(QoS::ExactlyOnce);
        assert_eq!(
            model.messages_empty_hint(),
            "Subscribed to alarms/#: nothing has arrived yet. Publish to a matching topic to see it here."
        );
    }

    #[test]
    fn a_new_connection_starts_without_the_old_subscriptions() {
        let mut model = ClientModel::default();
        model.subscribing("alarms/#", QoS::ExactlyOnce, Ok(1));
        model.connecting("c2", "ws://h", &[], 0);
        assert!(model.subscriptions.is_empty());
    }

    #[test]
    fn losing_the_connection_and_reconnecting_leave_notes_in_the_packet_log() {
        let mut model = ClientModel::default();
        model.connecting("c1", "ws://h", &[], 0);
        model.apply(transport(TransportEvent::Lost {
            code: 1006,
            reason: String::new(),
        }));
        model.apply(transport(TransportEvent::Opening {
            url: "ws://h".into(),
            attempt: 1,
        }));
        let notes: Vec<String> = model.log.iter().map(|e| e.item.text.clone()).collect();
        assert_eq!(
            notes,
            vec![
                "The connection to ws://h was lost (WebSocket close code 1006).",
                "Reconnecting to ws://h (attempt 1)…"
            ]
        );
    }

    #[test]
    fn the_live_version_is_the_connections_until_the_link_stops() {
        let mut model = ClientModel::default();
        assert_eq!(
            model.live_version(),
            None,
            "no connection: the form decides"
        );
        model.connecting("c1", "ws://h", &[], 0);
        model.version = Some(ProtocolVersion::V5);
        assert_eq!(model.live_version(), Some(ProtocolVersion::V5));
        model.apply(transport(TransportEvent::Closed));
        assert_eq!(
            model.live_version(),
            None,
            "stopped: the form decides again"
        );
    }

    #[test]
    fn a_user_disconnect_clears_the_error() {
        let mut model = ClientModel {
            error: Some("old".into()),
            status: ConnStatus::Connected,
            ..Default::default()
        };
        model.apply(transport(TransportEvent::Closed));
        assert_eq!(model.status, ConnStatus::Disconnected);
        assert_eq!(model.error, None);
    }
}
