//! `cargo xtask check-policy FILE...`: the policy linter users keep in their own CI.
//!
//! A file is valid or not, and a valid one may still get warnings (from the core: legal,
//! probably not meant) and notes (from here: where browsers do not do what the policy
//! seems to say). Problems, warnings and notes go to stderr; the description to stdout.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use cors_core::{ConfigError, Policy, PolicyConfig, MAX_MAX_AGE};

/// The longest time Chromium caches a preflight, in seconds; Firefox keeps one up to
/// [`MAX_MAX_AGE`].
const CHROMIUM_MAX_AGE: u64 = 7200;

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
        match load(file) {
            Ok((config, policy)) => {
                if args.quiet {
                    println!("{}: ok", file.display());
                } else {
                    println!("{}: ok\n{policy}", file.display());
                }
                for warning in policy.warnings() {
                    eprintln!("{}: warning: {warning}", file.display());
                }
                for note in notes(&config) {
                    eprintln!("{}: note: {note}", file.display());
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

/// Reads the file once: its fields, for the notes, and the policy they build.
fn load(file: &Path) -> Result<(PolicyConfig, Policy), ConfigError> {
    let config = PolicyConfig::from_path(file)?;
    let policy = config.clone().build()?;
    Ok((config, policy))
}

/// What a valid policy does not do in every browser, as one line each, naming the field.
fn notes(config: &PolicyConfig) -> Vec<String> {
    let mut notes = Vec::new();
    let headers = &config.allow_headers;
    if headers.iter().any(|h| h == "*")
        && !headers
            .iter()
            .any(|h| h.eq_ignore_ascii_case("authorization"))
    {
        // https://fetch.spec.whatwg.org/#cors-non-wildcard-request-header-name
        notes.push(
            "allow_headers: `*` does not cover `authorization` here (Fetch Standard); list it if your front end sends it"
                .to_owned(),
        );
    }
    if let Some(age) = config.max_age.filter(|&age| age > CHROMIUM_MAX_AGE) {
        notes.push(format!(
            "max_age: {age} is more than {CHROMIUM_MAX_AGE} seconds (two hours), the longest Chromium caches a preflight; only Firefox (up to {MAX_MAX_AGE}) keeps it longer"
        ));
    }
    notes
}

fn report(file: &Path, error: &ConfigError) {
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
