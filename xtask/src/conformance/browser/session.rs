//! One engine's WebDriver session: the page server, the driver (and display)
//! processes, a fresh profile; it runs the browser cases against one server after
//! another, each case in the browser and as the Standard's browser.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use cors_cases::{BrowserCase, PolicySource, PAGE_HOST, PAGE_ORIGIN, PAGE_PORT};

use super::super::servers::{Server, StartError};
use super::super::{CaseResult, ResultStatus, Target};
use super::engine::{ChildGuard, Engine, Installed};
use super::judge::{compare, Judged, Seen};
use super::relay::Relay;
use super::{family, page, standard};

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
    page_host: RefCell<String>,
    /// Numbers each case run, for a URL of its own (and so a preflight cache entry).
    runs: Cell<u32>,
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
            agent: super::super::client::agent(),
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

    #[test]
    fn the_webkit_hosts_file_maps_every_name_to_loopback() {
        let text = hosts_file_text(&["a.test".into(), "b.test".into()]);
        assert!(text.contains("127.0.0.1 a.test b.test\n") && text.contains("localhost"));
    }
}
