//! The part of every example server that has nothing to do with its framework: the
//! command line of shared/CONTRACT.md, loading the policy file, and the ready line.
//!
//! ```no_run
//! let args = example_support::Args::parse_or_exit();
//! let policy = args.load_policy_or_exit();
//! let listener = std::net::TcpListener::bind(args.addr).unwrap();
//! example_support::announce(&listener);
//! ```
#![forbid(unsafe_code)]

use std::io::Write;
use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::process::exit;

use clap::Parser;
use cors_core::Policy;

/// The default policy, used when `--config` is not given.
pub const DEFAULT_POLICY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../policy.toml");

/// The command line every example server accepts.
#[derive(Debug, Clone, Parser)]
#[command(about = "An example API server with CORS, per shared/CONTRACT.md")]
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

    /// Loads the policy file, or prints every problem with its field and exits with
    /// status 2 before the server listens.
    pub fn load_policy_or_exit(&self) -> Policy {
        match Policy::from_path(&self.config) {
            Ok(policy) => {
                for warning in policy.warnings() {
                    eprintln!("warning: {warning}");
                }
                policy
            }
            Err(error) => {
                eprintln!("error: {error}");
                exit(2);
            }
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

/// Prints the one ready line of the contract, `listening on http://IP:PORT`, with the
/// real port, and flushes it.
pub fn announce(listener: &TcpListener) {
    let addr = listener
        .local_addr()
        .expect("a bound listener has an address");
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
