//! Origins: parsing the entries of `allow_origins` once, and reading the request's
//! `Origin` header without allocating.
//!
//! A browser sends the *serialization* of an origin (Fetch, "`Origin` header";
//! HTML, "serialization of an origin"): lower-case scheme and host, no path, no trailing
//! slash, the default port omitted, IPv6 literals in compressed lower-case form, or the
//! string `null`. Policy entries are therefore validated and normalised to that exact form
//! when the policy is built, and request origins are compared byte for byte.

use std::net::{Ipv4Addr, Ipv6Addr};

/// The longest `Origin` value that is ever matched. A scheme, a 253-byte host and a
/// port fit in well under this; anything longer is refused without being parsed.
pub const MAX_ORIGIN_LEN: usize = 512;

/// One validated entry of `allow_origins`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum OriginEntry {
    /// `*`: any origin.
    Any,
    /// `null`: the opaque origin of sandboxed documents, `file:` pages and redirects.
    Null,
    /// An origin matched exactly, already in its serialized form.
    Exact(String),
    /// `scheme://*.domain[:port]`.
    Subdomain(SubdomainPattern),
    /// `scheme://host:*`.
    AnyPort(AnyPortPattern),
}

/// `scheme://*.domain[:port]`: one or more labels in front of `domain`, never `domain`
/// itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SubdomainPattern {
    pub(crate) scheme: String,
    pub(crate) domain: String,
    pub(crate) port: Option<u16>,
}

/// `scheme://host:*`: any port, or none, on one scheme and host (local development).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AnyPortPattern {
    pub(crate) scheme: String,
    pub(crate) host: String,
}

const SHAPE: &str = "an origin is scheme://host[:port], such as https://app.example.com";

/// Parses one `allow_origins` entry; the error is the reason, worded to follow the entry.
pub(crate) fn parse_entry(entry: &str) -> Result<OriginEntry, String> {
    match entry {
        "*" => return Ok(OriginEntry::Any),
        "null" => return Ok(OriginEntry::Null),
        _ => {}
    }
    if entry.trim() != entry {
        return Err("has surrounding white space".into());
    }
    let Some((scheme, rest)) = entry.split_once("://") else {
        return Err(format!("has no scheme; {SHAPE}"));
    };
    let scheme = parse_scheme(scheme)?;
    let authority = authority_of(rest)?;
    let (host, port) = split_port(authority)?;
    if let Some(domain) = host.strip_prefix("*.") {
        return subdomain_pattern(scheme, domain, port);
    }
    if host.contains('*') {
        return Err("has a `*` that is not the whole first label; write https://*.example.com for any subdomain".into());
    }
    let host = parse_host(host)?;
    match port {
        Port::Any => Ok(OriginEntry::AnyPort(AnyPortPattern { scheme, host })),
        Port::Default => Ok(OriginEntry::Exact(format!("{scheme}://{host}"))),
        Port::Number(n) => {
            check_not_default(&scheme, n)?;
            Ok(OriginEntry::Exact(format!("{scheme}://{host}:{n}")))
        }
    }
}

fn subdomain_pattern(scheme: String, domain: &str, port: Port) -> Result<OriginEntry, String> {
    let domain = parse_host(domain)?;
    if domain.starts_with('[') || domain.parse::<Ipv4Addr>().is_ok() {
        return Err("puts `*.` in front of an IP address, which has no subdomains".into());
    }
    let port = match port {
        Port::Any => {
            return Err(
                "combines a subdomain wildcard with a port wildcard; list one pattern per port"
                    .into(),
            )
        }
        Port::Default => None,
        Port::Number(n) => {
            check_not_default(&scheme, n)?;
            Some(n)
        }
    };
    Ok(OriginEntry::Subdomain(SubdomainPattern {
        scheme,
        domain,
        port,
    }))
}

fn parse_scheme(scheme: &str) -> Result<String, String> {
    let scheme = scheme.to_ascii_lowercase();
    let mut bytes = scheme.bytes();
    let valid_first = bytes.next().is_some_and(|b| b.is_ascii_lowercase());
    let valid_rest =
        bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"+-.".contains(&b));
    if !valid_first || !valid_rest {
        return Err(format!("has a malformed scheme; {SHAPE}"));
    }
    if scheme == "file" {
        return Err("is a file: URL; browsers send `Origin: null` for file: pages, so list \"null\" if you really mean it".into());
    }
    Ok(scheme)
}

/// Everything after `scheme://`, which must be a bare `host[:port]`.
fn authority_of(rest: &str) -> Result<&str, String> {
    if rest.contains('@') {
        return Err(format!("has user information (`@`); {SHAPE}"));
    }
    match rest.find(['/', '?', '#']) {
        None => Ok(rest),
        Some(at) => {
            let tail = &rest[at..];
            let reason = match tail.as_bytes()[0] {
                b'/' if tail == "/" => "has a trailing slash",
                b'/' => "has a path",
                b'?' => "has a query",
                _ => "has a fragment",
            };
            Err(format!("{reason}; {SHAPE}"))
        }
    }
}

enum Port {
    Default,
    Any,
    Number(u16),
}

fn split_port(authority: &str) -> Result<(&str, Port), String> {
    // An IPv6 literal has colons of its own: the port, if any, follows the `]`.
    let (host, port) = if authority.starts_with('[') {
        match authority.find(']') {
            Some(end) => match &authority[end + 1..] {
                "" => (authority, None),
                tail => match tail.strip_prefix(':') {
                    Some(port) => (&authority[..=end], Some(port)),
                    None => return Err(format!("has text after its IPv6 address; {SHAPE}")),
                },
            },
            None => return Err("has an IPv6 address without its closing `]`".into()),
        }
    } else {
        match authority.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    let port = match port {
        None => Port::Default,
        Some("*") => Port::Any,
        Some(digits) => Port::Number(parse_port(digits)?),
    };
    Ok((host, port))
}

fn parse_port(digits: &str) -> Result<u16, String> {
    let well_formed = !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !(digits.len() > 1 && digits.starts_with('0'));
    match digits.parse::<u16>() {
        Ok(n) if well_formed && n > 0 => Ok(n),
        _ => Err(format!(
            "has a malformed port `{digits}`; a port is a number from 1 to 65535, or `*` for any"
        )),
    }
}

fn check_not_default(scheme: &str, port: u16) -> Result<(), String> {
    if default_port(scheme) == Some(port) {
        return Err(format!(
            "names the default port :{port} of {scheme}:, which browsers never send; leave it out"
        ));
    }
    Ok(())
}

fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "http" | "ws" => Some(80),
        "https" | "wss" => Some(443),
        _ => None,
    }
}

/// Validates a host and returns it in the form browsers serialize.
fn parse_host(host: &str) -> Result<String, String> {
    if host.is_empty() {
        return Err(format!("has no host; {SHAPE}"));
    }
    if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return match inner.parse::<Ipv6Addr>() {
            // Display gives the compressed lower-case form that browsers send.
            Ok(addr) => Ok(format!("[{addr}]")),
            Err(_) => Err("has a malformed IPv6 address".into()),
        };
    }
    if !host.is_ascii() {
        return Err(
            "has a non-ASCII host; write its punycode (xn--) form, which is what browsers send"
                .into(),
        );
    }
    let host = host.to_ascii_lowercase();
    if looks_like_ipv4(&host) {
        return match host.parse::<Ipv4Addr>() {
            Ok(addr) if addr.to_string() == host => Ok(host),
            _ => Err("has a malformed IPv4 address".into()),
        };
    }
    check_domain(&host)?;
    Ok(host)
}

fn looks_like_ipv4(host: &str) -> bool {
    host.bytes().all(|b| b.is_ascii_digit() || b == b'.')
}

fn check_domain(host: &str) -> Result<(), String> {
    if host.len() > 253 {
        return Err("has a host longer than 253 characters".into());
    }
    for label in host.split('.') {
        if label.is_empty() {
            return Err("has a malformed host (an empty label)".into());
        }
        if label.len() > 63 {
            return Err("has a host label longer than 63 characters".into());
        }
        if !label.bytes().all(is_host_byte) {
            return Err(format!(
                "has a malformed host: `{label}` is not a valid label"
            ));
        }
    }
    Ok(())
}

/// Bytes that appear in a browser-serialized domain label. Underscores are not valid in
/// host names but do occur in the wild, and browsers pass them through.
fn is_host_byte(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_'
}

/// The parts of a request's `Origin` value, borrowed from it. Built only for pattern
/// matching: exact entries are compared on the whole value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct OriginParts<'a> {
    pub(crate) scheme: &'a [u8],
    pub(crate) host: &'a [u8],
    /// The digits of an explicit port.
    pub(crate) port: Option<&'a [u8]>,
}

/// Splits a serialized origin into its parts, or `None` when it is not of that shape.
/// Work is linear in the value, which callers have already bounded.
pub(crate) fn split_request_origin(origin: &[u8]) -> Option<OriginParts<'_>> {
    let sep = find(origin, b"://")?;
    let scheme = &origin[..sep];
    let authority = &origin[sep + 3..];
    let (host, port) = match authority.iter().rposition(|&b| b == b':') {
        Some(colon) if !authority.ends_with(b"]") => {
            (&authority[..colon], Some(&authority[colon + 1..]))
        }
        _ => (authority, None),
    };
    let scheme_ok = !scheme.is_empty()
        && scheme
            .iter()
            .all(|&b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"+-.".contains(&b));
    let port_ok = port.map_or(true, |p| !p.is_empty() && p.iter().all(u8::is_ascii_digit));
    (scheme_ok && port_ok && is_request_host(host)).then_some(OriginParts { scheme, host, port })
}

/// A domain or IPv4 address in serialized form, or a bracketed IPv6 literal.
fn is_request_host(host: &[u8]) -> bool {
    match host.strip_prefix(b"[").and_then(|h| h.strip_suffix(b"]")) {
        Some(v6) => {
            !v6.is_empty()
                && v6
                    .iter()
                    .all(|&b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
        }
        None => !host.is_empty() && host.iter().all(|&b| is_host_byte(b) || b == b'.'),
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

impl SubdomainPattern {
    /// One or more well-formed labels, then `.` + the domain: anchored at a label
    /// boundary, so `evil-example.com` and `example.com.evil.net` never match.
    pub(crate) fn matches(&self, origin: &OriginParts<'_>) -> bool {
        if origin.scheme != self.scheme.as_bytes() || !self.port_matches(origin.port) {
            return false;
        }
        let domain = self.domain.as_bytes();
        let Some(prefix_len) = origin.host.len().checked_sub(domain.len() + 1) else {
            return false;
        };
        let (prefix, rest) = origin.host.split_at(prefix_len);
        rest[0] == b'.' && &rest[1..] == domain && are_labels(prefix)
    }

    fn port_matches(&self, port: Option<&[u8]>) -> bool {
        match (self.port, port) {
            (None, None) => true,
            (Some(want), Some(got)) => port_equals(got, want),
            _ => false,
        }
    }
}

impl AnyPortPattern {
    pub(crate) fn matches(&self, origin: &OriginParts<'_>) -> bool {
        origin.scheme == self.scheme.as_bytes() && origin.host == self.host.as_bytes()
    }
}

/// A non-empty run of dot-separated, non-empty labels made of host bytes.
fn are_labels(prefix: &[u8]) -> bool {
    !prefix.is_empty()
        && prefix
            .split(|&b| b == b'.')
            .all(|label| !label.is_empty() && label.iter().all(|&b| is_host_byte(b)))
}

/// Whether the port digits of a request equal `want`, as browsers write ports (no
/// leading zeros).
fn port_equals(digits: &[u8], want: u16) -> bool {
    let mut buf = [0u8; 5];
    let mut n = want;
    let mut at = buf.len();
    loop {
        at -= 1;
        buf[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    digits == &buf[at..]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exact(entry: &str) -> String {
        match parse_entry(entry) {
            Ok(OriginEntry::Exact(origin)) => origin,
            other => panic!("{entry}: {other:?}"),
        }
    }

    fn reason(entry: &str) -> String {
        parse_entry(entry).expect_err(entry)
    }

    #[test]
    fn exact_origins_are_normalised_to_the_browser_serialization() {
        assert_eq!(exact("https://app.example.com"), "https://app.example.com");
        assert_eq!(exact("HTTPS://App.Example.COM"), "https://app.example.com");
        assert_eq!(exact("http://localhost:3000"), "http://localhost:3000");
        assert_eq!(exact("http://[0:0:0:0:0:0:0:1]:8080"), "http://[::1]:8080");
        assert_eq!(exact("http://[::FFFF:1.2.3.4]"), "http://[::ffff:1.2.3.4]");
        assert_eq!(exact("http://127.0.0.1:8000"), "http://127.0.0.1:8000");
        assert_eq!(
            exact("chrome-extension://abcdef"),
            "chrome-extension://abcdef"
        );
    }

    #[test]
    fn malformed_entries_say_what_is_wrong() {
        let cases = [
            ("https://app.example.com/", "trailing slash"),
            ("https://app.example.com/api", "has a path"),
            ("https://app.example.com?x=1", "has a query"),
            ("https://app.example.com#top", "has a fragment"),
            ("https://user@app.example.com", "user information"),
            ("https://app.example.com:443", "default port :443"),
            ("http://app.example.com:80", "default port :80"),
            ("app.example.com", "has no scheme"),
            ("https://", "has no host"),
            ("https://app..example.com", "empty label"),
            ("https://app.example.com:0", "malformed port"),
            ("https://app.example.com:65536", "malformed port"),
            ("https://app.example.com:08080", "malformed port"),
            ("https://ex ample.com", "malformed host"),
            ("https://bücher.de", "punycode"),
            ("http://[::1", "closing"),
            ("http://[zz::1]", "malformed IPv6"),
            ("http://999.1.1.1", "malformed IPv4"),
            ("https://a*.example.com", "first label"),
            ("https://*.example.com:*", "port wildcard"),
            ("https://*.127.0.0.1", "IP address"),
            ("file:///tmp", "file: URL"),
            (" https://a.com", "white space"),
            ("1http://a.com", "malformed scheme"),
        ];
        for (entry, expected) in cases {
            let got = reason(entry);
            assert!(got.contains(expected), "{entry}: {got}");
        }
    }

    #[test]
    fn patterns_are_parsed() {
        assert_eq!(
            parse_entry("https://*.Example.com").unwrap(),
            OriginEntry::Subdomain(SubdomainPattern {
                scheme: "https".into(),
                domain: "example.com".into(),
                port: None
            })
        );
        assert_eq!(
            parse_entry("http://localhost:*").unwrap(),
            OriginEntry::AnyPort(AnyPortPattern {
                scheme: "http".into(),
                host: "localhost".into()
            })
        );
        assert_eq!(parse_entry("*").unwrap(), OriginEntry::Any);
        assert_eq!(parse_entry("null").unwrap(), OriginEntry::Null);
    }

    fn subdomain(entry: &str) -> SubdomainPattern {
        match parse_entry(entry).unwrap() {
            OriginEntry::Subdomain(p) => p,
            other => panic!("{other:?}"),
        }
    }

    fn matches(pattern: &SubdomainPattern, origin: &str) -> bool {
        split_request_origin(origin.as_bytes()).is_some_and(|parts| pattern.matches(&parts))
    }

    #[test]
    fn subdomain_patterns_match_labels_at_a_boundary() {
        let p = subdomain("https://*.example.com");
        assert!(matches(&p, "https://a.example.com"));
        assert!(matches(&p, "https://a.b.c.example.com"));
        assert!(!matches(&p, "https://example.com"));
        assert!(!matches(&p, "https://.example.com"));
        assert!(!matches(&p, "https://a..example.com"));
        assert!(!matches(&p, "https://evil-example.com"));
        assert!(!matches(&p, "https://example.com.evil.net"));
        assert!(!matches(&p, "http://a.example.com"));
        assert!(!matches(&p, "https://a.example.com:8443"));
        assert!(!matches(&p, "https://A.example.com"));
        assert!(!matches(&p, "https://a/b.example.com"));
        let with_port = subdomain("https://*.example.com:8443");
        assert!(matches(&with_port, "https://a.example.com:8443"));
        assert!(!matches(&with_port, "https://a.example.com"));
        assert!(!matches(&with_port, "https://a.example.com:08443"));
    }

    #[test]
    fn request_origins_are_split_without_copying() {
        let parts = split_request_origin(b"http://[::1]:3000").unwrap();
        assert_eq!(parts.host, b"[::1]");
        assert_eq!(parts.port, Some(&b"3000"[..]));
        let parts = split_request_origin(b"http://[::1]").unwrap();
        assert_eq!(parts.port, None);
        assert!(split_request_origin(b"null").is_none());
        assert!(split_request_origin(b"https://a.com:").is_none());
        assert!(split_request_origin(b"HTTPS://a.com").is_none());
        assert!(split_request_origin(b"https://").is_none());
    }

    #[test]
    fn port_equals_compares_canonical_digits() {
        assert!(port_equals(b"8443", 8443));
        assert!(port_equals(b"1", 1));
        assert!(port_equals(b"65535", 65535));
        assert!(!port_equals(b"08443", 8443));
        assert!(!port_equals(b"844", 8443));
    }
}
