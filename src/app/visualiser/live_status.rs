//! Where each live client stands, for the status bar over the diagram and
//! the header's pill.

use crate::i18n::{td_string, Locale};
use crate::mqtt::packet::QoS;
use crate::mqtt::session::EventKind;
use crate::net::ws::{LinkUpdate, TransportEvent};

/// Where one live client stands, for the status bar over the diagram.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum LinkStatus {
    /// No connection asked for yet.
    #[default]
    Idle,
    /// Opening the WebSocket, or CONNECT sent.
    Connecting,
    /// CONNACK accepted.
    Connected,
    /// SUBACK granted the subscription at this QoS.
    Subscribed {
        /// The filter.
        filter: String,
        /// What the broker granted.
        granted: QoS,
    },
    /// Down, coming back by itself in `in_secs` (None: trying now).
    Reconnecting {
        /// Seconds to the next attempt.
        in_secs: Option<u32>,
    },
    /// Down until a reconnect is asked for.
    Down(Trouble),
    /// Cannot work as set up: unreachable, refused, or a bad form.
    Failed(Trouble),
}

/// What went wrong with a live client's connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trouble {
    /// The broker could not be reached at this URL.
    Unreachable(String),
    /// The WebSocket closed with this code.
    Lost(u16),
    /// The connection was cut (fault injection).
    Cut,
    /// CONNACK refused, for this reason (the protocol's words).
    Refused(String),
    /// SUBACK refused the subscription.
    SubscriptionRefused {
        /// The filter.
        filter: String,
        /// The reason (the protocol's words).
        reason: String,
    },
    /// The subscription could not be sent.
    SubscribeFailed(String),
    /// Anything else, in words already.
    Other(String),
}

impl From<&str> for Trouble {
    fn from(why: &str) -> Self {
        Trouble::Other(why.to_string())
    }
}

impl From<String> for Trouble {
    fn from(why: String) -> Self {
        Trouble::Other(why)
    }
}

impl Trouble {
    /// What went wrong, in `locale`.
    pub fn words_in(&self, locale: Locale) -> String {
        match self {
            Trouble::Unreachable(url) => {
                td_string!(locale, visualiser.live.unreachable, url = url).to_string()
            }
            Trouble::Lost(code) => {
                td_string!(locale, visualiser.live.lost, code = code).to_string()
            }
            Trouble::Cut => td_string!(locale, visualiser.live.cut).to_string(),
            Trouble::Refused(reason) => {
                td_string!(locale, visualiser.live.refused, reason = reason).to_string()
            }
            Trouble::SubscriptionRefused { filter, reason } => td_string!(
                locale,
                visualiser.live.subscription_refused,
                filter = filter,
                reason = reason
            )
            .to_string(),
            Trouble::SubscribeFailed(why) => {
                td_string!(locale, visualiser.live.subscribe_failed, why = why).to_string()
            }
            Trouble::Other(why) => why.clone(),
        }
    }
}

impl LinkStatus {
    /// Follow `updates` of this client's link.
    pub fn apply(&mut self, updates: &[LinkUpdate]) {
        for update in updates {
            let next = match update {
                LinkUpdate::Transport { event, .. } => match event {
                    TransportEvent::Opening { attempt: 0, .. } => Some(LinkStatus::Connecting),
                    TransportEvent::Opening { .. } => {
                        Some(LinkStatus::Reconnecting { in_secs: None })
                    }
                    TransportEvent::ReconnectIn { in_secs, .. } => Some(LinkStatus::Reconnecting {
                        in_secs: Some(*in_secs),
                    }),
                    TransportEvent::Unreachable { url, .. } => {
                        // While reconnecting, an unreachable broker is one more failed attempt.
                        (!matches!(self, LinkStatus::Reconnecting { .. }))
                            .then(|| LinkStatus::Failed(Trouble::Unreachable(url.clone())))
                    }
                    TransportEvent::Lost { code, .. } => {
                        Some(LinkStatus::Down(Trouble::Lost(*code)))
                    }
                    TransportEvent::Cut { reconnect: false } => {
                        Some(LinkStatus::Down(Trouble::Cut))
                    }
                    TransportEvent::Cut { reconnect: true } => {
                        Some(LinkStatus::Reconnecting { in_secs: None })
                    }
                    TransportEvent::Closed => Some(LinkStatus::Idle),
                    // The visualiser's links never skip anything.
                    TransportEvent::Open | TransportEvent::Skipped { .. } => None,
                },
                LinkUpdate::Session(event) => match &event.kind {
                    EventKind::Connected { .. } => Some(LinkStatus::Connected),
                    EventKind::ConnectionRefused { reason, .. } => {
                        Some(LinkStatus::Failed(Trouble::Refused(reason.clone())))
                    }
                    EventKind::Subscribed { results, .. } => {
                        results.first().map(|r| match r.granted {
                            Some(granted) => LinkStatus::Subscribed {
                                filter: r.filter.clone(),
                                granted,
                            },
                            None => LinkStatus::Failed(Trouble::SubscriptionRefused {
                                filter: r.filter.clone(),
                                reason: r.reason.to_string(),
                            }),
                        })
                    }
                    _ => None,
                },
                LinkUpdate::Dropped { .. } => None,
            };
            if let Some(next) = next {
                *self = next;
            }
        }
    }

    /// Words for the status bar, in English.
    pub fn words(&self) -> String {
        self.words_in(Locale::en)
    }

    /// Words for the status bar, in `locale`.
    pub fn words_in(&self, locale: Locale) -> String {
        match self {
            LinkStatus::Idle => td_string!(locale, common.link_idle).into(),
            LinkStatus::Connecting => td_string!(locale, common.link_connecting).into(),
            LinkStatus::Connected => td_string!(locale, common.link_connected).into(),
            LinkStatus::Subscribed { filter, granted } => td_string!(
                locale,
                common.link_subscribed_to,
                filter = filter,
                qos = granted.as_u8()
            )
            .to_string(),
            LinkStatus::Reconnecting { in_secs: Some(s) } => {
                td_string!(locale, common.link_reconnecting_in, secs = s).to_string()
            }
            LinkStatus::Reconnecting { in_secs: None } => {
                td_string!(locale, common.link_reconnecting).into()
            }
            LinkStatus::Down(why) | LinkStatus::Failed(why) => why.words_in(locale),
        }
    }

    /// One or two words in `locale`, for the header's pill (the status bar has the details).
    pub fn short_in(&self, locale: Locale) -> &'static str {
        match self {
            LinkStatus::Idle => td_string!(locale, common.link_idle),
            LinkStatus::Connecting => td_string!(locale, common.link_connecting),
            LinkStatus::Connected => td_string!(locale, common.link_connected),
            LinkStatus::Subscribed { .. } => td_string!(locale, common.link_subscribed),
            LinkStatus::Reconnecting { .. } => td_string!(locale, common.link_reconnecting),
            LinkStatus::Down(_) => td_string!(locale, common.link_down),
            LinkStatus::Failed(_) => td_string!(locale, common.link_failed),
        }
    }

    /// The header pill's tone, as [`crate::app::model::ConnStatus::tone`] names them.
    pub fn tone(&self) -> &'static str {
        match self {
            LinkStatus::Connected | LinkStatus::Subscribed { .. } => "ok",
            LinkStatus::Connecting | LinkStatus::Reconnecting { .. } => "busy",
            LinkStatus::Idle | LinkStatus::Down(_) => "off",
            LinkStatus::Failed(_) => "bad",
        }
    }

    /// CSS modifier: `ok`, `busy`, `down` or `failed`.
    pub fn class(&self) -> &'static str {
        match self {
            LinkStatus::Connected | LinkStatus::Subscribed { .. } => "ok",
            LinkStatus::Connecting | LinkStatus::Reconnecting { .. } => "busy",
            LinkStatus::Idle | LinkStatus::Down(_) => "down",
            LinkStatus::Failed(_) => "failed",
        }
    }

    /// True when the connection is up.
    pub fn is_up(&self) -> bool {
        matches!(self, LinkStatus::Connected | LinkStatus::Subscribed { .. })
    }
}
