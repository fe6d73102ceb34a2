//! What a framework adapter needs, apart from what a policy author uses: the request
//! view, the decision and the headers it writes, and the kit that runs the per-request
//! sequence once for every adapter.
//!
//! An adapter is its framework's plumbing plus two translations: its header map as
//! [`FrameworkHeaders`] (or, for a framework whose responses borrow, its own
//! [`ResponseHeaders`] sink), and its request as a [`CorsRequest`]. Then, per request:
//!
//! ```
//! use std::sync::Arc;
//! use cors_core::adapter::{self, CorsRequest, HeaderList, RequestView, Start, Step};
//! use cors_core::Policy;
//!
//! let policy = Arc::new(Policy::from_toml_str(r#"allow_origins = ["https://app.example.com"]"#)?);
//! let origin = "https://app.example.com";
//! let request = CorsRequest {
//!     method: "GET",
//!     path: "/",
//!     origin: Some(origin),
//!     view: RequestView::new("GET").origin([origin.as_bytes()]),
//! };
//! // The adapter's preflight answer; here only its status.
//! let answer = |preflight: &adapter::Preflight<'_>, _: Option<&str>| preflight.status();
//! let Start::Decided(Step::Forward(pending)) = adapter::start(policy, &request, answer) else {
//!     unreachable!("an allowed GET is forwarded")
//! };
//! // ... call the application, then write on its response:
//! let echoed = pending.origin().map(String::as_str).unwrap_or_default();
//! let mut response = HeaderList::new(echoed.as_bytes());
//! pending.write_to(&mut response);
//! assert_eq!(response.get_all("access-control-allow-origin").next(), Some(origin.as_bytes()));
//! # Ok::<(), cors_core::PolicyError>(())
//! ```
//!
//! The refusal log needs the crate's `tracing` feature (the four adapters turn it on; a
//! new adapter must too). With the `metrics` feature, the sequence also counts every
//! decision (see [`metrics`]). The repository's `docs/writing-an-adapter.md` walks through a
//! whole adapter.

mod headers;
mod holder;
mod http_headers;
mod log;
pub mod metrics;
mod sequence;

pub use crate::{http_framework_headers, policy_holder};
/// The bytes type of [`PolicyValue`] and [`FrameworkHeaders::from_shared`].
pub use bytes::Bytes;
pub use headers::{preflight_headers, request_origin, request_view, FrameworkHeaders, HeaderSink};
pub use sequence::{
    cors_request, cors_request_from_lines, start, CorsRequest, Lookup, Pending, Start, Step,
};

pub use crate::allow_headers::{
    MAX_EMPTY_ELEMENTS, MAX_REQUEST_HEADERS_LEN, MAX_REQUEST_HEADER_LINES, MAX_REQUEST_HEADER_NAMES,
};
pub use crate::decision::{Action, ActualHeaders, Decision, Preflight};
pub use crate::origin::MAX_ORIGIN_LEN;
pub use crate::request::{RequestHeader, RequestView};
pub use crate::response::{CorsHeader, HeaderList, PolicyValue, ResponseHeaders, Value};
