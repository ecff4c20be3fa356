//! SUBSCRIBE / SUBACK and UNSUBSCRIBE / UNSUBACK, and the granted QoS per
//! filter that gives every delivery its effective QoS.

use super::{CommandError, EventKind, FilterResult, PendingRequest, Session, Subscription};
use crate::mqtt::packet::{
    Packet, PacketId, PacketType, Properties, PropertyValues, QoS, Suback, Subscribe,
    SubscribeFilter, Unsuback, Unsubscribe,
};
use crate::mqtt::topic::validate_topic_filter;

/// The Subscription Identifiers a SUBSCRIBE may carry (MQTT-3.8.2.1.2: a
/// Variable Byte Integer, 0 not allowed).
pub const SUBSCRIPTION_IDS: std::ops::RangeInclusive<u32> = 1..=268_435_455;

impl Session {
    /// Subscribes; the result per filter comes in a `Subscribed` event.
    pub fn subscribe(
        &mut self,
        now: u64,
        filters: Vec<SubscribeFilter>,
    ) -> Result<PacketId, CommandError> {
        self.subscribe_with(now, filters, Properties::default())
    }

    /// Subscribes with MQTT 5 properties: a Subscription Identifier (the
    /// broker then tags every message this subscription delivers with it)
    /// and user properties.
    pub fn subscribe_with(
        &mut self,
        now: u64,
        filters: Vec<SubscribeFilter>,
        properties: Properties,
    ) -> Result<PacketId, CommandError> {
        for f in &filters {
            check_filter(&f.filter)?;
        }
        self.check_subscribe_properties(&properties)?;
        let packet_id = self.request_id(filters.is_empty())?;
        let packet = Packet::Subscribe(Subscribe {
            packet_id,
            filters: filters.clone(),
            properties: properties.clone(),
        });
        self.send_request(
            now,
            packet,
            PendingRequest::Subscribe(filters, Box::new(properties)),
        )
    }

    /// Of `wanted`, the filters this session neither holds nor has asked
    /// for (a SUBSCRIBE awaiting its SUBACK): what a caller still has to
    /// subscribe. The session owns its subscriptions, and resubscribes by
    /// itself when a broker lost them ([`super::SessionConfig::resubscribe`]),
    /// so whoever wants filters asks here and never sends one twice.
    pub fn missing_subscriptions(&self, wanted: &[SubscribeFilter]) -> Vec<SubscribeFilter> {
        let requested = |filter: &str| {
            self.pending.values().any(|p| {
                matches!(p, PendingRequest::Subscribe(fs, _) if fs.iter().any(|f| f.filter == filter))
            })
        };
        wanted
            .iter()
            .filter(|w| !self.subscriptions.contains_key(&w.filter) && !requested(&w.filter))
            .cloned()
            .collect()
    }

    /// MQTT-3.8.2.1.2: at most one Subscription Identifier, 1 to 268,435,455,
    /// and only to a broker that has not said it supports none; properties
    /// only in MQTT 5.
    fn check_subscribe_properties(&self, properties: &Properties) -> Result<(), CommandError> {
        if properties.is_empty() {
            return Ok(());
        }
        if !self.is_v5() {
            return Err(CommandError::NotAllowed(
                "SUBSCRIBE properties (subscription identifier, user properties) need MQTT 5"
                    .into(),
            ));
        }
        let ids = &properties.subscription_identifiers;
        if ids.len() > 1 || ids.iter().any(|id| !SUBSCRIPTION_IDS.contains(id)) {
            return Err(CommandError::NotAllowed(
                "a SUBSCRIBE carries one subscription identifier, from 1 to 268,435,455".into(),
            ));
        }
        if !ids.is_empty()
            && self
                .broker()
                .is_some_and(|b| !b.subscription_identifiers_available)
        {
            return Err(CommandError::NotAllowed(
                "the broker does not support subscription identifiers (CONNACK)".into(),
            ));
        }
        Ok(())
    }

    /// Unsubscribes; the result per filter comes in an `Unsubscribed` event.
    pub fn unsubscribe(
        &mut self,
        now: u64,
        filters: Vec<String>,
    ) -> Result<PacketId, CommandError> {
        self.unsubscribe_with(now, filters, Properties::default())
    }

    /// Unsubscribes with MQTT 5 properties (user properties are the only
    /// ones UNSUBSCRIBE carries).
    pub fn unsubscribe_with(
        &mut self,
        now: u64,
        filters: Vec<String>,
        properties: Properties,
    ) -> Result<PacketId, CommandError> {
        for f in &filters {
            check_filter(f)?;
        }
        let only_user_properties = PropertyValues {
            user_properties: properties.user_properties.clone(),
            ..PropertyValues::default()
        }
        .into();
        if !properties.is_empty() && (!self.is_v5() || properties != only_user_properties) {
            return Err(CommandError::NotAllowed(
                "UNSUBSCRIBE carries user properties only, and only in MQTT 5".into(),
            ));
        }
        let packet_id = self.request_id(filters.is_empty())?;
        let packet = Packet::Unsubscribe(Unsubscribe {
            packet_id,
            filters: filters.clone(),
            properties,
        });
        self.send_request(now, packet, PendingRequest::Unsubscribe(filters))
    }

    fn request_id(&mut self, no_filters: bool) -> Result<PacketId, CommandError> {
        if no_filters {
            return Err(CommandError::NoFilters);
        }
        if !self.is_connected() {
            return Err(CommandError::NotConnected);
        }
        self.ids.allocate().ok_or(CommandError::NoPacketIdAvailable)
    }

    fn send_request(
        &mut self,
        now: u64,
        packet: Packet,
        request: PendingRequest,
    ) -> Result<PacketId, CommandError> {
        let packet_id = packet.packet_id().unwrap_or(0);
        match self.encode_checked(&packet) {
            Ok(bytes) => {
                self.pending.insert(packet_id, request);
                self.send_encoded(now, packet, bytes);
                Ok(packet_id)
            }
            Err(e) => {
                self.ids.release(packet_id);
                Err(e)
            }
        }
    }

    /// SUBACK: one code per filter, in order (MQTT-3.9.3-1).
    pub(crate) fn on_suback(&mut self, now: u64, suback: Suback) {
        let packet_id = suback.packet_id;
        let Some(PendingRequest::Subscribe(filters, properties)) =
            self.take_pending(packet_id, true)
        else {
            return self.warn(
                now,
                format!("SUBACK for id {packet_id} that is not awaiting one: ignored"),
            );
        };
        if suback.codes.len() != filters.len() {
            let (got, want) = (suback.codes.len(), filters.len());
            self.warn(
                now,
                format!("SUBACK id {packet_id} has {got} codes for {want} filters"),
            );
        }
        let results: Vec<FilterResult> = filters
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let code = suback.codes.get(i).copied();
                self.filter_result(PacketType::Suback, f.filter.clone(), code)
            })
            .collect();
        for (r, requested) in results.iter().zip(filters) {
            if let Some(qos) = r.granted {
                let subscription = Subscription {
                    filter: r.filter.clone(),
                    qos,
                    requested: Some(requested),
                    properties: (*properties).clone(),
                };
                self.subscriptions.insert(r.filter.clone(), subscription);
            }
        }
        self.emit(now, EventKind::Subscribed { packet_id, results });
    }

    /// UNSUBACK: 3.1.1 has no codes (success); MQTT 5 has one per filter.
    pub(crate) fn on_unsuback(&mut self, now: u64, unsuback: Unsuback) {
        let packet_id = unsuback.packet_id;
        let Some(PendingRequest::Unsubscribe(filters)) = self.take_pending(packet_id, false) else {
            return self.warn(
                now,
                format!("UNSUBACK for id {packet_id} that is not awaiting one: ignored"),
            );
        };
        let v5 = self.is_v5();
        let results: Vec<FilterResult> = filters
            .into_iter()
            .enumerate()
            .map(|(i, f)| {
                let code = if v5 {
                    unsuback.codes.get(i).copied()
                } else {
                    Some(0)
                };
                self.filter_result(PacketType::Unsuback, f, code)
            })
            .collect();
        for r in results.iter().filter(|r| r.is_success()) {
            self.subscriptions.remove(&r.filter);
        }
        self.emit(now, EventKind::Unsubscribed { packet_id, results });
    }

    /// The pending request for `packet_id` if it is of the expected kind.
    fn take_pending(&mut self, packet_id: PacketId, subscribe: bool) -> Option<PendingRequest> {
        let fits = match self.pending.get(&packet_id)? {
            PendingRequest::Subscribe(..) => subscribe,
            PendingRequest::Unsubscribe(_) => !subscribe,
        };
        if !fits {
            return None;
        }
        self.ids.release(packet_id);
        self.pending.remove(&packet_id)
    }

    fn filter_result(&self, ack: PacketType, filter: String, code: Option<u8>) -> FilterResult {
        let Some(code) = code else {
            let reason = format!("no code for this filter in {}", ack.name());
            return FilterResult {
                filter,
                granted: None,
                code: 0x80,
                reason,
            };
        };
        let granted = if ack == PacketType::Suback {
            QoS::from_u8(code)
        } else {
            None
        };
        let reason = self.ack_reason(ack, code);
        FilterResult {
            filter,
            granted,
            code,
            reason,
        }
    }

    /// Connected without a session: the broker has no subscriptions for us.
    /// With [`super::SessionConfig::resubscribe`], they are asked for again,
    /// as first asked: one SUBSCRIBE per set of properties (an identifier
    /// belongs to the packet, not to a filter).
    pub(crate) fn forget_subscriptions(&mut self, now: u64) {
        let lost = std::mem::take(&mut self.subscriptions);
        if lost.is_empty() {
            return;
        }
        let filters: Vec<String> = lost.keys().cloned().collect();
        self.emit(now, EventKind::SubscriptionsLost { filters });
        if !self.config.resubscribe {
            return;
        }
        let mut requests: Vec<(Properties, Vec<SubscribeFilter>)> = Vec::new();
        for subscription in lost.into_values() {
            let request = subscription.request();
            match requests
                .iter_mut()
                .find(|(p, _)| *p == subscription.properties)
            {
                Some((_, filters)) => filters.push(request),
                None => requests.push((subscription.properties, vec![request])),
            }
        }
        for (properties, filters) in requests {
            if let Err(error) = self.subscribe_with(now, filters, properties) {
                self.warn(now, format!("could not subscribe again: {error}"));
            }
        }
    }
}

fn check_filter(filter: &str) -> Result<(), CommandError> {
    validate_topic_filter(filter).map_err(|error| CommandError::InvalidFilter {
        filter: filter.to_string(),
        error,
    })
}
