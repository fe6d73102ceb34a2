//! The HTTP syntax the browser's checks read headers with, also used by the conformance
//! table's loader and comparison: tokens, optional whitespace, and a header's value over
//! several lines.
//!
//! Header lists are `(name, value)` lines as received; names compare
//! case-insensitively.

/// RFC 9110 `token`, the syntax of method and header names
/// (<https://www.rfc-editor.org/rfc/rfc9110#section-5.6.2>).
pub fn is_token(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(is_tchar)
}

fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// Whether `b` is an HTTP tab or space
/// (<https://fetch.spec.whatwg.org/#http-tab-or-space>), the optional whitespace around
/// header values and list elements.
fn is_ows(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// `value` without its leading and trailing tabs and spaces.
pub fn trim_ows(value: &[u8]) -> &[u8] {
    let start = value
        .iter()
        .position(|&b| !is_ows(b))
        .unwrap_or(value.len());
    let end = value
        .iter()
        .rposition(|&b| !is_ows(b))
        .map_or(start, |i| i + 1);
    &value[start..end]
}

/// The lines of `header` joined with `, `, in order, as the Fetch Standard's "get" does
/// (<https://fetch.spec.whatwg.org/#concept-header-list-get>). `None` when absent.
pub fn joined(headers: &[(String, Vec<u8>)], header: &str) -> Option<Vec<u8>> {
    let mut lines = headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case(header));
    let (_, first) = lines.next()?;
    let mut value = first.clone();
    for (_, line) in lines {
        value.extend_from_slice(b", ");
        value.extend_from_slice(line);
    }
    Some(value)
}

/// [`joined`] as the browser reads it: surrounding whitespace trimmed (browsers strip it
/// when parsing), decoded as UTF-8. A value that is not UTF-8 is kept lossily: it can
/// never equal what the browser compares it with.
pub fn get(headers: &[(String, Vec<u8>)], name: &str) -> Option<String> {
    let value = joined(headers, name)?;
    Some(String::from_utf8_lossy(trim_ows(&value)).into_owned())
}

/// The elements of a comma-separated list (`#element`), each trimmed of tabs and
/// spaces, empty ones dropped: RFC 9110 lets a list have empty elements
/// (<https://www.rfc-editor.org/rfc/rfc9110#section-5.6.1>).
pub fn list_elements(value: &str) -> impl Iterator<Item = &str> {
    value
        .split(',')
        .map(|e| e.trim_matches([' ', '\t']))
        .filter(|e| !e.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(pairs: &[(&str, &str)]) -> Vec<(String, Vec<u8>)> {
        pairs
            .iter()
            .map(|(n, v)| (n.to_string(), v.as_bytes().to_vec()))
            .collect()
    }

    #[test]
    fn tokens_exclude_separators_and_whitespace() {
        assert!(is_token("x-api-key") && is_token("PATCH") && is_token("*"));
        for not_a_token in ["", "a b", "a,b", "a:b", "é", "a\tb"] {
            assert!(!is_token(not_a_token), "{not_a_token:?}");
        }
    }

    #[test]
    fn trim_ows_strips_spaces_and_tabs_only() {
        assert_eq!(trim_ows(b" \ta b\t "), b"a b");
        assert_eq!(trim_ows(b"  "), b"");
        assert_eq!(trim_ows(b""), b"");
        assert_eq!(trim_ows(b"\r\na\n"), b"\r\na\n");
    }

    #[test]
    fn lines_are_joined_in_order_whatever_the_case_of_the_name() {
        let headers = lines(&[("Vary", "origin"), ("x", "1"), ("vary", "accept")]);
        assert_eq!(joined(&headers, "vary").unwrap(), b"origin, accept");
        assert_eq!(joined(&headers, "absent"), None);
        let padded = lines(&[("a", " v\t")]);
        assert_eq!(get(&padded, "A").as_deref(), Some("v"));
    }

    #[test]
    fn list_elements_are_trimmed_and_empty_ones_dropped() {
        let elements: Vec<&str> = list_elements(" a ,,\tb,").collect();
        assert_eq!(elements, ["a", "b"]);
        assert_eq!(list_elements("").count(), 0);
    }
}
