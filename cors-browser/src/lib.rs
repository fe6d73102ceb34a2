//! The browser's side of the CORS protocol, from the Fetch Standard
//! (<https://fetch.spec.whatwg.org/#http-cors-protocol>): what a browser sends, and what
//! it checks in a response before it lets the script have it. It has no dependency and
//! does no I/O: give it the response headers you received, and it says what a browser
//! concludes. The conformance suite judges servers with it, and so do the tools that act
//! as a browser (`cors-doctor probe` and `cors-doctor test`).
//!
//! ```
//! use cors_browser::{cors_check, BrowserError};
//!
//! let answer = vec![("access-control-allow-origin".to_owned(), b"*".to_vec())];
//! assert!(cors_check("https://app.example.com", false, &answer).is_ok());
//! // A credentialed request is never allowed by `*`.
//! assert_eq!(
//!     cors_check("https://app.example.com", true, &answer),
//!     Err(BrowserError::WildcardOriginWithCredentials)
//! );
//! ```
//!
//! - [`request`]: what a browser sends: the method as `fetch()` normalizes it, the
//!   safelisted headers, and when it sends a preflight first.
//! - [`cors_check`], [`preflight_check`] and [`private_network_check`]: the checks of a
//!   response; [`BrowserError`] says why one fails.
//! - [`can_read_response_header`]: which headers of a shared response the script can
//!   read.
//!
//! Response headers are `(name, value)` lines as received; names compare
//! case-insensitively, and a header on several lines is combined with `, ` as Fetch's
//! "get" does (<https://fetch.spec.whatwg.org/#concept-header-list-get>), so a duplicated
//! `Access-Control-Allow-Origin` fails like in browsers.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod cors_check;
mod error;
mod exposure;
mod names;
mod preflight;
pub mod request;
pub mod syntax;

pub use cors_check::cors_check;
pub use error::BrowserError;
pub use exposure::{can_read_response_header, is_safelisted_response_header};
pub use preflight::{preflight_check, private_network_check};

/// Response header lines from `(name, value)` text pairs, for the tests.
#[cfg(test)]
fn lines(pairs: &[(&str, &str)]) -> Vec<(String, Vec<u8>)> {
    pairs
        .iter()
        .map(|(n, v)| (n.to_string(), v.as_bytes().to_vec()))
        .collect()
}
