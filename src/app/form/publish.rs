//! The publish form as plain data: what is typed, what is wrong with it, and
//! the PUBLISH it stands for (MQTT 5 user properties included).

use std::fmt;

use crate::app::model::topic_error_sentence;
use crate::app::payload::{encode_payload_in, PayloadFormat};
use crate::i18n::Locale;
use crate::mqtt::packet::{Properties, QoS};
use crate::mqtt::session::PublishRequest;
use crate::mqtt::topic::{validate_topic_name, TopicError};

/// One MQTT 5 user property being edited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserPropertyRow {
    /// Identifies the row while others come and go.
    pub id: u32,
    /// The property's name (a row without one is not sent).
    pub name: String,
    /// The property's value.
    pub value: String,
}

/// Everything the publish panel edits, as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishForm {
    /// Topic name.
    pub topic: String,
    /// Payload, as typed in `format`.
    pub payload: String,
    /// How the payload is typed: text, JSON or hex.
    pub format: PayloadFormat,
    /// QoS level.
    pub qos: QoS,
    /// RETAIN flag.
    pub retain: bool,
    /// MQTT 5 user properties, in the order they were added.
    pub user_properties: Vec<UserPropertyRow>,
    /// The id the next added row gets.
    next_property: u32,
}

impl Default for PublishForm {
    fn default() -> Self {
        PublishForm {
            topic: "qoscope/test".into(),
            payload: "hello from QoScope".into(),
            format: PayloadFormat::Text,
            qos: QoS::AtLeastOnce,
            retain: false,
            user_properties: Vec::new(),
            next_property: 0,
        }
    }
}

/// Why the publish form cannot publish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublishFormError {
    /// The topic is no valid topic name.
    Topic(TopicError),
    /// The payload cannot be read in its format: what is wrong, in the
    /// language it was checked in.
    Payload(String),
}

impl PublishFormError {
    /// The problem in `locale` (a payload problem stays in the language it
    /// was checked in).
    pub fn words_in(&self, locale: Locale) -> String {
        match self {
            PublishFormError::Topic(e) => topic_error_sentence(e, locale),
            PublishFormError::Payload(words) => words.clone(),
        }
    }
}

impl fmt::Display for PublishFormError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.words_in(Locale::en))
    }
}

impl PublishForm {
    /// What is wrong with the topic name, if anything.
    pub fn topic_error(&self) -> Option<TopicError> {
        validate_topic_name(&self.topic).err()
    }

    /// The payload as bytes, or what is wrong with it in `locale`.
    pub fn payload_bytes_in(&self, locale: Locale) -> Result<Vec<u8>, String> {
        encode_payload_in(self.format, &self.payload, locale)
    }

    /// Adds an empty user property row; its id.
    pub fn add_property(&mut self) -> u32 {
        let id = self.next_property;
        self.next_property += 1;
        self.user_properties.push(UserPropertyRow {
            id,
            name: String::new(),
            value: String::new(),
        });
        id
    }

    /// Removes the user property row `id`.
    pub fn remove_property(&mut self, id: u32) {
        self.user_properties.retain(|row| row.id != id);
    }

    /// The user property row `id`, if it is still there.
    pub fn property(&self, id: u32) -> Option<&UserPropertyRow> {
        self.user_properties.iter().find(|row| row.id == id)
    }

    /// The user property row `id`, to edit.
    pub fn property_mut(&mut self, id: u32) -> Option<&mut UserPropertyRow> {
        self.user_properties.iter_mut().find(|row| row.id == id)
    }

    /// The ids of the user property rows, in order.
    pub fn property_ids(&self) -> Vec<u32> {
        self.user_properties.iter().map(|row| row.id).collect()
    }

    /// The PUBLISH properties: over MQTT 5 (`v5`) the user properties that
    /// have a name; a 3.1.1 PUBLISH carries none.
    pub fn properties(&self, v5: bool) -> Properties {
        let mut properties = Properties::default();
        if v5 {
            properties.user_properties = self
                .user_properties
                .iter()
                .filter(|row| !row.name.is_empty())
                .map(|row| (row.name.clone(), row.value.clone()))
                .collect();
        }
        properties
    }

    /// The publish this form describes, on a connection that speaks MQTT 5
    /// when `v5`; or the first problem, a payload problem said in `locale`.
    pub fn request_in(&self, v5: bool, locale: Locale) -> Result<PublishRequest, PublishFormError> {
        let payload = self
            .payload_bytes_in(locale)
            .map_err(PublishFormError::Payload)?;
        if let Some(e) = self.topic_error() {
            return Err(PublishFormError::Topic(e));
        }
        Ok(PublishRequest {
            topic: self.topic.clone(),
            payload,
            qos: self.qos,
            retain: self.retain,
            properties: self.properties(v5),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_form_publishes_a_greeting_at_qos_1() {
        let request = PublishForm::default()
            .request_in(false, Locale::en)
            .unwrap();
        assert_eq!(request.topic, "qoscope/test");
        assert_eq!(request.payload, b"hello from QoScope");
        assert_eq!(request.qos, QoS::AtLeastOnce);
        assert!(!request.retain);
        assert_eq!(request.properties, Properties::default());
    }

    #[test]
    fn a_bad_topic_or_payload_stops_the_publish_and_says_why() {
        let wildcard = PublishForm {
            topic: "alarms/+".into(),
            ..PublishForm::default()
        };
        assert_eq!(
            wildcard.topic_error(),
            Some(TopicError::WildcardInName { wildcard: '+' })
        );
        let err = wildcard.request_in(true, Locale::en).unwrap_err();
        assert!(err.to_string().contains("wildcard"), "{err}");
        assert!(err.to_string().ends_with('.'), "{err}");

        let json = PublishForm {
            format: PayloadFormat::Json,
            payload: "{\"temp\": }".into(),
            ..PublishForm::default()
        };
        assert!(json.topic_error().is_none());
        let err = json.request_in(true, Locale::en).unwrap_err();
        assert!(matches!(err, PublishFormError::Payload(_)));
        assert!(err.to_string().starts_with("Not valid JSON"), "{err}");
    }

    #[test]
    fn the_payload_is_read_in_its_format() {
        let hex = PublishForm {
            format: PayloadFormat::Hex,
            payload: "de ad be ef".into(),
            ..PublishForm::default()
        };
        assert_eq!(
            hex.request_in(false, Locale::en).unwrap().payload,
            [0xde, 0xad, 0xbe, 0xef]
        );
    }

    #[test]
    fn named_user_properties_go_out_over_mqtt_5_only() {
        let mut form = PublishForm {
            qos: QoS::ExactlyOnce,
            retain: true,
            ..PublishForm::default()
        };
        let first = form.add_property();
        let unnamed = form.add_property();
        let removed = form.add_property();
        let row = form.property_mut(first).unwrap();
        row.name = "site".into();
        row.value = "plant-7".into();
        form.property_mut(unnamed).unwrap().value = "no name".into();
        form.remove_property(removed);
        assert_eq!(form.property_ids(), [first, unnamed]);
        assert_eq!(form.property(removed), None);
        assert_ne!(form.add_property(), removed, "ids are not reused");

        let v5 = form.request_in(true, Locale::en).unwrap();
        assert_eq!(
            v5.properties.user_properties,
            [("site".to_string(), "plant-7".to_string())]
        );
        assert_eq!(v5.qos, QoS::ExactlyOnce);
        assert!(v5.retain);
        let v311 = form.request_in(false, Locale::en).unwrap();
        assert!(v311.properties.user_properties.is_empty());
    }
}
