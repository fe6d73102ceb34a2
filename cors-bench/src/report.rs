//! The figures as markdown, and BENCHMARKS.md, whose sections each run replaces (the rest
//! of the file, what we aim for and the analysis included, is kept). The report shows
//! what was measured and the ratios; it judges nothing: what the figures should be is
//! said in BENCHMARKS.md, in prose.

use std::fmt::Write;
use std::path::Path;
use std::process::Command;

use comfy_table::{presets::ASCII_MARKDOWN, CellAlignment, Table};

use crate::callgrind::CallgrindFramework;
use crate::criterion::{CriterionResult, Estimate};
use crate::wrk::{Report, Scenario};
use crate::{
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

    /// What ours adds to a request's time over the bare app, in units of what the floor
    /// adds: (1/ours − 1/bare) ÷ (1/floor − 1/bare), from the medians. `None` when the
    /// floor's own cost is within the wire's noise (under [`WIRE_NOISE`] of the bare
    /// app's time): a ratio of two differences that small is noise itself.
    fn overhead(&self, scenario: Scenario) -> Option<f64> {
        let time = |role| self.rps(scenario, role).map(|rps| 1.0 / rps);
        let (bare, floor, ours) = (time(Role::Bare)?, time(Role::Floor)?, time(Role::Ours)?);
        ((floor - bare) / bare >= WIRE_NOISE).then(|| overhead_ratio(bare, floor, ours))
    }
}

/// How much requests per second move between runs of the same server on a shared
/// two-core machine: a difference below it is not a measurement.
pub const WIRE_NOISE: f64 = 0.05;

/// (ours − bare) ÷ (floor − bare): 1.0 when ours costs what the floor costs above the
/// bare app, 2.0 when twice that.
pub fn overhead_ratio(bare: f64, floor: f64, ours: f64) -> f64 {
    (ours - bare) / (floor - bare)
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
}

/// The wire section.
pub fn wire(conditions: &Conditions, result: &WireResult) -> String {
    let mut md = String::new();
    let _ = writeln!(md, "## Over the wire: `cargo xtask bench`\n");
    md += &header(conditions);
    let _ = writeln!(
        md,
        "{} round(s) of {} s per server and scenario, the servers alternated within each round, each round starting with the next one (bare, floor, ours, peer; floor, ours, peer, bare; ...); \
         figures are the medians over the rounds, and the ratios the medians of the rounds' ratios (each round's runs are seconds apart, so drift between rounds cancels out). *Bare* is the example app without CORS (`example-<fw> --no-cors`), \
         *floor* the same app behind the least work a CORS layer can do on that framework, the prebuilt headers of the scenario without a decision (`floor-<fw>`), \
         *ours* the example server (`example-<fw>`), *peer* the same app on the framework's own CORS middleware (`reference-<fw>`). \
         *Overhead ÷ floor's* is what ours adds to a request's time over the bare app in units of what the floor adds, (1/ours − 1/bare) ÷ (1/floor − 1/bare) from the medians: 1.0 is the floor; *within noise* when the floor itself costs less than 5 % of the bare app's time, too little for a ratio (the callgrind section below gives it exactly). \
         A bare app has no `OPTIONS` route: its preflight figures are its 404/405, no baseline.\n",
        conditions.rounds, conditions.seconds
    );
    let mut rows = Vec::new();
    for fw in &result.frameworks {
        for &(s, _) in &fw.runs {
            let rps = |role| fw.rps(s, role).map_or("n/a".into(), |r| format!("{r:.0}"));
            let p99 = ROLES.map(|role| fw.p99_us(s, role).map_or("n/a".into(), format_us));
            // A bare app answers a preflight with its 404 or 405: no baseline.
            let (over_bare, overhead) = match s {
                Scenario::SimpleGet => (
                    fmt_ratio(fw.ratio(s, Role::Bare)),
                    fw.overhead(s)
                        .map_or("within noise".into(), |r| format!("{r:.3}")),
                ),
                _ => ("—".into(), "—".into()),
            };
            rows.push(vec![
                format!("{} ({})", fw.name, fw.peer),
                s.title().to_owned(),
                rps(Role::Bare),
                rps(Role::Floor),
                rps(Role::Ours),
                rps(Role::Peer),
                over_bare,
                fmt_ratio(fw.ratio(s, Role::Floor)),
                fmt_ratio(fw.ratio(s, Role::Peer)),
                overhead,
                p99.join(" / "),
            ]);
        }
    }
    md += &table(
        "llrrrrrrrrl",
        &[
            "Framework (peer)",
            "Scenario",
            "bare req/s",
            "floor req/s",
            "ours req/s",
            "peer req/s",
            "ours/bare",
            "ours/floor",
            "ours/peer",
            "overhead ÷ floor's",
            "p99 bare / floor / ours / peer",
        ],
        rows,
    );
    md += "\nPeak memory of each server at the end of its runs (VmHWM from /proc/PID/status):\n\n";
    let memory = result.frameworks.iter().map(|fw| {
        let kib = |k: Option<u64>| k.map_or("n/a".into(), format_kib);
        let mut row = vec![fw.name.to_owned()];
        row.extend(fw.peak_kib.map(kib));
        row
    });
    md += &table(
        "lrrrr",
        &["Framework", "bare", "floor", "ours", "peer"],
        memory.collect(),
    );
    md += "\nRequests/s of every run, in the order of each round:\n\n";
    let mut every = Vec::new();
    for fw in &result.frameworks {
        for (scenario, runs) in &fw.runs {
            let list = |i: usize| match runs[i].as_slice() {
                [] => "n/a".to_owned(),
                runs => runs
                    .iter()
                    .map(|r| format!("{:.0}", r.requests_per_sec))
                    .collect::<Vec<_>>()
                    .join(", "),
            };
            let mut row = vec![fw.name.to_owned(), scenario.title().to_owned()];
            row.extend((0..ROLES.len()).map(list));
            every.push(row);
        }
    }
    md += &table(
        "llllll",
        &["Framework", "Scenario", "bare", "floor", "ours", "peer"],
        every,
    );
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
         second wrk (`{}`, same core; the script is in `cors-bench/src/wrk.rs`) sending preflights with 16 KiB of \
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
    let rows = result.rows.iter().map(|row| {
        let kib = |k: Option<u64>| k.map_or("n/a".into(), format_kib);
        vec![
            row.framework.to_owned(),
            if row.role == Role::Bare {
                "bare"
            } else {
                "ours"
            }
            .to_owned(),
            format!("{:.0}", row.median_of(|r| r.alone.requests_per_sec)),
            format!("{:.0}", row.median_of(|r| r.beside_flood.requests_per_sec)),
            format!("{:.3}", row.ratio()),
            format!(
                "{} ({:.0})",
                row.flood_requests(),
                row.median_of(|r| r.flood.requests_per_sec)
            ),
            format_us(row.median_of(|r| r.alone.p99_us)),
            format_us(row.median_of(|r| r.beside_flood.p99_us)),
            kib(row.peak_before_kib),
            kib(row.peak_after_kib),
        ]
    });
    md += &table(
        "llrrrrrrrr",
        &[
            "Framework",
            "Server",
            "req/s alone",
            "req/s beside the flood",
            "ratio",
            "hostile preflights sent (req/s)",
            "p99 alone",
            "p99 beside",
            "VmHWM before",
            "VmHWM after",
        ],
        rows.collect(),
    );
    let few: Vec<_> = result
        .rows
        .iter()
        .filter(|r| r.flood_requests() < 10_000)
        .collect();
    if !few.is_empty() {
        let names: Vec<_> = few
            .iter()
            .map(|r| format!("{} {:?}", r.framework, r.role))
            .collect();
        let _ = writeln!(
            md,
            "\nFewer than 10 000 hostile preflights were sent to: {} (raise --duration).",
            names.join(", ")
        );
    }
    md
}

/// The callgrind section: instructions and allocator calls per request, and the link to
/// their chart (`chart`, its path relative to the report) when there is one.
pub fn callgrind(
    conditions: &Conditions,
    result: &[CallgrindFramework],
    chart: Option<&str>,
) -> String {
    let mut md = String::new();
    let _ = writeln!(
        md,
        "## Instructions per request: `cargo xtask bench --callgrind`\n"
    );
    if let Some(chart) = chart {
        let _ = writeln!(
            md,
            "![Instructions per request: bare, floor, ours and peer on each framework]({chart})\n"
        );
    }
    let valgrind = Command::new("valgrind")
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
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
        policy(conditions),
    );
    let mut rows = Vec::new();
    for framework in result {
        for (scenario, counts) in &framework.counts {
            let [bare, floor, ours, peer] = counts.map(|c| c.map(|c| c.instructions_per_request()));
            let cell = |i: Option<f64>| i.map_or("n/e".into(), |i| format!("{i:.0}"));
            let delta = |a: Option<f64>, b: Option<f64>| match (a, b) {
                (Some(a), Some(b)) => format!("{:+.0} ({:+.1} %)", a - b, (a / b - 1.0) * 100.0),
                _ => "—".into(),
            };
            // A bare app answers a preflight with its 404 or 405: no baseline.
            let (bare_cell, over_bare, overhead) = match (scenario, bare, floor, ours) {
                (Scenario::Preflight, ..) => (format!("({})", cell(bare)), "—".into(), "—".into()),
                (_, Some(b), Some(f), Some(o)) => (
                    cell(bare),
                    delta(ours, bare),
                    format!("{:.2}", overhead_ratio(b, f, o)),
                ),
                _ => (cell(bare), delta(ours, bare), "—".into()),
            };
            let allocations = counts
                .map(|c| {
                    c.map_or("n/e".into(), |c| {
                        format!("{:.1}", c.allocations_per_request())
                    })
                })
                .join(" / ");
            rows.push(vec![
                format!("{} ({})", framework.name, framework.peer),
                scenario.title().to_owned(),
                bare_cell,
                cell(floor),
                cell(ours),
                cell(peer),
                over_bare,
                delta(ours, floor),
                overhead,
                delta(ours, peer),
                allocations,
            ]);
        }
    }
    md += &table(
        "llrrrrrrrrl",
        &[
            "Framework (peer)",
            "Scenario",
            "bare",
            "floor",
            "ours",
            "peer",
            "ours − bare",
            "ours − floor",
            "(ours − bare) ÷ (floor − bare)",
            "ours − peer",
            "allocations bare / floor / ours / peer",
        ],
        rows,
    );
    md
}

/// Whether `estimate` is its group's peer: the first function (by name) that is neither
/// the bare app nor ours (`cors-...`) nor another integration of ours (named with one of
/// our type names, `Cors::...`).
fn is_peer(result: &CriterionResult, estimate: &Estimate) -> bool {
    let candidate = |e: &&Estimate| {
        e.group == estimate.group
            && e.function != "bare"
            && !e.function.starts_with("cors-")
            && !e.function.contains("Cors::")
    };
    result.estimates.iter().find(candidate).map(|e| &e.function) == Some(&estimate.function)
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
        "`cargo bench -p cors-engine --bench decision` and `cargo bench -p cors-axum -p cors-actix -p cors-rocket -p cors-warp --bench adapter`, \
         with `-- --warm-up-time {warm_up} --measurement-time {measurement}`; median time per iteration.\n"
    );
    md += &decisions(result);
    md += &tenants(result);
    md += "\n### Adapters: one request through the example app, in process\n\n";
    md += "Throughput ratios are inverse time ratios (ours/bare = bare time / our time).\n\n";
    let mut groups: Vec<&str> = result
        .estimates
        .iter()
        .map(|e| e.group.as_str())
        .filter(|g| !CORE_GROUPS.contains(g))
        .collect();
    groups.dedup();
    let mut rows = Vec::new();
    for group in groups {
        let functions: Vec<_> = result
            .estimates
            .iter()
            .filter(|e| e.group == group)
            .collect();
        let bare = result.median_ns(group, "bare");
        let ours = functions
            .iter()
            .find(|e| e.function.starts_with("cors-"))
            .map(|e| e.median_ns);
        let peer = functions.iter().find(|e| is_peer(result, e));
        let ratio = |other: Option<f64>| other.zip(ours).map(|(o, u)| o / u);
        let over_bare = if group.ends_with("preflight") {
            "—".into()
        } else {
            fmt_ratio(ratio(bare))
        };
        rows.push(vec![
            group.to_owned(),
            bare.map_or("n/a".into(), format_ns),
            ours.map_or("n/a".into(), format_ns),
            peer.map_or("n/a".into(), |p| {
                format!("{} ({})", format_ns(p.median_ns), p.function)
            }),
            over_bare,
            fmt_ratio(ratio(peer.map(|p| p.median_ns))),
        ]);
    }
    md += &table(
        "lrrrrr",
        &["Group", "bare", "ours", "peer", "ours/bare", "ours/peer"],
        rows,
    );
    // What a group measures besides bare, ours and the peer (another integration of ours).
    let others: Vec<String> = result
        .estimates
        .iter()
        .filter(|e| !CORE_GROUPS.contains(&e.group.as_str()) && e.function != "bare")
        .filter(|e| !e.function.starts_with("cors-") && !is_peer(result, e))
        .map(|e| format!("{}: {} {}", e.group, e.function, format_ns(e.median_ns)))
        .collect();
    if !others.is_empty() {
        let _ = writeln!(md, "\nAlso measured: {}.", others.join("; "));
    }
    md
}

/// The criterion groups of `cors-core`'s bench; the others are the adapters'.
const CORE_GROUPS: [&str; 2] = ["decision", "tenants"];

/// The allocations a decision made, as the bench printed them.
fn allocations_of(result: &CriterionResult, function: &str) -> String {
    result
        .allocations(function)
        .map_or("n/a".into(), |n| n.to_string())
}

/// The table of the core's decisions, and the adversarial ones against an allowed one.
fn decisions(result: &CriterionResult) -> String {
    let mut md = String::from("### cors-core: one decision, headers written\n\n");
    let decisions = result
        .estimates
        .iter()
        .filter(|e| e.group == "decision")
        .map(|e| {
            let allocations = allocations_of(result, &e.function);
            vec![e.function.clone(), format_ns(e.median_ns), allocations]
        });
    md += &table(
        "lrr",
        &["Decision", "median", "allocations"],
        decisions.collect(),
    );
    let allowed = result.median_ns("decision", "preflight allowed, 3 headers");
    let adversarial: Vec<String> = result
        .estimates
        .iter()
        .filter(|e| e.group == "decision" && e.function.starts_with("preflight adversarial"))
        .filter_map(|e| allowed.map(|a| format!("{}: {:.2}×", e.function, e.median_ns / a)))
        .collect();
    if !adversarial.is_empty() {
        let _ = writeln!(
            md,
            "\nAdversarial preflights, in times an allowed preflight (3 headers): {}.",
            adversarial.join("; ")
        );
    }
    md
}

/// The decisions of the `tenants` group, each against the same decision under a policy
/// of one entry (BENCHMARKS.md, "Many tenants").
fn tenants(result: &CriterionResult) -> String {
    let rows: Vec<Vec<String>> = result
        .estimates
        .iter()
        .filter(|e| e.group == "tenants")
        .map(|e| {
            let versus = versus_one_entry(&e.function, e.median_ns, |one| {
                result.median_ns("tenants", one)
            });
            let allocations = allocations_of(result, &e.function);
            vec![
                e.function.clone(),
                format_ns(e.median_ns),
                allocations,
                versus,
            ]
        })
        .collect();
    if rows.is_empty() {
        return String::new();
    }
    let mut md = String::from("\n### cors-core: many tenants\n\n");
    md += &table(
        "lrrl",
        &["Decision", "median", "allocations", "vs one entry"],
        rows,
    );
    md
}

/// The section of `--decisions`: instructions per cors-core decision, each `tenants`
/// decision also against the same one under a policy of one entry.
pub fn decisions_callgrind(machine: &str, counts: &[crate::decisions::DecisionCount]) -> String {
    let mut md = String::from("## Instructions per decision: `cargo xtask bench --decisions`\n\n");
    let _ = writeln!(md, "{machine}");
    md += "Each benchmark of `cargo bench -p cors-engine --bench decision` alone under valgrind's callgrind \
           (`--bench '^NAME$' --profile-time 1`): the inclusive instructions of the benchmarked function \
           (`decide_and_write`, which decides and writes the headers) as called from criterion's loop, \
           divided by the number of those calls. These counts repeat from run to run, exactly but where a \
           hash table's per-process seed changes the probes (by about 2 % on the 10k-pattern decisions).\n\n";
    let instructions_of = |group: &str, function: &str| {
        counts
            .iter()
            .find(|c| c.group == group && c.function == function)
            .map(|c| c.instructions)
    };
    let rows: Vec<Vec<String>> = counts
        .iter()
        .map(|c| {
            let versus = if c.group == "tenants" {
                versus_one_entry(&c.function, c.instructions, |one| {
                    instructions_of("tenants", one)
                })
            } else {
                "—".into()
            };
            vec![
                c.group.clone(),
                c.function.clone(),
                format!("{:.0}", c.instructions),
                versus,
            ]
        })
        .collect();
    md += &table(
        "llrl",
        &["Group", "Decision", "instructions", "vs one entry"],
        rows,
    );
    md
}

/// A `tenants` decision's figure against its one-entry counterpart's (`figure_of`
/// reads the counterpart's), as `1.56× "one origin, allowed"`, or `—`.
fn versus_one_entry(
    function: &str,
    figure: f64,
    figure_of: impl Fn(&str) -> Option<f64>,
) -> String {
    let baseline = tenants_baseline(function).and_then(|one| figure_of(one).map(|f| (one, f)));
    baseline.map_or("—".into(), |(one, f)| {
        format!("{:.2}× \"{one}\"", figure / f)
    })
}

/// The one-entry decision a decision under the policy of 10 000 origins and 10 000
/// patterns is compared with.
fn tenants_baseline(function: &str) -> Option<&'static str> {
    let (_, case) = function.split_once("10k patterns, ")?;
    Some(match case {
        "allowed exact" => "one origin, allowed",
        "allowed by pattern" => "one pattern, allowed",
        _ => "one origin, refused",
    })
}

/// A markdown table; `align` has an `l` (left) or `r` (right, for figures) per column.
fn table(align: &str, header: &[&str], rows: Vec<Vec<String>>) -> String {
    let mut table = Table::new();
    table
        .load_style(ASCII_MARKDOWN)
        .force_no_tty()
        .set_header(header.to_vec())
        .add_rows(rows);
    for (column, side) in table.column_iter_mut().zip(align.chars()) {
        if side == 'r' {
            column.set_cell_alignment(CellAlignment::Right);
        }
    }
    // Markdown aligns a column by a colon in the line under the header, which
    // comfy-table does not write.
    let text = table.to_string();
    let mut lines = text.lines();
    let (title, rule) = (
        lines.next().unwrap_or_default(),
        lines.next().unwrap_or_default(),
    );
    let rule: Vec<String> = rule
        .split('|')
        .enumerate()
        .map(
            |(i, dashes)| match align.as_bytes().get(i.wrapping_sub(1)) {
                Some(b'r') if !dashes.is_empty() => format!("{}:", &dashes[1..]),
                _ => dashes.to_owned(),
            },
        )
        .collect();
    let mut md = format!("{title}\n{}\n", rule.join("|"));
    for line in lines {
        md.push_str(line);
        md.push('\n');
    }
    md
}

/// The policy without its comments.
fn policy(conditions: &Conditions) -> String {
    let lines = conditions
        .policy
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'));
    lines.collect::<Vec<_>>().join("\n").trim().to_owned()
}

fn header(conditions: &Conditions) -> String {
    format!(
        "{}\nwrk: `{}` ({}). Policy of every server:\n\n```toml\n{}\n```\n\n",
        conditions.machine,
        conditions.wrk_command,
        conditions.pinning,
        policy(conditions),
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
        "# Benchmarks\n\nFigures written by `cargo xtask bench` (see `cors-bench/src/lib.rs`); \
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

    #[test]
    fn tables_are_markdown_with_figures_aligned_right() {
        let rows = vec![vec!["axum (tower-http)".into(), "85489".into()]];
        assert_eq!(
            table("lr", &["Framework", "req/s"], rows),
            "| Framework         | req/s |\n\
             |-------------------|------:|\n\
             | axum (tower-http) | 85489 |\n"
        );
    }

    #[test]
    fn the_wire_section_shows_figures_and_ratios_and_judges_none() {
        let run = |requests_per_sec| Report {
            requests_per_sec,
            p99_us: 500.0,
            requests: 1000,
            non_2xx_3xx: 0,
            socket_errors: 0,
        };
        // bare, floor, ours, peer.
        let framework = |name, floor| WireFramework {
            name,
            peer: "tower-http",
            peer_missing: None,
            runs: vec![(
                Scenario::SimpleGet,
                [100.0, floor, 90.0, 80.0].map(|rps| vec![run(rps)]),
            )],
            peak_kib: [Some(2048), None, None, Some(1024)],
            notes: Vec::new(),
        };
        let result = WireResult {
            frameworks: vec![framework("axum", 95.0), framework("actix", 98.0)],
        };
        let conditions = Conditions {
            machine: "Run on a test.\n".into(),
            wrk_command: "wrk".into(),
            flood_command: "wrk".into(),
            pinning: "not pinned".into(),
            rounds: 1,
            seconds: 1,
            connections: 1,
            policy: "# comment\nallow_origins = []\n".into(),
        };
        let md = wire(&conditions, &result);
        assert!(md.contains(" 100 |") && md.contains(" 500 µs |"), "{md}");
        assert!(md.contains(" 0.900 |") && md.contains(" 1.125 |"), "{md}");
        // (1/90 − 1/100) ÷ (1/95 − 1/100); a floor 2 % above the bare app is noise.
        assert!(md.contains(" 2.111 |"), "{md}");
        assert!(md.contains(" within noise |"), "{md}");
        assert!(md.contains(" 2.0 MiB |") && md.contains(" n/a |"), "{md}");
        assert!(md.contains("```toml\nallow_origins = []\n```"), "{md}");
        assert!(!md.contains("Target") && !md.contains("Met"), "{md}");
    }

    #[test]
    fn a_second_integration_of_ours_is_listed_beside_the_peer_not_as_it() {
        let estimate = |function: &str, median_ns| Estimate {
            group: "warp: simple GET, allowed origin".into(),
            function: function.into(),
            median_ns,
        };
        let result = CriterionResult {
            estimates: vec![
                estimate("bare", 600.0),
                estimate("cors-warp", 800.0),
                estimate("filter wrapper (Cors::wrap)", 1000.0),
                estimate("warp cors()", 640.0),
            ],
            allocations: Vec::new(),
        };
        let md = criterion("Run on a test.\n", &result, (1.0, 3.0));
        assert!(md.contains("640.0 ns (warp cors())"), "{md}");
        assert!(md.contains(" 0.800 |"), "{md}");
        assert!(
            md.contains("Also measured: warp: simple GET, allowed origin: filter wrapper (Cors::wrap) 1.00 µs."),
            "{md}"
        );
    }

    #[test]
    fn many_tenants_are_compared_with_one_entry_and_kept_out_of_the_adapters() {
        let estimate = |function: &str, median_ns| Estimate {
            group: "tenants".into(),
            function: function.into(),
            median_ns,
        };
        let result = CriterionResult {
            estimates: vec![
                estimate("one origin, allowed", 20.0),
                estimate("one origin, refused", 80.0),
                estimate("one pattern, allowed", 70.0),
                estimate("10k origins + 10k patterns, allowed exact", 30.0),
                estimate("10k origins + 10k patterns, allowed by pattern", 105.0),
                estimate("10k origins + 10k patterns, refused", 80.0),
            ],
            allocations: vec![("one origin, allowed".into(), 0)],
        };
        let md = criterion("Run on a test.\n", &result, (1.0, 3.0));
        assert!(md.contains("### cors-core: many tenants"), "{md}");
        assert!(md.contains(r#"1.50× "one origin, allowed""#), "{md}");
        assert!(md.contains(r#"1.50× "one pattern, allowed""#), "{md}");
        assert!(md.contains(r#"1.00× "one origin, refused""#), "{md}");
        assert!(
            !md.contains("| tenants"),
            "taken for an adapter group: {md}"
        );
        assert!(!md.contains("Also measured"), "{md}");
    }

    #[test]
    fn decisions_are_counted_and_tenants_compared_with_one_entry() {
        use crate::decisions::DecisionCount;
        let count = |group: &str, function: &str, instructions| DecisionCount {
            group: group.into(),
            function: function.into(),
            instructions,
        };
        let counts = [
            count("decision", "actual allowed", 168.0),
            count("tenants", "one origin, refused", 610.0),
            count("tenants", "10k origins + 10k patterns, refused", 1052.0),
        ];
        let md = decisions_callgrind("Run on a test.\n", &counts);
        assert!(md.contains("| decision | actual allowed"), "{md}");
        assert!(md.contains(r#"1.72× "one origin, refused""#), "{md}");
        assert!(md.contains(" 1052 |"), "{md}");
    }
}
