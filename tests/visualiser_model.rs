#![cfg(not(target_arch = "wasm32"))]
//! The visualiser's model: events → arrows, labels, playhead, windowing.

use qoscope::app::visualiser::adapt::{
    downgrade_note, flow_note, from_session_event, ClientRole, FlowChange,
};
use qoscope::app::visualiser::layout::{Layout, Pacing};
use qoscope::app::visualiser::model::{Arrow, DiagramEvent, Lane, PacketSummary, Recording};
use qoscope::app::visualiser::transport::{Playhead, Speed};
use qoscope::mqtt::packet::{Packet, ProtocolVersion, PubResponse, Publish, QoS};
use qoscope::mqtt::session::{Event, EventKind, FlowDirection, FlowState};

fn publish(id: u16, qos: QoS, dup: bool) -> Packet {
    Packet::Publish(Publish {
        dup,
        qos,
        topic: "shop/inventory".into(),
        packet_id: (qos != QoS::AtMostOnce).then_some(id),
        payload: b"sold 1".to_vec(),
        ..Publish::default()
    })
}

fn ack(make: fn(PubResponse) -> Packet, id: u16) -> Packet {
    make(PubResponse {
        packet_id: id,
        ..PubResponse::default()
    })
}

fn arrow(from: Lane, to: Lane, sent_at: u64, arrive_at: u64, packet: &Packet) -> DiagramEvent {
    DiagramEvent::Arrow(Arrow {
        from,
        to,
        sent_at,
        arrive_at,
        packet: PacketSummary::new(packet, vec![0x30, 0x00], ProtocolVersion::V5),
        dropped: None,
    })
}

fn dropped(mut event: DiagramEvent) -> DiagramEvent {
    if let DiagramEvent::Arrow(a) = &mut event {
        a.dropped = Some("drop next PUBREC".into());
    }
    event
}

/// PUBLISH → PUBREC(lost) → PUBLISH DUP → PUBREC → PUBREL → PUBCOMP, 40 ms each way.
fn qos2_pubrec_lost() -> Vec<DiagramEvent> {
    use Lane::*;
    vec![
        arrow(
            Publisher,
            Broker,
            0,
            40,
            &publish(1, QoS::ExactlyOnce, false),
        ),
        dropped(arrow(Broker, Publisher, 40, 80, &ack(Packet::Pubrec, 1))),
        arrow(
            Publisher,
            Broker,
            1000,
            1040,
            &publish(1, QoS::ExactlyOnce, true),
        ),
        arrow(Broker, Publisher, 1040, 1080, &ack(Packet::Pubrec, 1)),
        arrow(Publisher, Broker, 1080, 1120, &ack(Packet::Pubrel, 1)),
        arrow(Broker, Publisher, 1120, 1160, &ack(Packet::Pubcomp, 1)),
    ]
}

fn labels(layout: &Layout, t: f64) -> Vec<String> {
    layout
        .visible_at(t)
        .iter()
        .map(|v| v.placed.arrow.label())
        .collect()
}

#[test]
fn publish_label_names_id_qos_and_dup() {
    let s = PacketSummary::new(
        &publish(1, QoS::ExactlyOnce, true),
        vec![],
        ProtocolVersion::V311,
    );
    assert_eq!(s.label(), "PUBLISH (id 1, QoS 2, DUP 1)");
    assert_eq!(s.qos_class(), "qos2");
    assert_eq!(s.detail().as_deref(), Some("shop/inventory · sold 1"));
}

#[test]
fn qos0_publish_label_has_no_id() {
    let s = PacketSummary::new(
        &publish(1, QoS::AtMostOnce, false),
        vec![],
        ProtocolVersion::V311,
    );
    assert_eq!(s.label(), "PUBLISH (QoS 0)");
    assert_eq!(s.qos_class(), "qos0");
}

#[test]
fn mqtt5_pubrec_label_carries_reason_code_in_words() {
    let s = PacketSummary::new(&ack(Packet::Pubrec, 1), vec![], ProtocolVersion::V5);
    assert_eq!(s.label(), "PUBREC (id 1, rc 0x00 Success)");
    assert_eq!(s.qos_class(), "qos2");
}

#[test]
fn mqtt311_acknowledgements_show_no_reason_code_the_wire_lacks() {
    let s = PacketSummary::new(&ack(Packet::Puback, 7), vec![], ProtocolVersion::V311);
    assert_eq!(s.label(), "PUBACK (id 7)");
    assert_eq!(s.qos_class(), "qos1");
}

#[test]
fn connect_is_drawn_as_a_control_packet() {
    let s = PacketSummary::new(&Packet::Pingreq, vec![0xC0, 0], ProtocolVersion::V311);
    assert_eq!((s.label().as_str(), s.qos_class()), ("PINGREQ", "ctrl"));
}

#[test]
fn arrows_are_laid_out_in_send_order_with_labels() {
    let layout = Layout::new(&qos2_pubrec_lost(), &Pacing::default());
    assert_eq!(
        labels(&layout, f64::INFINITY),
        [
            "PUBLISH (id 1, QoS 2)",
            "PUBREC (id 1, rc 0x00 Success)",
            "PUBLISH (id 1, QoS 2, DUP 1)",
            "PUBREC (id 1, rc 0x00 Success)",
            "PUBREL (id 1, rc 0x00 Success)",
            "PUBCOMP (id 1, rc 0x00 Success)",
        ]
    );
    let starts: Vec<f64> = layout.arrows.iter().map(|a| a.start).collect();
    assert!(
        starts.windows(2).all(|w| w[1] > w[0]),
        "each arrow starts below the previous: {starts:?}"
    );
}

#[test]
fn a_dropped_packet_stays_marked_dropped() {
    let layout = Layout::new(&qos2_pubrec_lost(), &Pacing::default());
    let dropped: Vec<bool> = layout.arrows.iter().map(|a| a.arrow.is_dropped()).collect();
    assert_eq!(dropped, [false, true, false, false, false, false]);
}

#[test]
fn an_answer_never_leaves_before_the_packet_it_answers_arrives() {
    let layout = Layout::new(&qos2_pubrec_lost(), &Pacing::default());
    for pair in layout.arrows.windows(2) {
        assert!(
            pair[1].start >= pair[0].end,
            "{} starts before {} arrives",
            pair[1].arrow.label(),
            pair[0].arrow.label()
        );
    }
}

#[test]
fn packets_microseconds_apart_still_get_the_minimum_gap() {
    use Lane::*;
    let events = vec![
        arrow(Publisher, Broker, 5, 5, &publish(1, QoS::AtMostOnce, false)),
        arrow(Publisher, Broker, 5, 5, &publish(2, QoS::AtMostOnce, false)),
        arrow(Publisher, Broker, 5, 5, &publish(3, QoS::AtMostOnce, false)),
    ];
    let pacing = Pacing::default();
    let layout = Layout::new(&events, &pacing);
    for pair in layout.arrows.windows(2) {
        assert!(pair[1].start - pair[0].start >= pacing.min_gap);
        assert!(pair[0].end - pair[0].start >= pacing.min_flight);
    }
}

#[test]
fn a_long_idle_wait_is_compressed_and_marked_as_a_break() {
    let pacing = Pacing::default();
    let layout = Layout::new(&qos2_pubrec_lost(), &pacing);
    let resend = &layout.arrows[2];
    assert_eq!(resend.break_before, Some(960));
    assert!(resend.start - layout.arrows[1].start <= pacing.max_gap + pacing.max_flight);
    assert_eq!(layout.arrows[1].break_before, None);
}

#[test]
fn playhead_at_t_shows_exactly_the_packets_sent_before_t() {
    let layout = Layout::new(&qos2_pubrec_lost(), &Pacing::default());
    for (n, placed) in layout.arrows.iter().enumerate() {
        assert_eq!(
            layout.visible_at(placed.start).len(),
            n,
            "at the start of arrow {n} it is not yet visible"
        );
        assert_eq!(layout.visible_at(placed.start + 0.5).len(), n + 1);
    }
    assert!(layout.visible_at(0.0).is_empty());
}

#[test]
fn the_packet_in_flight_is_drawn_partly() {
    let layout = Layout::new(&qos2_pubrec_lost(), &Pacing::default());
    let first = &layout.arrows[0];
    let mid = (first.start + first.end) / 2.0;
    let visible = layout.visible_at(mid);
    assert_eq!(visible.len(), 1);
    assert!((visible[0].progress - 0.5).abs() < 1e-9);
    assert!(visible[0].in_flight());
    assert!(!layout.visible_at(first.end)[0].in_flight());
}

#[test]
fn only_arrows_inside_the_viewport_are_emitted() {
    use Lane::*;
    let events: Vec<DiagramEvent> = (0..5000u64)
        .map(|i| {
            arrow(
                Publisher,
                Broker,
                i * 10,
                i * 10 + 5,
                &publish((i % 60000 + 1) as u16, QoS::AtLeastOnce, false),
            )
        })
        .collect();
    let layout = Layout::new(&events, &Pacing::default());
    let (top, bottom) = (layout.arrows[2500].start, layout.arrows[2510].start);
    let window = layout.visible_in(f64::INFINITY, top, bottom);
    assert!(
        window.len() >= 11 && window.len() < 20,
        "{} arrows emitted for an 11-arrow viewport",
        window.len()
    );
    assert!(window
        .iter()
        .all(|v| v.placed.start <= bottom && v.placed.end >= top));
    assert!(window.iter().any(|v| v.index == 2500) && window.iter().any(|v| v.index == 2510));
}

#[test]
fn the_window_respects_the_playhead_too() {
    let layout = Layout::new(&qos2_pubrec_lost(), &Pacing::default());
    let t = layout.arrows[3].start + 1.0;
    let window = layout.visible_in(t, 0.0, layout.end);
    assert_eq!(window.len(), 4);
}

#[test]
fn notes_sit_beside_the_packet_that_caused_them() {
    let mut events = qos2_pubrec_lost();
    let change = FlowChange {
        packet_id: 1,
        direction: FlowDirection::Outgoing,
        qos: QoS::ExactlyOnce,
        from: FlowState::AwaitingPubrec,
        to: FlowState::AwaitingPubcomp,
    };
    events.push(DiagramEvent::Note(flow_note(Lane::Publisher, 1080, change)));
    let layout = Layout::new(&events, &Pacing::default());
    let note = &layout.notes[0];
    assert_eq!(note.note.text, "id 1: awaiting PUBREC → awaiting PUBCOMP");
    assert!(
        note.at >= layout.arrows[3].end,
        "shown once the PUBREC arrived"
    );
}

#[test]
fn flow_chips_show_open_flows_and_drop_finished_ones() {
    let mut events = qos2_pubrec_lost();
    let change = |from, to| FlowChange {
        packet_id: 1,
        direction: FlowDirection::Outgoing,
        qos: QoS::ExactlyOnce,
        from,
        to,
    };
    events.push(DiagramEvent::Note(flow_note(
        Lane::Publisher,
        0,
        change(FlowState::Queued, FlowState::AwaitingPubrec),
    )));
    events.push(DiagramEvent::Note(flow_note(
        Lane::Publisher,
        1160,
        change(FlowState::AwaitingPubcomp, FlowState::Done),
    )));
    let layout = Layout::new(&events, &Pacing::default());
    let early = layout.flow_chips_at(layout.arrows[0].end);
    assert_eq!(early[&Lane::Publisher][0].state, "awaiting PUBREC");
    assert!(!layout
        .flow_chips_at(layout.end)
        .contains_key(&Lane::Publisher));
    assert_eq!(layout.notes[1].note.text, "id 1: complete, id free");
}

#[test]
fn a_downgrade_is_noted_only_when_qos_is_lowered() {
    let note = downgrade_note(10, QoS::ExactlyOnce, QoS::AtLeastOnce).map(|n| n.text);
    assert_eq!(
        note.as_deref(),
        Some("effective QoS 1 = min(published 2, subscribed 1)")
    );
    assert_eq!(downgrade_note(10, QoS::AtLeastOnce, QoS::ExactlyOnce), None);
}

#[test]
fn publisher_session_events_become_arrows_to_and_from_the_broker() {
    let sent = Event {
        at: 3,
        kind: EventKind::PacketSent {
            packet: publish(1, QoS::AtLeastOnce, false),
            bytes: vec![0x32],
        },
    };
    let received = Event {
        at: 4,
        kind: EventKind::PacketReceived {
            packet: ack(Packet::Puback, 1),
            bytes: vec![0x40],
        },
    };
    let lanes =
        |e: &Event| match from_session_event(ClientRole::Publisher, ProtocolVersion::V311, e) {
            Some(DiagramEvent::Arrow(a)) => (a.from, a.to, a.sent_at, a.packet.bytes),
            other => panic!("expected an arrow, got {other:?}"),
        };
    assert_eq!(lanes(&sent), (Lane::Publisher, Lane::Broker, 3, vec![0x32]));
    assert_eq!(
        lanes(&received),
        (Lane::Broker, Lane::Publisher, 4, vec![0x40])
    );
}

#[test]
fn subscriber_session_events_are_drawn_on_the_other_hop() {
    let received = Event {
        at: 9,
        kind: EventKind::PacketReceived {
            packet: publish(4, QoS::ExactlyOnce, false),
            bytes: vec![],
        },
    };
    let Some(DiagramEvent::Arrow(a)) =
        from_session_event(ClientRole::Subscriber, ProtocolVersion::V311, &received)
    else {
        panic!("expected an arrow");
    };
    assert_eq!((a.from, a.to), (Lane::Broker, Lane::Subscriber));
}

#[test]
fn a_flow_event_becomes_a_note_on_the_sessions_lane() {
    let flow = Event {
        at: 2,
        kind: EventKind::Flow {
            packet_id: 1,
            direction: FlowDirection::Incoming,
            qos: QoS::ExactlyOnce,
            from: FlowState::IdStored,
            to: FlowState::Done,
        },
    };
    let Some(DiagramEvent::Note(note)) =
        from_session_event(ClientRole::Subscriber, ProtocolVersion::V311, &flow)
    else {
        panic!("expected a note");
    };
    assert_eq!(
        (note.lane, note.text.as_str()),
        (Lane::Subscriber, "id 1: released")
    );
}

#[test]
fn a_saved_recording_loads_back_and_replays_identically() {
    let rec = Recording::new("QoS 2 with PUBREC lost", qos2_pubrec_lost());
    let loaded = Recording::from_json(&rec.to_json()).expect("round trip");
    assert_eq!(loaded, rec);
    let pacing = Pacing::default();
    assert_eq!(
        Layout::new(&loaded.events, &pacing),
        Layout::new(&rec.events, &pacing)
    );
}

#[test]
fn a_file_that_is_not_a_recording_is_refused_with_a_reason() {
    assert!(Recording::from_json("{\"hello\": 1}")
        .unwrap_err()
        .contains("not a QoScope recording"));
    let mut future = Recording::new("x", vec![]);
    future.format = 99;
    assert!(Recording::from_json(&future.to_json())
        .unwrap_err()
        .contains("format 99"));
}

#[test]
fn play_advances_at_the_chosen_speed_and_stops_at_the_end() {
    let layout = Layout::new(&qos2_pubrec_lost(), &Pacing::default());
    let mut head = Playhead {
        speed: Speed::Tenth,
        ..Playhead::default()
    };
    head.advance(1000.0, &layout);
    assert_eq!(head.t, 0.0, "paused: nothing moves");
    head.toggle(&layout);
    head.advance(1000.0, &layout);
    assert!((head.t - 100.0).abs() < 1e-9);
    head.speed = Speed::Normal;
    head.advance(1e9, &layout);
    assert_eq!(head.t, layout.end);
    assert!(head.at_end(&layout));
}

#[test]
fn step_pauses_and_completes_the_next_packet() {
    let layout = Layout::new(&qos2_pubrec_lost(), &Pacing::default());
    let mut head = Playhead {
        playing: true,
        ..Playhead::default()
    };
    head.step(&layout);
    assert!(!head.playing);
    assert_eq!(head.t, layout.arrows[0].end);
    head.step(&layout);
    assert_eq!(head.t, layout.arrows[1].end);
    assert_eq!(layout.visible_at(head.t).len(), 2);
}

#[test]
fn replay_starts_over_and_play_at_the_end_does_too() {
    let layout = Layout::new(&qos2_pubrec_lost(), &Pacing::default());
    let mut head = Playhead::default();
    head.scrub(1e12, &layout);
    assert_eq!(head.t, layout.end);
    head.toggle(&layout);
    assert_eq!((head.t, head.playing), (0.0, true));
    head.scrub(500.0, &layout);
    head.replay();
    assert_eq!((head.t, head.playing), (0.0, true));
}

#[test]
fn a_note_sits_after_the_arrival_that_caused_it_and_above_what_is_sent_next() {
    use Lane::*;
    let stored = FlowChange {
        packet_id: 1,
        direction: FlowDirection::Incoming,
        qos: QoS::ExactlyOnce,
        from: FlowState::New,
        to: FlowState::IdStored,
    };
    let events = vec![
        arrow(
            Publisher,
            Broker,
            0,
            40,
            &publish(1, QoS::ExactlyOnce, false),
        ),
        DiagramEvent::Note(flow_note(Broker, 40, stored)),
        arrow(Broker, Publisher, 40, 80, &ack(Packet::Pubrec, 1)),
        arrow(
            Broker,
            Subscriber,
            40,
            80,
            &publish(1, QoS::ExactlyOnce, false),
        ),
    ];
    let layout = Layout::new(&events, &Pacing::default());
    let note = layout.notes[0].at;
    assert!(note >= layout.arrows[0].end, "after the PUBLISH arrived");
    assert!(
        note <= layout.arrows[1].start && note < layout.arrows[2].start,
        "not below the replies"
    );
}
