//! `cargo xtask check-policy FILE...`: `cors-doctor check --explain`, or without the
//! description with `--quiet`.

use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Policy files to check.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Print only problems, not the description of valid policies.
    #[arg(long, short)]
    quiet: bool,
}

pub fn run(args: &Args) -> ExitCode {
    cors_doctor::check::run(&cors_doctor::check::Args {
        files: args.files.clone(),
        explain: !args.quiet,
        deny_warnings: false,
        format: cors_doctor::Format::Human,
    })
}
