//! A TCP proxy that cuts every connection through it at random moments, as
//! a flaky network does: the page connects to the proxy, the proxy to the
//! broker, and a cut closes both sides at once (no close frame, no
//! DISCONNECT). Cuts land anywhere: in the TCP or WebSocket handshake, before
//! CONNACK, in the middle of a packet.
//!
//! While the broker is down, the proxy accepts and closes at once, as a
//! restarting broker behind a load balancer looks.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// The open connections by number: both ends of each, to shut down on a cut.
type Pairs = Arc<Mutex<HashMap<u32, (TcpStream, TcpStream)>>>;

pub struct CuttingProxy {
    /// Where the page connects.
    pub port: u16,
    state: Arc<State>,
    threads: Vec<JoinHandle<()>>,
}

struct State {
    stop: AtomicBool,
    /// Cutting starts only once asked ([`CuttingProxy::start_cutting`]).
    cutting: AtomicBool,
    cuts: AtomicU32,
    accepted: AtomicU32,
    pairs: Pairs,
}

impl CuttingProxy {
    /// Listens on a free loopback port and forwards to `upstream_port`.
    /// `mean_gap` is the mean time between cuts once cutting starts; each gap
    /// is drawn uniformly from half to one and a half of it, from `seed`.
    pub fn start(upstream_port: u16, mean_gap: Duration, seed: u64) -> CuttingProxy {
        let listener =
            TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind the proxy on loopback");
        let port = listener.local_addr().expect("the proxy's address").port();
        listener
            .set_nonblocking(true)
            .expect("a non-blocking listener");
        let state = Arc::new(State {
            stop: AtomicBool::new(false),
            cutting: AtomicBool::new(false),
            cuts: AtomicU32::new(0),
            accepted: AtomicU32::new(0),
            pairs: Arc::new(Mutex::new(HashMap::new())),
        });
        let accept = {
            let state = state.clone();
            std::thread::spawn(move || accept_loop(listener, upstream_port, &state))
        };
        let cut = {
            let state = state.clone();
            std::thread::spawn(move || cut_loop(&state, mean_gap, seed))
        };
        CuttingProxy {
            port,
            state,
            threads: vec![accept, cut],
        }
    }

    pub fn ws_url(&self) -> String {
        format!("ws://127.0.0.1:{}", self.port)
    }

    pub fn start_cutting(&self) {
        self.state.cutting.store(true, Ordering::SeqCst);
    }

    pub fn stop_cutting(&self) {
        self.state.cutting.store(false, Ordering::SeqCst);
    }

    /// Cuts that closed at least one open connection.
    pub fn cuts(&self) -> u32 {
        self.state.cuts.load(Ordering::SeqCst)
    }

    /// Connections accepted so far.
    pub fn accepted(&self) -> u32 {
        self.state.accepted.load(Ordering::SeqCst)
    }
}

impl Drop for CuttingProxy {
    fn drop(&mut self) {
        self.state.stop.store(true, Ordering::SeqCst);
        cut_all(&self.state.pairs);
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }
}

fn accept_loop(listener: TcpListener, upstream_port: u16, state: &State) {
    while !state.stop.load(Ordering::SeqCst) {
        let client = match listener.accept() {
            Ok((client, _)) => client,
            Err(error) if error.kind() == std::io::ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(5));
                continue;
            }
            Err(_) => continue,
        };
        let id = state.accepted.fetch_add(1, Ordering::SeqCst);
        let _ = client.set_nonblocking(false);
        let _ = client.set_nodelay(true);
        let Ok(upstream) = TcpStream::connect((Ipv4Addr::LOCALHOST, upstream_port)) else {
            // The broker is down: the page sees its socket close.
            let _ = client.shutdown(Shutdown::Both);
            continue;
        };
        let _ = upstream.set_nodelay(true);
        let (Ok(client2), Ok(upstream2)) = (client.try_clone(), upstream.try_clone()) else {
            continue;
        };
        state
            .pairs
            .lock()
            .expect("the pairs lock")
            .insert(id, (client2, upstream2));
        pipe(&client, &upstream, id, &state.pairs);
        pipe(&upstream, &client, id, &state.pairs);
    }
}

/// Copies `from` into `to` until either closes, then closes both and
/// forgets connection `id`.
fn pipe(from: &TcpStream, to: &TcpStream, id: u32, pairs: &Pairs) {
    let (Ok(mut from), Ok(mut to)) = (from.try_clone(), to.try_clone()) else {
        return;
    };
    let pairs = pairs.clone();
    std::thread::spawn(move || {
        let mut buffer = [0u8; 16 * 1024];
        loop {
            match from.read(&mut buffer) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if to.write_all(&buffer[..n]).is_err() {
                        break;
                    }
                }
            }
        }
        let _ = from.shutdown(Shutdown::Both);
        let _ = to.shutdown(Shutdown::Both);
        pairs.lock().expect("the pairs lock").remove(&id);
    });
}

fn cut_loop(state: &State, mean_gap: Duration, seed: u64) {
    let mut random = seed.max(1);
    let step = Duration::from_millis(10);
    while !state.stop.load(Ordering::SeqCst) {
        // xorshift64: a fixed seed gives the same gaps on every run.
        random ^= random << 13;
        random ^= random >> 7;
        random ^= random << 17;
        let fraction = (random % 1_000) as f64 / 1_000.0;
        let gap = mean_gap.mul_f64(0.5 + fraction);
        // The schedule of a random network, not a wait for a condition:
        // slept in short steps so that a stop is quick.
        let mut waited = Duration::ZERO;
        while waited < gap && !state.stop.load(Ordering::SeqCst) {
            std::thread::sleep(step);
            waited += step;
        }
        if state.cutting.load(Ordering::SeqCst) && cut_all(&state.pairs) > 0 {
            state.cuts.fetch_add(1, Ordering::SeqCst);
        }
    }
}

/// Shuts every connection down; returns how many there were.
fn cut_all(pairs: &Pairs) -> usize {
    let cut: Vec<_> = pairs.lock().expect("the pairs lock").drain().collect();
    for (_, (client, upstream)) in &cut {
        let _ = client.shutdown(Shutdown::Both);
        let _ = upstream.shutdown(Shutdown::Both);
    }
    cut.len()
}
