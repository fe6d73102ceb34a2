//! `--browser`: real browsers are the judges. For each engine (Chromium, Firefox,
//! WebKit; see [`engine`]), a page served under `.test` names calls `fetch()` on each
//! example server, another origin of the same site, and what the browser concludes is
//! compared with the browser cases of `cases/browser/` (`cases/README.md`).
//!
//! Each case is judged twice. Its requests are also sent as the Fetch Standard's
//! browser would send them, and the Standard's checks applied to the server's real
//! answers ([`standard`]):
//! - the Standard's verdict differs from the table: the server is wrong, a failure in
//!   every engine;
//! - the engine's verdict differs from the Standard's on answers the Standard accepts:
//!   an engine divergence, shown with the engine's version, not a failure of the server;
//! - otherwise the case passed.
//!
//! The engines are driven through W3C WebDriver with `fantoccini`, a small client on the
//! tokio/hyper stack the workspace already builds; the protocol is the same for the three
//! drivers and stable across browser releases.

mod engine;
mod page;
mod relay;
mod standard;

use std::collections::{BTreeMap, BTreeSet};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use cors_cases::{BrowserCase, PolicySource, Verdict, PAGE_HOST, PAGE_ORIGIN, PAGE_PORT};
use cors_core::PolicyConfig;
use serde::Deserialize;

use super::servers::{Server, StartError};
use super::{CaseResult, ResultStatus, Target};
use engine::ChildGuard;
pub use engine::{Engine, Installed};
use relay::Relay;
use standard::Replay;

/// The family name of an engine's results in the matrix.
pub fn family(engine: Engine) -> String {
    format!("browser ({engine})")
}

/// An engine that ran, and its version as its WebDriver session reports it.
#[derive(Debug, Clone)]
pub struct EngineRun {
    pub engine: Engine,
    pub version: String,
    /// How long its cases took, for every server.
    pub seconds: f64,
}

/// What the script saw.
#[derive(Debug, Deserialize)]
struct Seen {
    ok: bool,
    status: Option<u16>,
    read: Option<String>,
    error: Option<String>,
}

/// Checks that every engine asked for is installed, before anything is built: never
/// report a pass that could not be run.
pub fn find_all(engines: &[Engine]) -> Result<Vec<Installed>, String> {
    engines.iter().map(|e| e.find()).collect()
}

/// The policies and cases of every `cases/browser/*.toml`, the policies checked against
/// the core's schema. Cases are run by policy name, so a name must not be defined by
/// two files.
pub fn load_cases() -> Result<(BTreeMap<String, PolicySource>, Vec<BrowserCase>), String> {
    let families = cors_cases::load_browser::<PolicyConfig>().map_err(|e| e.to_string())?;
    let mut policies = BTreeMap::new();
    let mut cases = Vec::new();
    for family in families {
        for (name, policy) in family.policies {
            if policies.insert(name.clone(), policy).is_some() {
                return Err(format!("cases/browser: policy \"{name}\" is defined twice"));
            }
        }
        cases.extend(family.cases);
    }
    Ok((policies, cases))
}

/// One engine's WebDriver session, and what it needs: the page server, the driver (and
/// display) processes, a fresh profile.
pub struct Session {
    engine: Engine,
    pub version: String,
    page: SocketAddr,
    agent: ureq::Agent,
    client: fantoccini::Client,
    runtime: tokio::runtime::Runtime,
    /// The host of the page loaded now.
    page_host: std::cell::RefCell<String>,
    /// Numbers each case run, for a URL of its own (and so a preflight cache entry).
    runs: std::cell::Cell<u32>,
    _driver: ChildGuard,
    _display: Option<ChildGuard>,
    scratch: PathBuf,
}

impl Session {
    /// Starts the page server, the engine's driver and a session, on the page at
    /// [`PAGE_HOST`]. `hosts` are the `.test` names the cases use.
    pub fn start(installed: &Installed, hosts: &[String]) -> Result<Session, String> {
        let engine = installed.engine;
        let scratch = std::env::temp_dir().join(format!("cors-{engine}-{}", std::process::id()));
        let profile = scratch.join("profile");
        std::fs::create_dir_all(&profile).map_err(|e| e.to_string())?;
        let hosts_file = scratch.join("hosts");
        std::fs::write(&hosts_file, hosts_file_text(hosts)).map_err(|e| e.to_string())?;
        let page = page::serve()?;
        let display = match &installed.display {
            Some(xvfb) => Some(start_display(xvfb)?),
            None => None,
        };
        let port = free_port()?;
        let command =
            installed.driver_command(port, &hosts_file, display.as_ref().map(|(_, d)| d.as_str()));
        let driver = ChildGuard::spawn(command)?;
        wait_for_port(port, engine)?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start a runtime: {e}"))?;
        let capabilities = installed.capabilities(&profile, hosts);
        let client = runtime.block_on(connect(port, capabilities, engine))?;
        let version = client
            .capabilities()
            .and_then(|c| c.get("browserVersion"))
            .and_then(|v| v.as_str())
            .unwrap_or("unknown")
            .to_owned();
        let session = Session {
            engine,
            version,
            page,
            agent: super::client::agent(),
            client,
            runtime,
            page_host: Default::default(),
            runs: Default::default(),
            _driver: driver,
            _display: display.map(|(guard, _)| guard),
            scratch,
        };
        session.load_page(PAGE_HOST)?;
        Ok(session)
    }

    /// The origin of the page at `host`.
    fn page_origin(&self, host: &str) -> String {
        format!("http://{host}:{}", self.page.port())
    }

    fn load_page(&self, host: &str) -> Result<(), String> {
        if *self.page_host.borrow() == host {
            return Ok(());
        }
        let url = format!("{}/", self.page_origin(host));
        self.runtime
            .block_on(self.client.goto(&url))
            .map_err(|e| format!("cannot load the page {url}: {e}"))?;
        *self.page_host.borrow_mut() = host.to_owned();
        Ok(())
    }

    /// Deletes the server host's cookies, so that a case sees only the cookie it sets
    /// (cookies ignore ports: every server of the run shares them). WebDriver deletes
    /// the cookies of the page's host, so this loads a page there first.
    fn forget_cookies(&self) -> Result<(), String> {
        self.load_page(cors_cases::SERVER_HOST)?;
        self.runtime
            .block_on(self.client.delete_all_cookies())
            .map_err(|e| format!("cannot delete the cookies: {e}"))
    }

    /// Runs every browser case against one server binary, once per policy.
    pub fn run_target(
        &self,
        target: &Target,
        binary: &Path,
        policies: &BTreeMap<String, PolicySource>,
        cases: &[BrowserCase],
        work: &Path,
    ) -> Vec<CaseResult> {
        let mut results = Vec::new();
        for (name, policy) in policies {
            let of_policy: Vec<&BrowserCase> = cases.iter().filter(|c| &c.policy == name).collect();
            if of_policy.is_empty() {
                continue;
            }
            let server = self.start_server(binary, name, policy, work);
            let relay = server
                .as_ref()
                .map_err(|_| ())
                .and_then(|s| Relay::start(s.addr).map_err(|_| ()));
            for case in of_policy {
                let judged = match (&server, &relay) {
                    (Ok(server), Ok(relay)) => self.judge(server.addr, relay, case),
                    (Err(StartError::CannotExpress(why)), _) => {
                        results.push(self.cannot_express(target, case, why));
                        continue;
                    }
                    (Err(StartError::Failed(why)), _) => {
                        Judged::failed(format!("the server did not start: {why}"))
                    }
                    (Ok(_), Err(())) => Judged::failed("cannot start the preflight relay".into()),
                };
                results.push(self.result(target, case, judged));
            }
        }
        results
    }

    fn start_server(
        &self,
        binary: &Path,
        name: &str,
        policy: &PolicySource,
        work: &Path,
    ) -> Result<Server, StartError> {
        let text = policy
            .toml_text()
            .replace(PAGE_ORIGIN, &self.page_origin(PAGE_HOST))
            .replace(PAGE_PORT, &self.page.port().to_string());
        let file = work.join(format!("browser-{}-{name}.toml", self.engine));
        std::fs::write(&file, text)
            .map_err(|e| StartError::Failed(format!("cannot write {}: {e}", file.display())))?;
        Server::start(binary, &file)
    }

    /// Runs the case in the browser and as the Standard's browser, and compares.
    fn judge(&self, server: SocketAddr, relay: &Relay, case: &BrowserCase) -> Judged {
        let run = self.runs.get() + 1;
        self.runs.set(run);
        let separator = if case.path.contains('?') { '&' } else { '?' };
        let url = format!("{}{separator}run={run}", case.path);
        let origin = if case.sandboxed {
            "null".to_owned()
        } else {
            self.page_origin(case.page_host())
        };
        let base = format!("http://{server}");
        let replay = standard::Run {
            agent: &self.agent,
            base: &base,
            url: &url,
            origin: &origin,
            case,
        }
        .replay();
        let replay = match replay {
            Ok(replay) => replay,
            Err(error) => return Judged::failed(error),
        };
        let server_url = format!("http://{}:{}", cors_cases::SERVER_HOST, relay.addr.port());
        relay.take_preflights();
        let seen = self.run_script(case, &server_url, &url);
        let preflights = relay.take_preflights();
        let mut judged = match seen {
            Ok(seen) => compare(case, &replay, &seen, preflights, self.engine, &self.version),
            Err(error) => Judged::failed(error),
        };
        judged.transcript = replay.transcript;
        judged.last = replay.last;
        judged
    }

    fn run_script(&self, case: &BrowserCase, server: &str, url: &str) -> Result<Seen, String> {
        if case.sign_in || case.credentials {
            self.forget_cookies()?;
        }
        self.load_page(case.page_host())?;
        let arguments = page::script_arguments(case, server, url);
        let seen = self
            .runtime
            .block_on(self.client.execute_async(page::SCRIPT, vec![arguments]))
            .map_err(|e| format!("the browser did not run the script: {e}"))?;
        serde_json::from_value(seen).map_err(|e| format!("unexpected script result: {e}"))
    }

    fn result(&self, target: &Target, case: &BrowserCase, judged: Judged) -> CaseResult {
        CaseResult {
            column: target.column,
            family: family(self.engine),
            case: case.name.clone(),
            status: judged.status,
            verdict_agrees: Some(judged.status != ResultStatus::Failed),
            problems: judged.problems,
            note: judged.note,
            request: format!(
                "fetch({}, {{method: {:?}, headers: {:?}, credentials: {}}}) from {}\n\nas the Fetch Standard's browser sends it:\n{}",
                case.path,
                case.method,
                case.headers,
                case.credentials,
                if case.sandboxed { "a sandboxed iframe".to_owned() } else { self.page_origin(case.page_host()) },
                judged.transcript
            ),
            response: judged.last,
        }
    }

    fn cannot_express(&self, target: &Target, case: &BrowserCase, why: &str) -> CaseResult {
        CaseResult {
            status: ResultStatus::CannotExpress,
            problems: vec![format!("cannot express this policy: {why}")],
            ..self.result(target, case, Judged::failed(String::new()))
        }
    }

    /// Ends the session and stops the driver (and with it the browser).
    pub fn stop(self) {
        let _ = self.runtime.block_on(self.client.clone().close());
        let scratch = self.scratch.clone();
        drop(self);
        let _ = std::fs::remove_dir_all(scratch);
    }
}

/// Opens `url` in a fresh session of `installed` (the report page), runs `script` in it
/// and takes a screenshot of the page: the script's result and the PNG.
pub fn render(
    installed: &Installed,
    url: &str,
    script: &str,
) -> Result<(serde_json::Value, Vec<u8>), String> {
    let engine = installed.engine;
    let scratch = std::env::temp_dir().join(format!("cors-render-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).map_err(|e| e.to_string())?;
    let port = free_port()?;
    let driver = ChildGuard::spawn(installed.driver_command(port, Path::new("/etc/hosts"), None))?;
    wait_for_port(port, engine)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start a runtime: {e}"))?;
    let rendered = runtime.block_on(async {
        let client = connect(port, installed.capabilities(&scratch, &[]), engine).await?;
        let shown = async {
            client.set_window_size(1400, 1000).await?;
            client.goto(url).await?;
            let result = client.execute(script, Vec::new()).await?;
            let png = client.screenshot().await?;
            Ok::<_, fantoccini::error::CmdError>((result, png))
        }
        .await
        .map_err(|e| format!("{engine} could not show {url}: {e}"));
        let _ = client.close().await;
        shown
    });
    drop(driver);
    let _ = std::fs::remove_dir_all(&scratch);
    rendered
}

/// A case's judgement, before it becomes a [`CaseResult`].
struct Judged {
    status: ResultStatus,
    problems: Vec<String>,
    note: Option<String>,
    transcript: String,
    last: Option<super::ResponseRecord>,
}

impl Judged {
    fn failed(problem: String) -> Judged {
        Judged {
            status: ResultStatus::Failed,
            problems: vec![problem],
            note: None,
            transcript: String::new(),
            last: None,
        }
    }
}

/// Holds the Standard's conclusions to the table (the server's answers), then the
/// engine's to the Standard's (the engine).
fn compare(
    case: &BrowserCase,
    replay: &Replay,
    seen: &Seen,
    preflights: u32,
    engine: Engine,
    version: &str,
) -> Judged {
    let standard = Conclusions::of_replay(replay);
    let table = Conclusions::of_table(case);
    let browser = Conclusions::of_browser(seen, preflights);
    let server_wrong = standard.differences(&table, "the table expects");
    let why = replay
        .why
        .as_deref()
        .map(|w| format!(" ({w})"))
        .unwrap_or_default();
    let mut judged = Judged {
        status: ResultStatus::Passed,
        problems: Vec::new(),
        note: None,
        transcript: String::new(),
        last: None,
    };
    if !server_wrong.is_empty() {
        judged.status = ResultStatus::Failed;
        judged.problems = server_wrong
            .into_iter()
            .map(|p| format!("per the Fetch Standard, the server's answers give {p}{why}"))
            .collect();
        return judged;
    }
    let engine_differs = browser.differences(&standard, "the Fetch Standard concludes");
    if !engine_differs.is_empty() {
        let error = seen
            .error
            .as_deref()
            .map(|e| format!(" ({e})"))
            .unwrap_or_default();
        judged.status = ResultStatus::Divergence;
        judged.problems = engine_differs
            .into_iter()
            .map(|p| format!("{engine} {version} gives {p}{error}"))
            .collect();
        judged.note = Some(format!(
            "{engine} {version} departs from the Fetch Standard"
        ));
    }
    judged
}

/// What is concluded about a case, by the table, the Standard or a browser; `None` for
/// what that one does not say.
#[derive(Debug, PartialEq)]
struct Conclusions {
    verdict: Verdict,
    readable: Option<bool>,
    status: Option<u16>,
    preflights: Option<u32>,
}

impl Conclusions {
    fn of_table(case: &BrowserCase) -> Conclusions {
        Conclusions {
            verdict: case.expect.verdict,
            readable: case.expect.readable,
            status: case.expect.status,
            preflights: case.expect.preflights,
        }
    }

    fn of_replay(replay: &Replay) -> Conclusions {
        Conclusions {
            verdict: replay.verdict,
            readable: replay.readable,
            status: replay.status,
            preflights: Some(replay.preflights),
        }
    }

    fn of_browser(seen: &Seen, preflights: u32) -> Conclusions {
        Conclusions {
            verdict: if seen.ok {
                Verdict::Allowed
            } else {
                Verdict::Blocked
            },
            readable: seen.ok.then_some(seen.read.is_some()),
            status: seen.status,
            preflights: Some(preflights),
        }
    }

    /// Where `self` disagrees with `other` on what `other` says, in words: "X where
    /// {whose} Y".
    fn differences(&self, other: &Conclusions, whose: &str) -> Vec<String> {
        let mut differences = Vec::new();
        if self.verdict != other.verdict {
            differences.push(format!(
                "the verdict {} where {whose} {}",
                self.verdict, other.verdict
            ));
            return differences;
        }
        let readable = |r: bool| if r { "readable" } else { "hidden" };
        if let (Some(mine), Some(theirs)) = (self.readable, other.readable) {
            if mine != theirs {
                differences.push(format!(
                    "the response header {} where {whose} {}",
                    readable(mine),
                    readable(theirs)
                ));
            }
        }
        if let (Some(mine), Some(theirs)) = (self.status, other.status) {
            if mine != theirs {
                differences.push(format!("status {mine} where {whose} {theirs}"));
            }
        }
        if let (Some(mine), Some(theirs)) = (self.preflights, other.preflights) {
            if mine != theirs {
                differences.push(format!("{mine} preflights where {whose} {theirs}"));
            }
        }
        differences
    }
}

/// Every `.test` name of the cases, the page's and the server's included.
pub fn hosts_of(cases: &[BrowserCase]) -> Vec<String> {
    let mut hosts: BTreeSet<String> = cases.iter().map(|c| c.page_host().to_owned()).collect();
    hosts.insert(PAGE_HOST.to_owned());
    hosts.insert(cors_cases::SERVER_HOST.to_owned());
    hosts.into_iter().collect()
}

/// The `/etc/hosts` of the WebKit driver's private mount namespace.
fn hosts_file_text(hosts: &[String]) -> String {
    format!(
        "127.0.0.1 localhost\n::1 localhost\n127.0.0.1 {}\n",
        hosts.join(" ")
    )
}

async fn connect(
    port: u16,
    capabilities: serde_json::Map<String, serde_json::Value>,
    engine: Engine,
) -> Result<fantoccini::Client, String> {
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    let client = fantoccini::ClientBuilder::new(connector)
        .capabilities(capabilities)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .map_err(|e| format!("cannot start a {engine} session: {e}"))?;
    let timeouts = fantoccini::wd::TimeoutConfiguration::new(
        Some(Duration::from_secs(30)),
        Some(Duration::from_secs(30)),
        None,
    );
    client
        .update_timeouts(timeouts)
        .await
        .map_err(|e| format!("cannot set the {engine} session's timeouts: {e}"))?;
    Ok(client)
}

/// Starts a virtual display on the first free display number.
fn start_display(xvfb: &Path) -> Result<(ChildGuard, String), String> {
    let number = (90..200)
        .find(|n| !Path::new(&format!("/tmp/.X{n}-lock")).exists())
        .ok_or("no free X display number between :90 and :199")?;
    let display = format!(":{number}");
    let mut command = Command::new(xvfb);
    command
        .args([
            display.as_str(),
            "-screen",
            "0",
            "1280x1024x24",
            "-nolisten",
            "tcp",
        ])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    let guard = ChildGuard::spawn(command)?;
    let socket = format!("/tmp/.X11-unix/X{number}");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !Path::new(&socket).exists() {
        if Instant::now() > deadline {
            return Err(format!("Xvfb did not open display {display} within 10 s"));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok((guard, display))
}

fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| e.to_string())
}

fn wait_for_port(port: u16, engine: Engine) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Err(format!(
        "the {engine} WebDriver server did not start listening within 20 s"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case_reading(readable: bool) -> BrowserCase {
        let (_, cases) = load_cases().unwrap();
        cases
            .into_iter()
            .find(|c| c.read.is_some() && c.expect.readable == Some(readable))
            .unwrap()
    }

    fn replay(verdict: Verdict, readable: Option<bool>) -> Replay {
        Replay {
            verdict,
            why: None,
            readable,
            status: Some(200),
            preflights: 0,
            transcript: String::new(),
            last: None,
        }
    }

    fn seen(ok: bool, read: Option<&str>) -> Seen {
        Seen {
            ok,
            status: ok.then_some(200),
            read: read.map(str::to_owned),
            error: (!ok).then(|| "TypeError: Failed to fetch".into()),
        }
    }

    #[test]
    fn the_browser_cases_load_and_name_their_policies() {
        let (policies, cases) = load_cases().unwrap();
        assert!(cases.len() >= 60, "{} browser cases", cases.len());
        assert!(cases.iter().all(|c| policies.contains_key(&c.policy)));
        let hosts = hosts_of(&cases);
        assert!(hosts.iter().all(|h| h.ends_with(".test")) && hosts.len() > 2);
    }

    #[test]
    fn a_server_whose_answers_the_standard_rejects_fails() {
        let case = case_reading(true);
        let judged = compare(
            &case,
            &replay(Verdict::Blocked, None),
            &seen(false, None),
            0,
            Engine::Firefox,
            "1",
        );
        assert_eq!(judged.status, ResultStatus::Failed);
        assert!(
            judged.problems[0].contains(
                "the server's answers give the verdict blocked where the table expects allowed"
            ),
            "{:?}",
            judged.problems
        );
    }

    #[test]
    fn an_engine_that_departs_from_the_standard_is_a_divergence() {
        let case = case_reading(true);
        let standard = replay(Verdict::Allowed, Some(true));
        let passed = compare(
            &case,
            &standard,
            &seen(true, Some("req-1")),
            0,
            Engine::Webkit,
            "2.50",
        );
        assert_eq!(passed.status, ResultStatus::Passed, "{:?}", passed.problems);
        let hidden = compare(
            &case,
            &standard,
            &seen(true, None),
            0,
            Engine::Webkit,
            "2.50",
        );
        assert_eq!(hidden.status, ResultStatus::Divergence);
        assert!(hidden.problems[0].starts_with("webkit 2.50 gives the response header hidden where the Fetch Standard concludes readable"), "{:?}", hidden.problems);
        let extra_preflight = compare(
            &case,
            &standard,
            &seen(true, Some("1")),
            1,
            Engine::Webkit,
            "2.50",
        );
        assert_eq!(extra_preflight.status, ResultStatus::Divergence);
    }

    #[test]
    fn the_webkit_hosts_file_maps_every_name_to_loopback() {
        let text = hosts_file_text(&["a.test".into(), "b.test".into()]);
        assert!(text.contains("127.0.0.1 a.test b.test\n") && text.contains("localhost"));
    }
}
