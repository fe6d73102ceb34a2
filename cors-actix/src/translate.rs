//! actix-web's header types for the core's adapter kit, and the preflight response. No
//! CORS rule lives here. actix-web 4 has a header map of its own, with the names and
//! values of `http` 0.2, not those of `http` 1, so the core's translation macro is
//! expanded for them here, as `cors-http` does for `http` 1.

use actix_web::http::header::HeaderValue;
use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use cors_core::adapter::{HeaderSink, Preflight};

cors_core::adapter::http_framework_headers!(
    /// actix-web's header types, for the core's adapter kit.
    pub(crate) enum Actix in ::actix_web::http::header
);

/// The answer to a preflight: the core's status and headers, an empty body (actix
/// writes `content-length: 0` itself, and none on a 204 as HTTP requires).
pub(crate) fn preflight_response(
    preflight: &Preflight<'_>,
    origin: Option<&HeaderValue>,
) -> HttpResponse {
    // The core only answers 2xx (validated when the policy is built) or 403.
    let status = StatusCode::from_u16(preflight.status()).unwrap_or(StatusCode::FORBIDDEN);
    // Written into the response's own header map, which actix takes from its pool.
    let mut response = HttpResponse::new(status);
    preflight.write_to(&mut HeaderSink::<Actix>::new(
        response.headers_mut(),
        origin,
    ));
    response
}
