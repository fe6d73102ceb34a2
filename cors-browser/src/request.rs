//! What a browser does before sending a request: the request side of the Fetch
//! Standard, for tools that act as a browser (`cargo xtask probe`). Which methods and
//! headers are CORS-safelisted, which header names go into
//! `Access-Control-Request-Headers`, and when a preflight comes first.

/// Which response headers the script can read afterwards: a response check, also
/// reachable from here for the tools that act as a browser.
pub use super::exposure::{can_read_response_header, is_safelisted_response_header};

/// A safelisted header's value is at most this long.
const MAX_SAFELISTED_VALUE_LEN: usize = 128;

/// Above this total size of their values, safelisted headers are no longer safelisted.
const MAX_SAFELISTED_TOTAL_LEN: usize = 1024;

/// `fetch()` upper-cases these methods whatever the script wrote (Fetch, "normalize",
/// <https://fetch.spec.whatwg.org/#concept-method-normalize>).
pub fn normalize_method(method: &str) -> String {
    const NORMALIZED: [&str; 6] = ["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"];
    NORMALIZED
        .iter()
        .find(|m| m.eq_ignore_ascii_case(method))
        .map_or_else(|| method.to_owned(), |m| (*m).to_owned())
}

/// Fetch, "CORS-safelisted method"
/// (<https://fetch.spec.whatwg.org/#cors-safelisted-method>): byte for byte, so `post`
/// is not one.
pub fn is_safelisted_method(method: &str) -> bool {
    matches!(method, "GET" | "HEAD" | "POST")
}

/// Fetch, "CORS-safelisted request-header"
/// (<https://fetch.spec.whatwg.org/#cors-safelisted-request-header>): a header a script
/// may set without a preflight.
pub fn is_safelisted_header(name: &str, value: &str) -> bool {
    if value.len() > MAX_SAFELISTED_VALUE_LEN {
        return false;
    }
    match name.to_ascii_lowercase().as_str() {
        "accept" => !has_unsafe_byte(value),
        "accept-language" | "content-language" => is_language_value(value),
        "content-type" => !has_unsafe_byte(value) && is_safelisted_content_type(value),
        "range" => is_simple_range(value),
        _ => false,
    }
}

/// Fetch, "CORS-unsafe request-header byte"
/// (<https://fetch.spec.whatwg.org/#cors-unsafe-request-header-byte>), anywhere in `value`.
fn has_unsafe_byte(value: &str) -> bool {
    value
        .bytes()
        .any(|b| (b < 0x20 && b != b'\t') || b"\"():<>?@[\\]{}\x7f".contains(&b))
}

/// `Accept-Language` and `Content-Language`: alphanumerics, space and `*,-.;=` only.
fn is_language_value(value: &str) -> bool {
    value
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b" *,-.;=".contains(&b))
}

/// `Content-Type` whose essence (before any `;`) is one of the three types a form can
/// send.
fn is_safelisted_content_type(value: &str) -> bool {
    let essence = value
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    matches!(
        essence.as_str(),
        "application/x-www-form-urlencoded" | "multipart/form-data" | "text/plain"
    )
}

/// `Range: bytes=N-` or `bytes=N-M`, a single range
/// (<https://fetch.spec.whatwg.org/#simple-range-header-value>).
fn is_simple_range(value: &str) -> bool {
    let Some(range) = value.strip_prefix("bytes=") else {
        return false;
    };
    let Some((start, end)) = range.split_once('-') else {
        return false;
    };
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    !start.is_empty() && digits(start) && digits(end)
}

/// Fetch, "CORS-unsafe request-header names"
/// (<https://fetch.spec.whatwg.org/#cors-unsafe-request-header-names>): what goes into
/// `Access-Control-Request-Headers`, lower-cased, sorted and unique. When the
/// safelisted values together are too long, they all count as unsafe.
pub fn unsafe_header_names(headers: &[(String, String)]) -> Vec<String> {
    let safelisted_size: usize = headers
        .iter()
        .filter(|(n, v)| is_safelisted_header(n, v))
        .map(|(_, v)| v.len())
        .sum();
    let mut names: Vec<String> = headers
        .iter()
        .filter(|(n, v)| safelisted_size > MAX_SAFELISTED_TOTAL_LEN || !is_safelisted_header(n, v))
        .map(|(n, _)| n.to_ascii_lowercase())
        .collect();
    names.sort();
    names.dedup();
    names
}

/// Whether a browser sends a preflight before this request: its method is not
/// safelisted or it has a CORS-unsafe header (Fetch, "HTTP fetch", with no preflight
/// cache entry, <https://fetch.spec.whatwg.org/#concept-http-fetch>).
pub fn needs_preflight(method: &str, headers: &[(String, String)]) -> bool {
    !is_safelisted_method(method) || !unsafe_header_names(headers).is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn which_requests_are_preflighted() {
        assert!(!needs_preflight(
            "GET",
            &h(&[("accept", "application/json")])
        ));
        assert!(!needs_preflight(
            "POST",
            &h(&[("content-type", "text/plain;charset=utf-8")])
        ));
        assert!(needs_preflight(
            "POST",
            &h(&[("content-type", "application/json")])
        ));
        assert!(needs_preflight("PUT", &[]));
        assert!(needs_preflight("GET", &h(&[("authorization", "Bearer x")])));
        assert!(needs_preflight("GET", &h(&[("accept", &"a".repeat(129))])));
        assert!(!needs_preflight("GET", &h(&[("range", "bytes=0-99")])));
        assert!(needs_preflight("GET", &h(&[("range", "bytes=0-99,200-")])));
    }

    #[test]
    fn request_header_names_are_lowercased_sorted_unique() {
        let names = unsafe_header_names(&h(&[
            ("X-B", "1"),
            ("x-a", "1"),
            ("x-b", "2"),
            ("Accept", "*/*"),
        ]));
        assert_eq!(names, ["x-a", "x-b"]);
    }

    #[test]
    fn methods_are_normalized_like_fetch() {
        assert_eq!(normalize_method("put"), "PUT");
        assert_eq!(normalize_method("patch"), "patch");
    }
}
