//! Subscriptions (SUBSCRIBE, UNSUBSCRIBE), retained messages, and routing a
//! published message to every matching subscriber.

use super::client_session::Subscription;
use super::events::BrokerEventKind;
use super::reason;
use super::{Broker, ConnectionId};
use crate::mqtt::packet::{
    Packet, Properties, ProtocolVersion, Publish, Suback, Subscribe, SubscribeFilter, Unsuback,
    Unsubscribe,
};
use crate::mqtt::topic;

impl Broker {
    pub(super) fn on_subscribe(
        &mut self,
        connection: ConnectionId,
        client_id: &str,
        subscribe: Subscribe,
    ) {
        let Some(version) = self.transports.get(&connection).map(|l| l.version) else {
            return;
        };
        let codes: Vec<u8> = subscribe
            .filters
            .iter()
            .map(|f| self.subscribe_one(client_id, f, version))
            .collect();
        let suback = Suback {
            packet_id: subscribe.packet_id,
            codes,
            properties: Properties::default(),
        };
        self.out.send(connection, version, Packet::Suback(suback));
        // MQTT-3.3.1-6: retained messages go out after the SUBACK.
        for filter in &subscribe.filters {
            self.send_retained(client_id, filter);
        }
    }

    /// Adds or replaces one subscription; returns its SUBACK code.
    pub(super) fn subscribe_one(
        &mut self,
        client_id: &str,
        filter: &SubscribeFilter,
        version: ProtocolVersion,
    ) -> u8 {
        let granted = (topic::validate_topic_filter(&filter.filter).is_ok())
            .then(|| filter.qos.min(self.config.maximum_qos));
        self.out.event(BrokerEventKind::Subscribed {
            client_id: client_id.to_string(),
            filter: filter.filter.clone(),
            requested: filter.qos,
            granted,
        });
        let (Some(granted), Some(session)) = (granted, self.sessions.get_mut(client_id)) else {
            return match version {
                ProtocolVersion::V311 => reason::V311_SUBACK_FAILURE,
                ProtocolVersion::V5 => reason::TOPIC_FILTER_INVALID,
            };
        };
        session.subscriptions.insert(
            filter.filter.clone(),
            Subscription {
                qos: granted,
                no_local: filter.no_local,
                retain_as_published: filter.retain_as_published,
            },
        );
        granted.as_u8()
    }

    /// Retained messages matching a new subscription, with RETAIN=1
    /// (MQTT-3.3.1-8), unless MQTT 5 Retain Handling says not to.
    pub(super) fn send_retained(&mut self, client_id: &str, filter: &SubscribeFilter) {
        let granted = match self
            .sessions
            .get(client_id)
            .and_then(|s| s.subscriptions.get(&filter.filter))
        {
            Some(sub) if filter.retain_handling != 2 => sub.qos,
            _ => return,
        };
        let messages: Vec<Publish> = self
            .retained
            .values()
            .filter(|m| topic::matches(&filter.filter, &m.topic))
            .cloned()
            .collect();
        for message in messages {
            let qos = message.qos.min(granted);
            let publish = Publish {
                dup: false,
                qos,
                retain: true,
                packet_id: None,
                ..message
            };
            self.deliver(client_id, publish);
        }
    }

    pub(super) fn on_unsubscribe(
        &mut self,
        connection: ConnectionId,
        client_id: &str,
        unsubscribe: Unsubscribe,
    ) {
        let Some(version) = self.transports.get(&connection).map(|l| l.version) else {
            return;
        };
        let mut codes = Vec::new();
        for filter in unsubscribe.filters {
            let existed = self
                .sessions
                .get_mut(client_id)
                .is_some_and(|s| s.subscriptions.remove(&filter).is_some());
            codes.push(if existed {
                reason::SUCCESS
            } else {
                reason::NO_SUBSCRIPTION_EXISTED
            });
            self.out.event(BrokerEventKind::Unsubscribed {
                client_id: client_id.to_string(),
                filter,
                existed,
            });
        }
        if version == ProtocolVersion::V311 {
            codes.clear(); // 3.1.1 UNSUBACK has no payload
        }
        let unsuback = Unsuback {
            packet_id: unsubscribe.packet_id,
            codes,
            properties: Properties::default(),
        };
        self.out
            .send(connection, version, Packet::Unsuback(unsuback));
    }

    /// Stores or clears the retained message, then delivers `message` to every
    /// matching subscriber at min(published, granted) QoS.
    pub(super) fn route(&mut self, from: &str, message: &Publish) {
        if message.retain {
            self.retain(message);
        }
        let targets: Vec<(String, Subscription)> = self
            .sessions
            .values()
            .filter_map(|s| {
                Some((
                    s.client_id.clone(),
                    s.best_subscription(&message.topic, from)?,
                ))
            })
            .collect();
        for (to, sub) in targets {
            let qos = message.qos.min(sub.qos);
            self.out.event(BrokerEventKind::MessageRouted {
                from: from.to_string(),
                to: to.clone(),
                topic: message.topic.clone(),
                published_qos: message.qos,
                granted_qos: sub.qos,
                delivered_qos: qos,
            });
            let mut properties = message.properties.clone();
            properties.topic_alias = None;
            let publish = Publish {
                dup: false,
                qos,
                // MQTT-3.3.1-9: RETAIN=0 towards existing subscribers, unless
                // MQTT 5 Retain As Published.
                retain: message.retain && sub.retain_as_published,
                topic: message.topic.clone(),
                packet_id: None,
                payload: message.payload.clone(),
                properties,
            };
            self.deliver(&to, publish);
        }
    }

    pub(super) fn retain(&mut self, message: &Publish) {
        if message.payload.is_empty() {
            // MQTT-3.3.1-10/11: an empty retained message clears the topic.
            if self.retained.remove(&message.topic).is_some() {
                self.out.event(BrokerEventKind::RetainedCleared {
                    topic: message.topic.clone(),
                });
            }
            return;
        }
        self.retained.insert(message.topic.clone(), message.clone());
        self.out.event(BrokerEventKind::RetainedStored {
            topic: message.topic.clone(),
        });
    }
}
