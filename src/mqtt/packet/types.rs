//! The MQTT control packets as plain data, shared by 3.1.1 and 5.0.
//!
//! One set of types serves both protocol versions: fields that exist only in
//! MQTT 5 (properties, reason codes on acknowledgements) are simply left at
//! their defaults for 3.1.1 and are neither encoded nor expected on the wire.

use serde::{Deserialize, Serialize};

/// A packet identifier (1..=65535). Zero is never a valid id on the wire.
pub type PacketId = u16;

/// The protocol version a connection speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum ProtocolVersion {
    /// MQTT 3.1.1, protocol level 4.
    #[default]
    V311,
    /// MQTT 5.0, protocol level 5.
    V5,
}

impl ProtocolVersion {
    /// The protocol level byte sent in CONNECT.
    pub fn level(self) -> u8 {
        match self {
            ProtocolVersion::V311 => 4,
            ProtocolVersion::V5 => 5,
        }
    }

    /// The version for a CONNECT protocol level byte, if known.
    pub fn from_level(level: u8) -> Option<Self> {
        match level {
            4 => Some(ProtocolVersion::V311),
            5 => Some(ProtocolVersion::V5),
            _ => None,
        }
    }

    /// "3.1.1" or "5.0".
    pub fn label(self) -> &'static str {
        match self {
            ProtocolVersion::V311 => "3.1.1",
            ProtocolVersion::V5 => "5.0",
        }
    }
}

/// Quality of Service level.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
pub enum QoS {
    /// QoS 0: at most once.
    #[default]
    AtMostOnce = 0,
    /// QoS 1: at least once.
    AtLeastOnce = 1,
    /// QoS 2: exactly once.
    ExactlyOnce = 2,
}

impl QoS {
    /// The level for its wire value, if it is 0, 1 or 2.
    pub fn from_u8(v: u8) -> Option<QoS> {
        match v {
            0 => Some(QoS::AtMostOnce),
            1 => Some(QoS::AtLeastOnce),
            2 => Some(QoS::ExactlyOnce),
            _ => None,
        }
    }

    /// The wire value 0, 1 or 2.
    pub fn as_u8(self) -> u8 {
        self as u8
    }
}

/// The kind of a control packet (the high nibble of the first byte).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PacketType {
    /// 1: client asks to connect.
    Connect,
    /// 2: connection acknowledgement.
    Connack,
    /// 3: application message.
    Publish,
    /// 4: QoS 1 acknowledgement.
    Puback,
    /// 5: QoS 2, step 2: publish received.
    Pubrec,
    /// 6: QoS 2, step 3: publish release.
    Pubrel,
    /// 7: QoS 2, step 4: publish complete.
    Pubcomp,
    /// 8: subscribe request.
    Subscribe,
    /// 9: subscribe acknowledgement.
    Suback,
    /// 10: unsubscribe request.
    Unsubscribe,
    /// 11: unsubscribe acknowledgement.
    Unsuback,
    /// 12: ping request.
    Pingreq,
    /// 13: ping response.
    Pingresp,
    /// 14: disconnect notification.
    Disconnect,
    /// 15: authentication exchange (MQTT 5 only).
    Auth,
}

impl PacketType {
    /// The packet type for the high nibble of a fixed header byte.
    pub fn from_nibble(n: u8) -> Option<PacketType> {
        use PacketType::*;
        Some(match n {
            1 => Connect,
            2 => Connack,
            3 => Publish,
            4 => Puback,
            5 => Pubrec,
            6 => Pubrel,
            7 => Pubcomp,
            8 => Subscribe,
            9 => Suback,
            10 => Unsubscribe,
            11 => Unsuback,
            12 => Pingreq,
            13 => Pingresp,
            14 => Disconnect,
            15 => Auth,
            _ => return None,
        })
    }

    /// The high nibble value (1..=15).
    pub fn nibble(self) -> u8 {
        self as u8 + 1
    }

    /// The upper-case name used in logs and diagrams ("PUBREC").
    pub fn name(self) -> &'static str {
        use PacketType::*;
        match self {
            Connect => "CONNECT",
            Connack => "CONNACK",
            Publish => "PUBLISH",
            Puback => "PUBACK",
            Pubrec => "PUBREC",
            Pubrel => "PUBREL",
            Pubcomp => "PUBCOMP",
            Subscribe => "SUBSCRIBE",
            Suback => "SUBACK",
            Unsubscribe => "UNSUBSCRIBE",
            Unsuback => "UNSUBACK",
            Pingreq => "PINGREQ",
            Pingresp => "PINGRESP",
            Disconnect => "DISCONNECT",
            Auth => "AUTH",
        }
    }
}

/// The values of MQTT 5 properties. Every field is optional; a packet carries
/// only the properties the spec allows on it (the decoder rejects others).
/// Packets hold them through [`Properties`], which costs one pointer when
/// none is set.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PropertyValues {
    /// 0x01 Payload Format Indicator (0 bytes, 1 UTF-8).
    pub payload_format_indicator: Option<u8>,
    /// 0x02 Message Expiry Interval, seconds.
    pub message_expiry_interval: Option<u32>,
    /// 0x03 Content Type.
    pub content_type: Option<String>,
    /// 0x08 Response Topic.
    pub response_topic: Option<String>,
    /// 0x09 Correlation Data.
    pub correlation_data: Option<Vec<u8>>,
    /// 0x0B Subscription Identifier(s); PUBLISH may carry several.
    pub subscription_identifiers: Vec<u32>,
    /// 0x11 Session Expiry Interval, seconds.
    pub session_expiry_interval: Option<u32>,
    /// 0x12 Assigned Client Identifier.
    pub assigned_client_identifier: Option<String>,
    /// 0x13 Server Keep Alive, seconds.
    pub server_keep_alive: Option<u16>,
    /// 0x15 Authentication Method.
    pub authentication_method: Option<String>,
    /// 0x16 Authentication Data.
    pub authentication_data: Option<Vec<u8>>,
    /// 0x17 Request Problem Information.
    pub request_problem_information: Option<u8>,
    /// 0x18 Will Delay Interval, seconds.
    pub will_delay_interval: Option<u32>,
    /// 0x19 Request Response Information.
    pub request_response_information: Option<u8>,
    /// 0x1A Response Information.
    pub response_information: Option<String>,
    /// 0x1C Server Reference.
    pub server_reference: Option<String>,
    /// 0x1F Reason String.
    pub reason_string: Option<String>,
    /// 0x21 Receive Maximum.
    pub receive_maximum: Option<u16>,
    /// 0x22 Topic Alias Maximum.
    pub topic_alias_maximum: Option<u16>,
    /// 0x23 Topic Alias.
    pub topic_alias: Option<u16>,
    /// 0x24 Maximum QoS.
    pub maximum_qos: Option<u8>,
    /// 0x25 Retain Available.
    pub retain_available: Option<u8>,
    /// 0x26 User Property pairs, in order; names may repeat.
    pub user_properties: Vec<(String, String)>,
    /// 0x27 Maximum Packet Size, bytes.
    pub maximum_packet_size: Option<u32>,
    /// 0x28 Wildcard Subscription Available.
    pub wildcard_subscription_available: Option<u8>,
    /// 0x29 Subscription Identifier Available.
    pub subscription_identifier_available: Option<u8>,
    /// 0x2A Shared Subscription Available.
    pub shared_subscription_available: Option<u8>,
}

impl PropertyValues {
    /// True when no property is set.
    pub fn is_empty(&self) -> bool {
        // Field by field: comparing with `PropertyValues::default()` builds a
        // whole struct each call, and encoders ask this for every packet.
        self.subscription_identifiers.is_empty()
            && self.user_properties.is_empty()
            && self.payload_format_indicator.is_none()
            && self.message_expiry_interval.is_none()
            && self.content_type.is_none()
            && self.response_topic.is_none()
            && self.correlation_data.is_none()
            && self.session_expiry_interval.is_none()
            && self.assigned_client_identifier.is_none()
            && self.server_keep_alive.is_none()
            && self.authentication_method.is_none()
            && self.authentication_data.is_none()
            && self.request_problem_information.is_none()
            && self.will_delay_interval.is_none()
            && self.request_response_information.is_none()
            && self.response_information.is_none()
            && self.server_reference.is_none()
            && self.reason_string.is_none()
            && self.receive_maximum.is_none()
            && self.topic_alias_maximum.is_none()
            && self.topic_alias.is_none()
            && self.maximum_qos.is_none()
            && self.retain_available.is_none()
            && self.maximum_packet_size.is_none()
            && self.wildcard_subscription_available.is_none()
            && self.subscription_identifier_available.is_none()
            && self.shared_subscription_available.is_none()
    }
}

/// No property set: what an empty [`Properties`] reads as.
static NO_PROPERTIES: PropertyValues = PropertyValues {
    payload_format_indicator: None,
    message_expiry_interval: None,
    content_type: None,
    response_topic: None,
    correlation_data: None,
    subscription_identifiers: Vec::new(),
    session_expiry_interval: None,
    assigned_client_identifier: None,
    server_keep_alive: None,
    authentication_method: None,
    authentication_data: None,
    request_problem_information: None,
    will_delay_interval: None,
    request_response_information: None,
    response_information: None,
    server_reference: None,
    reason_string: None,
    receive_maximum: None,
    topic_alias_maximum: None,
    topic_alias: None,
    maximum_qos: None,
    retain_available: None,
    user_properties: Vec::new(),
    maximum_packet_size: None,
    wildcard_subscription_available: None,
    subscription_identifier_available: None,
    shared_subscription_available: None,
};

/// The MQTT 5 properties of a packet. Most packets carry none (every 3.1.1
/// packet, most 5.0 acknowledgements), so the values are boxed and only when
/// one is set: a packet, and every event that carries one, stays small to
/// move. Reads go through [`Deref`](std::ops::Deref) (`props.topic_alias`);
/// a write through [`DerefMut`](std::ops::DerefMut) allocates the values.
#[derive(Clone, Default)]
pub struct Properties(Option<Box<PropertyValues>>);

impl Properties {
    /// True when no property is set.
    pub fn is_empty(&self) -> bool {
        self.0.as_deref().is_none_or(PropertyValues::is_empty)
    }
}

impl From<PropertyValues> for Properties {
    fn from(values: PropertyValues) -> Self {
        if values.is_empty() {
            Properties(None)
        } else {
            Properties(Some(Box::new(values)))
        }
    }
}

impl std::ops::Deref for Properties {
    type Target = PropertyValues;
    fn deref(&self) -> &PropertyValues {
        self.0.as_deref().unwrap_or(&NO_PROPERTIES)
    }
}

impl std::ops::DerefMut for Properties {
    fn deref_mut(&mut self) -> &mut PropertyValues {
        self.0.get_or_insert_with(Box::default)
    }
}

/// Equal when the values are: none set equals a box of nothing set.
impl PartialEq for Properties {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl Eq for Properties {}

impl std::fmt::Debug for Properties {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        (**self).fmt(f)
    }
}

/// Stored and sent as the values themselves, so saved sessions read the same.
impl Serialize for Properties {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        (**self).serialize(s)
    }
}

impl<'de> Deserialize<'de> for Properties {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        PropertyValues::deserialize(d).map(Properties::from)
    }
}

/// The last will a client leaves with the broker in CONNECT.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct LastWill {
    /// Topic the will is published on.
    pub topic: String,
    /// Will payload.
    pub payload: Vec<u8>,
    /// Will QoS.
    pub qos: QoS,
    /// Will retain flag.
    pub retain: bool,
    /// MQTT 5 will properties.
    pub properties: Properties,
}

/// CONNECT.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Connect {
    /// Protocol version (level 4 or 5).
    pub protocol: ProtocolVersion,
    /// Clean Session (3.1.1) / Clean Start (5.0).
    pub clean_start: bool,
    /// Keep alive, seconds; 0 turns keep-alive off.
    pub keep_alive: u16,
    /// Client identifier (may be empty).
    pub client_id: String,
    /// Optional last will.
    pub will: Option<LastWill>,
    /// Optional user name.
    pub username: Option<String>,
    /// Optional password (binary data).
    pub password: Option<Vec<u8>>,
    /// MQTT 5 properties.
    pub properties: Properties,
}

/// CONNACK.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Connack {
    /// Session Present flag.
    pub session_present: bool,
    /// Return code (3.1.1) or reason code (5.0); 0 is success in both.
    pub code: u8,
    /// MQTT 5 properties.
    pub properties: Properties,
}

/// PUBLISH.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Publish {
    /// DUP flag: set on every re-delivery of a QoS>0 PUBLISH.
    pub dup: bool,
    /// QoS level.
    pub qos: QoS,
    /// RETAIN flag.
    pub retain: bool,
    /// Topic name (may be empty in MQTT 5 when a topic alias is used).
    pub topic: String,
    /// Packet id, present exactly when QoS > 0.
    pub packet_id: Option<PacketId>,
    /// Application payload.
    #[serde(with = "super::payload_serde")]
    pub payload: Vec<u8>,
    /// MQTT 5 properties.
    #[serde(default, skip_serializing_if = "Properties::is_empty")]
    pub properties: Properties,
}

/// PUBACK, PUBREC, PUBREL and PUBCOMP share this shape.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PubResponse {
    /// The packet id of the flow.
    pub packet_id: PacketId,
    /// MQTT 5 reason code (always 0 in 3.1.1).
    pub reason: u8,
    /// MQTT 5 properties.
    pub properties: Properties,
}

/// One topic filter of a SUBSCRIBE with its options.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SubscribeFilter {
    /// The topic filter (may contain `+` and `#`).
    pub filter: String,
    /// Maximum QoS requested.
    pub qos: QoS,
    /// MQTT 5 No Local.
    pub no_local: bool,
    /// MQTT 5 Retain As Published.
    pub retain_as_published: bool,
    /// MQTT 5 Retain Handling (0, 1 or 2).
    pub retain_handling: u8,
}

/// SUBSCRIBE.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Subscribe {
    /// Packet id.
    pub packet_id: PacketId,
    /// One or more filters.
    pub filters: Vec<SubscribeFilter>,
    /// MQTT 5 properties.
    pub properties: Properties,
}

/// SUBACK.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Suback {
    /// Packet id of the SUBSCRIBE.
    pub packet_id: PacketId,
    /// One return / reason code per filter: 0, 1, 2 = granted QoS; 0x80 and
    /// above = failure.
    pub codes: Vec<u8>,
    /// MQTT 5 properties.
    pub properties: Properties,
}

/// UNSUBSCRIBE.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Unsubscribe {
    /// Packet id.
    pub packet_id: PacketId,
    /// One or more filters.
    pub filters: Vec<String>,
    /// MQTT 5 properties.
    pub properties: Properties,
}

/// UNSUBACK.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Unsuback {
    /// Packet id of the UNSUBSCRIBE.
    pub packet_id: PacketId,
    /// MQTT 5: one reason code per filter; empty in 3.1.1.
    pub codes: Vec<u8>,
    /// MQTT 5 properties.
    pub properties: Properties,
}

/// DISCONNECT (and, reason + properties, AUTH).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Disconnect {
    /// MQTT 5 reason code (0 = normal disconnection).
    pub reason: u8,
    /// MQTT 5 properties.
    pub properties: Properties,
}

/// AUTH (MQTT 5 only).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Auth {
    /// Reason code: 0x00 success, 0x18 continue, 0x19 re-authenticate.
    pub reason: u8,
    /// Properties (authentication method and data).
    pub properties: Properties,
}

/// Any MQTT control packet.
// CONNECT is large (two property sets); boxing it would change the shared
// contract for every user, and packets are built and moved a few at a time.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Packet {
    /// CONNECT
    Connect(Connect),
    /// CONNACK
    Connack(Connack),
    /// PUBLISH
    Publish(Publish),
    /// PUBACK
    Puback(PubResponse),
    /// PUBREC
    Pubrec(PubResponse),
    /// PUBREL
    Pubrel(PubResponse),
    /// PUBCOMP
    Pubcomp(PubResponse),
    /// SUBSCRIBE
    Subscribe(Subscribe),
    /// SUBACK
    Suback(Suback),
    /// UNSUBSCRIBE
    Unsubscribe(Unsubscribe),
    /// UNSUBACK
    Unsuback(Unsuback),
    /// PINGREQ
    Pingreq,
    /// PINGRESP
    Pingresp,
    /// DISCONNECT
    Disconnect(Disconnect),
    /// AUTH
    Auth(Auth),
}

impl Packet {
    /// The packet's type.
    pub fn packet_type(&self) -> PacketType {
        match self {
            Packet::Connect(_) => PacketType::Connect,
            Packet::Connack(_) => PacketType::Connack,
            Packet::Publish(_) => PacketType::Publish,
            Packet::Puback(_) => PacketType::Puback,
            Packet::Pubrec(_) => PacketType::Pubrec,
            Packet::Pubrel(_) => PacketType::Pubrel,
            Packet::Pubcomp(_) => PacketType::Pubcomp,
            Packet::Subscribe(_) => PacketType::Subscribe,
            Packet::Suback(_) => PacketType::Suback,
            Packet::Unsubscribe(_) => PacketType::Unsubscribe,
            Packet::Unsuback(_) => PacketType::Unsuback,
            Packet::Pingreq => PacketType::Pingreq,
            Packet::Pingresp => PacketType::Pingresp,
            Packet::Disconnect(_) => PacketType::Disconnect,
            Packet::Auth(_) => PacketType::Auth,
        }
    }

    /// The packet id this packet carries, if any.
    pub fn packet_id(&self) -> Option<PacketId> {
        match self {
            Packet::Publish(p) => p.packet_id,
            Packet::Puback(r) | Packet::Pubrec(r) | Packet::Pubrel(r) | Packet::Pubcomp(r) => {
                Some(r.packet_id)
            }
            Packet::Subscribe(s) => Some(s.packet_id),
            Packet::Suback(s) => Some(s.packet_id),
            Packet::Unsubscribe(u) => Some(u.packet_id),
            Packet::Unsuback(u) => Some(u.packet_id),
            _ => None,
        }
    }
}
