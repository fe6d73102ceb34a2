//! The [`cors_core`] engine over the types of the [`http`] crate (1.x), for the adapters
//! of frameworks built on it (`cors-axum`, `cors-warp`) and for anyone plugging the
//! engine into another `http`-based stack. Translation only: every CORS rule is the
//! core's.
//!
//! ```
//! use cors_core::{Action, Policy};
//! use http::{HeaderMap, HeaderValue, Method};
//!
//! let policy = Policy::from_toml_str(r#"allow_origins = ["https://app.example.com"]"#)?;
//! let mut request_headers = HeaderMap::new();
//! request_headers.insert("origin", HeaderValue::from_static("https://app.example.com"));
//! let view = cors_http::request_view(&Method::GET, &request_headers);
//! let Action::Forward(actual) = policy.decide(&view).into_action() else { unreachable!() };
//!
//! let mut response_headers = HeaderMap::new();
//! let origin = request_headers.get("origin");
//! actual.write_to(&policy, &mut cors_http::HeaderSink::new(&mut response_headers, origin));
//! assert_eq!(response_headers["access-control-allow-origin"], "https://app.example.com");
//! # Ok::<(), cors_core::PolicyError>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use cors_core::{CorsHeader, PolicyValue, Preflight, RequestHeader, RequestView};
use cors_core::{ResponseHeaders, Value};
use http::header::{self, HeaderMap, HeaderName, HeaderValue};
use http::{Method, StatusCode};

/// Not among `http`'s constants (the Private Network Access draft). Constants, so that
/// the name is checked at compile time rather than on every request.
const REQUEST_PRIVATE_NETWORK: HeaderName =
    HeaderName::from_static("access-control-request-private-network");
const ALLOW_PRIVATE_NETWORK: HeaderName =
    HeaderName::from_static("access-control-allow-private-network");

/// The core's view of a request, borrowing every line of the headers it reads (only
/// `Origin` unless the request may be a preflight).
pub fn request_view<'r>(method: &'r Method, headers: &'r HeaderMap) -> RequestView<'r> {
    RequestView::from_headers(method.as_str(), |name| {
        let name = match name {
            RequestHeader::Origin => header::ORIGIN,
            RequestHeader::RequestMethod => header::ACCESS_CONTROL_REQUEST_METHOD,
            RequestHeader::RequestHeaders => header::ACCESS_CONTROL_REQUEST_HEADERS,
            RequestHeader::RequestPrivateNetwork => REQUEST_PRIVATE_NETWORK,
        };
        headers.get_all(name).iter().map(HeaderValue::as_bytes)
    })
}

/// A policy value as a `HeaderValue`, validated once per policy; later calls clone it (a
/// reference-count increment).
fn header_value(value: &PolicyValue) -> Option<HeaderValue> {
    value.prepared_clone(|bytes| HeaderValue::from_maybe_shared(bytes.clone()).ok())
}

/// The core's [`ResponseHeaders`] over a `HeaderMap`.
pub struct HeaderSink<'a> {
    headers: &'a mut HeaderMap,
    /// The request's `Origin`, for [`Value::RequestOrigin`].
    origin: Option<&'a HeaderValue>,
}

impl<'a> HeaderSink<'a> {
    /// Writes into `headers`; `request_origin` is the request's `Origin` value, which
    /// is reused (a reference-count increment) when the policy echoes it.
    pub fn new(headers: &'a mut HeaderMap, request_origin: Option<&'a HeaderValue>) -> Self {
        HeaderSink {
            headers,
            origin: request_origin,
        }
    }

    /// Values are valid by the core's construction; a conversion failure (which would be
    /// a core bug) drops the header rather than panicking on a request.
    fn value(&self, value: Value<'_>) -> Option<HeaderValue> {
        match value {
            Value::Static(text) => Some(HeaderValue::from_static(text)),
            Value::Shared(value) => header_value(value),
            Value::RequestOrigin => self.origin.cloned(),
            Value::Request(bytes) => HeaderValue::from_bytes(bytes).ok(),
        }
    }
}

impl<'v> ResponseHeaders<'v> for HeaderSink<'_> {
    fn set(&mut self, name: CorsHeader, value: Value<'_>) {
        if let Some(value) = self.value(value) {
            self.headers.insert(header_name(name), value);
        }
    }

    fn append(&mut self, name: CorsHeader, value: Value<'_>) {
        if let Some(value) = self.value(value) {
            self.headers.append(header_name(name), value);
        }
    }

    fn remove(&mut self, name: CorsHeader) {
        self.headers.remove(header_name(name));
    }

    fn vary_values(&self) -> impl Iterator<Item = &[u8]> {
        self.headers
            .get_all(header::VARY)
            .iter()
            .map(HeaderValue::as_bytes)
    }
}

fn header_name(name: CorsHeader) -> HeaderName {
    match name {
        CorsHeader::AllowOrigin => header::ACCESS_CONTROL_ALLOW_ORIGIN,
        CorsHeader::AllowCredentials => header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
        CorsHeader::AllowMethods => header::ACCESS_CONTROL_ALLOW_METHODS,
        CorsHeader::AllowHeaders => header::ACCESS_CONTROL_ALLOW_HEADERS,
        CorsHeader::ExposeHeaders => header::ACCESS_CONTROL_EXPOSE_HEADERS,
        CorsHeader::MaxAge => header::ACCESS_CONTROL_MAX_AGE,
        CorsHeader::AllowPrivateNetwork => ALLOW_PRIVATE_NETWORK,
        CorsHeader::Vary => header::VARY,
    }
}

/// The status and headers of a preflight's answer, for an empty body.
pub fn preflight_answer(
    preflight: &Preflight<'_>,
    request_origin: Option<&HeaderValue>,
) -> (StatusCode, HeaderMap) {
    // The core answers only 2xx (validated when the policy is built) or 403.
    let status = StatusCode::from_u16(preflight.status()).unwrap_or(StatusCode::FORBIDDEN);
    // Room for every header of an answer, and for what the framework adds (axum's
    // `allow`), so that the map never grows and rehashes while it is filled.
    let mut headers = HeaderMap::with_capacity(12);
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from_static("0"));
    preflight.write_to(&mut HeaderSink::new(&mut headers, request_origin));
    (status, headers)
}

#[cfg(test)]
mod tests {
    use super::*;
    use cors_core::{Action, Policy};

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
}
