//! The loaded form of the browser cases, `cases/browser/*.toml`: `fetch()` calls that a
//! page makes to an example server on another origin, and what the browser must
//! conclude. `cargo xtask conformance --browser` runs them in headless Chromium, Firefox
//! and WebKit.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::model::{default_path, PolicySource, Verdict};

/// Stands for the page's origin in the policies of browser cases: the runner knows it
/// only once it serves the page, and writes it in before it starts a server.
pub const PAGE_ORIGIN: &str = "{page}";

/// Stands for the page's port in the policies of browser cases, for entries that name
/// another page host on the same port (`http://*.example.test:{port}`).
pub const PAGE_PORT: &str = "{port}";

/// The host of the page that runs a case's script, unless the case names another
/// ([`BrowserCase::page_host`]). Every name under `.test` is mapped to the loopback
/// address in the browser (RFC 6761 reserves `.test` for testing).
pub const PAGE_HOST: &str = "app.example.test";

/// The host of the example server that the script calls: another origin than the
/// page's, on the same site (`example.test`), so that a cookie the server sets is not
/// a third-party cookie.
pub const SERVER_HOST: &str = "api.example.test";

/// The most times a case sends its request ([`BrowserCase::fetches`]).
pub const MAX_FETCHES: u32 = 5;

/// One file of `cases/browser/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrowserFamily {
    /// The family's name, equal to the file's stem.
    pub family: String,
    /// One sentence on what the family covers.
    pub description: String,
    /// The named policies that the cases refer to, with [`PAGE_ORIGIN`] in place of the
    /// page's origin.
    pub policies: BTreeMap<String, PolicySource>,
    /// The cases, in file order.
    pub cases: Vec<BrowserCase>,
}

/// One `fetch()` call of the page, and what the browser concludes.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BrowserCase {
    /// Unique across the browser cases.
    pub name: String,
    /// The name of a policy of the same family.
    pub policy: String,
    /// The method the script passes to `fetch()`, as written (`fetch()` upper-cases
    /// only the methods it normalizes).
    pub method: String,
    /// The request path, a route of `docs/contract.md`.
    #[serde(default = "default_path")]
    pub path: String,
    /// The headers the script sets, in order.
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    /// The request body, if any.
    pub body: Option<String>,
    /// Whether the script uses the credentials mode `include`.
    #[serde(default)]
    pub credentials: bool,
    /// A response header the script reads once it has the response.
    pub read: Option<String>,
    /// The host of the page whose script sends the request, under `.test`; the page's
    /// origin is `http://<page_host>:<port>`. [`PAGE_HOST`] when absent.
    pub page_host: Option<String>,
    /// The script runs in a sandboxed iframe of the page (`sandbox="allow-scripts"`),
    /// whose origin is opaque: the request carries `Origin: null`.
    #[serde(default)]
    pub sandboxed: bool,
    /// Before the request, the script signs in: `POST /session` with credentials, to
    /// which the server answers with a session cookie (`docs/contract.md`, "Routes").
    #[serde(default)]
    pub sign_in: bool,
    /// How many times the script sends the request, one after the other (1 when
    /// absent, at most [`MAX_FETCHES`]): with `expect.preflights`, to see the preflight
    /// cache at work.
    #[serde(default = "one")]
    pub fetches: u32,
    /// After those, the script sends the request once more with these headers instead.
    pub then_headers: Option<Vec<(String, String)>>,
    /// What the browser concludes.
    pub expect: BrowserExpect,
}

fn one() -> u32 {
    1
}

impl BrowserCase {
    /// The host of the page that runs the script.
    pub fn page_host(&self) -> &str {
        self.page_host.as_deref().unwrap_or(PAGE_HOST)
    }

    /// Every request the script sends, in order, as the headers it sets: `fetches`
    /// times `headers`, then `then_headers` (the sign-in excepted).
    pub fn requests(&self) -> Vec<&[(String, String)]> {
        let repeated = (0..self.fetches).map(|_| self.headers.as_slice());
        repeated.chain(self.then_headers.as_deref()).collect()
    }
}

/// What the browser must conclude from the server's answers to a [`BrowserCase`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BrowserExpect {
    /// `allowed`: `fetch()` resolves; `blocked`: it rejects with a network error.
    pub verdict: Verdict,
    /// With [`BrowserCase::read`]: whether the script sees that header (`true`) or the
    /// browser hides it (`false`).
    pub readable: Option<bool>,
    /// For an `allowed` case: the status of the last response, as the script sees it.
    pub status: Option<u16>,
    /// How many preflights the server receives while the script runs the case.
    pub preflights: Option<u32>,
}
