//! The loaded form of the browser cases, `cases/browser/*.toml`: `fetch()` calls that a
//! page makes to an example server on another origin, and what the browser must
//! conclude. `cargo xtask conformance --browser` runs them in headless Chromium.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::model::{default_path, PolicySource, Verdict};

/// Stands for the page's origin in the policies of browser cases: the runner knows it
/// only once it serves the page, and writes it in before it starts a server.
pub const PAGE_ORIGIN: &str = "{page}";

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
    /// What the browser concludes.
    pub expect: BrowserExpect,
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
}
