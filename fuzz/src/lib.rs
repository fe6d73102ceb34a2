//! Shared pieces of the fuzz targets: fixed policies, and slow, obviously-correct
//! reference models of what those policies allow, written with plain string operations
//! and independent of `cors-core`'s own parsing code.

use cors_core::Policy;

use cors_core::adapter::{Action, HeaderList, RequestView};

/// The longest `Origin` value a policy ever matches (documented in `cors_core`).
pub const MAX_ORIGIN_LEN: usize = 512;

/// A reference model of `allow_origins`: every entry is written out by hand in the
/// serialized form a browser sends, so no normalisation code is shared with the core.
#[derive(Debug, Clone, Default)]
pub struct RefOrigins {
    /// `*`: anything goes, answered with `*`.
    pub any: bool,
    /// `null` listed.
    pub null: bool,
    /// Exact serialized origins.
    pub exact: Vec<&'static str>,
    /// `scheme://*.domain[:port]` as (scheme, domain, port digits).
    pub subdomains: Vec<(&'static str, &'static str, Option<&'static str>)>,
    /// `scheme://host:*` as (scheme, host).
    pub any_port: Vec<(&'static str, &'static str)>,
}

/// One or more non-empty, dot-separated labels of `[a-z0-9-_]`.
fn is_labels(prefix: &str) -> bool {
    !prefix.is_empty()
        && prefix.split('.').all(|label| {
            !label.is_empty()
                && label
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
        })
}

/// A port as a browser writes it in an origin: 1 to 65535 in decimal without leading
/// zeros, and never the scheme's default port, which browsers leave out.
fn is_browser_port(scheme: &str, port: &str) -> bool {
    let default = match scheme {
        "http" | "ws" => Some(80),
        "https" | "wss" => Some(443),
        "ftp" => Some(21),
        _ => None,
    };
    match port.parse::<u32>() {
        Ok(n) => (1..=65535).contains(&n) && n.to_string() == port && Some(n) != default,
        Err(_) => false,
    }
}

impl RefOrigins {
    /// Whether the reference allows this single `Origin` value.
    pub fn allows(&self, origin: &[u8]) -> bool {
        if self.any {
            return true;
        }
        if origin.len() > MAX_ORIGIN_LEN {
            return false;
        }
        // Every entry is ASCII, so a value that is not UTF-8 can match none.
        let Ok(origin) = std::str::from_utf8(origin) else {
            return false;
        };
        if origin == "null" {
            return self.null;
        }
        if self.exact.iter().any(|e| *e == origin) {
            return true;
        }
        // Patterns: scheme://host[:port], port = one or more ASCII digits.
        let Some((scheme, authority)) = origin.split_once("://") else {
            return false;
        };
        let (host, port) = match authority.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        };
        if port.is_some_and(|port| !is_browser_port(scheme, port)) {
            return false;
        }
        for &(want_scheme, domain, want_port) in &self.subdomains {
            if scheme != want_scheme || port != want_port {
                continue;
            }
            let prefix = host
                .strip_suffix(domain)
                .and_then(|rest| rest.strip_suffix('.'));
            if prefix.is_some_and(is_labels) {
                return true;
            }
        }
        self.any_port
            .iter()
            .any(|&(want_scheme, want_host)| scheme == want_scheme && host == want_host)
    }
}

/// The `allow_origins` of the pattern policy, written as a person might (mixed case, an
/// uncompressed IPv6 address), and the same origins in the reference's serialized form.
pub const PATTERN_ORIGINS: &[&str] = &[
    "https://app.example.com",
    "HTTPS://Admin.Example.ORG",
    "http://[0:0:0:0:0:0:0:1]:3000",
    "http://127.0.0.1:8080",
    "https://api.example.net:8443",
    "https://*.example.com",
    "https://*.example.org:8443",
    "http://localhost:*",
    "null",
];

/// The reference model of [`PATTERN_ORIGINS`].
pub fn pattern_reference() -> RefOrigins {
    RefOrigins {
        any: false,
        null: true,
        exact: vec![
            "https://app.example.com",
            "https://admin.example.org",
            "http://[::1]:3000",
            "http://127.0.0.1:8080",
            "https://api.example.net:8443",
        ],
        subdomains: vec![
            ("https", "example.com", None),
            ("https", "example.org", Some("8443")),
        ],
        any_port: vec![("http", "localhost")],
    }
}

/// The `allow_origins` of the credentials policies (no `null`, no `*`).
pub const CREDENTIAL_ORIGINS: &[&str] = &[
    "https://app.example.com",
    "https://*.example.com",
    "http://localhost:*",
];

/// The reference model of [`CREDENTIAL_ORIGINS`].
pub fn credential_reference() -> RefOrigins {
    RefOrigins {
        any: false,
        null: false,
        exact: vec!["https://app.example.com"],
        subdomains: vec![("https", "example.com", None)],
        any_port: vec![("http", "localhost")],
    }
}

/// The policy with every kind of origin entry, and default methods and headers.
pub fn pattern_policy() -> Policy {
    Policy::builder()
        .allow_origins(PATTERN_ORIGINS)
        .build()
        .expect("the pattern policy is valid")
}

/// A simple GET with this single `Origin`, through `decide`, `into_action` and
/// `ActualHeaders::write_to`: the `Access-Control-Allow-Origin` values written.
pub fn allow_origin_values(policy: &Policy, origin: &[u8]) -> Vec<Vec<u8>> {
    let request = RequestView::new("GET").origin([origin]);
    let decision = policy.decide(&request);
    let mut headers = HeaderList::new(origin);
    match decision.into_action() {
        Action::Forward(actual) => actual.write_to(policy, &mut headers),
        Action::Respond(_) => panic!("a GET was answered as a preflight"),
    }
    headers
        .get_all("access-control-allow-origin")
        .map(<[u8]>::to_vec)
        .collect()
}

/// `tchar` of RFC 9110, section 5.6.2, spelled out.
pub fn is_tchar(b: u8) -> bool {
    matches!(b,
        b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9'
        | b'!' | b'#' | b'$' | b'%' | b'&' | b'\'' | b'*' | b'+' | b'-' | b'.'
        | b'^' | b'_' | b'`' | b'|' | b'~')
}

/// A non-empty run of `tchar`.
pub fn is_token(s: &[u8]) -> bool {
    !s.is_empty() && s.iter().all(|&b| is_tchar(b))
}

/// Trims spaces and tabs on both sides.
pub fn trim_ows(s: &[u8]) -> &[u8] {
    let start = s.iter().position(|&b| b != b' ' && b != b'\t');
    match start {
        None => &[],
        Some(start) => {
            let end = s.iter().rposition(|&b| b != b' ' && b != b'\t').unwrap();
            &s[start..=end]
        }
    }
}

/// Whether a header value is safe to put on the wire: no CR, LF or NUL (RFC 9110
/// section 5.5), so it can never split a response or inject a header.
pub fn is_safe_header_value(value: &[u8]) -> bool {
    !value.iter().any(|&b| b == b'\r' || b == b'\n' || b == 0)
}

/// Whether a log line has no control character at all (no CR/LF, no escape sequences).
pub fn is_single_clean_line(text: &str) -> bool {
    !text.chars().any(|c| c.is_control())
}

/// A reference model of `allow_headers`.
#[derive(Debug, Clone)]
pub enum RefHeaders {
    /// Lower-case names.
    List(&'static [&'static str]),
    /// `*`, and whether `authorization` is listed beside it.
    Star {
        /// `authorization` listed too.
        authorization: bool,
    },
}

impl RefHeaders {
    /// Whether one (non-empty, token) name is allowed, case-insensitively.
    pub fn allows_name(&self, name: &[u8]) -> bool {
        let lower = name.to_ascii_lowercase();
        match self {
            RefHeaders::List(names) => names.iter().any(|n| n.as_bytes() == lower.as_slice()),
            RefHeaders::Star { authorization } => *authorization || lower != b"authorization",
        }
    }

    /// Whether a preflight with these `Access-Control-Request-Headers` lines passes: at
    /// most 8 lines, at most 16 KiB in all, at most 16 empty elements, at most 128 names,
    /// each non-empty trimmed element a token the policy allows.
    pub fn allows_lines(&self, lines: &[&[u8]]) -> bool {
        if lines.len() > 8 {
            return false;
        }
        if lines.iter().map(|l| l.len()).sum::<usize>() > 16 * 1024 {
            return false;
        }
        let elements: Vec<&[u8]> = lines
            .iter()
            .flat_map(|l| l.split(|&b| b == b','))
            .map(trim_ows)
            .collect();
        let empty = elements.iter().filter(|e| e.is_empty()).count();
        let names: Vec<&[u8]> = elements.into_iter().filter(|e| !e.is_empty()).collect();
        empty <= 16
            && names.len() <= 128
            && names.iter().all(|n| is_token(n) && self.allows_name(n))
    }
}

/// Whether these lines name at least one header (a non-empty element).
pub fn names_any_header(lines: &[&[u8]]) -> bool {
    lines
        .iter()
        .flat_map(|l| l.split(|&b| b == b','))
        .any(|e| !trim_ows(e).is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_matches_the_obvious_cases() {
        let r = pattern_reference();
        for yes in [
            "https://app.example.com",
            "https://a.example.com",
            "https://a.b-c_d.example.com",
            "https://x.example.org:8443",
            "http://localhost",
            "http://localhost:3000",
            "http://[::1]:3000",
            "null",
        ] {
            assert!(r.allows(yes.as_bytes()), "{yes}");
        }
        for no in [
            "https://example.com",
            "https://.example.com",
            "https://a..example.com",
            "https://evil-example.com",
            "https://example.com.evil.net",
            "https://A.example.com",
            "https://x.example.org",
            "https://x.example.org:08443",
            "http://localhost:",
            "http://[0:0:0:0:0:0:0:1]:3000",
            "Null",
        ] {
            assert!(!r.allows(no.as_bytes()), "{no}");
        }
        assert_eq!(trim_ows(b" \ta b\t "), b"a b");
        assert_eq!(trim_ows(b" \t "), b"");
    }

    #[test]
    fn reference_agrees_with_the_core_on_the_obvious_cases() {
        assert_eq!(MAX_ORIGIN_LEN, cors_core::adapter::MAX_ORIGIN_LEN);
        let policy = pattern_policy();
        let r = pattern_reference();
        for origin in ["https://a.example.com", "https://example.com", "null", "x"] {
            let emitted = !allow_origin_values(&policy, origin.as_bytes()).is_empty();
            assert_eq!(emitted, r.allows(origin.as_bytes()), "{origin}");
        }
    }
}
