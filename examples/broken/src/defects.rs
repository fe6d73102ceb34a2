//! Real-world ways to break CORS around a correct CORS layer: each function is what a
//! proxy, CDN, gateway or hand-written middleware does to the answers of a server that
//! was right. A CORS testing tool (`cors-doctor test`) must name each one.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header::{
    ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_REQUEST_METHOD, ORIGIN, VARY,
};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::{from_fn, from_fn_with_state, Next};
use axum::response::Response;
use axum::Router;
use cors_core::PolicyConfig;
use tower::ServiceExt;

/// The defect a server carries, named on the command line in kebab case.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Defect {
    /// No defect: the correct CORS layer alone.
    None,
    /// A CDN that drops `Vary`.
    NoVary,
    /// Middleware that echoes any `Origin` as allowed.
    ReflectAnyOrigin,
    /// `Access-Control-Allow-Origin: *` beside `Access-Control-Allow-Credentials: true`.
    StarWithCredentials,
    /// A gateway that answers preflights 200 without the allowed methods and headers.
    PreflightWithoutMethods,
    /// A router that hands `OPTIONS` to the app, past the CORS layer.
    OptionsToApp,
    /// A proxy that adds its own `Access-Control-Allow-Origin` line.
    SecondAllowOrigin,
    /// The apex of a subdomain pattern allowed (`https://example.com` for `*.example.com`).
    ApexAllowed,
    /// Look-alike hosts allowed (`evilexample.com`, `app.example.com.evil.net`).
    LookalikeAllowed,
}

/// Wraps `with_cors`, the app behind the correct CORS layer, in `defect`. `config` is
/// the policy file the layer was built from (read for the origins it lists).
pub fn inject(defect: Defect, with_cors: Router, config: &PolicyConfig) -> Router {
    let origins = Arc::new(Origins::of(config));
    match defect {
        Defect::None => with_cors,
        Defect::NoVary => with_cors.layer(from_fn(no_vary)),
        Defect::ReflectAnyOrigin => {
            with_cors.layer(from_fn_with_state(origins, reflect_any_origin))
        }
        Defect::StarWithCredentials => with_cors.layer(from_fn(star_with_credentials)),
        Defect::PreflightWithoutMethods => with_cors.layer(from_fn(preflight_without_methods)),
        Defect::OptionsToApp => options_to_app(with_cors),
        Defect::SecondAllowOrigin => with_cors.layer(from_fn(second_allow_origin)),
        Defect::ApexAllowed => with_cors.layer(from_fn_with_state(origins, apex_allowed)),
        Defect::LookalikeAllowed => with_cors.layer(from_fn_with_state(origins, lookalike_allowed)),
    }
}

/// A CDN or caching proxy that strips `Vary` (or keeps only `Vary: Accept-Encoding`):
/// it caches the answer to one origin and serves it, `Access-Control-Allow-Origin`
/// included, to every other.
pub async fn no_vary(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    response.headers_mut().remove(VARY);
    response
}

/// The hand-written "fix for CORS errors" copied from a forum answer: whatever `Origin`
/// comes is echoed as allowed, with credentials when the policy has them, and every
/// preflight is answered with the policy's lists.
pub async fn reflect_any_origin(
    State(origins): State<Arc<Origins>>,
    request: Request,
    next: Next,
) -> Response {
    let stand_in = origins.allowed.clone().or_else(|| origin_of(&request));
    disguised(request, next, stand_in).await
}

/// A proxy or gateway rule (nginx `add_header ... always`, an API gateway's "enable
/// CORS" switch) that overwrites the app's `Access-Control-Allow-Origin` with `*` and
/// leaves `Access-Control-Allow-Credentials: true`: browsers refuse every credentialed
/// request.
pub async fn star_with_credentials(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    if let Some(allowed) = response.headers_mut().get_mut(ACCESS_CONTROL_ALLOW_ORIGIN) {
        *allowed = HeaderValue::from_static("*");
    }
    response
}

/// A load balancer or API gateway that answers preflights itself with a bare 200, keeping
/// the origin but dropping `Access-Control-Allow-Methods` and `-Headers`: browsers refuse
/// every non-simple method and header.
pub async fn preflight_without_methods(request: Request, next: Next) -> Response {
    let preflight = request.method() == Method::OPTIONS
        && request
            .headers()
            .contains_key(ACCESS_CONTROL_REQUEST_METHOD);
    let mut response = next.run(request).await;
    if preflight {
        response.headers_mut().remove(ACCESS_CONTROL_ALLOW_METHODS);
        response.headers_mut().remove(ACCESS_CONTROL_ALLOW_HEADERS);
        *response.status_mut() = StatusCode::OK;
    }
    response
}

/// A gateway or router that routes `OPTIONS` to the app itself (or a CORS layer mounted
/// on the matched routes only): every preflight gets the app's own 404 or 405, with no
/// CORS header.
pub fn options_to_app(with_cors: Router) -> Router {
    let bare = example_axum::app();
    Router::new().fallback_service(tower::service_fn(move |request: Request| {
        let target = if request.method() == Method::OPTIONS {
            bare.clone()
        } else {
            with_cors.clone()
        };
        target.oneshot(request)
    }))
}

/// A reverse proxy that adds its own `Access-Control-Allow-Origin` to the app's (nginx
/// `add_header` in front of an app that already does CORS): two values, which browsers
/// refuse even when both are the same.
pub async fn second_allow_origin(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if let Some(allowed) = headers.get(ACCESS_CONTROL_ALLOW_ORIGIN).cloned() {
        headers.append(ACCESS_CONTROL_ALLOW_ORIGIN, allowed);
    }
    response
}

/// A hand-written origin check for `*.example.com` written as
/// `host == "example.com" || host.ends_with(".example.com")`, or the regex
/// `^https://(.*\.)?example\.com$`: the apex, which the pattern does not cover, is
/// allowed too.
pub async fn apex_allowed(
    State(origins): State<Arc<Origins>>,
    request: Request,
    next: Next,
) -> Response {
    let stand_in = origin_of(&request).and_then(|origin| {
        let pattern = origins.patterns.iter().find(|p| origin == p.apex())?;
        Some(pattern.inside())
    });
    disguised(request, next, stand_in).await
}

/// A hand-written origin check without label boundaries: `ends_with("example.com")` for
/// `*.example.com` lets `https://evilexample.com` in, and
/// `starts_with("https://app.example.com")` lets `https://app.example.com.evil.net` in.
pub async fn lookalike_allowed(
    State(origins): State<Arc<Origins>>,
    request: Request,
    next: Next,
) -> Response {
    let stand_in = origin_of(&request).and_then(|origin| {
        let glued = origins.patterns.iter().find(|p| {
            let host = origin.strip_prefix(&format!("{}://", p.scheme));
            host.is_some_and(|host| {
                host.len() > p.domain.len()
                    && host.ends_with(&p.domain)
                    && !host.ends_with(&format!(".{}", p.domain))
            })
        });
        let prefixed = || {
            let mut exact = origins.exact.iter();
            exact.find(|listed| origin.starts_with(&format!("{listed}.")))
        };
        match glued {
            Some(pattern) => Some(pattern.inside()),
            None => prefixed().cloned(),
        }
    });
    disguised(request, next, stand_in).await
}

/// Shows the correct layer `stand_in` (an origin the policy allows) in place of the
/// request's `Origin`, then gives the request's own origin the
/// `Access-Control-Allow-Origin` that the layer gave the stand-in. Without a stand-in or
/// an `Origin`, the request passes untouched.
async fn disguised(mut request: Request, next: Next, stand_in: Option<String>) -> Response {
    let sent = request.headers().get(ORIGIN).cloned();
    let stand_in = stand_in.and_then(|origin| HeaderValue::try_from(origin).ok());
    let (Some(sent), Some(stand_in)) = (sent, stand_in) else {
        return next.run(request).await;
    };
    request.headers_mut().insert(ORIGIN, stand_in);
    let mut response = next.run(request).await;
    if let Some(allowed) = response.headers_mut().get_mut(ACCESS_CONTROL_ALLOW_ORIGIN) {
        *allowed = sent;
    }
    response
}

/// The request's `Origin`, when it is text.
fn origin_of(request: &Request) -> Option<String> {
    let origin = request.headers().get(ORIGIN)?.to_str().ok()?;
    Some(origin.to_owned())
}

/// The origins a policy file lists, as the defects bend them (read once, at startup).
pub struct Origins {
    /// Its exact entries, `null` aside.
    exact: Vec<String>,
    /// Its subdomain patterns.
    patterns: Vec<Pattern>,
    /// One origin it allows: its first exact entry, else one under its first pattern,
    /// else the host of its first any-port pattern.
    allowed: Option<String>,
}

impl Origins {
    fn of(config: &PolicyConfig) -> Self {
        // Lower case, as the policy stores them and browsers send them.
        let entries: Vec<String> = config
            .allow_origins
            .iter()
            .map(|e| e.trim().to_ascii_lowercase())
            .collect();
        let exact: Vec<String> = entries
            .iter()
            .filter(|e| !e.contains('*') && *e != "null")
            .cloned()
            .collect();
        let patterns: Vec<Pattern> = entries
            .iter()
            .filter_map(|e| {
                let (scheme, domain) = e.split_once("://*.")?;
                let (scheme, domain) = (scheme.to_owned(), domain.to_owned());
                Some(Pattern { scheme, domain })
            })
            .collect();
        let any_port = entries.iter().find_map(|e| e.strip_suffix(":*"));
        let allowed = exact
            .first()
            .cloned()
            .or_else(|| patterns.first().map(Pattern::inside))
            .or_else(|| any_port.map(str::to_owned));
        Origins {
            exact,
            patterns,
            allowed,
        }
    }
}

/// A subdomain pattern `scheme://*.domain`, its domain with the port, if any.
struct Pattern {
    scheme: String,
    domain: String,
}

impl Pattern {
    /// `scheme://domain`, which the pattern does not cover.
    fn apex(&self) -> String {
        format!("{}://{}", self.scheme, self.domain)
    }

    /// `scheme://x.domain`, which it does.
    fn inside(&self) -> String {
        format!("{}://x.{}", self.scheme, self.domain)
    }
}
