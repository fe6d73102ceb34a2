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
//! `docs/writing-an-adapter.md` walks through a whole adapter.

mod headers;
mod log;
mod sequence;

/// The bytes type of [`PolicyValue`] and [`FrameworkHeaders::from_shared`].
pub use bytes::Bytes;
pub use headers::{cors_request, request_origin, request_view};
pub use headers::{FrameworkHeaders, HeaderSink, PreflightAnswer};
pub use sequence::{start, CorsRequest, Lookup, Pending, Start, Step};

pub use crate::allow_headers::{
    MAX_EMPTY_ELEMENTS, MAX_REQUEST_HEADERS_LEN, MAX_REQUEST_HEADER_LINES, MAX_REQUEST_HEADER_NAMES,
};
pub use crate::decision::{Action, ActualHeaders, Decision, Preflight};
pub use crate::origin::MAX_ORIGIN_LEN;
pub use crate::request::{RequestHeader, RequestView};
pub use crate::response::{CorsHeader, HeaderList, PolicyValue, ResponseHeaders, Value};

/// Declares an adapter's public CORS type: a struct holding the [`SharedPolicy`] it
/// applies, with the constructor and accessors every adapter offers alike (`new`,
/// `policy`, `shared`). Framework traits (a tower `Layer`, an actix `Transform`, a
/// Rocket `Fairing`) are then implemented on it by the adapter.
///
/// ```
/// cors_core::policy_holder!(
///     /// My framework's CORS middleware.
///     pub struct Cors
/// );
///
/// let policy = cors_core::Policy::builder().allow_any_origin().build()?;
/// let cors = Cors::new(policy);
/// assert!(cors.policy().allows_origin(b"https://a.example"));
/// cors.shared().replace(cors_core::Policy::builder().build()?);
/// assert!(!cors.policy().allows_origin(b"https://a.example"));
/// # Ok::<(), cors_core::PolicyError>(())
/// ```
///
/// [`SharedPolicy`]: crate::SharedPolicy
#[macro_export]
macro_rules! policy_holder {
    ($(#[$meta:meta])* $vis:vis struct $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone)]
        $vis struct $name {
            policy: $crate::SharedPolicy,
        }

        impl $name {
            /// Applies `policy`: a `Policy`, an `Arc<Policy>`, or a `SharedPolicy` to be
            /// replaced while the server runs.
            pub fn new(policy: impl Into<$crate::SharedPolicy>) -> Self {
                $name {
                    policy: policy.into(),
                }
            }

            /// The policy applied now.
            pub fn policy(&self) -> std::sync::Arc<$crate::Policy> {
                self.policy.load()
            }

            /// The handle to the policy, shared by every clone and by every service made
            /// from this one: replacing the policy through it takes effect for the next
            /// request, without a restart.
            pub fn shared(&self) -> &$crate::SharedPolicy {
                &self.policy
            }
        }
    };
}
