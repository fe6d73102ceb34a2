//! `cors-doctor test URL --policy FILE`: does the live server honour the policy?
//!
//! The probes come from the policy ([`plan`]), go to the server at a bounded rate, and
//! each answer is judged as a browser would judge it, against what the policy calls for
//! ([`judge`]). The app's bodies and statuses are not judged, only CORS: any route
//! works, `/` by default.

pub mod judge;
pub mod plan;

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::Table;
use cors_core::{Policy, PolicyConfig};
use serde::Serialize;

use crate::http::{self, Answer};
use crate::Format;
use plan::{Group, Paths, Probe};

/// `test`'s command line.
#[derive(clap::Args, Debug, Clone)]
pub struct Args {
    /// The server's base URL, such as `https://api.example.com` or `http://127.0.0.1:8080`.
    pub url: String,
    /// The policy the server is meant to honour (.toml or .json, the policy file format).
    #[arg(long, value_name = "FILE")]
    pub policy: PathBuf,
    /// A path for the actual requests; repeat for several (default `/`).
    #[arg(long = "path", value_name = "PATH")]
    pub paths: Vec<String>,
    /// The path for the preflights (default: the first `--path`).
    #[arg(long, value_name = "PATH")]
    pub preflight_path: Option<String>,
    /// At most this many requests per second.
    #[arg(long, default_value_t = 20.0, value_name = "N")]
    pub rate: f64,
    /// Seconds to wait for each answer.
    #[arg(long, default_value_t = 10, value_name = "SECONDS")]
    pub timeout: u64,
    /// How to print the result.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

/// One probe that the server did not answer as the policy calls for.
#[derive(Debug, Serialize)]
pub struct Divergence {
    pub probe: Probe,
    pub problems: Vec<String>,
    pub request: Vec<String>,
    pub status: u16,
    pub response: Vec<String>,
}

/// Probes of one group, and how many of them diverged.
#[derive(Debug, Default, Serialize)]
pub struct Count {
    pub probes: usize,
    pub divergences: usize,
}

/// The whole run.
#[derive(Debug, Serialize)]
pub struct Report {
    pub url: String,
    pub policy: PathBuf,
    pub probes: usize,
    pub passed: usize,
    /// Per group: how many probes, how many diverged.
    pub groups: BTreeMap<Group, Count>,
    pub divergences: Vec<Divergence>,
}

/// Tests the server and prints the report: 0 when it honours the policy, 1 when it
/// does not, 2 when the test could not run (bad policy, unreachable server).
pub fn run(args: &Args) -> ExitCode {
    match test(args) {
        Ok(report) => {
            match args.format {
                Format::Json => println!(
                    "{}",
                    serde_json::to_string_pretty(&report).unwrap_or_default()
                ),
                Format::Human => print_human(&report),
            }
            if report.divergences.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(error) => {
            match args.format {
                Format::Json => println!("{}", serde_json::json!({ "error": error })),
                Format::Human => eprintln!("error: {error}"),
            }
            ExitCode::from(2)
        }
    }
}

/// Runs every probe; an error only when the policy does not load or the server cannot
/// be reached at all.
pub fn test(args: &Args) -> Result<Report, String> {
    let config = PolicyConfig::from_path(&args.policy)
        .map_err(|e| format!("{}: {e}", args.policy.display()))?;
    let policy: Policy = config
        .clone()
        .build()
        .map_err(|e| format!("{}: {e}", args.policy.display()))?;
    check_arguments(args)?;
    let paths = if args.paths.is_empty() {
        vec!["/".to_owned()]
    } else {
        args.paths.clone()
    };
    let preflight = args
        .preflight_path
        .clone()
        .unwrap_or_else(|| paths[0].clone());
    let probes = plan::probes(
        &config,
        &Paths {
            actual: &paths,
            preflight: &preflight,
        },
    );
    let agent = http::agent(Duration::from_secs(args.timeout));
    let base = args.url.trim_end_matches('/');
    let progress = progress(args.format, probes.len());
    let gap = Duration::from_secs_f64(1.0 / args.rate);
    let mut report = Report {
        url: args.url.clone(),
        policy: args.policy.clone(),
        probes: probes.len(),
        passed: 0,
        groups: BTreeMap::new(),
        divergences: Vec::new(),
    };
    let mut last = None::<Instant>;
    for probe in probes {
        if let Some(sent) = last {
            std::thread::sleep(gap.saturating_sub(sent.elapsed()));
        }
        last = Some(Instant::now());
        let answer = send(&agent, base, &probe)?;
        let problems = judge::divergences(&policy, &config, &probe, &answer);
        let group = report.groups.entry(probe.group).or_default();
        group.probes += 1;
        if problems.is_empty() {
            report.passed += 1;
        } else {
            group.divergences += 1;
            report
                .divergences
                .push(divergence(probe, problems, &answer));
        }
        if let Some(bar) = &progress {
            bar.inc(1);
        }
    }
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    Ok(report)
}

/// The command line's own mistakes, said before any request is sent.
fn check_arguments(args: &Args) -> Result<(), String> {
    if !(args.url.starts_with("http://") || args.url.starts_with("https://")) {
        return Err(format!(
            "{}: the URL must start with http:// or https://",
            args.url
        ));
    }
    let paths = args.paths.iter().chain(&args.preflight_path);
    if let Some(path) = paths.into_iter().find(|p| !p.starts_with('/')) {
        return Err(format!("path {path:?} must start with /"));
    }
    if args.timeout == 0 {
        return Err("--timeout must be at least 1 second".into());
    }
    if !args.rate.is_finite() || args.rate <= 0.0 {
        return Err("--rate must be more than 0 requests per second".into());
    }
    Ok(())
}

fn progress(format: Format, total: usize) -> Option<indicatif::ProgressBar> {
    (format == Format::Human && std::io::stderr().is_terminal())
        .then(|| indicatif::ProgressBar::new(total as u64))
}

fn send(agent: &ureq::Agent, base: &str, probe: &Probe) -> Result<Answer, String> {
    let headers = probe.wire_headers();
    let sent = headers.iter().map(|(n, v)| (*n, v.as_bytes()));
    http::send(
        agent,
        probe.wire_method(),
        &format!("{base}{}", probe.path),
        sent,
        None,
    )
}

fn divergence(probe: Probe, problems: Vec<String>, answer: &Answer) -> Divergence {
    let mut request = vec![format!("{} {}", probe.wire_method(), probe.path)];
    request.extend(
        probe
            .wire_headers()
            .iter()
            .map(|(n, v)| format!("{n}: {v}")),
    );
    let response = answer
        .headers
        .iter()
        .filter(|(n, _)| n.starts_with("access-control-") || n == "vary" || n == "location")
        .map(|(n, v)| format!("{n}: {}", String::from_utf8_lossy(v)))
        .collect();
    Divergence {
        probe,
        problems,
        request,
        status: answer.status,
        response,
    }
}

fn print_human(report: &Report) {
    let mut table = Table::new();
    table
        .load_style(UTF8_FULL_CONDENSED)
        .set_header(["what", "probes", "honoured", "divergences"]);
    for (group, count) in &report.groups {
        table.add_row([
            group.name().to_owned(),
            count.probes.to_string(),
            (count.probes - count.divergences).to_string(),
            count.divergences.to_string(),
        ]);
    }
    println!(
        "{} against {}:\n{table}",
        report.url,
        report.policy.display()
    );
    for divergence in &report.divergences {
        let probe = &divergence.probe;
        let credentials = if probe.credentials {
            ", credentials included"
        } else {
            ""
        };
        println!("\n✗ {}: {}{credentials}", probe.group.name(), probe.label);
        for problem in &divergence.problems {
            println!("  - {problem}");
        }
        for line in &divergence.request {
            println!("    > {line}");
        }
        println!("    < {}", divergence.status);
        for line in &divergence.response {
            println!("    < {line}");
        }
    }
    let verdict = if report.divergences.is_empty() {
        "the server honours the policy".to_owned()
    } else {
        format!(
            "{} of {} probes diverge from the policy",
            report.divergences.len(),
            report.probes
        )
    };
    println!(
        "\n{} probes, {} honoured: {verdict}.",
        report.probes, report.passed
    );
}
