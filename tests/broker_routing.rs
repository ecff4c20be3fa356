#![cfg(not(target_arch = "wasm32"))]
//! Subscriptions and routing: granted QoS, wildcards, downgrading to the
//! granted QoS, retained messages, UNSUBACK.

mod broker_support;

use broker_support::*;
use qoscope::mqtt::broker::{Broker, BrokerConfig, BrokerEventKind};
use qoscope::mqtt::packet::{Packet, Properties, ProtocolVersion, Publish, QoS, Unsubscribe};

#[test]
fn suback_grants_the_lower_of_requested_and_maximum_qos_and_refuses_bad_filters() {
    let mut broker = Broker::new(BrokerConfig {
        maximum_qos: QoS::AtLeastOnce,
        ..BrokerConfig::default()
    });
    connect(&mut broker, 0, SUB, "sub", true, ProtocolVersion::V311);
    assert_eq!(
        subscribe(&mut broker, SUB, "a/#", QoS::ExactlyOnce),
        vec![1]
    );
    assert_eq!(
        subscribe(&mut broker, SUB, "a/#/b", QoS::AtMostOnce),
        vec![0x80]
    );
}

#[test]
fn qos2_publish_is_delivered_at_qos1_to_a_qos1_subscription_with_the_brokers_own_id() {
    let mut broker = pair("t", QoS::AtLeastOnce);
    broker.handle_packet(0, PUB, publish("t", QoS::ExactlyOnce, Some(500)));
    broker.handle_packet(1, PUB, pubrel(500));
    let forwarded = publishes_to(&sent(&mut broker), SUB);
    assert_eq!(
        (forwarded[0].qos, forwarded[0].packet_id),
        (QoS::AtLeastOnce, Some(1))
    );
    assert!(std::iter::from_fn(|| broker.poll_event()).any(|e| matches!(
        e.kind,
        BrokerEventKind::MessageRouted {
            published_qos: QoS::ExactlyOnce,
            delivered_qos: QoS::AtLeastOnce,
            ..
        }
    )));
    broker.handle_packet(2, SUB, Packet::Puback(ack(1, 0)));
    assert!(broker.is_quiescent());
}

#[test]
fn wildcards_route_but_do_not_match_dollar_topics() {
    let mut broker = pair("#", QoS::AtMostOnce);
    subscribe(&mut broker, SUB, "sensors/+/temp", QoS::AtMostOnce);
    broker.handle_packet(0, PUB, publish("sensors/a/temp", QoS::AtMostOnce, None));
    broker.handle_packet(0, PUB, publish("$SYS/uptime", QoS::AtMostOnce, None));
    let topics: Vec<String> = publishes_to(&sent(&mut broker), SUB)
        .into_iter()
        .map(|p| p.topic)
        .collect();
    assert_eq!(
        topics,
        vec!["sensors/a/temp".to_string()],
        "one copy for overlapping filters, none for $SYS"
    );
}

#[test]
fn retained_message_goes_to_new_subscribers_and_an_empty_one_clears_it() {
    let mut broker = pair("other", QoS::AtMostOnce);
    let mut retained = publish("stock/count", QoS::AtLeastOnce, Some(1));
    if let Packet::Publish(p) = &mut retained {
        p.retain = true;
    }
    broker.handle_packet(0, PUB, retained);
    sent(&mut broker);
    let (_, out) = subscribe_and_collect(&mut broker, SUB, "stock/#", QoS::AtMostOnce);
    let got = publishes_to(&out, SUB);
    assert_eq!(got.len(), 1);
    assert!(got[0].retain && got[0].qos == QoS::AtMostOnce);

    let clear = Packet::Publish(Publish {
        retain: true,
        topic: "stock/count".into(),
        ..Publish::default()
    });
    broker.handle_packet(1, PUB, clear);
    assert!(broker.retained().is_empty());
}

#[test]
fn mqtt5_unsuback_says_whether_the_subscription_existed() {
    let mut broker = Broker::new(BrokerConfig::default());
    connect(&mut broker, 0, SUB, "s", true, ProtocolVersion::V5);
    subscribe(&mut broker, SUB, "a", QoS::AtMostOnce);
    let unsubscribe = Unsubscribe {
        packet_id: 2,
        filters: vec!["a".into(), "b".into()],
        properties: Properties::default(),
    };
    broker.handle_packet(1, SUB, Packet::Unsubscribe(unsubscribe));
    match &sent(&mut broker)[0].1 {
        Packet::Unsuback(u) => assert_eq!(u.codes, vec![0x00, 0x11]),
        other => panic!("expected UNSUBACK, got {other:?}"),
    }
}
