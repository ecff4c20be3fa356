//! Keep-alive (MQTT-3.1.2-23) and the OnTimeout retry policy.
#![cfg(not(target_arch = "wasm32"))]

mod session_harness;

use qoscope::mqtt::packet::{Connack, Packet, PacketType, PropertyValues, ProtocolVersion, QoS};
use qoscope::mqtt::session::{
    ConnectionState, DisconnectReason, EventKind, RetryPolicy, SessionConfig,
};
use session_harness::*;

fn keep_alive(secs: u16) -> SessionConfig {
    SessionConfig {
        keep_alive_secs: secs,
        ..SessionConfig::default()
    }
}

#[test]
fn keepalive_sends_pingreq_then_times_out() {
    let mut b = Broker::with(keep_alive(10)).connected();
    let start = b.now;
    let (sent, _) = b.advance_to(start + 9_999);
    assert!(sent.is_empty());
    let (sent, _) = b.advance_to(start + 10_000);
    assert_eq!(sent, vec![Packet::Pingreq]);
    let (_, events) = b.advance_to(start + 15_000);
    assert!(events.contains(&EventKind::KeepAliveTimeout));
    assert!(events.contains(&EventKind::Disconnected {
        reason: DisconnectReason::KeepAliveTimeout
    }));
    assert_eq!(b.session.state(), ConnectionState::Disconnected);
    assert!(b.session.poll_close());
}

#[test]
fn pingresp_in_time_keeps_the_connection() {
    let mut b = Broker::with(keep_alive(10)).connected();
    let start = b.now;
    b.advance_to(start + 10_000);
    b.now = start + 10_100;
    b.feed(Packet::Pingresp);
    let (sent, events) = b.advance_to(start + 19_999);
    assert!(sent.is_empty() && events.is_empty());
    let (sent, _) = b.advance_to(start + 20_000);
    assert_eq!(sent, vec![Packet::Pingreq]);
    assert_eq!(b.session.state(), ConnectionState::Connected);
}

#[test]
fn any_packet_sent_postpones_the_pingreq() {
    let mut b = Broker::with(keep_alive(10)).connected();
    let start = b.now;
    b.now = start + 6_000;
    b.publish("t", b"x", QoS::AtMostOnce);
    let (sent, _) = b.advance_to(start + 15_999);
    assert_eq!(sent.len(), 1, "only the PUBLISH");
    let (sent, _) = b.advance_to(start + 16_000);
    assert_eq!(sent, vec![Packet::Pingreq]);
}

#[test]
fn configured_pingresp_timeout_is_used() {
    let config = SessionConfig {
        pingresp_timeout_ms: Some(500),
        ..keep_alive(10)
    };
    let mut b = Broker::with(config).connected();
    let start = b.now;
    let (_, events) = b.advance_to(start + 10_500);
    assert!(events.contains(&EventKind::KeepAliveTimeout));
}

#[test]
fn server_keep_alive_replaces_ours() {
    let mut b = Broker::with(SessionConfig {
        version: ProtocolVersion::V5,
        ..keep_alive(60)
    });
    let props = PropertyValues {
        server_keep_alive: Some(5),
        ..Default::default()
    }
    .into();
    b.connect_with(Connack {
        properties: props,
        ..Default::default()
    });
    let start = b.now;
    let (sent, _) = b.advance_to(start + 5_000);
    assert_eq!(sent, vec![Packet::Pingreq]);
}

#[test]
fn missing_connack_ends_the_attempt_after_the_connack_timeout() {
    for keep_alive_secs in [0, 10, 600] {
        let mut b = Broker::with(SessionConfig {
            connack_timeout_ms: 10_000,
            ..keep_alive(keep_alive_secs)
        });
        b.session.connect(b.now);
        let _ = b.drain(); // CONNECT
        let start = b.now;
        let (_, events) = b.advance_to(start + 9_999);
        assert!(
            events.is_empty(),
            "keep-alive {keep_alive_secs}: {events:?}"
        );
        let (_, events) = b.advance_to(start + 10_000);
        assert!(
            events.contains(&EventKind::Disconnected {
                reason: DisconnectReason::ConnackTimeout
            }),
            "keep-alive {keep_alive_secs} (0 used to wait forever): {events:?}"
        );
    }
}

#[test]
fn on_timeout_policy_resends_publish_with_dup_then_pubrel_only() {
    let config = SessionConfig {
        retry: RetryPolicy::OnTimeout { interval_ms: 2_000 },
        ..keep_alive(0)
    };
    let mut b = Broker::with(config).connected();
    let start = b.now;
    let id = b.publish("t", b"x", QoS::ExactlyOnce).unwrap();
    b.drain();
    let (sent, events) = b.advance_to(start + 2_000);
    assert_eq!(publishes(&sent).len(), 1);
    assert!(publishes(&sent)[0].dup);
    assert!(events.contains(&EventKind::Retry {
        packet_id: id,
        packet_type: PacketType::Publish,
        attempt: 2
    }));
    b.feed(Packet::Pubrec(ack(id)));
    let (sent, events) = b.advance_to(start + 4_000);
    assert_eq!(sent, vec![Packet::Pubrel(ack(id))]);
    assert!(events.contains(&EventKind::Retry {
        packet_id: id,
        packet_type: PacketType::Pubrel,
        attempt: 2
    }));
}

#[test]
fn qos2_resend_after_pubrec_is_pubrel_never_publish() {
    let config = SessionConfig {
        retry: RetryPolicy::OnTimeout { interval_ms: 1_000 },
        ..keep_alive(0)
    };
    let mut b = Broker::with(config).connected();
    let start = b.now;
    let id = b.publish("t", b"x", QoS::ExactlyOnce).unwrap();
    b.feed(Packet::Pubrec(ack(id)));
    for second in 1..=5 {
        let (sent, _) = b.advance_to(start + second * 1_000);
        assert_eq!(sent, vec![Packet::Pubrel(ack(id))], "resend #{second}");
    }
}

#[test]
fn on_timeout_policy_is_ignored_with_a_warning_in_v5() {
    let config = SessionConfig {
        version: ProtocolVersion::V5,
        retry: RetryPolicy::OnTimeout { interval_ms: 1_000 },
        ..keep_alive(0)
    };
    let mut b = Broker::with(config);
    b.session.connect(b.now);
    let (_, events) = b.drain();
    assert!(events
        .iter()
        .any(|e| matches!(e, EventKind::Warning { message } if message.contains("OnTimeout"))));
    b.feed(Packet::Connack(Default::default()));
    b.publish("t", b"x", QoS::AtLeastOnce);
    b.drain();
    let start = b.now;
    let (sent, _) = b.advance_to(start + 60_000);
    assert!(sent.is_empty(), "MQTT 5 never resends within a connection");
}

#[test]
fn a_late_timeout_call_closes_without_a_pointless_pingreq() {
    let mut b = Broker::with(keep_alive(10)).connected();
    let start = b.now;
    b.session.handle_timeout(start + 10_000);
    b.drain();
    b.session.handle_timeout(start + 30_000);
    let (sent, events) = b.drain();
    assert!(sent.is_empty(), "{sent:?}");
    assert!(events.contains(&EventKind::KeepAliveTimeout));
}

#[test]
fn nothing_is_resent_while_disconnected() {
    let config = SessionConfig {
        retry: RetryPolicy::OnTimeout { interval_ms: 1_000 },
        clean_start: false,
        ..keep_alive(0)
    };
    let mut b = Broker::with(config).connected();
    b.publish("t", b"x", QoS::AtLeastOnce);
    b.close();
    let start = b.now;
    let (sent, _) = b.advance_to(start + 10_000);
    assert!(sent.is_empty());
    assert_eq!(b.session.poll_timeout(), None);
}
