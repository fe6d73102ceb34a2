//! Why a request was refused, in words that say what to change in the policy.

use std::fmt;

use crate::allow_headers::{
    MAX_EMPTY_ELEMENTS, MAX_REQUEST_HEADERS_LEN, MAX_REQUEST_HEADER_LINES, MAX_REQUEST_HEADER_NAMES,
};

/// The reason a CORS request was refused. It borrows from the request and the policy,
/// so building one costs nothing; adapters log it at debug level.
///
/// ```
/// use cors_core::Policy;
/// use cors_core::adapter::RequestView;
///
/// let policy = Policy::builder().allow_origins(["https://app.example.com"]).build().unwrap();
/// let request = RequestView::new("GET").origin([&b"https://evil.example"[..]]);
/// let refusal = policy.decide(&request).refusal().unwrap().to_string();
/// assert_eq!(
///     refusal,
///     "origin `https://evil.example` is not in allow_origins"
/// );
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Refusal<'a> {
    /// The request has more than one `Origin` header, which no browser sends.
    SeveralOrigins,
    /// The origin is not allowed by the policy.
    OriginNotAllowed {
        /// The `Origin` value, as received.
        origin: &'a [u8],
    },
    /// The policy has an asynchronous origin lookup, but the synchronous
    /// [`Policy::decide`](crate::Policy::decide) was called.
    LookupNotAwaited,
    /// `Access-Control-Request-Method` is empty or not a method name.
    MalformedRequestMethod {
        /// The value, as received.
        method: &'a [u8],
    },
    /// The preflight has more than one `Access-Control-Request-Method` header.
    SeveralRequestMethods,
    /// The requested method is not in `allow_methods`.
    MethodNotAllowed {
        /// The requested method.
        method: &'a [u8],
        /// A listed method that differs only by case: methods are case-sensitive.
        listed_as: Option<&'a str>,
    },
    /// A requested header is not in `allow_headers`.
    HeaderNotAllowed {
        /// The header name, as received.
        name: &'a [u8],
        /// Whether `allow_headers` is `*` (which never covers `authorization`).
        wildcard: bool,
    },
    /// An element of `Access-Control-Request-Headers` is not a header name.
    MalformedRequestHeaders {
        /// The element, as received.
        element: &'a [u8],
    },
    /// `Access-Control-Request-Headers` has too many empty elements.
    TooManyEmptyElements,
    /// `Access-Control-Request-Headers` names too many headers.
    TooManyRequestHeaders,
    /// `Access-Control-Request-Headers` comes on too many lines.
    TooManyRequestHeaderLines {
        /// How many lines the request had.
        lines: usize,
    },
    /// `Access-Control-Request-Headers` is longer than the limit.
    RequestHeadersTooLong {
        /// Its length in bytes, all lines together.
        len: usize,
    },
    /// The preflight asks for private network access, which the policy does not allow.
    PrivateNetworkNotAllowed,
}

/// How many bytes of a request value a message quotes.
const QUOTE_LIMIT: usize = 120;

/// Shows untrusted bytes safely: escaped, and cut short.
pub(crate) struct Quoted<'a>(pub(crate) &'a [u8]);

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = &self.0[..self.0.len().min(QUOTE_LIMIT)];
        write!(f, "{}", shown.escape_ascii())?;
        if self.0.len() > QUOTE_LIMIT {
            write!(f, "... ({} bytes)", self.0.len())?;
        }
        Ok(())
    }
}

impl fmt::Display for Refusal<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Refusal::SeveralOrigins => f.write_str("the request has several Origin headers, which no browser sends"),
            Refusal::OriginNotAllowed { origin } => {
                write!(f, "origin `{}` is not in allow_origins", Quoted(origin))
            }
            Refusal::LookupNotAwaited => f.write_str(
                "the policy has an asynchronous origin lookup but the adapter called decide() instead of decide_async()",
            ),
            Refusal::MalformedRequestMethod { method } => write!(
                f,
                "Access-Control-Request-Method `{}` is not a method name",
                Quoted(method)
            ),
            Refusal::SeveralRequestMethods => {
                f.write_str("the preflight has several Access-Control-Request-Method headers")
            }
            Refusal::MethodNotAllowed { method, listed_as } => {
                write!(f, "method `{}` is not in allow_methods", Quoted(method))?;
                if let Some(listed) = listed_as {
                    write!(f, " (it lists `{listed}`: methods are case-sensitive, so the script must send `{listed}`)")?;
                }
                Ok(())
            }
            Refusal::HeaderNotAllowed { name, wildcard: true } => write!(
                f,
                "header `{}` is not covered by `*` in allow_headers; list it explicitly",
                Quoted(name)
            ),
            Refusal::HeaderNotAllowed { name, wildcard: false } => {
                write!(f, "header `{}` is not in allow_headers", Quoted(name))
            }
            Refusal::MalformedRequestHeaders { element } => write!(
                f,
                "Access-Control-Request-Headers has `{}`, which is not a header name",
                Quoted(element)
            ),
            Refusal::TooManyEmptyElements => write!(
                f,
                "Access-Control-Request-Headers has more than {MAX_EMPTY_ELEMENTS} empty elements"
            ),
            Refusal::TooManyRequestHeaders => write!(
                f,
                "Access-Control-Request-Headers names more than {MAX_REQUEST_HEADER_NAMES} headers"
            ),
            Refusal::TooManyRequestHeaderLines { lines } => write!(
                f,
                "Access-Control-Request-Headers comes on {lines} lines, more than {MAX_REQUEST_HEADER_LINES}"
            ),
            Refusal::RequestHeadersTooLong { len } => write!(
                f,
                "Access-Control-Request-Headers is {len} bytes long, more than {MAX_REQUEST_HEADERS_LEN}"
            ),
            Refusal::PrivateNetworkNotAllowed => f.write_str(
                "the preflight asks for private network access; set allow_private_network = true to allow it",
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_say_what_to_change() {
        let method = Refusal::MethodNotAllowed {
            method: b"patch",
            listed_as: Some("PATCH"),
        };
        assert_eq!(
            method.to_string(),
            "method `patch` is not in allow_methods (it lists `PATCH`: methods are case-sensitive, so the script must send `PATCH`)"
        );
        let header = Refusal::HeaderNotAllowed {
            name: b"x-api-key",
            wildcard: false,
        };
        assert_eq!(
            header.to_string(),
            "header `x-api-key` is not in allow_headers"
        );
        let star = Refusal::HeaderNotAllowed {
            name: b"authorization",
            wildcard: true,
        };
        assert!(star.to_string().contains("not covered by `*`"));
    }

    #[test]
    fn untrusted_bytes_are_escaped_and_cut() {
        let origin = Refusal::OriginNotAllowed {
            origin: b"https://a\r\nSet-Cookie: x\xff",
        };
        assert_eq!(
            origin.to_string(),
            "origin `https://a\\r\\nSet-Cookie: x\\xff` is not in allow_origins"
        );
        let long = vec![b'a'; 1000];
        let shown = Refusal::OriginNotAllowed { origin: &long }.to_string();
        assert!(shown.contains("... (1000 bytes)"), "{shown}");
        assert!(shown.len() < 200);
    }
}
