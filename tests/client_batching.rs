#![cfg(not(target_arch = "wasm32"))]
//! The client view under a flood: the driver's updates are applied once per
//! frame, a status change is applied in the same turn whatever is queued
//! before it, and a backlog costs the view what it can show, not what arrived.
//! These count work (renders, lines built); they never time it.

use qoscope::app::dashboard::model::DashboardModel;
use qoscope::app::model::{
    is_urgent, ClientModel, ConnStatus, Flush, PendingUpdates, LOG_CAPACITY, MESSAGE_CAPACITY,
};
use qoscope::mqtt::packet::{Packet, PubResponse, Publish, QoS};
use qoscope::mqtt::session::{Event, EventKind, Message};
use qoscope::net::ws::{LinkUpdate, TransportEvent};

fn session(at: u64, kind: EventKind) -> LinkUpdate {
    LinkUpdate::Session(std::sync::Arc::new(Event { at, kind }))
}

/// What the driver hands over for one QoS 1 message: the PUBLISH received,
/// the message delivered, the PUBACK sent; one call per WebSocket frame.
fn qos1_message(i: u64) -> Vec<LinkUpdate> {
    let id = (i % 65_535 + 1) as u16;
    let publish = Publish {
        qos: QoS::AtLeastOnce,
        topic: format!("inventory/S-{i}"),
        packet_id: Some(id),
        payload: format!(r#"{{"delta":-1,"msg_id":"d{i}"}}"#).into_bytes(),
        ..Default::default()
    };
    let message = Message {
        topic: publish.topic.clone(),
        payload: publish.payload.clone(),
        qos: QoS::AtLeastOnce,
        retain: false,
        dup: false,
        packet_id: Some(id),
        properties: Default::default(),
        matched_filters: vec!["inventory/#".into()],
    };
    vec![
        session(
            i,
            EventKind::PacketReceived {
                packet: Packet::Publish(publish),
                bytes: Vec::new(),
            },
        ),
        session(i, EventKind::Delivered { message }),
        session(
            i,
            EventKind::PacketSent {
                packet: Packet::Puback(PubResponse {
                    packet_id: id,
                    ..Default::default()
                }),
                bytes: Vec::new(),
            },
        ),
    ]
}

fn lost() -> LinkUpdate {
    LinkUpdate::Transport {
        at: 99_999,
        event: TransportEvent::Lost {
            code: 1006,
            reason: String::new(),
        },
    }
}

#[test]
fn a_thousand_messages_at_20k_per_second_cost_one_render_per_frame() {
    // 20,000 msg/s at 60 Hz is 333 messages a frame: 1,000 messages span 3 frames.
    let mut pending = PendingUpdates::default();
    let (mut renders, mut frames_asked) = (0, 0);
    for i in 0..1_000u64 {
        match pending.push(qos1_message(i)) {
            Flush::Now => {
                renders += 1;
                pending.take();
            }
            Flush::AtNextFrame => frames_asked += 1,
            Flush::Later => {}
        }
        if i % 333 == 332 && !pending.is_empty() {
            // The animation frame comes: one render of everything queued.
            renders += 1;
            assert_eq!(pending.take().len(), 333 * 3);
        }
    }
    if !pending.is_empty() {
        renders += 1;
        pending.take();
    }
    assert_eq!(renders, 4, "3 whole frames and the last partial one");
    assert_eq!(
        frames_asked, 4,
        "one frame asked for per batch, not per message"
    );
}

#[test]
fn a_closed_socket_reaches_the_pill_at_once_behind_any_backlog() {
    let mut pending = PendingUpdates::default();
    let mut model = ClientModel {
        status: ConnStatus::Connected,
        ..ClientModel::default()
    };
    for i in 0..1_000u64 {
        assert_ne!(pending.push(qos1_message(i)), Flush::Now);
    }
    assert_eq!(pending.push(vec![lost()]), Flush::Now);
    let batch = pending.take();
    assert_eq!(batch.len(), 3_001, "the backlog goes with it, in order");
    assert!(is_urgent(batch.last().expect("the close")));
    model.apply_batch(batch);
    assert_eq!(model.status, ConnStatus::Disconnected);
    assert_eq!(model.messages.len(), MESSAGE_CAPACITY);
}

#[test]
fn a_batch_is_bounded_even_when_no_frame_comes() {
    // A hidden tab gets no animation frames: the batch is applied when full.
    let mut pending = PendingUpdates::default();
    let mut flushed = 0;
    for i in 0..10_000u64 {
        if pending.push(qos1_message(i)) == Flush::Now {
            assert!(pending.take().len() <= PendingUpdates::CAPACITY + 2);
            flushed += 1;
        }
        assert!(pending.len() < PendingUpdates::CAPACITY);
    }
    assert_eq!(flushed, 30_000 / PendingUpdates::CAPACITY);
}

#[test]
fn a_backlog_builds_only_the_lines_and_rows_the_view_can_hold() {
    let mut model = ClientModel::default();
    let batch: Vec<LinkUpdate> = (0..5_000u64).flat_map(qos1_message).collect();
    model.apply_batch(batch);
    // 10,000 packet lines arrived: the ring holds the newest 2,000, and the
    // 8,000 before them were counted, not formatted.
    assert_eq!(model.log.len(), LOG_CAPACITY);
    assert_eq!(model.log.dropped(), 8_000);
    assert_eq!(model.log.last_seq(), Some(10_000));
    let newest = model.log.iter().last().expect("a line");
    assert!(newest.item.text.contains("PUBACK"), "{}", newest.item.text);
    assert_eq!(model.messages.len(), MESSAGE_CAPACITY);
    assert_eq!(model.messages.dropped(), 5_000 - MESSAGE_CAPACITY as u64);
    let last = model.messages.iter().last().expect("a row");
    assert_eq!(last.item.topic, "inventory/S-4999");
}

#[test]
fn the_same_updates_one_by_one_or_in_a_batch_show_the_same_view() {
    let updates: Vec<LinkUpdate> = (0..3_000u64)
        .flat_map(qos1_message)
        .chain([lost()])
        .collect();
    let mut one_by_one = ClientModel::default();
    for update in updates.clone() {
        one_by_one.apply(update);
    }
    let mut batched = ClientModel::default();
    batched.apply_batch(updates);
    let lines = |m: &ClientModel| {
        m.log
            .iter()
            .map(|e| (e.seq, e.item.text.clone()))
            .collect::<Vec<_>>()
    };
    let rows = |m: &ClientModel| {
        m.messages
            .iter()
            .map(|e| (e.seq, e.item.topic.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(lines(&batched), lines(&one_by_one));
    assert_eq!(rows(&batched), rows(&one_by_one));
    assert_eq!(batched.status, one_by_one.status);
    assert_eq!(batched.error, one_by_one.error);
}

#[test]
fn the_dashboard_is_handed_what_it_reads_and_not_every_packet() {
    let handed = (0..1_000u64)
        .flat_map(qos1_message)
        .filter(|u| matches!(u, LinkUpdate::Session(e) if DashboardModel::wants(e)))
        .count();
    assert_eq!(handed, 1_000, "one input per QoS 1 message: its delivery");
}
