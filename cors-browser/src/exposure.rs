//! Which response headers a script can read: the CORS filtered response
//! (<https://fetch.spec.whatwg.org/#concept-filtered-response-cors>) keeps the safelisted
//! ones and those of `Access-Control-Expose-Headers`.

use super::names::EXPOSE_HEADERS;
use crate::syntax::get;

/// Fetch, "CORS-safelisted response-header name"
/// (<https://fetch.spec.whatwg.org/#cors-safelisted-response-header-name>): readable
/// without exposing.
pub fn is_safelisted_response_header(name: &str) -> bool {
    matches!(
        name.to_ascii_lowercase().as_str(),
        "cache-control"
            | "content-language"
            | "content-length"
            | "content-type"
            | "expires"
            | "last-modified"
            | "pragma"
    )
}

/// Fetch, "forbidden response-header name"
/// (<https://fetch.spec.whatwg.org/#forbidden-response-header-name>): never readable.
fn is_forbidden_response_header(name: &str) -> bool {
    name == "set-cookie" || name == "set-cookie2"
}

/// Whether a script can read response header `name` (Fetch, "CORS filtered response"):
/// safelisted, or exposed by name, or by `*` without credentials; never `Set-Cookie`.
pub fn can_read_response_header(
    name: &str,
    credentials: bool,
    response_headers: &[(String, Vec<u8>)],
) -> bool {
    let name = name.to_ascii_lowercase();
    if is_forbidden_response_header(&name) {
        return false;
    }
    if is_safelisted_response_header(&name) {
        return true;
    }
    let exposed = get(response_headers, EXPOSE_HEADERS).unwrap_or_default();
    exposed
        .split(',')
        .map(|e| e.trim().to_ascii_lowercase())
        .any(|e| e == name || (e == "*" && !credentials))
}

#[cfg(test)]
mod tests {
    use super::super::lines;
    use super::*;

    #[test]
    fn readable_response_headers() {
        let aceh = |v: &str| lines(&[(EXPOSE_HEADERS, v)]);
        assert!(can_read_response_header("content-type", false, &[]));
        assert!(!can_read_response_header("x-request-id", false, &[]));
        assert!(can_read_response_header(
            "X-Request-Id",
            false,
            &aceh("x-request-id")
        ));
        assert!(can_read_response_header("x-request-id", false, &aceh("*")));
        assert!(!can_read_response_header("x-request-id", true, &aceh("*")));
        assert!(!can_read_response_header(
            "set-cookie",
            false,
            &aceh("*, set-cookie")
        ));
    }
}
