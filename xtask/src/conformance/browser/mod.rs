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

//!
//! - [`engine`]: where each engine is and how it is started;
//! - [`session`]: one engine's WebDriver session, which runs the cases on a server;
//! - [`page`]: the page and its script; [`relay`]: the preflight counter;
//! - [`standard`]: the Fetch Standard's browser; [`judge`]: the two judgements compared.

mod engine;
mod judge;
mod page;
mod relay;
mod session;
mod standard;

use std::collections::{BTreeMap, BTreeSet};

use cors_cases::{BrowserCase, PolicySource, PAGE_HOST};
use cors_core::PolicyConfig;

pub use engine::{Engine, Installed};
pub use session::{render, Session};

/// The family name of an engine's results in the matrix.
pub fn family(engine: Engine) -> String {
    format!("browser ({engine})")
}

/// Whether a matrix family is one engine's browser results.
pub fn is_family(name: &str) -> bool {
    name.starts_with("browser (")
}

/// An engine that ran, and its version as its WebDriver session reports it.
#[derive(Debug, Clone)]
pub struct EngineRun {
    pub engine: Engine,
    pub version: String,
    /// How long its cases took, for every server.
    pub seconds: f64,
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

/// Every `.test` name of the cases, the page's and the server's included.
pub fn hosts_of(cases: &[BrowserCase]) -> Vec<String> {
    let mut hosts: BTreeSet<String> = cases.iter().map(|c| c.page_host().to_owned()).collect();
    hosts.insert(PAGE_HOST.to_owned());
    hosts.insert(cors_cases::SERVER_HOST.to_owned());
    hosts.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_browser_cases_load_and_name_their_policies() {
        let (policies, cases) = load_cases().unwrap();
        assert!(cases.len() >= 60, "{} browser cases", cases.len());
        assert!(cases.iter().all(|c| policies.contains_key(&c.policy)));
        let hosts = hosts_of(&cases);
        assert!(hosts.iter().all(|h| h.ends_with(".test")) && hosts.len() > 2);
    }
}
