//! `cors-doctor check FILE...`: the policy linter to keep in CI.
//!
//! A file is valid or not: every problem is reported with its field, and the command
//! fails. A valid policy may still get warnings: from the core (legal, probably not
//! meant) and from here (where browsers do not do what the policy seems to say). They
//! fail the command only with `--deny-warnings`. `--explain` describes each valid policy
//! in plain words.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use cors_core::{ConfigError, Policy, PolicyConfig, MAX_MAX_AGE};
use serde::Serialize;

use crate::Format;

/// The longest time Chromium caches a preflight, in seconds; Firefox keeps one up to
/// [`MAX_MAX_AGE`].
pub const CHROMIUM_MAX_AGE: u64 = 7200;

/// `check`'s command line.
#[derive(clap::Args, Debug, Clone)]
pub struct Args {
    /// Policy files to check (.toml or .json).
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Describe each valid policy in plain words.
    #[arg(long)]
    pub explain: bool,
    /// Fail on warnings too, not only on problems.
    #[arg(long)]
    pub deny_warnings: bool,
    /// How to print the result.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

/// What was found in one file.
#[derive(Debug, Serialize)]
pub struct FileReport {
    pub file: PathBuf,
    /// Whether the policy builds.
    pub valid: bool,
    /// Why it does not build, each naming its field.
    pub problems: Vec<Finding>,
    /// What builds but is probably not meant, or not what every browser does.
    pub warnings: Vec<Finding>,
    /// The policy in plain words, for a valid one.
    pub description: Option<String>,
}

/// One problem or warning: the field it is about, and what is wrong with it.
#[derive(Debug, Serialize)]
pub struct Finding {
    pub field: String,
    pub message: String,
    /// The line in the file, where known.
    pub line: Option<usize>,
}

/// Checks one file.
pub fn check_file(file: &Path) -> FileReport {
    let mut report = FileReport {
        file: file.to_owned(),
        valid: false,
        problems: Vec::new(),
        warnings: Vec::new(),
        description: None,
    };
    match load(file) {
        Ok((config, policy)) => {
            report.valid = true;
            report.warnings = policy.warnings().iter().map(finding).collect();
            report.warnings.extend(browser_warnings(&config));
            report.description = Some(policy.to_string());
        }
        Err(error) => match error.policy_error() {
            Some(policy_error) => {
                report.problems = policy_error.problems().iter().map(finding).collect()
            }
            None => report.problems.push(Finding {
                field: String::new(),
                message: error.to_string(),
                line: None,
            }),
        },
    }
    report
}

/// Checks each file and prints what was found; fails if any file has a problem (or a
/// warning, with `--deny-warnings`).
pub fn run(args: &Args) -> ExitCode {
    let reports: Vec<FileReport> = args.files.iter().map(|f| check_file(f)).collect();
    match args.format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&reports).unwrap_or_default()
        ),
        Format::Human => print_human(&reports, args.explain),
    }
    let failed = reports
        .iter()
        .filter(|r| !r.valid || (args.deny_warnings && !r.warnings.is_empty()))
        .count();
    if failed == 0 {
        return ExitCode::SUCCESS;
    }
    if args.format == Format::Human {
        let what = if args.deny_warnings {
            "problems or warnings"
        } else {
            "problems"
        };
        eprintln!("\n{failed} of {} policy files have {what}", reports.len());
    }
    ExitCode::FAILURE
}

fn print_human(reports: &[FileReport], explain: bool) {
    for (i, report) in reports.iter().enumerate() {
        let file = report.file.display();
        if i > 0 && explain {
            println!();
        }
        if report.valid {
            println!("{file}: ok");
            if let (true, Some(description)) = (explain, &report.description) {
                println!("{description}");
            }
        } else {
            let count = report.problems.len();
            let s = if count == 1 { "" } else { "s" };
            eprintln!("{file}: {count} problem{s}");
            for problem in &report.problems {
                eprintln!("  - {}", text(problem));
            }
        }
        for warning in &report.warnings {
            eprintln!("{file}: warning: {}", text(warning));
        }
    }
}

fn text(finding: &Finding) -> String {
    let mut text = if finding.field.is_empty() {
        finding.message.clone()
    } else {
        format!("{}: {}", finding.field, finding.message)
    };
    if let Some(line) = finding.line {
        text.push_str(&format!(" at line {line}"));
    }
    text
}

fn finding(problem: &cors_core::Problem) -> Finding {
    Finding {
        field: problem.field.clone(),
        message: problem.message.clone(),
        line: problem.line,
    }
}

/// Reads the file once: its fields, for the browser warnings, and the policy they build.
fn load(file: &Path) -> Result<(PolicyConfig, Policy), ConfigError> {
    let config = PolicyConfig::from_path(file)?;
    let policy = config.clone().build()?;
    Ok((config, policy))
}

/// What a valid policy does not do in every browser, one warning each, naming the field.
fn browser_warnings(config: &PolicyConfig) -> Vec<Finding> {
    let mut warnings = Vec::new();
    let mut warn = |field: &str, message: String| {
        warnings.push(Finding {
            field: field.to_owned(),
            message,
            line: None,
        })
    };
    let headers = &config.allow_headers;
    if headers.iter().any(|h| h == "*")
        && !headers
            .iter()
            .any(|h| h.eq_ignore_ascii_case("authorization"))
    {
        // https://fetch.spec.whatwg.org/#cors-non-wildcard-request-header-name
        warn("allow_headers", "`*` does not cover `authorization` (Fetch Standard); list it if your front end sends it".to_owned());
    }
    if let Some(age) = config.max_age.filter(|&age| age > CHROMIUM_MAX_AGE) {
        warn("max_age", format!(
            "{age} is more than {CHROMIUM_MAX_AGE} seconds (two hours), the longest Chromium caches a preflight; only Firefox (up to {MAX_MAX_AGE}) keeps it longer"
        ));
    }
    if config.allow_private_network {
        warn("allow_private_network", "answers the legacy Private Network Access preflight only: Chromium replaced it in 2025 by Local Network Access, a permission the user grants, which no header can give".to_owned());
    }
    warnings
}
