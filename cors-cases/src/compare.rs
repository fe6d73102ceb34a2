//! Comparing a real response with a case's expectation, by the rules of
//! `cases/README.md` ("Expected headers").

use std::collections::BTreeSet;
use std::fmt;

use crate::model::{Case, Expect};
use crate::syntax::{joined, trim_ows};

/// One difference between the expected and the actual response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// The lower-case header name, or `:status`.
    pub header: String,
    /// The expected value; `None` when the header must be absent.
    pub expected: Option<String>,
    /// The value received, lines joined with `, `; `None` when absent.
    pub got: Option<String>,
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let header = &self.header;
        match (&self.expected, &self.got) {
            (Some(want), Some(got)) => write!(f, "{header}: expected `{want}`, got `{got}`"),
            (Some(want), None) => write!(f, "{header}: expected `{want}`, but it is absent"),
            (None, Some(got)) => write!(f, "{header}: expected no such header, got `{got}`"),
            (None, None) => write!(f, "{header}: expected absent and absent (no mismatch)"),
        }
    }
}

/// How the values of a header compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Comparison {
    /// Byte for byte, after joining lines.
    Exact,
    /// The same set of comma-separated tokens, with this case sensitivity.
    Tokens { case_sensitive: bool },
}

fn comparison(header: &str) -> Comparison {
    match header {
        // Methods are case-sensitive (Fetch: `patch` is not `PATCH`).
        "access-control-allow-methods" => Comparison::Tokens {
            case_sensitive: true,
        },
        "access-control-allow-headers" | "access-control-expose-headers" | "vary" => {
            Comparison::Tokens {
                case_sensitive: false,
            }
        }
        _ => Comparison::Exact,
    }
}

/// Whether the case table governs a response header: `vary` and every
/// `access-control-*`.
fn is_governed(header: &str) -> bool {
    header == "vary" || header.starts_with("access-control-")
}

/// Compares the CORS headers of a response with `expect`: every listed header must be
/// present with an equal value, every other `access-control-*` header and `vary` must
/// be absent. Header names of `got` compare case-insensitively; a header on several
/// lines is joined with `, ` first. Returns the differences, sorted by header name.
pub fn check_headers(expect: &Expect, got: &[(String, Vec<u8>)]) -> Vec<Mismatch> {
    let mut names: BTreeSet<String> = expect.headers.keys().cloned().collect();
    names.extend(
        got.iter()
            .map(|(n, _)| n.to_ascii_lowercase())
            .filter(|n| is_governed(n)),
    );
    names
        .into_iter()
        .filter_map(|header| {
            let expected = expect.headers.get(&header).cloned();
            let actual = joined(got, &header);
            let equal = match (&expected, &actual) {
                (Some(want), Some(have)) => {
                    values_equal(comparison(&header), want.as_bytes(), have)
                }
                (None, None) => true,
                _ => false,
            };
            let got = actual.map(|v| String::from_utf8_lossy(&v).into_owned());
            (!equal).then_some(Mismatch {
                header,
                expected,
                got,
            })
        })
        .collect()
}

/// Compares the status, when the case says one.
pub fn check_status(expect: &Expect, got: u16) -> Option<Mismatch> {
    let want = expect.status?;
    (want != got).then(|| Mismatch {
        header: ":status".into(),
        expected: Some(want.to_string()),
        got: Some(got.to_string()),
    })
}

/// The header every response of the example app carries, and that a preflight answered
/// by the CORS layer never does (`docs/contract.md`, "Routes").
pub const APP_HEADER: &str = "x-request-id";

/// Every difference between a real response to `case` and its expectation: the status
/// (when the case states one), the headers as [`check_headers`] compares them, that a
/// preflight did not reach the app (no [`APP_HEADER`]), and the verdict a browser
/// reaches from this response (pseudo-header `:verdict`).
pub fn check_response(case: &Case, status: u16, headers: &[(String, Vec<u8>)]) -> Vec<Mismatch> {
    let mut mismatches: Vec<Mismatch> = check_status(&case.expect, status).into_iter().collect();
    mismatches.extend(check_headers(&case.expect, headers));
    if case.expect.outcome.is_preflight() {
        if let Some(value) = joined(headers, APP_HEADER) {
            mismatches.push(Mismatch {
                header: format!("{APP_HEADER} (the preflight reached the app)"),
                expected: None,
                got: Some(String::from_utf8_lossy(&value).into_owned()),
            });
        }
    }
    let verdict = crate::browser::verdict_for(case, status, headers);
    if let (Some(want), Some(got)) = (case.expect.verdict, verdict) {
        if want != got {
            mismatches.push(Mismatch {
                header: ":verdict".into(),
                expected: Some(want.to_string()),
                got: Some(got.to_string()),
            });
        }
    }
    mismatches
}

fn values_equal(how: Comparison, want: &[u8], got: &[u8]) -> bool {
    match how {
        Comparison::Exact => want == got,
        Comparison::Tokens { case_sensitive } => {
            token_set(want, case_sensitive) == token_set(got, case_sensitive)
        }
    }
}

/// The elements of a comma-separated list, trimmed; empty elements are no tokens
/// (RFC 9110, section 5.6.1).
fn token_set(value: &[u8], case_sensitive: bool) -> BTreeSet<Vec<u8>> {
    value
        .split(|&b| b == b',')
        .map(|e| trim_ows(e).to_vec())
        .filter(|e| !e.is_empty())
        .map(|mut e| {
            if !case_sensitive {
                e.make_ascii_lowercase();
            }
            e
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Outcome;

    fn expect(headers: &[(&str, &str)]) -> Expect {
        Expect {
            outcome: Outcome::PreflightAllowed,
            status: Some(204),
            headers: headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
            verdict: None,
        }
    }

    fn response(headers: &[(&str, &str)]) -> Vec<(String, Vec<u8>)> {
        headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.as_bytes().to_vec()))
            .collect()
    }

    #[test]
    fn equal_responses_have_no_mismatch_whatever_the_order_and_case() {
        let want = expect(&[
            ("access-control-allow-methods", "GET, PUT"),
            ("access-control-allow-headers", "x-a,x-b"),
            ("vary", "origin, access-control-request-method"),
        ]);
        let got = response(&[
            ("Access-Control-Allow-Methods", "PUT,GET"),
            ("access-control-allow-headers", "X-B , x-a"),
            ("Vary", "Access-Control-Request-Method"),
            ("vary", "Origin"),
            ("x-request-id", "7"),
        ]);
        assert_eq!(check_headers(&want, &got), []);
    }

    #[test]
    fn methods_are_case_sensitive_and_origin_is_exact() {
        let want = expect(&[
            ("access-control-allow-methods", "PATCH"),
            ("access-control-allow-origin", "https://a.example"),
        ]);
        let got = response(&[
            ("access-control-allow-methods", "patch"),
            ("access-control-allow-origin", "https://A.example"),
        ]);
        let headers: Vec<_> = check_headers(&want, &got)
            .into_iter()
            .map(|m| m.header)
            .collect();
        assert_eq!(
            headers,
            [
                "access-control-allow-methods",
                "access-control-allow-origin"
            ]
        );
    }

    #[test]
    fn a_duplicated_exact_header_is_joined_and_differs() {
        let want = expect(&[("access-control-allow-origin", "*")]);
        let got = response(&[
            ("access-control-allow-origin", "*"),
            ("access-control-allow-origin", "*"),
        ]);
        let mismatches = check_headers(&want, &got);
        assert_eq!(mismatches.len(), 1);
        assert_eq!(mismatches[0].got.as_deref(), Some("*, *"));
    }

    #[test]
    fn missing_and_unexpected_headers_are_reported() {
        let want = expect(&[("access-control-max-age", "600")]);
        let got = response(&[("access-control-allow-credentials", "true")]);
        let text: Vec<String> = check_headers(&want, &got)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            text,
            [
                "access-control-allow-credentials: expected no such header, got `true`",
                "access-control-max-age: expected `600`, but it is absent",
            ]
        );
    }

    #[test]
    fn status_is_checked_only_when_expected() {
        assert_eq!(check_status(&expect(&[]), 204), None);
        let mismatch = check_status(&expect(&[]), 200).unwrap();
        assert_eq!(mismatch.to_string(), ":status: expected `204`, got `200`");
        let mut any = expect(&[]);
        any.status = None;
        assert_eq!(check_status(&any, 500), None);
    }

    #[test]
    fn check_response_reports_status_before_headers() {
        let case = Case {
            name: "c".into(),
            policy: "p".into(),
            method: "OPTIONS".into(),
            path: "/".into(),
            headers: Vec::new(),
            credentials: false,
            spec: None,
            expect: expect(&[("vary", "origin")]),
        };
        let found: Vec<String> = check_response(&case, 200, &[])
            .into_iter()
            .map(|m| m.header)
            .collect();
        assert_eq!(found, [":status", "vary"]);
        assert!(check_response(&case, 204, &response(&[("Vary", "Origin")])).is_empty());
    }
}
