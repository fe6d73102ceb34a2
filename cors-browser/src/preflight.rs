//! The browser's checks of a preflight's response, from the CORS-preflight fetch
//! (<https://fetch.spec.whatwg.org/#cors-preflight-fetch>): an ok status, the CORS check,
//! then the requested method and header names against `Access-Control-Allow-Methods`
//! and `-Allow-Headers`. Plus the Private Network Access amendment
//! (<https://wicg.github.io/private-network-access/#headers>).

use super::cors_check::cors_check;
use super::error::BrowserError;
use super::names::{ALLOW_HEADERS, ALLOW_METHODS, ALLOW_PRIVATE_NETWORK};
use super::request::is_safelisted_method;
use crate::syntax::{get, is_token, list_elements};

/// Fetch, "CORS-preflight fetch": whether the preflight's response lets the browser
/// send a request with `method` and the CORS-unsafe `request_header_names`.
pub fn preflight_check(
    request_origin: &str,
    credentials: bool,
    method: &str,
    request_header_names: &[&str],
    status: u16,
    response_headers: &[(String, Vec<u8>)],
) -> Result<(), BrowserError> {
    if !is_ok_status(status) {
        return Err(BrowserError::NotOkStatus(status));
    }
    cors_check(request_origin, credentials, response_headers)?;
    let methods = token_list(response_headers, ALLOW_METHODS)?;
    let names = token_list(response_headers, ALLOW_HEADERS)?;
    check_method(method, credentials, &methods, response_headers)?;
    check_header_names(request_header_names, credentials, &names, response_headers)
}

/// Fetch, "ok status" (<https://fetch.spec.whatwg.org/#ok-status>).
fn is_ok_status(status: u16) -> bool {
    (200..=299).contains(&status)
}

/// The method is listed byte for byte, safelisted, or covered by `*` without
/// credentials.
fn check_method(
    method: &str,
    credentials: bool,
    methods: &[String],
    headers: &[(String, Vec<u8>)],
) -> Result<(), BrowserError> {
    let listed = methods.iter().any(|m| m == method);
    let wildcard = !credentials && methods.iter().any(|m| m == "*");
    if listed || wildcard || is_safelisted_method(method) {
        return Ok(());
    }
    Err(BrowserError::MethodNotAllowed {
        method: method.into(),
        allowed: get(headers, ALLOW_METHODS),
    })
}

/// Every name is listed case-insensitively, or covered by `*` without credentials,
/// except `authorization`, a "CORS non-wildcard request-header name"
/// (<https://fetch.spec.whatwg.org/#cors-non-wildcard-request-header-name>).
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

/// Private Network Access (WICG draft, its amendment of the CORS-preflight fetch): a
/// preflight that asked for it needs `Access-Control-Allow-Private-Network: true`.
pub fn private_network_check(response_headers: &[(String, Vec<u8>)]) -> Result<(), BrowserError> {
    match get(response_headers, ALLOW_PRIVATE_NETWORK).as_deref() {
        Some("true") => Ok(()),
        _ => Err(BrowserError::PrivateNetworkNotAllowed),
    }
}

/// Fetch's "extract header list values"
/// (<https://fetch.spec.whatwg.org/#extract-header-list-values>): the elements of a
/// `#token` list. Empty elements are allowed by the list syntax; anything else that is
/// not a token makes the whole header unparseable, which fails the preflight.
fn token_list(
    headers: &[(String, Vec<u8>)],
    header: &'static str,
) -> Result<Vec<String>, BrowserError> {
    let Some(value) = get(headers, header) else {
        return Ok(Vec::new());
    };
    if !list_elements(&value).all(is_token) {
        return Err(BrowserError::Unparseable { header, value });
    }
    Ok(list_elements(&value).map(str::to_owned).collect())
}

#[cfg(test)]
mod tests {
    use super::super::lines;
    use super::super::names::{ALLOW_CREDENTIALS, ALLOW_ORIGIN};
    use super::*;

    const ORIGIN: &str = "http://web.example:8080";

    fn preflight(
        method: &str,
        names: &[&str],
        creds: bool,
        extra: &[(&str, &str)],
    ) -> Result<(), BrowserError> {
        let mut response = lines(&[(ALLOW_ORIGIN, ORIGIN)]);
        if creds {
            response.extend(lines(&[(ALLOW_CREDENTIALS, "true")]));
        }
        response.extend(lines(extra));
        preflight_check(ORIGIN, creds, method, names, 204, &response)
    }

    // WPT fetch/api/cors/cors-preflight-status.any.js
    #[test]
    fn preflight_status_must_be_ok() {
        let response = lines(&[(ALLOW_ORIGIN, ORIGIN), (ALLOW_METHODS, "PUT")]);
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
            private_network_check(&lines(&[(ALLOW_PRIVATE_NETWORK, "true")])),
            Ok(())
        );
        assert!(private_network_check(&lines(&[(ALLOW_PRIVATE_NETWORK, "True")])).is_err());
        assert!(private_network_check(&[]).is_err());
    }
}
