//! `cargo xtask check-policy FILE...`: the policy linter users keep in their own CI.

use std::path::PathBuf;
use std::process::ExitCode;

use cors_core::{ConfigError, Policy};

#[derive(clap::Args)]
pub struct Args {
    /// Policy files to check.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Print only problems, not the description of valid policies.
    #[arg(long, short)]
    quiet: bool,
}

/// Checks each file; fails if any is invalid.
pub fn run(args: &Args) -> ExitCode {
    let mut failed = 0;
    for (i, file) in args.files.iter().enumerate() {
        if i > 0 && !args.quiet {
            println!();
        }
        match Policy::from_path(file) {
            Ok(policy) => {
                if args.quiet {
                    println!("{}: ok", file.display());
                } else {
                    println!("{}: ok\n{policy}", file.display());
                }
                for warning in policy.warnings() {
                    eprintln!("{}: warning: {warning}", file.display());
                }
            }
            Err(error) => {
                failed += 1;
                report(file, &error);
            }
        }
    }
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        eprintln!(
            "\n{failed} of {} policy files have problems",
            args.files.len()
        );
        ExitCode::FAILURE
    }
}

fn report(file: &std::path::Path, error: &ConfigError) {
    match error.policy_error() {
        Some(policy_error) => {
            let count = policy_error.problems().len();
            let s = if count == 1 { "" } else { "s" };
            eprintln!("{}: {count} problem{s}", file.display());
            for problem in policy_error.problems() {
                eprintln!("  - {problem}");
            }
        }
        None => eprintln!("{}: {error}", file.display()),
    }
}
