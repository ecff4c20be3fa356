//! The event stream alone tells the whole story, in order: a UI draws the
//! handshake from it without asking the session anything.
#![cfg(not(target_arch = "wasm32"))]

mod session_harness;

use qoscope::mqtt::packet::{Packet, QoS};
use qoscope::mqtt::session::{Event, EventKind};
use session_harness::*;

fn all_events(b: &mut Broker) -> Vec<Event> {
    let mut out = Vec::new();
    while let Some(e) = b.session.poll_event() {
        out.push(e);
    }
    out
}

#[test]
fn qos2_publish_reads_as_the_four_step_handshake() {
    let mut b = Broker::v311();
    b.session.connect(b.now);
    b.session.handle_bytes(
        b.now,
        &Packet::Connack(Default::default())
            .to_bytes(b.session.config().version)
            .unwrap(),
    );
    let id = b.publish("qos2/test", b"test", QoS::ExactlyOnce).unwrap();
    for (at, packet) in [
        (1_010, Packet::Pubrec(ack(id))),
        (1_020, Packet::Pubcomp(ack(id))),
    ] {
        b.now = at;
        let bytes = packet.to_bytes(b.session.config().version).unwrap();
        b.session.handle_bytes(at, &bytes);
    }
    while b.session.poll_transmit().is_some() {}
    let lines: Vec<String> = all_events(&mut b)
        .iter()
        .map(|e| format!("{} {}", e.at, e.kind.describe()))
        .collect();
    assert_eq!(
        lines,
        vec![
            "1000 sent CONNECT (23 bytes)",
            "1000 received CONNACK (4 bytes)",
            "1000 connected, session present: no, receive maximum 65535, topic alias maximum 0",
            "1000 sent PUBLISH 'qos2/test' QoS 2 id 1 (19 bytes)",
            "1000 id 1: New → AwaitingPubrec (outgoing QoS 2)",
            "1010 received PUBREC id 1 (4 bytes)",
            "1010 sent PUBREL id 1 (4 bytes)",
            "1010 id 1: AwaitingPubrec → AwaitingPubcomp (outgoing QoS 2)",
            "1020 received PUBCOMP id 1 (4 bytes)",
            "1020 id 1: AwaitingPubcomp → Done (outgoing QoS 2)",
            "1020 id 1: QoS 2 publish complete in 20 ms",
        ]
    );
}

#[test]
fn incoming_qos2_reads_as_store_release_complete() {
    let mut b = Broker::v311().connected();
    b.feed(incoming("alarms/fire", QoS::ExactlyOnce, Some(4)));
    let (_, first) = b.feed(incoming("alarms/fire", QoS::ExactlyOnce, Some(4)));
    let (_, release) = b.feed(Packet::Pubrel(ack(4)));
    let text = |events: &[EventKind]| events.iter().map(EventKind::describe).collect::<Vec<_>>();
    assert_eq!(
        text(&first),
        vec![
            "received PUBLISH 'alarms/fire' QoS 2 id 4 (19 bytes)",
            "sent PUBREC id 4 (4 bytes)",
            "id 4: duplicate QoS 2 PUBLISH suppressed, PUBREC sent again",
        ]
    );
    assert_eq!(
        text(&release),
        vec![
            "received PUBREL id 4 (4 bytes)",
            "sent PUBCOMP id 4 (4 bytes)",
            "id 4: IdStored → Done (incoming QoS 2)",
        ]
    );
}
