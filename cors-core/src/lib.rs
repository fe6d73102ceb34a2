//! The server side of the CORS protocol (WHATWG Fetch Standard), once: a validated,
//! immutable [`Policy`] and one pure, allocation-free decision per request.
//!
//! This crate has no web-framework dependency, and two audiences:
//!
//! - **A policy author** uses what is at the top: [`Policy`] (from its builder, or from a
//!   policy file through [`PolicyConfig`]), the [`PolicyError`] that names each
//!   [`Problem`] and its [`ProblemKind`], [`SharedPolicy`] to replace a policy while the
//!   server runs, [`OriginLookup`] for origins only a database knows, and
//!   [`Policy::allows_origin`] for requests CORS does not cover (WebSocket handshakes);
//!   with the feature `watch`, `watch::PolicyFileWatcher` reloads a policy file into a
//!   [`SharedPolicy`] whenever the file changes.
//! - **An adapter** (`cors-axum`, `cors-actix`, `cors-rocket`, `cors-warp`, or yours)
//!   uses [`adapter`]: the request view, the decision, the headers it writes, and the
//!   per-request sequence every adapter runs. Every rule lives here, so every framework
//!   behaves the same.
//!
//! ```
//! use cors_core::Policy;
//! use cors_core::adapter::{Action, HeaderList, RequestView};
//!
//! let policy = Policy::from_toml_str(r#"
//!     allow_origins = ["https://app.example.com"]
//!     expose_headers = ["x-request-id"]
//! "#)?;
//!
//! // What the adapter sequence does for each request:
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
//! The module tree follows the protocol: the request view (what the request says),
//! origins, methods and headers (what the policy allows), the decision, [`Refusal`]
//! (why not), and the response headers with `Vary`.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod adapter;
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
#[cfg(feature = "watch")]
pub mod watch;

pub use allow_origins::{LookupFuture, OriginLookup};
pub use config::PolicyConfig;
// The adapter machinery is public under `adapter`; these paths serve the crate's own
// modules.
pub(crate) use decision::{Action, ActualHeaders, Decision, Preflight};
pub use error::{ConfigError, PolicyError, Problem, ProblemKind};
pub use policy::{Policy, PolicyBuilder, MAX_MAX_AGE};
pub use refusal::Refusal;
pub(crate) use request::{RequestHeader, RequestView};
pub(crate) use response::{CorsHeader, ResponseHeaders, Value};
pub use shared::SharedPolicy;
