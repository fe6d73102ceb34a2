//! `cors-doctor`: the CORS tools of this workspace, for any server.
//!
//! - [`check`]: lint policy files, every problem with its field, warnings apart;
//! - [`probe`]: act as a browser for one request and explain its verdict;
//! - [`test`](mod@test): generate, from a policy, the requests that tell a correct CORS
//!   implementation from a broken one, send them to a live server (through whatever
//!   proxy, CDN or gateway stands in front of it), and report every divergence from the
//!   policy, as a browser would judge it.
//!
//! The browser's side is the `cors-browser` crate; what the policy means is decided by
//! the policy engine (`cors-engine`, whose library is `cors_core`) from the same file.

#![forbid(unsafe_code)]

pub mod check;
pub mod http;
pub mod probe;
pub mod test;

/// How a subcommand prints its result.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// Words and tables, for people.
    #[default]
    Human,
    /// One JSON document on standard output, for CI dashboards.
    Json,
}

/// The command line.
#[derive(clap::Parser, Debug)]
#[command(
    name = "cors-doctor",
    version,
    about = "Check CORS policies, probe and test live servers"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// Check policy files (.toml or .json): every problem with its field; warnings apart.
    Check(check::Args),
    /// Act as a browser for one request against any server, and explain the verdict.
    Probe(probe::Args),
    /// Test that a live server honours a policy file, as browsers would judge it.
    Test(test::Args),
}

/// Runs a parsed command line: 0 on success, 1 when the answer is no (a problem, a
/// blocked request, a divergence), 2 when the command could not do its job.
pub fn run(cli: &Cli) -> std::process::ExitCode {
    match &cli.command {
        Command::Check(args) => check::run(args),
        Command::Probe(args) => probe::run(args),
        Command::Test(args) => test::run(args),
    }
}
