//! The figures as markdown, the targets of the issue met or missed, and BENCHMARKS.md,
//! whose sections each run replaces (the rest of the file, analysis included, is kept).

use std::fmt::Write;
use std::path::Path;
use std::process::Command;

use super::callgrind::{CallgrindFramework, Count};
use super::criterion::CriterionResult;
use super::wrk::{Report, Scenario};
use super::{
    median, HostileResult, HostileRound, HostileRow, Role, WireFramework, WireResult, ROLES,
};

/// How the wire and hostile runs were made.
pub struct Conditions {
    /// [`machine`], read before the run.
    pub machine: String,
    pub wrk_command: String,
    /// The hostile flood's wrk.
    pub flood_command: String,
    pub pinning: String,
    pub rounds: u32,
    pub seconds: u32,
    pub connections: u32,
    pub policy: String,
}

/// Targets of the issue.
const GET_OURS_OVER_BARE: f64 = 0.97;
const OURS_OVER_PEER: f64 = 1.0;
const ACTUAL_ALLOWED_NS: f64 = 30.0;
const PREFLIGHT_ALLOWED_NS: f64 = 120.0;
const ADVERSARIAL_OVER_PREFLIGHT: f64 = 5.0;
/// What "does not collapse" and "stays flat" mean here, against the bare app under the
/// same flood (which pays the framework's own cost of the big requests).
const FLOOD_RATIO_OF_BARE: f64 = 0.8;
const FLOOD_GROWTH_KIB: u64 = 1024;

/// `(target, where, figure, met)`.
type TargetRow = (String, String, String, Option<bool>);

impl WireFramework {
    fn rps(&self, scenario: Scenario, role: Role) -> Option<f64> {
        let runs = self.role_runs(scenario, role)?;
        median(runs.iter().map(|r| r.requests_per_sec))
    }

    fn p99_us(&self, scenario: Scenario, role: Role) -> Option<f64> {
        let runs = self.role_runs(scenario, role)?;
        median(runs.iter().map(|r| r.p99_us))
    }

    fn role_runs(&self, scenario: Scenario, role: Role) -> Option<&[Report]> {
        let (_, runs) = self.runs.iter().find(|(s, _)| *s == scenario)?;
        let i = ROLES.iter().position(|&r| r == role)?;
        Some(&runs[i])
    }

    /// The median of the rounds' ratios: each round's pair of runs was made minutes
    /// apart at most, so a machine that drifts between rounds shifts both alike.
    fn ratio(&self, scenario: Scenario, over: Role) -> Option<f64> {
        let ours = self.role_runs(scenario, Role::Ours)?;
        let other = self.role_runs(scenario, over)?;
        let pairs = ours.iter().zip(other);
        median(pairs.map(|(o, b)| o.requests_per_sec / b.requests_per_sec))
    }

    fn targets(&self) -> Vec<TargetRow> {
        let row = |target: String, ratio: Option<f64>, min: f64| {
            (
                target,
                self.name.to_owned(),
                ratio.map_or("n/a".into(), |r| format!("{r:.3}")),
                ratio.map(|r| r >= min),
            )
        };
        vec![
            row(
                format!("ours/bare ≥ {GET_OURS_OVER_BARE}, simple GET"),
                self.ratio(Scenario::SimpleGet, Role::Bare),
                GET_OURS_OVER_BARE,
            ),
            row(
                format!("ours/peer ≥ {OURS_OVER_PEER:.1}, simple GET"),
                self.ratio(Scenario::SimpleGet, Role::Peer),
                OURS_OVER_PEER,
            ),
            row(
                format!("ours/peer ≥ {OURS_OVER_PEER:.1}, preflight"),
                self.ratio(Scenario::Preflight, Role::Peer),
                OURS_OVER_PEER,
            ),
        ]
    }
}

impl WireResult {
    pub fn all_met(&self) -> bool {
        let targets = self.frameworks.iter().flat_map(WireFramework::targets);
        targets.into_iter().all(|(_, _, _, met)| met != Some(false))
    }
}

impl HostileRow {
    /// The median of the rounds' ratios (beside the flood / alone).
    fn ratio(&self) -> f64 {
        let ratios = self
            .rounds
            .iter()
            .map(|r| r.beside_flood.requests_per_sec / r.alone.requests_per_sec);
        median(ratios).unwrap_or(f64::NAN)
    }

    fn median_of(&self, figure: impl Fn(&HostileRound) -> f64) -> f64 {
        median(self.rounds.iter().map(figure)).unwrap_or(f64::NAN)
    }

    fn flood_requests(&self) -> u64 {
        self.rounds.iter().map(|r| r.flood.requests).sum()
    }

    fn growth_kib(&self) -> Option<u64> {
        Some(self.peak_after_kib?.saturating_sub(self.peak_before_kib?))
    }
}

impl HostileResult {
    fn pairs(&self) -> impl Iterator<Item = (&HostileRow, Option<&HostileRow>)> {
        self.rows
            .iter()
            .filter(|r| r.role == Role::Ours)
            .map(|ours| {
                let bare = self
                    .rows
                    .iter()
                    .find(|r| r.role == Role::Bare && r.framework == ours.framework);
                (ours, bare)
            })
    }

    fn targets(&self) -> Vec<TargetRow> {
        let mut rows = Vec::new();
        for (ours, bare) in self.pairs() {
            let bare_ratio = bare.map_or(1.0, HostileRow::ratio);
            rows.push((
                format!("normal traffic beside the flood ≥ {FLOOD_RATIO_OF_BARE} × the bare app's ratio"),
                ours.framework.to_owned(),
                format!("{:.3} (bare {bare_ratio:.3})", ours.ratio()),
                Some(ours.ratio() >= FLOOD_RATIO_OF_BARE * bare_ratio),
            ));
            let bare_growth = bare.and_then(HostileRow::growth_kib).unwrap_or(0);
            let growth = ours.growth_kib();
            rows.push((
                format!("VmHWM growth ≤ the bare app's + {FLOOD_GROWTH_KIB} KiB"),
                ours.framework.to_owned(),
                growth.map_or("n/a".into(), |g| {
                    format!("{g} KiB (bare {bare_growth} KiB)")
                }),
                growth.map(|g| g <= bare_growth + FLOOD_GROWTH_KIB),
            ));
        }
        rows
    }

    pub fn all_held(&self) -> bool {
        self.targets()
            .iter()
            .all(|(_, _, _, met)| *met != Some(false))
    }
}

impl CriterionResult {
    fn targets(&self) -> Vec<TargetRow> {
        let ns = |f: &str| self.median_ns("decision", f);
        let mut rows = Vec::new();
        for (function, max) in [
            ("actual allowed", ACTUAL_ALLOWED_NS),
            ("preflight allowed, 3 headers", PREFLIGHT_ALLOWED_NS),
        ] {
            let time = ns(function);
            rows.push((
                format!("< {max} ns"),
                function.to_owned(),
                time.map_or("n/a".into(), format_ns),
                time.map(|t| t < max),
            ));
            let allocations = self.allocations(function);
            rows.push((
                "0 allocations".to_owned(),
                function.to_owned(),
                allocations.map_or("n/a".into(), |n| n.to_string()),
                allocations.map(|n| n == 0),
            ));
        }
        let normal = ns("preflight allowed, 3 headers");
        for function in [
            "preflight adversarial, 1024 commas",
            "preflight adversarial, 64 KiB of names",
        ] {
            let ratio = ns(function).zip(normal).map(|(t, n)| t / n);
            rows.push((
                format!("≤ {ADVERSARIAL_OVER_PREFLIGHT}× an allowed preflight"),
                function.to_owned(),
                ratio.map_or("n/a".into(), |r| format!("{r:.2}×")),
                ratio.map(|r| r <= ADVERSARIAL_OVER_PREFLIGHT),
            ));
        }
        rows
    }

    pub fn all_met(&self) -> bool {
        self.targets()
            .iter()
            .all(|(_, _, _, met)| *met != Some(false))
    }
}

/// The wire section.
pub fn wire(conditions: &Conditions, result: &WireResult) -> String {
    let mut md = String::new();
    let _ = writeln!(md, "## Over the wire: `cargo xtask bench`\n");
    md += &header(conditions);
    let _ = writeln!(
        md,
        "{} round(s) of {} s per server and scenario, the servers alternated within each round, each round starting with the next one (bare, ours, peer; ours, peer, bare; peer, bare, ours; ...); \
         figures are the medians over the rounds, and the ratios the medians of the rounds' ratios (each round's runs are seconds apart, so drift between rounds cancels out). *Bare* is the example app without CORS (`example-<fw> --no-cors`), \
         *ours* the example server (`example-<fw>`), *peer* the same app on the framework's own CORS middleware (`reference-<fw>`). \
         A bare app has no `OPTIONS` route: its preflight figures are its 404/405, no baseline.\n",
        conditions.rounds, conditions.seconds
    );
    md += "| Framework (peer) | Scenario | bare req/s | ours req/s | peer req/s | ours/bare | ours/peer | p99 bare | p99 ours | p99 peer |\n";
    md += "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n";
    for fw in &result.frameworks {
        for (scenario, _) in &fw.runs {
            let s = *scenario;
            let rps = |role| fw.rps(s, role).map_or("n/a".into(), |r| format!("{r:.0}"));
            let p99 = |role| fw.p99_us(s, role).map_or("n/a".into(), format_us);
            let over_bare = match s {
                Scenario::SimpleGet => fmt_ratio(fw.ratio(s, Role::Bare)),
                _ => "—".into(),
            };
            let _ = writeln!(
                md,
                "| {} ({}) | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                fw.name,
                fw.peer,
                s.title(),
                rps(Role::Bare),
                rps(Role::Ours),
                rps(Role::Peer),
                over_bare,
                fmt_ratio(fw.ratio(s, Role::Peer)),
                p99(Role::Bare),
                p99(Role::Ours),
                p99(Role::Peer),
            );
        }
    }
    md += "\nPeak memory of each server at the end of its runs (VmHWM from /proc/PID/status):\n\n";
    md += "| Framework | bare | ours | peer |\n|---|---:|---:|---:|\n";
    for fw in &result.frameworks {
        let kib = |i: usize| fw.peak_kib[i].map_or("n/a".into(), format_kib);
        let _ = writeln!(md, "| {} | {} | {} | {} |", fw.name, kib(0), kib(1), kib(2));
    }
    md += "\nRequests/s of every run, in the order of each round:\n\n";
    md += "| Framework | Scenario | bare | ours | peer |\n|---|---|---|---|---|\n";
    for fw in &result.frameworks {
        for (scenario, runs) in &fw.runs {
            let list = |i: usize| {
                let all: Vec<_> = runs[i]
                    .iter()
                    .map(|r| format!("{:.0}", r.requests_per_sec))
                    .collect();
                if all.is_empty() {
                    "n/a".into()
                } else {
                    all.join(", ")
                }
            };
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {} |",
                fw.name,
                scenario.title(),
                list(0),
                list(1),
                list(2)
            );
        }
    }
    let mut notes = Vec::new();
    for fw in &result.frameworks {
        if let Some(why) = &fw.peer_missing {
            notes.push(format!(
                "{}: {} cannot express the policy: {why}",
                fw.name, fw.peer
            ));
        }
        for note in &fw.notes {
            notes.push(format!("{}: {note}", fw.name));
        }
        for (scenario, runs) in &fw.runs {
            for (i, role) in ROLES.iter().enumerate() {
                if *role == Role::Bare && *scenario != Scenario::SimpleGet {
                    continue;
                }
                let bad: u64 = runs[i].iter().map(|r| r.non_2xx_3xx).sum();
                let errors: u64 = runs[i].iter().map(|r| r.socket_errors).sum();
                if bad + errors > 0 {
                    notes.push(format!(
                        "{}, {role:?}, {}: {bad} responses outside 2xx/3xx, {errors} socket errors",
                        fw.name,
                        scenario.title()
                    ));
                }
            }
        }
    }
    if !notes.is_empty() {
        md += "\nNotes:\n\n";
        for note in notes {
            let _ = writeln!(md, "- {note}");
        }
    }
    let targets: Vec<_> = result
        .frameworks
        .iter()
        .flat_map(WireFramework::targets)
        .collect();
    md += &targets_table(&targets);
    md
}

/// The hostile section.
pub fn hostile(conditions: &Conditions, result: &HostileResult) -> String {
    let mut md = String::new();
    let _ = writeln!(md, "## Hostile load: `cargo xtask bench --hostile`\n");
    md += &header(conditions);
    let _ = writeln!(
        md,
        "Normal traffic (simple GET with an allowed `Origin`, {} connections) runs alone for {} s, then for {} s beside a \
         second wrk (`{}`, same core; the script is in `xtask/src/bench/wrk.rs`) sending preflights with 16 KiB of \
         `Access-Control-Request-Headers` names and, in turn, the allowed origin and nine garbage ones (`null`, a \
         4 000-character host, a pattern, bytes 0xFF 0xFE, ...); {} round(s), medians over the rounds (the ratio is the \
         median of the rounds' ratios). The bare app (no CORS) gets the same flood: what it loses is the framework's own \
         cost of such requests. VmHWM is read after the first run alone and after the last flood.\n",
        conditions.connections,
        conditions.seconds,
        conditions.seconds,
        conditions.flood_command,
        conditions.rounds,
    );
    md += "| Framework | Server | req/s alone | req/s beside the flood | ratio | hostile preflights sent (req/s) | p99 alone | p99 beside | VmHWM before | VmHWM after |\n";
    md += "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n";
    for row in &result.rows {
        let kib = |k: Option<u64>| k.map_or("n/a".into(), format_kib);
        let _ = writeln!(
            md,
            "| {} | {} | {:.0} | {:.0} | {:.3} | {} ({:.0}) | {} | {} | {} | {} |",
            row.framework,
            match row.role {
                Role::Bare => "bare",
                _ => "ours",
            },
            row.median_of(|r| r.alone.requests_per_sec),
            row.median_of(|r| r.beside_flood.requests_per_sec),
            row.ratio(),
            row.flood_requests(),
            row.median_of(|r| r.flood.requests_per_sec),
            format_us(row.median_of(|r| r.alone.p99_us)),
            format_us(row.median_of(|r| r.beside_flood.p99_us)),
            kib(row.peak_before_kib),
            kib(row.peak_after_kib),
        );
    }
    let few: Vec<_> = result
        .rows
        .iter()
        .filter(|r| r.flood_requests() < 10_000)
        .collect();
    if !few.is_empty() {
        md += "\nFewer than 10 000 hostile preflights were sent to: ";
        md += &few
            .iter()
            .map(|r| format!("{} {:?}", r.framework, r.role))
            .collect::<Vec<_>>()
            .join(", ");
        md += " (raise --duration).\n";
    }
    md += &targets_table(&result.targets());
    md
}

/// The callgrind section: instructions and allocator calls per request.
pub fn callgrind(conditions: &Conditions, result: &[CallgrindFramework]) -> String {
    let mut md = String::new();
    let _ = writeln!(
        md,
        "## Instructions per request: `cargo xtask bench --callgrind`
"
    );
    let valgrind = Command::new("valgrind")
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    let policy = conditions
        .policy
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'));
    let _ = writeln!(
        md,
        "{}; {valgrind}.\n\nEach server runs under `valgrind --tool=callgrind` ({}), the same wrk scripts as \
         above drive it with 4 connections: 2 s unmeasured, then the counters are zeroed (`callgrind_control -z`), \
         {} s measured, and dumped (`callgrind_control -d`). Figures are per request: the user-space instructions of \
         the whole server (the framework, the app, the middleware; not the kernel's loopback TCP and epoll, which \
         is why a difference in instructions shows as a smaller one in requests per second), and its calls to \
         `malloc`, `calloc` and `realloc`. Unlike requests per second, they hardly move from one run to the next \
         (about 1 %: the runtime's periodic work is spread over the requests), whatever else the machine does. Same \
         policy as above:\n\n```toml\n{}\n```\n",
        conditions.machine.trim().trim_end_matches('.'),
        conditions.pinning,
        conditions.seconds,
        policy.collect::<Vec<_>>().join("\n").trim(),
    );
    md += "| Framework (peer) | Scenario | bare | ours | peer | ours − bare | ours − peer | allocations bare / ours / peer |\n";
    md += "|---|---|---:|---:|---:|---:|---:|---|\n";
    for framework in result {
        for (scenario, counts) in &framework.counts {
            let [bare, ours, peer] = counts;
            let ipr = |c: &Option<Count>| c.map(|c| c.instructions_per_request());
            let cell = |c: &Option<Count>| ipr(c).map_or("n/e".into(), |i| format!("{i:.0}"));
            let delta = |a: Option<f64>, b: Option<f64>| match (a, b) {
                (Some(a), Some(b)) => format!("{:+.0} ({:+.1} %)", a - b, (a / b - 1.0) * 100.0),
                _ => "—".into(),
            };
            let bare_cell = match scenario {
                // A bare app answers a preflight with its 404 or 405: no baseline.
                Scenario::Preflight => format!("({})", cell(bare)),
                _ => cell(bare),
            };
            let over_bare = match scenario {
                Scenario::Preflight => "—".into(),
                _ => delta(ipr(ours), ipr(bare)),
            };
            let allocations = [bare, ours, peer]
                .map(|c| {
                    c.map_or("n/e".into(), |c| {
                        format!("{:.1}", c.allocations_per_request())
                    })
                })
                .join(" / ");
            let _ = writeln!(
                md,
                "| {} ({}) | {} | {} | {} | {} | {} | {} | {} |",
                framework.name,
                framework.peer,
                scenario.title(),
                bare_cell,
                cell(ours),
                cell(peer),
                over_bare,
                delta(ipr(ours), ipr(peer)),
                allocations,
            );
        }
    }
    md
}

/// The criterion section.
pub fn criterion(
    machine: &str,
    result: &CriterionResult,
    (warm_up, measurement): (f64, f64),
) -> String {
    let mut md = String::new();
    let _ = writeln!(
        md,
        "## In process: criterion (`cargo xtask bench --criterion`)\n"
    );
    let _ = writeln!(md, "{machine}");
    let _ = writeln!(
        md,
        "`cargo bench -p cors-core --bench decision` and `cargo bench -p cors-axum -p cors-actix -p cors-rocket -p cors-warp --bench adapter`, \
         with `-- --warm-up-time {warm_up} --measurement-time {measurement}`; median time per iteration.\n"
    );
    md += "### cors-core: one decision, headers written\n\n| Decision | median | allocations |\n|---|---:|---:|\n";
    for e in result.estimates.iter().filter(|e| e.group == "decision") {
        let allocations = result
            .allocations(&e.function)
            .map_or("n/a".into(), |n| n.to_string());
        let _ = writeln!(
            md,
            "| {} | {} | {allocations} |",
            e.function,
            format_ns(e.median_ns)
        );
    }
    md += "\n### Adapters: one request through the example app, in process\n\n";
    md += "Throughput ratios are inverse time ratios (ours/bare = bare time / our time).\n\n";
    md +=
        "| Group | bare | ours | peer | ours/bare | ours/peer |\n|---|---:|---:|---:|---:|---:|\n";
    let mut groups: Vec<&str> = result
        .estimates
        .iter()
        .map(|e| e.group.as_str())
        .filter(|g| *g != "decision")
        .collect();
    groups.dedup();
    for group in groups {
        let functions: Vec<_> = result
            .estimates
            .iter()
            .filter(|e| e.group == group)
            .collect();
        let find = |name: &str| {
            functions
                .iter()
                .find(|e| e.function == name)
                .map(|e| e.median_ns)
        };
        let bare = find("bare");
        let ours = functions
            .iter()
            .find(|e| e.function.starts_with("cors-"))
            .map(|e| e.median_ns);
        let peer = functions
            .iter()
            .find(|e| e.function != "bare" && !e.function.starts_with("cors-"));
        let ratio = |other: Option<f64>| other.zip(ours).map(|(o, u)| o / u);
        let over_bare = if group.ends_with("preflight") {
            "—".into()
        } else {
            fmt_ratio(ratio(bare))
        };
        let _ = writeln!(
            md,
            "| {group} | {} | {} | {} | {over_bare} | {} |",
            bare.map_or("n/a".into(), format_ns),
            ours.map_or("n/a".into(), format_ns),
            peer.map_or("n/a".into(), |p| format!(
                "{} ({})",
                format_ns(p.median_ns),
                p.function
            )),
            fmt_ratio(ratio(peer.map(|p| p.median_ns))),
        );
    }
    md += &targets_table(&result.targets());
    md
}

fn header(conditions: &Conditions) -> String {
    let policy = conditions
        .policy
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'));
    format!(
        "{}\nwrk: `{}` ({}). Policy of every server:\n\n```toml\n{}\n```\n\n",
        conditions.machine,
        conditions.wrk_command,
        conditions.pinning,
        policy.collect::<Vec<_>>().join("\n").trim(),
    )
}

/// Date, cores, CPU, memory, compiler, wrk and the load average: call it before a run.
pub fn machine() -> String {
    let run = |program: &str, args: &[&str]| {
        Command::new(program)
            .args(args)
            .output()
            .ok()
            .map(|o| {
                let text = if o.stdout.is_empty() {
                    o.stderr
                } else {
                    o.stdout
                };
                String::from_utf8_lossy(&text)
                    .lines()
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .to_owned()
            })
            .unwrap_or_else(|| "unknown".into())
    };
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = field(&cpuinfo, "model name").unwrap_or("unknown CPU");
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let memory = field(&meminfo, "MemTotal")
        .and_then(|m| m.trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or("unknown".into(), |kib| {
            format!("{:.1} GiB", kib as f64 / 1048576.0)
        });
    format!(
        "Run on {} — {} cores (`nproc`), {model}, {memory} of memory; {}; {}; load average before the run: {}.\n",
        run("date", &["-u"]),
        run("nproc", &[]),
        run("rustc", &["-V"]),
        run("wrk", &["-v"]),
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" "),
    )
}

fn field<'a>(text: &'a str, name: &str) -> Option<&'a str> {
    text.lines()
        .find(|l| l.starts_with(name))
        .and_then(|l| l.split_once(':'))
        .map(|(_, value)| value.trim())
}

fn targets_table(rows: &[TargetRow]) -> String {
    let mut md = String::from(
        "\nTargets of the issue:\n\n| Target | Where | Figure | Met |\n|---|---|---:|---|\n",
    );
    for (target, place, figure, met) in rows {
        let met = match met {
            Some(true) => "yes",
            Some(false) => "**no**",
            None => "n/a",
        };
        let _ = writeln!(md, "| {target} | {place} | {figure} | {met} |");
    }
    md
}

fn fmt_ratio(ratio: Option<f64>) -> String {
    ratio.map_or("n/a".into(), |r| format!("{r:.3}"))
}

fn format_us(us: f64) -> String {
    if us < 1000.0 {
        format!("{us:.0} µs")
    } else {
        format!("{:.2} ms", us / 1000.0)
    }
}

fn format_ns(ns: f64) -> String {
    if ns < 1000.0 {
        format!("{ns:.1} ns")
    } else if ns < 1e6 {
        format!("{:.2} µs", ns / 1e3)
    } else {
        format!("{:.2} ms", ns / 1e6)
    }
}

fn format_kib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

const BEGIN: &str = "<!-- BEGIN cargo xtask bench: ";
const END: &str = "<!-- END cargo xtask bench: ";

/// Replaces (or appends) each `(name, markdown)` section of the file, between markers.
pub fn write_sections(path: &Path, sections: &[(&str, String)]) -> Result<(), String> {
    let mut text = std::fs::read_to_string(path).unwrap_or_else(|_| {
        "# Benchmarks\n\nFigures written by `cargo xtask bench` (see `xtask/src/bench.rs`); \
         each run replaces its own sections and keeps the rest of this file.\n"
            .to_owned()
    });
    for (name, markdown) in sections {
        text = replace_section(&text, name, markdown);
    }
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn replace_section(text: &str, name: &str, markdown: &str) -> String {
    let begin = format!("{BEGIN}{name} -->");
    let end = format!("{END}{name} -->");
    let block = format!("{begin}\n{}\n{end}", markdown.trim_end());
    match (text.find(&begin), text.find(&end)) {
        (Some(start), Some(stop)) if start < stop => {
            format!("{}{block}{}", &text[..start], &text[stop + end.len()..])
        }
        _ => format!("{}\n\n{block}\n", text.trim_end()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_are_replaced_in_place_and_the_rest_is_kept() {
        let first = replace_section("# B\n\nintro\n", "wire", "old figures");
        let text = format!("{first}\n## Analysis\nkept\n");
        let text = replace_section(&text, "hostile", "flood");
        let text = replace_section(&text, "wire", "new figures\n");
        assert!(text.starts_with(
            "# B\n\nintro\n\n<!-- BEGIN cargo xtask bench: wire -->\nnew figures\n<!-- END"
        ));
        assert!(!text.contains("old figures"));
        assert!(text.contains("## Analysis\nkept\n"));
        assert!(text.contains("bench: hostile -->\nflood\n<!-- END"));
    }

    #[test]
    fn formats() {
        assert_eq!(format_us(850.4), "850 µs");
        assert_eq!(format_us(1250.0), "1.25 ms");
        assert_eq!(format_ns(25.04), "25.0 ns");
        assert_eq!(format_ns(2500.0), "2.50 µs");
        assert_eq!(
            field("model name\t: Some CPU\n", "model name"),
            Some("Some CPU")
        );
    }
}
