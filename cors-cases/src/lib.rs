//! The conformance case table of the workspace (`cases/*.toml`), the browser cases
//! (`cases/browser/*.toml`), their loaders, the comparison of real responses with the
//! table, and the browser's side of CORS.
//!
//! The formats and the behaviour rules they encode are described in
//! `cases/README.md`. This crate deliberately does not depend on `cors-core`: the
//! table is the specification the core is tested against, so it must not be derived
//! from it. The policy schema is the one thing taken from the core, as a type
//! parameter of the loaders: the consumers load with `cors_core::PolicyConfig`.
//!
//! ```
//! // The consumers pass `cors_core::PolicyConfig`; `toml::Table` accepts any policy.
//! let families = cors_cases::load_all::<toml::Table>().unwrap();
//! let case = &families[0].cases[0];
//! let policy = families[0].policy_of(case);
//! assert!(!policy.toml_text().is_empty());
//! // A server answering exactly as expected has no mismatch.
//! let response = case.expect.response_headers();
//! assert!(cors_cases::check_headers(&case.expect, &response).is_empty());
//! ```

#![warn(missing_docs)]

pub mod browser;
/// The HTTP syntax helpers, shared with the browser's checks.
pub(crate) use cors_browser::syntax;
mod browser_cases;
mod compare;
mod load;
mod model;

pub use browser_cases::{
    BrowserCase, BrowserExpect, BrowserFamily, MAX_FETCHES, PAGE_HOST, PAGE_ORIGIN, PAGE_PORT,
    SERVER_HOST,
};
pub use compare::{check_headers, check_response, check_status, Mismatch, APP_HEADER};
pub use load::{
    load_all, load_browser, load_browser_dir, load_dir, parse_browser_family, parse_family,
    LoadError,
};
pub use model::{Case, Expect, Family, Outcome, PolicySource, Verdict};
