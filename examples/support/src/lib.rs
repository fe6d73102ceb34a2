//! The part of every example server that has nothing to do with its framework: the
//! command line of docs/contract.md, loading the policy file, reloading it on
//! `SIGHUP`, and the ready line.
//!
//! ```no_run
//! let args = example_support::Args::parse_or_exit();
//! let policy = cors_core::SharedPolicy::from(args.load_policy_or_exit());
//! args.watch_sighup(policy.clone());
//! let listener = std::net::TcpListener::bind(args.addr).unwrap();
//! example_support::announce(&listener);
//! ```
//!
//! # Reloading the policy
//! After [`Args::watch_sighup`], `kill -HUP <pid>` makes the server read its policy
//! file again, with the same validation as at startup. A valid new policy replaces the
//! old one for the next request (the server logs `reloaded the policy from FILE` on
//! stderr, with any warnings); an invalid one is refused, and the old policy keeps
//! serving while the error, naming each field at fault, goes to stderr.
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
pub mod sighup_check;

use std::io::Write;
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::exit;

use clap::Parser;
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
                print_warnings(&policy);
                shared.replace(policy);
                eprintln!("reloaded the policy from {}", self.config.display());
                Ok(())
            }
            Err(error) => {
                eprintln!("error: {error}");
                eprintln!(
                    "error: kept the previous policy; fix {} and send SIGHUP again",
                    self.config.display()
                );
                Err(error)
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
            eprintln!("note: no SIGHUP on this platform; restart the server to change its policy");
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

#[cfg(test)]
mod tests {
    use super::*;

    fn args_for(config: PathBuf) -> Args {
        Args {
            config,
            addr: "127.0.0.1:0".parse().expect("an address"),
            no_cors: false,
        }
    }

    fn temp_dir(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("example-support-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a temporary directory");
        dir
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
