//! The subscribe form as plain data: a topic filter, the QoS asked for and
//! an MQTT 5 Subscription Identifier, as typed and checked.

use crate::mqtt::packet::QoS;
use crate::mqtt::session::SUBSCRIPTION_IDS;
use crate::mqtt::topic::{validate_topic_filter, TopicError};

/// Everything the subscriptions panel edits, as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscribeForm {
    /// Topic filter.
    pub filter: String,
    /// The most QoS asked for.
    pub qos: QoS,
    /// MQTT 5 Subscription Identifier, as typed (empty = none).
    pub subscription_id: String,
}

impl Default for SubscribeForm {
    fn default() -> Self {
        SubscribeForm {
            filter: "alarms/#".into(),
            qos: QoS::ExactlyOnce,
            subscription_id: String::new(),
        }
    }
}

/// A subscription to ask the broker for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscribeChoice {
    /// Topic filter.
    pub filter: String,
    /// The most QoS asked for.
    pub qos: QoS,
    /// MQTT 5 Subscription Identifier.
    pub subscription_id: Option<u32>,
}

impl SubscribeForm {
    /// What is wrong with the topic filter, if anything.
    pub fn filter_error(&self) -> Option<TopicError> {
        validate_topic_filter(&self.filter).err()
    }

    /// Whether what is typed as the identifier is no subscription identifier.
    pub fn id_error(&self) -> bool {
        match self.subscription_id.trim() {
            "" => false,
            typed => !typed
                .parse::<u32>()
                .is_ok_and(|id| SUBSCRIPTION_IDS.contains(&id)),
        }
    }

    /// The subscription to ask for, on a connection that speaks MQTT 5 when
    /// `v5` (only then with the identifier); None while the filter or the
    /// identifier typed is wrong.
    pub fn choice(&self, v5: bool) -> Option<SubscribeChoice> {
        // The identifier field shows only on an MQTT 5 connection; a value
        // left in it from one does not block a 3.1.1 subscription.
        if self.filter_error().is_some() || (v5 && self.id_error()) {
            return None;
        }
        let subscription_id = v5
            .then(|| self.subscription_id.trim().parse::<u32>().ok())
            .flatten();
        Some(SubscribeChoice {
            filter: self.filter.clone(),
            qos: self.qos,
            subscription_id,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_form_subscribes_to_alarms_at_qos_2() {
        let choice = SubscribeForm::default().choice(true).unwrap();
        assert_eq!(choice.filter, "alarms/#");
        assert_eq!(choice.qos, QoS::ExactlyOnce);
        assert_eq!(choice.subscription_id, None);
    }

    #[test]
    fn an_identifier_left_from_mqtt_5_does_not_block_a_311_subscription() {
        let form = SubscribeForm {
            subscription_id: "0".into(),
            ..SubscribeForm::default()
        };
        assert!(form.choice(true).is_none());
        let choice = form
            .choice(false)
            .expect("3.1.1 has no identifier to check");
        assert_eq!(choice.subscription_id, None);
    }

    #[test]
    fn a_bad_filter_or_identifier_asks_for_nothing() {
        let filter = SubscribeForm {
            filter: "alarms/#/fire".into(),
            ..SubscribeForm::default()
        };
        assert_eq!(filter.filter_error(), Some(TopicError::MultiLevelNotLast));
        assert_eq!(filter.choice(true), None);
        for typed in ["0", "268435456", "seven", "-1"] {
            let id = SubscribeForm {
                subscription_id: typed.into(),
                ..SubscribeForm::default()
            };
            assert!(id.id_error(), "{typed}");
            assert_eq!(id.choice(true), None, "{typed}");
        }
    }

    #[test]
    fn the_identifier_goes_out_over_mqtt_5_only() {
        let form = SubscribeForm {
            subscription_id: " 268435455 ".into(),
            ..SubscribeForm::default()
        };
        assert!(!form.id_error());
        assert_eq!(
            form.choice(true).unwrap().subscription_id,
            Some(268_435_455)
        );
        assert_eq!(form.choice(false).unwrap().subscription_id, None);
    }
}
