//! The browser's side of CORS, from the Fetch Standard: what a browser checks in a
//! response before it lets the script have it. Used to compute verdicts from real
//! responses and to cross-check the verdicts written in the table.
//!
//! Response headers are `(name, value)` lines as received; names compare
//! case-insensitively, and a header on several lines is combined with `, ` as Fetch's
//! "get" does, so a duplicated `Access-Control-Allow-Origin` fails like in browsers.

use std::fmt;

use crate::compare::{joined, trim_ows};
use crate::load::is_token;
use crate::model::{Case, Verdict};

const ALLOW_ORIGIN: &str = "access-control-allow-origin";
const ALLOW_CREDENTIALS: &str = "access-control-allow-credentials";
const ALLOW_METHODS: &str = "access-control-allow-methods";
const ALLOW_HEADERS: &str = "access-control-allow-headers";
const ALLOW_PRIVATE_NETWORK: &str = "access-control-allow-private-network";

/// Methods a preflight never has to allow (Fetch, "CORS-safelisted method").
const SAFELISTED_METHODS: [&str; 3] = ["GET", "HEAD", "POST"];

/// Why a browser refuses the response to the script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BrowserError {
    /// The preflight's status is not an ok status (200 to 299).
    NotOkStatus(u16),
    /// No `Access-Control-Allow-Origin`.
    MissingAllowOrigin,
    /// `Access-Control-Allow-Origin` on several lines; browsers combine them and the
    /// combination never matches.
    SeveralAllowOrigins(String),
    /// `Access-Control-Allow-Origin: *` for a request with credentials.
    WildcardOriginWithCredentials,
    /// `Access-Control-Allow-Origin` differs from the request's origin.
    OriginMismatch {
        /// The request's origin.
        origin: String,
        /// The header's value.
        allowed: String,
    },
    /// A request with credentials, and no `Access-Control-Allow-Credentials`.
    MissingAllowCredentials,
    /// `Access-Control-Allow-Credentials` is not exactly `true`.
    AllowCredentialsNotTrue(String),
    /// `Access-Control-Allow-Methods` or `-Allow-Headers` is not a list of tokens.
    Unparseable {
        /// The header.
        header: &'static str,
        /// Its (combined) value.
        value: String,
    },
    /// The method is neither safelisted nor allowed.
    MethodNotAllowed {
        /// The requested method.
        method: String,
        /// `Access-Control-Allow-Methods`, if any.
        allowed: Option<String>,
    },
    /// A header name the script set is not allowed.
    HeaderNotAllowed {
        /// The header name.
        name: String,
        /// `Access-Control-Allow-Headers`, if any.
        allowed: Option<String>,
    },
    /// The preflight asked for private network access and the response does not say
    /// `Access-Control-Allow-Private-Network: true`.
    PrivateNetworkNotAllowed,
}

impl fmt::Display for BrowserError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |v: &Option<String>| v.clone().unwrap_or_else(|| "absent".into());
        match self {
            Self::NotOkStatus(s) => write!(f, "the preflight's status {s} is not in 200-299"),
            Self::MissingAllowOrigin => write!(f, "{ALLOW_ORIGIN} is missing"),
            Self::SeveralAllowOrigins(v) => {
                write!(f, "{ALLOW_ORIGIN} is sent several times (`{v}`)")
            }
            Self::WildcardOriginWithCredentials => {
                write!(
                    f,
                    "{ALLOW_ORIGIN} is `*`, which does not allow a request with credentials"
                )
            }
            Self::OriginMismatch { origin, allowed } => {
                write!(
                    f,
                    "{ALLOW_ORIGIN} is `{allowed}`, not the request's origin `{origin}`"
                )
            }
            Self::MissingAllowCredentials => {
                write!(
                    f,
                    "{ALLOW_CREDENTIALS} is missing, and the request has credentials"
                )
            }
            Self::AllowCredentialsNotTrue(v) => {
                write!(f, "{ALLOW_CREDENTIALS} is `{v}`, not `true`")
            }
            Self::Unparseable { header, value } => {
                write!(f, "{header} is not a list of tokens: `{value}`")
            }
            Self::MethodNotAllowed { method, allowed } => {
                write!(
                    f,
                    "method {method} is not in {ALLOW_METHODS} ({})",
                    list(allowed)
                )
            }
            Self::HeaderNotAllowed { name, allowed } => {
                let hint = if name.eq_ignore_ascii_case("authorization") {
                    "; `*` never covers authorization"
                } else {
                    ""
                };
                let allowed = list(allowed);
                write!(
                    f,
                    "header {name} is not in {ALLOW_HEADERS} ({allowed}){hint}"
                )
            }
            Self::PrivateNetworkNotAllowed => write!(f, "{ALLOW_PRIVATE_NETWORK} is not `true`"),
        }
    }
}

impl std::error::Error for BrowserError {}

/// Fetch, "CORS check": whether the response to a request from `request_origin` (its
/// serialization) with `credentials` (credentials mode `include`) may be shared.
pub fn cors_check(
    request_origin: &str,
    credentials: bool,
    response_headers: &[(String, Vec<u8>)],
) -> Result<(), BrowserError> {
    let allowed = get(response_headers, ALLOW_ORIGIN).ok_or(BrowserError::MissingAllowOrigin)?;
    if !credentials && allowed == "*" {
        return Ok(());
    }
    if allowed != request_origin {
        return Err(origin_error(request_origin, allowed, response_headers));
    }
    if !credentials {
        return Ok(());
    }
    match get(response_headers, ALLOW_CREDENTIALS).as_deref() {
        None => Err(BrowserError::MissingAllowCredentials),
        Some("true") => Ok(()),
        Some(other) => Err(BrowserError::AllowCredentialsNotTrue(other.into())),
    }
}

/// Names the most helpful reason for an `Access-Control-Allow-Origin` that does not match.
fn origin_error(origin: &str, allowed: String, headers: &[(String, Vec<u8>)]) -> BrowserError {
    let lines = headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case(ALLOW_ORIGIN))
        .count();
    if lines > 1 {
        BrowserError::SeveralAllowOrigins(allowed)
    } else if allowed == "*" {
        BrowserError::WildcardOriginWithCredentials
    } else {
        BrowserError::OriginMismatch {
            origin: origin.into(),
            allowed,
        }
    }
}

/// Fetch, "CORS-preflight fetch" (step 7): whether the preflight's response lets the
/// browser send a request with `method` and the CORS-unsafe `request_header_names`.
pub fn preflight_check(
    request_origin: &str,
    credentials: bool,
    method: &str,
    request_header_names: &[&str],
    status: u16,
    response_headers: &[(String, Vec<u8>)],
) -> Result<(), BrowserError> {
    if !(200..=299).contains(&status) {
        return Err(BrowserError::NotOkStatus(status));
    }
    cors_check(request_origin, credentials, response_headers)?;
    let methods = list(response_headers, ALLOW_METHODS)?;
    let names = list(response_headers, ALLOW_HEADERS)?;
    check_method(method, credentials, &methods, response_headers)?;
    check_header_names(request_header_names, credentials, &names, response_headers)
}

/// Step 7.6: listed byte for byte, safelisted, or `*` without credentials.
fn check_method(
    method: &str,
    credentials: bool,
    methods: &[String],
    headers: &[(String, Vec<u8>)],
) -> Result<(), BrowserError> {
    let listed = methods.iter().any(|m| m == method);
    let wildcard = !credentials && methods.iter().any(|m| m == "*");
    if listed || wildcard || SAFELISTED_METHODS.contains(&method) {
        return Ok(());
    }
    Err(BrowserError::MethodNotAllowed {
        method: method.into(),
        allowed: get(headers, ALLOW_METHODS),
    })
}

/// Steps 7.7 and 7.8: every name listed case-insensitively, or covered by `*` without
/// credentials, except `authorization` (a "CORS non-wildcard request-header name").
fn check_header_names(
    requested: &[&str],
    credentials: bool,
    names: &[String],
    headers: &[(String, Vec<u8>)],
) -> Result<(), BrowserError> {
    let wildcard = !credentials && names.iter().any(|n| n == "*");
    let refused = requested.iter().find(|wanted| {
        let listed = names.iter().any(|n| n.eq_ignore_ascii_case(wanted));
        let covered = wildcard && !wanted.eq_ignore_ascii_case("authorization");
        !listed && !covered
    });
    match refused {
        None => Ok(()),
        Some(name) => Err(BrowserError::HeaderNotAllowed {
            name: name.to_string(),
            allowed: get(headers, ALLOW_HEADERS),
        }),
    }
}

/// Private Network Access (WICG draft, "CORS-preflight fetch" amendment): a preflight
/// that asked for it needs `Access-Control-Allow-Private-Network: true`.
pub fn private_network_check(response_headers: &[(String, Vec<u8>)]) -> Result<(), BrowserError> {
    match get(response_headers, ALLOW_PRIVATE_NETWORK).as_deref() {
        Some("true") => Ok(()),
        _ => Err(BrowserError::PrivateNetworkNotAllowed),
    }
}

/// The browser's checks for a case and a response: for a preflight, the case's
/// `Access-Control-Request-Method` and `-Request-Headers` are taken as what the script
/// asked for; for any other request, the CORS check. `None` when no browser sends such
/// a request (no `Origin`, several, or one that is not UTF-8).
pub fn check_case(
    case: &Case,
    status: u16,
    response_headers: &[(String, Vec<u8>)],
) -> Option<Result<(), BrowserError>> {
    let origin = case.origin()?;
    if !case.is_preflight() {
        return Some(cors_check(origin, case.credentials, response_headers));
    }
    let method = case.requested_method().unwrap_or_default();
    let names = case.requested_header_names();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let result = preflight_check(
        origin,
        case.credentials,
        method,
        &names,
        status,
        response_headers,
    )
    .and_then(|()| {
        if case.asks_private_network() {
            private_network_check(response_headers)
        } else {
            Ok(())
        }
    });
    Some(result)
}

/// [`check_case`] as a verdict.
pub fn verdict_for(
    case: &Case,
    status: u16,
    response_headers: &[(String, Vec<u8>)],
) -> Option<Verdict> {
    check_case(case, status, response_headers).map(|result| match result {
        Ok(()) => Verdict::Allowed,
        Err(_) => Verdict::Blocked,
    })
}

/// Fetch's "get": the lines of `name` combined with `, `, with surrounding whitespace
/// trimmed (browsers strip it when parsing). A value that is not UTF-8 is kept lossily:
/// it can never equal what the browser compares it with.
fn get(headers: &[(String, Vec<u8>)], name: &str) -> Option<String> {
    let value = joined(headers, name)?;
    Some(String::from_utf8_lossy(trim_ows(&value)).into_owned())
}

/// Fetch's "extract header list values": the elements of a `#token` list. Empty
/// elements are allowed by the list syntax; anything else that is not a token makes
/// the whole header unparseable, which fails the preflight.
fn list(headers: &[(String, Vec<u8>)], header: &'static str) -> Result<Vec<String>, BrowserError> {
    let Some(value) = get(headers, header) else {
        return Ok(Vec::new());
    };
    let elements = value
        .split(',')
        .map(|e| e.trim_matches([' ', '\t']))
        .filter(|e| !e.is_empty());
    let mut items = Vec::new();
    for element in elements {
        if !is_token(element) {
            return Err(BrowserError::Unparseable { header, value });
        }
        items.push(element.to_owned());
    }
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORIGIN: &str = "http://web.example:8080";

    fn headers(lines: &[(&str, &str)]) -> Vec<(String, Vec<u8>)> {
        lines
            .iter()
            .map(|(n, v)| (n.to_string(), v.as_bytes().to_vec()))
            .collect()
    }

    fn acao(value: &str) -> Vec<(String, Vec<u8>)> {
        headers(&[(ALLOW_ORIGIN, value)])
    }

    // WPT cors/origin.htm: the ACAO matrix.
    #[test]
    fn allow_origin_must_be_the_exact_serialized_origin() {
        assert_eq!(cors_check(ORIGIN, false, &acao(ORIGIN)), Ok(()));
        assert_eq!(
            cors_check(ORIGIN, false, &acao(&format!("  {ORIGIN}\t"))),
            Ok(())
        );
        assert_eq!(cors_check(ORIGIN, false, &acao("*")), Ok(()));
        for wrong in [
            "http://web.example:8080/",
            "http://web.example:8080:80",
            "HTTP://WEB.EXAMPLE:8080",
            "http://Web.example:8080",
            "*, http://web.example:8080",
            "http://web.example:8080, *",
            "null",
            "",
        ] {
            let result = cors_check(ORIGIN, false, &acao(wrong));
            assert!(
                matches!(result, Err(BrowserError::OriginMismatch { .. })),
                "{wrong}: {result:?}"
            );
        }
        assert_eq!(
            cors_check("https://a.example", false, &[]),
            Err(BrowserError::MissingAllowOrigin)
        );
    }

    #[test]
    fn default_port_in_allow_origin_fails() {
        let result = cors_check("http://web.example", false, &acao("http://web.example:80"));
        assert!(matches!(result, Err(BrowserError::OriginMismatch { .. })));
    }

    #[test]
    fn null_origin_is_matched_by_null() {
        assert_eq!(cors_check("null", false, &acao("null")), Ok(()));
        assert!(cors_check("null", false, &acao("NULL")).is_err());
    }

    #[test]
    fn a_duplicated_allow_origin_fails_even_when_each_line_is_right() {
        for value in [ORIGIN, "*"] {
            let twice = headers(&[
                (ALLOW_ORIGIN, value),
                ("Access-Control-Allow-Origin", value),
            ]);
            let result = cors_check(ORIGIN, false, &twice);
            assert!(
                matches!(result, Err(BrowserError::SeveralAllowOrigins(_))),
                "{result:?}"
            );
        }
    }

    #[test]
    fn credentials_need_the_origin_and_exactly_true() {
        let with = |acac: &str| headers(&[(ALLOW_ORIGIN, ORIGIN), (ALLOW_CREDENTIALS, acac)]);
        assert_eq!(cors_check(ORIGIN, true, &with("true")), Ok(()));
        assert_eq!(
            cors_check(ORIGIN, true, &with("True")),
            Err(BrowserError::AllowCredentialsNotTrue("True".into()))
        );
        assert_eq!(
            cors_check(ORIGIN, true, &acao(ORIGIN)),
            Err(BrowserError::MissingAllowCredentials)
        );
        // Without credentials the header is not looked at.
        assert_eq!(cors_check(ORIGIN, false, &with("nonsense")), Ok(()));
        let star = headers(&[(ALLOW_ORIGIN, "*"), (ALLOW_CREDENTIALS, "true")]);
        assert_eq!(
            cors_check(ORIGIN, true, &star),
            Err(BrowserError::WildcardOriginWithCredentials)
        );
    }

    fn preflight(
        method: &str,
        names: &[&str],
        creds: bool,
        lines: &[(&str, &str)],
    ) -> Result<(), BrowserError> {
        let mut response = acao(ORIGIN);
        if creds {
            response.extend(headers(&[(ALLOW_CREDENTIALS, "true")]));
        }
        response.extend(headers(lines));
        preflight_check(ORIGIN, creds, method, names, 204, &response)
    }

    // WPT fetch/api/cors/cors-preflight-status.any.js
    #[test]
    fn preflight_status_must_be_ok() {
        let response = headers(&[(ALLOW_ORIGIN, ORIGIN), (ALLOW_METHODS, "PUT")]);
        for status in 200..=206 {
            assert_eq!(
                preflight_check(ORIGIN, false, "PUT", &[], status, &response),
                Ok(()),
                "{status}"
            );
        }
        for status in (300..=308).chain(400..=405).chain(501..=505) {
            let result = preflight_check(ORIGIN, false, "PUT", &[], status, &response);
            assert_eq!(result, Err(BrowserError::NotOkStatus(status)));
        }
    }

    // WPT cors-preflight-star.any.js and cors-preflight.any.js
    #[test]
    fn methods_are_byte_exact_and_star_only_without_credentials() {
        assert_eq!(
            preflight("PUT", &[], false, &[(ALLOW_METHODS, "GET, PUT")]),
            Ok(())
        );
        assert!(matches!(
            preflight("PUT", &[], false, &[(ALLOW_METHODS, "put")]),
            Err(BrowserError::MethodNotAllowed { .. })
        ));
        assert!(preflight("patch", &[], false, &[(ALLOW_METHODS, "PATCH")]).is_err());
        assert_eq!(
            preflight("PUT", &[], false, &[(ALLOW_METHODS, "*")]),
            Ok(())
        );
        assert!(preflight("PUT", &[], true, &[(ALLOW_METHODS, "*")]).is_err());
        assert_eq!(preflight("*", &[], true, &[(ALLOW_METHODS, "*")]), Ok(()));
        // Safelisted methods pass with no Access-Control-Allow-Methods at all.
        assert_eq!(preflight("GET", &[], true, &[]), Ok(()));
        assert!(preflight("get", &[], false, &[]).is_err());
    }

    #[test]
    fn header_names_are_case_insensitive_and_star_never_covers_authorization() {
        assert_eq!(
            preflight("GET", &["x-a"], false, &[(ALLOW_HEADERS, "X-A")]),
            Ok(())
        );
        assert_eq!(
            preflight("GET", &["x-a", "x-b"], false, &[(ALLOW_HEADERS, "*")]),
            Ok(())
        );
        assert!(preflight("GET", &["x-a"], true, &[(ALLOW_HEADERS, "*")]).is_err());
        let no_auth = preflight("GET", &["authorization"], false, &[(ALLOW_HEADERS, "*")]);
        assert!(
            matches!(no_auth, Err(BrowserError::HeaderNotAllowed { ref name, .. }) if name == "authorization")
        );
        let auth = [(ALLOW_HEADERS, "*, Authorization")];
        assert_eq!(
            preflight("GET", &["authorization", "x-a"], false, &auth),
            Ok(())
        );
        assert!(preflight("GET", &["x-b"], false, &[(ALLOW_HEADERS, "x-a")]).is_err());
    }

    // WPT cors-preflight-response-validation.any.js
    #[test]
    fn unparseable_lists_fail_even_when_not_needed() {
        let bad_headers = preflight("GET", &[], false, &[(ALLOW_HEADERS, "x-a b")]);
        assert!(matches!(
            bad_headers,
            Err(BrowserError::Unparseable {
                header: ALLOW_HEADERS,
                ..
            })
        ));
        let bad_methods = preflight("GET", &[], false, &[(ALLOW_METHODS, "PUT DELETE")]);
        assert!(matches!(
            bad_methods,
            Err(BrowserError::Unparseable {
                header: ALLOW_METHODS,
                ..
            })
        ));
        assert_eq!(
            preflight(
                "PUT",
                &["x-a"],
                false,
                &[(ALLOW_METHODS, "PUT,,"), (ALLOW_HEADERS, ", x-a")]
            ),
            Ok(())
        );
    }

    #[test]
    fn private_network_needs_literal_true() {
        assert_eq!(
            private_network_check(&headers(&[(ALLOW_PRIVATE_NETWORK, "true")])),
            Ok(())
        );
        assert!(private_network_check(&headers(&[(ALLOW_PRIVATE_NETWORK, "True")])).is_err());
        assert!(private_network_check(&[]).is_err());
    }

    #[test]
    fn errors_name_the_header() {
        let e = BrowserError::HeaderNotAllowed {
            name: "x-a".into(),
            allowed: Some("*".into()),
        };
        assert_eq!(
            e.to_string(),
            "header x-a is not in access-control-allow-headers (*)"
        );
        let e = BrowserError::HeaderNotAllowed {
            name: "authorization".into(),
            allowed: Some("*".into()),
        };
        assert!(
            e.to_string().ends_with("`*` never covers authorization"),
            "{e}"
        );
        assert_eq!(
            BrowserError::MissingAllowOrigin.to_string(),
            "access-control-allow-origin is missing"
        );
    }
}

/// What a browser does before sending: the request side of the Fetch Standard, for
/// tools that act as a browser (`cargo xtask probe`).
pub mod request {
    /// `fetch()` upper-cases these methods whatever the script wrote (Fetch, "normalize").
    pub fn normalize_method(method: &str) -> String {
        const NORMALIZED: [&str; 6] = ["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"];
        NORMALIZED
            .iter()
            .find(|m| m.eq_ignore_ascii_case(method))
            .map_or_else(|| method.to_owned(), |m| (*m).to_owned())
    }

    /// Fetch, "CORS-safelisted method".
    pub fn is_safelisted_method(method: &str) -> bool {
        matches!(method, "GET" | "HEAD" | "POST")
    }

    /// Fetch, "CORS-unsafe request-header byte".
    fn is_unsafe_byte(b: u8) -> bool {
        (b < 0x20 && b != b'\t') || b"\"():<>?@[\\]{}\x7f".contains(&b)
    }

    /// Fetch, "CORS-safelisted request-header".
    pub fn is_safelisted_header(name: &str, value: &str) -> bool {
        if value.len() > 128 {
            return false;
        }
        match name.to_ascii_lowercase().as_str() {
            "accept" => !value.bytes().any(is_unsafe_byte),
            "accept-language" | "content-language" => value
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b" *,-.;=".contains(&b)),
            "content-type" => {
                let essence = value
                    .split(';')
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .to_ascii_lowercase();
                !value.bytes().any(is_unsafe_byte)
                    && matches!(
                        essence.as_str(),
                        "application/x-www-form-urlencoded" | "multipart/form-data" | "text/plain"
                    )
            }
            "range" => is_simple_range(value),
            _ => false,
        }
    }

    /// `bytes=N-` or `bytes=N-M`.
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

    /// Fetch, "CORS-unsafe request-header names": what goes into
    /// `Access-Control-Request-Headers`, lower-cased, sorted and unique.
    pub fn unsafe_header_names(headers: &[(String, String)]) -> Vec<String> {
        let safelisted_size: usize = headers
            .iter()
            .filter(|(n, v)| is_safelisted_header(n, v))
            .map(|(_, v)| v.len())
            .sum();
        let mut names: Vec<String> = headers
            .iter()
            .filter(|(n, v)| safelisted_size > 1024 || !is_safelisted_header(n, v))
            .map(|(n, _)| n.to_ascii_lowercase())
            .collect();
        names.sort();
        names.dedup();
        names
    }

    /// Whether a browser sends a preflight before this request.
    pub fn needs_preflight(method: &str, headers: &[(String, String)]) -> bool {
        !is_safelisted_method(method) || !unsafe_header_names(headers).is_empty()
    }

    /// Fetch, "CORS-safelisted response-header name": readable without exposing.
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

    /// Whether a script can read response header `name` (Fetch, "CORS filtered response").
    pub fn can_read_response_header(
        name: &str,
        credentials: bool,
        response_headers: &[(String, Vec<u8>)],
    ) -> bool {
        let name = name.to_ascii_lowercase();
        if name == "set-cookie" || name == "set-cookie2" {
            return false;
        }
        if is_safelisted_response_header(&name) {
            return true;
        }
        let exposed =
            super::get(response_headers, "access-control-expose-headers").unwrap_or_default();
        exposed
            .split(',')
            .map(|e| e.trim().to_ascii_lowercase())
            .any(|e| e == name || (e == "*" && !credentials))
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

        #[test]
        fn readable_response_headers() {
            let aceh = |v: &str| {
                vec![(
                    "access-control-expose-headers".to_string(),
                    v.as_bytes().to_vec(),
                )]
            };
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
}
