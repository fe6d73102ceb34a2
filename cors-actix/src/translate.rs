//! actix-web's header types for the core's adapter kit, and the preflight response. No
//! CORS rule lives here. actix-web 4 is built on `http` 0.2, whose `HeaderMap` and
//! `HeaderValue` are not those of `http` 1, so the core's translation macro is expanded
//! for them here, as `cors-http` does for `http` 1.

use actix_web::http::header::{HeaderMap, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use cors_core::adapter::{Preflight, PreflightAnswer};

cors_core::http_framework_headers!(
    /// actix-web's header types (those of `http` 0.2), for the core's adapter kit.
    pub(crate) enum Actix in actix_web::http::header
);

/// The answer to a preflight: the core's status and headers, an empty body (actix
/// writes `content-length: 0` itself, and none on a 204 as HTTP requires).
pub(crate) fn preflight_response(
    preflight: &Preflight<'_>,
    origin: Option<&HeaderValue>,
) -> HttpResponse {
    let answer = PreflightAnswer::new::<Actix>(preflight, origin, HeaderMap::new());
    // The core only answers 2xx (validated when the policy is built) or 403.
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::FORBIDDEN);
    let mut response = HttpResponse::new(status);
    *response.headers_mut() = answer.headers;
    response
}
