//! The session, the client model and the dashboard model, fed as the page
//! feeds them (`AppCtx::on_updates`): each session event once, shared by
//! the dashboard and the client view. Included with
//! `#[path = "support/pipeline.rs"] mod pipeline;` by a test crate that
//! also declares `mod session_harness;`.

use std::sync::Arc;

use qoscope::app::dashboard::model::DashboardModel;
use qoscope::app::dashboard::settings::SavedState;
use qoscope::app::dashboard::traffic::synthetic_message;
use qoscope::app::model::ClientModel;
use qoscope::mqtt::packet::{Packet, Publish, QoS};
use qoscope::net::ws::LinkUpdate;

use crate::session_harness::Broker;

/// The session, the client model and the dashboard, fed as the page feeds
/// them: a frame's worth of messages at a time.
pub struct Pipeline {
    broker: Broker,
    client: ClientModel,
    dashboard: DashboardModel,
    next: u64,
}

impl Pipeline {
    pub fn new() -> Self {
        Pipeline {
            broker: Broker::v311().connected(),
            client: ClientModel::default(),
            dashboard: DashboardModel::from_saved(SavedState::default()),
            next: 0,
        }
    }

    /// `n` more messages of the mix, at `qos`, in frames of 100.
    pub fn stream(&mut self, n: u64, qos: QoS) {
        for _ in 0..n / 100 {
            let frame = self.next_packets(100, qos);
            self.take(&frame);
        }
    }

    /// The next `n` messages of the mix as PUBLISH packets from the broker
    /// at `qos`, encoded.
    pub fn next_packets(&mut self, n: u64, qos: QoS) -> Vec<Vec<u8>> {
        let version = self.broker.session.config().version;
        (0..n)
            .map(|_| {
                let message = synthetic_message(self.next);
                let publish = Packet::Publish(Publish {
                    topic: message.topic,
                    payload: message.payload,
                    qos,
                    packet_id: (qos != QoS::AtMostOnce).then(|| (self.next % 65_535) as u16 + 1),
                    ..Publish::default()
                });
                self.next += 1;
                publish.to_bytes(version).unwrap()
            })
            .collect()
    }

    /// One animation frame's worth of packets: into the session, its events
    /// to both models, the dashboard drained.
    pub fn take(&mut self, packets: &[Vec<u8>]) {
        for bytes in packets {
            self.broker.now += 1;
            self.broker.session.handle_bytes(self.broker.now, bytes);
        }
        while self.broker.session.poll_transmit().is_some() {}
        let mut updates = Vec::new();
        while let Some(event) = self.broker.session.poll_event() {
            // As the app hands them on: one event, shared.
            let event = Arc::new(event);
            if DashboardModel::wants(&event) {
                self.dashboard.push_event(Arc::clone(&event));
            }
            updates.push(LinkUpdate::Session(event));
        }
        self.client.apply_batch(updates);
        self.dashboard.drain(usize::MAX);
    }
}
