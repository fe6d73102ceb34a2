//! What the floor servers (`floor-<framework>`, for `cargo xtask bench` only) share: the
//! response headers that the example server writes for the benchmarks' two requests,
//! computed once from the policy file.
//!
//! A floor server is the example app behind the least work a CORS layer can do in its
//! framework: no origin check, no parsing of the request's CORS headers, no decision;
//! an `OPTIONS` request gets the prebuilt preflight answer, every other request the
//! prebuilt headers of an allowed actual request. It is wrong as CORS (it allows every
//! origin its first listed one's way) and right as a measure: whatever the example server
//! spends above it is the price of deciding, and the overhead the benchmarks report.

use std::future::{ready, Ready};
use std::path::Path;
use std::sync::OnceLock;
use std::task::{Context, Poll};

use crate::reference::{cannot_express, load_config_or_exit};
use cors_core::PolicyConfig;
use futures_util::future::{Either, MapOk, TryFutureExt};
use http::{HeaderName, HeaderValue, Method, Request, Response, StatusCode};
use tower_layer::Layer;
use tower_service::Service;

/// The prebuilt headers, by lowercase name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FloorHeaders {
    /// What an allowed actual request's response gets.
    pub actual: Vec<(&'static str, String)>,
    /// What the `204 No Content` answer to a preflight carries.
    pub preflight: Vec<(&'static str, String)>,
}

/// The headers the example server writes for an allowed request from the policy's first
/// listed origin, or exits with status 3 (`cannot express`) when the policy's first
/// origin is a pattern, which only a decision can answer.
pub fn load_or_exit(path: &Path) -> FloorHeaders {
    FloorHeaders::for_policy(&load_config_or_exit(path)).unwrap_or_else(|why| cannot_express(&why))
}

impl FloorHeaders {
    /// The headers for `config`, or why a floor cannot stand for it.
    pub fn for_policy(config: &PolicyConfig) -> Result<FloorHeaders, String> {
        let origin = match config.allow_origins.first() {
            Some(origin) if origin == "*" || !origin.contains('*') => origin.clone(),
            Some(pattern) => {
                return Err(format!(
                    "allow_origins[0]: `{pattern}` is a pattern; a floor server writes one origin without deciding"
                ))
            }
            None => return Err("allow_origins: empty; a floor server has no origin to write".into()),
        };
        let mut common = vec![("access-control-allow-origin", origin.clone())];
        if config.allow_credentials {
            common.push(("access-control-allow-credentials", "true".into()));
        }
        let mut actual = common.clone();
        if !config.expose_headers.is_empty() {
            actual.push((
                "access-control-expose-headers",
                config.expose_headers.join(", "),
            ));
        }
        let mut preflight = common;
        let methods = config.allow_methods.as_deref().unwrap_or(&[]);
        if !methods.is_empty() {
            preflight.push(("access-control-allow-methods", methods.join(", ")));
        }
        if !config.allow_headers.is_empty() {
            preflight.push((
                "access-control-allow-headers",
                config.allow_headers.join(", "),
            ));
        }
        if let Some(seconds) = config.max_age {
            preflight.push(("access-control-max-age", seconds.to_string()));
        }
        // The same `Vary` as the example server's: `*` varies on nothing but a
        // preflight's request headers.
        if origin != "*" {
            actual.push(("vary", "origin".into()));
        }
        let vary = match origin.as_str() {
            "*" => "access-control-request-method, access-control-request-headers",
            _ => "origin, access-control-request-method, access-control-request-headers",
        };
        preflight.push(("vary", vary.into()));
        // The policy file is not validated here (a floor takes any policy): a value that
        // is not a header value is refused now rather than when a server converts it.
        let values = actual.iter().chain(&preflight);
        if let Some((name, value)) = values.into_iter().find(|(_, v)| !is_header_value(v)) {
            return Err(format!("{name}: `{value}` is not a header value"));
        }
        Ok(FloorHeaders { actual, preflight })
    }
}

/// Visible ASCII, spaces and tabs: what every framework takes as a header value.
fn is_header_value(text: &str) -> bool {
    text.bytes()
        .all(|b| b == b'\t' || (b' '..=b'~').contains(&b))
}

/// The floor as a tower layer, for the stacks on the `http` crate's types (axum, and warp
/// through `warp::service`): a hand-written layer with prebuilt header values.
#[derive(Debug, Clone, Copy)]
pub struct FloorLayer;

/// The prebuilt values: a static, so that adding them is a plain function that the
/// response future can name.
static HEADERS: OnceLock<HttpHeaders> = OnceLock::new();

struct HttpHeaders {
    actual: Vec<(HeaderName, HeaderValue)>,
    preflight: Vec<(HeaderName, HeaderValue)>,
}

impl FloorLayer {
    /// The layer for `headers` (the first call's headers serve the whole process).
    pub fn new(headers: &FloorHeaders) -> FloorLayer {
        let converted = |list: &[(&'static str, String)]| {
            let list = list.iter().filter_map(|(name, text)| {
                Some((
                    HeaderName::from_static(name),
                    HeaderValue::from_str(text).ok()?,
                ))
            });
            list.collect()
        };
        let _ = HEADERS.set(HttpHeaders {
            actual: converted(&headers.actual),
            preflight: converted(&headers.preflight),
        });
        FloorLayer
    }
}

impl<S> Layer<S> for FloorLayer {
    type Service = Floor<S>;

    fn layer(&self, inner: S) -> Floor<S> {
        Floor { inner }
    }
}

/// The service of [`FloorLayer`].
#[derive(Debug, Clone)]
pub struct Floor<S> {
    inner: S,
}

/// The response future of [`Floor`].
pub type FloorFuture<F, B, E> =
    Either<Ready<Result<Response<B>, E>>, MapOk<F, fn(Response<B>) -> Response<B>>>;

impl<S, B, ResBody> Service<Request<B>> for Floor<S>
where
    S: Service<Request<B>, Response = Response<ResBody>>,
    ResBody: Default,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = FloorFuture<S::Future, ResBody, S::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        if request.method() == Method::OPTIONS {
            let mut response = Response::new(ResBody::default());
            *response.status_mut() = StatusCode::NO_CONTENT;
            add(&mut response, &http_headers().preflight);
            return Either::Left(ready(Ok(response)));
        }
        Either::Right(
            self.inner
                .call(request)
                .map_ok(with_actual_headers::<ResBody>),
        )
    }
}

fn http_headers() -> &'static HttpHeaders {
    HEADERS.get().expect("FloorLayer::new sets them")
}

fn with_actual_headers<B>(mut response: Response<B>) -> Response<B> {
    add(&mut response, &http_headers().actual);
    response
}

fn add<B>(response: &mut Response<B>, headers: &[(HeaderName, HeaderValue)]) {
    let map = response.headers_mut();
    for (name, value) in headers {
        map.insert(name.clone(), value.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(toml: &str) -> PolicyConfig {
        PolicyConfig::from_toml_str(toml).unwrap()
    }

    #[test]
    fn the_benchmark_policy_gives_the_example_servers_headers() {
        let floor = FloorHeaders::for_policy(&config(
            r#"allow_origins = ["https://app.example.com"]
allow_methods = ["GET", "PUT"]
allow_headers = ["content-type"]
expose_headers = ["x-request-id"]
max_age = 600"#,
        ))
        .unwrap();
        let names =
            |list: &[(&'static str, String)]| list.iter().map(|(n, _)| *n).collect::<Vec<_>>();
        assert_eq!(
            names(&floor.actual),
            [
                "access-control-allow-origin",
                "access-control-expose-headers",
                "vary"
            ]
        );
        assert_eq!(floor.actual[0].1, "https://app.example.com");
        assert_eq!(
            floor.preflight,
            [
                (
                    "access-control-allow-origin",
                    "https://app.example.com".to_owned()
                ),
                ("access-control-allow-methods", "GET, PUT".into()),
                ("access-control-allow-headers", "content-type".into()),
                ("access-control-max-age", "600".into()),
                (
                    "vary",
                    "origin, access-control-request-method, access-control-request-headers".into()
                ),
            ]
        );
    }

    #[test]
    fn a_value_no_framework_takes_is_refused_with_its_header() {
        let why = FloorHeaders::for_policy(&config(
            "allow_origins = [\"https://a.example\"]\nexpose_headers = [\"x-a\\n\"]",
        ));
        assert!(why
            .unwrap_err()
            .starts_with("access-control-expose-headers: "));
    }

    #[test]
    fn a_pattern_first_cannot_be_written_without_deciding() {
        let why = FloorHeaders::for_policy(&config(r#"allow_origins = ["https://*.example.com"]"#));
        assert!(why.unwrap_err().starts_with("allow_origins[0]"));
    }
}
