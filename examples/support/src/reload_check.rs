//! The end-to-end check of reloading the policy, with either [`Trigger`]:
//! [`Args::watch_sighup`](crate::Args::watch_sighup) or, with `--watch`,
//! [`Args::watch_file`](crate::Args::watch_file). Each example's integration tests run
//! it against their own server binary (only a package's own tests know where Cargo put
//! its binary):
//!
//! ```ignore
//! // examples/axum/tests/sighup.rs
//! use example_support::reload_check::{run, Trigger};
//!
//! #[cfg(unix)]
//! #[test]
//! fn sighup_reloads_the_policy() {
//!     run(env!("CARGO_BIN_EXE_example-axum"), Trigger::Sighup);
//! }
//!
//! // examples/axum/tests/watch.rs: the same, with `Trigger::FileChange`.
//! ```
//!
//! It starts the server on port 0 with a policy file of its own (and `--watch` for
//! [`Trigger::FileChange`]), sees an origin refused, rewrites the file to allow it, sends
//! `SIGHUP` (or nothing more: the rewrite is the trigger), and waits (5 s at most) until
//! the origin is allowed; then makes the file invalid, again with the trigger, and checks
//! that the server logged the error with the fields' names and that it kept the previous
//! policy, with the hint of that trigger, while the previous policy kept serving. At the
//! end the server must have logged one successful reload, no more. With
//! [`Trigger::FileChange`] the valid file is written in place and the invalid one is
//! renamed into place, as editors save. [`Trigger::Sighup`] is Unix only: the signal is
//! sent with `kill -HUP`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub use crate::Trigger;

/// The origin the first policy refuses and the second allows.
const LATE: &str = "https://late.example";
/// The origin both policies allow.
const FIRST: &str = "https://first.example";
/// How long a reload may take before the check fails.
const PATIENCE: Duration = Duration::from_secs(5);

/// What the check saw, for the test's output.
#[derive(Debug)]
pub struct Report {
    /// Everything the server wrote on stderr.
    pub stderr: String,
    /// How long the valid reload took to show, from the signal or the rewrite.
    pub reload_took: Duration,
}

/// Runs the whole check against the binary at `path`, the reloads set off by `trigger`,
/// and prints what it saw (in the test's captured output); panics with what went wrong.
/// A server's test is one call:
/// `run(env!("CARGO_BIN_EXE_example-axum"), Trigger::Sighup)`.
pub fn run(path: &str, trigger: Trigger) -> Report {
    let binary = Path::new(path);
    let dir = std::env::temp_dir().join(format!(
        "reload-check-{}-{}-{}",
        binary
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("server"),
        match trigger {
            Trigger::Sighup => "sighup",
            Trigger::FileChange => "watch",
        },
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    let file = dir.join("policy.toml");
    write(&file, &format!("allow_origins = [\"{FIRST}\"]\n"));

    let mut server = Server::start(binary, &file, trigger);
    assert_eq!(server.allowed(FIRST).as_deref(), Some(FIRST));
    assert_eq!(
        server.allowed(LATE),
        None,
        "{LATE} allowed before the reload"
    );

    let triggered = Instant::now();
    // In place, as `echo ... > policy.toml` does.
    write(
        &file,
        &format!("allow_origins = [\"{FIRST}\", \"{LATE}\"]\n"),
    );
    if trigger == Trigger::Sighup {
        server.hang_up();
    }
    let allowed = server.poll(|server| server.allowed(LATE).as_deref() == Some(LATE));
    assert!(
        allowed,
        "{LATE} still refused {PATIENCE:?} after {}; stderr:\n{}",
        what(trigger),
        server.stderr()
    );
    let reload_took = triggered.elapsed();
    assert!(
        server.poll(|server| server.stderr().contains("reloaded the policy from")),
        "no success line on stderr:\n{}",
        server.stderr()
    );

    // A trailing slash and a max age no browser honours: two problems, two fields.
    let invalid = "allow_origins = [\"https://broken.example/\"]\nmax_age = 100000\n";
    match trigger {
        Trigger::Sighup => {
            write(&file, invalid);
            server.hang_up();
        }
        // Written beside the file and renamed over it, as editors save.
        Trigger::FileChange => {
            let temporary = dir.join(".policy.toml.tmp");
            write(&temporary, invalid);
            std::fs::rename(&temporary, &file).expect("the policy file is replaced");
        }
    }
    let logged = server.poll(|server| {
        let stderr = server.stderr();
        stderr.contains("allow_origins[0]") && stderr.contains("max_age")
    });
    assert!(
        logged,
        "no field-named error on stderr {PATIENCE:?} after {}:\n{}",
        what(trigger),
        server.stderr()
    );
    let kept = format!(
        "error: kept the previous policy; fix {} and {}",
        file.display(),
        trigger.retry_hint()
    );
    assert!(
        server.poll(|server| server.stderr().contains(&kept)),
        "no {kept:?} on stderr:\n{}",
        server.stderr()
    );
    assert_eq!(
        server.allowed(LATE).as_deref(),
        Some(LATE),
        "the previous policy no longer serves"
    );
    assert_eq!(server.allowed(FIRST).as_deref(), Some(FIRST));
    assert_eq!(server.allowed("https://broken.example"), None);
    assert!(server.is_running(), "the server stopped");
    // One valid change, one reload: reading the file is no change to react to.
    let stderr = server.stderr();
    assert_eq!(
        stderr.matches("reloaded the policy from").count(),
        1,
        "one reload expected; stderr:\n{stderr}"
    );

    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
    println!("reload seen after {reload_took:?}; server stderr:\n{stderr}");
    Report {
        stderr,
        reload_took,
    }
}

fn write(file: &PathBuf, text: &str) {
    std::fs::write(file, text).expect("the policy file is written");
}

/// The trigger, in the words of a failure message.
fn what(trigger: Trigger) -> &'static str {
    match trigger {
        Trigger::Sighup => "SIGHUP",
        Trigger::FileChange => "the change of the file",
    }
}

/// The server under test, killed when dropped (the check panicking included).
struct Server {
    child: Child,
    addr: SocketAddr,
    stderr: Arc<Mutex<String>>,
}

impl Server {
    fn start(binary: &Path, file: &Path, trigger: Trigger) -> Self {
        let mut command = Command::new(binary);
        command.arg("--config").arg(file);
        if trigger == Trigger::FileChange {
            command.arg("--watch");
        }
        let mut child = command
            .args(["--addr", "127.0.0.1:0"])
            .env_remove("CORS_DIAGNOSTICS")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
        let stderr = Arc::new(Mutex::new(String::new()));
        let mut pipe = child.stderr.take().expect("piped stderr");
        let sink = Arc::clone(&stderr);
        std::thread::spawn(move || {
            let mut buffer = [0; 4096];
            while let Ok(n @ 1..) = pipe.read(&mut buffer) {
                let text = String::from_utf8_lossy(&buffer[..n]);
                sink.lock().expect("not poisoned").push_str(&text);
            }
        });
        let stdout = child.stdout.take().expect("piped stdout");
        let mut server = Server {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            stderr,
        };
        let mut line = String::new();
        let read = BufReader::new(stdout).read_line(&mut line);
        let addr = line
            .trim()
            .strip_prefix("listening on http://")
            .and_then(|addr| addr.parse().ok());
        match (read, addr) {
            (Ok(_), Some(addr)) => server.addr = addr,
            _ => panic!("no ready line (got {line:?}); stderr:\n{}", server.stderr()),
        }
        server
    }

    fn stderr(&self) -> String {
        self.stderr.lock().expect("not poisoned").clone()
    }

    fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    fn hang_up(&self) {
        let status = Command::new("kill")
            .args(["-HUP", &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill -HUP failed");
    }

    /// Retries `check` until it holds or [`PATIENCE`] runs out.
    fn poll(&mut self, check: impl Fn(&Self) -> bool) -> bool {
        let start = Instant::now();
        loop {
            if check(self) {
                return true;
            }
            if start.elapsed() > PATIENCE || !self.is_running() {
                return false;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The `Access-Control-Allow-Origin` of the answer to `GET /` from `origin`.
    fn allowed(&self, origin: &str) -> Option<String> {
        let mut stream = TcpStream::connect(self.addr).expect("the server accepts");
        stream
            .set_read_timeout(Some(PATIENCE))
            .expect("a read timeout");
        let request = format!(
            "GET / HTTP/1.1\r\nHost: {}\r\nOrigin: {origin}\r\nConnection: close\r\n\r\n",
            self.addr
        );
        stream
            .write_all(request.as_bytes())
            .expect("the request is sent");
        let mut response = String::new();
        // A server may reset the connection after a complete `Connection: close` answer.
        let _ = stream.read_to_string(&mut response);
        let head = response.split("\r\n\r\n").next().unwrap_or_default();
        assert!(
            head.starts_with("HTTP/1.1 200"),
            "GET / answered {head:?}; stderr:\n{}",
            self.stderr()
        );
        head.lines().skip(1).find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.trim()
                .eq_ignore_ascii_case("access-control-allow-origin")
                .then(|| value.trim().to_owned())
        })
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
