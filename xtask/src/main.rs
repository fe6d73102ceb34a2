//! Project tasks, run as `cargo xtask <task>`.
//!
//! - `check-policy FILE...`: lint policy files; print every problem with its field, or
//!   what the policy allows in plain words.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod check_policy;

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
}

fn main() -> ExitCode {
    match Cli::parse().task {
        Task::CheckPolicy(args) => check_policy::run(&args),
    }
}
