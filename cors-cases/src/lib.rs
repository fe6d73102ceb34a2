//! The conformance case table of the workspace (`cases/*.toml`), its loader, the
//! comparison of real responses with the table, and the browser's side of CORS.
//!
//! The table's format and the behaviour rules it encodes are described in
//! `cases/README.md`. This crate deliberately does not depend on `cors-core`: the
//! table is the specification the core is tested against, so it must not be derived
//! from it.
//!
//! ```
//! let families = cors_cases::load_all().unwrap();
//! let case = &families[0].cases[0];
//! let policy = families[0].policy_of(case);
//! assert!(!policy.toml_text().is_empty());
//! // A server answering exactly as expected has no mismatch.
//! let response = case.expect.response_headers();
//! assert!(cors_cases::check_headers(&case.expect, &response).is_empty());
//! ```

#![warn(missing_docs)]

pub mod browser;
mod compare;
mod load;
mod model;

pub use compare::{check_headers, check_response, check_status, Mismatch, APP_HEADER};
pub use load::{load_all, load_dir, parse_family, LoadError};
pub use model::{Case, Expect, Family, Outcome, PolicySource, Verdict};
