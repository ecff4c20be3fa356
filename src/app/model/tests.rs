//! The client model, fed the updates a connection produces.

use super::*;
use crate::mqtt::packet::{Packet, Properties, QoS};
use crate::mqtt::session::{CommandError, Event, EventKind, FilterResult, Message};
use crate::net::ws::{LinkUpdate, TransportEvent};

fn session(at: u64, kind: EventKind) -> LinkUpdate {
    LinkUpdate::Session(std::sync::Arc::new(Event { at, kind }))
}

fn transport(event: TransportEvent) -> LinkUpdate {
    LinkUpdate::Transport { at: 0, event }
}

fn message(topic: &str, payload: &[u8], qos: QoS) -> Message {
    Message {
        topic: topic.into(),
        payload: payload.to_vec(),
        qos,
        retain: false,
        dup: false,
        packet_id: None,
        properties: Properties::default(),
        matched_filters: vec![],
    }
}

#[test]
fn status_labels_say_what_the_connection_is_doing() {
    assert_eq!(ConnStatus::Disconnected.label(), "Disconnected");
    assert_eq!(ConnStatus::Connecting.label(), "Connecting…");
    assert_eq!(
        ConnStatus::Reconnecting {
            in_secs: Some(4),
            attempt: 3
        }
        .label(),
        "Reconnecting in 4s (attempt 3)"
    );
    assert_eq!(
        ConnStatus::Refused {
            reason: "Not authorized".into()
        }
        .label(),
        "Refused: Not authorized"
    );
}

#[test]
fn a_refusal_follows_the_language_in_the_pill_and_the_error_line() {
    let mut model = ClientModel::default();
    model.connecting("c1", "ws://h", &[], 0);
    model.apply(session(
        5,
        EventKind::ConnectionRefused {
            code: 0x86,
            reason: "Bad User Name or Password".into(),
        },
    ));
    assert_eq!(model.status.label(), "Refused: Bad User Name or Password");
    assert_eq!(
        model.status.label_in(Locale::zh_CN),
        "连接被拒绝：用户名或密码错误"
    );
    assert_eq!(
        model.error.as_deref(),
        Some(
            "The broker refused the connection: Bad User Name or Password (code 0x86). \
             Check the user name and password."
        )
    );
    assert_eq!(
        model.error_in(Locale::zh_CN).as_deref(),
        Some("代理拒绝了连接：用户名或密码错误（代码 0x86）。请检查用户名和密码。")
    );
}

#[test]
fn feedback_and_notes_follow_the_language() {
    let mut model = ClientModel {
        status: ConnStatus::Connected,
        url: "ws://h".into(),
        ..Default::default()
    };
    model.published(QoS::ExactlyOnce, Ok(Some(3)));
    let feedback = model.publish_feedback.clone().unwrap();
    assert_eq!(feedback.text_in(Locale::en), feedback.text);
    assert_eq!(
        feedback.text_in(Locale::zh_CN),
        "id 3：PUBLISH 已发送，等待 PUBREC…"
    );
    model.apply(transport(TransportEvent::Lost {
        code: 1006,
        reason: String::new(),
    }));
    model.published(QoS::AtMostOnce, Err(CommandError::NotConnected));
    assert_eq!(
        model
            .publish_feedback
            .as_ref()
            .unwrap()
            .text_in(Locale::zh_CN),
        "未发送：未连接。与 ws://h 的连接已丢失（WebSocket 关闭码 1006）。请先点击“连接”。"
    );
    let note = &model.log.iter().last().unwrap().item;
    assert_eq!(note.text_in(Locale::en), note.text);
    assert_eq!(
        note.text_in(Locale::zh_CN),
        "与 ws://h 的连接已丢失（WebSocket 关闭码 1006）。"
    );
    assert_eq!(
        model.messages_empty_hint_in(Locale::zh_CN),
        "订阅一个主题（例如 alarms/#），消息就会显示在这里。"
    );
}

#[test]
fn an_error_line_set_from_outside_is_shown_as_given() {
    let mut model = ClientModel::default();
    model.refuse_to_connect("Give a broker URL.".into());
    assert_eq!(
        model.error_in(Locale::zh_CN).as_deref(),
        Some("Give a broker URL.")
    );
    model.error = Some("Could not reach ws://h:1".into());
    assert_eq!(
        model.error_in(Locale::zh_CN).as_deref(),
        Some("Could not reach ws://h:1")
    );
}

#[test]
fn an_unreachable_broker_is_explained() {
    let mut model = ClientModel::default();
    model.connecting("c1", "ws://127.0.0.1:1", &[], 0);
    model.apply(transport(TransportEvent::Unreachable {
        url: "ws://127.0.0.1:1".into(),
        detail: None,
    }));
    assert_eq!(model.status, ConnStatus::Disconnected);
    let error = model.error.as_deref().unwrap_or_default();
    assert!(
        error.starts_with("Nothing accepted a WebSocket at 127.0.0.1:1, or the connection")
            && error.contains("Is the broker running here"),
        "{error}"
    );
}

#[test]
fn a_refusal_shows_the_reason_in_words() {
    let mut model = ClientModel::default();
    model.connecting("c1", "ws://h", &[], 0);
    model.apply(session(
        5,
        EventKind::ConnectionRefused {
            code: 5,
            reason: "not authorized".into(),
        },
    ));
    assert_eq!(model.status.label(), "Refused: not authorized");
    assert!(model
        .error
        .as_deref()
        .unwrap_or("")
        .contains("not authorized (code 0x05)"));
}

#[test]
fn a_lost_connection_counts_down_to_the_next_attempt_then_reconnects() {
    let mut model = ClientModel::default();
    model.connecting("c1", "ws://h", &[], 0);
    model.apply(transport(TransportEvent::Lost {
        code: 1006,
        reason: String::new(),
    }));
    assert!(model
        .error
        .as_deref()
        .unwrap_or("")
        .contains("close code 1006"));
    model.apply(transport(TransportEvent::ReconnectIn {
        in_secs: 2,
        attempt: 1,
    }));
    assert_eq!(model.status.label(), "Reconnecting in 2s (attempt 1)");
    model.apply(transport(TransportEvent::Opening {
        url: "ws://h".into(),
        attempt: 1,
    }));
    assert_eq!(model.status.label(), "Reconnecting… (attempt 1)");
    model.apply(session(
        9,
        EventKind::Connected {
            session_present: true,
            broker: crate::mqtt::session::BrokerLimits::spec_defaults(60),
        },
    ));
    assert_eq!(model.status, ConnStatus::Connected);
    assert_eq!(model.error, None);
}

#[test]
fn delivered_messages_are_kept_newest_last_and_bounded() {
    let mut model = ClientModel::default();
    for n in 0..(MESSAGE_CAPACITY + 3) {
        model.apply(session(
            n as u64,
            EventKind::Delivered {
                message: message("alarms/fire", b"{\"n\":1}", QoS::ExactlyOnce),
            },
        ));
    }
    assert_eq!(model.messages.len(), MESSAGE_CAPACITY);
    assert_eq!(model.messages.dropped(), 3);
    let newest = &model.messages.iter().last().unwrap().item;
    assert_eq!(newest.topic, "alarms/fire");
    assert_eq!(newest.payload.kind(), "JSON");
}

#[test]
fn packets_become_mosquitto_style_log_lines() {
    let mut model = ClientModel::default();
    model.connecting("qoscope-1", "ws://h", &[], 0);
    model.apply(session(
        1,
        EventKind::PacketSent {
            packet: Packet::Pingreq,
            bytes: vec![0xc0, 0],
        },
    ));
    model.apply(session(
        2,
        EventKind::PacketReceived {
            packet: Packet::Pingresp,
            bytes: vec![0xd0, 0],
        },
    ));
    let texts: Vec<String> = model.log.iter().map(|e| e.item.text.clone()).collect();
    assert_eq!(
        texts,
        vec![
            "Client qoscope-1 sending PINGREQ",
            "Client qoscope-1 received PINGRESP"
        ]
    );
    assert!(model.log_text().contains("sending PINGREQ\n"));
}

#[test]
fn pausing_the_log_freezes_the_view_and_counts_new_lines() {
    let mut model = ClientModel::default();
    model.apply(session(
        1,
        EventKind::PacketSent {
            packet: Packet::Pingreq,
            bytes: vec![],
        },
    ));
    model.toggle_log_pause();
    model.apply(session(
        2,
        EventKind::PacketReceived {
            packet: Packet::Pingresp,
            bytes: vec![],
        },
    ));
    assert_eq!(model.visible_log("").len(), 1);
    assert_eq!(model.lines_since_pause(), 1);
    model.toggle_log_pause();
    assert_eq!(model.visible_log("").len(), 2);
    assert_eq!(model.visible_log("pingresp").len(), 1);
}

#[test]
fn a_paused_log_keeps_its_lines_when_a_burst_pushes_them_out_of_the_ring() {
    let mut model = ClientModel::default();
    let ping = |at| {
        session(
            at,
            EventKind::PacketSent {
                packet: Packet::Pingreq,
                bytes: vec![],
            },
        )
    };
    for at in 0..10 {
        model.apply(ping(at));
    }
    model.toggle_log_pause();
    let before = model.visible_log("");
    for at in 10..(10 + 2 * LOG_CAPACITY as u64) {
        model.apply(ping(at));
    }
    assert_eq!(
        model.visible_log(""),
        before,
        "the paused view is unchanged"
    );
    assert_eq!(model.visible_log("").len(), 10);
    assert_eq!(model.lines_since_pause(), 2 * LOG_CAPACITY as u64);
    model.toggle_log_pause();
    assert_eq!(
        model.visible_log("").len(),
        LIVE_LOG_ROWS,
        "running: the newest"
    );
    model.toggle_log_pause();
    assert_eq!(
        model.visible_log("").len(),
        LOG_CAPACITY,
        "paused: all it held"
    );
}

#[test]
fn the_messages_waiting_for_the_connection_are_counted_from_the_flows() {
    use crate::mqtt::session::{FlowDirection, FlowState};
    let flow = |id, from, to| {
        session(
            1,
            EventKind::Flow {
                packet_id: id,
                direction: FlowDirection::Outgoing,
                qos: QoS::AtLeastOnce,
                from,
                to,
            },
        )
    };
    let mut model = ClientModel::default();
    model.connecting("c1", "ws://h", &[], 1); // one carried over in the session
    model.apply(flow(2, FlowState::New, FlowState::Queued));
    model.apply(flow(3, FlowState::New, FlowState::Queued));
    assert_eq!(model.queued, 3);
    model.apply(flow(2, FlowState::Queued, FlowState::AwaitingPuback));
    assert_eq!(model.queued, 2);
    model.apply(flow(4, FlowState::AwaitingPuback, FlowState::Queued));
    assert_eq!(
        model.queued, 3,
        "sent, then waiting again for a smaller window"
    );
}

#[test]
fn a_publish_while_not_connected_says_what_becomes_of_it() {
    let mut model = ClientModel {
        status: ConnStatus::Reconnecting {
            in_secs: Some(3),
            attempt: 2,
        },
        ..Default::default()
    };
    model.published(QoS::AtLeastOnce, Ok(Some(5)));
    assert_eq!(
        model.publish_feedback.as_ref().unwrap().text,
        "id 5: queued; reconnect attempt 2 starts in 3 s and sends it."
    );
    model.status = ConnStatus::Connecting;
    model.published(QoS::ExactlyOnce, Ok(Some(6)));
    assert!(model
        .publish_feedback
        .as_ref()
        .unwrap()
        .text
        .contains("as soon as the broker accepts"));

    // Stopped: nothing is queued for a connection that is not coming.
    model.status = ConnStatus::Disconnected;
    model.error = Some("Could not reach ws://h:1".into());
    model.published(QoS::ExactlyOnce, Err(CommandError::NotConnected));
    let feedback = model.publish_feedback.clone().unwrap();
    assert!(!feedback.ok);
    assert_eq!(
        feedback.text,
        "Not sent: not connected. Could not reach ws://h:1. Press Connect first."
    );
}

#[test]
fn publish_feedback_names_the_acknowledgement_and_its_latency() {
    let mut model = ClientModel {
        status: ConnStatus::Connected,
        ..Default::default()
    };
    model.published(QoS::ExactlyOnce, Ok(Some(3)));
    assert_eq!(
        model.publish_feedback.as_ref().unwrap().text,
        "id 3: PUBLISH sent, waiting for PUBREC…"
    );
    model.apply(session(
        9,
        EventKind::PublishComplete {
            packet_id: 3,
            qos: QoS::ExactlyOnce,
            latency_ms: 4,
        },
    ));
    assert_eq!(
        model.publish_feedback.as_ref().unwrap().text,
        "id 3: PUBCOMP received in 4 ms"
    );
    model.published(QoS::AtMostOnce, Err(CommandError::NotConnected));
    let feedback = model.publish_feedback.clone().unwrap();
    assert!(!feedback.ok);
    assert!(
        feedback.text.starts_with("Not connected"),
        "{}",
        feedback.text
    );
}

#[test]
fn a_suback_fills_in_granted_qos_or_the_failure() {
    let mut model = ClientModel::default();
    model.subscribing("alarms/#", QoS::ExactlyOnce, Ok(1));
    model.subscribing("secret/#", QoS::AtLeastOnce, Ok(1));
    assert_eq!(model.subscriptions[0].state, SubState::Pending);
    model.apply(session(
        3,
        EventKind::Subscribed {
            packet_id: 1,
            results: vec![
                FilterResult {
                    filter: "alarms/#".into(),
                    granted: Some(QoS::AtLeastOnce),
                    code: 1,
                    reason: "Granted QoS 1".into(),
                },
                FilterResult {
                    filter: "secret/#".into(),
                    granted: None,
                    code: 0x80,
                    reason: "Failure".into(),
                },
            ],
        },
    ));
    assert_eq!(
        model.subscriptions[0].state,
        SubState::Granted(QoS::AtLeastOnce)
    );
    assert_eq!(
        model.subscriptions[1].state,
        SubState::Failed("Failure".into())
    );
}

#[test]
fn an_unsuback_removes_the_row() {
    let mut model = ClientModel::default();
    model.subscribing("alarms/#", QoS::ExactlyOnce, Ok(1));
    model.unsubscribing("alarms/#", Ok(2));
    assert_eq!(model.subscriptions[0].state, SubState::Leaving);
    model.apply(session(
        3,
        EventKind::Unsubscribed {
            packet_id: 2,
            results: vec![FilterResult {
                filter: "alarms/#".into(),
                granted: None,
                code: 0,
                reason: "Success".into(),
            }],
        },
    ));
    assert!(model.subscriptions.is_empty());
}

#[test]
fn the_empty_message_list_says_what_is_subscribed_and_what_to_do() {
    let mut model = ClientModel::default();
    assert!(model
        .messages_empty_hint()
        .starts_with("Subscribe to a topic"));
    model.subscribing("alarms/#", QoS::ExactlyOnce, Ok(1));
    assert!(
        model
            .messages_empty_hint()
            .starts_with("Subscribe to a topic"),
        "no SUBACK yet"
    );
    model.subscriptions[0].state = SubState::Granted(QoS::ExactlyOnce);
    assert_eq!(
        model.messages_empty_hint(),
        "Subscribed to alarms/#: nothing has arrived yet. Publish to a matching topic to see it here."
    );
}

#[test]
fn a_new_connection_starts_without_the_old_subscriptions() {
    let mut model = ClientModel::default();
    model.subscribing("alarms/#", QoS::ExactlyOnce, Ok(1));
    model.connecting("c2", "ws://h", &[], 0);
    assert!(model.subscriptions.is_empty());
}

#[test]
fn losing_the_connection_and_reconnecting_leave_notes_in_the_packet_log() {
    let mut model = ClientModel::default();
    model.connecting("c1", "ws://h", &[], 0);
    model.apply(transport(TransportEvent::Lost {
        code: 1006,
        reason: String::new(),
    }));
    model.apply(transport(TransportEvent::Opening {
        url: "ws://h".into(),
        attempt: 1,
    }));
    let notes: Vec<String> = model.log.iter().map(|e| e.item.text.clone()).collect();
    assert_eq!(
        notes,
        vec![
            "The connection to ws://h was lost (WebSocket close code 1006).",
            "Reconnecting to ws://h (attempt 1)…"
        ]
    );
}

#[test]
fn the_live_version_is_the_connections_until_the_link_stops() {
    let mut model = ClientModel::default();
    assert_eq!(
        model.live_version(),
        None,
        "no connection: the form decides"
    );
    model.connecting("c1", "ws://h", &[], 0);
    model.version = Some(ProtocolVersion::V5);
    assert_eq!(model.live_version(), Some(ProtocolVersion::V5));
    model.apply(transport(TransportEvent::Closed));
    assert_eq!(
        model.live_version(),
        None,
        "stopped: the form decides again"
    );
}

#[test]
fn a_user_disconnect_clears_the_error() {
    let mut model = ClientModel {
        error: Some("old".into()),
        status: ConnStatus::Connected,
        ..Default::default()
    };
    model.apply(transport(TransportEvent::Closed));
    assert_eq!(model.status, ConnStatus::Disconnected);
    assert_eq!(model.error, None);
}

#[test]
fn the_log_count_says_what_is_held_shown_and_new() {
    let mut model = ClientModel::default();
    let ping = |at| {
        session(
            at,
            EventKind::PacketSent {
                packet: Packet::Pingreq,
                bytes: vec![],
            },
        )
    };
    model.apply(ping(1));
    assert_eq!(model.log_count_in(Locale::en), "1 lines");
    model.toggle_log_pause();
    model.apply(ping(2));
    model.apply(ping(3));
    assert_eq!(model.log_count_in(Locale::en), "1 lines · paused, 2 new");
    model.toggle_log_pause();
    for at in 0..LIVE_LOG_ROWS as u64 {
        model.apply(ping(at));
    }
    assert_eq!(
        model.log_count_in(Locale::en),
        format!(
            "{} lines · newest {LIVE_LOG_ROWS} shown, Pause to read all",
            LIVE_LOG_ROWS + 3
        )
    );
    assert!(model.log_count_in(Locale::zh_CN).contains("203"));
}
