//! What a level costs, counted from the event stream as it happens: packets
//! and their encoded bytes on each hop, latencies, retries, the most held in
//! flight, and what the subscriber got (lost, duplicated).
//!
//! The recorder is fed primitive observations ([`LevelRecorder::packet`],
//! [`LevelRecorder::delivered`], ...) by an adapter per mode: the live
//! driver counts each client's sent and received packets, the simulation
//! counts the packets on its links. Nothing here reads a clock; times are
//! milliseconds (fractions allowed) on the caller's clock.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::i18n::{td_string, Locale};
use crate::mqtt::packet::{PacketType, QoS};
use crate::mqtt::session::{FlowDirection, FlowState};

use super::plan::{parse_payload, stock_delta};

/// A client–broker hop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Hop {
    /// Publisher ↔ broker.
    Publisher,
    /// Broker ↔ subscriber.
    Subscriber,
}

impl Hop {
    /// Both hops, publisher first.
    pub const BOTH: [Hop; 2] = [Hop::Publisher, Hop::Subscriber];

    /// "publisher ↔ broker".
    pub fn label(self) -> &'static str {
        self.label_in(Locale::en)
    }

    /// "publisher ↔ broker", in `locale`.
    pub fn label_in(self, locale: Locale) -> &'static str {
        match self {
            Hop::Publisher => td_string!(locale, lab.hop.publisher),
            Hop::Subscriber => td_string!(locale, lab.hop.subscriber),
        }
    }

    /// "pub", "sub": the hop under a chart's bar, in `locale`.
    pub fn short_in(self, locale: Locale) -> &'static str {
        match self {
            Hop::Publisher => td_string!(locale, lab.hop.publisher_short),
            Hop::Subscriber => td_string!(locale, lab.hop.subscriber_short),
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// The packets of a QoS flow, in handshake order: the per-message columns.
pub const FLOW_PACKETS: [PacketType; 5] = [
    PacketType::Publish,
    PacketType::Puback,
    PacketType::Pubrec,
    PacketType::Pubrel,
    PacketType::Pubcomp,
];

fn flow_index(kind: PacketType) -> Option<usize> {
    FLOW_PACKETS.iter().position(|k| *k == kind)
}

/// Upper edges of the latency histogram's buckets, in milliseconds (a 1-2-5
/// series); the last bucket takes everything slower.
pub const LATENCY_BUCKETS_MS: [f64; 16] = [
    0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1_000.0, 2_000.0, 5_000.0,
    10_000.0,
];

/// Packets and bytes of one kind on one hop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Tally {
    /// Packets.
    pub packets: u64,
    /// Their encoded bytes (fixed header included, WebSocket framing not).
    pub bytes: u64,
}

impl Tally {
    fn add(&mut self, bytes: usize) {
        self.packets += 1;
        self.bytes += bytes as u64;
    }
}

/// What one hop carried during a level.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct HopCost {
    /// PUBLISH, PUBACK, PUBREC, PUBREL, PUBCOMP, in that order.
    pub flow: [Tally; 5],
    /// Everything else (CONNECT, PINGREQ, SUBSCRIBE, ...): session overhead,
    /// not a cost of any one message.
    pub other: Tally,
}

impl HopCost {
    /// The tally of one flow packet kind.
    pub fn of(&self, kind: PacketType) -> Tally {
        flow_index(kind).map(|i| self.flow[i]).unwrap_or_default()
    }

    /// All flow packets.
    pub fn flow_total(&self) -> Tally {
        self.flow.iter().fold(Tally::default(), |a, t| Tally {
            packets: a.packets + t.packets,
            bytes: a.bytes + t.bytes,
        })
    }

    /// The acknowledgements alone (PUBACK, PUBREC, PUBREL, PUBCOMP).
    pub fn control_total(&self) -> Tally {
        let all = self.flow_total();
        let publish = self.flow[0];
        Tally {
            packets: all.packets - publish.packets,
            bytes: all.bytes - publish.bytes,
        }
    }
}

/// Latency percentiles, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Percentiles {
    /// Samples.
    pub count: u64,
    /// Median.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
    /// 99th percentile.
    pub p99: f64,
    /// Slowest.
    pub max: f64,
}

impl Percentiles {
    /// Nearest-rank percentiles of `samples` (sorted here); `None` if empty.
    pub fn of(samples: &mut [f64]) -> Option<Percentiles> {
        if samples.is_empty() {
            return None;
        }
        samples.sort_by(f64::total_cmp);
        let rank = |p: f64| {
            let n = samples.len();
            let i = ((p / 100.0) * n as f64).ceil() as usize;
            samples[i.clamp(1, n) - 1]
        };
        Some(Percentiles {
            count: samples.len() as u64,
            p50: rank(50.0),
            p95: rank(95.0),
            p99: rank(99.0),
            max: samples[samples.len() - 1],
        })
    }
}

/// WebSocket frames and their header bytes, counted by the live driver.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Framing {
    /// Frames sent and received by both clients.
    pub frames: u64,
    /// Their header bytes (2–14 each: length and, client to broker, the mask).
    pub header_bytes: u64,
}

/// How a level ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LevelStatus {
    /// Every message was accounted for.
    Complete,
    /// The user stopped the lab.
    Stopped,
    /// Nothing moved for too long: what had not arrived is counted lost.
    TimedOut,
}

/// What one level cost: the lab's measured row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LevelResult {
    /// The level.
    pub qos: QoS,
    /// How it ended.
    pub status: LevelStatus,
    /// Messages planned.
    pub planned: u32,
    /// Messages handed to the publisher's session.
    pub published: u32,
    /// Messages the subscriber got at least once.
    pub delivered: u32,
    /// Deliveries beyond the first of a message.
    pub duplicates: u32,
    /// Published messages that never arrived.
    pub lost: u32,
    /// First publish → the level's end, in milliseconds.
    pub duration_ms: f64,
    /// Messages delivered per second over that time.
    pub throughput: f64,
    /// Publish call → first delivery at the subscriber.
    pub latency: Option<Percentiles>,
    /// Publish call → the publisher's flow done (PUBACK / PUBCOMP); QoS 1 and 2.
    pub completion: Option<Percentiles>,
    /// Messages sent one at a time before the rest, each after the last
    /// finished: the unloaded latency.
    pub probe: u32,
    /// Their latency to the subscriber, with nothing else in flight.
    pub unloaded_latency: Option<Percentiles>,
    /// Their publisher-done latency, with nothing else in flight.
    pub unloaded_completion: Option<Percentiles>,
    /// Delivery latencies per [`LATENCY_BUCKETS_MS`] bucket (one more for slower).
    pub histogram: Vec<u64>,
    /// Publisher ↔ broker, then broker ↔ subscriber.
    pub hops: [HopCost; 2],
    /// PUBLISH (DUP) and PUBREL resends by either client.
    pub retries: u64,
    /// The most messages the publisher held unacknowledged at once.
    pub max_in_flight: u64,
    /// Connections cut by the fault profile.
    pub cuts: u32,
    /// Reconnects the lab asked for because nothing moved.
    pub reconnects: u32,
    /// WebSocket framing, when the level ran over real WebSockets.
    pub framing: Option<Framing>,
    /// The inventory demo: units the deliveries added, counting duplicates.
    pub stock_counted: i64,
    /// Units the published messages stand for.
    pub stock_expected: i64,
}

impl LevelResult {
    /// Flow packets per published message on `hop`.
    pub fn packets_per_message(&self, hop: Hop) -> f64 {
        per(self.hops[hop.index()].flow_total().packets, self.published)
    }

    /// Flow-packet bytes per published message on `hop`.
    pub fn bytes_per_message(&self, hop: Hop) -> f64 {
        per(self.hops[hop.index()].flow_total().bytes, self.published)
    }

    /// Bytes of `kind` per published message on `hop`.
    pub fn kind_bytes_per_message(&self, hop: Hop, kind: PacketType) -> f64 {
        per(self.hops[hop.index()].of(kind).bytes, self.published)
    }

    /// Acknowledgement bytes per published message on `hop`.
    pub fn control_bytes_per_message(&self, hop: Hop) -> f64 {
        per(self.hops[hop.index()].control_total().bytes, self.published)
    }

    /// WebSocket header bytes per published message, both hops together.
    pub fn framing_per_message(&self) -> Option<f64> {
        self.framing.map(|f| per(f.header_bytes, self.published))
    }
}

fn per(total: u64, messages: u32) -> f64 {
    if messages == 0 {
        0.0
    } else {
        total as f64 / f64::from(messages)
    }
}

fn in_flight(state: FlowState) -> bool {
    matches!(
        state,
        FlowState::AwaitingPuback | FlowState::AwaitingPubrec | FlowState::AwaitingPubcomp
    )
}

/// Counts one level as its events arrive.
#[derive(Debug, Clone)]
pub struct LevelRecorder {
    qos: QoS,
    planned: u32,
    /// When each message was handed to the session (NaN: not yet).
    published_at: Vec<f64>,
    published: u32,
    /// Deliveries per message.
    deliveries: Vec<u16>,
    latencies: Vec<f64>,
    completions: Vec<f64>,
    /// Messages numbered below this go one at a time.
    probe: u32,
    unloaded_latencies: Vec<f64>,
    unloaded_completions: Vec<f64>,
    /// When the first message after the probe was published.
    burst_started_at: Option<f64>,
    /// Publisher's packet ids in use → message number.
    ids: HashMap<u16, u32>,
    hops: [HopCost; 2],
    retries: u64,
    in_flight: u64,
    max_in_flight: u64,
    /// The subscriber's incoming QoS 2 flows not yet released.
    subscriber_open: u64,
    first_publish_at: Option<f64>,
    last_progress_at: f64,
    cuts: u32,
    reconnects: u32,
    framing: Option<Framing>,
}

impl LevelRecorder {
    /// A level of `planned` messages at `qos`, the first `probe` of them
    /// one at a time, starting at `now`.
    pub fn new(qos: QoS, planned: u32, probe: u32, now: f64) -> Self {
        LevelRecorder {
            qos,
            planned,
            published_at: vec![f64::NAN; planned as usize],
            published: 0,
            deliveries: vec![0; planned as usize],
            latencies: Vec::with_capacity(planned as usize),
            completions: Vec::new(),
            probe: probe.min(planned),
            unloaded_latencies: Vec::new(),
            unloaded_completions: Vec::new(),
            burst_started_at: None,
            ids: HashMap::new(),
            hops: Default::default(),
            retries: 0,
            in_flight: 0,
            max_in_flight: 0,
            subscriber_open: 0,
            first_publish_at: None,
            last_progress_at: now,
            cuts: 0,
            reconnects: 0,
            framing: None,
        }
    }

    /// The level measured.
    pub fn qos(&self) -> QoS {
        self.qos
    }

    /// Message `seq` was handed to the publisher's session at `at` (with its
    /// packet id for QoS 1 and 2).
    pub fn published(&mut self, seq: u32, packet_id: Option<u16>, at: f64) {
        let Some(slot) = self.published_at.get_mut(seq as usize) else {
            return;
        };
        if slot.is_nan() {
            self.published += 1;
        }
        *slot = at;
        self.first_publish_at.get_or_insert(at);
        if seq == self.probe {
            self.burst_started_at.get_or_insert(at);
        }
        if let Some(id) = packet_id {
            self.ids.insert(id, seq);
        }
        self.last_progress_at = at;
    }

    /// A packet of `kind`, `bytes` long, crossed `hop` (either way).
    pub fn packet(&mut self, hop: Hop, kind: PacketType, bytes: usize) {
        let cost = &mut self.hops[hop.index()];
        match flow_index(kind) {
            Some(i) => cost.flow[i].add(bytes),
            None => cost.other.add(bytes),
        }
    }

    /// A client resent a PUBLISH or PUBREL.
    pub fn retry(&mut self) {
        self.retries += 1;
    }

    /// The fault profile cut a connection.
    pub fn cut(&mut self) {
        self.cuts += 1;
    }

    /// The lab reconnected a client because nothing moved. (That is not
    /// progress: a level that stays stuck still times out.)
    pub fn reconnected(&mut self) {
        self.reconnects += 1;
    }

    /// WebSocket frames seen during the level (live only).
    pub fn framing(&mut self, framing: Framing) {
        self.framing = Some(framing);
    }

    /// A QoS flow of the publisher (`publisher` true) or the subscriber changed state.
    pub fn flow(
        &mut self,
        publisher: bool,
        direction: FlowDirection,
        packet_id: u16,
        from: FlowState,
        to: FlowState,
        at: f64,
    ) {
        match (publisher, direction) {
            (true, FlowDirection::Outgoing) => {
                if !in_flight(from) && in_flight(to) {
                    self.in_flight += 1;
                    self.max_in_flight = self.max_in_flight.max(self.in_flight);
                } else if in_flight(from) && !in_flight(to) {
                    self.in_flight = self.in_flight.saturating_sub(1);
                }
                if matches!(to, FlowState::Done | FlowState::Abandoned) {
                    if let Some(seq) = self.ids.remove(&packet_id) {
                        let sent = self.published_at[seq as usize];
                        if to == FlowState::Done && !sent.is_nan() {
                            self.completions.push((at - sent).max(0.0));
                            if seq < self.probe {
                                self.unloaded_completions.push((at - sent).max(0.0));
                            }
                        }
                    }
                    self.last_progress_at = at;
                }
            }
            (false, FlowDirection::Incoming) => {
                if from == FlowState::New && to == FlowState::IdStored {
                    self.subscriber_open += 1;
                } else if from == FlowState::IdStored && to != FlowState::IdStored {
                    self.subscriber_open = self.subscriber_open.saturating_sub(1);
                    self.last_progress_at = at;
                }
            }
            _ => {}
        }
    }

    /// The subscriber's session lost its QoS 2 receipts (a new session):
    /// the broker starts those flows again.
    pub fn subscriber_reset(&mut self) {
        self.subscriber_open = 0;
    }

    /// The subscriber got `payload` at `at`. Payloads that are not this
    /// level's lab messages are ignored (another level's late repeat).
    pub fn delivered(&mut self, payload: &[u8], at: f64) {
        let Some((qos, seq)) = parse_payload(payload) else {
            return;
        };
        if qos != self.qos {
            return;
        }
        let Some(count) = self.deliveries.get_mut(seq as usize) else {
            return;
        };
        *count = count.saturating_add(1);
        if *count == 1 {
            let sent = self.published_at[seq as usize];
            if !sent.is_nan() {
                self.latencies.push((at - sent).max(0.0));
                if seq < self.probe {
                    self.unloaded_latencies.push((at - sent).max(0.0));
                }
            }
        }
        self.last_progress_at = at;
    }

    /// Messages handed to the session so far.
    pub fn published_count(&self) -> u32 {
        self.published
    }

    /// Messages the subscriber has (at least once).
    pub fn delivered_count(&self) -> u32 {
        self.latencies.len() as u32
    }

    /// Messages the publisher holds unacknowledged.
    pub fn publisher_in_flight(&self) -> u64 {
        self.in_flight
    }

    /// The subscriber's QoS 2 receipts awaiting PUBREL.
    pub fn subscriber_open(&self) -> u64 {
        self.subscriber_open
    }

    /// When anything last moved: a publish, an acknowledgement, a delivery.
    pub fn last_progress_at(&self) -> f64 {
        self.last_progress_at
    }

    /// Message `seq` of the probe may go: everything before it arrived (or
    /// nothing moved for `wait_ms`, a lost QoS 0 message) and no handshake is
    /// open on either hop.
    pub fn probe_ready(&self, now: f64, wait_ms: f64) -> bool {
        !self.handshakes_open()
            && (self.delivered_count() >= self.published || now - self.last_progress_at >= wait_ms)
    }

    /// A QoS 1/2 handshake is still open on either hop.
    pub fn handshakes_open(&self) -> bool {
        self.in_flight > 0 || self.subscriber_open > 0 || !self.ids.is_empty()
    }

    /// Messages that go one at a time.
    pub fn probe(&self) -> u32 {
        self.probe
    }

    /// Every published message arrived and no handshake is still open.
    pub fn settled(&self) -> bool {
        self.published == self.planned
            && self.delivered_count() == self.planned
            && self.in_flight == 0
            && self.subscriber_open == 0
            && self.ids.is_empty()
    }

    /// The level's measured row, as of `end`.
    pub fn finish(mut self, end: f64, status: LevelStatus) -> LevelResult {
        let delivered = self.delivered_count();
        let duplicates = self
            .deliveries
            .iter()
            .map(|&n| u32::from(n.saturating_sub(1)))
            .sum();
        let start = self.first_publish_at.unwrap_or(end);
        let duration_ms = (end - start).max(0.0);
        // The rate is the burst's: the probe waits on purpose.
        let (rate_from, rate_count) = match self.burst_started_at {
            Some(at) => (
                at,
                self.deliveries[self.probe as usize..]
                    .iter()
                    .filter(|&&n| n > 0)
                    .count() as f64,
            ),
            None => (start, f64::from(delivered)),
        };
        let rate_ms = (end - rate_from).max(0.0);
        let mut histogram = vec![0u64; LATENCY_BUCKETS_MS.len() + 1];
        for &l in &self.latencies {
            let i = LATENCY_BUCKETS_MS
                .iter()
                .position(|edge| l <= *edge)
                .unwrap_or(LATENCY_BUCKETS_MS.len());
            histogram[i] += 1;
        }
        let (mut counted, mut expected) = (0, 0);
        for (seq, &n) in self.deliveries.iter().enumerate() {
            if !self.published_at[seq].is_nan() {
                expected += stock_delta(seq as u32);
            }
            counted += stock_delta(seq as u32) * i64::from(n);
        }
        LevelResult {
            qos: self.qos,
            status,
            planned: self.planned,
            published: self.published,
            delivered,
            duplicates,
            lost: self.published.saturating_sub(delivered),
            duration_ms,
            throughput: if rate_ms > 0.0 {
                rate_count * 1000.0 / rate_ms
            } else {
                0.0
            },
            latency: Percentiles::of(&mut self.latencies),
            completion: Percentiles::of(&mut self.completions),
            probe: self.probe,
            unloaded_latency: Percentiles::of(&mut self.unloaded_latencies),
            unloaded_completion: Percentiles::of(&mut self.unloaded_completions),
            histogram,
            hops: self.hops,
            retries: self.retries,
            max_in_flight: self.max_in_flight,
            cuts: self.cuts,
            reconnects: self.reconnects,
            framing: self.framing,
            stock_counted: counted,
            stock_expected: expected,
        }
    }
}
