//! Project tasks, run as `cargo xtask <task>`.
//!
//! - `check-policy FILE...`: lint policy files; print every problem with its field, or
//!   what the policy allows in plain words.
//! - `conformance`: run the shared case table over real sockets against every example
//!   server (and the peers' middleware with `--reference`).
//! - `hostile`: requests no browser sends, over raw sockets, to every example server.
//! - `probe URL --origin O`: act as a browser against any server and explain its verdict.
//!
//! `check-policy` and `probe` are `cors-doctor check` and `cors-doctor probe`, the
//! installable CLI, kept here under their old names.
//! - `bench`: the example servers under wrk beside the bare app and the peers' middleware,
//!   a hostile load (`--hostile`), the criterion benchmarks (`--criterion`); BENCHMARKS.md.
//!   The tooling is the `cors-bench` crate.
//! - `public-suffix-table`: regenerate cors-core's public-suffix table from the locked `psl`.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod check_policy;
mod conformance;
mod hostile;
mod public_suffix;

#[derive(Parser)]
#[command(name = "cargo xtask", about = "Tasks of the CORS workspace")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Check policy files (.toml or .json): list every problem, or describe the policy.
    CheckPolicy(check_policy::Args),
    /// Run the shared case table against every example server over real sockets.
    Conformance(conformance::Args),
    /// Send requests no browser sends to every example server, over raw sockets.
    Hostile(hostile::Args),
    /// Act as a browser against any server and explain what it would do, and why.
    Probe(cors_doctor::probe::Args),
    /// Benchmark the example servers over loopback with wrk, beside the same app without
    /// CORS and with each framework's own CORS middleware; `--hostile` for a flood of
    /// hostile preflights, `--criterion` for the in-process benchmarks. Writes BENCHMARKS.md.
    Bench(cors_bench::Args),
    /// Regenerate cors-core's table of the domains with public suffixes under them from
    /// the list of the `psl` crate in Cargo.lock; `--check` only compares.
    PublicSuffixTable(public_suffix::Args),
}

/// Every task answers with its exit status, or with an error that stops it.
fn main() -> ExitCode {
    let outcome = match Cli::parse().task {
        Task::CheckPolicy(args) => Ok(check_policy::run(&args)),
        Task::Conformance(args) => conformance::run(&args),
        Task::Hostile(args) => hostile::run(&args),
        Task::Probe(args) => Ok(cors_doctor::probe::run(&args)),
        Task::Bench(args) => cors_bench::run(&args).map(|()| ExitCode::SUCCESS),
        Task::PublicSuffixTable(args) => public_suffix::run(&args).map(|()| ExitCode::SUCCESS),
    };
    outcome.unwrap_or_else(|error| {
        eprintln!("error: {error}");
        ExitCode::FAILURE
    })
}
