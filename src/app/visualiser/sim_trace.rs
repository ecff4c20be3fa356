//! The simulation's diagram: its merged log (`mqtt::sim`), drawn by the
//! one [`Transcript`] both modes share, kept with the events it drew.
//!
//! The simulation sees both ends of every hop, so its arrows carry real send
//! and arrival times, and a packet the network lost on the way is marked
//! lost when the log says so.

use crate::mqtt::packet::ProtocolVersion;
use crate::mqtt::sim::SimEvent;

use super::model::{DiagramEvent, Lane};
use super::transcript::Transcript;
pub use super::transcript::{loss_words, DropUsed};

/// Accumulates the diagram of one simulation run, batch by batch.
#[derive(Debug, Clone, PartialEq)]
pub struct SimTranscript {
    transcript: Transcript,
    /// Everything so far.
    events: Vec<DiagramEvent>,
}

impl SimTranscript {
    /// A transcript where client `i` is drawn on `lanes[i]`.
    pub fn new(lanes: Vec<Lane>, version: ProtocolVersion) -> Self {
        SimTranscript {
            transcript: Transcript::new(lanes, version),
            events: Vec::new(),
        }
    }

    /// The diagram so far.
    pub fn events(&self) -> &[DiagramEvent] {
        &self.events
    }

    /// Add a diagram event of our own (a scenario caption).
    pub fn push(&mut self, event: DiagramEvent) {
        self.events.push(event);
    }

    /// Add a batch of the simulation's log; returns the one-shot drop rules
    /// that fired in it, so the fault panel can disarm them.
    pub fn extend(&mut self, log: &[SimEvent]) -> Vec<DropUsed> {
        self.transcript.draw(&mut self.events, log)
    }
}
