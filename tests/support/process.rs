//! Child processes, temporary directories and ports, each cleaned up on drop.

use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// How long a started server may take to accept connections.
pub const STARTUP_DEADLINE: Duration = Duration::from_secs(20);
/// The pause between two looks at a condition that is not met yet.
pub const POLL_INTERVAL: Duration = Duration::from_millis(25);

/// A loopback port nobody listens on right now.
pub fn free_port() -> u16 {
    let [port] = free_ports();
    port
}

/// `N` different loopback ports nobody listens on right now. Each is held
/// until all are chosen: asked one after the other, the OS may hand out the
/// same port twice (a broker's TCP and WebSocket listeners once got one
/// port, and Mosquitto could not open the second).
pub fn free_ports<const N: usize>() -> [u16; N] {
    let held: [TcpListener; N] = std::array::from_fn(|_| {
        TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("the OS hands out a free loopback port")
    });
    held.each_ref().map(|listener| {
        listener
            .local_addr()
            .map(|addr| addr.port())
            .expect("a bound listener has an address")
    })
}

/// True when something accepts TCP connections on 127.0.0.1:`port`.
pub fn is_listening(port: u16) -> bool {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok()
}

/// Finds `name` on PATH, else in `/usr/sbin` and `/usr/bin` (Debian puts
/// `mosquitto` in /usr/sbin, which a non-root PATH often lacks).
pub fn program(name: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin".into(), "/usr/bin".into()])
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
        .unwrap_or_else(|| panic!("`{name}` is not installed (scripts/setup.sh test installs it)"))
}

/// A started process, stopped (SIGKILL) and reaped when dropped. With
/// `whole_group`, the child leads a process group of its own and the whole
/// group goes (chromedriver and the Chromium it starts).
pub struct ChildGuard {
    name: String,
    child: Child,
    whole_group: bool,
}

impl ChildGuard {
    /// Starts `command`; `whole_group` puts it in a new process group.
    pub fn spawn(name: &str, command: &mut Command, whole_group: bool) -> ChildGuard {
        if whole_group {
            use std::os::unix::process::CommandExt;
            command.process_group(0);
        }
        let child = command
            .spawn()
            .unwrap_or_else(|error| panic!("cannot start {name}: {error}"));
        ChildGuard {
            name: name.to_owned(),
            child,
            whole_group,
        }
    }

    /// Waits until the process accepts connections on `port`; panics with
    /// `log` (its output so far) when it exits first or takes too long.
    pub fn wait_until_listening(&mut self, port: u16, log: &Path) {
        let deadline = Instant::now() + STARTUP_DEADLINE;
        while !is_listening(port) {
            let exited = self.child.try_wait().ok().flatten();
            if exited.is_some() || Instant::now() > deadline {
                let output = std::fs::read_to_string(log).unwrap_or_default();
                panic!(
                    "{} did not start listening on 127.0.0.1:{port} ({}); its output:\n{output}",
                    self.name,
                    exited.map_or("timed out".to_owned(), |status| status.to_string()),
                );
            }
            std::thread::sleep(POLL_INTERVAL);
        }
    }

    /// The child's piped stdout, once.
    pub fn stdout(&mut self) -> Option<ChildStdout> {
        self.child.stdout.take()
    }

    /// Stops the process now (a crash, as far as its peers can tell).
    /// Asks the process to stop (SIGTERM) and waits until it has: a broker
    /// saves its persistence file on the way out.
    pub fn terminate(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }

    pub fn kill(&mut self) {
        if self.whole_group {
            // kill -KILL -<pgid>: the group this guard created, and nothing else.
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", self.child.id())])
                .status();
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for ChildGuard {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A fresh directory under the system temp dir, removed when dropped.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(purpose: &str) -> TempDir {
        static COUNT: AtomicUsize = AtomicUsize::new(0);
        let name = format!(
            "qoscope-{purpose}-{}-{}",
            std::process::id(),
            COUNT.fetch_add(1, Ordering::Relaxed)
        );
        let dir = std::env::temp_dir().join(name);
        std::fs::create_dir_all(&dir).expect("create a temp dir");
        TempDir(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
