//! Packets and closes reaching an end of a link, and timers firing.

use super::{Cargo, CloseOrigin, Flight, Node, Sim, SimEventKind};
use crate::mqtt::broker::ConnectionId;
use crate::mqtt::fault::FaultCause;

impl Sim {
    pub(super) fn deliver_due_flights(&mut self) {
        while self.flights.peek().is_some_and(|f| f.arrive_at <= self.now) {
            if let Some(flight) = self.flights.pop() {
                self.arrive(flight);
                self.flush();
            }
        }
    }

    pub(super) fn fire_due_timers(&mut self) {
        let now = self.now;
        for i in 0..self.clients.len() {
            if self.clients[i]
                .session
                .poll_timeout()
                .is_some_and(|t| t <= now)
            {
                self.clients[i].session.handle_timeout(now);
                self.flush();
            }
        }
        if self.broker.poll_timeout().is_some_and(|t| t <= now) {
            self.broker.handle_timeout(now);
            self.flush();
        }
    }

    pub(super) fn arrive(&mut self, flight: Flight) {
        let now = self.now;
        let Some(pipe) = self.pipes.get_mut(&flight.connection) else {
            return;
        };
        let client = pipe.client;
        let open = match flight.to {
            Node::Broker => &mut pipe.broker_open,
            Node::Client(_) => &mut pipe.client_open,
        };
        match flight.cargo {
            Cargo::Bytes { wire_id, .. } if !*open => self.record(SimEventKind::WireLost {
                wire_id,
                cause: FaultCause::ConnectionCut,
            }),
            Cargo::Bytes { bytes, .. } => match flight.to {
                Node::Broker => self.broker.handle_bytes(now, flight.connection, &bytes),
                Node::Client(_) => self.clients[client].session.handle_bytes(now, &bytes),
            },
            Cargo::Close if !*open => {}
            Cargo::Close => {
                *open = false;
                self.peer_closed(client, flight.connection, flight.to);
            }
        }
    }

    /// The close sent by the other end arrived at `end`.
    pub(super) fn peer_closed(&mut self, client: usize, connection: ConnectionId, end: Node) {
        let now = self.now;
        let by = match end {
            Node::Broker => CloseOrigin::Client,
            Node::Client(_) => CloseOrigin::Broker,
        };
        self.record(SimEventKind::LinkClosed {
            client,
            connection,
            by,
            end,
        });
        match end {
            Node::Broker => self.broker.handle_connection_closed(now, connection),
            Node::Client(_) if self.clients[client].current == Some(connection) => {
                self.clients[client].current = None;
                self.clients[client].session.handle_closed(now);
            }
            Node::Client(_) => {} // an old connection: the session has moved on
        }
        self.forget_if_closed(connection);
    }

    pub(super) fn forget_if_closed(&mut self, connection: ConnectionId) {
        if self
            .pipes
            .get(&connection)
            .is_some_and(|c| !c.client_open && !c.broker_open)
        {
            self.pipes.remove(&connection);
        }
    }
}
