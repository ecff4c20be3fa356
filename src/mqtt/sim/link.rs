//! The two ends of a client's link and its one-way delays.

use serde::{Deserialize, Serialize};

use crate::mqtt::fault::Direction;

/// An end of a link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Node {
    /// The simulated broker.
    Broker,
    /// A client session, by its index in the simulation.
    Client(usize),
}

/// One-way delays of a client's link, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkConfig {
    /// Client → broker.
    pub client_to_broker_ms: u64,
    /// Broker → client.
    pub broker_to_client_ms: u64,
}

impl Default for LinkConfig {
    fn default() -> Self {
        LinkConfig {
            client_to_broker_ms: 10,
            broker_to_client_ms: 10,
        }
    }
}

impl LinkConfig {
    /// The same delay both ways.
    pub fn symmetric(ms: u64) -> Self {
        LinkConfig {
            client_to_broker_ms: ms,
            broker_to_client_ms: ms,
        }
    }

    /// The latency of `direction`, ms.
    pub fn latency(&self, direction: Direction) -> u64 {
        match direction {
            Direction::ClientToBroker => self.client_to_broker_ms,
            Direction::BrokerToClient => self.broker_to_client_ms,
        }
    }
}
