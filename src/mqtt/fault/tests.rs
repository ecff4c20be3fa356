//! Unit tests of the fault rules and the faulty wire.

use super::*;
use crate::mqtt::packet::{ProtocolVersion, PubResponse, Publish, QoS};

fn pubrec(id: u16) -> Packet {
    Packet::Pubrec(PubResponse {
        packet_id: id,
        ..PubResponse::default()
    })
}

fn publish() -> Packet {
    Packet::Publish(Publish {
        qos: QoS::ExactlyOnce,
        topic: "a".into(),
        packet_id: Some(1),
        ..Publish::default()
    })
}

#[test]
fn drop_next_pubrec_drops_exactly_one_pubrec_in_its_direction() {
    let mut rules = FaultRules::none();
    rules.push(TargetedRule::drop_next(
        PacketType::Pubrec,
        Direction::BrokerToClient,
    ));
    assert_eq!(
        rules.decide(Direction::ClientToBroker, &pubrec(1)),
        Verdict::Deliver
    );
    assert_eq!(
        rules.decide(Direction::BrokerToClient, &publish()),
        Verdict::Deliver
    );
    assert!(matches!(
        rules.decide(Direction::BrokerToClient, &pubrec(1)),
        Verdict::Drop {
            rule: FaultCause::Rule(TargetedRule::DropNext {
                packet: PacketType::Pubrec,
                ..
            })
        }
    ));
    assert_eq!(
        rules.decide(Direction::BrokerToClient, &pubrec(1)),
        Verdict::Deliver
    );
    assert!(rules.rules.is_empty());
}

#[test]
fn cut_after_two_packets_lets_two_through_then_cuts_the_third() {
    let mut rules = FaultRules::none();
    rules.push(TargetedRule::CutAfter { remaining: 2 });
    assert_eq!(
        rules.decide(Direction::ClientToBroker, &publish()),
        Verdict::Deliver
    );
    assert_eq!(
        rules.decide(Direction::BrokerToClient, &pubrec(1)),
        Verdict::Deliver
    );
    assert!(matches!(
        rules.decide(Direction::ClientToBroker, &publish()),
        Verdict::Cut { .. }
    ));
    assert_eq!(
        rules.decide(Direction::ClientToBroker, &publish()),
        Verdict::Deliver
    );
}

#[test]
fn cut_at_next_pubrel_cuts_instead_of_delivering_it() {
    let mut rules = FaultRules::none();
    rules.push(TargetedRule::CutAtNext {
        packet: PacketType::Pubrel,
        direction: None,
    });
    assert_eq!(
        rules.decide(Direction::ClientToBroker, &publish()),
        Verdict::Deliver
    );
    let pubrel = Packet::Pubrel(PubResponse::default());
    assert!(matches!(
        rules.decide(Direction::ClientToBroker, &pubrel),
        Verdict::Cut { .. }
    ));
}

#[test]
fn loss_is_deterministic_for_a_seed_and_close_to_its_probability() {
    let run = |seed| {
        let mut rules = FaultRules::with_loss(0.2, seed);
        (0..10_000)
            .map(|_| rules.decide(Direction::ClientToBroker, &publish()) != Verdict::Deliver)
            .collect::<Vec<bool>>()
    };
    let first = run(7);
    assert_eq!(first, run(7));
    assert_ne!(first, run(8));
    let dropped = first.iter().filter(|d| **d).count();
    assert!(
        (1_700..2_300).contains(&dropped),
        "dropped {dropped} of 10000 at 20%"
    );
}

#[test]
fn loss_can_spare_control_packets_and_one_direction() {
    let mut rules = FaultRules::with_loss(1.0, 1);
    rules.loss.spare_control_packets = true;
    rules.loss.direction = Some(Direction::BrokerToClient);
    let suback = Packet::Suback(Default::default());
    assert_eq!(
        rules.decide(Direction::BrokerToClient, &suback),
        Verdict::Deliver
    );
    assert_eq!(
        rules.decide(Direction::ClientToBroker, &publish()),
        Verdict::Deliver
    );
    assert_ne!(
        rules.decide(Direction::BrokerToClient, &publish()),
        Verdict::Deliver
    );
}

#[test]
fn added_latency_is_per_direction() {
    let mut rules = FaultRules::none();
    rules.latency.client_to_broker_ms = 30;
    rules.latency.broker_to_client_ms = 5;
    assert_eq!(rules.added_latency(Direction::ClientToBroker), 30);
    assert_eq!(rules.added_latency(Direction::BrokerToClient), 5);
    assert!(!rules.is_inert());
}

#[test]
fn rule_set_round_trips_through_json_with_its_generator_state() {
    let mut rules = FaultRules::with_loss(0.5, 42);
    rules.push(TargetedRule::CutAfter { remaining: 3 });
    let _ = rules.decide(Direction::ClientToBroker, &publish());
    let json = serde_json::to_string(&rules).expect("serialises");
    let mut back: FaultRules = serde_json::from_str(&json).expect("deserialises");
    assert_eq!(back, rules);
    assert_eq!(
        back.decide(Direction::ClientToBroker, &publish()),
        rules.decide(Direction::ClientToBroker, &publish())
    );
}

fn bytes(packet: &Packet) -> Vec<u8> {
    packet.to_bytes(ProtocolVersion::V311).expect("encodes")
}

#[test]
fn a_wire_judges_each_packet_of_a_frame_and_keeps_a_split_one_for_the_next() {
    let mut wire = FaultyWire::new(FaultRules::none());
    wire.rules_mut().push(TargetedRule::drop_next(
        PacketType::Pubrec,
        Direction::BrokerToClient,
    ));
    let frame = [bytes(&pubrec(1)), bytes(&pubrec(2)), bytes(&publish())].concat();
    let (head, tail) = frame.split_at(frame.len() - 3);
    let first = wire.judge_frame(10, ProtocolVersion::V311, Direction::BrokerToClient, head);
    assert_eq!(first.dropped.len(), 1, "the first PUBREC is lost");
    assert_eq!(
        first.deliver,
        vec![bytes(&pubrec(2))],
        "the second goes through"
    );
    let second = wire.judge_frame(11, ProtocolVersion::V311, Direction::BrokerToClient, tail);
    assert_eq!(
        second.deliver,
        vec![bytes(&publish())],
        "the split PUBLISH, whole"
    );

    // A new connection does not inherit half a packet from the last.
    wire.judge_frame(12, ProtocolVersion::V311, Direction::BrokerToClient, head);
    wire.reset();
    let fresh = wire.judge_frame(
        13,
        ProtocolVersion::V311,
        Direction::BrokerToClient,
        &bytes(&pubrec(3)),
    );
    assert_eq!(fresh.deliver, vec![bytes(&pubrec(3))]);
}

#[test]
fn a_wire_is_fifo_whatever_its_latency_does() {
    let mut wire = FaultyWire::new(FaultRules::none());
    wire.rules_mut().latency.client_to_broker_ms = 500;
    let slow = wire.judge(0, 10, Direction::ClientToBroker, &publish());
    assert_eq!((slow.verdict, slow.arrive_at), (Verdict::Deliver, 510));
    wire.rules_mut().latency.client_to_broker_ms = 0;
    let next = wire.judge(100, 10, Direction::ClientToBroker, &publish());
    assert_eq!(next.arrive_at, 510, "never before what was sent earlier");
    let other_way = wire.judge(100, 10, Direction::BrokerToClient, &pubrec(1));
    assert_eq!(other_way.arrive_at, 110, "each direction has its own queue");
    assert_eq!(wire.arrival(600, 10, Direction::ClientToBroker, true), 610);
}
