//! The host of an `allow_origins` entry, read as a browser reads it: the WHATWG URL
//! Standard's host parser (<https://url.spec.whatwg.org/#host-parsing>), then written as
//! the host serializer writes it (<https://url.spec.whatwg.org/#host-serializing>).
//!
//! A browser's `Origin` header carries the host after that parsing: `0x7f.1` is sent as
//! `127.0.0.1` and `[::ffff:1.2.3.4]` as `[::ffff:102:304]`. An entry in any other
//! spelling would be accepted and then silently never match, so each entry's host is
//! normalised to the serialization here, as its case is, or refused with the reason when
//! no browser can have it.
//!
//! Every host is parsed as the host of a special URL (http, https, ws, wss): an origin
//! of another scheme is opaque to the URL Standard (`Origin: null`), and browsers that do
//! send one, such as `chrome-extension://`, treat the scheme as standard too.
//!
//! Four deliberate narrowings of the URL Standard, refused with a reason rather than
//! accepted: non-ASCII and percent-encoded hosts (write what browsers send instead), a
//! domain ending in a dot (see [`check_no_trailing_dot`]), empty labels, and labels with
//! characters other than ASCII letters, digits, `-` and `_` or longer than DNS allows.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

use crate::punycode;

/// A parsed host (<https://url.spec.whatwg.org/#concept-host>); `Display` is the host
/// serializer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Host {
    /// An ASCII lower-case domain, without a trailing dot.
    Domain(String),
    Ipv4(Ipv4Addr),
    Ipv6(Ipv6Addr),
}

impl fmt::Display for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Host::Domain(domain) => f.write_str(domain),
            // Dotted decimal, as the IPv4 serializer writes it.
            Host::Ipv4(addr) => write!(f, "{addr}"),
            Host::Ipv6(addr) => write!(f, "[{}]", serialize_ipv6(addr)),
        }
    }
}

/// Parses a non-empty host; the error is the reason, worded to follow the entry.
pub(crate) fn parse(input: &str) -> Result<Host, String> {
    if let Some(rest) = input.strip_prefix('[') {
        let inner = rest
            .strip_suffix(']')
            .ok_or("has an IPv6 address without its closing `]`")?;
        // The standard library's parser accepts what the URL Standard's IPv6 parser
        // (<https://url.spec.whatwg.org/#concept-ipv6-parser>) accepts: one to four hex
        // digits a piece, one `::` standing for at least one zero piece, a dotted IPv4
        // tail of four decimal numbers; no zone.
        return inner
            .parse::<Ipv6Addr>()
            .map(Host::Ipv6)
            .map_err(|_| "has a malformed IPv6 address".into());
    }
    check_code_points(input)?;
    let domain = input.to_ascii_lowercase();
    check_punycode_labels(&domain)?;
    if ends_in_number(&domain) {
        return parse_ipv4(&domain).map(Host::Ipv4).ok_or_else(|| {
            format!("has a malformed IPv4 address: browsers read a host whose last label is a number as an IPv4 address, and `{domain}` is not one")
        });
    }
    check_labels(&domain)?;
    check_no_trailing_dot(&domain)?;
    Ok(Host::Domain(domain))
}

/// Bytes that appear in a browser-serialized domain label. Underscores are not valid in
/// host names but do occur in the wild, and browsers pass them through.
pub(crate) fn is_host_byte(b: u8) -> bool {
    LABEL_BYTES[usize::from(b)]
}

/// [`is_host_byte`], or the `.` between labels: the bytes of a serialized domain.
pub(crate) fn is_domain_byte(b: u8) -> bool {
    DOMAIN_BYTES[usize::from(b)]
}

// Tables rather than comparisons: every request origin that is not listed exactly is
// checked byte by byte.
static LABEL_BYTES: [bool; 256] = byte_table(b"-_");
static DOMAIN_BYTES: [bool; 256] = byte_table(b"-_.");

/// Lower-case letters, digits and `extra`.
pub(crate) const fn byte_table(extra: &[u8]) -> [bool; 256] {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let byte = b as u8;
        table[b] = byte.is_ascii_lowercase() || byte.is_ascii_digit();
        b += 1;
    }
    let mut i = 0;
    while i < extra.len() {
        table[extra[i] as usize] = true;
        i += 1;
    }
    table
}

/// Non-ASCII, percent-encoded and forbidden code points
/// (<https://url.spec.whatwg.org/#forbidden-domain-code-point>).
fn check_code_points(input: &str) -> Result<(), String> {
    if !input.is_ascii() {
        return Err(
            "has a non-ASCII host; write its punycode (xn--) form, which is what browsers send"
                .into(),
        );
    }
    if input.contains('%') {
        return Err("has a percent-encoded host (`%`); browsers decode it before sending the origin, so write the host decoded".into());
    }
    match input.chars().find(|&c| is_forbidden_domain_char(c)) {
        Some(c) => Err(format!(
            "has a malformed host: {c:?} is a code point that URLs forbid in a host"
        )),
        None => Ok(()),
    }
}

/// The URL Standard's forbidden domain code points, `%` aside (reported on its own).
fn is_forbidden_domain_char(c: char) -> bool {
    c.is_ascii_control() || " #/:<>?@[\\]^|".contains(c)
}

/// UTS #46 ToASCII, which "domain to ASCII" runs
/// (<https://url.spec.whatwg.org/#concept-domain-to-ascii>), fails on an `xn--` label
/// that is not Punycode for a non-ASCII label. The decoded label is not validated further
/// (mapping, NFC, bidi): that needs Unicode tables, and is out of scope.
fn check_punycode_labels(domain: &str) -> Result<(), String> {
    for label in domain.split('.') {
        let Some(encoded) = label.strip_prefix("xn--") else {
            continue;
        };
        if !punycode::decode(encoded).is_some_and(|decoded| !decoded.is_ascii()) {
            return Err(format!("has a malformed host: `{label}` is not the punycode of a non-ASCII label (RFC 3492), so browsers refuse it"));
        }
    }
    Ok(())
}

/// Labels as this crate accepts them: non-empty, of DNS lengths, made of host bytes. One
/// trailing dot is left to [`check_no_trailing_dot`], for its own reason.
fn check_labels(domain: &str) -> Result<(), String> {
    let name = domain.strip_suffix('.').unwrap_or(domain);
    if name.len() > 253 {
        return Err("has a host longer than 253 characters".into());
    }
    for label in name.split('.') {
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

/// A domain that ends in a dot is refused. Browsers keep the dot
/// (<https://url.spec.whatwg.org/#concept-domain-to-ascii> does not remove it), so
/// `https://example.com.` is the origin of pages loaded from the fully-qualified name, a
/// different origin from `https://example.com`, and almost always a typo in a policy.
/// Refusing it also keeps `*.` patterns within reach of the public-suffix checks, which
/// know no names with a trailing dot. (An IPv4 address loses the dot in the IPv4 parser,
/// so `127.0.0.1.` is `127.0.0.1`.)
fn check_no_trailing_dot(domain: &str) -> Result<(), String> {
    match domain.strip_suffix('.') {
        Some(name) => Err(format!("has a host that ends in a dot: browsers keep the dot, so this is the origin of pages loaded from the fully-qualified name `{domain}`, not `{name}`; leave the dot out")),
        None => Ok(()),
    }
}

/// The ends-in-a-number checker (<https://url.spec.whatwg.org/#ends-in-a-number-checker>):
/// whether the host parser hands this domain to the IPv4 parser.
fn ends_in_number(domain: &str) -> bool {
    let mut parts = domain.rsplit('.');
    let mut last = parts.next().unwrap_or_default();
    if last.is_empty() {
        match parts.next() {
            Some(part) => last = part,
            None => return false,
        }
    }
    let digits = !last.is_empty() && last.bytes().all(|b| b.is_ascii_digit());
    digits || parse_ipv4_number(last).is_some()
}

/// The IPv4 parser (<https://url.spec.whatwg.org/#concept-ipv4-parser>): one to four
/// numbers, each decimal, octal (leading `0`) or hexadecimal (`0x`); the last fills the
/// remaining bytes, so `127.1` is `127.0.0.1`. A trailing dot is ignored.
fn parse_ipv4(input: &str) -> Option<Ipv4Addr> {
    let input = match input.strip_suffix('.') {
        Some(rest) if !rest.is_empty() => rest,
        _ => input,
    };
    let numbers = input
        .split('.')
        .map(parse_ipv4_number)
        .collect::<Option<Vec<u64>>>()?;
    if numbers.len() > 4 {
        return None;
    }
    // Every number but the last is one byte; the last fills the 5 - len bytes left.
    let (last, init) = numbers.split_last()?;
    if init.iter().any(|&n| n > 255) || *last >= 1u64 << (8 * (5 - numbers.len())) {
        return None;
    }
    let address = init
        .iter()
        .enumerate()
        .fold(*last, |sum, (i, n)| sum + (n << (8 * (3 - i))));
    u32::try_from(address).ok().map(Ipv4Addr::from)
}

/// The IPv4 number parser (<https://url.spec.whatwg.org/#ipv4-number-parser>). Values
/// saturate instead of growing without bound: anything that large is refused by the
/// caller all the same.
fn parse_ipv4_number(input: &str) -> Option<u64> {
    if input.is_empty() {
        return None;
    }
    let (digits, radix) = if let Some(hex) = input
        .strip_prefix("0x")
        .or_else(|| input.strip_prefix("0X"))
    {
        (hex, 16)
    } else if input.len() > 1 && input.starts_with('0') {
        (&input[1..], 8)
    } else {
        (input, 10)
    };
    digits.chars().try_fold(0u64, |n, c| {
        let digit = c.to_digit(radix)?;
        Some(
            n.saturating_mul(u64::from(radix))
                .saturating_add(u64::from(digit)),
        )
    })
}

/// The IPv6 serializer (<https://url.spec.whatwg.org/#concept-ipv6-serializer>): eight
/// lower-case hex pieces, the first longest run of two or more zero pieces written `::`,
/// and never a dotted IPv4 tail (which `Ipv6Addr`'s `Display` writes for `::ffff:0:0/96`).
fn serialize_ipv6(addr: &Ipv6Addr) -> String {
    let pieces = addr.segments();
    let compress = longest_zero_run(&pieces);
    let mut output = String::new();
    let mut index = 0;
    while index < 8 {
        if let Some((start, len)) = compress.filter(|&(start, _)| start == index) {
            output.push_str(if start == 0 { "::" } else { ":" });
            index += len;
            continue;
        }
        output.push_str(&format!("{:x}", pieces[index]));
        if index != 7 {
            output.push(':');
        }
        index += 1;
    }
    output
}

/// The start and length of the first longest run of zero pieces, if it is at least two.
fn longest_zero_run(pieces: &[u16; 8]) -> Option<(usize, usize)> {
    let mut best: Option<(usize, usize)> = None;
    let mut index = 0;
    while index < 8 {
        let len = pieces[index..].iter().take_while(|&&p| p == 0).count();
        if len > 1 && best.map_or(true, |(_, best_len)| len > best_len) {
            best = Some((index, len));
        }
        index += len.max(1);
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(input: &str) -> String {
        match parse(input) {
            Ok(host) => host.to_string(),
            Err(reason) => panic!("{input}: {reason}"),
        }
    }

    fn reason(input: &str) -> String {
        parse(input).expect_err(input)
    }

    #[test]
    fn ipv4_in_any_spelling_is_serialized_dotted_decimal() {
        assert_eq!(host("127.0.0.1"), "127.0.0.1");
        assert_eq!(host("0x7f.0.0.1"), "127.0.0.1");
        assert_eq!(host("0X7F.0.0.1"), "127.0.0.1");
        assert_eq!(host("0177.0.0.1"), "127.0.0.1");
        assert_eq!(host("127.1"), "127.0.0.1");
        assert_eq!(host("127.0.1"), "127.0.0.1");
        assert_eq!(host("2130706433"), "127.0.0.1");
        assert_eq!(host("0x7f000001"), "127.0.0.1");
        assert_eq!(host("127.0.0.1."), "127.0.0.1");
        assert_eq!(host("0x"), "0.0.0.0");
        assert_eq!(host("255.255.255.255"), "255.255.255.255");
        assert_eq!(host("4294967295"), "255.255.255.255");
    }

    #[test]
    fn a_host_ending_in_a_number_must_be_an_ipv4_address() {
        for input in [
            "foo.0x10",
            "foo.bar.255",
            "foo.09",
            "foo.0x",
            "foo.1.",
            "1.2.3.4.5",
            "999.1.1.1",
            "256.0.0.0.",
            "1.2.3.256",
            "1.2.65536",
            "4294967296",
            "09",
            "0x1g.1",
            "1..2",
            "99999999999999999999999",
        ] {
            let got = reason(input);
            assert!(got.contains("malformed IPv4"), "{input}: {got}");
        }
        // A number anywhere but in the last label is an ordinary domain label.
        assert_eq!(host("1.2.3.foo"), "1.2.3.foo");
        assert_eq!(host("0x10.example.com"), "0x10.example.com");
        assert_eq!(host("foo.0x1g"), "foo.0x1g");
    }

    #[test]
    fn ends_in_number_follows_the_standard() {
        assert!(ends_in_number("foo.1"));
        assert!(ends_in_number("foo.1."));
        assert!(ends_in_number("foo.09"));
        assert!(ends_in_number("foo.0x"));
        assert!(ends_in_number("foo.0xff"));
        assert!(!ends_in_number("foo"));
        assert!(!ends_in_number("."));
        assert!(!ends_in_number("foo.1.."));
        assert!(!ends_in_number("foo.0xg"));
        assert!(!ends_in_number("1.foo"));
    }

    #[test]
    fn ipv6_is_serialized_as_the_url_standard_says() {
        assert_eq!(host("[::ffff:1.2.3.4]"), "[::ffff:102:304]");
        assert_eq!(host("[::FFFF:1.2.3.4]"), "[::ffff:102:304]");
        assert_eq!(host("[::1.2.3.4]"), "[::102:304]");
        assert_eq!(host("[0:0:0:0:0:0:0:1]"), "[::1]");
        assert_eq!(host("[::]"), "[::]");
        assert_eq!(host("[1::]"), "[1::]");
        assert_eq!(host("[2001:DB8:0:0:1:0:0:1]"), "[2001:db8::1:0:0:1]");
        assert_eq!(host("[1:0:0:2:0:0:0:3]"), "[1:0:0:2::3]");
        assert_eq!(host("[1:0:2:3:4:5:6:7]"), "[1:0:2:3:4:5:6:7]");
        assert_eq!(host("[0001:02:003:0004::]"), "[1:2:3:4::]");
        assert_eq!(host("[1:2:3:4:5:6:7::]"), "[1:2:3:4:5:6:7:0]");
    }

    #[test]
    fn malformed_ipv6_is_refused() {
        for input in [
            "[]",
            "[:1]",
            "[1:]",
            "[1:::2]",
            "[1::2::3]",
            "[12345::]",
            "[1:2:3:4:5:6:7:8:9]",
            "[1:2:3:4:5:6:7]",
            // `::` stands for at least one zero piece.
            "[1::2:3:4:5:6:7:8]",
            "[::1.2.3]",
            "[::1.2.3.4.5]",
            "[::01.2.3.4]",
            "[::256.1.1.1]",
            "[1:2:3:4:5:6:7:1.2.3.4]",
            "[::1.2.3.4:5]",
            "[::1%eth0]",
            "[::g]",
        ] {
            let got = reason(input);
            assert!(got.contains("malformed IPv6"), "{input}: {got}");
        }
        assert!(reason("[::1").contains("closing"));
    }

    #[test]
    fn punycode_labels_must_decode_to_non_ascii() {
        assert_eq!(host("xn--bcher-kva.example"), "xn--bcher-kva.example");
        assert_eq!(host("XN--BCHER-KVA.example"), "xn--bcher-kva.example");
        for input in ["xn--f", "a.xn--.com", "xn--abc-.com", "xn--a_b"] {
            let got = reason(input);
            assert!(got.contains("not the punycode"), "{input}: {got}");
        }
    }

    #[test]
    fn a_domain_ending_in_a_dot_is_refused() {
        let got = reason("Example.com.");
        assert!(got.contains("ends in a dot"), "{got}");
        assert!(got.contains("`example.com.`, not `example.com`"), "{got}");
        assert!(reason("localhost.").contains("ends in a dot"));
        assert!(reason("example.com..").contains("empty label"));
        assert!(reason(".").contains("empty label"));
        assert!(reason(".example.com").contains("empty label"));
    }

    #[test]
    fn percent_encoded_and_forbidden_code_points_are_refused() {
        assert!(reason("ex%41mple.com").contains("percent-encoded"));
        for input in [
            "a<b.com", "a>b", "a^b", "a|b", "a\\b", "a\tb", "a b", "a\u{7f}b",
        ] {
            let got = reason(input);
            assert!(got.contains("forbid"), "{input:?}: {got}");
            assert!(got.contains("malformed host"), "{input:?}: {got}");
        }
        assert!(reason("a!b.com").contains("not a valid label"));
    }

    #[test]
    fn zero_runs_are_found_first_and_longest() {
        assert_eq!(longest_zero_run(&[1, 0, 0, 2, 0, 0, 0, 3]), Some((4, 3)));
        assert_eq!(longest_zero_run(&[1, 0, 0, 2, 0, 0, 3, 4]), Some((1, 2)));
        assert_eq!(longest_zero_run(&[1, 0, 2, 0, 3, 0, 4, 0]), None);
        assert_eq!(longest_zero_run(&[0; 8]), Some((0, 8)));
    }
}
