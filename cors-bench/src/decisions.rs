//! Instructions per decision of `cors-core`, counted by callgrind in criterion's own
//! loop: each benchmark of `benches/decision.rs` runs alone under valgrind
//! (`--bench '^NAME$' --profile-time 1`), and the inclusive cost of the benchmarked
//! function (`decide_and_write`), as called from criterion's `Bencher::iter`, is divided
//! by the number of those calls. Unlike the medians, these counts do not move with
//! whatever else the machine runs; they repeat exactly, but where a hash table's
//! per-process seed changes its probes.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::callgrind;

/// One benchmark's count.
pub struct DecisionCount {
    /// The criterion group (`decision`, `tenants`).
    pub group: String,
    /// The benchmark's name in its group.
    pub function: String,
    /// Instructions per decision.
    pub instructions: f64,
}

/// The function `benches/decision.rs` times, and the criterion loop that calls it.
const MEASURED: &str = "decide_and_write";
const LOOP: &str = "criterion::bencher::Bencher";

/// Builds the core's benchmark, then counts every benchmark in it.
pub fn run() -> Result<Vec<DecisionCount>, String> {
    let binary = build()?;
    let mut counts = Vec::new();
    for name in list(&binary)? {
        let Some((group, function)) = name.split_once('/') else {
            continue;
        };
        eprintln!("counting the instructions of {name}...");
        let instructions = count(&binary, &name)?;
        counts.push(DecisionCount {
            group: group.to_owned(),
            function: function.to_owned(),
            instructions,
        });
    }
    Ok(counts)
}

/// `cargo bench -p cors-engine --bench decision --no-run`, and the path of the executable.
fn build() -> Result<PathBuf, String> {
    let output = Command::new(env!("CARGO"))
        .args([
            "bench",
            "-p",
            "cors-engine",
            "--bench",
            "decision",
            "--no-run",
        ])
        .args(["--message-format", "json"])
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !output.status.success() {
        return Err("building cors-core's benchmark failed".into());
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let executable = stdout.lines().find_map(|line| {
        let message: serde_json::Value = serde_json::from_str(line).ok()?;
        let is_bench = message["target"]["name"] == "decision";
        let path = message["executable"].as_str()?;
        is_bench.then(|| PathBuf::from(path))
    });
    executable.ok_or_else(|| "cargo named no executable for cors-core's benchmark".into())
}

/// The benchmarks' full names, as `--list` prints them (`group/function: benchmark`).
fn list(binary: &Path) -> Result<Vec<String>, String> {
    let output = Command::new(binary)
        .args(["--bench", "--list"])
        .output()
        .map_err(|e| format!("cannot run {}: {e}", binary.display()))?;
    if !output.status.success() {
        return Err(format!("{} --bench --list failed", binary.display()));
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let names = stdout
        .lines()
        .filter_map(|line| line.strip_suffix(": benchmark"))
        .map(str::to_owned)
        .collect();
    Ok(names)
}

/// Runs one benchmark under callgrind and returns its instructions per decision.
fn count(binary: &Path, name: &str) -> Result<f64, String> {
    let dump = std::env::temp_dir().join(format!("cors-bench-decision-{}.cg", std::process::id()));
    let status = Command::new("valgrind")
        .arg("--tool=callgrind")
        // One position column (lines), which `calls_from` reads past.
        .arg("--dump-instr=no")
        .arg(format!("--callgrind-out-file={}", dump.display()))
        .arg(binary)
        .args(["--bench", &format!("^{}$", regex_escape(name))])
        .args(["--profile-time", "1"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map_err(|e| format!("cannot run valgrind: {e}"))?;
    let text = std::fs::read_to_string(&dump);
    let _ = std::fs::remove_file(&dump);
    if !status.success() {
        return Err(format!("valgrind failed on {name}"));
    }
    let text = text.map_err(|e| format!("{}: {e}", dump.display()))?;
    let (calls, cost) = callgrind::calls_from(&text, LOOP, MEASURED);
    if calls == 0 {
        return Err(format!(
            "{name}: no call of {MEASURED} from {LOOP} in the dump"
        ));
    }
    Ok(cost as f64 / calls as f64)
}

/// Criterion takes its filter as a regular expression; names have `+`, `(`...
fn regex_escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_escaped_for_criterions_filter() {
        assert_eq!(
            regex_escape("10k origins + 10k patterns, refused (x)"),
            r"10k origins \+ 10k patterns, refused \(x\)"
        );
    }
}
