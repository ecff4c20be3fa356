//! Sample packets shared by the codec tests: every packet type, with every
//! property the spec allows on it, and their 3.1.1 counterparts.
#![allow(dead_code)]

use qoscope::mqtt::packet::*;

fn user() -> Vec<(String, String)> {
    vec![("k".into(), "v".into()), ("k".into(), "again".into())]
}

/// Every property MQTT 5 allows in the will of a CONNECT.
pub fn will_properties() -> Properties {
    PropertyValues {
        payload_format_indicator: Some(1),
        message_expiry_interval: Some(60),
        content_type: Some("text/plain".into()),
        response_topic: Some("reply/here".into()),
        correlation_data: Some(vec![1, 2, 3]),
        will_delay_interval: Some(5),
        user_properties: user(),
        ..Default::default()
    }
    .into()
}

/// Every property MQTT 5 allows on packet type `t`.
pub fn full_properties(t: PacketType) -> Properties {
    let reason = || PropertyValues {
        reason_string: Some("why".into()),
        user_properties: user(),
        ..Default::default()
    };
    match t {
        PacketType::Connect => PropertyValues {
            session_expiry_interval: Some(3600),
            authentication_method: Some("SCRAM-SHA-1".into()),
            authentication_data: Some(vec![9, 9]),
            request_problem_information: Some(1),
            request_response_information: Some(0),
            receive_maximum: Some(20),
            topic_alias_maximum: Some(10),
            maximum_packet_size: Some(1 << 20),
            user_properties: user(),
            ..Default::default()
        }
        .into(),
        PacketType::Connack => PropertyValues {
            session_expiry_interval: Some(0),
            assigned_client_identifier: Some("auto-1".into()),
            server_keep_alive: Some(30),
            authentication_method: Some("SCRAM-SHA-1".into()),
            authentication_data: Some(vec![]),
            response_information: Some("resp".into()),
            server_reference: Some("other:1883".into()),
            reason_string: Some("ok".into()),
            receive_maximum: Some(65535),
            topic_alias_maximum: Some(0),
            maximum_qos: Some(1),
            retain_available: Some(0),
            maximum_packet_size: Some(256),
            wildcard_subscription_available: Some(1),
            subscription_identifier_available: Some(0),
            shared_subscription_available: Some(1),
            user_properties: user(),
            ..Default::default()
        }
        .into(),
        PacketType::Publish => PropertyValues {
            payload_format_indicator: Some(0),
            message_expiry_interval: Some(10),
            content_type: Some("application/json".into()),
            response_topic: Some("r".into()),
            correlation_data: Some(b"corr".to_vec()),
            subscription_identifiers: vec![1, 268_435_455, 128],
            topic_alias: Some(3),
            user_properties: user(),
            ..Default::default()
        }
        .into(),
        PacketType::Subscribe => PropertyValues {
            subscription_identifiers: vec![16_384],
            user_properties: user(),
            ..Default::default()
        }
        .into(),
        PacketType::Unsubscribe => PropertyValues {
            user_properties: user(),
            ..Default::default()
        }
        .into(),
        PacketType::Disconnect => PropertyValues {
            session_expiry_interval: Some(7),
            server_reference: Some("elsewhere".into()),
            ..reason()
        }
        .into(),
        PacketType::Auth => PropertyValues {
            authentication_method: Some("SCRAM-SHA-1".into()),
            authentication_data: Some(vec![0xFF; 3]),
            ..reason()
        }
        .into(),
        _ => reason().into(),
    }
}

fn response(t: PacketType, reason: u8) -> PubResponse {
    PubResponse {
        packet_id: 65535,
        reason,
        properties: full_properties(t),
    }
}

fn full_connect() -> Connect {
    Connect {
        protocol: ProtocolVersion::V5,
        clean_start: true,
        keep_alive: 65535,
        client_id: "client-é".into(),
        will: Some(LastWill {
            topic: "alarm/fire".into(),
            payload: b"gone".to_vec(),
            qos: QoS::ExactlyOnce,
            retain: true,
            properties: will_properties(),
        }),
        username: Some("user".into()),
        password: Some(vec![0, 1, 2]),
        properties: full_properties(PacketType::Connect),
    }
}

fn publish(qos: QoS, packet_id: Option<u16>, dup: bool) -> Publish {
    Publish {
        dup,
        qos,
        retain: dup,
        topic: "plant/line1/count".into(),
        packet_id,
        payload: b"42".to_vec(),
        properties: full_properties(PacketType::Publish),
    }
}

fn filter(name: &str, qos: QoS, no_local: bool, retain_handling: u8) -> SubscribeFilter {
    SubscribeFilter {
        filter: name.into(),
        qos,
        no_local,
        retain_as_published: !no_local,
        retain_handling,
    }
}

/// The MQTT 5 samples: all 15 types, several in more than one shape.
fn v5_packets() -> Vec<Packet> {
    use PacketType as T;
    vec![
        Packet::Connect(full_connect()),
        Packet::Connect(Connect {
            protocol: ProtocolVersion::V5,
            ..Default::default()
        }),
        Packet::Connack(Connack {
            session_present: true,
            code: 0,
            properties: full_properties(T::Connack),
        }),
        Packet::Publish(Publish {
            properties: Properties::default(),
            ..publish(QoS::AtMostOnce, None, false)
        }),
        Packet::Publish(publish(QoS::AtLeastOnce, Some(1), false)),
        Packet::Publish(publish(QoS::ExactlyOnce, Some(2), true)),
        Packet::Publish(Publish {
            topic: String::new(),
            ..publish(QoS::AtLeastOnce, Some(3), false)
        }),
        Packet::Puback(response(T::Puback, 0x10)),
        Packet::Puback(PubResponse {
            packet_id: 1,
            reason: 0x97,
            properties: Properties::default(),
        }),
        Packet::Pubrec(response(T::Pubrec, 0x80)),
        Packet::Pubrel(response(T::Pubrel, 0x92)),
        Packet::Pubcomp(response(T::Pubcomp, 0)),
        Packet::Subscribe(Subscribe {
            packet_id: 7,
            filters: vec![
                filter("alarm/#", QoS::ExactlyOnce, true, 2),
                filter("+/count", QoS::AtMostOnce, false, 1),
            ],
            properties: full_properties(T::Subscribe),
        }),
        Packet::Suback(Suback {
            packet_id: 7,
            codes: vec![2, 0, 0x80, 0xA2],
            properties: full_properties(T::Suback),
        }),
        Packet::Unsubscribe(Unsubscribe {
            packet_id: 8,
            filters: vec!["alarm/#".into(), "a".into()],
            properties: full_properties(T::Unsubscribe),
        }),
        Packet::Unsuback(Unsuback {
            packet_id: 8,
            codes: vec![0, 0x11],
            properties: full_properties(T::Unsuback),
        }),
        Packet::Pingreq,
        Packet::Pingresp,
        Packet::Disconnect(Disconnect {
            reason: 0x04,
            properties: full_properties(T::Disconnect),
        }),
        Packet::Disconnect(Disconnect::default()),
        Packet::Auth(Auth {
            reason: 0x18,
            properties: full_properties(T::Auth),
        }),
    ]
}

/// The same packet as 3.1.1 can carry it, or `None` (AUTH, topic alias).
pub fn for_v311(p: Packet) -> Option<Packet> {
    let none = Properties::default;
    Some(match p {
        Packet::Connect(c) => Packet::Connect(Connect {
            protocol: ProtocolVersion::V311,
            properties: none(),
            will: c.will.map(|w| LastWill {
                properties: none(),
                ..w
            }),
            ..c
        }),
        Packet::Connack(c) => Packet::Connack(Connack {
            properties: none(),
            code: 5,
            ..c
        }),
        Packet::Publish(p) if p.topic.is_empty() => return None,
        Packet::Publish(p) => Packet::Publish(Publish {
            properties: none(),
            ..p
        }),
        Packet::Puback(r) => Packet::Puback(PubResponse {
            reason: 0,
            properties: none(),
            ..r
        }),
        Packet::Pubrec(r) => Packet::Pubrec(PubResponse {
            reason: 0,
            properties: none(),
            ..r
        }),
        Packet::Pubrel(r) => Packet::Pubrel(PubResponse {
            reason: 0,
            properties: none(),
            ..r
        }),
        Packet::Pubcomp(r) => Packet::Pubcomp(PubResponse {
            reason: 0,
            properties: none(),
            ..r
        }),
        Packet::Subscribe(s) => Packet::Subscribe(Subscribe {
            filters: s
                .filters
                .into_iter()
                .map(|f| SubscribeFilter {
                    filter: f.filter,
                    qos: f.qos,
                    ..Default::default()
                })
                .collect(),
            properties: none(),
            ..s
        }),
        Packet::Suback(s) => Packet::Suback(Suback {
            codes: vec![2, 0, 0x80, 1],
            properties: none(),
            ..s
        }),
        Packet::Unsubscribe(u) => Packet::Unsubscribe(Unsubscribe {
            properties: none(),
            ..u
        }),
        Packet::Unsuback(u) => Packet::Unsuback(Unsuback {
            codes: vec![],
            properties: none(),
            ..u
        }),
        Packet::Disconnect(_) => Packet::Disconnect(Disconnect::default()),
        Packet::Auth(_) => return None,
        other => other,
    })
}

/// Sample packets of `version`: every type that version has.
pub fn all_packets(version: ProtocolVersion) -> Vec<Packet> {
    match version {
        ProtocolVersion::V5 => v5_packets(),
        ProtocolVersion::V311 => v5_packets().into_iter().filter_map(for_v311).collect(),
    }
}
