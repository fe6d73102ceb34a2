//! The criterion benchmarks (cors-core's `decision`, each adapter's `adapter`), run by
//! cargo, and their figures read back from criterion's JSON estimates.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::SystemTime;

/// One benchmark's result.
#[derive(Debug, Clone)]
pub struct Estimate {
    pub group: String,
    pub function: String,
    /// Median time per iteration, ns.
    pub median_ns: f64,
}

pub struct CriterionResult {
    pub estimates: Vec<Estimate>,
    /// `(decision, allocations)`, as printed by cors-core's bench.
    pub allocations: Vec<(String, u64)>,
}

impl CriterionResult {
    pub fn median_ns(&self, group: &str, function: &str) -> Option<f64> {
        self.estimates
            .iter()
            .find(|e| e.group == group && e.function == function)
            .map(|e| e.median_ns)
    }

    pub fn allocations(&self, decision: &str) -> Option<u64> {
        self.allocations
            .iter()
            .find(|(name, _)| name == decision)
            .map(|&(_, n)| n)
    }
}

/// The two `cargo bench` selections: the core's bench, and every adapter's.
const RUNS: [&[&str]; 2] = [
    &["-p", "cors-engine", "--bench", "decision"],
    &[
        "-p",
        "cors-axum",
        "-p",
        "cors-actix",
        "-p",
        "cors-rocket",
        "-p",
        "cors-warp",
        "--bench",
        "adapter",
    ],
];

/// Builds the benchmarks, so that building does not overlap measuring.
pub fn build() -> Result<(), String> {
    for packages in RUNS {
        let status = Command::new(env!("CARGO"))
            .args(["bench", "--no-run"])
            .args(packages)
            .status()
            .map_err(|e| format!("cannot run cargo: {e}"))?;
        if !status.success() {
            return Err(format!(
                "building the benchmarks ({}) failed",
                packages.join(" ")
            ));
        }
    }
    Ok(())
}

/// Runs `cargo bench` on the core and the adapters, then reads what it measured.
pub fn run(
    (warm_up, measurement): (f64, f64),
    target_dir: &Path,
) -> Result<CriterionResult, String> {
    let started = SystemTime::now();
    let times = [
        "--warm-up-time".to_owned(),
        warm_up.to_string(),
        "--measurement-time".to_owned(),
        measurement.to_string(),
    ];
    let mut allocations = Vec::new();
    for packages in RUNS {
        let mut command = Command::new(env!("CARGO"));
        command
            .arg("bench")
            .args(packages)
            .arg("--")
            .args(&times)
            .stdout(Stdio::piped());
        eprintln!("running cargo bench {}...", packages.join(" "));
        let mut child = command
            .spawn()
            .map_err(|e| format!("cannot run cargo: {e}"))?;
        let stdout = child.stdout.take().expect("piped");
        for line in BufReader::new(stdout).lines() {
            let line = line.map_err(|e| e.to_string())?;
            println!("{line}");
            if let Some(found) = allocation_line(&line) {
                allocations.push(found);
            }
        }
        let status = child.wait().map_err(|e| e.to_string())?;
        if !status.success() {
            return Err(format!("cargo bench {} failed", packages.join(" ")));
        }
    }
    let mut estimates = Vec::new();
    collect(&target_dir.join("criterion"), started, &mut estimates)?;
    estimates.sort_by(|a, b| (&a.group, &a.function).cmp(&(&b.group, &b.function)));
    Ok(CriterionResult {
        estimates,
        allocations,
    })
}

/// `allocations per decision, NAME: N`
fn allocation_line(line: &str) -> Option<(String, u64)> {
    let rest = line.strip_prefix("allocations per decision, ")?;
    let (name, count) = rest.rsplit_once(": ")?;
    Some((name.to_owned(), count.trim().parse().ok()?))
}

/// Every `new/estimates.json` under `dir` written since `since`.
fn collect(dir: &Path, since: SystemTime, out: &mut Vec<Estimate>) -> Result<(), String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, since, out)?;
        } else if path.ends_with("new/estimates.json") {
            let fresh = entry
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|modified| modified >= since);
            if fresh {
                out.push(read_estimate(path.parent().expect("in new/"))?);
            }
        }
    }
    Ok(())
}

fn read_estimate(dir: &Path) -> Result<Estimate, String> {
    let read = |name: &str| -> Result<serde_json::Value, String> {
        let path = dir.join(name);
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
    };
    let benchmark = read("benchmark.json")?;
    let estimates = read("estimates.json")?;
    let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_owned();
    Ok(Estimate {
        group: text(&benchmark["group_id"]),
        function: text(&benchmark["function_id"]),
        median_ns: estimates["median"]["point_estimate"]
            .as_f64()
            .ok_or_else(|| format!("{}: no median", dir.display()))?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_allocation_lines_of_the_core_bench() {
        assert_eq!(
            allocation_line("allocations per decision, preflight allowed, 3 headers: 0"),
            Some(("preflight allowed, 3 headers".to_owned(), 0))
        );
        assert_eq!(
            allocation_line("decision/actual allowed  time: [1 ns]"),
            None
        );
    }
}
