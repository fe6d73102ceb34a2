//! Translation between `http` types and the core's: the request view, the response
//! header sink, and the preflight response. No CORS rule lives here.

use std::sync::Arc;

use cors_core::{
    Action, ActualHeaders, CorsHeader, Decision, Policy, Preflight, RequestView, ResponseHeaders,
    Value,
};
use http::header::{self, HeaderMap, HeaderName, HeaderValue};
use http::{Method, Request, Response, StatusCode, Uri};

/// Not among `http`'s constants (the Private Network Access draft).
const REQUEST_PRIVATE_NETWORK: &str = "access-control-request-private-network";

/// The four request headers CORS reads.
fn request_header_names() -> [HeaderName; 4] {
    [
        header::ORIGIN,
        header::ACCESS_CONTROL_REQUEST_METHOD,
        header::ACCESS_CONTROL_REQUEST_HEADERS,
        HeaderName::from_static(REQUEST_PRIVATE_NETWORK),
    ]
}

/// The core's view of a request, borrowing every line of the headers it reads.
pub(crate) fn view<'r>(method: &'r Method, headers: &'r HeaderMap) -> RequestView<'r> {
    let lines = |name| headers.get_all(name).iter().map(HeaderValue::as_bytes);
    RequestView::new(method.as_str())
        .origin(lines(header::ORIGIN))
        .request_method(lines(header::ACCESS_CONTROL_REQUEST_METHOD))
        .request_headers(lines(header::ACCESS_CONTROL_REQUEST_HEADERS))
        .request_private_network(lines(HeaderName::from_static(REQUEST_PRIVATE_NETWORK)))
}

/// What the middleware does once the policy has decided, owning everything it needs so
/// that the request can move on to the inner service.
pub(crate) enum Step<B> {
    /// Send this preflight response; the inner service is not called.
    Answer(Response<B>),
    /// Call the inner service, then write these headers; the value is the request's
    /// `Origin`, kept when the policy may echo it.
    Forward(ActualHeaders, Option<HeaderValue>),
}

impl<B: Default> Step<B> {
    /// Logs a refusal, then turns the decision into what to do.
    pub(crate) fn of(
        decision: Decision<'_>,
        method: &Method,
        uri: &Uri,
        headers: &HeaderMap,
    ) -> Self {
        let origin = headers.get(header::ORIGIN);
        if let Some(refusal) = decision.refusal() {
            tracing::debug!(%refusal, %method, path = uri.path(), ?origin, "CORS request refused");
        }
        match decision.into_action() {
            Action::Respond(preflight) => Step::Answer(preflight_response(&preflight, origin)),
            Action::Forward(actual) => {
                let echo = if actual.is_allowed() {
                    origin.cloned()
                } else {
                    None
                };
                Step::Forward(actual, echo)
            }
        }
    }
}

/// The answer to a preflight: the core's status and headers, an empty body.
fn preflight_response<B: Default>(
    preflight: &Preflight<'_>,
    origin: Option<&HeaderValue>,
) -> Response<B> {
    let mut response = Response::new(B::default());
    // The core only answers 2xx (validated when the policy is built) or 403.
    *response.status_mut() =
        StatusCode::from_u16(preflight.status()).unwrap_or(StatusCode::FORBIDDEN);
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from_static("0"));
    preflight.write_to(&mut Sink { headers, origin });
    response
}

/// Writes the core's headers for an actual request into the app's response.
pub(crate) fn write_actual<B>(
    response: &mut Response<B>,
    actual: &ActualHeaders,
    policy: &Policy,
    origin: Option<&HeaderValue>,
) {
    let headers = response.headers_mut();
    actual.write_to(policy, &mut Sink { headers, origin });
}

/// The core's [`ResponseHeaders`] over an `http` header map.
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
            // A reference-count increment, no copy.
            Value::Shared(bytes) => HeaderValue::from_maybe_shared(bytes.clone()).ok(),
            Value::RequestOrigin => self.origin.cloned(),
            Value::Request(bytes) => HeaderValue::from_bytes(bytes).ok(),
        }
    }
}

impl ResponseHeaders for Sink<'_> {
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
        CorsHeader::AllowPrivateNetwork => HeaderName::from_static(name.as_str()),
        CorsHeader::Vary => header::VARY,
    }
}

/// What the asynchronous path keeps of a request: its method, URI (for the log) and
/// copies of the CORS request headers (reference-count increments for hyper's values).
pub(crate) struct LookupRequest {
    method: Method,
    uri: Uri,
    headers: HeaderMap,
}

impl LookupRequest {
    pub(crate) fn new<B>(request: &Request<B>) -> Self {
        let mut headers = HeaderMap::new();
        for name in request_header_names() {
            for value in request.headers().get_all(&name) {
                headers.append(name.clone(), value.clone());
            }
        }
        LookupRequest {
            method: request.method().clone(),
            uri: request.uri().clone(),
            headers,
        }
    }

    pub(crate) fn is_preflight(&self) -> bool {
        view(&self.method, &self.headers).is_preflight()
    }

    /// Awaits the policy's origin lookup and decides.
    pub(crate) async fn decide(self, policy: Arc<Policy>) -> Step<()> {
        let view = view(&self.method, &self.headers);
        let decision = policy.decide_async(&view).await;
        Step::of(decision, &self.method, &self.uri, &self.headers)
    }
}
