//! Reconnecting: the session outlives the connection (MQTT-4.4.0-1).
#![cfg(not(target_arch = "wasm32"))]

mod session_harness;

use qoscope::mqtt::packet::{Connack, Packet, PacketType, QoS};
use qoscope::mqtt::session::{ConnectionState, DisconnectReason, EventKind, SessionConfig};
use session_harness::*;

fn persistent() -> Broker {
    Broker::with(SessionConfig {
        client_id: "qoscope-1".into(),
        clean_start: false,
        ..SessionConfig::default()
    })
}

fn resumed() -> Connack {
    Connack {
        session_present: true,
        ..Default::default()
    }
}

#[test]
fn reconnect_with_session_present_resends_publish_with_dup_and_original_id() {
    let mut b = persistent().connected();
    let id = b.publish("t", b"x", QoS::AtLeastOnce).unwrap();
    b.drain();
    let events = b.close();
    assert!(events.contains(&EventKind::Disconnected {
        reason: DisconnectReason::TransportClosed
    }));
    let (sent, events) = b.connect_with(resumed());
    let resent = publishes(&sent);
    assert_eq!(resent.len(), 1);
    assert_eq!((resent[0].packet_id, resent[0].dup), (Some(id), true));
    assert!(events.contains(&EventKind::Retry {
        packet_id: id,
        packet_type: PacketType::Publish,
        attempt: 2
    }));
}

#[test]
fn reconnect_after_pubrec_resends_pubrel_never_publish() {
    let mut b = persistent().connected();
    let id = b.publish("t", b"x", QoS::ExactlyOnce).unwrap();
    b.drain();
    b.feed(Packet::Pubrec(ack(id)));
    b.close();
    let (sent, _) = b.connect_with(resumed());
    assert_eq!(sent, vec![Packet::Pubrel(ack(id))]);
}

#[test]
fn reconnect_resends_in_original_order() {
    let mut b = persistent().connected();
    let first = b.publish("t", b"1", QoS::ExactlyOnce).unwrap();
    let second = b.publish("t", b"2", QoS::AtLeastOnce).unwrap();
    let third = b.publish("t", b"3", QoS::ExactlyOnce).unwrap();
    b.drain();
    b.close();
    let (sent, _) = b.connect_with(resumed());
    let ids: Vec<_> = publishes(&sent)
        .iter()
        .map(|p| p.packet_id.unwrap())
        .collect();
    assert_eq!(ids, vec![first, second, third]);
}

#[test]
fn reconnect_without_session_drops_and_reports_inflight() {
    let mut b = persistent().connected();
    let a = b.publish("t", b"1", QoS::AtLeastOnce).unwrap();
    let c = b.publish("t", b"2", QoS::ExactlyOnce).unwrap();
    b.drain();
    b.feed(Packet::Pubrec(ack(c)));
    b.close();
    let (sent, events) = b.connect_with(Connack::default());
    assert!(publishes(&sent).is_empty() && !sent.iter().any(|p| matches!(p, Packet::Pubrel(_))));
    let dropped: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            EventKind::MessageDropped { packet_id, .. } => Some(*packet_id),
            _ => None,
        })
        .collect();
    assert_eq!(dropped, vec![a, c]);
    assert_eq!(
        flows(&events),
        vec![
            (a, "AwaitingPuback", "Abandoned"),
            (c, "AwaitingPubcomp", "Abandoned")
        ]
    );
    assert_eq!(b.session.inflight_len(), 0);
}

#[test]
fn qos1_publish_while_disconnected_is_queued_and_sent_after_connack() {
    let mut b = Broker::v311();
    let id = b.publish("t", b"x", QoS::AtLeastOnce).unwrap();
    let (sent, events) = b.drain();
    assert!(sent.is_empty());
    assert_eq!(flows(&events), vec![(id, "New", "Queued")]);
    let (sent, events) = b.connect_with(Connack::default());
    assert_eq!(publishes(&sent)[0].packet_id, Some(id));
    assert!(!publishes(&sent)[0].dup, "never sent before: no DUP");
    assert_eq!(flows(&events), vec![(id, "Queued", "AwaitingPuback")]);
}

#[test]
fn pending_subscribe_is_reported_abandoned_when_the_connection_closes() {
    let mut b = Broker::v311().connected();
    let f = qoscope::mqtt::packet::SubscribeFilter {
        filter: "a/#".into(),
        ..Default::default()
    };
    let id = b.session.subscribe(b.now, vec![f]).unwrap();
    let events = b.close();
    assert!(events.contains(&EventKind::RequestAbandoned {
        packet_id: id,
        packet_type: PacketType::Subscribe
    }));
}

#[test]
fn connect_without_session_reports_lost_subscriptions() {
    let mut b = persistent().connected();
    b.subscribe("a/#", QoS::AtLeastOnce, 1);
    b.close();
    let (_, events) = b.connect_with(Connack::default());
    assert!(events.contains(&EventKind::SubscriptionsLost {
        filters: vec!["a/#".into()]
    }));
    assert!(b.session.subscriptions().is_empty());
}

#[test]
fn refused_connack_reports_the_code_and_disconnects() {
    let mut b = Broker::v311();
    let (_, events) = b.connect_with(Connack {
        code: 5,
        ..Default::default()
    });
    assert!(events
        .iter()
        .any(|e| matches!(e, EventKind::ConnectionRefused { code: 5, .. })));
    assert_eq!(b.session.state(), ConnectionState::Disconnected);
    assert!(b.session.poll_close());
}

#[test]
fn disconnect_sends_disconnect_and_asks_to_close_the_transport() {
    let mut b = Broker::v311().connected();
    b.session.disconnect(b.now).unwrap();
    let (sent, events) = b.drain();
    assert!(matches!(sent[..], [Packet::Disconnect(_)]));
    assert!(events.contains(&EventKind::Disconnected {
        reason: DisconnectReason::ClientDisconnect
    }));
    assert!(b.session.poll_close());
    assert!(!b.session.poll_close(), "asked once");
}

#[test]
fn the_queue_of_messages_waiting_for_a_connection_is_bounded_in_count_and_bytes() {
    use qoscope::mqtt::session::{CommandError, PublishRequest};
    let mut b = Broker::with(SessionConfig {
        max_queued_messages: 3,
        max_queued_bytes: 10,
        ..SessionConfig::default()
    });
    let request = |payload: &[u8]| PublishRequest {
        topic: "inventory/A-100".into(),
        payload: payload.to_vec(),
        qos: QoS::ExactlyOnce,
        ..Default::default()
    };
    assert!(b.session.publish(b.now, request(b"1234")).is_ok());
    assert!(b.session.publish(b.now, request(b"1234")).is_ok());
    assert_eq!(
        b.session.publish(b.now, request(b"123")),
        Err(CommandError::QueueFull {
            messages: 2,
            bytes: 8
        }),
        "the bytes bound"
    );
    assert!(b.session.publish(b.now, request(b"1")).is_ok());
    assert!(
        matches!(
            b.session.publish(b.now, request(b"")),
            Err(CommandError::QueueFull { messages: 3, .. })
        ),
        "the count bound"
    );
    assert_eq!((b.session.queued_len(), b.session.queued_bytes()), (3, 9));

    // Once connected they go out, and the queue is empty again.
    b.connect_with(Connack::default());
    assert_eq!((b.session.queued_len(), b.session.queued_bytes()), (0, 0));
    assert!(
        b.session.publish(b.now, request(b"12345678901")).is_ok(),
        "sent at once: no bound"
    );
}

/// A driver holds the session's packets back while its socket is full
/// (`net::ws` back-pressure). If that socket then closes, none of them goes
/// out on the next one: CONNECT comes first, a QoS 1 publish is sent again
/// from its flow, a QoS 0 one is gone (at most once).
#[test]
fn packets_held_back_for_a_closed_socket_are_not_sent_on_the_next() {
    let mut b = persistent().connected();
    b.publish("t", b"zero", QoS::AtMostOnce);
    let id = b.publish("t", b"one", QoS::AtLeastOnce).unwrap();
    assert_eq!(b.session.unsent_len(), 2, "both wait, not yet polled");
    b.session.handle_closed(b.now);
    b.session.connect(b.now);
    assert_eq!(b.session.unsent_len(), 1, "only CONNECT");
    let held = b.session.unsent_bytes();
    let first = b.session.poll_transmit().unwrap();
    assert!(matches!(first.packet, Packet::Connect(_)));
    assert_eq!(held, first.bytes.len(), "the bytes counted are CONNECT's");
    assert_eq!(b.session.unsent_bytes(), 0);
    let (sent, _) = b.feed(Packet::Connack(resumed()));
    let resent = publishes(&sent);
    assert_eq!(resent.len(), 1, "the QoS 1 publish, not the QoS 0 one");
    assert_eq!((resent[0].packet_id, resent[0].dup), (Some(id), true));
}
