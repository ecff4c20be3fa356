//! Turning the two live links' updates into diagram events.
//!
//! Live mode runs two real sessions against a real broker: the publisher's
//! and the subscriber's. Each sees only its own hop, so its packets become
//! arrows between its lane and the broker ([`adapt::from_session_event`]).
//! What the sessions cannot see comes from the links: a packet the fault
//! rules lost ([`LinkUpdate::Dropped`]) is drawn as an arrow ending in a
//! cross, and a cut or a reconnect is written on the client's lane. The
//! broker's side is inferred only where the wire proves it: a PUBREC from
//! the broker means it stored the id, a PUBCOMP that it released it; a PUBLISH
//! it sent the subscriber opens its sender flow; a PUBLISH the subscriber
//! receives at a lower QoS than it was published at is a downgrade.

use std::collections::{BTreeMap, VecDeque};

use crate::i18n::{td_string, Locale};
use crate::mqtt::fault::Direction;
use crate::mqtt::packet::{Packet, PacketType, ProtocolVersion, QoS};
use crate::mqtt::session::{Event, EventKind, FlowDirection, FlowState};
use crate::net::ws::{LinkUpdate, TransportEvent};

use super::adapt::{downgrade_note, flow_note, from_session_event, ClientRole, FlowChange};
use super::faults::Hop;
use super::model::{Arrow, DiagramEvent, Lane, LaneNote, PacketSummary};
use super::sim_trace::loss_words;
use super::words::NoteWords;

/// Most events a live diagram keeps; older ones are let go in chunks, so a
/// broker left running all day costs bounded memory.
pub const MAX_EVENTS: usize = 6_000;
/// How many publishes are remembered to spot a downgrade.
const REMEMBERED_PUBLISHES: usize = 64;

/// Accumulates the diagram of a live run.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveTranscript {
    version: ProtocolVersion,
    /// (topic, payload, QoS) of the publisher's latest PUBLISHes.
    published: VecDeque<(String, Vec<u8>, QoS)>,
    /// A retry note, written beside the resent packet (the session reports
    /// the retry just before the packet).
    retry_note: Option<DiagramEvent>,
    /// The broker's flows as the wire shows them, per hop and packet id.
    broker_flows: BTreeMap<(Hop, u16), FlowState>,
}

impl LiveTranscript {
    /// A transcript of clients speaking `version`.
    pub fn new(version: ProtocolVersion) -> Self {
        LiveTranscript {
            version,
            published: VecDeque::new(),
            retry_note: None,
            broker_flows: BTreeMap::new(),
        }
    }

    /// Adds `role`'s updates to `events`; returns the one-shot drops that
    /// fired, so the fault panel can disarm them.
    pub fn ingest(
        &mut self,
        events: &mut Vec<DiagramEvent>,
        role: ClientRole,
        updates: &[LinkUpdate],
    ) -> Vec<(PacketType, Hop)> {
        let mut used = Vec::new();
        for (i, update) in updates.iter().enumerate() {
            match update {
                LinkUpdate::Session(event) => {
                    // A packet the link lost right after the session sent it.
                    let lost = matches!(
                        (&event.kind, updates.get(i + 1)),
                        (EventKind::PacketSent { bytes, .. }, Some(LinkUpdate::Dropped { bytes: b, .. }))
                            if b == bytes
                    );
                    self.session(events, role, event);
                    if let Some(packet) = wire_packet(event) {
                        let received = matches!(event.kind, EventKind::PacketReceived { .. });
                        if received || !lost {
                            self.infer_broker(events, role, event.at, received, packet);
                        }
                    }
                }
                LinkUpdate::Dropped {
                    at,
                    direction,
                    packet,
                    bytes,
                    cause,
                } => {
                    if *direction == Direction::BrokerToClient {
                        // The broker did send it: what it says about the broker holds.
                        self.infer_broker(events, role, *at, true, packet);
                    }
                    let why = loss_words(cause);
                    mark_dropped(
                        events,
                        role,
                        *at,
                        *direction,
                        packet,
                        bytes,
                        &why,
                        self.version,
                    );
                    if let crate::mqtt::fault::FaultCause::Rule(
                        crate::mqtt::fault::TargetedRule::DropNext { packet, .. },
                    ) = cause
                    {
                        used.push((*packet, hop_of(role)));
                    }
                }
                LinkUpdate::Transport { at, event } => {
                    if let Some(text) = transport_words(event) {
                        events.push(note(role.lane(), *at, text));
                    }
                }
            }
        }
        bound(events);
        used
    }

    fn session(&mut self, events: &mut Vec<DiagramEvent>, role: ClientRole, event: &Event) {
        match (&event.kind, role) {
            (
                EventKind::PacketSent {
                    packet: Packet::Publish(p),
                    ..
                },
                ClientRole::Publisher,
            ) => {
                if self.published.len() == REMEMBERED_PUBLISHES {
                    self.published.pop_front();
                }
                self.published
                    .push_back((p.topic.clone(), p.payload.clone(), p.qos));
            }
            (
                EventKind::PacketReceived {
                    packet: Packet::Publish(p),
                    ..
                },
                ClientRole::Subscriber,
            ) => {
                let published = self
                    .published
                    .iter()
                    .rev()
                    .find(|(topic, payload, _)| *topic == p.topic && *payload == p.payload)
                    .map(|(_, _, qos)| *qos);
                if let Some(note) = published.and_then(|q| downgrade_note(event.at, q, p.qos)) {
                    events.push(DiagramEvent::Note(note));
                }
            }
            _ => {}
        }
        if let EventKind::Retry {
            packet_id,
            packet_type,
            attempt,
        } = &event.kind
        {
            self.retry_note = Some(note(
                role.lane(),
                event.at,
                NoteWords::Retry {
                    packet_id: *packet_id,
                    packet: *packet_type,
                    attempt: *attempt,
                },
            ));
            return;
        }
        let extra = match &event.kind {
            EventKind::Connected {
                session_present, ..
            } => Some(NoteWords::Connected {
                session_present: *session_present,
            }),
            EventKind::ConnectionRefused { reason, .. } => Some(NoteWords::Refused {
                reason: reason.clone(),
            }),
            _ => None,
        };
        if let Some(text) = extra {
            events.push(note(role.lane(), event.at, text));
        }
        if let Some(drawn) = from_session_event(role, self.version, event) {
            events.push(drawn);
        }
        if matches!(event.kind, EventKind::PacketSent { .. }) {
            events.extend(self.retry_note.take());
        }
    }
}

impl LiveTranscript {
    /// Notes the broker's flow state where `packet` (received by `role`'s
    /// client when `received`, else sent by it and delivered) proves it.
    fn infer_broker(
        &mut self,
        events: &mut Vec<DiagramEvent>,
        role: ClientRole,
        at: u64,
        received: bool,
        packet: &Packet,
    ) {
        use FlowDirection::{Incoming, Outgoing};
        use FlowState::*;
        let hop = hop_of(role);
        let change = match (role, received, packet) {
            // The broker as the publisher's QoS 2 receiver.
            (ClientRole::Publisher, true, Packet::Pubrec(r)) => {
                Some((r.packet_id, Incoming, QoS::ExactlyOnce, IdStored))
            }
            (ClientRole::Publisher, true, Packet::Pubcomp(r)) => {
                Some((r.packet_id, Incoming, QoS::ExactlyOnce, Done))
            }
            // The broker as the subscriber's sender.
            (ClientRole::Subscriber, true, Packet::Publish(p)) => match (p.qos, p.packet_id) {
                (QoS::AtLeastOnce, Some(id)) => Some((id, Outgoing, p.qos, AwaitingPuback)),
                (QoS::ExactlyOnce, Some(id)) => Some((id, Outgoing, p.qos, AwaitingPubrec)),
                _ => None,
            },
            (ClientRole::Subscriber, true, Packet::Pubrel(r)) => {
                Some((r.packet_id, Outgoing, QoS::ExactlyOnce, AwaitingPubcomp))
            }
            (ClientRole::Subscriber, false, Packet::Puback(r)) => {
                Some((r.packet_id, Outgoing, QoS::AtLeastOnce, Done))
            }
            (ClientRole::Subscriber, false, Packet::Pubcomp(r)) => {
                Some((r.packet_id, Outgoing, QoS::ExactlyOnce, Done))
            }
            _ => None,
        };
        let Some((id, direction, qos, to)) = change else {
            return;
        };
        let from = self.broker_flows.get(&(hop, id)).copied().unwrap_or(New);
        if from == to || (from == New && to == Done) {
            // A resend of what the broker already did, or the end of a flow
            // this page never saw begin.
            return;
        }
        if to == Done {
            self.broker_flows.remove(&(hop, id));
        } else {
            self.broker_flows.insert((hop, id), to);
        }
        let mut n = flow_note(
            Lane::Broker,
            at,
            FlowChange {
                packet_id: id,
                direction,
                qos,
                from,
                to,
            },
        );
        if let Some(chip) = n.flow.as_mut() {
            // The role, as the simulation's clients are named: worded at render.
            chip.peer = Some(role.lane().title().to_lowercase());
        }
        events.push(DiagramEvent::Note(n));
    }
}

/// The packet of a packet event.
fn wire_packet(event: &Event) -> Option<&Packet> {
    match &event.kind {
        EventKind::PacketSent { packet, .. } | EventKind::PacketReceived { packet, .. } => {
            Some(packet)
        }
        _ => None,
    }
}

/// Marks the arrow of an outgoing packet the link lost (the session already
/// reported it sent), or draws an incoming one the session never saw.
#[allow(clippy::too_many_arguments)]
fn mark_dropped(
    events: &mut Vec<DiagramEvent>,
    role: ClientRole,
    at: u64,
    direction: Direction,
    packet: &Packet,
    bytes: &[u8],
    why: &str,
    version: ProtocolVersion,
) {
    let lane = role.lane();
    if direction == Direction::ClientToBroker {
        let sent = events.iter_mut().rev().find_map(|e| match e {
            DiagramEvent::Arrow(a)
                if a.from == lane && a.dropped.is_none() && a.packet.bytes == bytes =>
            {
                Some(a)
            }
            _ => None,
        });
        if let Some(arrow) = sent {
            arrow.dropped = Some(why.to_string());
            return;
        }
    }
    let (from, to) = match direction {
        Direction::ClientToBroker => (lane, Lane::Broker),
        Direction::BrokerToClient => (Lane::Broker, lane),
    };
    events.push(DiagramEvent::Arrow(Arrow {
        from,
        to,
        sent_at: at,
        arrive_at: at,
        packet: PacketSummary::new(packet, bytes.to_vec(), version),
        dropped: Some(why.to_string()),
    }));
}

/// What a lane says about its connection.
fn transport_words(event: &TransportEvent) -> Option<NoteWords> {
    Some(match event {
        TransportEvent::Cut { .. } => NoteWords::Cut,
        TransportEvent::Opening { attempt, .. } if *attempt > 0 => NoteWords::Reconnecting,
        TransportEvent::Lost { code, .. } => NoteWords::ConnectionLost { code: *code },
        TransportEvent::Unreachable { url, .. } => NoteWords::Unreachable { url: url.clone() },
        _ => return None,
    })
}

fn note(lane: Lane, at: u64, words: NoteWords) -> DiagramEvent {
    DiagramEvent::Note(LaneNote::said(lane, at, words, None))
}

/// The hop a client's link is.
pub fn hop_of(role: ClientRole) -> Hop {
    match role {
        ClientRole::Publisher => Hop::PublisherBroker,
        ClientRole::Subscriber => Hop::BrokerSubscriber,
    }
}

/// Lets the oldest quarter go once the diagram holds [`MAX_EVENTS`].
fn bound(events: &mut Vec<DiagramEvent>) {
    if events.len() > MAX_EVENTS {
        events.drain(..MAX_EVENTS / 4);
    }
}

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
                    TransportEvent::Open => None,
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
