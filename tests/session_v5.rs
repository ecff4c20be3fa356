//! MQTT 5 connection features: topic aliases both ways, Maximum Packet Size,
//! Maximum QoS, reason codes from the broker.
#![cfg(not(target_arch = "wasm32"))]

mod session_harness;

use qoscope::mqtt::packet::{
    Connack, Disconnect, Packet, Properties, PropertyValues, ProtocolVersion, PubResponse, Publish,
    QoS,
};
use qoscope::mqtt::session::{
    CommandError, ConnectionState, DisconnectReason, EventKind, PublishRequest, SessionConfig,
};
use session_harness::*;

fn connack(properties: Properties) -> Connack {
    Connack {
        properties,
        ..Default::default()
    }
}

fn v5_accepting_aliases(max: u16) -> Broker {
    let config = SessionConfig {
        version: ProtocolVersion::V5,
        topic_alias_maximum: max,
        ..SessionConfig::default()
    };
    Broker::with(config)
}

#[test]
fn topic_alias_outgoing_reuses_alias() {
    let mut b = Broker::v5();
    b.connect_with(connack(
        PropertyValues {
            topic_alias_maximum: Some(1),
            ..Default::default()
        }
        .into(),
    ));
    b.publish("plant/line1/temp", b"1", QoS::AtMostOnce);
    b.publish("plant/line1/temp", b"2", QoS::AtMostOnce);
    b.publish("plant/line2/temp", b"3", QoS::AtMostOnce);
    let (sent, _) = b.drain();
    let p = publishes(&sent);
    assert_eq!(
        (p[0].topic.as_str(), p[0].properties.topic_alias),
        ("plant/line1/temp", Some(1))
    );
    assert_eq!(
        (p[1].topic.as_str(), p[1].properties.topic_alias),
        ("", Some(1))
    );
    assert_eq!(
        (p[2].topic.as_str(), p[2].properties.topic_alias),
        ("plant/line2/temp", None)
    );
}

#[test]
fn topic_aliases_start_afresh_on_a_new_connection() {
    let mut b = Broker::v5();
    let allow = connack(
        PropertyValues {
            topic_alias_maximum: Some(4),
            ..Default::default()
        }
        .into(),
    );
    b.connect_with(allow.clone());
    b.publish("t", b"1", QoS::AtMostOnce);
    b.close();
    b.connect_with(allow);
    b.publish("t", b"2", QoS::AtMostOnce);
    let (sent, _) = b.drain();
    assert_eq!(
        publishes(&sent)[0].topic,
        "t",
        "MQTT-3.3.2-7: aliases do not survive the connection"
    );
}

#[test]
fn topic_alias_incoming_is_resolved() {
    let mut b = v5_accepting_aliases(5).connected();
    let with_alias = |topic: &str| {
        Packet::Publish(Publish {
            topic: topic.into(),
            properties: PropertyValues {
                topic_alias: Some(3),
                ..Default::default()
            }
            .into(),
            ..Default::default()
        })
    };
    b.feed(with_alias("a/b"));
    let (_, events) = b.feed(with_alias(""));
    let message = events.iter().find_map(|e| match e {
        EventKind::Delivered { message } => Some(message),
        _ => None,
    });
    assert_eq!(
        message.map(|m| (m.topic.as_str(), m.properties.topic_alias)),
        Some(("a/b", None))
    );
}

#[test]
fn unknown_incoming_topic_alias_is_a_protocol_error() {
    let mut b = v5_accepting_aliases(5).connected();
    let publish = Publish {
        properties: PropertyValues {
            topic_alias: Some(2),
            ..Default::default()
        }
        .into(),
        ..Default::default()
    };
    let (sent, events) = b.feed(Packet::Publish(publish));
    assert!(matches!(&sent[..], [Packet::Disconnect(d)] if d.reason == 0x82));
    assert!(events
        .iter()
        .any(|e| matches!(e, EventKind::ProtocolError { message } if message.contains("alias"))));
}

#[test]
fn incoming_topic_alias_above_our_maximum_gets_0x94() {
    let mut b = v5_accepting_aliases(2).connected();
    let publish = Publish {
        topic: "a".into(),
        properties: PropertyValues {
            topic_alias: Some(3),
            ..Default::default()
        }
        .into(),
        ..Default::default()
    };
    let (sent, _) = b.feed(Packet::Publish(publish));
    assert!(matches!(&sent[..], [Packet::Disconnect(d)] if d.reason == 0x94));
}

#[test]
fn maximum_qos_of_the_broker_refuses_higher_qos_publishes() {
    let mut b = Broker::v5();
    b.connect_with(connack(
        PropertyValues {
            maximum_qos: Some(1),
            ..Default::default()
        }
        .into(),
    ));
    let req = PublishRequest {
        topic: "t".into(),
        qos: QoS::ExactlyOnce,
        ..Default::default()
    };
    assert_eq!(
        b.session.publish(b.now, req),
        Err(CommandError::QosNotSupported {
            requested: QoS::ExactlyOnce,
            maximum: QoS::AtLeastOnce
        })
    );
}

#[test]
fn negative_puback_fails_the_publish_with_the_reason() {
    let mut b = Broker::v5().connected();
    let id = b.publish("t", b"x", QoS::AtLeastOnce).unwrap();
    b.drain();
    let puback = PubResponse {
        packet_id: id,
        reason: 0x87,
        ..Default::default()
    };
    let (_, events) = b.feed(Packet::Puback(puback));
    assert!(events.iter().any(|e| matches!(e, EventKind::PublishFailed { packet_id: Some(i), reason } if *i == id && reason.contains("0x87"))));
    assert_eq!(flows(&events), vec![(id, "AwaitingPuback", "Abandoned")]);
}

#[test]
fn server_disconnect_is_reported_with_its_reason() {
    let mut b = Broker::v5().connected();
    let (_, events) = b.feed(Packet::Disconnect(Disconnect {
        reason: 0x8E,
        ..Default::default()
    }));
    assert!(events.iter().any(|e| matches!(
        e,
        EventKind::Disconnected {
            reason: DisconnectReason::ServerDisconnect { code: 0x8E, .. }
        }
    )));
    assert_eq!(b.session.state(), ConnectionState::Disconnected);
}

#[test]
fn connect_announces_our_v5_limits() {
    let config = SessionConfig {
        version: ProtocolVersion::V5,
        receive_maximum: 10,
        topic_alias_maximum: 8,
        session_expiry_secs: Some(300),
        maximum_packet_size: Some(4096),
        ..SessionConfig::default()
    };
    let mut b = Broker::with(config);
    b.session.connect(b.now);
    let (sent, _) = b.drain();
    let Packet::Connect(c) = &sent[0] else {
        panic!("CONNECT expected")
    };
    let p = &c.properties;
    assert_eq!(
        (
            p.receive_maximum,
            p.topic_alias_maximum,
            p.session_expiry_interval,
            p.maximum_packet_size
        ),
        (Some(10), Some(8), Some(300), Some(4096))
    );
}

#[test]
fn connected_event_carries_the_brokers_limits() {
    let mut b = Broker::v5();
    let props = PropertyValues {
        receive_maximum: Some(20),
        topic_alias_maximum: Some(10),
        maximum_packet_size: Some(1024),
        ..Default::default()
    }
    .into();
    let (_, events) = b.connect_with(connack(props));
    let broker = events.iter().find_map(|e| match e {
        EventKind::Connected { broker, .. } => Some(broker.clone()),
        _ => None,
    });
    let broker = broker.expect("Connected event");
    assert_eq!(
        (
            broker.receive_maximum,
            broker.topic_alias_maximum,
            broker.maximum_packet_size
        ),
        (20, 10, Some(1024))
    );
}

#[test]
fn queued_qos2_publish_fails_when_the_broker_only_takes_qos1() {
    let mut b = Broker::v5();
    let id = b.publish("t", b"x", QoS::ExactlyOnce).unwrap();
    let (sent, events) = b.connect_with(connack(
        PropertyValues {
            maximum_qos: Some(1),
            ..Default::default()
        }
        .into(),
    ));
    assert!(publishes(&sent).is_empty());
    assert!(events.iter().any(
        |e| matches!(e, EventKind::PublishFailed { packet_id: Some(i), reason } if *i == id && reason.contains("QoS 1 at most"))
    ));
}

#[test]
fn a_retained_qos0_publish_is_refused_when_the_broker_has_no_retain() {
    let mut b = Broker::v5();
    b.connect_with(connack(
        PropertyValues {
            retain_available: Some(0),
            ..Default::default()
        }
        .into(),
    ));
    for qos in [QoS::AtMostOnce, QoS::AtLeastOnce] {
        let result = b.session.publish(
            b.now,
            PublishRequest {
                topic: "alarms/fire".into(),
                payload: b"x".to_vec(),
                qos,
                retain: true,
                ..Default::default()
            },
        );
        assert_eq!(result, Err(CommandError::RetainNotSupported), "QoS {qos:?}");
    }
    let (sent, _) = b.drain();
    assert!(
        publishes(&sent).is_empty(),
        "nothing the broker must reject went out"
    );
}

fn subscription(filter: &str) -> Vec<qoscope::mqtt::packet::SubscribeFilter> {
    vec![qoscope::mqtt::packet::SubscribeFilter {
        filter: filter.into(),
        qos: QoS::AtLeastOnce,
        ..Default::default()
    }]
}

fn with_subscription_id(id: u32) -> Properties {
    PropertyValues {
        subscription_identifiers: vec![id],
        ..Default::default()
    }
    .into()
}

#[test]
fn a_subscription_identifier_goes_out_on_subscribe() {
    let mut b = Broker::v5().connected();
    b.session
        .subscribe_with(b.now, subscription("alarms/#"), with_subscription_id(7))
        .expect("accepted");
    let (sent, _) = b.drain();
    match &sent[..] {
        [Packet::Subscribe(s)] => assert_eq!(s.properties.subscription_identifiers, vec![7]),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_subscription_identifier_is_refused_where_the_protocol_or_the_broker_forbids_it() {
    let refused = |b: &mut Broker, id| {
        matches!(
            b.session
                .subscribe_with(b.now, subscription("a/#"), with_subscription_id(id)),
            Err(CommandError::NotAllowed(_))
        )
    };
    let mut v311 = Broker::v311().connected();
    assert!(refused(&mut v311, 7), "3.1.1 has no properties");
    let mut v5 = Broker::v5().connected();
    assert!(refused(&mut v5, 0), "0 is not an identifier");
    assert!(
        refused(&mut v5, 268_435_456),
        "above the variable byte integer"
    );
    let mut without = Broker::v5();
    without.connect_with(connack(
        PropertyValues {
            subscription_identifier_available: Some(0),
            ..Default::default()
        }
        .into(),
    ));
    assert!(refused(&mut without, 7), "the broker said it has none");
    let (sent, _) = without.drain();
    assert!(sent.is_empty(), "nothing went out");
}

#[test]
fn unsubscribe_carries_user_properties_and_nothing_else() {
    let mut b = Broker::v5().connected();
    let user: Properties = PropertyValues {
        user_properties: vec![("by".into(), "operator".into())],
        ..Default::default()
    }
    .into();
    b.session
        .unsubscribe_with(b.now, vec!["a/#".into()], user.clone())
        .expect("accepted");
    let (sent, _) = b.drain();
    assert!(matches!(&sent[..], [Packet::Unsubscribe(u)] if u.properties == user));
    assert!(matches!(
        b.session
            .unsubscribe_with(b.now, vec!["a/#".into()], with_subscription_id(3)),
        Err(CommandError::NotAllowed(_))
    ));
}

#[test]
fn disconnect_can_send_the_will_and_change_the_session_expiry() {
    use qoscope::mqtt::session::DisconnectRequest;
    let config = SessionConfig {
        version: ProtocolVersion::V5,
        session_expiry_secs: Some(600),
        ..SessionConfig::default()
    };
    let mut b = Broker::with(config).connected();
    b.session
        .disconnect_with(
            b.now,
            DisconnectRequest {
                reason: 0x04,
                session_expiry_secs: Some(3_600),
            },
        )
        .expect("accepted");
    let (sent, _) = b.drain();
    match &sent[..] {
        [Packet::Disconnect(d)] => {
            assert_eq!(d.reason, 0x04, "Disconnect with Will Message");
            assert_eq!(d.properties.session_expiry_interval, Some(3_600));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_session_opened_with_expiry_0_cannot_be_extended_on_disconnect() {
    use qoscope::mqtt::session::DisconnectRequest;
    let mut b = Broker::v5().connected();
    let extend = DisconnectRequest {
        reason: 0,
        session_expiry_secs: Some(60),
    };
    assert!(matches!(
        b.session.disconnect_with(b.now, extend),
        Err(CommandError::NotAllowed(why)) if why.contains("MQTT 5.0 §3.14.2.2.2")
    ));
    assert_eq!(
        b.session.state(),
        ConnectionState::Connected,
        "still connected"
    );
}

#[test]
fn a_session_told_not_to_assign_aliases_always_sends_the_topic() {
    let mut b = Broker::with(SessionConfig {
        version: ProtocolVersion::V5,
        assign_topic_aliases: false,
        ..SessionConfig::default()
    });
    b.connect_with(connack(
        PropertyValues {
            topic_alias_maximum: Some(10),
            ..Default::default()
        }
        .into(),
    ));
    b.publish("plant/line1/temp", b"1", QoS::AtMostOnce);
    b.publish("plant/line1/temp", b"2", QoS::AtMostOnce);
    let (sent, _) = b.drain();
    for publish in publishes(&sent) {
        assert_eq!(publish.topic, "plant/line1/temp");
        assert_eq!(publish.properties.topic_alias, None);
    }
}
