//! A broker of the test's own, on free loopback ports: Mosquitto with a
//! config written to a temp dir, or aedes (a second implementation, from npm:
//! `tests/brokers/aedes/broker.mjs`, run by node). It can be stopped and
//! started again on the same ports, as a broker restart looks to the app.

use super::process::{free_ports, program, ChildGuard, TempDir};
use std::fs::File;
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// Who may connect.
#[derive(Clone, Copy, Debug)]
pub enum Auth {
    /// Anyone, without credentials.
    Anonymous,
    /// Only this user (a password file made by `mosquitto_passwd -b`).
    Password {
        username: &'static str,
        password: &'static str,
    },
}

/// What the broker keeps across a restart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Persistence {
    /// Nothing: a restart loses every session.
    Off,
    /// Sessions, their subscriptions and queued messages, saved to a file in
    /// the broker's temp dir when it stops (SIGTERM), with no cap on what an
    /// offline client's session queues.
    On,
}

/// Which implementation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Implementation {
    Mosquitto,
    /// aedes 1.2 (MQTT 3.1.1 only; sessions in memory).
    Aedes,
}

pub struct Broker {
    pub implementation: Implementation,
    /// MQTT over TCP, for mosquitto_pub and mosquitto_sub.
    pub tcp_port: u16,
    /// MQTT over WebSocket, for the page.
    pub ws_port: u16,
    /// Restarts so far.
    pub restarts: u32,
    dir: TempDir,
    process: Option<ChildGuard>,
}

impl Broker {
    /// Starts Mosquitto and returns once both listeners accept connections.
    pub fn start(auth: Auth) -> Broker {
        Broker::start_with(auth, "all", Persistence::Off)
    }

    /// Like [`Broker::start`], keeping sessions across a
    /// [`Broker::restart_gracefully`]; logs notices only, as a long run's
    /// packet-by-packet log would be megabytes.
    pub fn start_persistent(auth: Auth) -> Broker {
        Broker::start_with(auth, "notice", Persistence::On)
    }

    /// Like [`Broker::start`], logging only errors, warnings and notices: a
    /// flood logged packet by packet would measure the broker's log.
    pub fn start_for_load(auth: Auth) -> Broker {
        Broker::start_with(auth, "notice", Persistence::Off)
    }

    /// Like [`Broker::start_for_load`], queueing up to a million QoS 1/2
    /// messages per client (Mosquitto's default is 1,000) and with no limit
    /// on messages in flight (its default, 20, also bounds what it takes in:
    /// it discards the 21st incoming QoS 2 message after its PUBREC). A
    /// client that puts a whole burst in flight at once, as MQTT.js does,
    /// then loses nothing to the broker.
    pub fn start_for_bursts(auth: Auth) -> Broker {
        Broker::start_configured(
            auth,
            "notice",
            Persistence::Off,
            "max_queued_messages 1000000\nmax_inflight_messages 0\n",
        )
    }

    fn start_with(auth: Auth, log_type: &str, persistence: Persistence) -> Broker {
        Broker::start_configured(auth, log_type, persistence, "")
    }

    /// Starts Mosquitto with `extra` lines at the end of its config.
    fn start_configured(
        auth: Auth,
        log_type: &str,
        persistence: Persistence,
        extra: &str,
    ) -> Broker {
        let [tcp_port, ws_port] = free_ports();
        let mut broker = Broker {
            implementation: Implementation::Mosquitto,
            tcp_port,
            ws_port,
            restarts: 0,
            dir: TempDir::new("mosquitto"),
            process: None,
        };
        broker.write_config(auth, log_type, persistence, extra);
        broker.launch();
        broker
    }

    /// aedes, anonymous, MQTT 3.1.1, sessions in memory (a restart loses them).
    pub fn start_aedes() -> Broker {
        let [tcp_port, ws_port] = free_ports();
        let mut broker = Broker {
            implementation: Implementation::Aedes,
            tcp_port,
            ws_port,
            restarts: 0,
            dir: TempDir::new("aedes"),
            process: None,
        };
        broker.launch();
        broker
    }

    /// The address the page connects to.
    pub fn ws_url(&self) -> String {
        format!("ws://127.0.0.1:{}", self.ws_port)
    }

    /// Stops the broker (SIGKILL: connections drop without a DISCONNECT).
    pub fn stop(&mut self) {
        self.process = None;
    }

    /// Starts the stopped broker again, same config and ports; returns once it
    /// accepts connections.
    pub fn restart(&mut self) {
        self.stop();
        self.launch();
        self.restarts += 1;
    }

    /// Stops the broker as an operator would (SIGTERM: it closes every
    /// connection and saves its persistence file), then starts it again on
    /// the same ports; returns once it accepts connections.
    pub fn restart_gracefully(&mut self) {
        if let Some(mut process) = self.process.take() {
            process.terminate();
        }
        self.launch();
        self.restarts += 1;
    }

    /// Mosquitto's output so far, for failure messages.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.log_path()).unwrap_or_default()
    }

    fn config_path(&self) -> PathBuf {
        self.dir.path().join("mosquitto.conf")
    }

    fn log_path(&self) -> PathBuf {
        self.dir.path().join("mosquitto.log")
    }

    fn write_config(&self, auth: Auth, log_type: &str, persistence: Persistence, extra: &str) {
        let access = match auth {
            Auth::Anonymous => "allow_anonymous true\n".to_owned(),
            Auth::Password { username, password } => {
                let file = self.dir.path().join("passwords");
                let made = Command::new(program("mosquitto_passwd"))
                    .arg("-c")
                    .arg("-b")
                    .arg(&file)
                    .args([username, password])
                    .status()
                    .expect("run mosquitto_passwd");
                assert!(made.success(), "mosquitto_passwd failed: {made}");
                format!("allow_anonymous false\npassword_file {}\n", file.display())
            }
        };
        let persistence = match persistence {
            Persistence::Off => "persistence false\n".to_owned(),
            Persistence::On => format!(
                "persistence true\n\
                 persistence_location {}/\n\
                 # An offline persistent session queues everything (the default caps it at 1000).\n\
                 max_queued_messages 1000000\n",
                self.dir.path().display()
            ),
        };
        let config = format!(
            "per_listener_settings false\n\
             {access}\
             listener {tcp} 127.0.0.1\n\
             protocol mqtt\n\
             listener {ws} 127.0.0.1\n\
             protocol websockets\n\
             # Mosquitto 2.0.11 binds a WebSocket listener to 127.0.0.1 only when it is IPv4-only.\n\
             socket_domain ipv4\n\
             {persistence}\
             log_dest stderr\n\
             log_type {log_type}\n\
             connection_messages true\n\
             # As root, stay root: dropping to user mosquitto would lose the temp dir.\n\
             user root\n\
             {extra}",
            tcp = self.tcp_port,
            ws = self.ws_port,
        );
        std::fs::write(self.config_path(), config).expect("write mosquitto.conf");
    }

    fn launch(&mut self) {
        let log = File::options()
            .create(true)
            .append(true)
            .open(self.log_path())
            .expect("open the broker log");
        let (name, mut command) = match self.implementation {
            Implementation::Mosquitto => {
                let mut command = Command::new(program("mosquitto"));
                command.arg("-c").arg(self.config_path());
                ("mosquitto", command)
            }
            Implementation::Aedes => {
                let script = super::repo_dir().join("tests/brokers/aedes/broker.mjs");
                let mut command = Command::new(program("node"));
                command
                    .arg(script)
                    .args(["--tcp", &self.tcp_port.to_string()])
                    .args(["--ws", &self.ws_port.to_string()]);
                ("aedes", command)
            }
        };
        command
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("share the broker log"))
            .stderr(log);
        let mut process = ChildGuard::spawn(name, &mut command, false);
        process.wait_until_listening(self.tcp_port, &self.log_path());
        process.wait_until_listening(self.ws_port, &self.log_path());
        self.process = Some(process);
    }
}

impl Drop for Broker {
    /// When a test fails, keeps the broker's log (its temp dir goes) and shows its end.
    fn drop(&mut self) {
        if !std::thread::panicking() {
            return;
        }
        let kept = super::repo_dir()
            .join("target/e2e-failures")
            .join(format!("{:?}-{}.log", self.implementation, self.ws_port).to_lowercase());
        let log = self.log();
        let _ = std::fs::create_dir_all(kept.parent().unwrap_or(self.dir.path()));
        let _ = std::fs::write(&kept, &log);
        let tail: Vec<&str> = log.lines().rev().take(20).collect();
        eprintln!(
            "the broker's log: {}; it ends with:\n{}",
            kept.display(),
            tail.into_iter().rev().collect::<Vec<_>>().join("\n")
        );
    }
}
