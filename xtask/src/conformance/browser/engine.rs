//! The three browser engines and how each is driven: Chromium through ChromeDriver,
//! Firefox through geckodriver, WebKitGTK's MiniBrowser through WebKitWebDriver under a
//! virtual display. All three speak W3C WebDriver, so one client (`fantoccini`) drives
//! them; what differs is where the programs are, the session's capabilities, and how
//! each is told that the names under `.test` are the loopback address.
//!
//! Every engine runs with its shipped preferences: the run judges the browsers users
//! have, and reports where they depart from the Fetch Standard.

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serde_json::{json, Map, Value};

/// A browser engine the conformance run can drive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Engine {
    Chromium,
    Firefox,
    Webkit,
}

impl Engine {
    pub const ALL: [Engine; 3] = [Engine::Chromium, Engine::Firefox, Engine::Webkit];

    pub fn name(self) -> &'static str {
        match self {
            Engine::Chromium => "chromium",
            Engine::Firefox => "firefox",
            Engine::Webkit => "webkit",
        }
    }

    /// The engines of `--engine a,b`: every one when the list is empty.
    pub fn parse_list(names: &[String]) -> Result<Vec<Engine>, String> {
        if names.is_empty() {
            return Ok(Engine::ALL.to_vec());
        }
        let mut engines = Vec::new();
        for name in names.iter().flat_map(|n| n.split(',')) {
            let engine = Engine::ALL
                .into_iter()
                .find(|e| e.name() == name.trim())
                .ok_or_else(|| {
                    format!("unknown engine \"{name}\": choose among chromium, firefox, webkit")
                })?;
            if !engines.contains(&engine) {
                engines.push(engine);
            }
        }
        engines.sort();
        Ok(engines)
    }

    /// Where the browser and its WebDriver server are, or which packages provide them.
    pub fn find(self) -> Result<Installed, String> {
        let found = match self {
            Engine::Chromium => which(&["chromium", "chromium-browser", "google-chrome"])
                .zip(which(&["chromedriver"]))
                .map(|(b, d)| (b, d, None)),
            Engine::Firefox => which(&["firefox-esr", "firefox"])
                .zip(which(&["geckodriver"]))
                .map(|(b, d)| (b, d, None)),
            Engine::Webkit => minibrowser()
                .zip(which(&["WebKitWebDriver"]))
                .zip(which(&["Xvfb"]))
                .map(|((b, d), x)| (b, d, Some(x))),
        };
        let (browser, driver, display) = found.ok_or_else(|| self.how_to_install())?;
        Ok(Installed {
            engine: self,
            browser,
            driver,
            display,
        })
    }

    fn how_to_install(self) -> String {
        let how = match self {
            Engine::Chromium => "`apt-get install chromium chromium-driver`",
            Engine::Firefox => {
                "`apt-get install firefox-esr` and `cargo install geckodriver --locked`"
            }
            Engine::Webkit => "`apt-get install webkit2gtk-driver xvfb`",
        };
        format!(
            "--browser needs {self} and its WebDriver server; on Debian or Ubuntu: {how} \
             (or choose other engines with --engine)"
        )
    }
}

impl fmt::Display for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An engine found on this machine.
#[derive(Debug, Clone)]
pub struct Installed {
    pub engine: Engine,
    pub browser: PathBuf,
    pub driver: PathBuf,
    /// The virtual display server, for an engine that cannot run headless.
    pub display: Option<PathBuf>,
}

/// The first of `names` found on the `PATH`.
fn which(names: &[&str]) -> Option<PathBuf> {
    names.iter().find_map(|name| which::which(name).ok())
}

/// WebKitGTK's MiniBrowser, which `libwebkit2gtk-4.1-0` installs outside the `PATH`.
fn minibrowser() -> Option<PathBuf> {
    let libs = [
        "/usr/lib/x86_64-linux-gnu",
        "/usr/lib/aarch64-linux-gnu",
        "/usr/lib",
    ];
    libs.iter()
        .map(|lib| Path::new(lib).join("webkit2gtk-4.1/MiniBrowser"))
        .find(|path| path.is_file())
}

impl Installed {
    /// The WebDriver server's command line, listening on `port`. WebKitGTK has no switch
    /// that maps host names, so its driver (and the browser it starts) runs in a mount
    /// namespace of its own where `hosts_file` is `/etc/hosts`, inside a user namespace
    /// of its own, so that it needs no root where unprivileged user namespaces are
    /// allowed.
    pub fn driver_command(&self, port: u16, hosts_file: &Path, display: Option<&str>) -> Command {
        let mut command = match self.engine {
            Engine::Chromium => {
                let mut c = Command::new(&self.driver);
                c.arg(format!("--port={port}"));
                c
            }
            Engine::Firefox => {
                let mut c = Command::new(&self.driver);
                c.args(["--port", &port.to_string(), "--log", "fatal"]);
                c
            }
            Engine::Webkit => {
                let mut c = Command::new("unshare");
                let script = r#"mount --bind "$1" /etc/hosts && exec "$2" --port="$3""#;
                c.args(["--map-root-user", "--mount", "sh", "-c", script, "sh"])
                    .arg(hosts_file)
                    .arg(&self.driver)
                    .arg(port.to_string());
                c
            }
        };
        if let Some(display) = display {
            command.env("DISPLAY", display);
        }
        command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        command
    }

    /// The session's capabilities: the browser binary, headless, a fresh profile, and
    /// the `.test` names of `hosts` mapped to loopback where the engine has a switch.
    pub fn capabilities(&self, profile: &Path, hosts: &[String]) -> Map<String, Value> {
        let mut capabilities = Map::new();
        match self.engine {
            Engine::Chromium => {
                capabilities.insert(
                    "goog:chromeOptions".into(),
                    json!({
                        "binary": self.browser,
                        "args": [
                            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                            "--no-first-run", "--disable-background-networking",
                            "--disable-component-update", "--disable-sync",
                            "--disable-dev-shm-usage",
                            "--host-resolver-rules=MAP *.test 127.0.0.1",
                            format!("--user-data-dir={}", profile.display()),
                        ],
                    }),
                );
            }
            Engine::Firefox => {
                capabilities.insert(
                    "moz:firefoxOptions".into(),
                    json!({
                        "binary": self.browser,
                        "args": ["-headless", "-profile", profile],
                        "prefs": {
                            "network.dns.localDomains": hosts.join(","),
                            "network.proxy.type": 0,
                            "network.trr.mode": 5,
                            "network.captive-portal-service.enabled": false,
                            "app.update.disabledForTesting": true,
                            "browser.safebrowsing.malware.enabled": false,
                            "browser.safebrowsing.phishing.enabled": false,
                        },
                    }),
                );
            }
            Engine::Webkit => {
                capabilities.insert(
                    "webkitgtk:browserOptions".into(),
                    json!({ "binary": self.browser, "args": ["--automation"] }),
                );
            }
        }
        capabilities
    }
}

/// A child process killed and reaped on drop, and stopped by the run's interrupt
/// handler meanwhile.
pub struct ChildGuard(Child);

impl ChildGuard {
    pub fn spawn(mut command: Command) -> Result<ChildGuard, String> {
        let child = command
            .spawn()
            .map_err(|e| format!("cannot run {:?}: {e}", command.get_program()))?;
        cors_bench::servers::remember(child.id());
        Ok(ChildGuard(child))
    }
}

impl Drop for ChildGuard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
        cors_bench::servers::forget(self.0.id());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_lists_parse_in_a_fixed_order_without_repeats() {
        assert_eq!(Engine::parse_list(&[]).unwrap(), Engine::ALL);
        let list = Engine::parse_list(&["webkit,chromium".into(), "webkit".into()]).unwrap();
        assert_eq!(list, [Engine::Chromium, Engine::Webkit]);
        let err = Engine::parse_list(&["safari".into()]).unwrap_err();
        assert!(err.contains("unknown engine \"safari\""), "{err}");
    }

    #[test]
    fn a_missing_engine_names_the_packages_to_install() {
        let text = Engine::Firefox.how_to_install();
        assert!(text.contains("firefox-esr") && text.contains("cargo install geckodriver"));
        assert!(Engine::Webkit
            .how_to_install()
            .contains("webkit2gtk-driver xvfb"));
    }

    #[test]
    fn each_engine_maps_the_test_names_its_own_way() {
        let installed = |engine| Installed {
            engine,
            browser: "/b".into(),
            driver: "/d".into(),
            display: None,
        };
        let hosts = ["app.example.test".to_owned(), "api.example.test".to_owned()];
        let chromium = installed(Engine::Chromium).capabilities(Path::new("/p"), &hosts);
        let args = chromium["goog:chromeOptions"]["args"].to_string();
        assert!(args.contains("MAP *.test 127.0.0.1"), "{args}");
        let firefox = installed(Engine::Firefox).capabilities(Path::new("/p"), &hosts);
        assert_eq!(
            firefox["moz:firefoxOptions"]["prefs"]["network.dns.localDomains"],
            "app.example.test,api.example.test"
        );
        let webkit = installed(Engine::Webkit).driver_command(9, Path::new("/h"), Some(":1"));
        let line: Vec<_> = webkit.get_args().collect();
        assert_eq!(line[1], "--mount");
        assert!(line.contains(&std::ffi::OsStr::new("/h")));
    }
}
