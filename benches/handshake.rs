//! Complete QoS handshakes per second, in process, bytes encoded and decoded
//! on every hop — measured against an independent sans-IO MQTT implementation
//! (`mqtt-protocol-core`) doing the same work in the same run.
//!
//! - One hop: a publishing client and a broker, the client publishes and the
//!   exchange runs to completion (QoS 2: PUBLISH → PUBREC → PUBREL → PUBCOMP).
//!   Ours: `Session` ↔ `Broker`; peer: its `Connection<Client>` ↔
//!   `Connection<Server>` with automatic publish responses.
//! - A burst on one hop: the client publishes N messages before any
//!   acknowledgement comes back, then the acknowledgements arrive in order,
//!   as from a real broker under load. With N = 1,250 and N = 20,000, the
//!   rate shows whether an acknowledgement costs more when more are
//!   outstanding (it must not).
//! - End to end through the simulation: publisher → broker → subscriber,
//!   both hops, with fault rules, virtual clock and event log (no peer has
//!   this shape; reported against QoS 0 to show what each level costs).
//!
//! `cargo bench --bench handshake`. Prints a table; never fails on a time.

/// The peer is a native-only dev-dependency: nothing to measure on wasm32.
#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    native::main();
}

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use std::hint::black_box;
    use std::time::Instant;

    use mqtt_protocol_core::mqtt;
    use mqtt_protocol_core::mqtt::prelude::*;
    use qoscope::mqtt::broker::{Broker, BrokerConfig, ConnectionId};
    use qoscope::mqtt::packet::{ProtocolVersion, QoS, SubscribeFilter};
    use qoscope::mqtt::session::{PublishRequest, Session, SessionConfig};
    use qoscope::mqtt::sim::{LinkConfig, Sim};

    const ONE_HOP_HANDSHAKES: u32 = 50_000;
    const SIM_MESSAGES: u32 = 20_000;
    /// Messages outstanding at once in the burst rows.
    const BURSTS: [u32; 2] = [1_250, 20_000];
    const ROUNDS: usize = 3;

    const TOPIC: &str = "inventory/shelf-7";
    const PAYLOAD: &[u8] = br#"{"sku":"A-12","count":41}"#;

    fn session_config(client_id: &str) -> SessionConfig {
        SessionConfig {
            version: ProtocolVersion::V311,
            client_id: client_id.into(),
            keep_alive_secs: 0,
            // The burst rows measure the flow list with every message in
            // flight, as the peer keeps them: no window, no queue bound.
            max_inflight: u16::MAX,
            max_queued_messages: usize::MAX,
            ..SessionConfig::default()
        }
    }

    fn request(qos: QoS) -> PublishRequest {
        PublishRequest {
            topic: TOPIC.into(),
            payload: PAYLOAD.to_vec(),
            qos,
            ..PublishRequest::default()
        }
    }

    // ----- ours, one hop -------------------------------------------------------

    /// A session and the broker joined directly, bytes both ways.
    struct OurHop {
        session: Session,
        broker: Broker,
    }

    const LINK: ConnectionId = ConnectionId(1);

    impl OurHop {
        fn connected() -> Self {
            let mut hop = OurHop {
                session: Session::new(session_config("bench")),
                broker: Broker::new(BrokerConfig::default()),
            };
            hop.broker.handle_connection_opened(0, LINK);
            hop.session.connect(0);
            hop.pump();
            hop
        }

        /// Moves bytes until both sides are quiet; drains their events, as any
        /// driver must.
        fn pump(&mut self) {
            loop {
                let mut moved = false;
                while let Some(t) = self.session.poll_transmit() {
                    self.broker.handle_bytes(0, LINK, &t.bytes);
                    moved = true;
                }
                while let Some(t) = self.broker.poll_transmit() {
                    self.session.handle_bytes(0, &t.bytes);
                    moved = true;
                }
                while let Some(e) = self.session.poll_event() {
                    black_box(e);
                }
                while let Some(e) = self.broker.poll_event() {
                    black_box(e);
                }
                if !moved {
                    return;
                }
            }
        }

        fn handshake(&mut self, qos: QoS) {
            let sent = self.session.publish(0, request(qos));
            assert!(sent.is_ok(), "publish failed: {sent:?}");
            self.pump();
        }
    }

    /// `n` messages published before any acknowledgement, then all answered; messages/s.
    fn our_burst(qos: QoS, n: u32) -> f64 {
        let mut hop = OurHop::connected();
        let start = Instant::now();
        for _ in 0..n {
            let sent = hop.session.publish(0, request(qos));
            assert!(sent.is_ok(), "publish failed: {sent:?}");
        }
        hop.pump();
        let rate = f64::from(n) / start.elapsed().as_secs_f64();
        assert_eq!(hop.session.inflight_len(), 0, "every flow finished");
        rate
    }

    // ----- the peer, one hop ---------------------------------------------------

    type PeerEvent = mqtt::connection::Event;

    /// The peer's client and server connections joined directly.
    struct PeerHop {
        client: mqtt::Connection<mqtt::role::Client>,
        server: mqtt::Connection<mqtt::role::Server>,
    }

    impl PeerHop {
        fn connected() -> Self {
            let mut hop = PeerHop {
                client: mqtt::Connection::new(mqtt::Version::V3_1_1),
                server: mqtt::Connection::new(mqtt::Version::V3_1_1),
            };
            hop.client.set_auto_pub_response(true);
            hop.server.set_auto_pub_response(true);
            let connect = mqtt::packet::v3_1_1::Connect::builder()
                .client_id("bench")
                .expect("client id")
                .build()
                .expect("CONNECT");
            let events = hop.client.checked_send(connect);
            hop.pump(events, Vec::new());
            let connack = mqtt::packet::v3_1_1::Connack::builder()
                .session_present(false)
                .return_code(mqtt::result_code::ConnectReturnCode::Accepted)
                .build()
                .expect("CONNACK");
            let events = hop.server.checked_send(connack);
            hop.pump(Vec::new(), events);
            hop
        }

        /// Delivers every requested packet, as bytes, until both sides are quiet.
        fn pump(&mut self, mut from_client: Vec<PeerEvent>, mut from_server: Vec<PeerEvent>) {
            while !from_client.is_empty() || !from_server.is_empty() {
                let mut to_client = Vec::new();
                let mut to_server = Vec::new();
                for event in from_client.drain(..) {
                    if let PeerEvent::RequestSendPacket { packet, .. } = event {
                        let bytes = packet.to_continuous_buffer();
                        to_server.extend(self.server.recv(&mut mqtt::common::Cursor::new(&bytes)));
                    } else {
                        black_box(event);
                    }
                }
                for event in from_server.drain(..) {
                    if let PeerEvent::RequestSendPacket { packet, .. } = event {
                        let bytes = packet.to_continuous_buffer();
                        to_client.extend(self.client.recv(&mut mqtt::common::Cursor::new(&bytes)));
                    } else {
                        black_box(event);
                    }
                }
                from_client = to_client;
                from_server = to_server;
            }
        }

        fn handshake(&mut self, qos: QoS) {
            let mut builder = mqtt::packet::v3_1_1::Publish::builder()
                .topic_name(TOPIC)
                .expect("topic")
                .qos(peer_qos(qos))
                .payload(PAYLOAD.to_vec());
            if qos != QoS::AtMostOnce {
                let id = self.client.acquire_packet_id().expect("packet id");
                builder = builder.packet_id(id);
            }
            let publish = builder.build().expect("PUBLISH");
            let events = self.client.checked_send(publish);
            self.pump(events, Vec::new());
        }
    }

    /// The same burst as [`our_burst`], on the peer.
    fn peer_burst(qos: QoS, n: u32) -> f64 {
        let mut hop = PeerHop::connected();
        let start = Instant::now();
        let mut events = Vec::new();
        for _ in 0..n {
            let id = hop.client.acquire_packet_id().expect("packet id");
            let publish = mqtt::packet::v3_1_1::Publish::builder()
                .topic_name(TOPIC)
                .expect("topic")
                .qos(peer_qos(qos))
                .payload(PAYLOAD.to_vec())
                .packet_id(id)
                .build()
                .expect("PUBLISH");
            events.extend(hop.client.checked_send(publish));
        }
        hop.pump(events, Vec::new());
        f64::from(n) / start.elapsed().as_secs_f64()
    }

    fn peer_qos(qos: QoS) -> mqtt::packet::Qos {
        match qos {
            QoS::AtMostOnce => mqtt::packet::Qos::AtMostOnce,
            QoS::AtLeastOnce => mqtt::packet::Qos::AtLeastOnce,
            QoS::ExactlyOnce => mqtt::packet::Qos::ExactlyOnce,
        }
    }

    // ----- ours, end to end through the simulation ------------------------------

    fn simulated(qos: QoS, messages: u32) -> f64 {
        let mut sim = Sim::new(BrokerConfig::default());
        let publisher = sim.add_client(session_config("publisher"), LinkConfig::symmetric(1));
        let subscriber = sim.add_client(session_config("subscriber"), LinkConfig::symmetric(1));
        sim.connect(publisher);
        sim.connect(subscriber);
        sim.run_until_idle();
        let filter = SubscribeFilter {
            filter: "inventory/#".into(),
            qos: QoS::ExactlyOnce,
            ..SubscribeFilter::default()
        };
        sim.subscribe(subscriber, vec![filter]).expect("subscribe");
        sim.run_until_idle();
        sim.take_log();
        let start = Instant::now();
        let mut delivered = 0;
        for _ in 0..messages / 10 {
            for _ in 0..10 {
                sim.publish(publisher, request(qos)).expect("publish");
            }
            sim.run_until_idle();
            delivered += sim.deliveries(subscriber).len();
            black_box(sim.take_log());
        }
        let rate = f64::from(messages) / start.elapsed().as_secs_f64();
        assert_eq!(delivered, messages as usize, "every message delivered once");
        rate
    }

    // ----- measuring ------------------------------------------------------------

    /// Best of `ROUNDS` rates (per second) of `n` runs of `f` on a fresh `setup()`.
    fn best_rate<T>(n: u32, setup: impl Fn() -> T, f: impl Fn(&mut T)) -> f64 {
        (0..ROUNDS)
            .map(|_| {
                let mut state = setup();
                let start = Instant::now();
                for _ in 0..n {
                    f(&mut state);
                }
                f64::from(n) / start.elapsed().as_secs_f64()
            })
            .fold(0.0, f64::max)
    }

    fn best_of(f: impl Fn() -> f64) -> f64 {
        (0..ROUNDS).map(|_| f()).fold(0.0, f64::max)
    }

    pub(crate) fn main() {
        let levels = [QoS::AtMostOnce, QoS::AtLeastOnce, QoS::ExactlyOnce];
        println!("One hop, client ↔ broker, in process, bytes both ways (best of {ROUNDS} × {ONE_HOP_HANDSHAKES}):");
        println!(
            "{:<6} {:>16} {:>22} {:>14}",
            "QoS", "qoscope /s", "mqtt-protocol-core /s", "qoscope/peer"
        );
        for qos in levels {
            let ours = best_rate(ONE_HOP_HANDSHAKES, OurHop::connected, |h| h.handshake(qos));
            let peer = best_rate(ONE_HOP_HANDSHAKES, PeerHop::connected, |h| h.handshake(qos));
            println!(
                "{:<6} {:>16.0} {:>22.0} {:>14.2}",
                qos.as_u8(),
                ours,
                peer,
                ours / peer
            );
        }

        println!();
        println!("A burst on one hop: N published before any acknowledgement (best of {ROUNDS}):");
        println!(
            "{:<6} {:>7} {:>16} {:>22} {:>14}",
            "QoS", "N", "qoscope msg/s", "mqtt-protocol-core /s", "qoscope/peer"
        );
        for qos in [QoS::AtLeastOnce, QoS::ExactlyOnce] {
            for n in BURSTS {
                let ours = best_of(|| our_burst(qos, n));
                let peer = best_of(|| peer_burst(qos, n));
                println!(
                    "{:<6} {:>7} {:>16.0} {:>22.0} {:>14.2}",
                    qos.as_u8(),
                    n,
                    ours,
                    peer,
                    ours / peer
                );
            }
        }

        println!();
        println!("End to end through the simulation, publisher → broker → subscriber (best of {ROUNDS} × {SIM_MESSAGES}):");
        println!("{:<6} {:>16} {:>14}", "QoS", "messages /s", "vs QoS 0");
        let qos0 = best_of(|| simulated(QoS::AtMostOnce, SIM_MESSAGES));
        for qos in levels {
            let rate = if qos == QoS::AtMostOnce {
                qos0
            } else {
                best_of(|| simulated(qos, SIM_MESSAGES))
            };
            println!("{:<6} {:>16.0} {:>14.2}", qos.as_u8(), rate, rate / qos0);
        }
    }
}
