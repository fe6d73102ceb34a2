//! Why a browser refuses a response to the script: each variant is one failed step of
//! the CORS check (<https://fetch.spec.whatwg.org/#concept-cors-check>) or of the
//! CORS-preflight fetch (<https://fetch.spec.whatwg.org/#cors-preflight-fetch>), which
//! the browser reports to the script as a network error.

use std::fmt;

use super::names::{
    ALLOW_CREDENTIALS, ALLOW_HEADERS, ALLOW_METHODS, ALLOW_ORIGIN, ALLOW_PRIVATE_NETWORK,
};

/// Why a browser refuses the response to the script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BrowserError {
    /// The preflight's status is not an ok status (200 to 299,
    /// <https://fetch.spec.whatwg.org/#ok-status>).
    NotOkStatus(u16),
    /// No `Access-Control-Allow-Origin`.
    MissingAllowOrigin,
    /// `Access-Control-Allow-Origin` on several lines; browsers combine them and the
    /// combination never matches.
    SeveralAllowOrigins(String),
    /// `Access-Control-Allow-Origin: *` for a request with credentials.
    WildcardOriginWithCredentials,
    /// `Access-Control-Allow-Origin` differs from the request's origin.
    OriginMismatch {
        /// The request's origin.
        origin: String,
        /// The header's value.
        allowed: String,
    },
    /// A request with credentials, and no `Access-Control-Allow-Credentials`.
    MissingAllowCredentials,
    /// `Access-Control-Allow-Credentials` is not exactly `true`.
    AllowCredentialsNotTrue(String),
    /// `Access-Control-Allow-Methods` or `-Allow-Headers` is not a list of tokens.
    Unparseable {
        /// The header.
        header: &'static str,
        /// Its (combined) value.
        value: String,
    },
    /// The method is neither safelisted nor allowed.
    MethodNotAllowed {
        /// The requested method.
        method: String,
        /// `Access-Control-Allow-Methods`, if any.
        allowed: Option<String>,
    },
    /// A header name the script set is not allowed.
    HeaderNotAllowed {
        /// The header name.
        name: String,
        /// `Access-Control-Allow-Headers`, if any.
        allowed: Option<String>,
    },
    /// The preflight asked for private network access and the response does not say
    /// `Access-Control-Allow-Private-Network: true`.
    PrivateNetworkNotAllowed,
}

impl fmt::Display for BrowserError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotOkStatus(s) => write!(f, "the preflight's status {s} is not in 200-299"),
            Self::MissingAllowOrigin => write!(f, "{ALLOW_ORIGIN} is missing"),
            Self::SeveralAllowOrigins(v) => {
                write!(f, "{ALLOW_ORIGIN} is sent several times (`{v}`)")
            }
            Self::WildcardOriginWithCredentials => write!(
                f,
                "{ALLOW_ORIGIN} is `*`, which does not allow a request with credentials"
            ),
            Self::OriginMismatch { origin, allowed } => write!(
                f,
                "{ALLOW_ORIGIN} is `{allowed}`, not the request's origin `{origin}`"
            ),
            Self::MissingAllowCredentials => write!(
                f,
                "{ALLOW_CREDENTIALS} is missing, and the request has credentials"
            ),
            Self::AllowCredentialsNotTrue(v) => {
                write!(f, "{ALLOW_CREDENTIALS} is `{v}`, not `true`")
            }
            Self::Unparseable { header, value } => {
                write!(f, "{header} is not a list of tokens: `{value}`")
            }
            Self::MethodNotAllowed { method, allowed } => {
                let allowed = or_absent(allowed);
                write!(f, "method {method} is not in {ALLOW_METHODS} ({allowed})")
            }
            Self::HeaderNotAllowed { name, allowed } => header_not_allowed(f, name, allowed),
            Self::PrivateNetworkNotAllowed => write!(f, "{ALLOW_PRIVATE_NETWORK} is not `true`"),
        }
    }
}

impl std::error::Error for BrowserError {}

fn or_absent(value: &Option<String>) -> &str {
    value.as_deref().unwrap_or("absent")
}

/// Names the header, with a hint for `authorization`, which `*` never covers
/// (<https://fetch.spec.whatwg.org/#cors-non-wildcard-request-header-name>).
fn header_not_allowed(
    f: &mut fmt::Formatter<'_>,
    name: &str,
    allowed: &Option<String>,
) -> fmt::Result {
    let hint = if name.eq_ignore_ascii_case("authorization") {
        "; `*` never covers authorization"
    } else {
        ""
    };
    let allowed = or_absent(allowed);
    write!(
        f,
        "header {name} is not in {ALLOW_HEADERS} ({allowed}){hint}"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_the_header() {
        let e = BrowserError::HeaderNotAllowed {
            name: "x-a".into(),
            allowed: Some("*".into()),
        };
        assert_eq!(
            e.to_string(),
            "header x-a is not in access-control-allow-headers (*)"
        );
        let e = BrowserError::HeaderNotAllowed {
            name: "authorization".into(),
            allowed: Some("*".into()),
        };
        assert!(
            e.to_string().ends_with("`*` never covers authorization"),
            "{e}"
        );
        assert_eq!(
            BrowserError::MissingAllowOrigin.to_string(),
            "access-control-allow-origin is missing"
        );
    }
}
