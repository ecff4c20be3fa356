//! Persisting the session state and restoring it into a new session.
#![cfg(not(target_arch = "wasm32"))]

mod session_harness;

use qoscope::mqtt::packet::{Connack, Packet, QoS};
use qoscope::mqtt::session::{FlowState, Qos2Delivery, Session, SessionConfig, SessionSnapshot};
use session_harness::*;

fn config() -> SessionConfig {
    SessionConfig {
        client_id: "qoscope-1".into(),
        clean_start: false,
        qos2_delivery: Qos2Delivery::OnPubrel,
        ..SessionConfig::default()
    }
}

/// A session with one flow in every state, its snapshot taken mid-way.
fn busy_snapshot() -> (SessionSnapshot, [u16; 3]) {
    let mut b = Broker::with(config()).connected();
    let q1 = b.publish("a", b"1", QoS::AtLeastOnce).unwrap();
    let q2 = b.publish("b", b"2", QoS::ExactlyOnce).unwrap();
    let rel = b.publish("c", b"3", QoS::ExactlyOnce).unwrap();
    b.feed(Packet::Pubrec(ack(rel)));
    b.subscribe("alarms/#", QoS::ExactlyOnce, 2);
    b.feed(incoming("alarms/fire", QoS::ExactlyOnce, Some(40)));
    (b.session.snapshot(), [q1, q2, rel])
}

#[test]
fn snapshot_lists_flows_pubrels_incoming_ids_and_subscriptions() {
    let (snapshot, [q1, q2, rel]) = busy_snapshot();
    let states: Vec<_> = snapshot
        .outgoing_publishes
        .iter()
        .map(|o| (o.publish.packet_id, o.state))
        .collect();
    assert_eq!(
        states,
        vec![
            (Some(q1), FlowState::AwaitingPuback),
            (Some(q2), FlowState::AwaitingPubrec)
        ]
    );
    assert_eq!(snapshot.outgoing_pubrels, vec![rel]);
    assert_eq!(snapshot.incoming_qos2[0].packet_id, 40);
    assert!(
        snapshot.incoming_qos2[0].message.is_some(),
        "OnPubrel keeps the message"
    );
    assert_eq!(snapshot.subscriptions[0].filter, "alarms/#");
    assert!(snapshot.next_packet_id > rel);
}

#[test]
fn snapshot_restores_into_new_session() {
    let (snapshot, [q1, q2, rel]) = busy_snapshot();
    let json = serde_json::to_string(&snapshot).unwrap();
    let restored: SessionSnapshot = serde_json::from_str(&json).unwrap();
    assert_eq!(restored, snapshot);
    let mut b = Broker {
        session: Session::restore(config(), restored),
        now: 5_000,
    };
    assert_eq!(b.session.snapshot(), snapshot);
    let (sent, _) = b.connect_with(Connack {
        session_present: true,
        ..Default::default()
    });
    assert_eq!(sent[0], Packet::Pubrel(ack(rel)));
    let resent: Vec<_> = publishes(&sent)
        .iter()
        .map(|p| (p.packet_id, p.dup))
        .collect();
    assert_eq!(resent, vec![(Some(q1), true), (Some(q2), true)]);
    let (sent, events) = b.feed(Packet::Pubrel(ack(40)));
    assert_eq!(sent, vec![Packet::Pubcomp(ack(40))]);
    assert!(events.iter().any(|e| matches!(e, qoscope::mqtt::session::EventKind::Delivered { message } if message.topic == "alarms/fire")));
}

#[test]
fn restored_session_never_reuses_an_id_in_flight() {
    let (snapshot, ids) = busy_snapshot();
    let mut b = Broker {
        session: Session::restore(config(), snapshot),
        now: 5_000,
    };
    b.connect_with(Connack {
        session_present: true,
        ..Default::default()
    });
    for _ in 0..10 {
        let id = b.publish("t", b"x", QoS::AtLeastOnce).unwrap();
        assert!(!ids.contains(&id));
    }
}

fn v5_persistent() -> SessionConfig {
    SessionConfig {
        version: qoscope::mqtt::packet::ProtocolVersion::V5,
        ..config()
    }
}

fn resumed() -> Connack {
    Connack {
        session_present: true,
        ..Default::default()
    }
}

#[test]
fn a_v5_client_with_no_session_state_closes_when_the_broker_resumes_one() {
    // A page that lost its stored session (storage cleared) must not take
    // the broker's resends for new messages (MQTT-3.2.2-4).
    let mut b = Broker::with(v5_persistent());
    let (_, events) = b.connect_with(resumed());
    assert!(
        events.iter().any(|e| matches!(e,
            qoscope::mqtt::session::EventKind::ProtocolError { message } if message.contains("MQTT-3.2.2-4"))),
        "{events:?}"
    );
    assert!(!events
        .iter()
        .any(|e| matches!(e, qoscope::mqtt::session::EventKind::Connected { .. })));
    assert!(b.session.poll_close(), "the client closes the connection");
}

#[test]
fn a_v5_session_that_was_restored_or_accepted_once_takes_session_present() {
    let mut restored = Broker {
        session: Session::restore(v5_persistent(), SessionSnapshot::default()),
        now: 1_000,
    };
    let (_, events) = restored.connect_with(resumed());
    assert!(events
        .iter()
        .any(|e| matches!(e, qoscope::mqtt::session::EventKind::Connected { .. })));

    // The same session object, disconnected and connected again.
    let mut b = Broker::with(v5_persistent()).connected();
    b.close();
    let (_, events) = b.connect_with(resumed());
    assert!(events
        .iter()
        .any(|e| matches!(e, qoscope::mqtt::session::EventKind::Connected { .. })));
}

#[test]
fn the_state_revision_moves_with_what_a_snapshot_holds_and_only_then() {
    let mut b = Broker::with(config()).connected();
    let mut revision = b.session.state_revision();
    let mut moved = |b: &Broker| {
        let now = b.session.state_revision();
        let changed = now != revision;
        revision = now;
        changed
    };
    b.feed(incoming("t", QoS::AtMostOnce, None));
    b.feed(incoming("t", QoS::AtLeastOnce, Some(9)));
    assert!(
        !moved(&b),
        "QoS 0 and QoS 1 deliveries leave nothing to store"
    );
    b.feed(incoming("t", QoS::ExactlyOnce, Some(10)));
    assert!(moved(&b), "an incoming QoS 2 id is stored until PUBREL");
    b.feed(Packet::Pubrel(ack(10)));
    assert!(moved(&b), "and released");
    let id = b.publish("t", b"x", QoS::AtLeastOnce).unwrap();
    assert!(moved(&b), "an outgoing QoS 1 message is held until PUBACK");
    b.feed(Packet::Puback(ack(id)));
    assert!(moved(&b), "and let go");
    b.publish("t", b"x", QoS::AtMostOnce);
    assert!(!moved(&b), "QoS 0 holds nothing");
    b.subscribe("a/#", QoS::AtLeastOnce, 1);
    assert!(moved(&b), "subscriptions are session state");
}

#[test]
fn a_broker_that_lost_the_session_gets_every_subscription_back_as_first_asked() {
    use qoscope::mqtt::packet::{
        Properties, PropertyValues, ProtocolVersion, Suback, SubscribeFilter,
    };
    let mut b = Broker::with(SessionConfig {
        version: ProtocolVersion::V5,
        resubscribe: true,
        ..config()
    })
    .connected();
    let alarms = SubscribeFilter {
        filter: "alarms/#".into(),
        qos: QoS::ExactlyOnce,
        no_local: true,
        ..Default::default()
    };
    let tagged: Properties = PropertyValues {
        subscription_identifiers: vec![7],
        ..Default::default()
    }
    .into();
    for (filter, properties) in [
        (alarms.clone(), tagged.clone()),
        (
            SubscribeFilter {
                filter: "inventory/#".into(),
                qos: QoS::AtLeastOnce,
                ..Default::default()
            },
            Properties::default(),
        ),
    ] {
        let id = b
            .session
            .subscribe_with(b.now, vec![filter], properties)
            .unwrap();
        b.drain();
        b.feed(Packet::Suback(Suback {
            packet_id: id,
            codes: vec![1],
            ..Default::default()
        }));
    }
    b.close();

    // The broker restarted without persistence: no session.
    let (sent, events) = b.connect_with(Connack::default());
    assert!(events.iter().any(|e| matches!(e,
        qoscope::mqtt::session::EventKind::SubscriptionsLost { filters } if filters.len() == 2)));
    let subscribes: Vec<_> = sent
        .iter()
        .filter_map(|p| match p {
            Packet::Subscribe(s) => Some(s),
            _ => None,
        })
        .collect();
    assert_eq!(
        subscribes.len(),
        2,
        "one SUBSCRIBE per identifier: {sent:?}"
    );
    let again = subscribes
        .iter()
        .find(|s| s.properties == tagged)
        .expect("the tagged one again, with its identifier");
    assert_eq!(
        again.filters,
        vec![alarms],
        "its options as first asked, not as granted"
    );

    // Without the policy, the loss is reported and nothing is sent.
    let mut quiet = Broker::with(config()).connected();
    quiet.subscribe("a/#", QoS::AtLeastOnce, 1);
    quiet.close();
    let (sent, _) = quiet.connect_with(Connack::default());
    assert!(!sent.iter().any(|p| matches!(p, Packet::Subscribe(_))));
}

#[test]
fn a_stored_in_flight_message_costs_little_more_than_its_topic_and_payload() {
    let mut b = Broker::with(config()).connected();
    let payload = br#"{"sku":"A-100","delta":-3,"msg_id":"warehouse-1/000042","by":"scanner-7"}"#;
    let topic = "inventory/warehouse-1/A-100";
    for _ in 0..100 {
        b.publish(topic, payload, QoS::ExactlyOnce).unwrap();
    }
    let json = serde_json::to_string(&b.session.snapshot()).unwrap();
    let per_message = json.len() / 100;
    println!(
        "stored per in-flight QoS 2 message: {per_message} bytes ({} of topic and payload)",
        topic.len() + payload.len()
    );
    assert!(
        per_message < topic.len() + payload.len() + 160,
        "{per_message} bytes per message: {}",
        &json[..400]
    );
    let back: SessionSnapshot = serde_json::from_str(&json).unwrap();
    assert_eq!(back, b.session.snapshot(), "and it reads back the same");
}

#[test]
fn whoever_wants_filters_asks_the_session_and_nothing_is_subscribed_twice() {
    use qoscope::mqtt::packet::{Suback, SubscribeFilter};
    let wanted: Vec<SubscribeFilter> = ["alarms/#", "critical/#", "inventory/#"]
        .into_iter()
        .map(|f| SubscribeFilter {
            filter: f.into(),
            qos: QoS::ExactlyOnce,
            ..Default::default()
        })
        .collect();
    let mut b = Broker::with(SessionConfig {
        resubscribe: true,
        ..config()
    })
    .connected();
    assert_eq!(b.session.missing_subscriptions(&wanted), wanted);
    // Asked for, not yet granted: already the session's, not missing.
    let id = b.session.subscribe(b.now, wanted[..2].to_vec()).unwrap();
    b.drain();
    assert_eq!(b.session.missing_subscriptions(&wanted), wanted[2..]);
    b.feed(Packet::Suback(Suback {
        packet_id: id,
        codes: vec![2, 2],
        ..Default::default()
    }));
    assert_eq!(b.session.missing_subscriptions(&wanted), wanted[2..]);
    // The broker lost the session: the session asks again by itself, and
    // whoever wants the filters, asking after that, is told only the third.
    b.close();
    let (sent, _) = b.connect_with(Connack::default());
    let resubscribed = sent
        .iter()
        .filter(|p| matches!(p, Packet::Subscribe(_)))
        .count();
    assert_eq!(resubscribed, 1);
    assert_eq!(b.session.missing_subscriptions(&wanted), wanted[2..]);
}
