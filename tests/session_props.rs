//! Properties of the session under random broker behaviour (proptest):
//! ids are never reused while in flight, a PUBLISH is never resent after
//! PUBREC, every publish ends exactly once, and incoming QoS 2 is delivered
//! exactly once whatever the broker repeats.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::HashMap;

use proptest::prelude::*;
use qoscope::mqtt::packet::{
    Connack, Packet, PacketId, ProtocolVersion, PubResponse, Publish, QoS,
};
use qoscope::mqtt::session::{EventKind, PublishRequest, Qos2Delivery, Session, SessionConfig};

#[derive(Debug, Clone)]
enum Op {
    Publish(bool),
    /// Answer the n-th (mod len) flow the broker knows with its next ack.
    Answer(usize),
    Reconnect(bool),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => any::<bool>().prop_map(Op::Publish),
        4 => any::<usize>().prop_map(Op::Answer),
        1 => any::<bool>().prop_map(Op::Reconnect),
    ]
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Seen {
    Published,
    Recorded,
    Released,
}

/// The broker's view of our flows, checked against every packet we send.
struct Model {
    session: Session,
    now: u64,
    flows: Vec<(PacketId, Vec<u8>, QoS, Seen)>,
    published: usize,
    ended: usize,
}

impl Model {
    fn new() -> Self {
        let config = SessionConfig {
            clean_start: false,
            version: ProtocolVersion::V5,
            ..SessionConfig::default()
        };
        let mut m = Model {
            session: Session::new(config),
            now: 0,
            flows: vec![],
            published: 0,
            ended: 0,
        };
        m.connect(false);
        m
    }

    fn feed(&mut self, p: Packet) {
        let bytes = p.to_bytes(ProtocolVersion::V5).unwrap();
        self.session.handle_bytes(self.now, &bytes);
        self.check_output();
    }

    fn connect(&mut self, present: bool) {
        self.session.handle_closed(self.now);
        self.session.connect(self.now);
        if !present {
            self.flows.clear();
        }
        let connack = Connack {
            session_present: present,
            properties: qoscope::mqtt::packet::PropertyValues {
                receive_maximum: Some(3),
                ..Default::default()
            }
            .into(),
            ..Default::default()
        };
        self.feed(Packet::Connack(connack));
    }

    fn check_output(&mut self) {
        while let Some(t) = self.session.poll_transmit() {
            match t.packet {
                Packet::Publish(p) => self.on_publish(p),
                Packet::Pubrel(r) => {
                    let flow = self
                        .flows
                        .iter_mut()
                        .find(|f| f.0 == r.packet_id)
                        .expect("PUBREL for a known flow");
                    assert!(
                        matches!(flow.3, Seen::Recorded | Seen::Released),
                        "PUBREL before PUBREC"
                    );
                    flow.3 = Seen::Released;
                }
                _ => {}
            }
        }
        while let Some(e) = self.session.poll_event() {
            if let EventKind::PublishComplete { .. }
            | EventKind::MessageDropped { .. }
            | EventKind::PublishFailed { .. } = e.kind
            {
                self.ended += 1;
            }
        }
    }

    fn on_publish(&mut self, p: Publish) {
        let id = p.packet_id.expect("QoS>0");
        let inflight = self.flows.iter().filter(|f| f.0 == id).count();
        if p.dup {
            let flow = self
                .flows
                .iter()
                .find(|f| f.0 == id)
                .expect("a resend is of a known flow");
            assert_eq!(flow.1, p.payload, "resend carries the same message");
            assert_eq!(flow.3, Seen::Published, "never PUBLISH again after PUBREC");
        } else {
            assert_eq!(inflight, 0, "id {id} reused while in flight");
            self.flows.push((id, p.payload, p.qos, Seen::Published));
        }
        assert!(self.flows.len() <= 3, "Receive Maximum exceeded");
    }

    fn apply(&mut self, op: Op) {
        self.now += 10;
        match op {
            Op::Publish(qos2) => {
                let qos = if qos2 {
                    QoS::ExactlyOnce
                } else {
                    QoS::AtLeastOnce
                };
                let payload = self.published.to_be_bytes().to_vec();
                let req = PublishRequest {
                    topic: "t".into(),
                    payload,
                    qos,
                    ..Default::default()
                };
                self.session.publish(self.now, req).unwrap();
                self.published += 1;
                self.check_output();
            }
            Op::Answer(n) if !self.flows.is_empty() => {
                let i = n % self.flows.len();
                let (id, _, qos, seen) = self.flows[i].clone();
                let r = PubResponse {
                    packet_id: id,
                    ..Default::default()
                };
                match (qos, seen) {
                    (QoS::AtLeastOnce, _) => {
                        self.flows.remove(i);
                        self.feed(Packet::Puback(r));
                    }
                    (_, Seen::Published) => {
                        self.flows[i].3 = Seen::Recorded;
                        self.feed(Packet::Pubrec(r));
                    }
                    (_, Seen::Released) => {
                        self.flows.remove(i);
                        self.feed(Packet::Pubcomp(r));
                    }
                    _ => {}
                }
            }
            Op::Answer(_) => {}
            Op::Reconnect(present) => self.connect(present),
        }
    }
}

proptest! {
    #[test]
    fn outgoing_flows_keep_their_promises(ops in prop::collection::vec(op(), 1..120)) {
        let mut m = Model::new();
        for op in ops {
            m.apply(op);
        }
        let ended = m.ended;
        let open = m.session.inflight_len() + m.session.queued_len();
        prop_assert_eq!(ended + open, m.published, "every publish ends exactly once or is still open");
    }

    #[test]
    fn incoming_qos2_is_delivered_exactly_once(
        steps in prop::collection::vec((0u16..4, 0u8..4), 1..150),
        on_pubrel in any::<bool>(),
    ) {
        let delivery = if on_pubrel { Qos2Delivery::OnPubrel } else { Qos2Delivery::OnPublish };
        let mut s = Session::new(SessionConfig { qos2_delivery: delivery, ..SessionConfig::default() });
        s.connect(0);
        s.handle_bytes(0, &Packet::Connack(Connack::default()).to_bytes(ProtocolVersion::V311).unwrap());
        // The broker's side: per id, the message number in flight and whether PUBREL was sent.
        let mut broker: HashMap<u16, (u32, bool)> = HashMap::new();
        let mut next_message = 0u32;
        let mut sent_messages = 0u32;
        let mut delivered: HashMap<Vec<u8>, u32> = HashMap::new();
        for (id, action) in steps {
            let id = id + 1;
            let packet = match (broker.get(&id).copied(), action) {
                (None, _) => {
                    next_message += 1;
                    sent_messages += 1;
                    broker.insert(id, (next_message, false));
                    Some(publish(id, next_message, false))
                }
                (Some((m, false)), 0) => Some(publish(id, m, true)),
                (Some((m, _)), 1 | 2) => {
                    broker.insert(id, (m, true));
                    Some(Packet::Pubrel(PubResponse { packet_id: id, ..Default::default() }))
                }
                (Some((_, true)), 3) => {
                    broker.remove(&id); // PUBCOMP arrived
                    None
                }
                _ => None,
            };
            if let Some(p) = packet {
                s.handle_bytes(1, &p.to_bytes(ProtocolVersion::V311).unwrap());
            }
            while let Some(e) = s.poll_event() {
                if let EventKind::Delivered { message } = e.kind {
                    *delivered.entry(message.payload).or_default() += 1;
                }
            }
            while s.poll_transmit().is_some() {}
        }
        prop_assert!(delivered.values().all(|n| *n == 1), "a message was delivered twice: {delivered:?}");
        // Messages whose PUBREL was never sent may still wait (OnPubrel); all others arrived.
        let waiting = broker.values().filter(|(_, released)| !released).count() as u32;
        let expected_min = if on_pubrel { sent_messages - waiting } else { sent_messages };
        prop_assert!(delivered.len() as u32 >= expected_min);
    }
}

fn publish(id: u16, message: u32, dup: bool) -> Packet {
    Packet::Publish(Publish {
        dup,
        qos: QoS::ExactlyOnce,
        topic: "t".into(),
        packet_id: Some(id),
        payload: message.to_be_bytes().to_vec(),
        ..Default::default()
    })
}
