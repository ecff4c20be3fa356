//! The status pill: what the connection is doing, in words and a tone.

use super::Said;
use crate::i18n::{td_string, Locale};

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
