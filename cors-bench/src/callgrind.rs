//! `cargo xtask bench --callgrind`: the user-space instructions and heap allocations per
//! request of every server, counted by valgrind's callgrind while wrk drives it.
//!
//! Requests per second on a shared two-core machine move by several percent from one run
//! to the next; instruction counts do not (the same binary, requests and environment give
//! the same count, whatever else the machine does). They leave out the kernel's share of
//! a request (loopback TCP, epoll), so they explain the wire figures rather than replace
//! them: a difference in instructions shows as a smaller one in requests per second.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::servers::{StartError, Target};
use crate::wrk::Scenario;
use crate::{Running, Setup, ROLES};

/// Connections of the measured wrk runs: a server under valgrind runs tens of times
/// slower, and a few connections keep it busy.
const CONNECTIONS: u32 = 4;

/// Seconds of unmeasured load first, so that lazily built state (a policy value's
/// prepared header, the allocator's pools) is not counted as per-request work.
const WARM_UP_SECONDS: u32 = 2;

/// What to tell whoever has no valgrind.
pub const INSTALL_HINT: &str =
    "valgrind is not installed: `apt-get install valgrind` (Debian) or your system's package";

/// What callgrind counted over one measured wrk run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Count {
    pub instructions: u64,
    pub allocations: u64,
    pub requests: u64,
}

impl Count {
    pub fn instructions_per_request(&self) -> f64 {
        self.instructions as f64 / self.requests.max(1) as f64
    }

    pub fn allocations_per_request(&self) -> f64 {
        self.allocations as f64 / self.requests.max(1) as f64
    }
}

/// The counts of one framework: per scenario, per role (`None`: the peer cannot express
/// the policy).
pub struct CallgrindFramework {
    pub name: &'static str,
    pub peer: &'static str,
    pub counts: Vec<(Scenario, [Option<Count>; 4])>,
}

pub fn run(
    setup: &Setup,
    frameworks: &[(Target, Target)],
) -> Result<Vec<CallgrindFramework>, String> {
    let mut result = Vec::new();
    for (ours, peer) in frameworks {
        let mut entry = CallgrindFramework {
            name: ours.framework,
            peer: peer.column,
            counts: Vec::new(),
        };
        for scenario in [Scenario::SimpleGet, Scenario::Preflight] {
            let mut counts = [None; 4];
            for (i, role) in ROLES.into_iter().enumerate() {
                let (binary, no_cors) = crate::binary_of(role, ours, peer);
                let name = format!("{}-{role:?}-{}", ours.framework, scenario.slug());
                counts[i] = measure(setup, binary, no_cors, scenario, &name)?;
                if let Some(count) = &counts[i] {
                    eprintln!(
                        "{name}: {:.0} instructions, {:.1} allocations per request ({} requests)",
                        count.instructions_per_request(),
                        count.allocations_per_request(),
                        count.requests
                    );
                }
            }
            entry.counts.push((scenario, counts));
        }
        result.push(entry);
    }
    Ok(result)
}

/// One server under callgrind: warmed up, counters zeroed, a measured wrk run, a dump.
fn measure(
    setup: &Setup,
    binary: &str,
    no_cors: bool,
    scenario: Scenario,
    name: &str,
) -> Result<Option<Count>, String> {
    let out = setup.work.join(format!("{name}.callgrind"));
    let prefix = format!(
        "valgrind --tool=callgrind --dump-instr=no --callgrind-out-file={} ",
        crate::quote(&out)
    );
    let server = match setup.start_with(binary, no_cors, &prefix) {
        Ok(server) => server,
        Err(StartError::CannotExpress(_)) => return Ok(None),
        Err(StartError::Failed(why)) => return Err(format!("{name}: {why}")),
    };
    let addr = server.server.addr;
    setup
        .wrk(scenario, addr, CONNECTIONS, WARM_UP_SECONDS)
        .run()?;
    control(&server, "-z")?;
    let report = setup
        .wrk(scenario, addr, CONNECTIONS, setup.seconds)
        .run()?;
    control(&server, "-d")?;
    let dump = wait_for_dump(&out)?;
    drop(server);
    let (instructions, allocations) = parse_dump(&dump)?;
    Ok(Some(Count {
        instructions,
        allocations,
        requests: report.requests,
    }))
}

/// `callgrind_control -z` (zero the counters) or `-d` (dump them) for the server.
fn control(server: &Running, flag: &str) -> Result<(), String> {
    let status = Command::new("callgrind_control")
        .arg(flag)
        .arg(server.pid.to_string())
        .stdout(Stdio::null())
        .status()
        .map_err(|e| format!("callgrind_control: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("callgrind_control {flag} failed ({status})"))
    }
}

/// The first dump is written next to the output file with the suffix `.1`; it is
/// complete once its `totals:` line is there.
fn wait_for_dump(out: &Path) -> Result<String, String> {
    let path = PathBuf::from(format!("{}.1", out.display()));
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(text) = std::fs::read_to_string(&path) {
            if text.lines().any(|l| l.starts_with("totals:")) {
                return Ok(text);
            }
        }
        if Instant::now() > deadline {
            return Err(format!("no complete callgrind dump in {}", path.display()));
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// The instructions (`totals:`) and the calls to `malloc`, `calloc` and `realloc` of a
/// callgrind dump. Function names are compressed (`cfn=(7) malloc` the first time,
/// `cfn=(7)` after), and each `cfn=` line is followed by `calls=N ...`.
pub fn parse_dump(text: &str) -> Result<(u64, u64), String> {
    let mut names: std::collections::HashMap<&str, &str> = Default::default();
    let mut instructions = None;
    let mut allocations = 0;
    let mut calling_allocator = false;
    for line in text.lines() {
        if let Some(total) = line.strip_prefix("totals:") {
            let total = total.split_whitespace().next().unwrap_or_default();
            instructions = total.parse().ok();
        } else if let Some(rest) = line
            .strip_prefix("fn=")
            .or_else(|| line.strip_prefix("cfn="))
        {
            let name = function_name(rest, &mut names);
            calling_allocator = line.starts_with("cfn=") && is_allocator(name);
        } else if let Some(calls) = line.strip_prefix("calls=") {
            if calling_allocator {
                let count = calls.split_whitespace().next().unwrap_or_default();
                allocations += count.parse::<u64>().unwrap_or(0);
            }
            calling_allocator = false;
        }
    }
    let instructions = instructions.ok_or("the callgrind dump has no totals: line")?;
    Ok((instructions, allocations))
}

/// The calls from functions whose name contains `caller` to functions whose name
/// contains `callee`, in a callgrind dump: how many, and their inclusive instructions.
/// In the dump, a `calls=N` line under a `cfn=` line is followed by the line of the
/// call's position and its inclusive cost.
pub fn calls_from(text: &str, caller: &str, callee: &str) -> (u64, u64) {
    let mut names: std::collections::HashMap<&str, &str> = Default::default();
    let (mut in_caller, mut to_callee, mut cost_follows) = (false, false, false);
    let (mut calls, mut cost) = (0, 0);
    for line in text.lines() {
        if cost_follows {
            let inclusive = line.split_whitespace().nth(1).unwrap_or_default();
            cost += inclusive.parse::<u64>().unwrap_or(0);
            cost_follows = false;
        } else if let Some(rest) = line.strip_prefix("fn=") {
            in_caller = function_name(rest, &mut names).contains(caller);
        } else if let Some(rest) = line.strip_prefix("cfn=") {
            to_callee = function_name(rest, &mut names).contains(callee);
        } else if let Some(count) = line.strip_prefix("calls=") {
            if in_caller && to_callee {
                let count = count.split_whitespace().next().unwrap_or_default();
                calls += count.parse::<u64>().unwrap_or(0);
                cost_follows = true;
            }
            to_callee = false;
        }
    }
    (calls, cost)
}

/// `(7) name` defines id 7, `(7)` refers to it, a bare name is itself.
fn function_name<'a>(
    rest: &'a str,
    names: &mut std::collections::HashMap<&'a str, &'a str>,
) -> &'a str {
    let Some(rest) = rest.strip_prefix('(') else {
        return rest;
    };
    let Some((id, name)) = rest.split_once(')') else {
        return "";
    };
    let name = name.trim();
    if name.is_empty() {
        names.get(id).copied().unwrap_or_default()
    } else {
        names.insert(id, name);
        name
    }
}

fn is_allocator(name: &str) -> bool {
    // Recursion levels are suffixed `'2`, `'3`...
    let name = name.split('\'').next().unwrap_or_default();
    matches!(name, "malloc" | "calloc" | "realloc")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dump_gives_its_total_and_its_allocator_calls() {
        let dump = "\
version: 1
events: Ir
fn=(1) main
0 10
cfn=(2) malloc
calls=3 0
0 300
cfn=(3) free
calls=3 0
0 90
cfn=(2)
calls=2 0
0 200
fn=(4) worker
cfn=(5) realloc'2
calls=1 0
0 40
totals: 12345
";
        assert_eq!(parse_dump(dump), Ok((12345, 6)));
    }

    #[test]
    fn a_dump_without_totals_is_refused() {
        assert!(parse_dump("events: Ir\nfn=(1) main\n0 1\n").is_err());
    }

    #[test]
    fn calls_from_one_function_to_another_are_summed_with_their_inclusive_cost() {
        let dump = "fn=(1) criterion::bencher::Bencher<M>::iter\n\
                    5 100\n\
                    cfn=(2) decision::decide_and_write\n\
                    calls=1000 7\n\
                    6 180000\n\
                    cfn=(3) other\n\
                    calls=5 9\n\
                    6 999\n\
                    fn=(4) decision::measure\n\
                    cfn=(2)\n\
                    calls=17 7\n\
                    8 3000\n\
                    fn=(1)\n\
                    cfn=(2)\n\
                    calls=24 7\n\
                    +1 4320\n\
                    totals: 200000\n";
        assert_eq!(
            calls_from(dump, "criterion::bencher::Bencher", "decide_and_write"),
            (1024, 184_320)
        );
    }
}
