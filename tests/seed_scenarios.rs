#![cfg(not(target_arch = "wasm32"))]
//! The failure scenarios of the seeds (`qos2-exactly-once.txt` scenarios 1
//! and 2, `qos-levels.txt` cases 1–4, the QoS 1 and QoS 0 notes), replayed on
//! the simulated network: each test asserts the packets on the wire, hop by
//! hop, and what the subscriber's application received.

mod sim_support;

use qoscope::mqtt::broker::{BrokerConfig, BrokerEventKind, ResendReason};
use qoscope::mqtt::fault::Direction::{BrokerToClient, ClientToBroker};
use qoscope::mqtt::packet::{PacketType, ProtocolVersion, QoS};
use qoscope::mqtt::session::{EventKind, RetryPolicy};
use qoscope::mqtt::sim::{Node, SimEventKind};
use sim_support::*;

fn subscriber_events(sim: &qoscope::mqtt::sim::Sim) -> Vec<EventKind> {
    sim.log()
        .iter()
        .filter_map(|e| match &e.kind {
            SimEventKind::Session { client, event } if *client == SUBSCRIBER => Some(event.clone()),
            _ => None,
        })
        .collect()
}

/// The second hop of a QoS 2 message that the broker forwards untroubled.
const CLEAN_QOS2_SECOND_HOP: [&str; 4] = [
    "broker→sub PUBLISH q2 id1",
    "sub→broker PUBREC id1",
    "broker→sub PUBREL id1",
    "sub→broker PUBCOMP id1",
];

#[test]
fn qos2_pubrec_lost_publisher_resends_publish_with_dup_and_broker_resends_pubrec() {
    // Scenario 1 with the 3.1.1 in-session retry the seed describes ("超时重发 PUBLISH").
    let mut sim = connected(Setup::default());
    drop_next(&mut sim, PUBLISHER, PacketType::Pubrec, BrokerToClient);
    sim.publish(PUBLISHER, alarm(QoS::ExactlyOnce))
        .expect("publish");
    assert!(sim.run_until_idle());

    assert_eq!(
        hop(&sim, PUBLISHER),
        [
            "pub→broker PUBLISH q2 id1",
            "broker→pub PUBREC id1 ✗",
            "pub→broker PUBLISH q2 id1 dup",
            "broker→pub PUBREC id1",
            "pub→broker PUBREL id1",
            "broker→pub PUBCOMP id1",
        ]
    );
    assert_eq!(hop(&sim, SUBSCRIBER), CLEAN_QOS2_SECOND_HOP);
    // "Broker 识别重复,重发 PUBREC": the repeat was recognised, not forwarded.
    assert!(broker_events(&sim).iter().any(|e| matches!(
        e,
        BrokerEventKind::Resent {
            packet: PacketType::Pubrec,
            reason: ResendReason::DuplicatePublish,
            ..
        }
    )));
    assert_eq!(delivered(&sim).len(), 1);
}

#[test]
fn qos2_pubrec_lost_publisher_resends_publish_with_dup_after_reconnect_in_both_versions() {
    // The same loss under the default policy: nothing is resent until the
    // publisher reconnects with its session (MQTT-4.4.0-1), then PUBLISH DUP=1.
    for version in [ProtocolVersion::V311, ProtocolVersion::V5] {
        let mut sim = connected(Setup {
            version,
            retry: RetryPolicy::OnReconnect,
            ..Setup::default()
        });
        drop_next(&mut sim, PUBLISHER, PacketType::Pubrec, BrokerToClient);
        sim.publish(PUBLISHER, alarm(QoS::ExactlyOnce))
            .expect("publish");
        sim.run_for(10_000);
        assert_eq!(
            hop(&sim, PUBLISHER),
            ["pub→broker PUBLISH q2 id1", "broker→pub PUBREC id1 ✗"],
            "{version:?}: no in-session resend"
        );
        assert_eq!(sim.broker().open_qos2_transactions(sim.now()).len(), 1);

        let now = sim.now();
        sim.reconnect(PUBLISHER, now);
        assert!(sim.run_until_idle());
        assert_eq!(
            hop(&sim, PUBLISHER)[2..],
            [
                "pub→broker CONNECT",
                "broker→pub CONNACK",
                "pub→broker PUBLISH q2 id1 dup",
                "broker→pub PUBREC id1",
                "pub→broker PUBREL id1",
                "broker→pub PUBCOMP id1",
            ],
            "{version:?}"
        );
        assert_eq!(hop(&sim, SUBSCRIBER), CLEAN_QOS2_SECOND_HOP, "{version:?}");
        assert_eq!(delivered(&sim).len(), 1, "{version:?}");
    }
}

#[test]
fn qos2_pubrel_lost_broker_resends_pubrec_and_publisher_resends_pubrel() {
    // Scenario 2: "Broker 未收到 PUBREL,重发 PUBREC" — the broker's timer,
    // not the publisher's, drives the recovery here.
    let mut sim = connected(Setup {
        retry: RetryPolicy::OnReconnect,
        broker: BrokerConfig {
            pubrec_resend_ms: Some(500),
            ..BrokerConfig::default()
        },
        ..Setup::default()
    });
    drop_next(&mut sim, PUBLISHER, PacketType::Pubrel, ClientToBroker);
    sim.publish(PUBLISHER, alarm(QoS::ExactlyOnce))
        .expect("publish");
    assert!(sim.run_until_idle());

    assert_eq!(
        hop(&sim, PUBLISHER),
        [
            "pub→broker PUBLISH q2 id1",
            "broker→pub PUBREC id1",
            "pub→broker PUBREL id1 ✗",
            "broker→pub PUBREC id1",
            "pub→broker PUBREL id1",
            "broker→pub PUBCOMP id1",
        ]
    );
    let resent_at = sim
        .wire()
        .filter(|w| w.packet.packet_type() == PacketType::Pubrec && w.to == Node::Client(PUBLISHER))
        .map(|w| w.sent_at)
        .collect::<Vec<_>>();
    assert_eq!(
        resent_at[1] - resent_at[0],
        500,
        "PUBREC again 500 ms after the first"
    );
    assert_eq!(hop(&sim, SUBSCRIBER), CLEAN_QOS2_SECOND_HOP);
    assert_eq!(delivered(&sim).len(), 1);
}

#[test]
fn qos2_publish_lost_is_resent() {
    // Case 1: the PUBLISH never arrives; no PUBREC in time, so PUBLISH DUP=1.
    let mut sim = connected(Setup::default());
    drop_next(&mut sim, PUBLISHER, PacketType::Publish, ClientToBroker);
    sim.publish(PUBLISHER, alarm(QoS::ExactlyOnce))
        .expect("publish");
    assert!(sim.run_until_idle());

    assert_eq!(
        hop(&sim, PUBLISHER),
        [
            "pub→broker PUBLISH q2 id1 ✗",
            "pub→broker PUBLISH q2 id1 dup",
            "broker→pub PUBREC id1",
            "pub→broker PUBREL id1",
            "broker→pub PUBCOMP id1",
        ]
    );
    assert_eq!(hop(&sim, SUBSCRIBER), CLEAN_QOS2_SECOND_HOP);
    assert_eq!(delivered(&sim).len(), 1);
}

#[test]
fn qos2_pubrec_lost() {
    // Case 2, on the broker→subscriber hop: the subscriber's PUBREC is lost,
    // the broker resends PUBLISH DUP=1, the subscriber recognises the id,
    // answers PUBREC again and does not deliver twice.
    let mut sim = connected(Setup {
        broker: BrokerConfig {
            retry_interval_ms: Some(1000),
            ..BrokerConfig::default()
        },
        ..Setup::default()
    });
    drop_next(&mut sim, SUBSCRIBER, PacketType::Pubrec, ClientToBroker);
    sim.publish(PUBLISHER, alarm(QoS::ExactlyOnce))
        .expect("publish");
    assert!(sim.run_until_idle());

    assert_eq!(
        hop(&sim, SUBSCRIBER),
        [
            "broker→sub PUBLISH q2 id1",
            "sub→broker PUBREC id1 ✗",
            "broker→sub PUBLISH q2 id1 dup",
            "sub→broker PUBREC id1",
            "broker→sub PUBREL id1",
            "sub→broker PUBCOMP id1",
        ]
    );
    assert!(subscriber_events(&sim)
        .iter()
        .any(|e| matches!(e, EventKind::DuplicateSuppressed { packet_id: 1 })));
    assert_eq!(delivered(&sim).len(), 1);
}

#[test]
fn qos2_pubrel_lost() {
    // Case 3: PUBREL lost; no PUBCOMP in time, so PUBREL again (never PUBLISH).
    let mut sim = connected(Setup::default());
    drop_next(&mut sim, PUBLISHER, PacketType::Pubrel, ClientToBroker);
    sim.publish(PUBLISHER, alarm(QoS::ExactlyOnce))
        .expect("publish");
    assert!(sim.run_until_idle());

    assert_eq!(
        hop(&sim, PUBLISHER),
        [
            "pub→broker PUBLISH q2 id1",
            "broker→pub PUBREC id1",
            "pub→broker PUBREL id1 ✗",
            "pub→broker PUBREL id1",
            "broker→pub PUBCOMP id1",
        ]
    );
    assert_eq!(hop(&sim, SUBSCRIBER), CLEAN_QOS2_SECOND_HOP);
    assert_eq!(delivered(&sim).len(), 1);
}

#[test]
fn qos2_pubcomp_lost_publisher_resends_pubrel_and_gets_pubcomp_for_unknown_id() {
    // Case 4: the broker already released the id; the repeated PUBREL finds
    // nothing and still gets PUBCOMP, and nothing is forwarded twice.
    let mut sim = connected(Setup::default());
    drop_next(&mut sim, PUBLISHER, PacketType::Pubcomp, BrokerToClient);
    sim.publish(PUBLISHER, alarm(QoS::ExactlyOnce))
        .expect("publish");
    assert!(sim.run_until_idle());

    assert_eq!(
        hop(&sim, PUBLISHER),
        [
            "pub→broker PUBLISH q2 id1",
            "broker→pub PUBREC id1",
            "pub→broker PUBREL id1",
            "broker→pub PUBCOMP id1 ✗",
            "pub→broker PUBREL id1",
            "broker→pub PUBCOMP id1",
        ]
    );
    assert!(broker_events(&sim)
        .iter()
        .any(|e| matches!(e, BrokerEventKind::PubrelForUnknownId { packet_id: 1, .. })));
    assert_eq!(hop(&sim, SUBSCRIBER), CLEAN_QOS2_SECOND_HOP);
    assert_eq!(delivered(&sim).len(), 1);
}

#[test]
fn qos1_lost_puback_produces_duplicate_with_dup_flag() {
    let mut sim = connected(Setup {
        subscription_qos: QoS::AtLeastOnce,
        broker: BrokerConfig {
            retry_interval_ms: Some(1000),
            ..BrokerConfig::default()
        },
        ..Setup::default()
    });

    // Hop 1: the broker's PUBACK is lost; the publisher resends with DUP=1 and
    // the broker, which cannot tell, forwards the message a second time.
    drop_next(&mut sim, PUBLISHER, PacketType::Puback, BrokerToClient);
    sim.publish(PUBLISHER, alarm(QoS::AtLeastOnce))
        .expect("publish");
    assert!(sim.run_until_idle());
    assert_eq!(
        hop(&sim, PUBLISHER),
        [
            "pub→broker PUBLISH q1 id1",
            "broker→pub PUBACK id1 ✗",
            "pub→broker PUBLISH q1 id1 dup",
            "broker→pub PUBACK id1",
        ]
    );
    assert_eq!(
        hop(&sim, SUBSCRIBER),
        [
            "broker→sub PUBLISH q1 id1",
            "sub→broker PUBACK id1",
            "broker→sub PUBLISH q1 id2",
            "sub→broker PUBACK id2",
        ]
    );
    assert_eq!(
        delivered(&sim).len(),
        2,
        "the inventory count goes up twice"
    );

    // Hop 2: the subscriber's PUBACK is lost; the broker resends with DUP=1
    // and the subscriber's application sees the message again, flagged.
    sim.take_log();
    drop_next(&mut sim, SUBSCRIBER, PacketType::Puback, ClientToBroker);
    sim.publish(PUBLISHER, alarm(QoS::AtLeastOnce))
        .expect("publish");
    assert!(sim.run_until_idle());
    assert_eq!(
        hop(&sim, SUBSCRIBER),
        [
            "broker→sub PUBLISH q1 id3",
            "sub→broker PUBACK id3 ✗",
            "broker→sub PUBLISH q1 id3 dup",
            "sub→broker PUBACK id3",
        ]
    );
    let got = delivered(&sim);
    assert_eq!(got.len(), 2);
    assert!(!got[0].dup && got[1].dup);
}

#[test]
fn qos0_lost_publish_is_gone() {
    let mut sim = connected(Setup::default());

    drop_next(&mut sim, PUBLISHER, PacketType::Publish, ClientToBroker);
    sim.publish(PUBLISHER, alarm(QoS::AtMostOnce))
        .expect("publish");
    assert!(sim.run_until_idle());
    sim.run_for(60_000);
    assert_eq!(trace(&sim), ["pub→broker PUBLISH q0 ✗"], "never resent");

    drop_next(&mut sim, SUBSCRIBER, PacketType::Publish, BrokerToClient);
    sim.publish(PUBLISHER, alarm(QoS::AtMostOnce))
        .expect("publish");
    assert!(sim.run_until_idle());
    sim.run_for(60_000);
    assert_eq!(
        trace(&sim)[1..],
        ["pub→broker PUBLISH q0", "broker→sub PUBLISH q0 ✗"]
    );
    assert!(delivered(&sim).is_empty());
}

#[test]
fn qos2_publish_downgraded_by_qos1_subscription() {
    // QoS is agreed per hop: QoS 2 to the broker, min(2, 1) = QoS 1 onwards.
    let mut sim = connected(Setup {
        subscription_qos: QoS::AtLeastOnce,
        ..Setup::default()
    });
    sim.publish(PUBLISHER, alarm(QoS::ExactlyOnce))
        .expect("publish");
    assert!(sim.run_until_idle());

    assert_eq!(
        hop(&sim, PUBLISHER),
        [
            "pub→broker PUBLISH q2 id1",
            "broker→pub PUBREC id1",
            "pub→broker PUBREL id1",
            "broker→pub PUBCOMP id1",
        ]
    );
    assert_eq!(
        hop(&sim, SUBSCRIBER),
        ["broker→sub PUBLISH q1 id1", "sub→broker PUBACK id1"]
    );
    assert!(broker_events(&sim).iter().any(|e| matches!(
        e,
        BrokerEventKind::MessageRouted {
            published_qos: QoS::ExactlyOnce,
            granted_qos: QoS::AtLeastOnce,
            delivered_qos: QoS::AtLeastOnce,
            ..
        }
    )));
    let got = delivered(&sim);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].qos, QoS::AtLeastOnce);
}
