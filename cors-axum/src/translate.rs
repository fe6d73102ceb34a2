//! Translation between `http` types and the core's: the request view, the response
//! header sink, and the preflight response. No CORS rule lives here.

use std::sync::Arc;

use cors_core::{Action, ActualHeaders, Decision, Policy, Preflight, RequestView};
use cors_http::HeaderSink;
use http::header::{self, HeaderMap, HeaderName, HeaderValue};
use http::{Method, Request, Response, Uri};

/// The four request headers CORS reads, copied for the asynchronous path.
const REQUEST_HEADER_NAMES: [HeaderName; 4] = [
    header::ORIGIN,
    header::ACCESS_CONTROL_REQUEST_METHOD,
    header::ACCESS_CONTROL_REQUEST_HEADERS,
    HeaderName::from_static("access-control-request-private-network"),
];

/// The core's view of a request, borrowing every line of the headers it reads.
pub(crate) fn view<'r>(method: &'r Method, headers: &'r HeaderMap) -> RequestView<'r> {
    cors_http::request_view(method, headers)
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

/// The answer to a preflight: the core's status and headers, an empty body.
fn preflight_response<B: Default>(
    preflight: &Preflight<'_>,
    origin: Option<&HeaderValue>,
) -> Response<B> {
    let (status, headers) = cors_http::preflight_answer(preflight, origin);
    let mut response = Response::new(B::default());
    *response.status_mut() = status;
    *response.headers_mut() = headers;
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
    actual.write_to(policy, &mut HeaderSink::new(headers, origin));
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
        for name in REQUEST_HEADER_NAMES {
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
