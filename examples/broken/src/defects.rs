//! Real-world ways to break CORS in front of (or instead of) a correct CORS layer. Each
//! is what a proxy, CDN, gateway or hand-written middleware does to the answers of a
//! server that was right; `cors-doctor test` must name each one.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header::{
    ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_REQUEST_METHOD, ORIGIN, VARY,
};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use cors_core::PolicyConfig;

/// The defect a server carries.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Defect {
    /// No defect: the correct CORS layer alone.
    None,
    /// A CDN that drops `Vary`: one origin's answer is served to another.
    NoVary,
    /// Hand-written middleware that echoes any `Origin` as allowed.
    ReflectAnyOrigin,
    /// `Access-Control-Allow-Origin: *` next to `Access-Control-Allow-Credentials: true`.
    StarWithCredentials,
    /// A gateway that answers preflights 200 without the allowed methods and headers.
    PreflightWithoutMethods,
    /// A router that hands `OPTIONS` to the app, before any CORS layer.
    OptionsToApp,
    /// A proxy that adds its own `Access-Control-Allow-Origin` line.
    SecondAllowOrigin,
    /// A subdomain pattern's apex allowed (`https://example.com` for `*.example.com`).
    ApexAllowed,
    /// A look-alike host allowed: a pattern's domain without the dot
    /// (`evilexample.com`), a listed host as the prefix of another domain.
    LookalikeAllowed,
}

/// What the defects need to know: which one, and the policy they bend.
pub struct Setup {
    pub defect: Defect,
    pub config: PolicyConfig,
}

/// The middleware that applies the defect around the correct layer.
pub async fn apply(State(setup): State<Arc<Setup>>, mut request: Request, next: Next) -> Response {
    let sent = request.headers().get(ORIGIN).cloned();
    let stand_in = sent
        .as_ref()
        .and_then(|o| o.to_str().ok())
        .and_then(|origin| stand_in(&setup, origin));
    if let Some(allowed) = &stand_in {
        if let Ok(value) = HeaderValue::from_str(allowed) {
            request.headers_mut().insert(ORIGIN, value);
        }
    }
    let preflight = request.method() == Method::OPTIONS
        && request
            .headers()
            .contains_key(ACCESS_CONTROL_REQUEST_METHOD);
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if let (Some(_), Some(sent)) = (&stand_in, sent) {
        if headers.contains_key(ACCESS_CONTROL_ALLOW_ORIGIN) {
            headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, sent);
        }
    }
    match setup.defect {
        Defect::NoVary => {
            headers.remove(VARY);
        }
        Defect::StarWithCredentials if headers.contains_key(ACCESS_CONTROL_ALLOW_ORIGIN) => {
            headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
        }
        Defect::PreflightWithoutMethods if preflight => {
            headers.remove(ACCESS_CONTROL_ALLOW_METHODS);
            headers.remove(ACCESS_CONTROL_ALLOW_HEADERS);
            *response.status_mut() = StatusCode::OK;
        }
        Defect::SecondAllowOrigin => {
            if let Some(value) = headers.get(ACCESS_CONTROL_ALLOW_ORIGIN).cloned() {
                headers.append(ACCESS_CONTROL_ALLOW_ORIGIN, value);
            }
        }
        _ => {}
    }
    response
}

/// For the defects that allow what the policy does not: an allowed origin the correct
/// layer is shown instead of `origin`.
fn stand_in(setup: &Setup, origin: &str) -> Option<String> {
    let entries = &setup.config.allow_origins;
    let exact = entries.iter().find(|e| !e.contains('*') && *e != "null")?;
    let let_in = match setup.defect {
        Defect::ReflectAnyOrigin => !entries.iter().any(|e| e == origin),
        Defect::ApexAllowed => {
            patterns(entries).any(|(scheme, domain)| origin == format!("{scheme}://{domain}"))
        }
        Defect::LookalikeAllowed => {
            let glued = patterns(entries).any(|(scheme, domain)| {
                origin
                    .strip_prefix(&format!("{scheme}://"))
                    .is_some_and(|host| {
                        host != domain
                            && host.ends_with(domain)
                            && !host.ends_with(&format!(".{domain}"))
                    })
            });
            let prefixed = entries
                .iter()
                .any(|e| !e.contains('*') && origin.starts_with(&format!("{e}.")));
            glued || prefixed
        }
        _ => false,
    };
    let_in.then(|| exact.clone())
}

/// The subdomain patterns of the policy, as (scheme, domain with any port).
fn patterns(entries: &[String]) -> impl Iterator<Item = (&str, &str)> {
    entries.iter().filter_map(|e| e.split_once("://*."))
}
