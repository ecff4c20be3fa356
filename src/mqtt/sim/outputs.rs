//! Draining what sessions and broker emit: events into the log, packets
//! judged by the fault rules and put on links, closes, and cuts.

use super::{Cargo, CloseOrigin, Fate, Flight, Node, Sim, SimEvent, SimEventKind, WireEvent};
use crate::mqtt::broker::{BrokerTransmit, ConnectionId};
use crate::mqtt::fault::{Direction, FaultCause, Judged, TargetedRule, Verdict};
use crate::mqtt::packet::Packet;
use crate::mqtt::session::Transmit;

impl Sim {
    /// Drains every output of every session and of the broker until none is
    /// left: events into the log, packets onto links, closes onto links.
    pub(super) fn flush(&mut self) {
        loop {
            let mut progressed = false;
            for client in 0..self.clients.len() {
                progressed |= self.flush_client(client);
            }
            progressed |= self.flush_broker();
            if !progressed {
                return;
            }
        }
    }

    pub(super) fn flush_client(&mut self, client: usize) -> bool {
        let mut progressed = false;
        while let Some(event) = self.clients[client].session.poll_event() {
            progressed = true;
            self.log.push(SimEvent {
                at: event.at,
                kind: SimEventKind::Session {
                    client,
                    event: event.kind,
                },
            });
        }
        while let Some(transmit) = self.clients[client].session.poll_transmit() {
            progressed = true;
            self.send_from_client(client, transmit);
        }
        if self.clients[client].session.poll_close() {
            progressed = true;
            self.close_from_client(client);
        }
        progressed
    }

    pub(super) fn flush_broker(&mut self) -> bool {
        let mut progressed = false;
        while let Some(event) = self.broker.poll_event() {
            progressed = true;
            self.log.push(SimEvent {
                at: event.at,
                kind: SimEventKind::Broker(event.kind),
            });
        }
        while let Some(transmit) = self.broker.poll_transmit() {
            progressed = true;
            self.send_from_broker(transmit);
        }
        while let Some(connection) = self.broker.poll_close() {
            progressed = true;
            self.close_from_broker(connection);
        }
        progressed
    }

    pub(super) fn send_from_client(&mut self, client: usize, transmit: Transmit) {
        let Some(connection) = self.clients[client].current else {
            return; // the session sends only while connected; nothing to carry it
        };
        let Transmit { packet, bytes } = transmit;
        self.put_on_link(client, connection, Direction::ClientToBroker, packet, bytes);
    }

    pub(super) fn send_from_broker(&mut self, transmit: BrokerTransmit) {
        let Some(client) = self.pipes.get(&transmit.connection).map(|c| c.client) else {
            return;
        };
        let BrokerTransmit {
            connection,
            packet,
            bytes,
        } = transmit;
        self.put_on_link(client, connection, Direction::BrokerToClient, packet, bytes);
    }

    /// Judges a packet with the link's fault rules, logs it, and schedules its
    /// arrival (or cuts the connection).
    pub(super) fn put_on_link(
        &mut self,
        client: usize,
        connection: ConnectionId,
        direction: Direction,
        packet: Packet,
        bytes: Vec<u8>,
    ) {
        let base = self.clients[client].link.latency(direction);
        let Judged { verdict, arrive_at } = self.clients[client]
            .wire
            .judge(self.now, base, direction, &packet);
        let (from, to) = match direction {
            Direction::ClientToBroker => (Node::Client(client), Node::Broker),
            Direction::BrokerToClient => (Node::Broker, Node::Client(client)),
        };
        let (fate, cut) = match verdict {
            Verdict::Deliver => (Fate::Delivered, None),
            Verdict::Drop { rule } => (Fate::Dropped { rule }, None),
            Verdict::Cut { rule } => (
                Fate::Dropped {
                    rule: FaultCause::Rule(rule.clone()),
                },
                Some(rule),
            ),
        };
        self.next_wire_id += 1;
        let wire_id = self.next_wire_id;
        if fate == Fate::Delivered {
            self.schedule(
                arrive_at,
                connection,
                to,
                Cargo::Bytes {
                    wire_id,
                    bytes: bytes.clone(),
                },
            );
        }
        self.record(SimEventKind::Wire(WireEvent {
            id: wire_id,
            sent_at: self.now,
            arrive_at,
            from,
            to,
            connection,
            packet,
            bytes,
            fate,
        }));
        if let Some(rule) = cut {
            self.cut_with(client, Some(rule));
        }
    }

    pub(super) fn schedule(
        &mut self,
        arrive_at: u64,
        connection: ConnectionId,
        to: Node,
        cargo: Cargo,
    ) {
        self.next_seq += 1;
        self.flights.push(Flight {
            arrive_at,
            seq: self.next_seq,
            connection,
            to,
            cargo,
        });
    }

    /// The session closed its end: the broker learns it after the data
    /// already on the way.
    pub(super) fn close_from_client(&mut self, client: usize) {
        let Some(connection) = self.clients[client].current.take() else {
            return;
        };
        self.close_one_end(
            client,
            connection,
            Node::Client(client),
            CloseOrigin::Client,
        );
    }

    /// The broker closed its end: the client learns it after the data
    /// already on the way.
    pub(super) fn close_from_broker(&mut self, connection: ConnectionId) {
        let Some(client) = self.pipes.get(&connection).map(|c| c.client) else {
            return;
        };
        self.close_one_end(client, connection, Node::Broker, CloseOrigin::Broker);
    }

    pub(super) fn close_one_end(
        &mut self,
        client: usize,
        connection: ConnectionId,
        end: Node,
        by: CloseOrigin,
    ) {
        let Some(pipe) = self.pipes.get_mut(&connection) else {
            return;
        };
        let (open, direction, peer) = match end {
            Node::Broker => (
                &mut pipe.broker_open,
                Direction::BrokerToClient,
                Node::Client(client),
            ),
            Node::Client(_) => (
                &mut pipe.client_open,
                Direction::ClientToBroker,
                Node::Broker,
            ),
        };
        if !std::mem::replace(open, false) {
            return;
        }
        self.record(SimEventKind::LinkClosed {
            client,
            connection,
            by,
            end,
        });
        let base = self.clients[client].link.latency(direction);
        let arrive_at = self.clients[client]
            .wire
            .arrival(self.now, base, direction, true);
        self.schedule(arrive_at, connection, peer, Cargo::Close);
        self.forget_if_closed(connection);
    }

    /// Both ends close now; what is in flight on the connection is lost.
    pub(super) fn cut_with(&mut self, client: usize, rule: Option<TargetedRule>) {
        let Some(connection) = self.clients[client].current.take() else {
            return;
        };
        let now = self.now;
        let lost: Vec<u64> = self
            .flights
            .iter()
            .filter(|f| f.connection == connection)
            .filter_map(|f| match f.cargo {
                Cargo::Bytes { wire_id, .. } => Some(wire_id),
                Cargo::Close => None,
            })
            .collect();
        self.flights.retain(|f| f.connection != connection);
        for wire_id in lost {
            self.record(SimEventKind::WireLost {
                wire_id,
                cause: FaultCause::ConnectionCut,
            });
        }
        self.record(SimEventKind::LinkClosed {
            client,
            connection,
            by: CloseOrigin::Cut(rule),
            end: Node::Client(client),
        });
        let broker_was_open = self
            .pipes
            .remove(&connection)
            .is_some_and(|c| c.broker_open);
        self.clients[client].session.handle_closed(now);
        if broker_was_open {
            self.broker.handle_connection_closed(now, connection);
        }
    }

    pub(super) fn record(&mut self, kind: SimEventKind) {
        self.log.push(SimEvent { at: self.now, kind });
    }
}
