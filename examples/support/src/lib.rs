//! The part of every example server that has nothing to do with its framework: the
//! command line of docs/contract.md, loading the policy file, reloading it on
//! `SIGHUP` or when it changes, and the ready line.
//!
//! ```no_run
//! let args = example_support::Args::parse_or_exit();
//! let policy = cors_core::SharedPolicy::from(args.load_policy_or_exit());
//! args.watch_sighup(policy.clone());
//! // Kept until the server stops: dropping the watcher stops the watching.
//! let _watcher = if args.watch { args.watch_file(policy.clone()) } else { None };
//! let listener = std::net::TcpListener::bind(args.addr).unwrap();
//! example_support::announce(&listener);
//! ```
//!
//! # Reloading the policy
//! After [`Args::watch_sighup`], `kill -HUP <pid>` makes the server read its policy
//! file again, with the same validation as at startup. With `--watch`,
//! [`Args::watch_file`] makes it do the same, besides, each time the file changes:
//! written in place, renamed into place by an editor, or reached through a symlink that
//! is swapped, as in a Kubernetes ConfigMap volume (see
//! [`cors_core::watch::PolicyFileWatcher`]). A valid new policy replaces the old one
//! for the next request (the server logs `reloaded the policy from FILE` on stderr,
//! with any warnings); an invalid or unreadable one is refused, and the old policy
//! keeps serving while the error, naming each field at fault, goes to stderr, followed
//! by `error: kept the previous policy; fix FILE and send SIGHUP again` (or `... and
//! save it again` when the change of the file set off the reload). [`reload_check`] is
//! the end-to-end check of both, run by each example's tests.
//!
//! # Diagnostics mode
//! With the environment variable `CORS_DIAGNOSTICS=1` (or `true`), the policy is built
//! with [`PolicyBuilder::diagnostics`](cors_core::PolicyBuilder::diagnostics) on, at
//! startup and at every reload: a preflight from an allowed origin that is refused for
//! its method or headers is answered with the success status,
//! `Access-Control-Allow-Origin` and the policy's lists, so that the browser's console
//! names the method or header that is missing. The browser still blocks the request and
//! the refusal is still logged. For development only; the server says so on stderr
//! when it starts.
#![forbid(unsafe_code)]

#[cfg(unix)]
pub mod floor;
#[cfg(unix)]
pub mod reference;
pub mod reload_check;

use std::io::Write;
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::exit;
use std::sync::Arc;

use clap::Parser;
use cors_core::watch::{PolicyFileWatcher, Reload};
use cors_core::{ConfigError, Policy, PolicyConfig, PolicyError, SharedPolicy};

/// The environment variable that turns the policy's diagnostics mode on: `1` or `true`.
pub const DIAGNOSTICS_VAR: &str = "CORS_DIAGNOSTICS";

/// The default policy, used when `--config` is not given.
pub const DEFAULT_POLICY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../policy.toml");

/// The command line every example server accepts.
#[derive(Debug, Clone, Parser)]
#[command(about = "An example API server with CORS, per docs/contract.md")]
pub struct Args {
    /// The policy file (.toml or .json).
    #[arg(long, value_name = "FILE", default_value = DEFAULT_POLICY)]
    pub config: PathBuf,
    /// The address to listen on; port 0 picks a free port.
    #[arg(long, value_name = "IP:PORT", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// Serve the app without any CORS middleware (the baseline of benchmarks).
    #[arg(long)]
    pub no_cors: bool,
    /// Reload the policy file when it changes, besides on SIGHUP.
    #[arg(long)]
    pub watch: bool,
}

/// What made a server read its policy file again: it decides the hint after a refused
/// reload, and which trigger [`reload_check`] uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// `SIGHUP` ([`Args::watch_sighup`]).
    Sighup,
    /// A change of the file, with `--watch` ([`Args::watch_file`]).
    FileChange,
}

impl Trigger {
    /// How to try again once the file is fixed, the end of the line
    /// `error: kept the previous policy; fix FILE and ...`.
    pub fn retry_hint(self) -> &'static str {
        match self {
            Trigger::Sighup => "send SIGHUP again",
            Trigger::FileChange => "save it again",
        }
    }
}

impl Args {
    /// Parses the command line, or prints usage and exits.
    pub fn parse_or_exit() -> Self {
        Args::parse()
    }

    /// Loads and validates the policy file, in diagnostics mode when
    /// [`diagnostics_from_env`] says so. The same at startup and at every reload.
    pub fn load_policy(&self) -> Result<Policy, ConfigError> {
        load(&self.config, diagnostics_from_env())
    }

    /// Loads the policy file, or prints every problem with its field and exits with
    /// status 2 before the server listens.
    pub fn load_policy_or_exit(&self) -> Policy {
        match self.load_policy() {
            Ok(policy) => {
                print_warnings(&policy);
                if diagnostics_from_env() {
                    eprintln!(
                        "warning: {DIAGNOSTICS_VAR} is set: refused preflights from allowed origins are answered with the policy's lists so that the browser names what is missing (for development only)"
                    );
                }
                policy
            }
            Err(error) => {
                eprintln!("error: {error}");
                exit(2);
            }
        }
    }

    /// Reads the policy file again and, if it is valid, makes it the current policy of
    /// `shared`. An invalid file changes nothing: the previous policy keeps serving.
    /// Either way the outcome is written on stderr (`reloaded the policy from FILE`,
    /// with any warnings, or the error naming each field at fault).
    pub fn reload(&self, shared: &SharedPolicy) -> Result<(), ConfigError> {
        match self.load_policy() {
            Ok(policy) => {
                let policy = Arc::new(policy);
                shared.replace(Arc::clone(&policy));
                report_reloaded(&self.config, &policy);
                Ok(())
            }
            Err(error) => {
                report_refused(&self.config, &error, Trigger::Sighup);
                Err(error)
            }
        }
    }

    /// Reloads the policy file into `shared` each time the file changes, with the same
    /// loading and the same lines on stderr as [`Args::reload`] (the hint after a
    /// refused file says to save it again). Returns the watcher, to keep until the
    /// server stops: dropping it stops the watching. When the file cannot be watched
    /// (its directory is gone), says so on stderr and returns `None`; the server goes
    /// on with its policy, and `SIGHUP` still reloads it.
    pub fn watch_file(&self, shared: SharedPolicy) -> Option<PolicyFileWatcher> {
        let started = PolicyFileWatcher::builder(&self.config, shared)
            .loader(|path: &Path| load(path, diagnostics_from_env()))
            .on_reload(report_file_reload)
            .start();
        match started {
            Ok(watcher) => Some(watcher),
            Err(error) => {
                eprintln!("warning: {error}; the policy will not be reloaded when it changes");
                None
            }
        }
    }

    /// Reloads the policy file into `shared` (see [`Args::reload`]) each time the
    /// process receives `SIGHUP`, on a background thread. Call it before announcing
    /// the server: until it runs, `SIGHUP` ends the process. Does nothing but say so on
    /// platforms without signals.
    pub fn watch_sighup(&self, shared: SharedPolicy) {
        #[cfg(unix)]
        {
            use signal_hook::consts::SIGHUP;
            use signal_hook::iterator::Signals;

            let mut signals = match Signals::new([SIGHUP]) {
                Ok(signals) => signals,
                Err(error) => {
                    eprintln!(
                        "warning: cannot watch SIGHUP, the policy will not be reloaded: {error}"
                    );
                    return;
                }
            };
            let args = self.clone();
            let spawned = std::thread::Builder::new()
                .name("policy-reload".into())
                .spawn(move || {
                    for _ in signals.forever() {
                        // The outcome is on stderr; the server goes on either way.
                        let _ = args.reload(&shared);
                    }
                });
            if let Err(error) = spawned {
                eprintln!("warning: cannot watch SIGHUP, the policy will not be reloaded: {error}");
            }
        }
        #[cfg(not(unix))]
        {
            let _ = shared;
            let instead = if self.watch {
                "the policy is reloaded when its file changes"
            } else {
                "restart the server to change its policy"
            };
            eprintln!("note: no SIGHUP on this platform; {instead}");
        }
    }

    /// Binds the listener, or reports why not and exits with status 1.
    pub fn bind_or_exit(&self) -> TcpListener {
        match TcpListener::bind(self.addr) {
            Ok(listener) => listener,
            Err(error) => {
                eprintln!("error: cannot listen on {}: {error}", self.addr);
                exit(1);
            }
        }
    }
}

/// Whether [`DIAGNOSTICS_VAR`] asks for diagnostics mode (`1` or `true`, in any case).
pub fn diagnostics_from_env() -> bool {
    std::env::var(DIAGNOSTICS_VAR)
        .is_ok_and(|value| matches!(value.trim().to_ascii_lowercase().as_str(), "1" | "true"))
}

/// [`Policy::from_path`], with the diagnostics mode when asked for: the file is parsed
/// into a [`PolicyConfig`] and built with the switch on.
fn load(path: &Path, diagnostics: bool) -> Result<Policy, ConfigError> {
    if !diagnostics {
        return Policy::from_path(path);
    }
    let built = PolicyConfig::from_path(path)?
        .into_builder()
        .diagnostics(true)
        .build();
    built.map_err(|error: PolicyError| ConfigError::Invalid {
        path: Some(path.to_owned()),
        error,
    })
}

fn print_warnings(policy: &Policy) {
    for warning in policy.warnings() {
        eprintln!("warning: {warning}");
    }
}

/// The stderr lines of a reload that replaced the policy, whatever set it off.
fn report_reloaded(config: &Path, policy: &Policy) {
    print_warnings(policy);
    eprintln!("reloaded the policy from {}", config.display());
}

/// The stderr lines of a refused reload: the error, then that nothing changed and how
/// to try again.
fn report_refused(config: &Path, error: &ConfigError, trigger: Trigger) {
    eprintln!("error: {error}");
    eprintln!(
        "error: kept the previous policy; fix {} and {}",
        config.display(),
        trigger.retry_hint()
    );
}

/// The stderr lines of a reload set off by a change of the file.
fn report_file_reload(reload: Reload<'_>) {
    match reload {
        Reload::Replaced { path, policy } => report_reloaded(path, policy),
        Reload::Refused { path, error } => report_refused(path, error, Trigger::FileChange),
        Reload::WatchFailed { error, .. } => {
            eprintln!("warning: {error}; a change of the file may have been missed");
        }
        _ => {}
    }
}

/// Sends logs to stderr (stdout carries only the ready line), filtered by `RUST_LOG`
/// (default `warn`): `RUST_LOG=cors=debug` shows why each CORS request was refused.
pub fn log_to_stderr() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_env_filter(filter)
        .init();
}

/// Prints the one ready line of the contract, `listening on http://IP:PORT`, with the
/// real port, and flushes it.
pub fn announce(listener: &TcpListener) {
    let addr = listener
        .local_addr()
        .expect("a bound listener has an address");
    announce_addr(addr);
}

/// Prints the ready line for `addr`, for frameworks that bind their own listener.
pub fn announce_addr(addr: std::net::SocketAddr) {
    let mut stdout = std::io::stdout().lock();
    // A closed stdout (the runner went away) is no reason to stop serving.
    let _ = writeln!(stdout, "listening on http://{addr}");
    let _ = stdout.flush();
}

/// The value of the `x-request-id` header that every app response carries: a counter,
/// unique within the process.
pub fn next_request_id() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    format!("req-{}", NEXT.fetch_add(1, Ordering::Relaxed))
}

/// The name of the cookie that `POST /session` sets and `GET /session` reads.
pub const SESSION_COOKIE: &str = "session";

/// The whole `Set-Cookie` value of `POST /session` (docs/contract.md, "Routes"): a new
/// session, `session=s-N; Path=/; SameSite=Lax; HttpOnly`, where `s-N` is a counter
/// unique within the process.
///
/// ```
/// let cookie = example_support::new_session_cookie();
/// assert!(cookie.starts_with("session=s-"));
/// assert!(cookie.ends_with("; Path=/; SameSite=Lax; HttpOnly"));
/// ```
pub fn new_session_cookie() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let id = NEXT.fetch_add(1, Ordering::Relaxed);
    format!("{SESSION_COOKIE}=s-{id}; Path=/; SameSite=Lax; HttpOnly")
}

/// The value of the `session` cookie in the value of a `Cookie` header, its `name=value`
/// pairs separated by `;` with or without spaces: the first `session` pair with a value,
/// or `None` when the header is absent or carries none. Names are matched exactly (cookie
/// names are case-sensitive), so `sessionid` or `my_session` are not it.
///
/// ```
/// use example_support::session_in;
/// assert_eq!(session_in(Some("theme=dark; session=s-7")), Some("s-7"));
/// assert_eq!(session_in(Some("theme=dark")), None);
/// assert_eq!(session_in(None), None);
/// ```
pub fn session_in(cookie_header: Option<&str>) -> Option<&str> {
    cookie_header?.split(';').find_map(|pair| {
        let (name, value) = pair.split_once('=')?;
        let value = value.trim();
        (name.trim() == SESSION_COOKIE && !value.is_empty()).then_some(value)
    })
}

/// The answer of `GET /session` (docs/contract.md, "Routes") to a request with these
/// `Cookie` header lines (a browser sends one; several are read as if joined with `; `):
/// the status and the `text/plain` body, `(200, "session <id>")` when a line carries the
/// `session` cookie (see [`session_in`]), `(401, "no session")` otherwise.
///
/// ```
/// use example_support::session_answer;
/// assert_eq!(session_answer(["a=b", "session=s-2"]), (200, "session s-2".to_owned()));
/// assert_eq!(session_answer([]), (401, "no session".to_owned()));
/// ```
pub fn session_answer<'a>(cookie_lines: impl IntoIterator<Item = &'a str>) -> (u16, String) {
    let session = cookie_lines
        .into_iter()
        .find_map(|line| session_in(Some(line)));
    match session {
        Some(id) => (200, format!("session {id}")),
        None => (401, "no session".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args_for(config: PathBuf) -> Args {
        Args {
            config,
            addr: "127.0.0.1:0".parse().expect("an address"),
            no_cors: false,
            watch: false,
        }
    }

    fn temp_dir(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("example-support-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a temporary directory");
        dir
    }

    #[test]
    fn new_session_cookie_counts_and_sets_the_attributes() {
        let first = new_session_cookie();
        let second = new_session_cookie();
        for cookie in [&first, &second] {
            let (pair, attributes) = cookie.split_once("; ").expect("attributes");
            assert!(pair.starts_with("session=s-"), "{cookie}");
            assert!(
                pair["session=s-".len()..].parse::<u64>().is_ok(),
                "{cookie}"
            );
            assert_eq!(attributes, "Path=/; SameSite=Lax; HttpOnly");
        }
        assert_ne!(first, second);
        // The id of the cookie is what `GET /session` finds in the browser's `Cookie`.
        let pair = first.split_once(';').expect("attributes").0;
        assert_eq!(session_in(Some(pair)), pair.strip_prefix("session="));
    }

    #[test]
    fn session_in_finds_the_session_cookie_among_the_pairs() {
        assert_eq!(session_in(Some("session=s-1")), Some("s-1"));
        assert_eq!(session_in(Some("a=b; session=s-2; c=d")), Some("s-2"));
        assert_eq!(session_in(Some("a=b;session=s-3;c=d")), Some("s-3"));
        assert_eq!(session_in(Some("  session = s-4  ;a=b")), Some("s-4"));
        assert_eq!(session_in(Some("session=s-5; session=s-6")), Some("s-5"));
        assert_eq!(session_in(Some("session=; session=s-7")), Some("s-7"));
        assert_eq!(session_in(Some("session=a=b")), Some("a=b"));
        assert_eq!(session_in(Some("flag; session=s-8")), Some("s-8"));
    }

    #[test]
    fn session_in_finds_nothing_without_a_session_cookie() {
        assert_eq!(session_in(None), None);
        for header in [
            "",
            ";",
            "a=b; c=d",
            "session",
            "session=",
            "session=  ",
            "Session=s-1",
            "sessionid=s-1",
            "my_session=s-1",
            "a=session=s-1",
        ] {
            assert_eq!(session_in(Some(header)), None, "{header:?}");
        }
    }

    #[test]
    fn session_answer_reads_every_cookie_line() {
        let found = (200, "session s-9".to_owned());
        assert_eq!(session_answer(["session=s-9"]), found);
        assert_eq!(session_answer(["a=b", "c=d; session=s-9"]), found);
        let none = (401, "no session".to_owned());
        assert_eq!(session_answer([]), none);
        assert_eq!(session_answer(["a=b", ""]), none);
    }

    #[test]
    fn a_reload_replaces_a_valid_policy_and_keeps_the_old_one_otherwise() {
        let dir = temp_dir("reload");
        let file = dir.join("policy.toml");
        std::fs::write(&file, r#"allow_origins = ["https://a.example"]"#).expect("written");
        let args = args_for(file.clone());
        let shared = SharedPolicy::from(args.load_policy().expect("valid"));

        std::fs::write(&file, r#"allow_origins = ["https://b.example"]"#).expect("written");
        args.reload(&shared).expect("valid");
        assert!(shared.load().to_string().contains("https://b.example"));

        std::fs::write(
            &file,
            "allow_origins = [\"https://c.example/\"]\nmax_age = 100000",
        )
        .expect("written");
        let error = args.reload(&shared).expect_err("invalid");
        let problems = error.policy_error().expect("a policy error");
        assert!(problems.names_field("allow_origins"), "{error}");
        assert!(problems.names_field("max_age"), "{error}");
        assert!(shared.load().to_string().contains("https://b.example"));

        std::fs::remove_file(&file).expect("removed");
        assert!(matches!(args.reload(&shared), Err(ConfigError::Io { .. })));
        assert!(shared.load().to_string().contains("https://b.example"));
        std::fs::remove_dir_all(&dir).expect("removed");
    }

    #[test]
    fn watch_file_reloads_a_changed_file_and_says_when_it_cannot_watch() {
        let dir = temp_dir("watch");
        let file = dir.join("policy.toml");
        std::fs::write(&file, r#"allow_origins = ["https://a.example"]"#).expect("written");
        let args = args_for(file.clone());
        let shared = SharedPolicy::from(args.load_policy().expect("valid"));
        let watcher = args.watch_file(shared.clone()).expect("watching");
        assert_eq!(watcher.path(), file);

        std::fs::write(&file, r#"allow_origins = ["https://b.example"]"#).expect("written");
        let start = std::time::Instant::now();
        while !shared.load().allows_origin(b"https://b.example") {
            assert!(
                start.elapsed() < std::time::Duration::from_secs(5),
                "the change was not loaded within 5 s"
            );
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        drop(watcher);

        let elsewhere = args_for(dir.join("missing").join("policy.toml"));
        assert!(elsewhere.watch_file(shared).is_none());
        std::fs::remove_dir_all(&dir).expect("removed");
    }

    #[test]
    fn diagnostics_mode_loads_both_formats_with_the_same_validation() {
        let dir = temp_dir("diagnostics");
        let toml = dir.join("p.toml");
        std::fs::write(&toml, r#"allow_origins = ["https://a.example"]"#).expect("written");
        let json = dir.join("p.json");
        std::fs::write(&json, r#"{"allow_origins": ["https://a.example"]}"#).expect("written");
        for file in [&toml, &json] {
            assert!(load(file, true).is_ok(), "{}", file.display());
        }
        std::fs::write(&toml, "max_age = 100000").expect("written");
        let error = load(&toml, true).expect_err("invalid");
        assert!(error.to_string().contains("p.toml"), "{error}");
        assert!(error
            .policy_error()
            .expect("a policy error")
            .names_field("max_age"));
        let yaml = dir.join("p.yaml");
        std::fs::write(&yaml, "").expect("written");
        assert!(matches!(
            load(&yaml, true),
            Err(ConfigError::UnknownFormat { .. })
        ));
        std::fs::remove_dir_all(&dir).expect("removed");
    }
}
