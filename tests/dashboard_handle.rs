#![cfg(not(target_arch = "wasm32"))]
//! The handle the app wires to its connection: where publishes and
//! subscriptions go, before and after the broker accepts the connection.

use std::sync::{Arc, Mutex};

use leptos::prelude::*;
use qoscope::app::dashboard::settings::SavedState;
use qoscope::app::dashboard::{DashboardHandle, Incoming};
use qoscope::mqtt::packet::{QoS, SubscribeFilter};
use qoscope::mqtt::session::{BrokerLimits, DisconnectReason, Event, EventKind, PublishRequest};

type Sent<T> = Arc<Mutex<Vec<T>>>;

fn connected_handle() -> (
    DashboardHandle,
    Sent<PublishRequest>,
    Sent<Vec<SubscribeFilter>>,
) {
    let handle = DashboardHandle::new(SavedState::default(), None);
    let published: Sent<PublishRequest> = Arc::default();
    let subscribed: Sent<Vec<SubscribeFilter>> = Arc::default();
    let (p, s) = (published.clone(), subscribed.clone());
    handle.connect(
        Callback::new(move |req| p.lock().unwrap().push(req)),
        Callback::new(move |filters| s.lock().unwrap().push(filters)),
    );
    (handle, published, subscribed)
}

fn connected_event() -> Event {
    let broker = BrokerLimits::spec_defaults(60);
    Event {
        at: 0,
        kind: EventKind::Connected {
            session_present: false,
            broker,
        },
    }
}

fn fire_alarm() -> PublishRequest {
    PublishRequest {
        topic: "critical/alarm".into(),
        payload: br#"{"alarm":"fire","zone":"A-12"}"#.to_vec(),
        qos: QoS::ExactlyOnce,
        ..Default::default()
    }
}

#[test]
fn connecting_subscribes_to_the_alarm_and_inventory_filters_at_qos2() {
    let (_handle, _published, subscribed) = connected_handle();
    let calls = subscribed.lock().unwrap();
    let filters: Vec<&str> = calls[0].iter().map(|f| f.filter.as_str()).collect();
    assert_eq!(filters, ["alarms/#", "critical/#", "inventory/#"]);
    assert!(calls[0].iter().all(|f| f.qos == QoS::ExactlyOnce));
}

#[test]
fn before_the_broker_accepts_publishes_loop_back_locally() {
    let (handle, published, _subscribed) = connected_handle();
    handle.send(fire_alarm());
    handle.drain_frame();
    assert!(published.lock().unwrap().is_empty());
    assert_eq!(handle.read_untracked(|m| m.alarms.len()), 1);
}

#[test]
fn once_connected_publishes_go_to_the_broker_and_filters_are_subscribed_again() {
    let (handle, published, subscribed) = connected_handle();
    handle.push_event(connected_event());
    handle.drain_frame();
    assert_eq!(
        subscribed.lock().unwrap().len(),
        2,
        "subscribed again on Connected"
    );
    handle.send(fire_alarm());
    assert_eq!(published.lock().unwrap().len(), 1);

    let disconnected = EventKind::Disconnected {
        reason: DisconnectReason::TransportClosed,
    };
    handle.push_event(Event {
        at: 1,
        kind: disconnected,
    });
    handle.drain_frame();
    handle.send(fire_alarm());
    assert_eq!(
        published.lock().unwrap().len(),
        1,
        "looped back while disconnected"
    );
}

#[test]
fn clearing_a_retained_alarm_publishes_an_empty_retained_message_when_connected() {
    let (handle, published, _subscribed) = connected_handle();
    handle.push_event(connected_event());
    handle.push_message(Incoming::new(
        1,
        "critical/alarm",
        r#"{"alarm":"fire","zone":"A-12"}"#,
    ));
    handle.drain_frame();
    let intent = handle
        .write(|m| {
            let key = m.alarms.visible(&Default::default(), 1).0[0].key.clone();
            m.alarms.clear(&key, true)
        })
        .flatten()
        .expect("an intent");
    handle.send(intent);
    let sent = published.lock().unwrap();
    assert_eq!(sent.len(), 1);
    assert!(sent[0].retain && sent[0].payload.is_empty() && sent[0].topic == "critical/alarm");
}

#[test]
fn a_flood_re_renders_the_views_ten_times_a_second_and_shows_everything_once_it_ends() {
    use qoscope::app::dashboard::traffic::synthetic_message;
    use qoscope::app::refresh::FLOOD_FRAMES;
    let (handle, _published, _subscribed) = connected_handle();
    handle.push_event(connected_event());
    handle.drain_frame();
    let before = handle.renders();
    // 62 frames of 20,000 messages a second: 333 a frame.
    let mut next = 0;
    for _ in 0..62 {
        for _ in 0..333 {
            handle.push_message(synthetic_message(next));
            next += 1;
        }
        handle.drain_frame();
    }
    let during = handle.renders() - before;
    assert_eq!(
        during,
        60 / u64::from(FLOOD_FRAMES),
        "renders in 60 flooded frames"
    );
    let stock = handle.read_untracked(|m| m.inventory.len());
    assert!(stock > 0, "the model digested the flood");
    // The first quiet frame shows what the last two flooded frames brought.
    handle.drain_frame();
    assert_eq!(handle.renders() - before, during + 1);
    // A user's action re-renders at once, flood or not.
    handle.write(|_| ());
    assert_eq!(handle.renders() - before, during + 2);
}
