//! The example servers: which there are, building them, and running them as child
//! processes, started per docs/contract.md and always stopped. `cargo xtask conformance`
//! and `hostile` use them too.

use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

/// One server binary: a column of the conformance matrix.
#[derive(Debug, Clone, Copy)]
pub struct Target {
    /// The column's title.
    pub column: &'static str,
    /// The framework it runs on (what `--framework` selects).
    pub framework: &'static str,
    /// The cargo package that builds it.
    pub package: &'static str,
    /// The binary.
    pub binary: &'static str,
    /// Ours (failures are fatal) or a peer's (failures are reported).
    pub ours: bool,
}

const fn ours(framework: &'static str, package: &'static str) -> Target {
    Target {
        column: framework,
        framework,
        package,
        binary: package,
        ours: true,
    }
}

const fn peer(
    column: &'static str,
    framework: &'static str,
    package: &'static str,
    binary: &'static str,
) -> Target {
    Target {
        column,
        framework,
        package,
        binary,
        ours: false,
    }
}

/// Our four example servers.
pub const OURS: [Target; 4] = [
    ours("axum", "example-axum"),
    ours("actix", "example-actix"),
    ours("rocket", "example-rocket"),
    ours("warp", "example-warp"),
];

/// The same apps on each framework's existing CORS middleware: a second binary of each
/// example package.
pub const PEERS: [Target; 4] = [
    peer("tower-http", "axum", "example-axum", "reference-axum"),
    peer("actix-cors", "actix", "example-actix", "reference-actix"),
    peer(
        "rocket_cors",
        "rocket",
        "example-rocket",
        "reference-rocket",
    ),
    peer("warp cors()", "warp", "example-warp", "reference-warp"),
];

/// The floor of each framework: the same app behind the least work a CORS layer can do
/// there, prebuilt headers without a decision (a third binary of each example package,
/// for the benchmarks only: it is not CORS).
pub const FLOORS: [Target; 4] = [
    peer("floor", "axum", "example-axum", "floor-axum"),
    peer("floor", "actix", "example-actix", "floor-actix"),
    peer("floor", "rocket", "example-rocket", "floor-rocket"),
    peer("floor", "warp", "example-warp", "floor-warp"),
];

/// The floor server of `ours`'s framework.
pub fn floor_of(ours: &Target) -> Target {
    let floor = FLOORS
        .iter()
        .find(|floor| floor.framework == ours.framework);
    *floor.expect("every framework has a floor server")
}

/// Our server and the peer's of each framework `names` selects (all when empty).
pub fn select(names: &[String]) -> Result<Vec<(Target, Target)>, String> {
    if let Some(name) = names
        .iter()
        .find(|name| !OURS.iter().any(|t| t.framework == name.as_str()))
    {
        return Err(format!(
            "unknown framework {name:?}: axum, actix, rocket or warp"
        ));
    }
    let wanted = |t: &Target| names.is_empty() || names.iter().any(|n| n == t.framework);
    Ok(OURS
        .into_iter()
        .zip(PEERS)
        .filter(|(t, _)| wanted(t))
        .collect())
}

/// Builds the targets' binaries, in the dev profile (which the tests share) or optimised.
pub fn build(targets: &[Target], release: bool) -> Result<(), String> {
    let mut command = Command::new(env!("CARGO"));
    command.arg("build");
    command.arg(if release { "--release" } else { "--quiet" });
    for target in targets {
        command.args(["--package", target.package, "--bin", target.binary]);
    }
    let profile = if release { "release" } else { "dev" };
    eprintln!("building {} servers ({profile} profile)...", targets.len());
    let status = command
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err("building the servers failed".into())
    }
}

/// How long a server may take to print its ready line.
const READY_TIMEOUT: Duration = Duration::from_secs(20);

/// The exit status a comparison server uses when its framework's CORS middleware
/// cannot express the policy.
pub const CANNOT_EXPRESS: i32 = 3;

/// Children alive right now, so that Ctrl-C can stop them all.
fn registry() -> &'static Arc<Mutex<Vec<u32>>> {
    static CHILDREN: OnceLock<Arc<Mutex<Vec<u32>>>> = OnceLock::new();
    CHILDREN.get_or_init(Default::default)
}

/// Stops every child on Ctrl-C (or SIGTERM), then exits with the conventional 130.
pub fn stop_children_on_interrupt() {
    let children = Arc::clone(registry());
    let handler = move || {
        for pid in children.lock().map(|c| c.clone()).unwrap_or_default() {
            // SIGTERM, then the process group's own cleanup; `kill` is on every Unix.
            let _ = Command::new("kill").arg(pid.to_string()).status();
        }
        eprintln!("\ninterrupted: stopped every server");
        std::process::exit(130);
    };
    if let Err(error) = ctrlc::set_handler(handler) {
        eprintln!("warning: cannot catch Ctrl-C ({error}); servers may outlive an interrupted run");
    }
}

/// A running server; stopped when dropped, whatever happened.
pub struct Server {
    child: Child,
    /// Where it listens.
    pub addr: SocketAddr,
}

/// Why a server did not start.
#[derive(Debug)]
pub enum StartError {
    /// The server refused the policy as its contract allows (a comparison server that
    /// cannot express it): the reason it gave.
    CannotExpress(String),
    /// Anything else: the server is broken.
    Failed(String),
}

impl Server {
    /// Starts `binary --config policy --addr 127.0.0.1:0` and waits for its ready line.
    pub fn start(binary: &Path, policy: &Path) -> Result<Server, StartError> {
        Server::start_with(binary, policy, &[])
    }

    /// [`Server::start`] with more arguments after those.
    pub fn start_with(binary: &Path, policy: &Path, more: &[&str]) -> Result<Server, StartError> {
        let mut child = Command::new(binary)
            .arg("--config")
            .arg(policy)
            .args(["--addr", "127.0.0.1:0"])
            .args(more)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| StartError::Failed(format!("cannot run {}: {e}", binary.display())))?;
        remember(child.id());
        let stdout = child.stdout.take().expect("stdout is piped");
        // Read stderr all along: a server that logs much (Rocket warns on every 404)
        // would otherwise fill the pipe and hang under load.
        let stderr = child.stderr.take().map(drain);
        match wait_ready(stdout) {
            Ok(addr) => Ok(Server { child, addr }),
            Err(why) => Err(failure(&mut child, stderr, why)),
        }
    }

    /// Whether the process is still running (a crash shows up here).
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

/// Collects why a child that never became ready stopped.
fn failure(
    child: &mut Child,
    stderr: Option<std::thread::JoinHandle<String>>,
    why: String,
) -> StartError {
    let _ = child.kill();
    let status = child.wait().ok();
    let stderr = stderr
        .and_then(|reader| reader.join().ok())
        .unwrap_or_default();
    forget(child.id());
    let stderr = stderr.trim().to_owned();
    if status.and_then(|s| s.code()) == Some(CANNOT_EXPRESS) {
        StartError::CannotExpress(stderr)
    } else {
        StartError::Failed(format!("{why}; stderr: {stderr}"))
    }
}

/// The most bytes of a server's stderr kept for a start failure's message.
const STDERR_KEPT: usize = 16 * 1024;

/// Reads a child's stderr until it closes, on a thread, keeping the first bytes.
fn drain(mut pipe: std::process::ChildStderr) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut kept = Vec::new();
        let mut buf = [0u8; 8192];
        while let Ok(n) = pipe.read(&mut buf) {
            if n == 0 {
                break;
            }
            let room = STDERR_KEPT.saturating_sub(kept.len());
            kept.extend_from_slice(&buf[..n.min(room)]);
        }
        String::from_utf8_lossy(&kept).into_owned()
    })
}

/// Registers a child for Ctrl-C.
pub fn remember(pid: u32) {
    if let Ok(mut children) = registry().lock() {
        children.push(pid);
    }
}

/// Unregisters a child that was stopped.
pub fn forget(pid: u32) {
    if let Ok(mut children) = registry().lock() {
        children.retain(|&p| p != pid);
    }
}

/// Reads stdout until `listening on http://ADDR`, on a thread so that a silent server
/// times out instead of hanging the run. The thread then drains stdout until it closes.
fn wait_ready(stdout: std::process::ChildStdout) -> Result<SocketAddr, String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut lines = BufReader::new(stdout).lines();
        let ready = lines.next();
        let _ = tx.send(ready);
        for _ in lines {}
    });
    match rx.recv_timeout(READY_TIMEOUT) {
        Ok(Some(Ok(line))) => parse_ready_line(&line),
        Ok(_) => Err("the server exited before printing its ready line".into()),
        Err(_) => Err(format!("no ready line within {READY_TIMEOUT:?}")),
    }
}

fn parse_ready_line(line: &str) -> Result<SocketAddr, String> {
    line.strip_prefix("listening on http://")
        .and_then(|addr| addr.trim().parse().ok())
        .ok_or_else(|| format!("the first line on stdout is not the ready line: {line:?}"))
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        forget(self.child.id());
    }
}

/// Where cargo puts its binaries (`debug/`, `release/`) and criterion its figures.
pub fn target_dir() -> PathBuf {
    let output = Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--no-deps"])
        .output();
    let from_metadata = output.ok().and_then(|o| {
        let json: serde_json::Value = serde_json::from_slice(&o.stdout).ok()?;
        json["target_directory"].as_str().map(PathBuf::from)
    });
    from_metadata.unwrap_or_else(|| PathBuf::from("target"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ready_line_gives_the_real_address() {
        assert_eq!(
            parse_ready_line("listening on http://127.0.0.1:4321").unwrap(),
            "127.0.0.1:4321".parse().unwrap()
        );
        assert!(parse_ready_line("Rocket has launched").is_err());
        assert!(parse_ready_line("listening on http://localhost").is_err());
    }
}
