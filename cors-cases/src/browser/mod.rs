//! The browser's side of the CORS protocol, from the Fetch Standard
//! (<https://fetch.spec.whatwg.org/#http-cors-protocol>): what a browser sends, and what
//! it checks in a response before it lets the script have it. Used to compute verdicts
//! from real responses, to cross-check the verdicts written in the table, and by tools
//! that act as a browser (`cargo xtask probe`).
//!
//! - [`request`]: what a browser sends: the method as `fetch()` normalizes it, the
//!   safelisted headers, and when it sends a preflight first.
//! - [`cors_check`], [`preflight_check`] and [`private_network_check`]: the checks of a
//!   response; [`BrowserError`] says why one fails.
//! - [`check_case`] and [`verdict_for`]: those checks applied to a case of the table.
//! - [`can_read_response_header`]: which headers of a shared response the script can
//!   read.
//!
//! Response headers are `(name, value)` lines as received; names compare
//! case-insensitively, and a header on several lines is combined with `, ` as Fetch's
//! "get" does (<https://fetch.spec.whatwg.org/#concept-header-list-get>), so a duplicated
//! `Access-Control-Allow-Origin` fails like in browsers.

mod cors_check;
mod error;
mod exposure;
mod names;
mod preflight;
pub mod request;
mod verdict;

pub use cors_check::cors_check;
pub use error::BrowserError;
pub use exposure::{can_read_response_header, is_safelisted_response_header};
pub use preflight::{preflight_check, private_network_check};
pub use verdict::{check_case, verdict_for};

/// Response header lines from `(name, value)` text pairs, for the tests.
#[cfg(test)]
fn lines(pairs: &[(&str, &str)]) -> Vec<(String, Vec<u8>)> {
    pairs
        .iter()
        .map(|(n, v)| (n.to_string(), v.as_bytes().to_vec()))
        .collect()
}
