//! Origins: parsing the entries of `allow_origins` once, and reading the request's
//! `Origin` header without allocating.
//!
//! A browser sends the *serialization* of an origin (Fetch, "`Origin` header";
//! HTML, "serialization of an origin"): lower-case scheme and host, no path, no trailing
//! slash, the default port omitted, the host as the URL Standard's host parser leaves it
//! (see [`crate::host`]), or the string `null`. Policy entries are therefore validated and
//! normalised to that exact form when the policy is built, and request origins are
//! compared byte for byte.

use crate::host::{self, is_domain_byte, is_host_byte, Host};

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
    let host = parse_host(host)?.to_string();
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
    let Host::Domain(domain) = parse_host(domain)? else {
        return Err("puts `*.` in front of an IP address, which has no subdomains".into());
    };
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
    if default_port(scheme.as_bytes()) == Some(port) {
        return Err(format!(
            "names the default port :{port} of {scheme}:, which browsers never send; leave it out"
        ));
    }
    Ok(())
}

/// The default ports of the special schemes (<https://url.spec.whatwg.org/#default-port>),
/// which the URL parser drops (<https://url.spec.whatwg.org/#port-state>), so that no
/// serialized origin ever names one.
fn default_port(scheme: &[u8]) -> Option<u16> {
    match scheme {
        b"http" | b"ws" => Some(80),
        b"https" | b"wss" => Some(443),
        b"ftp" => Some(21),
        _ => None,
    }
}

/// Validates a host and returns it as browsers serialize it (see [`crate::host`]).
fn parse_host(host: &str) -> Result<Host, String> {
    if host.is_empty() {
        return Err(format!("has no host; {SHAPE}"));
    }
    host::parse(host)
}

/// The parts of a request's `Origin` value, borrowed from it. Built only for pattern
/// matching: exact entries are compared on the whole value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct OriginParts<'a> {
    pub(crate) scheme: &'a [u8],
    pub(crate) host: &'a [u8],
    /// The digits of an explicit port, as a browser writes them (see
    /// [`is_serialized_port`]).
    pub(crate) port: Option<&'a [u8]>,
}

/// Splits a serialized origin into its parts, or `None` when it is not of that shape,
/// including a port that no browser writes. Work is linear in the value, which callers
/// have already bounded, and nothing is allocated.
pub(crate) fn split_request_origin(origin: &[u8]) -> Option<OriginParts<'_>> {
    // A scheme has no `:`, so the first one ends it.
    let colon = origin.iter().position(|&b| b == b':')?;
    let (scheme, rest) = origin.split_at(colon);
    let authority = rest.strip_prefix(b"://")?;
    let (host, port) = match authority.iter().rposition(|&b| b == b':') {
        Some(colon) if !authority.ends_with(b"]") => {
            (&authority[..colon], Some(&authority[colon + 1..]))
        }
        _ => (authority, None),
    };
    let scheme_ok = !scheme.is_empty() && scheme.iter().all(|&b| SCHEME_BYTES[usize::from(b)]);
    let port_ok = port.map_or(true, |p| is_serialized_port(scheme, p));
    (scheme_ok && port_ok && is_request_host(host)).then_some(OriginParts { scheme, host, port })
}

/// The bytes of a serialized scheme (the URL parser lower-cases it).
static SCHEME_BYTES: [bool; 256] = host::byte_table(b"+-.");

/// Port digits as the URL serializer writes a port
/// (<https://url.spec.whatwg.org/#url-serializing>): the shortest decimal form of 1 to
/// 65535, without leading zeros, and never the scheme's default port, which the URL
/// parser has dropped. Port 0 is a "bad port" (Fetch) that no page is loaded from.
fn is_serialized_port(scheme: &[u8], digits: &[u8]) -> bool {
    let canonical = matches!(digits.first(), Some(b'1'..=b'9'))
        && digits.len() <= 5
        && digits.iter().all(u8::is_ascii_digit);
    if !canonical {
        return false;
    }
    let port = digits
        .iter()
        .fold(0u32, |n, &d| n * 10 + u32::from(d - b'0'));
    u16::try_from(port).is_ok_and(|port| default_port(scheme) != Some(port))
}

/// A domain or IPv4 address in serialized form, or a bracketed IPv6 literal as the IPv6
/// serializer writes it: lower-case hex pieces and colons, never a dotted IPv4 tail.
fn is_request_host(host: &[u8]) -> bool {
    match host.strip_prefix(b"[").and_then(|h| h.strip_suffix(b"]")) {
        Some(v6) => {
            !v6.is_empty()
                && v6
                    .iter()
                    .all(|&b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b) || b == b':')
        }
        None => !host.is_empty() && host.iter().all(|&b| is_domain_byte(b)),
    }
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
    /// Any port, or none: [`split_request_origin`] has already refused every port that a
    /// browser never sends (`:99999`, `:08080`, the scheme's default port).
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
        assert_eq!(exact("http://[::FFFF:1.2.3.4]"), "http://[::ffff:102:304]");
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

    fn any_port(entry: &str) -> AnyPortPattern {
        match parse_entry(entry).unwrap() {
            OriginEntry::AnyPort(p) => p,
            other => panic!("{other:?}"),
        }
    }

    fn any_port_matches(pattern: &AnyPortPattern, origin: &str) -> bool {
        split_request_origin(origin.as_bytes()).is_some_and(|parts| pattern.matches(&parts))
    }

    #[test]
    fn any_port_patterns_match_only_ports_a_browser_sends() {
        let p = any_port("http://localhost:*");
        assert!(any_port_matches(&p, "http://localhost"));
        assert!(any_port_matches(&p, "http://localhost:3000"));
        assert!(any_port_matches(&p, "http://localhost:1"));
        assert!(any_port_matches(&p, "http://localhost:443"));
        assert!(any_port_matches(&p, "http://localhost:65535"));
        for origin in [
            "http://localhost:65536",
            "http://localhost:99999",
            "http://localhost:100000",
            "http://localhost:099",
            "http://localhost:08080",
            "http://localhost:0",
            "http://localhost:00",
            "http://localhost:80",
            "http://localhost:+80",
            "http://localhost:",
            "https://localhost:443",
        ] {
            assert!(!any_port_matches(&p, origin), "{origin}");
        }
        let tls = any_port("https://localhost:*");
        assert!(any_port_matches(&tls, "https://localhost:80"));
        assert!(!any_port_matches(&tls, "https://localhost:443"));
        let ws = any_port("ws://localhost:*");
        assert!(!any_port_matches(&ws, "ws://localhost:80"));
        let secure_ws = any_port("wss://localhost:*");
        assert!(!any_port_matches(&secure_ws, "wss://localhost:443"));
    }

    #[test]
    fn subdomain_patterns_never_match_a_default_port() {
        let p = subdomain("https://*.example.com");
        assert!(!matches(&p, "https://a.example.com:443"));
        let plain = subdomain("http://*.example.com");
        assert!(!matches(&plain, "http://a.example.com:80"));
        let with_port = subdomain("https://*.example.com:8443");
        assert!(!matches(&with_port, "https://a.example.com:443"));
        assert!(!matches(&with_port, "https://a.example.com:8443443"));
    }

    #[test]
    fn request_origins_with_ports_no_browser_writes_are_not_split() {
        for origin in [
            "http://a.com:0",
            "http://a.com:65536",
            "http://a.com:0080",
            "http://a.com:80",
            "https://a.com:443",
            "ws://a.com:80",
            "wss://a.com:443",
            "http://a.com:123456789012345678901234567890",
        ] {
            assert!(
                split_request_origin(origin.as_bytes()).is_none(),
                "{origin}"
            );
        }
        assert!(split_request_origin(b"http://a.com:443").is_some());
        assert!(split_request_origin(b"https://a.com:80").is_some());
    }

    #[test]
    fn request_ipv6_hosts_are_in_the_serializer_form() {
        assert!(split_request_origin(b"http://[::ffff:102:304]").is_some());
        assert!(split_request_origin(b"http://[::ffff:1.2.3.4]").is_none());
        assert!(split_request_origin(b"http://[::FFFF:102:304]").is_none());
    }

    #[test]
    fn ipv4_entries_are_normalised_to_dotted_decimal() {
        for entry in [
            "http://0x7f.0.0.1",
            "http://127.1",
            "http://0177.0.0.1",
            "http://2130706433",
            "http://127.0.0.1.",
        ] {
            assert_eq!(exact(entry), "http://127.0.0.1", "{entry}");
        }
        assert_eq!(exact("http://0x7F.1:8080"), "http://127.0.0.1:8080");
        assert_eq!(
            parse_entry("http://127.1:*").unwrap(),
            OriginEntry::AnyPort(AnyPortPattern {
                scheme: "http".into(),
                host: "127.0.0.1".into()
            })
        );
        assert!(reason("https://*.0x7f.1").contains("IP address"));
    }

    #[test]
    fn hosts_that_end_in_a_number_must_be_ipv4_addresses() {
        for entry in [
            "http://foo.0x10",
            "http://foo.bar.255",
            "http://1.2.3.4.5",
            "http://foo.09:8080",
            "https://*.foo.1",
        ] {
            let got = reason(entry);
            assert!(got.contains("malformed IPv4"), "{entry}: {got}");
            assert!(got.contains("last label is a number"), "{entry}: {got}");
        }
    }

    #[test]
    fn punycode_labels_that_do_not_decode_are_refused() {
        assert_eq!(
            exact("https://xn--bcher-kva.example"),
            "https://xn--bcher-kva.example"
        );
        for entry in [
            "http://xn--f",
            "https://xn--.example.com",
            "https://*.xn--abc-.de",
        ] {
            let got = reason(entry);
            assert!(got.contains("not the punycode"), "{entry}: {got}");
        }
    }

    #[test]
    fn ipv6_entries_use_the_url_standard_serializer() {
        assert_eq!(exact("http://[::ffff:1.2.3.4]"), "http://[::ffff:102:304]");
        assert_eq!(
            exact("http://[::ffff:7f00:1]:3000"),
            "http://[::ffff:7f00:1]:3000"
        );
        assert_eq!(exact("http://[::1.2.3.4]"), "http://[::102:304]");
        assert_eq!(exact("http://[1:0:0:2:0:0:0:3]"), "http://[1:0:0:2::3]");
        assert!(reason("http://[1::2:3:4:5:6:7:8]").contains("malformed IPv6"));
        assert!(reason("http://[::1%25eth0]").contains("malformed IPv6"));
    }

    #[test]
    fn hosts_ending_in_a_dot_are_refused_with_the_reason() {
        for entry in [
            "https://Example.COM.",
            "http://localhost.:3000",
            "http://localhost.:*",
            "https://*.example.com.",
            "https://*.amazonaws.com.",
        ] {
            let got = reason(entry);
            assert!(got.contains("ends in a dot"), "{entry}: {got}");
            assert!(got.contains("leave the dot out"), "{entry}: {got}");
        }
        assert!(reason("https://example.com..").contains("empty label"));
        // The IPv4 parser drops the dot, as browsers do.
        assert_eq!(exact("http://127.0.0.1.:8000"), "http://127.0.0.1:8000");
    }

    #[test]
    fn percent_encoded_and_forbidden_host_code_points_are_refused() {
        assert!(reason("https://ex%41mple.com").contains("percent-encoded"));
        assert!(reason("https://*.ex%41mple.com").contains("percent-encoded"));
        for entry in [
            "https://a<b.com",
            "https://a^b.com",
            "https://a|b.com",
            "https://a\\b.com",
        ] {
            let got = reason(entry);
            assert!(got.contains("forbid"), "{entry}: {got}");
        }
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
