//! The client view's state as plain data, fed by the driver's updates.
//!
//! [`ClientModel::apply`] turns each [`LinkUpdate`] (a session event or a
//! transport event) into what the view shows: the status pill, the error
//! line, the message list, the packet log, the subscription table and the
//! publish feedback. It does not track protocol state itself: the session's
//! events already say what happened.

use std::sync::Arc;

mod apply;
mod log_view;
mod pending;
pub mod reasons;
mod rows;
pub mod said;
mod status;

pub use pending::{is_urgent, Flush, PendingUpdates};
pub use rows::{Feedback, LogKind, LogLine, MessageRow, SubState, SubscriptionRow};
pub use said::{command_words, sentence_in, topic_error_sentence, topic_error_words, Said};
pub use status::ConnStatus;

use super::overload::Overload;
use super::ring::Ring;
use crate::i18n::{td_string, Locale};
use crate::mqtt::packet::ProtocolVersion;

/// Messages kept in memory.
pub const MESSAGE_CAPACITY: usize = 500;
/// Packet log lines kept in memory.
pub const LOG_CAPACITY: usize = 2000;
/// Packet log lines the running log renders, the newest; Pause shows every
/// line it held. A flood then replaces at most this many rows a frame.
pub const LIVE_LOG_ROWS: usize = 200;
/// Message rows the list renders, the newest.
pub const LIVE_MESSAGE_ROWS: usize = 100;

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
    /// QoS 0 messages the link skipped because the page fell behind a
    /// flood, and when ([`Link::shed_when_behind`](crate::net::ws::Link::shed_when_behind)).
    pub skipped: Overload,
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
            skipped: Overload::default(),
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

    /// The version of the connection in use: the last Connect's while the
    /// link is up or coming back, none once it has stopped.
    pub fn live_version(&self) -> Option<ProtocolVersion> {
        self.version.filter(|_| self.status.is_active())
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
mod tests;
