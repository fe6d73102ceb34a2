//! The [`cors_core`] engine over the types of the [`http`] crate (1.x), for the adapters
//! of frameworks built on it (`cors-axum`, `cors-warp`) and for anyone plugging the
//! engine into another `http`-based stack: [`Http`] translates the header map for the
//! core's adapter kit ([`cors_core::adapter`]), and [`CorsLayer`] is the tower middleware
//! that axum's router, `warp::service` and a bare hyper service all take (`cors-axum` and
//! `cors-warp` re-export it). Translation and plumbing only: every CORS rule, and the
//! per-request sequence, are the core's.
//!
//! The sequence by hand, for a stack that takes no tower layer:
//!
//! ```
//! use std::sync::Arc;
//! use cors_core::adapter::{self, Start, Step};
//! use cors_core::Policy;
//! use http::{HeaderValue, Request, Response};
//!
//! let policy = Arc::new(Policy::from_toml_str(r#"allow_origins = ["https://app.example.com"]"#)?);
//! let request = Request::get("/").header("origin", "https://app.example.com").body(())?;
//! let cors = cors_http::cors_request(&request);
//! let start = adapter::start(policy, &cors, cors_http::preflight_response::<String>);
//! let Start::Decided(Step::Forward(pending)) = start else { unreachable!() };
//!
//! let mut response = Response::new(String::from("Hello"));  // the application's
//! pending.write_into::<cors_http::Http>(response.headers_mut());
//! assert_eq!(response.headers()["access-control-allow-origin"], "https://app.example.com");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Optional features
//! - `watch`: turns on `cors_core::watch`, whose `PolicyFileWatcher` reloads a policy
//!   file into a [`SharedPolicy`](cors_core::SharedPolicy) whenever the file changes.
//! - `metrics`: decisions counted through the `metrics` facade as
//!   `cors_decisions_total` (by outcome) and
//!   `cors_refusals_total` (by refusal kind); the application installs the exporter.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod layer;

pub use layer::{Cors, CorsLayer, ResponseFuture};

use cors_core::adapter::{self, CorsRequest, Preflight, RequestView};
use http::header::{self, HeaderMap, HeaderValue};
use http::{Method, Request, Response, StatusCode};

cors_core::adapter::http_framework_headers!(
    /// The `http` 1 header types, for the core's adapter kit.
    pub enum Http in ::http::header
);

/// The core's view of a request's headers, borrowing every line it reads.
pub fn request_view<'r>(method: &'r Method, headers: &'r HeaderMap) -> RequestView<'r> {
    adapter::request_view::<Http>(method.as_str(), headers)
}

/// What the adapter kit needs of an `http` request: method, path, `Origin`, view.
pub fn cors_request<B>(request: &Request<B>) -> CorsRequest<'_, HeaderValue> {
    let (method, path) = (request.method().as_str(), request.uri().path());
    adapter::cors_request::<Http>(method, path, request.headers())
}

/// The core's [`ResponseHeaders`](cors_core::adapter::ResponseHeaders) over a `HeaderMap`.
pub type HeaderSink<'a> = adapter::HeaderSink<'a, Http>;

/// The status and headers of a preflight's answer, for an empty body.
pub fn preflight_answer(
    preflight: &Preflight<'_>,
    request_origin: Option<&HeaderValue>,
) -> (StatusCode, HeaderMap) {
    let headers = adapter::preflight_headers::<Http>(preflight, request_origin, || {
        // Room for every header of an answer, and for what the framework adds (axum's
        // `allow`), so that the map never rehashes (a copy of the prepared block keeps
        // its index table).
        let mut headers = HeaderMap::with_capacity(12);
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from_static("0"));
        headers
    });
    let status = StatusCode::from_u16(preflight.status()).unwrap_or(StatusCode::FORBIDDEN);
    (status, headers)
}

/// A preflight's answer as an `http` response with an empty body: the `answer` function
/// the adapters hand to [`cors_core::adapter::start`].
pub fn preflight_response<B: Default>(
    preflight: &Preflight<'_>,
    request_origin: Option<&HeaderValue>,
) -> Response<B> {
    let (status, headers) = preflight_answer(preflight, request_origin);
    let mut response = Response::new(B::default());
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use cors_core::adapter::Action;
    use cors_core::Policy;

    fn policy() -> Policy {
        Policy::from_toml_str(
            "allow_origins = [\"https://*.example.com\"]\nallow_methods = [\"PUT\"]\nallow_credentials = true\nallow_headers = [\"*\"]",
        )
        .unwrap()
    }

    #[test]
    fn a_preflight_is_answered_with_the_request_origin_and_echoed_lines() {
        let policy = policy();
        let mut request = HeaderMap::new();
        request.insert("origin", HeaderValue::from_static("https://a.example.com"));
        request.insert(
            "access-control-request-method",
            HeaderValue::from_static("PUT"),
        );
        request.append(
            "access-control-request-headers",
            HeaderValue::from_static("x-a"),
        );
        request.append(
            "access-control-request-headers",
            HeaderValue::from_static("x-b"),
        );
        let view = request_view(&Method::OPTIONS, &request);
        let Action::Respond(preflight) = policy.decide(&view).into_action() else {
            panic!("not a preflight")
        };
        let (status, headers) = preflight_answer(&preflight, request.get("origin"));
        assert_eq!(status, StatusCode::NO_CONTENT);
        assert_eq!(
            headers["access-control-allow-origin"],
            "https://a.example.com"
        );
        let echoed: Vec<_> = headers
            .get_all("access-control-allow-headers")
            .iter()
            .collect();
        assert_eq!(echoed, ["x-a", "x-b"]);
        assert_eq!(headers["content-length"], "0");
    }

    #[test]
    fn vary_is_merged_and_an_app_origin_is_replaced() {
        let policy = policy();
        let mut request = HeaderMap::new();
        request.insert("origin", HeaderValue::from_static("https://a.example.com"));
        let view = request_view(&Method::GET, &request);
        let Action::Forward(actual) = policy.decide(&view).into_action() else {
            panic!("not forwarded")
        };
        let mut response = HeaderMap::new();
        response.insert("vary", HeaderValue::from_static("accept-encoding"));
        response.insert("access-control-allow-origin", HeaderValue::from_static("*"));
        actual.write_to(
            &policy,
            &mut HeaderSink::new(&mut response, request.get("origin")),
        );
        let vary: Vec<_> = response.get_all("vary").iter().collect();
        assert_eq!(vary, ["accept-encoding", "origin"]);
        let origins: Vec<_> = response
            .get_all("access-control-allow-origin")
            .iter()
            .collect();
        assert_eq!(origins, ["https://a.example.com"]);
    }

    /// The answer to a preflight from `origin`, asking for `headers` if any.
    fn answer_to(
        policy: &Policy,
        origin: &'static str,
        headers: Option<&'static str>,
    ) -> HeaderMap {
        let mut request = HeaderMap::new();
        request.insert("origin", HeaderValue::from_static(origin));
        let method = HeaderValue::from_static("PUT");
        request.insert("access-control-request-method", method);
        if let Some(names) = headers {
            let names = HeaderValue::from_static(names);
            request.insert("access-control-request-headers", names);
        }
        let view = request_view(&Method::OPTIONS, &request);
        let Action::Respond(preflight) = policy.decide(&view).into_action() else {
            panic!("not a preflight")
        };
        preflight_answer(&preflight, request.get("origin")).1
    }

    #[test]
    fn preflights_that_share_a_prepared_block_keep_their_own_origin_and_echo() {
        let policy = policy();
        // Each shape (with and without requested headers) twice, from two origins: the
        // second answer of a shape is a copy of the block the first one prepared.
        for _ in 0..2 {
            for (origin, asked) in [
                ("https://a.example.com", Some("x-a")),
                ("https://b.example.com", None),
                ("https://c.example.com", Some("x-c, x-d")),
            ] {
                let headers = answer_to(&policy, origin, asked);
                let origins: Vec<_> = headers
                    .get_all("access-control-allow-origin")
                    .iter()
                    .collect();
                assert_eq!(origins, [origin]);
                assert_eq!(headers["access-control-allow-credentials"], "true");
                assert_eq!(headers["access-control-allow-methods"], "PUT");
                let echoed: Vec<_> = headers
                    .get_all("access-control-allow-headers")
                    .iter()
                    .collect();
                assert_eq!(echoed, asked.into_iter().collect::<Vec<_>>());
                assert_eq!(headers.get_all("vary").iter().count(), 1);
                assert_eq!(headers["content-length"], "0");
            }
        }
    }
}
