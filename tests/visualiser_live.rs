#![cfg(not(target_arch = "wasm32"))]
//! Live mode's transcript: two links' updates → one diagram, and each
//! client's status from its updates. (The links themselves run against
//! Mosquitto in tests/e2e_visualiser.rs.)

use qoscope::app::visualiser::adapt::ClientRole;
use qoscope::app::visualiser::faults::Hop;
use qoscope::app::visualiser::live_trace::{LinkStatus, LiveTranscript, MAX_EVENTS};
use qoscope::app::visualiser::model::{DiagramEvent, Lane};
use qoscope::app::visualiser::packet_list::describe;
use qoscope::mqtt::fault::{Direction, FaultCause, TargetedRule};
use qoscope::mqtt::packet::{Packet, PacketType, ProtocolVersion, PubResponse, Publish, QoS};
use qoscope::mqtt::session::{BrokerLimits, Event, EventKind, FilterResult};
use qoscope::net::ws::{LinkUpdate, TransportEvent};

const V: ProtocolVersion = ProtocolVersion::V311;

fn publish(qos: QoS, dup: bool) -> Packet {
    Packet::Publish(Publish {
        dup,
        qos,
        topic: "shop/inventory".into(),
        packet_id: (qos != QoS::AtMostOnce).then_some(1),
        payload: b"sold 1".to_vec(),
        ..Publish::default()
    })
}

fn ack(make: fn(PubResponse) -> Packet) -> Packet {
    make(PubResponse {
        packet_id: 1,
        ..PubResponse::default()
    })
}

fn bytes(packet: &Packet) -> Vec<u8> {
    packet.to_bytes(V).expect("encodes")
}

fn session(at: u64, kind: EventKind) -> LinkUpdate {
    LinkUpdate::Session(std::sync::Arc::new(Event { at, kind }))
}

fn sent(at: u64, packet: &Packet) -> LinkUpdate {
    session(
        at,
        EventKind::PacketSent {
            packet: packet.clone(),
            bytes: bytes(packet),
        },
    )
}

fn received(at: u64, packet: &Packet) -> LinkUpdate {
    session(
        at,
        EventKind::PacketReceived {
            packet: packet.clone(),
            bytes: bytes(packet),
        },
    )
}

fn dropped(at: u64, direction: Direction, packet: &Packet) -> LinkUpdate {
    LinkUpdate::Dropped {
        at,
        direction,
        packet: Box::new(packet.clone()),
        bytes: bytes(packet),
        cause: FaultCause::Rule(TargetedRule::DropNext {
            packet: packet.packet_type(),
            direction: None,
        }),
    }
}

fn limits() -> BrokerLimits {
    BrokerLimits::spec_defaults(0)
}

fn transport(event: TransportEvent) -> LinkUpdate {
    LinkUpdate::Transport { at: 5, event }
}

/// The diagram's packets as the packet list reads them.
fn packets(events: &[DiagramEvent]) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| match e {
            DiagramEvent::Arrow(a) => Some(describe(a)),
            _ => None,
        })
        .collect()
}

/// A lane's notes that are not flow changes.
fn notes(events: &[DiagramEvent], lane: Lane) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| match e {
            DiagramEvent::Note(n) if n.lane == lane && n.flow.is_none() => Some(n.text.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn a_pubrec_the_link_lost_is_drawn_as_lost_and_disarms_its_rule() {
    let mut t = LiveTranscript::new(V);
    let mut events = Vec::new();
    let used = t.ingest(
        &mut events,
        ClientRole::Publisher,
        &[
            sent(10, &publish(QoS::ExactlyOnce, false)),
            dropped(11, Direction::BrokerToClient, &ack(Packet::Pubrec)),
        ],
    );
    assert_eq!(
        packets(&events),
        [
            "Publisher → Broker: PUBLISH (id 1, QoS 2)",
            "Broker → Publisher: PUBREC (id 1) — lost: drop next PUBREC",
        ]
    );
    assert_eq!(used, [(PacketType::Pubrec, Hop::PublisherBroker)]);
}

#[test]
fn an_outgoing_packet_the_link_lost_marks_the_arrow_already_drawn() {
    let mut t = LiveTranscript::new(V);
    let mut events = Vec::new();
    let pubrel = ack(Packet::Pubrel);
    t.ingest(
        &mut events,
        ClientRole::Publisher,
        &[
            sent(10, &pubrel),
            dropped(10, Direction::ClientToBroker, &pubrel),
        ],
    );
    assert_eq!(
        packets(&events),
        ["Publisher → Broker: PUBREL (id 1) — lost: drop next PUBREL"]
    );
    // The resend (same bytes) is a new arrow, delivered.
    t.ingest(&mut events, ClientRole::Publisher, &[sent(1010, &pubrel)]);
    assert_eq!(packets(&events).len(), 2);
    assert!(!packets(&events)[1].contains("lost"));
}

#[test]
fn the_subscribers_packets_are_drawn_on_the_other_hop() {
    let mut t = LiveTranscript::new(V);
    let mut events = Vec::new();
    let used = t.ingest(
        &mut events,
        ClientRole::Subscriber,
        &[
            received(10, &publish(QoS::ExactlyOnce, false)),
            dropped(10, Direction::ClientToBroker, &ack(Packet::Pubrec)),
        ],
    );
    assert_eq!(
        packets(&events),
        [
            "Broker → Subscriber: PUBLISH (id 1, QoS 2)",
            "Subscriber → Broker: PUBREC (id 1) — lost: drop next PUBREC",
        ]
    );
    assert_eq!(used, [(PacketType::Pubrec, Hop::BrokerSubscriber)]);
}

#[test]
fn a_publish_received_below_its_published_qos_is_noted_as_a_downgrade() {
    let mut t = LiveTranscript::new(V);
    let mut events = Vec::new();
    t.ingest(
        &mut events,
        ClientRole::Publisher,
        &[sent(10, &publish(QoS::ExactlyOnce, false))],
    );
    t.ingest(
        &mut events,
        ClientRole::Subscriber,
        &[received(12, &publish(QoS::AtLeastOnce, false))],
    );
    assert_eq!(
        notes(&events, Lane::Broker),
        ["effective QoS 1 = min(published 2, subscribed 1)"]
    );
    // Received at the QoS it was published at: nothing to say.
    t.ingest(
        &mut events,
        ClientRole::Subscriber,
        &[received(14, &publish(QoS::ExactlyOnce, false))],
    );
    assert_eq!(notes(&events, Lane::Broker).len(), 1);
}

#[test]
fn cuts_reconnects_and_retries_are_written_on_the_clients_lane() {
    let mut t = LiveTranscript::new(V);
    let mut events = Vec::new();
    t.ingest(
        &mut events,
        ClientRole::Publisher,
        &[
            transport(TransportEvent::Cut { reconnect: false }),
            transport(TransportEvent::Opening {
                url: "ws://x".into(),
                attempt: 1,
            }),
            session(
                20,
                EventKind::Connected {
                    session_present: true,
                    broker: limits(),
                },
            ),
            session(
                21,
                EventKind::Retry {
                    packet_id: 1,
                    packet_type: PacketType::Pubrel,
                    attempt: 2,
                },
            ),
            sent(21, &ack(Packet::Pubrel)),
        ],
    );
    // The retry note follows the resent packet, so it is written beside it.
    assert!(matches!(events.last(), Some(DiagramEvent::Note(_))));
    assert_eq!(
        notes(&events, Lane::Publisher),
        [
            "✂ connection cut",
            "reconnecting…",
            "connected: the broker kept the session",
            "id 1: no answer, PUBREL again (try 2)",
        ]
    );
}

#[test]
fn a_long_live_session_keeps_a_bounded_diagram() {
    let mut t = LiveTranscript::new(V);
    let mut events = Vec::new();
    let one = [sent(1, &publish(QoS::AtMostOnce, false))];
    for _ in 0..MAX_EVENTS * 3 {
        t.ingest(&mut events, ClientRole::Publisher, &one);
    }
    assert!(events.len() <= MAX_EVENTS, "{} events kept", events.len());
    assert!(events.len() > MAX_EVENTS / 2);
}

#[test]
fn each_clients_status_follows_its_link() {
    let mut s = LinkStatus::default();
    assert_eq!(s.words(), "not connected");
    s.apply(&[transport(TransportEvent::Opening {
        url: "ws://x".into(),
        attempt: 0,
    })]);
    assert_eq!((s.class(), s.words().as_str()), ("busy", "connecting…"));
    s.apply(&[
        session(
            1,
            EventKind::Connected {
                session_present: false,
                broker: limits(),
            },
        ),
        session(
            2,
            EventKind::Subscribed {
                packet_id: 1,
                results: vec![FilterResult {
                    filter: "shop/inventory".into(),
                    granted: Some(QoS::AtLeastOnce),
                    code: 1,
                    reason: "Granted QoS 1".into(),
                }],
            },
        ),
    ]);
    assert!(s.is_up());
    assert_eq!(s.words(), "subscribed to shop/inventory (QoS 1)");
    s.apply(&[transport(TransportEvent::Cut { reconnect: false })]);
    assert_eq!((s.class(), s.words().as_str()), ("down", "connection cut"));
    s.apply(&[transport(TransportEvent::ReconnectIn {
        in_secs: 2,
        attempt: 1,
    })]);
    // A failed attempt while reconnecting is one more attempt, not a failure.
    s.apply(&[transport(TransportEvent::Unreachable {
        url: "ws://x".into(),
        detail: None,
    })]);
    assert_eq!(s.words(), "reconnecting in 2 s…");
}

#[test]
fn an_unreachable_broker_says_what_to_do() {
    let mut s = LinkStatus::Connecting;
    s.apply(&[transport(TransportEvent::Unreachable {
        url: "ws://127.0.0.1:1".into(),
        detail: None,
    })]);
    assert_eq!(s.class(), "failed");
    assert!(
        s.words().contains("cannot reach ws://127.0.0.1:1"),
        "{}",
        s.words()
    );
    assert!(s.words().contains("make run"), "{}", s.words());
}

/// A live step as the transcript records it: caption, then in one
/// millisecond the PUBLISH sent, the sender's flow note, and the PUBREC.
#[test]
fn in_one_millisecond_a_caption_stays_above_its_step_and_notes_beside_their_cause() {
    use qoscope::app::visualiser::layout::{Layout, Pacing};
    use qoscope::app::visualiser::model::Caption;
    use qoscope::mqtt::session::{FlowDirection, FlowState};

    let mut t = LiveTranscript::new(V);
    let mut events = vec![DiagramEvent::Caption(Caption {
        at: 100,
        text: "Step 1".into(),
        text_zh: None,
        label: None,
    })];
    let flow = |from, to| {
        session(
            100,
            EventKind::Flow {
                packet_id: 1,
                direction: FlowDirection::Outgoing,
                qos: QoS::ExactlyOnce,
                from,
                to,
            },
        )
    };
    t.ingest(
        &mut events,
        ClientRole::Publisher,
        &[
            sent(100, &publish(QoS::ExactlyOnce, false)),
            flow(FlowState::New, FlowState::AwaitingPubrec),
            received(100, &ack(Packet::Pubrec)),
            flow(FlowState::AwaitingPubrec, FlowState::AwaitingPubcomp),
        ],
    );
    let layout = Layout::new(&events, &Pacing::default());
    let (publish, pubrec) = (&layout.arrows[0], &layout.arrows[1]);
    assert!(
        layout.captions[0].at <= publish.start,
        "caption above its step"
    );
    let on_publisher: Vec<f64> = layout
        .notes
        .iter()
        .filter(|n| n.note.lane == Lane::Publisher)
        .map(|n| n.at)
        .collect();
    // The sender's state changes as the PUBLISH leaves ...
    assert_eq!(on_publisher[0], publish.start);
    // ... and again when the PUBREC arrives, not before.
    assert!(on_publisher[1] >= pubrec.end);
}

#[test]
fn labels_lie_along_their_arrow_and_read_left_to_right() {
    use qoscope::app::visualiser::geometry::{arrow_shape, LABEL_ALONG};
    use qoscope::app::visualiser::layout::{Layout, Pacing};

    let mut t = LiveTranscript::new(V);
    let mut events = Vec::new();
    t.ingest(
        &mut events,
        ClientRole::Publisher,
        &[
            sent(1, &publish(QoS::ExactlyOnce, false)),
            received(2, &ack(Packet::Pubrec)),
        ],
    );
    let layout = Layout::new(&events, &Pacing::default());
    let down_right = arrow_shape(&layout.arrows[0], 1.0);
    let down_left = arrow_shape(&layout.arrows[1], 1.0);
    // Publisher → Broker slopes down to the right, the answer down to the left.
    assert!(
        down_right.angle > 0.0 && down_right.angle < 45.0,
        "{}",
        down_right.angle
    );
    assert!(
        down_left.angle < 0.0 && down_left.angle > -45.0,
        "{}",
        down_left.angle
    );
    // The label's anchor is on the line itself, past half way.
    let on_line = down_right.from.1 + (down_right.tip.1 - down_right.from.1) * LABEL_ALONG;
    assert!((down_right.label_at.1 - on_line).abs() < 1e-6);
    // Label and detail are both written above the line (negative y in the
    // rotated frame), leaving the space under it to the answer.
    assert!(down_right.label_pos().1 < down_right.label_at.1);
    assert!(down_right.detail_pos().1 < down_right.label_pos().1);
    assert!(down_right.text_transform().starts_with("rotate("));
}

/// The broker's flow notes: (peer, text).
fn broker_flows(events: &[DiagramEvent]) -> Vec<(String, String)> {
    events
        .iter()
        .filter_map(|e| match e {
            DiagramEvent::Note(n) if n.lane == Lane::Broker => n
                .flow
                .as_ref()
                .map(|f| (f.peer.clone().unwrap_or_default(), n.text.clone())),
            _ => None,
        })
        .collect()
}

#[test]
fn the_brokers_qos2_states_are_inferred_from_what_it_sends() {
    use qoscope::app::visualiser::layout::{Layout, Pacing};
    use qoscope::app::visualiser::scenario_panel::open_qos2_receipts;

    let mut t = LiveTranscript::new(V);
    let mut events = Vec::new();
    let pubrec = ack(Packet::Pubrec);
    // Publisher hop: PUBREC lost on its way, then the resend's PUBREC, PUBCOMP.
    t.ingest(
        &mut events,
        ClientRole::Publisher,
        &[
            sent(1, &publish(QoS::ExactlyOnce, false)),
            dropped(2, Direction::BrokerToClient, &pubrec),
            sent(1001, &publish(QoS::ExactlyOnce, true)),
            received(1002, &pubrec),
        ],
    );
    let half_way = Layout::new(&events, &Pacing::default());
    let open = open_qos2_receipts(&half_way, half_way.end);
    assert_eq!(open.len(), 1, "the broker holds id 1 for the publisher");
    assert_eq!(open[0].peer.as_deref(), Some("publisher"));
    assert_eq!(open[0].state, "id stored");

    t.ingest(
        &mut events,
        ClientRole::Publisher,
        &[
            sent(1003, &ack(Packet::Pubrel)),
            received(1004, &ack(Packet::Pubcomp)),
        ],
    );
    // Subscriber hop: the broker sends PUBLISH, gets PUBREC, sends PUBREL; the
    // subscriber's first PUBCOMP is lost, its second arrives.
    let pubcomp = ack(Packet::Pubcomp);
    t.ingest(
        &mut events,
        ClientRole::Subscriber,
        &[
            received(1005, &publish(QoS::ExactlyOnce, false)),
            sent(1005, &pubrec),
            received(1006, &ack(Packet::Pubrel)),
            sent(1006, &pubcomp),
            dropped(1006, Direction::ClientToBroker, &pubcomp),
            sent(2006, &pubcomp),
        ],
    );
    assert_eq!(
        broker_flows(&events),
        [
            ("publisher".into(), "id 1: new → id stored".into()),
            ("publisher".into(), "id 1: released".into()),
            ("subscriber".into(), "id 1: new → awaiting PUBREC".into()),
            (
                "subscriber".into(),
                "id 1: awaiting PUBREC → awaiting PUBCOMP".into()
            ),
            ("subscriber".into(), "id 1: complete, id free".into()),
        ]
    );
    let done = Layout::new(&events, &Pacing::default());
    assert!(open_qos2_receipts(&done, done.end).is_empty());
}

#[test]
fn a_drop_that_fired_before_a_reconnect_in_the_same_batch_is_still_disarmed() {
    let mut t = LiveTranscript::new(V);
    let mut events = Vec::new();
    let used = t.ingest(
        &mut events,
        ClientRole::Publisher,
        &[
            sent(10, &publish(QoS::ExactlyOnce, false)),
            dropped(11, Direction::BrokerToClient, &ack(Packet::Pubrec)),
            transport(TransportEvent::Lost {
                code: 1006,
                reason: String::new(),
            }),
            transport(TransportEvent::Opening {
                url: "ws://x".into(),
                attempt: 1,
            }),
        ],
    );
    assert_eq!(used, [(PacketType::Pubrec, Hop::PublisherBroker)]);
    assert_eq!(
        packets(&events),
        [
            "Publisher → Broker: PUBLISH (id 1, QoS 2)",
            "Broker → Publisher: PUBREC (id 1) — lost: drop next PUBREC",
        ]
    );
}
