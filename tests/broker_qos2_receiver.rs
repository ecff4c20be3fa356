#![cfg(not(target_arch = "wasm32"))]
//! The broker's QoS 2 receiver table: PUBLISH → PUBREC, held until PUBREL,
//! repeats answered but not forwarded twice, PUBREC resent on a timer.

mod broker_support;

use broker_support::*;
use qoscope::mqtt::broker::{BrokerEventKind, Qos2Forwarding};
use qoscope::mqtt::packet::{Packet, QoS};

#[test]
fn qos2_message_is_held_in_the_table_until_pubrel_then_forwarded_and_completed() {
    let mut broker = pair("alarms/fire", QoS::ExactlyOnce);
    broker.handle_packet(10, PUB, publish("alarms/fire", QoS::ExactlyOnce, Some(7)));
    assert_eq!(sent(&mut broker), vec![(PUB, Packet::Pubrec(ack(7, 0)))]);
    let table = broker.open_qos2_transactions(25);
    assert_eq!(table.len(), 1);
    assert_eq!(
        (
            table[0].client_id.as_str(),
            table[0].packet_id,
            table[0].age_ms
        ),
        ("pub", 7, 15)
    );

    broker.handle_packet(30, PUB, pubrel(7));
    let out = sent(&mut broker);
    let forwarded = publishes_to(&out, SUB);
    assert_eq!(forwarded.len(), 1);
    assert_eq!(
        (forwarded[0].qos, forwarded[0].packet_id),
        (QoS::ExactlyOnce, Some(1))
    );
    assert!(out.contains(&(PUB, Packet::Pubcomp(ack(7, 0)))));
    assert!(broker.open_qos2_transactions(30).is_empty());
}

#[test]
fn repeated_qos2_publish_gets_pubrec_again_and_is_not_forwarded_twice() {
    let mut broker = pair("t", QoS::ExactlyOnce);
    configure(&mut broker, |c| {
        c.qos2_forwarding = Qos2Forwarding::OnPublish
    });
    broker.handle_packet(0, PUB, publish("t", QoS::ExactlyOnce, Some(3)));
    assert_eq!(publishes_to(&sent(&mut broker), SUB).len(), 1);
    let mut again = publish("t", QoS::ExactlyOnce, Some(3));
    if let Packet::Publish(p) = &mut again {
        p.dup = true;
    }
    broker.handle_packet(5, PUB, again);
    assert_eq!(sent(&mut broker), vec![(PUB, Packet::Pubrec(ack(3, 0)))]);
    assert_eq!(broker.open_qos2_transactions(5)[0].pubrec_resends, 1);
}

#[test]
fn pubrel_for_an_unknown_id_still_gets_pubcomp() {
    let mut broker = pair("t", QoS::ExactlyOnce);
    broker.handle_packet(0, PUB, pubrel(99));
    assert_eq!(sent(&mut broker), vec![(PUB, Packet::Pubcomp(ack(99, 0)))]);
    assert!(std::iter::from_fn(|| broker.poll_event()).any(|e| matches!(
        e.kind,
        BrokerEventKind::PubrelForUnknownId { packet_id: 99, .. }
    )));
}

#[test]
fn pubrec_is_resent_when_no_pubrel_comes_if_configured() {
    let mut broker = pair("t", QoS::ExactlyOnce);
    configure(&mut broker, |c| c.pubrec_resend_ms = Some(1000));
    broker.handle_packet(0, PUB, publish("t", QoS::ExactlyOnce, Some(4)));
    sent(&mut broker);
    assert_eq!(broker.poll_timeout(), Some(1000));
    broker.handle_timeout(1000);
    assert_eq!(sent(&mut broker), vec![(PUB, Packet::Pubrec(ack(4, 0)))]);
    assert_eq!(broker.poll_timeout(), Some(2000));
}
