//! Commands refused with small typed errors, and protocol errors from the broker.
#![cfg(not(target_arch = "wasm32"))]

mod session_harness;

use qoscope::mqtt::packet::{Packet, QoS, SubscribeFilter};
use qoscope::mqtt::session::{CommandError, ConnectionState, EventKind, PublishRequest};
use qoscope::mqtt::topic::TopicError;
use session_harness::*;

fn request(topic: &str, qos: QoS) -> PublishRequest {
    PublishRequest {
        topic: topic.into(),
        qos,
        payload: b"x".to_vec(),
        ..Default::default()
    }
}

#[test]
fn publish_to_a_wildcard_topic_is_refused_with_the_reason() {
    let mut b = Broker::v311().connected();
    let err = b
        .session
        .publish(b.now, request("alarms/#", QoS::AtLeastOnce))
        .unwrap_err();
    assert_eq!(
        err,
        CommandError::InvalidTopic {
            topic: "alarms/#".into(),
            error: TopicError::WildcardInName { wildcard: '#' }
        }
    );
    assert!(err.to_string().contains("subscribe, not to publish"));
    assert!(b.drain().0.is_empty());
}

#[test]
fn qos0_publish_while_disconnected_is_refused() {
    let mut b = Broker::v311();
    assert_eq!(
        b.session.publish(b.now, request("t", QoS::AtMostOnce)),
        Err(CommandError::NotConnected)
    );
}

#[test]
fn subscribe_with_a_bad_filter_is_refused_with_the_reason() {
    let mut b = Broker::v311().connected();
    let f = SubscribeFilter {
        filter: "alarms/#/fire".into(),
        ..Default::default()
    };
    let err = b.session.subscribe(b.now, vec![f]).unwrap_err();
    assert!(
        err.to_string()
            .contains("'#' must be the last level, e.g. 'alarms/#'"),
        "{err}"
    );
}

#[test]
fn subscribe_needs_filters_and_a_connection() {
    let mut b = Broker::v311();
    assert_eq!(
        b.session.subscribe(b.now, vec![]),
        Err(CommandError::NoFilters)
    );
    let f = SubscribeFilter {
        filter: "a".into(),
        ..Default::default()
    };
    assert_eq!(
        b.session.subscribe(b.now, vec![f]),
        Err(CommandError::NotConnected)
    );
}

#[test]
fn suback_reports_granted_qos_and_failures_per_filter() {
    let mut b = Broker::v311().connected();
    let filters = vec![
        SubscribeFilter {
            filter: "a".into(),
            qos: QoS::ExactlyOnce,
            ..Default::default()
        },
        SubscribeFilter {
            filter: "b".into(),
            qos: QoS::AtLeastOnce,
            ..Default::default()
        },
    ];
    let id = b.session.subscribe(b.now, filters).unwrap();
    b.drain();
    let suback = qoscope::mqtt::packet::Suback {
        packet_id: id,
        codes: vec![1, 0x80],
        ..Default::default()
    };
    let (_, events) = b.feed(Packet::Suback(suback));
    let results = events
        .iter()
        .find_map(|e| match e {
            EventKind::Subscribed { results, .. } => Some(results.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(results[0].granted, Some(QoS::AtLeastOnce));
    assert_eq!((results[1].granted, results[1].code), (None, 0x80));
    assert!(!results[1].is_success());
    assert_eq!(
        b.session.subscriptions(),
        vec![("a".to_string(), QoS::AtLeastOnce)]
    );
}

#[test]
fn unsubscribe_forgets_the_granted_qos() {
    let mut b = Broker::v311().connected();
    b.subscribe("a", QoS::AtLeastOnce, 1);
    let id = b.session.unsubscribe(b.now, vec!["a".into()]).unwrap();
    let unsuback = qoscope::mqtt::packet::Unsuback {
        packet_id: id,
        ..Default::default()
    };
    let (_, events) = b.feed(Packet::Unsuback(unsuback));
    assert!(events
        .iter()
        .any(|e| matches!(e, EventKind::Unsubscribed { results, .. } if results[0].is_success())));
    assert!(b.session.subscriptions().is_empty());
}

#[test]
fn a_packet_before_connack_is_a_protocol_error() {
    let mut b = Broker::v311();
    b.session.connect(b.now);
    b.drain();
    let (_, events) = b.feed(Packet::Pingresp);
    assert!(events
        .iter()
        .any(|e| matches!(e, EventKind::ProtocolError { message } if message.contains("CONNACK"))));
    assert_eq!(b.session.state(), ConnectionState::Disconnected);
    assert!(b.session.poll_close());
}

#[test]
fn a_broker_sending_subscribe_is_a_protocol_error() {
    let mut b = Broker::v5().connected();
    let subscribe = qoscope::mqtt::packet::Subscribe {
        packet_id: 1,
        filters: vec![SubscribeFilter {
            filter: "a".into(),
            ..Default::default()
        }],
        ..Default::default()
    };
    let (sent, events) = b.feed(Packet::Subscribe(subscribe));
    assert!(matches!(&sent[..], [Packet::Disconnect(d)] if d.reason == 0x82));
    assert!(events
        .iter()
        .any(|e| matches!(e, EventKind::ProtocolError { .. })));
}

#[test]
fn puback_for_an_unknown_id_is_a_warning_not_a_crash() {
    let mut b = Broker::v311().connected();
    let (sent, events) = b.feed(Packet::Puback(ack(999)));
    assert!(sent.is_empty());
    assert!(events
        .iter()
        .any(|e| matches!(e, EventKind::Warning { .. })));
    assert_eq!(b.session.state(), ConnectionState::Connected);
}
