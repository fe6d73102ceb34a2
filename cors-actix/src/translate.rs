//! Translation between actix-web's types and the core's: the request view, the
//! response header sink, and the preflight response. No CORS rule lives here.
//!
//! It mirrors `cors-http`, which does the same for the `http` 1 types of axum and warp:
//! actix-web 4 is built on `http` 0.2, whose `HeaderMap` and `HeaderValue` are other
//! types, so the few lines that name them are written once for each.

use actix_web::dev::ServiceRequest;
use actix_web::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::HttpResponse;
use cors_core::{Action, ActualHeaders, CorsHeader, Decision, Policy, PolicyValue, Preflight};
use cors_core::{RequestHeader, RequestView, ResponseHeaders, Value};

/// Not among actix's header constants (the Private Network Access draft). Constants, so
/// that the names are checked at compile time rather than on every request.
const REQUEST_PRIVATE_NETWORK: HeaderName =
    HeaderName::from_static("access-control-request-private-network");
const ALLOW_PRIVATE_NETWORK: HeaderName =
    HeaderName::from_static("access-control-allow-private-network");

/// The core's view of a request, borrowing every line of the headers it reads (only
/// `Origin` unless the request may be a preflight).
pub(crate) fn view<'r>(method: &'r Method, headers: &'r HeaderMap) -> RequestView<'r> {
    RequestView::from_headers(method.as_str(), |name| {
        let name = match name {
            RequestHeader::Origin => header::ORIGIN,
            RequestHeader::RequestMethod => header::ACCESS_CONTROL_REQUEST_METHOD,
            RequestHeader::RequestHeaders => header::ACCESS_CONTROL_REQUEST_HEADERS,
            RequestHeader::RequestPrivateNetwork => REQUEST_PRIVATE_NETWORK,
        };
        headers.get_all(name).map(HeaderValue::as_bytes)
    })
}

/// What the middleware does once the policy has decided, owning everything it needs so
/// that the request can move on to the app.
pub(crate) enum Step {
    /// Send this preflight response; the app is not called.
    Answer(HttpResponse),
    /// Call the app, then write these headers; the value is the request's `Origin`,
    /// kept when the policy may echo it.
    Forward(ActualHeaders, Option<HeaderValue>),
}

impl Step {
    /// Logs a refusal, then turns the decision into what to do.
    pub(crate) fn of(decision: Decision<'_>, request: &ServiceRequest) -> Self {
        let origin = request.headers().get(header::ORIGIN);
        if let Some(refusal) = decision.refusal() {
            let (method, path) = (request.method(), request.path());
            tracing::debug!(%refusal, %method, path, ?origin, "CORS request refused");
        }
        match decision.into_action() {
            Action::Respond(preflight) => Step::Answer(preflight_response(&preflight, origin)),
            Action::Forward(actual) => {
                let echo = if actual.uses_request_origin() {
                    origin.cloned()
                } else {
                    None
                };
                Step::Forward(actual, echo)
            }
        }
    }
}

/// The answer to a preflight: the core's status and headers, an empty body (actix
/// writes `content-length: 0` itself, and none on a 204 as HTTP requires).
fn preflight_response(preflight: &Preflight<'_>, origin: Option<&HeaderValue>) -> HttpResponse {
    // The core only answers 2xx (validated when the policy is built) or 403.
    let status = StatusCode::from_u16(preflight.status()).unwrap_or(StatusCode::FORBIDDEN);
    let mut response = HttpResponse::new(status);
    let headers = response.headers_mut();
    preflight.write_to(&mut Sink { headers, origin });
    response
}

/// Writes the core's headers for an actual request into the app's response headers.
pub(crate) fn write_actual(
    headers: &mut HeaderMap,
    actual: &ActualHeaders,
    policy: &Policy,
    origin: Option<&HeaderValue>,
) {
    actual.write_to(policy, &mut Sink { headers, origin });
}

/// The core's [`ResponseHeaders`] over actix's header map.
struct Sink<'a> {
    headers: &'a mut HeaderMap,
    /// The request's `Origin`, for [`Value::RequestOrigin`].
    origin: Option<&'a HeaderValue>,
}

impl Sink<'_> {
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

/// A policy value as a `HeaderValue`, validated once per policy; later calls clone it (a
/// reference-count increment).
fn header_value(value: &PolicyValue) -> Option<HeaderValue> {
    value.prepared_clone(|bytes| HeaderValue::from_maybe_shared(bytes.clone()).ok())
}

impl<'v> ResponseHeaders<'v> for Sink<'_> {
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
