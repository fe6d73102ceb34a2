//! Entries that are well-formed but insecure or meaningless in their policy: refused (or,
//! where a policy may have a reason, warned about) when the policy is built.

use std::net::Ipv4Addr;

use crate::error::ProblemKind;
use crate::origin::OriginEntry;
#[cfg(feature = "public-suffix")]
use crate::public_suffix::shared_domain;

/// What the guards need to know of the policy.
pub(crate) struct Context {
    pub(crate) credentials: bool,
    pub(crate) plain_http_with_credentials: bool,
    pub(crate) origin_count: usize,
}

/// Why an origin entry is refused (`errors`) or doubtful (`warnings`) in this policy.
#[derive(Default)]
pub(crate) struct Findings {
    pub(crate) errors: Vec<(ProblemKind, String)>,
    pub(crate) warnings: Vec<String>,
}

pub(crate) fn check_origin(entry: &OriginEntry, raw: &str, policy: &Context) -> Findings {
    let mut found = Findings::default();
    match entry {
        OriginEntry::Any => {
            if policy.origin_count > 1 {
                found.errors.push((ProblemKind::Meaningless, "\"*\" allows every origin and cannot be mixed with other entries; keep either \"*\" or the list".into()));
            }
            if policy.credentials {
                found.errors.push((ProblemKind::Insecure, "\"*\" cannot be used with allow_credentials = true: browsers refuse `*` for credentialed requests, and echoing every origin instead would let any site read your users' data; list the origins you trust".into()));
            }
        }
        OriginEntry::Null if policy.credentials => found.errors.push((ProblemKind::Insecure, format!(
            "{raw:?} cannot be used with allow_credentials = true: any sandboxed iframe or local file sends `Origin: null`"
        ))),
        OriginEntry::Subdomain(pattern) => {
            check_shared_domain(&pattern.domain, raw, policy.credentials, &mut found);
        }
        _ => {}
    }
    if let Some(host) = plain_http_host(entry) {
        if policy.credentials && !policy.plain_http_with_credentials && !is_loopback(host) {
            found.errors.push((ProblemKind::Insecure, format!(
                "{raw:?} is plain http: with allow_credentials = true anyone on the network path can read the credentialed responses; use https, or set allow_credentials_over_plain_http = true to accept that risk"
            )));
        }
    }
    found
}

/// The host of an entry whose scheme carries no TLS.
fn plain_http_host(entry: &OriginEntry) -> Option<&str> {
    let (scheme, host) = match entry {
        OriginEntry::Exact(origin) => {
            let (scheme, rest) = origin.split_once("://")?;
            let host = match rest.rsplit_once(':') {
                Some((host, _)) if !rest.ends_with(']') => host,
                _ => rest,
            };
            (scheme, host)
        }
        OriginEntry::Subdomain(p) => (p.scheme.as_str(), p.domain.as_str()),
        OriginEntry::AnyPort(p) => (p.scheme.as_str(), p.host.as_str()),
        OriginEntry::Any | OriginEntry::Null => return None,
    };
    matches!(scheme, "http" | "ws").then_some(host)
}

/// Hosts that never leave the machine: `localhost` and its subdomains, 127.0.0.0/8 and
/// `[::1]` (what browsers treat as potentially trustworthy over plain http).
fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host.ends_with(".localhost")
        || host == "[::1]"
        || host.parse::<Ipv4Addr>().is_ok_and(|ip| ip.is_loopback())
}

/// A subdomain pattern trusts every name under its domain: refused with credentials, and
/// doubtful without, when someone other than the domain's owner can obtain such a name.
fn check_shared_domain(domain: &str, raw: &str, credentials: bool, found: &mut Findings) {
    let Some(shared) = shared_domain(domain) else {
        return;
    };
    let message = format!("{raw:?} matches every site under {shared}");
    if credentials {
        found.errors.push((
            ProblemKind::Insecure,
            format!("{message}; that cannot be used with allow_credentials = true"),
        ));
    } else {
        found
            .warnings
            .push(format!("{message}; is that what you mean?"));
    }
}

/// Without the Public Suffix List, no domain is known to be shared (and no reason can be
/// given, hence `Infallible`).
#[cfg(not(feature = "public-suffix"))]
fn shared_domain(_domain: &str) -> Option<std::convert::Infallible> {
    None
}

/// Request headers a script can never set (Fetch, "forbidden request-header"), so
/// allowing them means nothing.
pub(crate) fn forbidden_request_header(name: &str) -> bool {
    const FORBIDDEN: [&str; 21] = [
        "accept-charset",
        "accept-encoding",
        "access-control-request-headers",
        "access-control-request-method",
        "connection",
        "content-length",
        "cookie",
        "cookie2",
        "date",
        "dnt",
        "expect",
        "host",
        "keep-alive",
        "origin",
        "referer",
        "set-cookie",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "via",
    ];
    FORBIDDEN.contains(&name) || name.starts_with("proxy-") || name.starts_with("sec-")
}

/// Response headers a script can never read (Fetch, "forbidden response-header name").
pub(crate) fn forbidden_response_header(name: &str) -> bool {
    name == "set-cookie" || name == "set-cookie2"
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::origin::parse_entry;

    fn check(raw: &str, credentials: bool) -> Findings {
        let context = Context {
            credentials,
            plain_http_with_credentials: false,
            origin_count: 1,
        };
        check_origin(&parse_entry(raw).unwrap(), raw, &context)
    }

    /// Each checked against the list `psl` is compiled from (see `public_suffix`).
    const SHARED: [&str; 13] = [
        "https://*.com",
        "https://*.co.uk",
        "https://*.github.io",
        "https://*.np",
        "https://*.ck",
        "https://*.jm",
        "https://*.kawasaki.jp",
        "https://*.amazonaws.com",
        "https://*.windows.net",
        "https://*.digitaloceanspaces.com",
        "https://*.example.np",
        "https://*.com.np",
        "https://*.s3.amazonaws.com",
    ];

    #[test]
    #[cfg(feature = "public-suffix")]
    fn shared_domain_patterns_are_refused_with_credentials_and_warned_about_without() {
        for raw in SHARED {
            let refused = check(raw, true);
            assert_eq!(refused.errors.len(), 1, "{raw}");
            assert!(
                refused.errors[0]
                    .1
                    .contains("where anyone can register a name"),
                "{}",
                refused.errors[0].1
            );
            let open = check(raw, false);
            assert!(open.errors.is_empty() && open.warnings.len() == 1, "{raw}");
        }
        for raw in [
            "https://*.example.com",
            "https://*.example.co.uk",
            "https://*.internal",
            "https://*.example.com.np",
            "https://*.shop.example.com.np",
            "https://*.city.kawasaki.jp",
            "https://*.bucket.s3.amazonaws.com",
        ] {
            let found = check(raw, true);
            assert!(
                found.errors.is_empty() && found.warnings.is_empty(),
                "{raw}"
            );
        }
    }

    #[test]
    #[cfg(not(feature = "public-suffix"))]
    fn without_the_list_no_pattern_is_checked() {
        for raw in SHARED {
            assert!(check(raw, true).errors.is_empty(), "{raw}");
        }
    }

    #[test]
    fn plain_http_with_credentials_is_refused_except_on_loopback() {
        for raw in [
            "http://app.example.com",
            "http://*.example.com",
            "http://intranet:*",
            "ws://10.0.0.1:9000",
        ] {
            assert!(check(raw, true).errors[0].1.contains("plain http"), "{raw}");
            assert!(check(raw, false).errors.is_empty(), "{raw}");
        }
        for raw in [
            "http://localhost:3000",
            "http://localhost:*",
            "http://127.0.0.1:8080",
            "http://[::1]:3000",
            "http://app.localhost",
        ] {
            assert!(check(raw, true).errors.is_empty(), "{raw}");
        }
        let allowed = Context {
            credentials: true,
            plain_http_with_credentials: true,
            origin_count: 1,
        };
        let entry = parse_entry("http://app.example.com").unwrap();
        assert!(check_origin(&entry, "http://app.example.com", &allowed)
            .errors
            .is_empty());
    }

    #[test]
    fn forbidden_header_names() {
        for name in [
            "cookie",
            "host",
            "sec-fetch-mode",
            "proxy-authorization",
            "origin",
        ] {
            assert!(forbidden_request_header(name), "{name}");
        }
        for name in ["authorization", "content-type", "x-api-key", "secret"] {
            assert!(!forbidden_request_header(name), "{name}");
        }
        assert!(forbidden_response_header("set-cookie"));
        assert!(!forbidden_response_header("x-request-id"));
    }
}
