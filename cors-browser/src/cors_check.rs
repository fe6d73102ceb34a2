//! The CORS check (<https://fetch.spec.whatwg.org/#concept-cors-check>): whether a
//! response may be shared with the script of the request's origin, from its
//! `Access-Control-Allow-Origin` and `Access-Control-Allow-Credentials`.

use super::error::BrowserError;
use super::names::{ALLOW_CREDENTIALS, ALLOW_ORIGIN};
use crate::syntax::get;

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
    credentials_check(response_headers)
}

/// With credentials, `Access-Control-Allow-Credentials` must be exactly `true`.
fn credentials_check(response_headers: &[(String, Vec<u8>)]) -> Result<(), BrowserError> {
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

#[cfg(test)]
mod tests {
    use super::super::lines;
    use super::*;

    const ORIGIN: &str = "http://web.example:8080";

    fn acao(value: &str) -> Vec<(String, Vec<u8>)> {
        lines(&[(ALLOW_ORIGIN, value)])
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
            let twice = lines(&[
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
        let with = |acac: &str| lines(&[(ALLOW_ORIGIN, ORIGIN), (ALLOW_CREDENTIALS, acac)]);
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
        let star = lines(&[(ALLOW_ORIGIN, "*"), (ALLOW_CREDENTIALS, "true")]);
        assert_eq!(
            cors_check(ORIGIN, true, &star),
            Err(BrowserError::WildcardOriginWithCredentials)
        );
    }
}
