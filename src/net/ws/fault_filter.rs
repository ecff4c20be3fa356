//! The visualiser's fault rules between the session and the socket: every
//! packet is judged each way, lost ones reported, late ones held back.

use std::cell::RefCell;
use std::rc::Weak;

use gloo_timers::callback::Timeout;

use super::flush::{after_frames, after_input};
use super::reconnect::drop_for_fault;
use super::socket::send_frame;
use super::state::{with_current, Inner};
use super::LinkUpdate;
use crate::mqtt::fault::{Direction, FaultCause, FaultRules, FaultyWire};
use crate::net::clock::now_ms;

/// The fault rules a visualiser's link judges its packets by, and the
/// outgoing packets they lost.
pub(super) struct FaultFilter {
    /// The rules and the link's FIFO clock (shared with the simulation).
    pub(super) faulty_wire: FaultyWire,
    /// Outgoing packets judged lost, until their `PacketSent` event is drained.
    pub(super) dropped_out: Vec<(Vec<u8>, FaultCause)>,
}

impl FaultFilter {
    pub(super) fn new(rules: FaultRules) -> FaultFilter {
        FaultFilter {
            faulty_wire: FaultyWire::new(rules),
            dropped_out: Vec::new(),
        }
    }

    /// Forgets the last socket's packets: a packet cut in half by the drop,
    /// or one judged lost whose event never came.
    pub(super) fn reset(&mut self) {
        self.faulty_wire.reset();
        self.dropped_out.clear();
    }
}

/// Hands bytes that arrived at `arrived` to the session, judging each packet
/// first when the link has fault rules.
pub(super) fn receive(
    inner: &mut Inner,
    weak: &Weak<RefCell<Inner>>,
    arrived: u64,
    bytes: Vec<u8>,
) {
    let version = inner.session.config().version;
    let Some(faults) = inner.faults.as_mut() else {
        inner.session.handle_bytes(arrived, &bytes);
        after_frames(inner, weak);
        return;
    };
    let now = now_ms();
    let frame = faults
        .faulty_wire
        .judge_frame(now, version, Direction::BrokerToClient, &bytes);
    for (packet, raw, cause) in frame.dropped {
        inner.out.push(LinkUpdate::Dropped {
            at: now,
            direction: Direction::BrokerToClient,
            packet: Box::new(packet),
            bytes: raw,
            cause,
        });
    }
    if frame.arrive_at > now && !frame.deliver.is_empty() {
        let bytes: Vec<u8> = frame.deliver.concat();
        delay(
            inner,
            weak,
            Direction::BrokerToClient,
            frame.arrive_at,
            bytes,
        );
    } else {
        for raw in frame.deliver {
            inner.session.handle_bytes(arrived, &raw);
        }
        after_input(inner, weak);
    }
    if frame.cut {
        drop_for_fault(inner, weak);
    }
}

/// Runs `frame` through at `due`: sent when outgoing, handed to the session
/// when incoming (the rules' FIFO clock already keeps it behind earlier ones).
pub(super) fn delay(
    inner: &mut Inner,
    weak: &Weak<RefCell<Inner>>,
    direction: Direction,
    due: u64,
    frame: Vec<u8>,
) {
    let now = now_ms();
    let generation = inner.generation;
    let w = weak.clone();
    inner.next_delay += 1;
    let id = inner.next_delay;
    let timeout = Timeout::new(
        due.saturating_sub(now).min(u64::from(u32::MAX)) as u32,
        move || {
            with_current(&w, generation, |inner, weak| {
                inner.spent.clear();
                if let Some(i) = inner.delayed.iter().position(|(n, _)| *n == id) {
                    let (_, own) = inner.delayed.remove(i);
                    inner.spent.push(own);
                }
                match direction {
                    Direction::ClientToBroker => {
                        send_frame(inner, &frame);
                    }
                    Direction::BrokerToClient => {
                        inner.session.handle_bytes(now_ms(), &frame);
                        after_input(inner, weak);
                    }
                }
            });
        },
    );
    inner.delayed.push((id, timeout));
}
