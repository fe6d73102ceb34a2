//! The compiled `allow_headers`, and the one-pass check of
//! `Access-Control-Request-Headers`.
//!
//! A browser sends the CORS-unsafe header names of the request lower-cased, sorted,
//! de-duplicated and joined by `,` without spaces (Fetch, "CORS-preflight fetch" step 3
//! and "CORS-unsafe request-header names"). Proxies and gateways may add spaces or split
//! the list over several lines, so those are tolerated within limits. The limits bound the
//! work done on hostile values (a megabyte of commas costs one length comparison), and no
//! name is copied: each is compared case-insensitively against the sorted, lower-cased
//! names of the policy.

use crate::refusal::Refusal;
use crate::response::PolicyValue;
use crate::token::{is_token, trim_ows};

/// The most bytes of `Access-Control-Request-Headers`, all lines together, that are read.
pub const MAX_REQUEST_HEADERS_LEN: usize = 16 * 1024;
/// The most header names a preflight may ask for.
pub const MAX_REQUEST_HEADER_NAMES: usize = 128;
/// The most empty list elements (`a,,b`) tolerated, as RFC 9110 section 5.6.1.2 asks.
pub const MAX_EMPTY_ELEMENTS: usize = 16;
/// The most `Access-Control-Request-Headers` lines a preflight may carry.
pub const MAX_REQUEST_HEADER_LINES: usize = 8;

/// The header that `*` never covers (Fetch, "CORS non-wildcard request-header name").
const AUTHORIZATION: &[u8] = b"authorization";

#[derive(Debug, Clone)]
pub(crate) enum AllowHeaders {
    /// The lower-case names grouped by length (`by_length[n]` holds the names of `n`
    /// bytes), so that a lookup compares a name with one or two candidates of its own
    /// length; and the joined value.
    List {
        by_length: Vec<Vec<Box<[u8]>>>,
        value: Option<PolicyValue>,
    },
    /// `*`, with or without an explicit `authorization`, and the value sent without
    /// credentials (`*` or `*, authorization`).
    Any {
        authorization: bool,
        value: PolicyValue,
    },
}

/// Validates one entry and returns it lower-cased.
pub(crate) fn parse_entry(entry: &str) -> Result<String, String> {
    if entry == "*" || is_token(entry.as_bytes()) {
        Ok(entry.to_ascii_lowercase())
    } else {
        Err("is not a valid header name (an HTTP token)".into())
    }
}

impl AllowHeaders {
    pub(crate) fn new(mut names: Vec<String>) -> Self {
        names.sort();
        names.dedup();
        if names.iter().any(|n| n == "*") {
            let authorization = names.iter().any(|n| n.as_bytes() == AUTHORIZATION);
            let value = if authorization {
                "*, authorization"
            } else {
                "*"
            };
            return AllowHeaders::Any {
                authorization,
                value: PolicyValue::from_static(value),
            };
        }
        let value = (!names.is_empty()).then(|| PolicyValue::new(names.join(", ")));
        let longest = names.iter().map(String::len).max().unwrap_or(0);
        let mut by_length = vec![Vec::new(); longest + 1];
        for name in names {
            by_length[name.len()].push(name.into_bytes().into_boxed_slice());
        }
        AllowHeaders::List { by_length, value }
    }

    /// Whether `*` is configured together with `authorization`.
    pub(crate) fn is_any_with_authorization(&self) -> bool {
        matches!(
            self,
            AllowHeaders::Any {
                authorization: true,
                ..
            }
        )
    }

    pub(crate) fn is_any(&self) -> bool {
        matches!(self, AllowHeaders::Any { .. })
    }

    pub(crate) fn allows(&self, name: &[u8]) -> bool {
        match self {
            AllowHeaders::Any { authorization, .. } => {
                *authorization || !name.eq_ignore_ascii_case(AUTHORIZATION)
            }
            AllowHeaders::List { by_length, .. } => {
                let candidates = by_length.get(name.len()).map_or(&[][..], Vec::as_slice);
                candidates
                    .iter()
                    .any(|allowed| allowed.eq_ignore_ascii_case(name))
            }
        }
    }

    /// Checks every name the preflight asks for. Returns whether any name was asked
    /// for at all (an empty list means no `Access-Control-Allow-Headers` is needed).
    pub(crate) fn check<'r>(
        &self,
        lines: &[&'r [u8]],
        line_count: usize,
    ) -> Result<bool, Refusal<'r>> {
        if line_count > MAX_REQUEST_HEADER_LINES {
            return Err(Refusal::TooManyRequestHeaderLines { lines: line_count });
        }
        let total: usize = lines.iter().map(|l| l.len()).sum();
        if total > MAX_REQUEST_HEADERS_LEN {
            return Err(Refusal::RequestHeadersTooLong { len: total });
        }
        let mut budget = Budget::default();
        for line in lines {
            for element in line.split(|&b| b == b',') {
                self.check_element(trim_ows(element), &mut budget)?;
            }
        }
        Ok(budget.names > 0)
    }

    fn check_element<'r>(&self, name: &'r [u8], budget: &mut Budget) -> Result<(), Refusal<'r>> {
        if name.is_empty() {
            budget.empty += 1;
            return match budget.empty > MAX_EMPTY_ELEMENTS {
                true => Err(Refusal::TooManyEmptyElements),
                false => Ok(()),
            };
        }
        budget.names += 1;
        if budget.names > MAX_REQUEST_HEADER_NAMES {
            return Err(Refusal::TooManyRequestHeaders);
        }
        // A name equal (ignoring ASCII case) to a listed one is a token like it, so a
        // list checks the syntax only of names it does not allow, to say which refusal.
        let listed = matches!(self, AllowHeaders::List { .. }) && self.allows(name);
        if listed {
            return Ok(());
        }
        if !is_token(name) {
            return Err(Refusal::MalformedRequestHeaders { element: name });
        }
        if !self.allows(name) {
            return Err(Refusal::HeaderNotAllowed {
                name,
                wildcard: self.is_any(),
            });
        }
        Ok(())
    }

    pub(crate) fn names(&self) -> Vec<String> {
        match self {
            AllowHeaders::Any {
                authorization: true,
                ..
            } => vec!["*".into(), "authorization".into()],
            AllowHeaders::Any { .. } => vec!["*".into()],
            AllowHeaders::List { by_length, .. } => by_length
                .iter()
                .flatten()
                .map(|n| String::from_utf8_lossy(n).into_owned())
                .collect(),
        }
    }
}

#[derive(Default)]
struct Budget {
    names: usize,
    empty: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(names: &[&str]) -> AllowHeaders {
        AllowHeaders::new(names.iter().map(|n| parse_entry(n).unwrap()).collect())
    }

    fn check<'r>(policy: &AllowHeaders, lines: &[&'r [u8]]) -> Result<bool, Refusal<'r>> {
        policy.check(lines, lines.len())
    }

    #[test]
    fn names_compare_case_insensitively_in_any_order() {
        let policy = list(&["Content-Type", "X-Api-Key", "authorization"]);
        assert_eq!(check(&policy, &[b"x-api-key,content-type"]), Ok(true));
        assert_eq!(check(&policy, &[b"X-API-KEY , Content-Type\t"]), Ok(true));
        assert_eq!(
            check(&policy, &[b"content-type", b"authorization"]),
            Ok(true)
        );
        assert_eq!(check(&policy, &[b"content-type,content-type"]), Ok(true));
        assert_eq!(check(&policy, &[b",,"]), Ok(false));
        assert_eq!(check(&policy, &[]), Ok(false));
        assert_eq!(
            check(&policy, &[b"content-type,x-other"]),
            Err(Refusal::HeaderNotAllowed {
                name: b"x-other",
                wildcard: false
            })
        );
        assert_eq!(
            check(&policy, &[b"content type"]),
            Err(Refusal::MalformedRequestHeaders {
                element: b"content type"
            })
        );
    }

    #[test]
    fn wildcard_never_covers_authorization_unless_listed() {
        let star = list(&["*"]);
        assert_eq!(check(&star, &[b"x-anything,x-else"]), Ok(true));
        assert!(check(&star, &[b"Authorization"]).is_err());
        let star_auth = list(&["*", "Authorization"]);
        assert_eq!(check(&star_auth, &[b"authorization,x-a"]), Ok(true));
    }

    #[test]
    fn hostile_values_are_refused_early() {
        let policy = list(&["x-a"]);
        let commas = vec![b','; 100_000];
        assert_eq!(
            check(&policy, &[&commas]),
            Err(Refusal::RequestHeadersTooLong { len: 100_000 })
        );
        // n commas make n + 1 empty elements.
        assert_eq!(
            check(&policy, &[&commas[..16]]),
            Err(Refusal::TooManyEmptyElements)
        );
        assert_eq!(check(&policy, &[&commas[..15]]), Ok(false));
        let many = "x-a,".repeat(129);
        assert_eq!(
            check(&list(&["*"]), &[many.as_bytes()]),
            Err(Refusal::TooManyRequestHeaders)
        );
        assert_eq!(
            policy.check(&[b"x-a"], 9),
            Err(Refusal::TooManyRequestHeaderLines { lines: 9 })
        );
    }

    #[test]
    fn longer_names_than_any_allowed_are_not_searched() {
        let policy = list(&["x-a"]);
        assert!(!policy.allows(b"x-a-much-longer-name"));
        assert!(policy.allows(b"X-A"));
    }
}
