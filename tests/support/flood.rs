//! A flood of alarm and stock messages into a broker over plain TCP, at a
//! steady rate, from a thread of its own: what a plant's gateway sends when
//! everything goes off at once.
//!
//! The messages are the dashboard's own synthetic mix
//! (`traffic::synthetic_message`), published at one QoS, encoded by the
//! project's codec. The publisher paces itself by the millisecond, sending
//! each millisecond's share in one write; a second thread reads (and
//! discards) the broker's PUBACKs. After the last PUBLISH it sends a
//! PINGREQ: the broker answers it once it has read every PUBLISH before it,
//! which tells how far the broker itself was behind when the flood ended.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{channel, Receiver};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use qoscope::app::dashboard::traffic::synthetic_message;
use qoscope::mqtt::packet::{Connect, Packet, ProtocolVersion, Publish, QoS};

/// A running flood; [`Flood::finish`] waits for its end.
pub struct Flood {
    sent: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
    publisher: Option<JoinHandle<()>>,
    /// Says when the publisher's last write returned.
    written: Receiver<Instant>,
    /// When the broker's PINGRESP came: it had read every PUBLISH.
    pong: Arc<Mutex<Option<Instant>>>,
}

/// Whether the dashboard subscribes to the `i`th synthetic message's topic
/// (`alarms/#`, `critical/#`, `inventory/#`: all but the temperature readings).
pub fn reaches_dashboard(i: u64) -> bool {
    let topic = synthetic_message(i).topic;
    ["alarms/", "critical/", "inventory/"]
        .iter()
        .any(|prefix| topic.starts_with(prefix))
}

impl Flood {
    /// Publishes `rate` messages a second at `qos` to the broker's TCP port
    /// for `duration`, starting now.
    pub fn start(tcp_port: u16, rate: u64, qos: QoS, duration: Duration) -> Flood {
        let mut stream = TcpStream::connect((Ipv4Addr::LOCALHOST, tcp_port))
            .expect("the flood connects to the broker");
        stream.set_nodelay(true).expect("TCP_NODELAY");
        let connect = Packet::Connect(Connect {
            protocol: ProtocolVersion::V311,
            clean_start: true,
            keep_alive: 0,
            client_id: format!("qoscope-flood-{tcp_port}"),
            ..Default::default()
        });
        let bytes = connect
            .to_bytes(ProtocolVersion::V311)
            .expect("encode CONNECT");
        stream.write_all(&bytes).expect("send CONNECT");
        let mut connack = [0u8; 4];
        stream.read_exact(&mut connack).expect("read CONNACK");
        assert_eq!(connack, [0x20, 2, 0, 0], "the broker accepts the flood");

        let acks = stream.try_clone().expect("a reader for PUBACKs");
        let pong = Arc::new(Mutex::new(None));
        let heard = Arc::clone(&pong);
        std::thread::spawn(move || read_until_pingresp(acks, &heard));
        let sent = Arc::new(AtomicU64::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (count, halt, answered) = (Arc::clone(&sent), Arc::clone(&stop), Arc::clone(&pong));
        let (done, written) = channel();
        let publisher = std::thread::spawn(move || {
            publish(&mut stream, rate, qos, duration, &count, &halt);
            let _ = done.send(Instant::now());
            let _ = stream.write_all(&[0xC0, 0]); // PINGREQ
            let asked = Instant::now();
            while answered.lock().is_ok_and(|p| p.is_none())
                && asked.elapsed() < Duration::from_secs(60)
                && !halt.load(Ordering::Relaxed)
            {
                std::thread::sleep(Duration::from_millis(5));
            }
            let _ = stream.write_all(&[0xE0, 0]); // DISCONNECT
        });
        Flood {
            sent,
            stop,
            publisher: Some(publisher),
            written,
            pong,
        }
    }

    /// How long after the publisher's last write the broker had read every
    /// PUBLISH (its PINGRESP came), once it has; None if it has not yet.
    pub fn broker_behind(&self, written: Instant) -> Option<Duration> {
        let pong = (*self.pong.lock().ok()?)?;
        Some(pong.saturating_duration_since(written))
    }

    /// Messages published so far.
    pub fn sent(&self) -> u64 {
        self.sent.load(Ordering::Relaxed)
    }

    /// Waits until the flood has written everything; returns the count and
    /// when its last write returned.
    pub fn finish(&self) -> (u64, Instant) {
        let written = self.written.recv().unwrap_or_else(|_| Instant::now());
        (self.sent(), written)
    }
}

impl Drop for Flood {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(publisher) = self.publisher.take() {
            let _ = publisher.join();
        }
    }
}

/// Reads (and discards) what the broker sends until its PINGRESP, whose
/// arrival it records.
fn read_until_pingresp(mut socket: TcpStream, pong: &Mutex<Option<Instant>>) {
    let mut buffer = [0u8; 64 * 1024];
    let mut pending: Vec<u8> = Vec::new();
    while let Ok(n @ 1..) = socket.read(&mut buffer) {
        pending.extend_from_slice(&buffer[..n]);
        let mut at = 0;
        // PUBACK (4 bytes) and PINGRESP (2): a one-byte remaining length.
        while pending.len() >= at + 2 && pending.len() >= at + 2 + pending[at + 1] as usize {
            if pending[at] == 0xD0 {
                if let Ok(mut pong) = pong.lock() {
                    *pong = Some(Instant::now());
                }
                return;
            }
            at += 2 + pending[at + 1] as usize;
        }
        pending.drain(..at);
    }
}

fn publish(
    stream: &mut TcpStream,
    rate: u64,
    qos: QoS,
    duration: Duration,
    sent: &AtomicU64,
    stop: &AtomicBool,
) {
    let start = Instant::now();
    let total = rate * duration.as_millis() as u64 / 1000;
    let mut next: u64 = 0;
    let mut batch = Vec::with_capacity(64 * 1024);
    while next < total && !stop.load(Ordering::Relaxed) {
        let due = (rate * start.elapsed().as_micros() as u64 / 1_000_000).min(total);
        batch.clear();
        while next < due {
            let message = synthetic_message(next);
            let packet = Packet::Publish(Publish {
                qos,
                topic: message.topic,
                packet_id: (qos != QoS::AtMostOnce).then_some((next % 65_535 + 1) as u16),
                payload: message.payload,
                ..Default::default()
            });
            qoscope::mqtt::packet::encode(&packet, ProtocolVersion::V311, &mut batch)
                .expect("encode PUBLISH");
            next += 1;
        }
        if !batch.is_empty() {
            if stream.write_all(&batch).is_err() {
                return;
            }
            sent.store(next, Ordering::Relaxed);
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}
