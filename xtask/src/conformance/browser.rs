//! `--browser`: headless Chromium is the judge. A page served from one loopback origin
//! calls `fetch()` on each example server (another origin), and the verdicts the browser
//! reaches are compared with the browser cases of `cases/browser/` (`cases/README.md`).
//!
//! Chromium is driven through WebDriver (Debian's `chromedriver`) with `fantoccini`: the
//! W3C protocol is stable across Chromium releases, chromedriver ships in the same Debian
//! package set as Chromium at the same version, and fantoccini is a small, well-kept
//! client on the tokio/hyper stack the workspace already builds. The DevTools protocol
//! would have needed a heavier client and ties us to Chromium's internal protocol version.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use cors_cases::{BrowserCase, PolicySource, Verdict, PAGE_ORIGIN};
use cors_core::PolicyConfig;
use serde::Deserialize;
use serde_json::json;

use super::servers::{Server, StartError};
use super::{CaseResult, ResultStatus, Target};

/// The family name of browser results in the matrix.
pub const FAMILY: &str = "browser (chromium)";

/// What the script saw.
#[derive(Debug, Deserialize)]
struct Seen {
    ok: bool,
    status: Option<u16>,
    read: Option<String>,
    error: Option<String>,
}

/// The browser's side of the run: the page server and the WebDriver session.
pub struct Browser {
    page: SocketAddr,
    driver: Driver,
    client: fantoccini::Client,
    runtime: tokio::runtime::Runtime,
}

/// The page's origin, as the example servers must allow it.
fn page_origin(page: SocketAddr) -> String {
    format!("http://{page}")
}

/// Where Chromium is, or how to get it.
pub fn find_chromium() -> Result<(PathBuf, PathBuf), String> {
    let chromium = which(&["chromium", "chromium-browser", "google-chrome"]);
    let driver = which(&["chromedriver"]);
    match (chromium, driver) {
        (Some(c), Some(d)) => Ok((c, d)),
        _ => Err(
            "--browser needs Chromium and ChromeDriver; on Debian or Ubuntu: \
                  `sudo apt-get install chromium chromium-driver`"
                .into(),
        ),
    }
}

/// The first of `names` found on the `PATH`.
fn which(names: &[&str]) -> Option<PathBuf> {
    names.iter().find_map(|name| which::which(name).ok())
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

impl Browser {
    /// Starts the page server, ChromeDriver and a headless Chromium session.
    pub fn start() -> Result<Browser, String> {
        let (chromium, chromedriver) = find_chromium()?;
        let page = serve_page()?;
        let driver = Driver::start(&chromedriver)?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start a runtime: {e}"))?;
        let client = runtime.block_on(connect(&driver, &chromium, page))?;
        Ok(Browser {
            page,
            driver,
            client,
            runtime,
        })
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
            let server = self.start_server(binary, name, policy, work);
            for case in of_policy {
                let outcome = match &server {
                    Ok(server) => self.judge(server.addr, case),
                    Err(StartError::CannotExpress(why)) => {
                        results.push(cannot_express(target, case, why));
                        continue;
                    }
                    Err(StartError::Failed(why)) => Err(format!("the server did not start: {why}")),
                };
                results.push(result(target, case, outcome));
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
            .replace(PAGE_ORIGIN, &page_origin(self.page));
        let file = work.join(format!("browser-{name}.toml"));
        std::fs::write(&file, text)
            .map_err(|e| StartError::Failed(format!("cannot write {}: {e}", file.display())))?;
        Server::start(binary, &file)
    }

    /// Runs the case's `fetch()` in the page and compares what the browser concluded.
    fn judge(&self, server: SocketAddr, case: &BrowserCase) -> Result<Vec<String>, String> {
        let url = format!("http://{server}{}", case.path);
        let init = json!({
            "method": case.method,
            "headers": case.headers,
            "body": case.body,
            "credentials": if case.credentials { "include" } else { "same-origin" },
            "cache": "no-store",
        });
        let seen = self
            .runtime
            .block_on(
                self.client
                    .execute_async(FETCH_SCRIPT, vec![json!(url), init, json!(case.read)]),
            )
            .map_err(|e| format!("the browser did not run the script: {e}"))?;
        let seen: Seen =
            serde_json::from_value(seen).map_err(|e| format!("unexpected script result: {e}"))?;
        Ok(compare(case, &seen))
    }

    /// Ends the session and stops ChromeDriver (and with it Chromium).
    pub fn stop(self) {
        let Browser {
            client,
            runtime,
            driver,
            ..
        } = self;
        let _ = runtime.block_on(client.close());
        drop(driver);
    }
}

/// The script: `arguments` are the URL, the `fetch()` options, the header to read, and
/// WebDriver's callback.
const FETCH_SCRIPT: &str = r#"
const [url, init, read, done] = arguments;
if (init.body === null) delete init.body;
fetch(url, init)
  .then(r => done({ ok: true, status: r.status, read: read ? r.headers.get(read) : null }))
  .catch(e => done({ ok: false, error: String(e) }));
"#;

fn compare(case: &BrowserCase, seen: &Seen) -> Vec<String> {
    let mut problems = Vec::new();
    let verdict = if seen.ok {
        Verdict::Allowed
    } else {
        Verdict::Blocked
    };
    if verdict != case.expect.verdict {
        let detail = match (&seen.error, seen.status) {
            (Some(error), _) => format!(" ({error})"),
            (None, Some(status)) => format!(" (status {status})"),
            _ => String::new(),
        };
        problems.push(format!(
            "the browser's verdict: expected {}, got {verdict}{detail}",
            case.expect.verdict
        ));
    }
    if let (Some(header), Some(readable), true) = (&case.read, case.expect.readable, seen.ok) {
        if seen.read.is_some() != readable {
            let how = if readable { "readable" } else { "hidden" };
            problems.push(format!(
                "response header {header}: expected {how} to the script, got {:?}",
                seen.read
            ));
        }
    }
    problems
}

fn result(target: &Target, case: &BrowserCase, outcome: Result<Vec<String>, String>) -> CaseResult {
    let (status, problems) = match outcome {
        Ok(problems) if problems.is_empty() => (ResultStatus::Passed, problems),
        Ok(problems) => (ResultStatus::Failed, problems),
        Err(error) => (ResultStatus::Failed, vec![error]),
    };
    CaseResult {
        column: target.column,
        family: FAMILY.into(),
        case: case.name.clone(),
        status,
        verdict_agrees: Some(status == ResultStatus::Passed),
        problems,
        note: None,
        request: format!(
            "fetch({}, {{method: {:?}, headers: {:?}, credentials: {}}})",
            case.path, case.method, case.headers, case.credentials
        ),
        response: None,
    }
}

fn cannot_express(target: &Target, case: &BrowserCase, why: &str) -> CaseResult {
    CaseResult {
        status: ResultStatus::CannotExpress,
        problems: vec![format!("cannot express this policy: {why}")],
        ..result(target, case, Ok(Vec::new()))
    }
}

async fn connect(
    driver: &Driver,
    chromium: &Path,
    page: SocketAddr,
) -> Result<fantoccini::Client, String> {
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": chromium,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", format!("--user-data-dir={}", driver.profile.display()),
            ],
        }),
    );
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    let client = fantoccini::ClientBuilder::new(connector)
        .capabilities(capabilities)
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await
        .map_err(|e| format!("cannot start a Chromium session: {e}"))?;
    client
        .goto(&format!("{}/", page_origin(page)))
        .await
        .map_err(|e| format!("cannot load the page: {e}"))?;
    Ok(client)
}

/// ChromeDriver as a child process with a fresh profile directory, both removed on drop.
struct Driver {
    child: Child,
    port: u16,
    profile: PathBuf,
}

impl Driver {
    fn start(binary: &Path) -> Result<Driver, String> {
        let port = free_port()?;
        let profile = std::env::temp_dir().join(format!("cors-chromium-{}", std::process::id()));
        std::fs::create_dir_all(&profile).map_err(|e| e.to_string())?;
        let child = Command::new(binary)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot run {}: {e}", binary.display()))?;
        super::servers::remember(child.id());
        let driver = Driver {
            child,
            port,
            profile,
        };
        wait_for_port(port)?;
        Ok(driver)
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        super::servers::forget(self.child.id());
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| e.to_string())
}

fn wait_for_port(port: u16) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Err("ChromeDriver did not start listening within 20 s".into())
}

/// Serves an empty HTML page on a loopback port, on a background thread that lives as
/// long as the run.
fn serve_page() -> Result<SocketAddr, String> {
    let listener =
        TcpListener::bind("127.0.0.1:0").map_err(|e| format!("cannot serve the page: {e}"))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            answer_page(stream);
        }
    });
    Ok(addr)
}

fn answer_page(mut stream: TcpStream) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut buf = [0u8; 4096];
    let _ = stream.read(&mut buf);
    let body = "<!doctype html><meta charset=utf-8><title>CORS conformance</title>";
    let response = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(response.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_browser_cases_load_and_name_their_policies() {
        let (policies, cases) = load_cases().unwrap();
        assert!(cases.len() >= 15);
        assert!(cases.iter().all(|c| policies.contains_key(&c.policy)));
        assert!(
            cases.iter().any(|c| c.expect.verdict == Verdict::Blocked)
                && cases.iter().any(|c| c.expect.verdict == Verdict::Allowed)
        );
    }

    #[test]
    fn verdicts_and_readable_headers_are_compared() {
        let (_, cases) = load_cases().unwrap();
        let case = cases
            .iter()
            .find(|c| c.read.is_some() && c.expect.readable == Some(true))
            .unwrap();
        let allowed = Seen {
            ok: true,
            status: Some(200),
            read: Some("req-1".into()),
            error: None,
        };
        assert!(compare(case, &allowed).is_empty());
        let hidden = Seen {
            read: None,
            ..allowed
        };
        assert_eq!(compare(case, &hidden).len(), 1);
        let blocked = Seen {
            ok: false,
            status: None,
            read: None,
            error: Some("TypeError: Failed to fetch".into()),
        };
        assert!(compare(case, &blocked)[0].contains("expected allowed, got blocked (TypeError"));
    }
}
