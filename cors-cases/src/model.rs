//! The loaded form of the case table: families, policies, cases and expectations.

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;

/// One file of `cases/`: a row of the comparison matrix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Family {
    /// The family's name, equal to the file's stem (`origins` for `origins.toml`).
    pub family: String,
    /// One sentence on what the family covers.
    pub description: String,
    /// The named policies that the cases refer to.
    pub policies: BTreeMap<String, PolicySource>,
    /// The cases, in file order.
    pub cases: Vec<Case>,
}

impl Family {
    /// The policy a case of this family names. Loading guarantees that it exists.
    pub fn policy_of(&self, case: &Case) -> &PolicySource {
        &self.policies[&case.policy]
    }
}

/// A policy of the table in the policy file format of `docs/contract.md`, kept as text
/// so that callers can build it with the core (`Policy::from_toml_str`) or write it to
/// a file for an example server (`--config policy.json`). Loading has checked it
/// against the schema the caller named (the core's `PolicyConfig`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicySource {
    pub(crate) toml: String,
    pub(crate) json: String,
}

impl PolicySource {
    /// The policy as a TOML document.
    pub fn toml_text(&self) -> &str {
        &self.toml
    }

    /// The policy as a JSON object.
    pub fn json_text(&self) -> &str {
        &self.json
    }
}

/// One request and what a correct CORS server answers to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    /// Unique across the whole table.
    pub name: String,
    /// The name of a policy of the same family.
    pub policy: String,
    /// The request method, sent exactly as written (case matters).
    pub method: String,
    /// The request path, a route of `docs/contract.md`.
    pub path: String,
    /// Request headers in order; a name may repeat. Values are the expanded bytes.
    pub headers: Vec<(String, Vec<u8>)>,
    /// Whether the script's `fetch()` used the credentials mode `include`.
    pub credentials: bool,
    /// Why the expectation is right, where that is not obvious.
    pub spec: Option<String>,
    /// The correct answer.
    pub expect: Expect,
}

/// The path a case requests when it names none.
pub(crate) fn default_path() -> String {
    "/".into()
}

/// `Origin`, as the header name to look up.
const ORIGIN: &str = "origin";
const REQUEST_METHOD: &str = "access-control-request-method";
const REQUEST_HEADERS: &str = "access-control-request-headers";
const REQUEST_PRIVATE_NETWORK: &str = "access-control-request-private-network";

/// Values longer than this make most HTTP stacks answer 431 or refuse to send; such
/// cases go over a raw socket.
const MAX_CLIENT_VALUE_LEN: usize = 8 * 1024;

impl Case {
    /// The values of every request header called `name` (case-insensitive), in order.
    pub fn header_values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a [u8]> + 'a {
        self.headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_slice())
    }

    /// Whether the request carries at least one header called `name`.
    pub fn has_header(&self, name: &str) -> bool {
        self.header_values(name).next().is_some()
    }

    /// A preflight in the sense of the Fetch Standard: `OPTIONS` (exactly) with
    /// `Origin` and `Access-Control-Request-Method`.
    pub fn is_preflight(&self) -> bool {
        self.method == "OPTIONS" && self.has_header(ORIGIN) && self.has_header(REQUEST_METHOD)
    }

    /// The request's origin when a browser could have sent it: exactly one `Origin`
    /// header, in UTF-8. `None` otherwise.
    pub fn origin(&self) -> Option<&str> {
        let mut values = self.header_values(ORIGIN);
        let first = values.next()?;
        match values.next() {
            Some(_) => None,
            None => std::str::from_utf8(first).ok(),
        }
    }

    /// The first `Access-Control-Request-Method`, when it is UTF-8.
    pub fn requested_method(&self) -> Option<&str> {
        let value = self.header_values(REQUEST_METHOD).next()?;
        std::str::from_utf8(value).ok()
    }

    /// The names of `Access-Control-Request-Headers`, all lines together: split on
    /// commas, trimmed, lower-cased, empty elements dropped, in request order. These are
    /// the CORS-unsafe header names that the script asked for.
    pub fn requested_header_names(&self) -> Vec<String> {
        self.header_values(REQUEST_HEADERS)
            .flat_map(|line| line.split(|&b| b == b','))
            .map(|name| {
                String::from_utf8_lossy(name)
                    .trim_matches([' ', '\t'])
                    .to_ascii_lowercase()
            })
            .filter(|name| !name.is_empty())
            .collect()
    }

    /// Whether the preflight asks for private network access
    /// (`Access-Control-Request-Private-Network: true`).
    pub fn asks_private_network(&self) -> bool {
        self.header_values(REQUEST_PRIVATE_NETWORK)
            .any(|v| v == b"true")
    }

    /// Whether an ordinary HTTP client can send this request: every value is visible
    /// ASCII, spaces and tabs (so UTF-8), none is longer than 8 KiB, and there is at
    /// most one `Origin`. When `false`, runners send the request over a raw socket.
    pub fn is_valid_http(&self) -> bool {
        let printable = |v: &[u8]| v.iter().all(|&b| b == b'\t' || (b' '..=b'~').contains(&b));
        let values_ok = self
            .headers
            .iter()
            .all(|(_, v)| printable(v) && v.len() <= MAX_CLIENT_VALUE_LEN);
        values_ok && self.header_values(ORIGIN).count() <= 1
    }
}

/// What a correct server answers to a case.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// The core's decision.
    pub outcome: Outcome,
    /// The status: the middleware's for preflights, the app's for actual requests.
    /// `None` when it does not matter.
    pub status: Option<u16>,
    /// The CORS response headers (lower-case names) and their values; every
    /// `access-control-*` header and `vary` not listed must be absent.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// What a browser concludes from the response; `None` for `not-cors` cases and for
    /// requests that no browser sends.
    pub verdict: Option<Verdict>,
}

impl Expect {
    /// The expected headers as a response header list, one line per header, for the
    /// checks of [`crate::browser`] and [`crate::check_headers`].
    pub fn response_headers(&self) -> Vec<(String, Vec<u8>)> {
        self.headers
            .iter()
            .map(|(name, value)| (name.clone(), value.clone().into_bytes()))
            .collect()
    }
}

/// The core's decision on a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// No `Origin` header.
    NotCors,
    /// A preflight answered by the middleware with the CORS headers.
    PreflightAllowed,
    /// A preflight answered by the middleware with 403 and only `vary`.
    PreflightRefused,
    /// A request from an allowed origin; the app answers, the CORS headers are added.
    ActualAllowed,
    /// A request from a refused origin; the app answers without `access-control-allow-*`.
    ActualRefused,
}

impl Outcome {
    /// Every outcome, in declaration order.
    pub const ALL: [Outcome; 5] = [
        Outcome::NotCors,
        Outcome::PreflightAllowed,
        Outcome::PreflightRefused,
        Outcome::ActualAllowed,
        Outcome::ActualRefused,
    ];

    /// The name used in the case files, such as `preflight-allowed`.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::NotCors => "not-cors",
            Outcome::PreflightAllowed => "preflight-allowed",
            Outcome::PreflightRefused => "preflight-refused",
            Outcome::ActualAllowed => "actual-allowed",
            Outcome::ActualRefused => "actual-refused",
        }
    }

    /// Whether the middleware answers the request itself.
    pub fn is_preflight(self) -> bool {
        matches!(self, Outcome::PreflightAllowed | Outcome::PreflightRefused)
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a browser concludes: whether the script gets the response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// The script may read the response (or, for a preflight, send its request).
    Allowed,
    /// The browser reports a network error to the script.
    Blocked,
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Verdict::Allowed => "allowed",
            Verdict::Blocked => "blocked",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(method: &str, headers: &[(&str, &[u8])]) -> Case {
        Case {
            name: "t".into(),
            policy: "p".into(),
            method: method.into(),
            path: "/".into(),
            headers: headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_vec()))
                .collect(),
            credentials: false,
            spec: None,
            expect: Expect {
                outcome: Outcome::NotCors,
                status: None,
                headers: BTreeMap::new(),
                verdict: None,
            },
        }
    }

    const ORIGIN_OK: (&str, &[u8]) = ("Origin", b"https://a.example");

    #[test]
    fn preflight_needs_exact_options_origin_and_request_method() {
        let acrm = ("access-control-request-method", b"PUT".as_slice());
        assert!(case("OPTIONS", &[ORIGIN_OK, acrm]).is_preflight());
        assert!(!case("options", &[ORIGIN_OK, acrm]).is_preflight());
        assert!(!case("OPTIONS", &[ORIGIN_OK]).is_preflight());
        assert!(!case("OPTIONS", &[acrm]).is_preflight());
        assert!(!case("GET", &[ORIGIN_OK, acrm]).is_preflight());
    }

    #[test]
    fn origin_is_none_when_duplicated_or_not_utf8() {
        assert_eq!(
            case("GET", &[ORIGIN_OK]).origin(),
            Some("https://a.example")
        );
        assert_eq!(case("GET", &[ORIGIN_OK, ORIGIN_OK]).origin(), None);
        assert_eq!(case("GET", &[("origin", b"https://\xff")]).origin(), None);
        assert_eq!(case("GET", &[]).origin(), None);
    }

    #[test]
    fn requested_header_names_are_normalised_over_lines() {
        let c = case(
            "OPTIONS",
            &[
                ("Access-Control-Request-Headers", b" X-A ,,\tx-b"),
                ("access-control-request-headers", b"x-c,"),
            ],
        );
        assert_eq!(c.requested_header_names(), ["x-a", "x-b", "x-c"]);
    }

    #[test]
    fn valid_http_excludes_raw_socket_cases() {
        assert!(case("GET", &[ORIGIN_OK, ("x", b"a\tb c")]).is_valid_http());
        assert!(!case("GET", &[ORIGIN_OK, ORIGIN_OK]).is_valid_http());
        assert!(!case("GET", &[("origin", b"https://\xff")]).is_valid_http());
        assert!(!case("GET", &[("x", b"caf\xc3\xa9")]).is_valid_http());
        assert!(case("GET", &[("x", &[b'a'; 8192])]).is_valid_http());
        assert!(!case("GET", &[("x", &[b'a'; 8193])]).is_valid_http());
    }

    #[test]
    fn private_network_needs_the_literal_true() {
        let acrpn = "access-control-request-private-network";
        assert!(case("OPTIONS", &[(acrpn, b"true")]).asks_private_network());
        assert!(!case("OPTIONS", &[(acrpn, b"false")]).asks_private_network());
        assert!(!case("OPTIONS", &[]).asks_private_network());
    }
}
