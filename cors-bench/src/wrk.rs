//! wrk, the load generator: its command line, the Lua scripts of the scenarios, and a
//! parser of its report.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// What to tell whoever has no wrk.
pub const INSTALL_HINT: &str =
    "wrk is not installed: install it with `apt-get install wrk` (Debian, Ubuntu) or your system's package manager";

/// A request shape, as a Lua script for `wrk -s`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    /// `GET /` with `Origin: https://app.example.com`.
    SimpleGet,
    /// `OPTIONS /api/items` from that origin, for `PUT` with `content-type`.
    Preflight,
    /// Preflights with 16 KiB of `Access-Control-Request-Headers` and garbage origins,
    /// rotating through several variants.
    Hostile,
}

impl Scenario {
    pub fn title(self) -> &'static str {
        match self {
            Scenario::SimpleGet => "simple GET, allowed Origin",
            Scenario::Preflight => "preflight",
            Scenario::Hostile => "hostile preflights",
        }
    }

    /// A short name for file names.
    pub fn slug(self) -> &'static str {
        match self {
            Scenario::SimpleGet => "get",
            Scenario::Preflight => "preflight",
            Scenario::Hostile => "hostile",
        }
    }

    fn file_name(self) -> &'static str {
        match self {
            Scenario::SimpleGet => "simple-get.lua",
            Scenario::Preflight => "preflight.lua",
            Scenario::Hostile => "hostile.lua",
        }
    }

    fn script(self) -> &'static str {
        match self {
            Scenario::SimpleGet => SIMPLE_GET,
            Scenario::Preflight => PREFLIGHT,
            Scenario::Hostile => HOSTILE,
        }
    }

    /// Writes the script into `dir` and returns its path.
    pub fn write_script(self, dir: &Path) -> Result<PathBuf, String> {
        let path = dir.join(self.file_name());
        std::fs::write(&path, self.script())
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        Ok(path)
    }
}

const SIMPLE_GET: &str = r#"-- A simple GET from an allowed origin.
wrk.method = "GET"
wrk.path = "/"
wrk.headers["Origin"] = "https://app.example.com"
"#;

const PREFLIGHT: &str = r#"-- A preflight from an allowed origin, for PUT with content-type.
wrk.method = "OPTIONS"
wrk.path = "/api/items"
wrk.headers["Origin"] = "https://app.example.com"
wrk.headers["Access-Control-Request-Method"] = "PUT"
wrk.headers["Access-Control-Request-Headers"] = "content-type"
"#;

const HOSTILE: &str = r#"-- Preflights no browser sends: 16 KiB of Access-Control-Request-Headers, with
-- garbage origins (and the allowed one, so that the header list must be read).
local names, size, i = {}, 0, 0
while size < 16 * 1024 do
  local name = string.format("x-hostile-header-%05d", i)
  names[#names + 1] = name
  size = size + #name + 1
  i = i + 1
end
local acrh = table.concat(names, ",")
local origins = {
  "https://app.example.com",
  "null",
  "https://evil.example",
  "https://app.example.com.evil.example",
  "http://app.example.com",
  "https://app.example.com:99999",
  "https://" .. string.rep("a", 4000) .. ".example",
  "https://*.example.com",
  "\255\254://garbage",
  "*",
}
local requests = {}
for k, origin in ipairs(origins) do
  requests[k] = wrk.format("OPTIONS", "/api/items", {
    ["Origin"] = origin,
    ["Access-Control-Request-Method"] = "PUT",
    ["Access-Control-Request-Headers"] = acrh,
  })
end
local n = 0
request = function()
  n = n % #requests + 1
  return requests[n]
end
"#;

/// One wrk run.
pub struct Run<'a> {
    pub script: &'a Path,
    pub url: String,
    pub connections: u32,
    pub seconds: u32,
    /// The CPU list for `taskset -c`, if pinning.
    pub cpu: Option<&'a str>,
}

impl Run<'_> {
    fn command(&self) -> Command {
        let mut command = match self.cpu {
            Some(cpu) => {
                let mut taskset = Command::new("taskset");
                taskset.args(["-c", cpu, "wrk"]);
                taskset
            }
            None => Command::new("wrk"),
        };
        command
            .arg("-t1")
            .arg(format!("-c{}", self.connections))
            .arg(format!("-d{}s", self.seconds))
            .arg("--latency")
            .arg("-s")
            .arg(self.script)
            .arg(&self.url);
        command
    }

    /// The command line, for the report.
    pub fn describe(&self) -> String {
        let command = self.command();
        let program = command.get_program().to_string_lossy().into_owned();
        let args = command.get_args().map(|a| a.to_string_lossy().into_owned());
        std::iter::once(program)
            .chain(args)
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Starts wrk; [`finish`] collects its report.
    pub fn spawn(&self) -> Result<Child, String> {
        self.command()
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot run wrk: {e}; {INSTALL_HINT}"))
    }

    /// Runs wrk to the end and parses its report.
    pub fn run(&self) -> Result<Report, String> {
        finish(self.spawn()?)
    }
}

/// Waits for a wrk started by [`Run::spawn`] and parses its report.
pub fn finish(child: Child) -> Result<Report, String> {
    let output = child.wait_with_output().map_err(|e| format!("wrk: {e}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(format!("wrk failed ({}): {stderr}{stdout}", output.status));
    }
    parse(&stdout)
}

/// What wrk measured.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub requests_per_sec: f64,
    /// The 99th percentile of latency, in microseconds.
    pub p99_us: f64,
    /// Requests completed.
    pub requests: u64,
    /// Responses with a status outside 200-399.
    pub non_2xx_3xx: u64,
    /// Connect, read, write errors and timeouts.
    pub socket_errors: u64,
}

/// Parses wrk's report (with `--latency`).
pub fn parse(output: &str) -> Result<Report, String> {
    let mut requests_per_sec = None;
    let mut p99_us = None;
    let mut requests = None;
    let mut non_2xx_3xx = 0;
    let mut socket_errors = 0;
    let mut in_distribution = false;
    for line in output.lines() {
        let line = line.trim();
        if line.starts_with("Latency Distribution") {
            in_distribution = true;
        } else if in_distribution && line.starts_with("99%") {
            p99_us = Some(duration_us(line["99%".len()..].trim())?);
        } else if let Some(value) = line.strip_prefix("Requests/sec:") {
            requests_per_sec = Some(count(value.trim())?);
        } else if let Some(value) = line.strip_prefix("Non-2xx or 3xx responses:") {
            non_2xx_3xx = count(value.trim())? as u64;
        } else if let Some(errors) = line.strip_prefix("Socket errors:") {
            // "connect 0, read 0, write 0, timeout 0"
            for part in errors.split(',') {
                let number = part.split_whitespace().last().unwrap_or_default();
                socket_errors += count(number)? as u64;
            }
        } else if let Some((total, _)) = line.split_once(" requests in ") {
            requests = Some(count(total.trim())? as u64);
            in_distribution = false;
        }
    }
    let missing = |what: &str| format!("no {what} in wrk's report:\n{output}");
    Ok(Report {
        requests_per_sec: requests_per_sec.ok_or_else(|| missing("Requests/sec"))?,
        p99_us: p99_us.ok_or_else(|| missing("99% latency (run with --latency)"))?,
        requests: requests.ok_or_else(|| missing("request count"))?,
        non_2xx_3xx,
        socket_errors,
    })
}

/// `312.45us`, `1.20ms`, `2.00s`, `1.50m` as microseconds.
fn duration_us(text: &str) -> Result<f64, String> {
    let units = [
        ("us", 1.0),
        ("ms", 1e3),
        ("s", 1e6),
        ("m", 60e6),
        ("h", 3600e6),
    ];
    for (suffix, factor) in units {
        if let Some(number) = text.strip_suffix(suffix) {
            return number
                .parse::<f64>()
                .map(|n| n * factor)
                .map_err(|_| format!("not a duration: {text:?}"));
        }
    }
    Err(format!("not a duration (no unit): {text:?}"))
}

/// `50012.34`, `50.12k`, `1.20M` as a number.
fn count(text: &str) -> Result<f64, String> {
    let (number, factor) = match text.char_indices().last() {
        Some((i, 'k')) => (&text[..i], 1e3),
        Some((i, 'M')) => (&text[..i], 1e6),
        Some((i, 'G')) => (&text[..i], 1e9),
        _ => (text, 1.0),
    };
    number
        .parse::<f64>()
        .map(|n| n * factor)
        .map_err(|_| format!("not a number: {text:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPORT: &str = "\
Running 5s test @ http://127.0.0.1:40123/
  1 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   312.45us  100.20us   5.10ms   90.12%
    Req/Sec    50.12k     2.10k   55.00k    80.00%
  Latency Distribution
     50%  300.00us
     75%  350.00us
     90%  400.00us
     99%    1.25ms
  250600 requests in 5.00s, 30.00MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 12
Requests/sec:  50120.00
Transfer/sec:      6.00MB
";

    #[test]
    fn reads_every_figure() {
        let report = parse(REPORT).unwrap();
        assert_eq!(
            report,
            Report {
                requests_per_sec: 50120.0,
                p99_us: 1250.0,
                requests: 250600,
                non_2xx_3xx: 12,
                socket_errors: 3,
            }
        );
    }

    #[test]
    fn a_clean_run_has_no_error_lines() {
        let clean: String = REPORT
            .lines()
            .filter(|l| !l.contains("errors") && !l.contains("Non-2xx"))
            .map(|l| format!("{l}\n"))
            .collect();
        let report = parse(&clean).unwrap();
        assert_eq!((report.non_2xx_3xx, report.socket_errors), (0, 0));
    }

    #[test]
    fn units() {
        assert_eq!(duration_us("312.45us").unwrap(), 312.45);
        assert_eq!(duration_us("1.50ms").unwrap(), 1500.0);
        assert_eq!(duration_us("2.00s").unwrap(), 2e6);
        assert_eq!(duration_us("1.00m").unwrap(), 60e6);
        assert!(duration_us("12").is_err());
        assert!(duration_us("fastus").is_err());
        assert_eq!(count("50120.00").unwrap(), 50120.0);
        assert_eq!(count("50.12k").unwrap(), 50120.0);
        assert_eq!(count("1.5M").unwrap(), 1.5e6);
        assert_eq!(count("7").unwrap(), 7.0);
        assert!(count("k").is_err());
        assert!(count("").is_err());
    }

    #[test]
    fn a_report_without_latency_distribution_is_refused() {
        let without: String = REPORT
            .lines()
            .filter(|l| !l.contains('%') || l.contains("Stdev") || l.contains("Latency "))
            .map(|l| format!("{l}\n"))
            .collect();
        assert!(parse(&without).unwrap_err().contains("99%"));
        assert!(parse("").is_err());
    }

    #[test]
    fn the_latency_table_line_is_not_the_distribution() {
        // "Latency   312.45us ..." comes before "Latency Distribution".
        let report = parse(REPORT).unwrap();
        assert_ne!(report.p99_us, 312.45);
    }
}
