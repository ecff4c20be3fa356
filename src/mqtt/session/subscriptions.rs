//! SUBSCRIBE / SUBACK and UNSUBSCRIBE / UNSUBACK, and the granted QoS per
//! filter that gives every delivery its effective QoS.

use super::{CommandError, EventKind, FilterResult, PendingRequest, Session};
use crate::mqtt::packet::{
    Packet, PacketId, PacketType, Properties, QoS, Suback, Subscribe, SubscribeFilter, Unsuback,
    Unsubscribe,
};
use crate::mqtt::topic::validate_topic_filter;

impl Session {
    /// Subscribes; the result per filter comes in a `Subscribed` event.
    pub fn subscribe(
        &mut self,
        now: u64,
        filters: Vec<SubscribeFilter>,
    ) -> Result<PacketId, CommandError> {
        for f in &filters {
            check_filter(&f.filter)?;
        }
        let packet_id = self.request_id(filters.is_empty())?;
        let packet = Packet::Subscribe(Subscribe {
            packet_id,
            filters: filters.clone(),
            properties: Properties::default(),
        });
        self.send_request(now, packet, PendingRequest::Subscribe(filters))
    }

    /// Unsubscribes; the result per filter comes in an `Unsubscribed` event.
    pub fn unsubscribe(
        &mut self,
        now: u64,
        filters: Vec<String>,
    ) -> Result<PacketId, CommandError> {
        for f in &filters {
            check_filter(f)?;
        }
        let packet_id = self.request_id(filters.is_empty())?;
        let packet = Packet::Unsubscribe(Unsubscribe {
            packet_id,
            filters: filters.clone(),
            properties: Properties::default(),
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
        let Some(PendingRequest::Subscribe(filters)) = self.take_pending(packet_id, true) else {
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
            .into_iter()
            .enumerate()
            .map(|(i, f)| {
                self.filter_result(PacketType::Suback, f.filter, suback.codes.get(i).copied())
            })
            .collect();
        for r in &results {
            if let Some(qos) = r.granted {
                self.subscriptions.insert(r.filter.clone(), qos);
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
            PendingRequest::Subscribe(_) => subscribe,
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
    pub(crate) fn forget_subscriptions(&mut self, now: u64) {
        let filters: Vec<String> = std::mem::take(&mut self.subscriptions)
            .into_keys()
            .collect();
        if !filters.is_empty() {
            self.emit(now, EventKind::SubscriptionsLost { filters });
        }
    }
}

fn check_filter(filter: &str) -> Result<(), CommandError> {
    validate_topic_filter(filter).map_err(|error| CommandError::InvalidFilter {
        filter: filter.to_string(),
        error,
    })
}
