//! The server side of the CORS protocol (WHATWG Fetch Standard), once: a validated,
//! immutable [`Policy`] and one pure, allocation-free decision per request.
//!
//! This crate has no web-framework dependency. Adapters (`cors-axum`, `cors-actix`,
//! `cors-rocket`, `cors-warp`) build a [`RequestView`] from their request, call
//! [`Policy::decide`], and either answer a preflight or forward the request and write
//! [`ActualHeaders`] into the response. Every rule lives here, so every framework
//! behaves the same.
//!
//! Two helpers keep an adapter's per-request work small:
//! [`RequestView::from_headers`] asks it only for the headers a request can depend on
//! (`Origin` alone, unless the request may be a preflight), and
//! [`PolicyValue::prepared`] converts each value of the policy into the framework's
//! header type once, instead of on every response.
//!
//! ```
//! use cors_core::{Action, HeaderList, Policy, RequestView};
//!
//! let policy = Policy::from_toml_str(r#"
//!     allow_origins = ["https://app.example.com"]
//!     expose_headers = ["x-request-id"]
//! "#)?;
//!
//! // What an adapter does for each request:
//! let origin = b"https://app.example.com";
//! let request = RequestView::new("GET").origin([&origin[..]]);
//! let decision = policy.decide(&request);
//! if let Some(refusal) = decision.refusal() {
//!     println!("CORS refused: {refusal}");
//! }
//! match decision.into_action() {
//!     Action::Respond(preflight) => { /* answer preflight.status(), write its headers */ }
//!     Action::Forward(headers) => {
//!         // ...call the application, then:
//!         let mut response_headers = HeaderList::new(origin);
//!         headers.write_to(&policy, &mut response_headers);
//!         assert_eq!(
//!             response_headers.get_all("access-control-allow-origin").next(),
//!             Some(&origin[..])
//!         );
//!     }
//! }
//! # Ok::<(), cors_core::PolicyError>(())
//! ```
//!
//! The module tree follows the protocol: [`RequestView`] (what the request says),
//! origins, methods and headers (what the policy allows), the decision, [`Refusal`]
//! (why not), and the response headers with `Vary`.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod allow_headers;
mod allow_methods;
mod allow_origins;
mod config;
mod decision;
mod error;
mod guards;
mod host;
mod origin;
mod policy;
#[cfg(feature = "public-suffix")]
mod public_suffix;
mod punycode;
mod refusal;
mod request;
mod response;
mod shared;
mod token;
mod vary;

pub use allow_headers::{
    MAX_EMPTY_ELEMENTS, MAX_REQUEST_HEADERS_LEN, MAX_REQUEST_HEADER_LINES, MAX_REQUEST_HEADER_NAMES,
};
pub use allow_origins::{LookupFuture, OriginLookup};
pub use config::PolicyConfig;
pub use decision::{Action, ActualHeaders, Decision, Preflight};
pub use error::{ConfigError, PolicyError, Problem};
pub use origin::MAX_ORIGIN_LEN;
pub use policy::{Policy, PolicyBuilder, MAX_MAX_AGE};
pub use refusal::Refusal;
pub use request::{RequestHeader, RequestView};
pub use response::{CorsHeader, HeaderList, PolicyValue, ResponseHeaders, Value};
pub use shared::SharedPolicy;
