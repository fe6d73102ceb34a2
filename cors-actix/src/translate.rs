//! actix-web's header types for the core's adapter kit, and the preflight response. No
//! CORS rule lives here.
//!
//! It is `cors-http`'s translation once more, for other types: actix-web 4 is built on
//! `http` 0.2, whose `HeaderMap` and `HeaderValue` are not those of `http` 1.

use actix_web::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use cors_core::adapter::RequestHeader;
use cors_core::adapter::{Bytes, CorsHeader, FrameworkHeaders, Preflight, PreflightAnswer};

/// actix-web's header types, for the core's adapter kit.
pub(crate) enum Actix {}

/// Not among actix's header constants (the Private Network Access draft). Constants, so
/// that the names are checked at compile time rather than on every request.
const REQUEST_PRIVATE_NETWORK: HeaderName =
    HeaderName::from_static("access-control-request-private-network");
const ALLOW_PRIVATE_NETWORK: HeaderName =
    HeaderName::from_static("access-control-allow-private-network");

impl FrameworkHeaders for Actix {
    type Map = HeaderMap;
    type Value = HeaderValue;

    fn request_lines(map: &HeaderMap, name: RequestHeader) -> impl Iterator<Item = &HeaderValue> {
        let name = match name {
            RequestHeader::Origin => header::ORIGIN,
            RequestHeader::RequestMethod => header::ACCESS_CONTROL_REQUEST_METHOD,
            RequestHeader::RequestHeaders => header::ACCESS_CONTROL_REQUEST_HEADERS,
            RequestHeader::RequestPrivateNetwork => REQUEST_PRIVATE_NETWORK,
        };
        map.get_all(name)
    }

    fn response_lines(map: &HeaderMap, name: CorsHeader) -> impl Iterator<Item = &HeaderValue> {
        map.get_all(header_name(name))
    }

    fn insert(map: &mut HeaderMap, name: CorsHeader, value: HeaderValue) {
        map.insert(header_name(name), value);
    }

    fn append(map: &mut HeaderMap, name: CorsHeader, value: HeaderValue) {
        map.append(header_name(name), value);
    }

    fn remove(map: &mut HeaderMap, name: CorsHeader) {
        map.remove(header_name(name));
    }

    fn as_bytes(value: &HeaderValue) -> &[u8] {
        value.as_bytes()
    }

    fn from_static(text: &'static str) -> HeaderValue {
        HeaderValue::from_static(text)
    }

    fn from_bytes(bytes: &[u8]) -> Option<HeaderValue> {
        HeaderValue::from_bytes(bytes).ok()
    }

    fn from_shared(bytes: &Bytes) -> Option<HeaderValue> {
        HeaderValue::from_maybe_shared(bytes.clone()).ok()
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
