//! `cargo xtask conformance`: the shared case table, over real sockets, against every
//! example server (and, with `--reference`, against servers built on each framework's
//! own CORS middleware).

mod browser;
pub mod client;
mod limits;
mod matrix;
mod report;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use cors_bench::servers;
use cors_cases::{Case, Family, Outcome};
use serde::Serialize;

use client::Observed;
use servers::{Server, StartError, Target};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Only these frameworks (axum, actix, rocket, warp); repeat for several.
    #[arg(long, value_name = "NAME")]
    framework: Vec<String>,
    /// Only cases whose `family/name` contains this text.
    #[arg(long, value_name = "TEXT")]
    filter: Option<String>,
    /// Write every result, with requests and responses, to this file: a page to open in
    /// a browser when its name ends in `.html` (checked in headless Chromium, with a
    /// screenshot beside it), JSON otherwise.
    #[arg(long, value_name = "FILE")]
    report: Option<PathBuf>,
    /// Add columns for each framework's existing CORS middleware.
    #[arg(long)]
    reference: bool,
    /// Also run the browser cases in real browsers (every engine unless --engine says).
    #[arg(long)]
    browser: bool,
    /// With --browser, only these engines: chromium, firefox, webkit (comma-separated or
    /// repeated).
    #[arg(long, value_name = "NAME", requires = "browser")]
    engine: Vec<String>,
}

/// What happened to one case on one server.
#[derive(Debug, Clone, Serialize)]
pub struct CaseResult {
    pub column: &'static str,
    pub family: String,
    pub case: String,
    pub status: ResultStatus,
    /// What was wrong, one line each; empty when it passed.
    pub problems: Vec<String>,
    /// Why a case passed although the answer differs from the table's.
    pub note: Option<String>,
    /// For a case with an expected browser verdict: whether the verdict reached from
    /// the response agrees with it.
    pub verdict_agrees: Option<bool>,
    /// The request as sent (over a raw socket: its bytes, escaped).
    pub request: String,
    /// The response status and headers, or why there was none.
    pub response: Option<ResponseRecord>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ResultStatus {
    Passed,
    Failed,
    /// A comparison server cannot express the policy.
    CannotExpress,
    /// Failed because the framework answers before any middleware runs (see
    /// `xtask/framework-limits.toml`).
    FrameworkLimit,
    /// The server's answers are right by the Fetch Standard, and the browser engine
    /// concludes otherwise.
    Divergence,
}

impl ResultStatus {
    /// The status as one mark, in the matrices and the report.
    pub fn mark(self) -> &'static str {
        match self {
            ResultStatus::Passed => "✓",
            ResultStatus::Failed => "✗",
            ResultStatus::Divergence => matrix::DIVERGENCE,
            ResultStatus::CannotExpress => "n/e",
            ResultStatus::FrameworkLimit => "fw",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ResponseRecord {
    pub status: u16,
    pub headers: Vec<(String, String)>,
}

/// Runs the conformance suite; fails if any of our servers fails a case.
pub fn run(args: &Args) -> Result<ExitCode, String> {
    let families = select_cases(
        cors_cases::load_all::<cors_core::PolicyConfig>().map_err(|e| e.to_string())?,
        args.filter.as_deref(),
    );
    let targets = select_targets(args)?;
    if families.iter().all(|f| f.cases.is_empty()) && !args.browser {
        return Err("no case matches the filter".into());
    }
    let engines = if args.browser {
        // Before anything is built: never report a pass that could not be run.
        browser::find_all(&browser::Engine::parse_list(&args.engine)?)?
    } else {
        Vec::new()
    };
    servers::stop_children_on_interrupt();
    servers::build(&targets, false)?;
    let bin_dir = servers::target_dir().join("debug");
    let work = tempdir()?;
    let mut results = Vec::new();
    let progress = matrix::Progress::new(count_runs(&families, &targets));
    for target in &targets {
        results.extend(run_target(
            target,
            &bin_dir.join(target.binary),
            &families,
            &work,
            &progress,
        ));
    }
    progress.finish();
    limits::apply(&targets, &mut results)?;
    let mut rows: Vec<String> = families
        .iter()
        .filter(|f| !f.cases.is_empty())
        .map(|f| f.family.clone())
        .collect();
    let mut runs = Vec::new();
    for installed in &engines {
        let (mut engine_results, run) =
            run_browser(installed, &targets, &bin_dir, &work, args.filter.as_deref())?;
        limits::apply(&targets, &mut engine_results)?;
        results.extend(engine_results);
        rows.push(browser::family(run.engine));
        runs.push(run);
    }
    let _ = std::fs::remove_dir_all(&work);
    matrix::print(&rows, &targets, &results, &runs);
    if let Some(path) = &args.report {
        write_report(path, &rows, &targets, &results, &runs)?;
    }
    let ours_failed = results
        .iter()
        .any(|r| r.status == ResultStatus::Failed && is_ours(&targets, r.column));
    Ok(if ours_failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// Every browser case against every server, in one session of one engine: the engines
/// run one after the other, one browser process at a time.
fn run_browser(
    installed: &browser::Installed,
    targets: &[Target],
    bin_dir: &Path,
    work: &Path,
    filter: Option<&str>,
) -> Result<(Vec<CaseResult>, browser::EngineRun), String> {
    let engine = installed.engine;
    let (policies, mut cases) = browser::load_cases()?;
    if let Some(filter) = filter {
        cases.retain(|case| format!("{}/{}", browser::family(engine), case.name).contains(filter));
    }
    let session = browser::Session::start(installed, &browser::hosts_of(&cases))?;
    eprintln!(
        "running {} browser cases in {engine} {}...",
        cases.len() * targets.len(),
        session.version
    );
    let started = std::time::Instant::now();
    let mut results = Vec::new();
    for target in targets {
        results.extend(session.run_target(
            target,
            &bin_dir.join(target.binary),
            &policies,
            &cases,
            work,
        ));
    }
    let run = browser::EngineRun {
        engine,
        version: session.version.clone(),
        seconds: started.elapsed().as_secs_f64(),
    };
    session.stop();
    Ok((results, run))
}

fn is_ours(targets: &[Target], column: &str) -> bool {
    targets.iter().any(|t| t.column == column && t.ours)
}

fn select_cases(mut families: Vec<Family>, filter: Option<&str>) -> Vec<Family> {
    if let Some(filter) = filter {
        for family in &mut families {
            let name = family.family.clone();
            family
                .cases
                .retain(|case| format!("{name}/{}", case.name).contains(filter));
        }
    }
    families
}

fn select_targets(args: &Args) -> Result<Vec<Target>, String> {
    let pairs = servers::select(&args.framework)?;
    let peers = pairs
        .iter()
        .map(|&(_, peer)| peer)
        .filter(|_| args.reference);
    Ok(pairs.iter().map(|&(ours, _)| ours).chain(peers).collect())
}

fn count_runs(families: &[Family], targets: &[Target]) -> u64 {
    let cases: usize = families.iter().map(|f| f.cases.len()).sum();
    (cases * targets.len()) as u64
}

fn tempdir() -> Result<PathBuf, String> {
    let dir = std::env::temp_dir().join(format!("cors-conformance-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    Ok(dir)
}

/// Runs every selected case against one server binary, starting it once per policy.
fn run_target(
    target: &Target,
    binary: &Path,
    families: &[Family],
    work: &Path,
    progress: &matrix::Progress,
) -> Vec<CaseResult> {
    let agent = client::agent();
    let mut results = Vec::new();
    for family in families {
        for (policy_name, cases) in cases_by_policy(family) {
            let file = work.join(format!("{}-{policy_name}.json", family.family));
            let written = std::fs::write(&file, family.policies[policy_name].json_text());
            let start = || {
                written
                    .as_ref()
                    .map_err(|e| StartError::Failed(format!("cannot write the policy file: {e}")))
                    .and_then(|()| Server::start(binary, &file))
            };
            let mut started = start();
            for case in cases {
                let result = match &mut started {
                    Ok(server) => run_case(target, family, case, &agent, server),
                    Err(error) => not_started(target, family, case, error),
                };
                // A server that died fails the case that killed it; the rest of its
                // cases get a fresh one.
                let crashed = started.as_mut().is_ok_and(|server| !server.is_running());
                if crashed {
                    started = start();
                }
                progress.tick(target.column, &result);
                results.push(result);
            }
        }
    }
    results
}

fn cases_by_policy(family: &Family) -> BTreeMap<&str, Vec<&Case>> {
    let mut by_policy: BTreeMap<&str, Vec<&Case>> = BTreeMap::new();
    for case in &family.cases {
        by_policy
            .entry(case.policy.as_str())
            .or_default()
            .push(case);
    }
    by_policy
}

fn run_case(
    target: &Target,
    family: &Family,
    case: &Case,
    agent: &ureq::Agent,
    server: &Server,
) -> CaseResult {
    let request = describe_request(server, case);
    match client::send(agent, server.addr, case) {
        Ok(observed) => {
            let problems = cors_cases::check_response(case, observed.status, &observed.headers);
            let note = rejected_before_cors(case, &observed);
            let verdict_agrees = case
                .expect
                .verdict
                .map(|_| !problems.iter().any(|p| p.header == ":verdict"));
            let passed = problems.is_empty() || note.is_some();
            CaseResult {
                column: target.column,
                family: family.family.clone(),
                case: case.name.clone(),
                status: if passed {
                    ResultStatus::Passed
                } else {
                    ResultStatus::Failed
                },
                problems: problems.iter().map(ToString::to_string).collect(),
                note,
                verdict_agrees,
                request,
                response: Some(record(&observed)),
            }
        }
        Err(error) => CaseResult {
            column: target.column,
            family: family.family.clone(),
            case: case.name.clone(),
            status: ResultStatus::Failed,
            problems: vec![error],
            note: None,
            verdict_agrees: case.expect.verdict.map(|_| false),
            request,
            response: None,
        },
    }
}

fn not_started(target: &Target, family: &Family, case: &Case, error: &StartError) -> CaseResult {
    let (status, problem) = match error {
        StartError::CannotExpress(why) => (
            ResultStatus::CannotExpress,
            format!("cannot express this policy: {why}"),
        ),
        StartError::Failed(why) => (
            ResultStatus::Failed,
            format!("the server did not start: {why}"),
        ),
    };
    CaseResult {
        column: target.column,
        family: family.family.clone(),
        case: case.name.clone(),
        status,
        problems: vec![problem],
        note: None,
        verdict_agrees: case
            .expect
            .verdict
            .map(|_| status == ResultStatus::CannotExpress),
        request: String::new(),
        response: None,
    }
}

/// The request as it goes on the wire, for failure reports; long values are cut.
fn describe_request(server: &Server, case: &Case) -> String {
    let raw = client::raw_request(server.addr, case);
    let text = raw.escape_ascii().to_string().replace("\\r\\n", "\n");
    if text.len() > 600 {
        format!("{}... ({} bytes)", &text[..600], raw.len())
    } else {
        text
    }
}

/// A request no browser can send (two `Origin` headers, bytes that are not UTF-8, a
/// megabyte header) may be refused by the framework's HTTP layer before any middleware
/// runs. That is a correct answer when the table expects a refusal and nothing was
/// allowed: the browser is blocked either way.
fn rejected_before_cors(case: &Case, observed: &Observed) -> Option<String> {
    let expects_refusal = matches!(
        case.expect.outcome,
        Outcome::PreflightRefused | Outcome::ActualRefused
    );
    // Statuses only an HTTP layer sends; a 400 could be a CORS middleware's own refusal.
    let client_error = matches!(observed.status, 413 | 414 | 431);
    let allowed_anything = observed
        .headers
        .iter()
        .any(|(n, _)| n.starts_with("access-control-"));
    (observed.raw && expects_refusal && client_error && !allowed_anything).then(|| {
        format!(
            "refused with {} by the framework's HTTP layer, before the CORS layer",
            observed.status
        )
    })
}

fn record(observed: &Observed) -> ResponseRecord {
    ResponseRecord {
        status: observed.status,
        headers: observed
            .headers
            .iter()
            .map(|(n, v)| (n.clone(), v.escape_ascii().to_string()))
            .collect(),
    }
}

fn write_report(
    path: &Path,
    rows: &[String],
    targets: &[Target],
    results: &[CaseResult],
    runs: &[browser::EngineRun],
) -> Result<(), String> {
    let html = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("html"));
    let text = if html {
        report::html(rows, targets, results, runs)
    } else {
        serde_json::to_string_pretty(results).map_err(|e| e.to_string())?
    };
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    eprintln!("report written to {}", path.display());
    if html {
        let screenshot = path.with_extension("png");
        report::check_in_chromium(path, &screenshot, &report::counts(results))?;
        eprintln!(
            "report checked in headless Chromium; screenshot in {}",
            screenshot.display()
        );
    }
    Ok(())
}
