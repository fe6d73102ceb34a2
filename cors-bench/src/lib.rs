//! `cargo xtask bench`: the example servers over loopback under wrk, side by side with
//! the same app without CORS and with each framework's own CORS middleware; a hostile
//! load; the instructions and allocations per request under callgrind; and the criterion
//! benchmarks. Writes the figures to BENCHMARKS.md; what they should be is said there, in
//! prose, not judged here.
//!
//! [`servers`] (the example servers as child processes) and [`raw`] (HTTP/1.1 over a raw
//! socket) are shared with `cargo xtask conformance` and `hostile`.

mod callgrind;
mod chart;
mod criterion;
mod decisions;
pub mod raw;
mod report;
pub mod servers;
mod wrk;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use cors_harness::bench::{ORIGIN, POLICY};
use servers::{Server, StartError, Target};
use wrk::Scenario;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Rounds: each runs every server once per scenario, in turn (wire), or the normal
    /// traffic alone then beside the flood (hostile).
    #[arg(long, default_value_t = 3)]
    rounds: u32,
    /// Seconds of each wrk run.
    #[arg(long, default_value_t = 5)]
    duration: u32,
    /// Connections of the normal traffic.
    #[arg(long, default_value_t = 32)]
    connections: u32,
    /// Only these frameworks (axum, actix, rocket, warp); repeat for several.
    #[arg(long, value_name = "NAME")]
    framework: Vec<String>,
    /// The policy of every server [default: the one of the criterion benchmarks, which
    /// every peer can express: examples/policy.toml has origin patterns they cannot].
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Run the wire benchmark (the default when none of --hostile, --callgrind,
    /// --criterion and --decisions is given).
    #[arg(long)]
    wire: bool,
    /// Run the hostile load: normal traffic alone, then beside a flood of preflights with
    /// 16 KiB of request headers and garbage origins.
    #[arg(long)]
    hostile: bool,
    /// Count each server's instructions and allocations per request under valgrind's
    /// callgrind (exact and repeatable, where requests per second are noisy), with the
    /// same scenarios as the wire benchmark; runs of `--duration` seconds.
    #[arg(long)]
    callgrind: bool,
    /// Connections of the hostile flood.
    #[arg(long, default_value_t = 8)]
    hostile_connections: u32,
    /// Count the instructions of each cors-core decision under callgrind, in the
    /// criterion benchmark's own loop (exact and repeatable, where its medians move with
    /// the machine's load).
    #[arg(long)]
    decisions: bool,
    /// Run the criterion benchmarks (cors-core and the four adapters) and report them.
    #[arg(long)]
    criterion: bool,
    /// Seconds of criterion's warm-up and measurement per benchmark.
    #[arg(long, num_args = 2, value_names = ["WARM_UP", "MEASUREMENT"], default_values_t = [1.0, 3.0])]
    criterion_time: Vec<f64>,
    /// Where to write the tables: the sections run are replaced, the rest of the file
    /// is kept [default: BENCHMARKS.md at the root of the workspace].
    #[arg(long, value_name = "FILE")]
    write: Option<PathBuf>,
}

/// The core that runs the servers, and the one that runs wrk.
const SERVER_CPU: &str = "0";
const CLIENT_CPU: &str = "1";

/// Runs what `args` select and writes their sections of BENCHMARKS.md.
pub fn run(args: &Args) -> Result<(), String> {
    let wire = args.wire || !(args.hostile || args.callgrind || args.criterion || args.decisions);
    let frameworks = servers::select(&args.framework)?;
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("cors-bench is in the workspace")
        .to_path_buf();
    let output = args
        .write
        .clone()
        .unwrap_or_else(|| workspace.join("BENCHMARKS.md"));
    let mut sections = Vec::new();

    if wire || args.hostile || args.callgrind {
        installed("wrk", wrk::INSTALL_HINT)?;
        if args.callgrind {
            installed("valgrind", callgrind::INSTALL_HINT)?;
            installed("callgrind_control", callgrind::INSTALL_HINT)?;
        }
        servers::stop_children_on_interrupt();
        let binaries: Vec<Target> = frameworks
            .iter()
            .flat_map(|&(o, p)| [o, servers::floor_of(&o), p])
            .collect();
        servers::build(&binaries, true)?;
        let work = std::env::temp_dir().join(format!("cors-bench-{}", std::process::id()));
        std::fs::create_dir_all(&work).map_err(|e| format!("{}: {e}", work.display()))?;
        let setup = Setup::new(args, &work)?;
        // After building, so that the load average shows what else runs.
        let machine = report::machine();
        if wire {
            let result = run_wire(&setup, &frameworks)?;
            sections.push(("wire", report::wire(&setup.describe(&machine), &result)));
        }
        if args.hostile {
            let result = run_hostile(&setup, &frameworks)?;
            sections.push((
                "hostile",
                report::hostile(&setup.describe(&machine), &result),
            ));
        }
        if args.callgrind {
            let result = callgrind::run(&setup, &frameworks)?;
            let chart = write_callgrind_chart(&output, &result);
            sections.push((
                "callgrind",
                report::callgrind(&setup.describe(&machine), &result, chart),
            ));
        }
        let _ = std::fs::remove_dir_all(&work);
    }
    if args.criterion {
        let times = (args.criterion_time[0], args.criterion_time[1]);
        criterion::build()?;
        let machine = report::machine();
        let result = criterion::run(times, &servers::target_dir())?;
        sections.push(("criterion", report::criterion(&machine, &result, times)));
    }

    if args.decisions {
        installed("valgrind", callgrind::INSTALL_HINT)?;
        let machine = report::machine();
        let result = decisions::run()?;
        sections.push(("decisions", report::decisions_callgrind(&machine, &result)));
    }

    for (_, text) in &sections {
        println!("{text}");
    }
    report::write_sections(&output, &sections)?;
    eprintln!("wrote {}", output.display());
    Ok(())
}

/// Where the callgrind chart goes, relative to the directory of the report (and, with
/// `/` separators, the report's link to it).
const CALLGRIND_CHART: &str = "docs/benchmarks-callgrind.svg";

/// Writes the callgrind chart next to the report `output`, and returns its path relative
/// to the report. A chart that cannot be written is a warning, not an error: the figures
/// are in the table, and minutes of measurement are not thrown away for their picture.
fn write_callgrind_chart(
    output: &Path,
    result: &[callgrind::CallgrindFramework],
) -> Option<&'static str> {
    let path = output
        .parent()
        .unwrap_or_else(|| Path::new(""))
        .join(CALLGRIND_CHART);
    let written = chart::callgrind_svg(result).and_then(|svg| {
        let dir = path.parent().expect("the chart is in a directory");
        std::fs::create_dir_all(dir)
            .and_then(|()| std::fs::write(&path, svg))
            .map_err(|e| format!("{}: {e}", path.display()))
    });
    match written {
        Ok(()) => {
            eprintln!("wrote {}", path.display());
            Some(CALLGRIND_CHART)
        }
        Err(why) => {
            eprintln!("warning: no callgrind chart: {why}");
            None
        }
    }
}

/// Fails with `hint` when `program` is not on the PATH.
fn installed(program: &str, hint: &str) -> Result<(), String> {
    which::which(program).map(drop).map_err(|_| hint.to_owned())
}

/// What every run shares: binaries, policy, scripts, pinning.
pub struct Setup {
    bin_dir: PathBuf,
    work: PathBuf,
    policy: PathBuf,
    policy_text: String,
    /// Whether servers and wrk are pinned to cores of their own.
    pinned: bool,
    pin_note: Option<String>,
    rounds: u32,
    seconds: u32,
    connections: u32,
    hostile_connections: u32,
    scripts: Vec<(Scenario, PathBuf)>,
}

impl Setup {
    fn new(args: &Args, work: &Path) -> Result<Setup, String> {
        let (policy, policy_text) = match &args.config {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| format!("{}: {e}", path.display()))?;
                (path.clone(), text)
            }
            None => {
                let path = work.join("policy.toml");
                std::fs::write(&path, POLICY).map_err(|e| format!("{}: {e}", path.display()))?;
                (path, POLICY.to_owned())
            }
        };
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let taskset = which::which("taskset").is_ok();
        let pin_note = match (taskset, cores >= 2) {
            (true, true) => None,
            (false, _) => Some("taskset is missing (util-linux): servers and wrk are NOT pinned, they share every core".to_owned()),
            (true, false) => Some(format!("{cores} core: servers and wrk are NOT pinned, they share it")),
        };
        if let Some(note) = &pin_note {
            eprintln!("warning: {note}");
        }
        let scripts = [Scenario::SimpleGet, Scenario::Preflight, Scenario::Hostile]
            .into_iter()
            .map(|s| s.write_script(work).map(|path| (s, path)))
            .collect::<Result<_, _>>()?;
        Ok(Setup {
            bin_dir: servers::target_dir().join("release"),
            work: work.to_path_buf(),
            policy,
            policy_text,
            pinned: pin_note.is_none(),
            pin_note,
            rounds: args.rounds.max(1),
            seconds: args.duration.max(1),
            connections: args.connections,
            hostile_connections: args.hostile_connections,
            scripts,
        })
    }

    fn script(&self, scenario: Scenario) -> &Path {
        let (_, path) = self.scripts.iter().find(|(s, _)| *s == scenario).unwrap();
        path
    }

    fn wrk(
        &self,
        scenario: Scenario,
        addr: SocketAddr,
        connections: u32,
        seconds: u32,
    ) -> wrk::Run<'_> {
        self.wrk_url(scenario, format!("http://{addr}/"), connections, seconds)
    }

    fn wrk_url(
        &self,
        scenario: Scenario,
        url: String,
        connections: u32,
        seconds: u32,
    ) -> wrk::Run<'_> {
        wrk::Run {
            script: self.script(scenario),
            url,
            connections,
            seconds,
            cpu: self.pinned.then_some(CLIENT_CPU),
        }
    }

    /// How the runs were made, for the report.
    fn describe(&self, machine: &str) -> report::Conditions {
        let describe = |scenario, connections| {
            let url = "http://127.0.0.1:$PORT/".to_owned();
            self.wrk_url(scenario, url, connections, self.seconds)
                .describe()
                .replace(&self.work.display().to_string(), "$TMP")
        };
        let pinning = match &self.pin_note {
            None => format!("each server pinned to core {SERVER_CPU} (`taskset -c {SERVER_CPU}`), wrk to core {CLIENT_CPU}"),
            Some(note) => note.clone(),
        };
        report::Conditions {
            machine: machine.to_owned(),
            wrk_command: describe(Scenario::SimpleGet, self.connections),
            flood_command: describe(Scenario::Hostile, self.hostile_connections),
            pinning,
            rounds: self.rounds,
            seconds: self.seconds,
            connections: self.connections,
            policy: self.policy_text.clone(),
        }
    }

    /// Starts `binary` (with `--no-cors` for the bare app) pinned to the server core,
    /// through a shell script that records the pid and `exec`s it, so that the pid is the
    /// server's own. Its stderr goes to a file: a pipe nobody reads would fill up with the
    /// frameworks' logs (Rocket warns on every 404) and block the server.
    fn start(&self, binary: &str, no_cors: bool) -> Result<Running, StartError> {
        self.start_with(binary, no_cors, "")
    }

    /// [`Setup::start`], the server's command preceded by `prefix` (such as a valgrind
    /// command line, ending with a space).
    fn start_with(&self, binary: &str, no_cors: bool, prefix: &str) -> Result<Running, StartError> {
        let name = format!("{binary}{}", if no_cors { "-bare" } else { "" });
        let script = self.work.join(format!("{name}.sh"));
        let pid_file = self.work.join(format!("{name}.pid"));
        let stderr = self.work.join(format!("{name}.stderr"));
        let program = self.bin_dir.join(binary);
        let pin = if self.pinned {
            format!("taskset -c {SERVER_CPU} ")
        } else {
            String::new()
        };
        let text = format!(
            "#!/bin/sh\necho $$ > {}\nexec {pin}{prefix}{}{} \"$@\" 2> {}\n",
            quote(&pid_file),
            quote(&program),
            if no_cors { " --no-cors" } else { "" },
            quote(&stderr),
        );
        let written = std::fs::write(&script, text).and_then(|()| make_executable(&script));
        written.map_err(|e| StartError::Failed(format!("{}: {e}", script.display())))?;
        let logged = || std::fs::read_to_string(&stderr).unwrap_or_default();
        let server = Server::start(&script, &self.policy).map_err(|error| match error {
            StartError::CannotExpress(_) => StartError::CannotExpress(logged().trim().into()),
            StartError::Failed(why) => StartError::Failed(format!("{why} {}", logged().trim())),
        })?;
        let pid = std::fs::read_to_string(&pid_file)
            .ok()
            .and_then(|text| text.trim().parse().ok())
            .ok_or_else(|| StartError::Failed(format!("no pid in {}", pid_file.display())))?;
        Ok(Running { server, pid })
    }
}

fn quote(path: &Path) -> String {
    format!("'{}'", path.display().to_string().replace('\'', r"'\''"))
}

fn make_executable(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
}

/// A server, and its pid for /proc.
struct Running {
    server: Server,
    pid: u32,
}

impl Running {
    /// Peak resident memory (VmHWM), in KiB.
    fn peak_kib(&self) -> Option<u64> {
        proc_status_kib(self.pid, "VmHWM:")
    }
}

fn proc_status_kib(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line[field.len()..]
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

/// The three servers of a framework.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The app without CORS.
    Bare,
    /// The app behind prebuilt headers without a decision: the least a CORS layer costs.
    Floor,
    Ours,
    Peer,
}

pub const ROLES: [Role; 4] = [Role::Bare, Role::Floor, Role::Ours, Role::Peer];

/// The binary of `role` for the framework of `ours`, and whether it runs with `--no-cors`.
fn binary_of(role: Role, ours: &Target, peer: &Target) -> (&'static str, bool) {
    match role {
        Role::Bare => (ours.binary, true),
        Role::Floor => (servers::floor_of(ours).binary, false),
        Role::Ours => (ours.binary, false),
        Role::Peer => (peer.binary, false),
    }
}

/// The wire benchmark's figures.
pub struct WireResult {
    pub frameworks: Vec<WireFramework>,
}

pub struct WireFramework {
    pub name: &'static str,
    /// The peer's middleware, or why its server did not start.
    pub peer: &'static str,
    pub peer_missing: Option<String>,
    /// Per scenario, per role, the run of each round.
    pub runs: Vec<(Scenario, [Vec<wrk::Report>; 4])>,
    /// VmHWM of each role, KiB.
    pub peak_kib: [Option<u64>; 4],
    /// What went wrong that the figures do not show.
    pub notes: Vec<String>,
}

fn run_wire(setup: &Setup, frameworks: &[(Target, Target)]) -> Result<WireResult, String> {
    let scenarios = [Scenario::SimpleGet, Scenario::Preflight];
    let mut result = WireResult {
        frameworks: Vec::new(),
    };
    for (ours, peer) in frameworks {
        let mut entry = WireFramework {
            name: ours.framework,
            peer: peer.column,
            peer_missing: None,
            runs: scenarios.iter().map(|&s| (s, Default::default())).collect(),
            peak_kib: [None; 4],
            notes: Vec::new(),
        };
        let mut running: [Option<Running>; 4] = Default::default();
        for (i, role) in ROLES.into_iter().enumerate() {
            let (binary, no_cors) = binary_of(role, ours, peer);
            let started = setup.start(binary, no_cors);
            match started {
                Ok(server) => running[i] = Some(server),
                Err(StartError::CannotExpress(why)) if role == Role::Peer => {
                    eprintln!(
                        "{}: {} cannot express the policy: {why}",
                        ours.framework, peer.column
                    );
                    entry.peer_missing = Some(why);
                }
                Err(StartError::CannotExpress(why)) if role == Role::Floor => {
                    eprintln!("{}: no floor for this policy: {why}", ours.framework);
                    entry.notes.push(format!("no floor: {why}"));
                }
                Err(StartError::CannotExpress(why) | StartError::Failed(why)) => {
                    return Err(format!("{}: {role:?} server: {why}", ours.framework));
                }
            }
        }
        for (i, server) in running.iter().enumerate() {
            let Some(server) = server else { continue };
            if ROLES[i] != Role::Bare {
                for scenario in scenarios {
                    if let Err(why) = check_allowed(server.server.addr, scenario) {
                        let note = format!("{:?}, {}: {why}", ROLES[i], scenario.title());
                        eprintln!("warning: {}: {note}", ours.framework);
                        entry.notes.push(note);
                    }
                }
            }
            // Warm-up, not measured.
            setup
                .wrk(
                    Scenario::SimpleGet,
                    server.server.addr,
                    setup.connections,
                    1,
                )
                .run()?;
        }
        for round in 1..=setup.rounds {
            for (scenario, runs) in &mut entry.runs {
                // Each round starts with the next server (bare, ours, peer; then ours,
                // peer, bare; ...), so that no server always runs first or right after
                // the same one, and a drift within a round favours none.
                for i in rotated(round) {
                    let Some(server) = &mut running[i] else {
                        continue;
                    };
                    let report = setup
                        .wrk(
                            *scenario,
                            server.server.addr,
                            setup.connections,
                            setup.seconds,
                        )
                        .run()?;
                    eprintln!(
                        "{} round {round}/{}, {}: {:?} {:.0} req/s, p99 {:.0} us{}",
                        ours.framework,
                        setup.rounds,
                        scenario.title(),
                        ROLES[i],
                        report.requests_per_sec,
                        report.p99_us,
                        problems(&report),
                    );
                    if !server.server.is_running() {
                        return Err(format!(
                            "{}: the {:?} server died",
                            ours.framework, ROLES[i]
                        ));
                    }
                    runs[i].push(report);
                }
            }
        }
        for (i, server) in running.iter().enumerate() {
            entry.peak_kib[i] = server.as_ref().and_then(Running::peak_kib);
        }
        result.frameworks.push(entry);
    }
    Ok(result)
}

/// The indices of [`ROLES`] in the order of this round (from 1).
fn rotated(round: u32) -> impl Iterator<Item = usize> {
    let start = (round as usize - 1) % ROLES.len();
    (0..ROLES.len()).map(move |k| (start + k) % ROLES.len())
}

fn problems(report: &wrk::Report) -> String {
    let mut text = String::new();
    if report.non_2xx_3xx > 0 {
        text += &format!(", {} non-2xx/3xx", report.non_2xx_3xx);
    }
    if report.socket_errors > 0 {
        text += &format!(", {} socket errors", report.socket_errors);
    }
    text
}

/// Checks, with one request, that a CORS server allows what it is measured on: a 2xx
/// with `Access-Control-Allow-Origin`.
fn check_allowed(addr: SocketAddr, scenario: Scenario) -> Result<(), String> {
    let origin = raw::line("origin", ORIGIN.as_bytes());
    let request = match scenario {
        Scenario::SimpleGet => raw::request("GET", "/", addr, &origin),
        _ => {
            let method = raw::line("access-control-request-method", b"PUT");
            let headers = raw::line("access-control-request-headers", b"content-type");
            raw::request(
                "OPTIONS",
                "/api/items",
                addr,
                &[origin, method, headers].concat(),
            )
        }
    };
    let head = raw::exchange(addr, &request)?.ok_or("no answer")?;
    let head = raw::Head::parse(&head)?;
    let allowed = head.header("access-control-allow-origin") == Some(ORIGIN.as_bytes());
    if (200..300).contains(&head.status) && allowed {
        Ok(())
    } else {
        Err(format!("not allowed as expected: {}", head.status))
    }
}

/// The hostile load's figures, per framework: ours, and the bare app as a baseline of
/// what the flood costs the framework itself.
pub struct HostileResult {
    pub rows: Vec<HostileRow>,
}

pub struct HostileRow {
    pub framework: &'static str,
    pub role: Role,
    /// Each round: the normal traffic alone, then beside the flood, and the flood.
    pub rounds: Vec<HostileRound>,
    /// VmHWM after the first run alone, and after the last flood.
    pub peak_before_kib: Option<u64>,
    pub peak_after_kib: Option<u64>,
}

pub struct HostileRound {
    pub alone: wrk::Report,
    pub beside_flood: wrk::Report,
    pub flood: wrk::Report,
}

fn run_hostile(setup: &Setup, frameworks: &[(Target, Target)]) -> Result<HostileResult, String> {
    let mut rows = Vec::new();
    for (ours, _) in frameworks {
        for role in [Role::Bare, Role::Ours] {
            let server = setup
                .start(ours.binary, role == Role::Bare)
                .map_err(|e| format!("{}: {role:?} server: {e:?}", ours.framework))?;
            let addr = server.server.addr;
            let (seconds, connections) = (setup.seconds, setup.connections);
            setup.wrk(Scenario::SimpleGet, addr, connections, 1).run()?;
            let mut row = HostileRow {
                framework: ours.framework,
                role,
                rounds: Vec::new(),
                peak_before_kib: None,
                peak_after_kib: None,
            };
            for round in 1..=setup.rounds {
                let alone = setup
                    .wrk(Scenario::SimpleGet, addr, connections, seconds)
                    .run()?;
                if round == 1 {
                    row.peak_before_kib = server.peak_kib();
                }
                let flood = setup
                    .wrk(Scenario::Hostile, addr, setup.hostile_connections, seconds)
                    .spawn()?;
                let beside_flood = setup
                    .wrk(Scenario::SimpleGet, addr, connections, seconds)
                    .run();
                let flood = wrk::finish(flood)?;
                let beside_flood = beside_flood?;
                eprintln!(
                    "{} {role:?} round {round}/{}: {:.0} req/s alone, {:.0} beside {} hostile preflights ({:.0}/s{}); VmHWM {:?} KiB",
                    ours.framework,
                    setup.rounds,
                    alone.requests_per_sec,
                    beside_flood.requests_per_sec,
                    flood.requests,
                    flood.requests_per_sec,
                    problems(&flood),
                    server.peak_kib(),
                );
                row.rounds.push(HostileRound {
                    alone,
                    beside_flood,
                    flood,
                });
            }
            row.peak_after_kib = server.peak_kib();
            rows.push(row);
        }
    }
    Ok(HostileResult { rows })
}

/// The median of some figures (the mean of the middle two for an even count).
pub fn median(values: impl IntoIterator<Item = f64>) -> Option<f64> {
    let mut values: Vec<f64> = values.into_iter().collect();
    values.sort_by(f64::total_cmp);
    let n = values.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(values[n / 2]),
        _ => Some((values[n / 2 - 1] + values[n / 2]) / 2.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median([3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median([4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(median([]), None);
    }

    #[test]
    fn each_round_starts_with_the_next_server() {
        let order = |round| rotated(round).collect::<Vec<_>>();
        assert_eq!(order(1), [0, 1, 2, 3]);
        assert_eq!(order(2), [1, 2, 3, 0]);
        assert_eq!(order(3), [2, 3, 0, 1]);
        assert_eq!(order(4), [3, 0, 1, 2]);
        assert_eq!(order(5), [0, 1, 2, 3]);
    }

    #[test]
    fn proc_status_of_this_process() {
        let peak = proc_status_kib(std::process::id(), "VmHWM:");
        assert!(peak.is_some_and(|kib| kib > 0));
    }

    #[test]
    fn quoting_survives_quotes() {
        assert_eq!(quote(Path::new("/tmp/a'b")), r"'/tmp/a'\''b'");
    }
}
