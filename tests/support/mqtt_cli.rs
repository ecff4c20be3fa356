//! The broker's own command-line clients as the page's peers:
//! `mosquitto_sub` receives what the page publishes, `mosquitto_pub` sends
//! what the page should receive.

use super::broker::Broker;
use super::process::{program, ChildGuard};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

/// How long `mosquitto_sub` waits for its messages (`-W`).
const RECEIVE_SECONDS: u32 = 20;

/// A message as `mosquitto_sub` received it from the broker.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Received {
    pub topic: String,
    pub payload: String,
    /// The QoS of the broker → subscriber hop. The subscription asks for 2,
    /// so this is the QoS the message was published with.
    pub qos: u8,
}

/// A running `mosquitto_sub -C <count>` whose SUBACK has arrived.
pub struct Subscription {
    process: ChildGuard,
    reader: Option<JoinHandle<Vec<Received>>>,
}

/// Subscribes to `filter` at QoS 2 and returns once the broker has
/// acknowledged it, so nothing published afterwards is missed.
pub fn subscribe(broker: &Broker, filter: &str, count: usize) -> Subscription {
    // Line-buffered through stdbuf: mosquitto_sub prints its debug lines (the SUBACK we wait
    // for) with plain printf, which a pipe would hold back until it exits.
    let mut command = Command::new(program("stdbuf"));
    command
        .arg("-oL")
        .arg(program("mosquitto_sub"))
        .args(["-d", "-v", "-q", "2", "-h", "127.0.0.1"])
        .args(["-p", &broker.tcp_port.to_string()])
        .args(["-C", &count.to_string(), "-W", &RECEIVE_SECONDS.to_string()])
        .args(["-t", filter])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    let mut process = ChildGuard::spawn("mosquitto_sub", &mut command, false);
    let stdout = process.stdout().expect("mosquitto_sub's stdout is piped");
    let (subacked, on_suback) = mpsc::channel();
    let reader = std::thread::spawn(move || parse_debug_output(BufReader::new(stdout), subacked));
    on_suback
        .recv_timeout(Duration::from_secs(RECEIVE_SECONDS.into()))
        .unwrap_or_else(|_| panic!("mosquitto_sub got no SUBACK for {filter}"));
    Subscription {
        process,
        reader: Some(reader),
    }
}

impl Subscription {
    /// Waits until `mosquitto_sub` has its `count` messages (or gives up
    /// after its `-W` timeout) and returns what it received.
    pub fn received(mut self) -> Vec<Received> {
        let received = self
            .reader
            .take()
            .map(|reader| {
                reader
                    .join()
                    .expect("the mosquitto_sub reader does not panic")
            })
            .unwrap_or_default();
        self.process.kill();
        received
    }
}

/// Reads `mosquitto_sub -d -v` output: a debug line `Client … received
/// PUBLISH (d0, q1, r0, m1, 'topic', … (5 bytes))` comes before each
/// `topic payload` line.
fn parse_debug_output(output: impl BufRead, subacked: mpsc::Sender<()>) -> Vec<Received> {
    let mut received = Vec::new();
    let mut qos = None;
    for line in output.lines().map_while(Result::ok) {
        if line.starts_with("Client ") {
            if line.contains(" received SUBACK") {
                let _ = subacked.send(());
            }
            if let Some(flags) = line.split(" received PUBLISH (").nth(1) {
                qos = flags
                    .split(", ")
                    .find_map(|flag| flag.strip_prefix('q'))
                    .and_then(|level| level.parse().ok());
            }
        } else if let (Some(level), Some((topic, payload))) = (qos.take(), line.split_once(' ')) {
            received.push(Received {
                topic: topic.to_owned(),
                payload: payload.to_owned(),
                qos: level,
            });
        }
    }
    received
}

/// Publishes one message with `mosquitto_pub` and returns once the broker has
/// it (the QoS 1/2 handshake is complete when the command exits).
pub fn publish(broker: &Broker, topic: &str, payload: &str, qos: u8) {
    let status = Command::new(program("mosquitto_pub"))
        .args(["-h", "127.0.0.1", "-p", &broker.tcp_port.to_string()])
        .args(["-q", &qos.to_string(), "-t", topic, "-m", payload])
        .status()
        .expect("run mosquitto_pub");
    assert!(
        status.success(),
        "mosquitto_pub to {topic} failed: {status}\nbroker log:\n{}",
        broker.log()
    );
}

/// A persistent session (`mosquitto_sub -c`) that is offline most of the
/// time: [`OfflineSubscriber::create`] subscribes and leaves, the broker
/// queues what matches, and [`OfflineSubscriber::drain_until`] comes back
/// for it.
pub struct OfflineSubscriber {
    client_id: String,
    filter: String,
    qos: u8,
}

impl OfflineSubscriber {
    /// Subscribes `client_id` to `filter` at `qos` in a persistent session,
    /// and disconnects once the broker has acknowledged the subscription.
    pub fn create(broker: &Broker, client_id: &str, filter: &str, qos: u8) -> OfflineSubscriber {
        let status = Command::new(program("mosquitto_sub"))
            .args(["-h", "127.0.0.1", "-p", &broker.tcp_port.to_string()])
            .args(["-c", "-i", client_id, "-q", &qos.to_string(), "-t", filter])
            .arg("-E") // exit once subscribed
            .stdin(Stdio::null())
            .status()
            .expect("run mosquitto_sub");
        assert!(
            status.success(),
            "mosquitto_sub -c -i {client_id} failed: {status}"
        );
        OfflineSubscriber {
            client_id: client_id.to_owned(),
            filter: filter.to_owned(),
            qos,
        }
    }

    /// Reconnects and returns every payload the broker delivers, in order,
    /// up to and including `marker`; panics if `marker` has not come within
    /// `deadline`. Publish `marker` after everything else: the broker
    /// delivers a session's queue in order, so it comes last.
    pub fn drain_until(&self, broker: &Broker, marker: &str, deadline: Duration) -> Vec<String> {
        let mut command = Command::new(program("stdbuf"));
        command
            .arg("-oL")
            .arg(program("mosquitto_sub"))
            .args(["-h", "127.0.0.1", "-p", &broker.tcp_port.to_string()])
            .args(["-c", "-i", &self.client_id, "-q", &self.qos.to_string()])
            .args(["-t", &self.filter])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        let mut process = ChildGuard::spawn("mosquitto_sub", &mut command, false);
        let stdout = process.stdout().expect("mosquitto_sub's stdout is piped");
        let (line_tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if line_tx.send(line).is_err() {
                    break;
                }
            }
        });
        let until = std::time::Instant::now() + deadline;
        let mut payloads = Vec::new();
        loop {
            let left = until.saturating_duration_since(std::time::Instant::now());
            match lines.recv_timeout(left) {
                Ok(line) => {
                    let done = line == marker;
                    payloads.push(line);
                    if done {
                        break;
                    }
                }
                Err(_) => panic!(
                    "{} got {} messages and no {marker:?} within {deadline:?}",
                    self.client_id,
                    payloads.len()
                ),
            }
        }
        process.kill();
        payloads
    }
}
