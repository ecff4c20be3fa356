//! A scripted broker for session tests: the test plays the broker by hand,
//! feeding packets to a [`Session`] and asserting on what it sends and reports.
#![allow(dead_code)]

use qoscope::mqtt::packet::{
    Connack, Packet, PacketId, ProtocolVersion, PubResponse, Publish, QoS, Suback, SubscribeFilter,
};
use qoscope::mqtt::session::{EventKind, PublishRequest, Session, SessionConfig};

pub struct Broker {
    pub session: Session,
    pub now: u64,
}

impl Broker {
    pub fn v311() -> Self {
        Self::with(SessionConfig {
            client_id: "qoscope-1".into(),
            ..SessionConfig::default()
        })
    }

    pub fn v5() -> Self {
        Self::with(SessionConfig {
            client_id: "qoscope-1".into(),
            version: ProtocolVersion::V5,
            ..SessionConfig::default()
        })
    }

    pub fn with(config: SessionConfig) -> Self {
        Broker {
            session: Session::new(config),
            now: 1_000,
        }
    }

    /// CONNECT, then a plain CONNACK; drains everything.
    pub fn connected(mut self) -> Self {
        self.connect_with(Connack::default());
        self
    }

    pub fn connect_with(&mut self, connack: Connack) -> (Vec<Packet>, Vec<EventKind>) {
        self.session.connect(self.now);
        let _ = self.drain();
        self.feed(Packet::Connack(connack))
    }

    /// The broker sends `packet`, encoded by the codec; returns what the
    /// session sent and reported.
    pub fn feed(&mut self, packet: Packet) -> (Vec<Packet>, Vec<EventKind>) {
        let bytes = packet
            .to_bytes(self.session.config().version)
            .expect("test packet encodes");
        self.feed_bytes(&bytes)
    }

    pub fn feed_bytes(&mut self, bytes: &[u8]) -> (Vec<Packet>, Vec<EventKind>) {
        self.session.handle_bytes(self.now, bytes);
        self.drain()
    }

    pub fn drain(&mut self) -> (Vec<Packet>, Vec<EventKind>) {
        let mut sent = Vec::new();
        while let Some(t) = self.session.poll_transmit() {
            sent.push(t.packet);
        }
        let mut events = Vec::new();
        while let Some(e) = self.session.poll_event() {
            events.push(e.kind);
        }
        (sent, events)
    }

    /// Moves the clock to `at`, firing every deadline on the way.
    pub fn advance_to(&mut self, at: u64) -> (Vec<Packet>, Vec<EventKind>) {
        while let Some(deadline) = self.session.poll_timeout().filter(|d| *d <= at) {
            self.now = self.now.max(deadline);
            self.session.handle_timeout(self.now);
        }
        self.now = at;
        self.drain()
    }

    pub fn publish(&mut self, topic: &str, payload: &[u8], qos: QoS) -> Option<PacketId> {
        let req = PublishRequest {
            topic: topic.into(),
            payload: payload.to_vec(),
            qos,
            ..Default::default()
        };
        self.session
            .publish(self.now, req)
            .expect("publish accepted")
    }

    pub fn subscribe(
        &mut self,
        filter: &str,
        qos: QoS,
        granted: u8,
    ) -> (Vec<Packet>, Vec<EventKind>) {
        let f = SubscribeFilter {
            filter: filter.into(),
            qos,
            ..Default::default()
        };
        let id = self
            .session
            .subscribe(self.now, vec![f])
            .expect("subscribe accepted");
        let _ = self.drain();
        self.feed(Packet::Suback(Suback {
            packet_id: id,
            codes: vec![granted],
            ..Default::default()
        }))
    }

    pub fn close(&mut self) -> Vec<EventKind> {
        self.session.handle_closed(self.now);
        self.drain().1
    }
}

pub fn ack(packet_id: PacketId) -> PubResponse {
    PubResponse {
        packet_id,
        ..Default::default()
    }
}

pub fn incoming(topic: &str, qos: QoS, packet_id: Option<PacketId>) -> Packet {
    Packet::Publish(Publish {
        topic: topic.into(),
        qos,
        packet_id,
        payload: b"42".to_vec(),
        ..Default::default()
    })
}

pub fn publishes(sent: &[Packet]) -> Vec<&Publish> {
    sent.iter()
        .filter_map(|p| match p {
            Packet::Publish(p) => Some(p),
            _ => None,
        })
        .collect()
}

pub fn flows(events: &[EventKind]) -> Vec<(PacketId, &'static str, &'static str)> {
    events
        .iter()
        .filter_map(|e| match e {
            EventKind::Flow {
                packet_id,
                from,
                to,
                ..
            } => Some((*packet_id, from.name(), to.name())),
            _ => None,
        })
        .collect()
}
