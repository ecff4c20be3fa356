#![cfg(not(target_arch = "wasm32"))]
//! The delivery guarantees under any loss pattern, checked end to end
//! (publishers → broker → subscriber) on the simulated network: random loss,
//! random cuts and reconnects, several publishers interleaved, persistent
//! sessions, both protocol versions and both retry policies.
//!
//! - QoS 2: every message reaches the subscriber's application exactly once;
//! - QoS 1: at least once;
//! - QoS 0: at most once;
//! - no sender reuses a packet id while it is in flight (read off the wire);
//! - nothing panics.
//!
//! Each case pushes `MESSAGES_PER_CASE` messages through; the total is printed.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};

use proptest::prelude::*;
use qoscope::mqtt::broker::BrokerConfig;
use qoscope::mqtt::fault::{Loss, SplitMix64};
use qoscope::mqtt::packet::{Packet, PacketId, ProtocolVersion, QoS, SubscribeFilter};
use qoscope::mqtt::session::{CommandError, EventKind, PublishRequest, RetryPolicy, SessionConfig};
use qoscope::mqtt::sim::{Fate, LinkConfig, Node, Sim, SimEvent, SimEventKind, WireEvent};

const MESSAGES_PER_CASE: usize = 10_000;
const SUBSCRIBER: usize = 0;

static MESSAGES_PUSHED: AtomicU64 = AtomicU64::new(0);

/// One randomly drawn network and client set-up.
#[derive(Debug, Clone)]
struct Case {
    version: ProtocolVersion,
    publishers: usize,
    loss: f64,
    /// Chance per message, in thousandths, that some client's connection is cut.
    cuts_per_mille: u64,
    /// 3.1.1 only: resend within the session after a timeout too.
    in_session_retry: bool,
    seed: u64,
}

fn cases() -> impl Strategy<Value = Case> {
    (
        any::<bool>(),
        1usize..=3,
        0.0f64..0.25,
        0u64..20,
        any::<bool>(),
        any::<u64>(),
    )
        .prop_map(
            |(v5, publishers, loss, cuts_per_mille, in_session_retry, seed)| Case {
                version: if v5 {
                    ProtocolVersion::V5
                } else {
                    ProtocolVersion::V311
                },
                publishers,
                loss,
                cuts_per_mille,
                in_session_retry: in_session_retry && !v5,
                seed,
            },
        )
}

fn config(case: &Case, client_id: String) -> SessionConfig {
    SessionConfig {
        version: case.version,
        client_id,
        clean_start: false,
        keep_alive_secs: 0,
        session_expiry_secs: (case.version == ProtocolVersion::V5).then_some(u32::MAX),
        retry: if case.in_session_retry {
            RetryPolicy::OnTimeout { interval_ms: 200 }
        } else {
            RetryPolicy::OnReconnect
        },
        ..SessionConfig::default()
    }
}

/// Reads the wire trace as it is produced and remembers, per sender, which
/// QoS>0 packet ids are in flight: a new PUBLISH (DUP=0) with an id whose
/// flow has not been finished by an arrived PUBACK / PUBCOMP is a reuse.
/// A QoS flow's sender and receiver.
type Hop = (Node, Node);
/// An ack on its way to a sender: (wire id, arrive_at).
type AckInFlight = (u64, u64);

#[derive(Default)]
struct IdReuseChecker {
    /// (sender, receiver) → ids in flight.
    in_flight: HashMap<Hop, HashSet<PacketId>>,
    /// Acks on their way to a sender: (sender, receiver, id) → (wire id, arrive_at).
    pending_releases: HashMap<(Hop, PacketId), Vec<AckInFlight>>,
    /// wire id → key of `pending_releases`, to cancel an ack lost in a cut.
    release_keys: HashMap<u64, (Hop, PacketId)>,
    violations: Vec<String>,
}

impl IdReuseChecker {
    fn read(&mut self, event: &SimEvent) {
        match &event.kind {
            SimEventKind::Wire(w) => self.wire(w),
            SimEventKind::WireLost { wire_id, .. } => self.cancel(*wire_id),
            _ => {}
        }
    }

    fn wire(&mut self, w: &WireEvent) {
        match &w.packet {
            Packet::Publish(p) if p.qos != QoS::AtMostOnce && !p.dup => {
                let Some(id) = p.packet_id else { return };
                let sender = (w.from, w.to);
                self.apply_releases(sender, id, w.sent_at);
                if !self.in_flight.entry(sender).or_default().insert(id) {
                    self.violations.push(format!(
                        "{:?}→{:?} reused id {id} at {} while in flight",
                        w.from, w.to, w.sent_at
                    ));
                }
            }
            Packet::Puback(r) | Packet::Pubcomp(r) if w.fate == Fate::Delivered => {
                // The ack travels receiver → sender: the flow's sender is `w.to`.
                let key = ((w.to, w.from), r.packet_id);
                self.pending_releases
                    .entry(key)
                    .or_default()
                    .push((w.id, w.arrive_at));
                self.release_keys.insert(w.id, key);
            }
            _ => {}
        }
    }

    fn cancel(&mut self, wire_id: u64) {
        if let Some(key) = self.release_keys.remove(&wire_id) {
            if let Some(acks) = self.pending_releases.get_mut(&key) {
                acks.retain(|(w, _)| *w != wire_id);
            }
        }
    }

    /// Acks for `id` that reached `sender` by `now` finish its flow.
    fn apply_releases(&mut self, sender: Hop, id: PacketId, now: u64) {
        let Some(acks) = self.pending_releases.get_mut(&(sender, id)) else {
            return;
        };
        let before = acks.len();
        acks.retain(|(wire_id, at)| {
            let arrived = *at <= now;
            if arrived {
                self.release_keys.remove(wire_id);
            }
            !arrived
        });
        if acks.len() < before {
            if let Some(ids) = self.in_flight.get_mut(&sender) {
                ids.remove(&id);
            }
        }
    }
}

/// A whole run: set-up, the traffic with chaos, the drain, the tallies.
struct Run {
    sim: Sim,
    rng: SplitMix64,
    case: Case,
    qos: QoS,
    published: Vec<String>,
    delivered: HashMap<String, u32>,
    ids: IdReuseChecker,
}

impl Run {
    fn new(case: Case, qos: QoS) -> Self {
        let mut sim = Sim::new(BrokerConfig {
            retry_interval_ms: case.in_session_retry.then_some(200),
            ..BrokerConfig::default()
        });
        sim.add_client(config(&case, "subscriber".into()), LinkConfig::symmetric(5));
        for p in 1..=case.publishers {
            let link = LinkConfig {
                client_to_broker_ms: 2 + p as u64,
                broker_to_client_ms: 3,
            };
            sim.add_client(config(&case, format!("publisher-{p}")), link);
        }
        for client in 0..=case.publishers {
            sim.connect(client);
        }
        assert!(sim.run_until_idle(), "everyone connected");
        let filter = SubscribeFilter {
            filter: "inventory/#".into(),
            qos: QoS::ExactlyOnce,
            ..SubscribeFilter::default()
        };
        sim.subscribe(SUBSCRIBER, vec![filter]).expect("subscribe");
        assert!(sim.run_until_idle(), "set-up settles");
        let rng = SplitMix64::new(case.seed);
        let mut run = Run {
            sim,
            rng,
            case,
            qos,
            published: Vec::new(),
            delivered: HashMap::new(),
            ids: IdReuseChecker::default(),
        };
        run.set_loss(run.case.loss);
        run
    }

    fn set_loss(&mut self, probability: f64) {
        for client in 0..=self.case.publishers {
            let seed = self.rng.next_u64();
            let faults = self.sim.faults_mut(client);
            faults.loss = Loss {
                probability,
                direction: None,
                // A lost CONNECT with keep-alive off would strand a client;
                // the QoS flows are what is under test.
                spare_control_packets: true,
            };
            faults.reseed(seed);
        }
    }

    fn below(&mut self, n: u64) -> u64 {
        self.rng.next_u64() % n.max(1)
    }

    fn traffic(&mut self) {
        for m in 0..MESSAGES_PER_CASE {
            let publisher = 1 + self.below(self.case.publishers as u64) as usize;
            self.publish(publisher, m);
            if self.below(4) == 0 {
                let pause = self.below(30);
                self.sim.run_for(pause);
            }
            if self.below(1000) < self.case.cuts_per_mille {
                self.cut_and_reconnect();
            }
            if m % 256 == 0 {
                self.read_log();
            }
        }
    }

    fn publish(&mut self, publisher: usize, m: usize) {
        let payload = format!("{publisher}:{m}");
        let request = PublishRequest {
            topic: format!("inventory/shelf-{}", m % 7),
            payload: payload.clone().into_bytes(),
            qos: self.qos,
            ..PublishRequest::default()
        };
        // A full queue (the in-flight window is full and 1,000 more wait)
        // is back-pressure: the publisher waits for the network, as an
        // application must, and tries again.
        let mut waits = 0;
        loop {
            match self.sim.publish(publisher, request.clone()) {
                Ok(_) => self.published.push(payload),
                // QoS 0 needs a connection; a message never sent is not delivered.
                Err(CommandError::NotConnected) if self.qos == QoS::AtMostOnce => {}
                Err(CommandError::QueueFull { .. }) if waits < 10_000 => {
                    waits += 1;
                    self.sim.run_for(10);
                    if waits % 100 == 0 {
                        // Lost packets hold the window until a reconnect
                        // resends them (the retry policy may allow no
                        // other): what a keep-alive timeout would bring.
                        self.sim.cut(publisher);
                        self.sim.connect(publisher);
                    }
                    continue;
                }
                Err(e) => panic!("publish {payload} failed: {e:?}"),
            }
            break;
        }
    }

    fn cut_and_reconnect(&mut self) {
        let client = self.below(self.case.publishers as u64 + 1) as usize;
        self.sim.cut(client);
        let downtime = self.below(200);
        self.sim.run_for(downtime);
        self.sim.connect(client);
    }

    /// No more loss; reconnect everyone until every flow has finished.
    fn drain(&mut self) {
        self.set_loss(0.0);
        for _ in 0..10 {
            if self.sim.run_until_idle() {
                return;
            }
            for client in 0..=self.case.publishers {
                let now = self.sim.now();
                self.sim.reconnect(client, now);
            }
        }
        panic!(
            "flows still open after the drain: {:?}",
            self.sim.broker().sessions()
        );
    }

    fn read_log(&mut self) {
        for event in self.sim.take_log() {
            self.ids.read(&event);
            if let SimEventKind::Session {
                client: SUBSCRIBER,
                event: EventKind::Delivered { message },
            } = &event.kind
            {
                let payload = String::from_utf8_lossy(&message.payload).into_owned();
                *self.delivered.entry(payload).or_default() += 1;
            }
        }
    }

    fn finish(mut self) -> Tally {
        self.drain();
        self.read_log();
        MESSAGES_PUSHED.fetch_add(self.published.len() as u64, Ordering::Relaxed);
        let counts: Vec<u32> = self
            .published
            .iter()
            .map(|p| self.delivered.get(p).copied().unwrap_or(0))
            .collect();
        Tally {
            published: self.published.len(),
            missing: counts.iter().filter(|c| **c == 0).count(),
            duplicated: counts.iter().filter(|c| **c > 1).count(),
            unknown: {
                let published: HashSet<&String> = self.published.iter().collect();
                self.delivered
                    .keys()
                    .filter(|p| !published.contains(p))
                    .count()
            },
            id_reuses: self.ids.violations,
        }
    }
}

#[derive(Debug)]
struct Tally {
    published: usize,
    missing: usize,
    duplicated: usize,
    unknown: usize,
    id_reuses: Vec<String>,
}

fn run(case: Case, qos: QoS) -> Tally {
    let mut run = Run::new(case, qos);
    run.traffic();
    run.finish()
}

fn report(name: &str) {
    eprintln!(
        "{name}: {} messages pushed through so far in this test binary",
        MESSAGES_PUSHED.load(Ordering::Relaxed)
    );
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 5,
        max_shrink_iters: 4,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn qos2_delivers_every_message_exactly_once(case in cases()) {
        let tally = run(case, QoS::ExactlyOnce);
        prop_assert_eq!(tally.published, MESSAGES_PER_CASE);
        prop_assert_eq!((tally.missing, tally.duplicated, tally.unknown), (0, 0, 0), "{:?}", tally);
        prop_assert!(tally.id_reuses.is_empty(), "{:?}", tally.id_reuses);
        report("qos2");
    }

    #[test]
    fn qos1_delivers_every_message_at_least_once(case in cases()) {
        let tally = run(case, QoS::AtLeastOnce);
        prop_assert_eq!(tally.published, MESSAGES_PER_CASE);
        prop_assert_eq!((tally.missing, tally.unknown), (0, 0), "{:?}", tally);
        prop_assert!(tally.id_reuses.is_empty(), "{:?}", tally.id_reuses);
        report("qos1");
    }

    #[test]
    fn qos0_delivers_every_message_at_most_once(case in cases()) {
        let tally = run(case, QoS::AtMostOnce);
        prop_assert_eq!((tally.duplicated, tally.unknown), (0, 0), "{:?}", tally);
        report("qos0");
    }
}

#[test]
fn loss_without_retries_really_loses_qos0_messages() {
    // Guards the properties above against a network that never loses
    // anything: at 20% loss per hop, QoS 0 must come up short.
    let case = Case {
        version: ProtocolVersion::V311,
        publishers: 2,
        loss: 0.2,
        cuts_per_mille: 0,
        in_session_retry: false,
        seed: 1,
    };
    let tally = run(case, QoS::AtMostOnce);
    assert!(tally.missing > tally.published / 10, "{tally:?}");
}

#[test]
fn loss_makes_qos1_deliver_duplicates() {
    // And QoS 1 is not exactly once: lost PUBACKs turn into duplicates.
    let case = Case {
        version: ProtocolVersion::V311,
        publishers: 2,
        loss: 0.2,
        cuts_per_mille: 5,
        in_session_retry: true,
        seed: 2,
    };
    let tally = run(case, QoS::AtLeastOnce);
    assert!(tally.duplicated > 0, "{tally:?}");
    assert_eq!(tally.missing, 0, "{tally:?}");
}

#[test]
fn id_reuse_checker_flags_an_id_sent_again_before_its_ack_arrived() {
    let publish = |id: u64, sent_at: u64, dup: bool| SimEvent {
        at: sent_at,
        kind: SimEventKind::Wire(WireEvent {
            id,
            sent_at,
            arrive_at: sent_at + 10,
            from: Node::Client(1),
            to: Node::Broker,
            connection: qoscope::mqtt::broker::ConnectionId(1),
            packet: Packet::Publish(qoscope::mqtt::packet::Publish {
                qos: QoS::AtLeastOnce,
                dup,
                topic: "t".into(),
                packet_id: Some(7),
                ..Default::default()
            }),
            bytes: Vec::new(),
            fate: Fate::Delivered,
        }),
    };
    let puback = |id: u64, sent_at: u64| SimEvent {
        at: sent_at,
        kind: SimEventKind::Wire(WireEvent {
            id,
            sent_at,
            arrive_at: sent_at + 10,
            from: Node::Broker,
            to: Node::Client(1),
            connection: qoscope::mqtt::broker::ConnectionId(1),
            packet: Packet::Puback(qoscope::mqtt::packet::PubResponse {
                packet_id: 7,
                ..Default::default()
            }),
            bytes: Vec::new(),
            fate: Fate::Delivered,
        }),
    };
    let mut checker = IdReuseChecker::default();
    for event in [
        publish(1, 0, false),
        publish(2, 5, true),
        puback(3, 10),
        publish(4, 25, false),
    ] {
        checker.read(&event);
    }
    assert!(
        checker.violations.is_empty(),
        "a resend and a reuse after the ack are fine"
    );
    for event in [puback(5, 30), publish(6, 35, false)] {
        checker.read(&event);
    }
    assert_eq!(
        checker.violations.len(),
        1,
        "id 7 sent anew before the PUBACK arrived at 40"
    );
}
