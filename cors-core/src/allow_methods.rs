//! The compiled `allow_methods` and the check of `Access-Control-Request-Method`.

use crate::response::PolicyValue;
use crate::token::is_token;

/// Methods that never need to be listed: a browser does not preflight them for their
/// method's sake, and its CORS-preflight fetch accepts them whatever
/// `Access-Control-Allow-Methods` says (Fetch, "CORS-safelisted method").
const SAFELISTED: [&str; 3] = ["GET", "HEAD", "POST"];

/// Methods that `fetch()` refuses to send (Fetch, "forbidden method").
const FORBIDDEN: [&str; 3] = ["CONNECT", "TRACE", "TRACK"];

/// Methods that `fetch()` upper-cases whatever the script wrote (Fetch, "normalize").
/// Others, such as `patch`, are sent exactly as written.
const NORMALIZED: [&str; 6] = ["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"];

/// The policy's default: the CORS-safelisted methods.
pub(crate) const DEFAULT: [&str; 3] = SAFELISTED;

#[derive(Debug, Clone)]
pub(crate) enum AllowMethods {
    /// A list, compared byte for byte, and its joined header value (`None` when empty).
    List {
        methods: Vec<Box<str>>,
        value: Option<PolicyValue>,
    },
    /// `*`: a wildcard without credentials, the requested method echoed with them.
    Any,
}

/// Whether browsers never send `method` cross-origin (Fetch, "forbidden method").
pub(crate) fn is_forbidden(method: &str) -> bool {
    FORBIDDEN.iter().any(|m| m.eq_ignore_ascii_case(method))
}

/// Validates one entry's syntax and returns it in the form a browser sends.
pub(crate) fn parse_entry(entry: &str) -> Result<String, String> {
    if !is_token(entry.as_bytes()) {
        return Err("is not a valid method name (an HTTP token)".into());
    }
    match NORMALIZED.iter().find(|m| m.eq_ignore_ascii_case(entry)) {
        Some(normalized) => Ok((*normalized).to_owned()),
        None => Ok(entry.to_owned()),
    }
}

impl AllowMethods {
    pub(crate) fn list(mut methods: Vec<String>) -> Self {
        let mut seen = Vec::with_capacity(methods.len());
        methods.retain(|m| {
            let new = !seen.contains(m);
            seen.push(m.clone());
            new
        });
        let value = (!methods.is_empty()).then(|| PolicyValue::new(methods.join(", ")));
        AllowMethods::List {
            methods: methods.into_iter().map(String::into_boxed_str).collect(),
            value,
        }
    }

    /// Whether a preflight for `method` may succeed. Case-sensitive, as in the browser's
    /// own check of `Access-Control-Allow-Methods` (Fetch, CORS-preflight fetch step 7.6).
    pub(crate) fn allows(&self, method: &[u8]) -> bool {
        match self {
            AllowMethods::Any => true,
            AllowMethods::List { methods, .. } => {
                SAFELISTED.iter().any(|m| m.as_bytes() == method)
                    || methods.iter().any(|m| m.as_bytes() == method)
            }
        }
    }

    pub(crate) fn is_any(&self) -> bool {
        matches!(self, AllowMethods::Any)
    }

    /// If `method` differs from a listed one only by case, that listed one: the most
    /// common reason a `PATCH` preflight fails is a script that wrote `patch`.
    pub(crate) fn case_variant(&self, method: &[u8]) -> Option<&str> {
        match self {
            AllowMethods::Any => None,
            AllowMethods::List { methods, .. } => methods
                .iter()
                .map(|m| &**m)
                .find(|m| m.as_bytes().eq_ignore_ascii_case(method)),
        }
    }

    pub(crate) fn names(&self) -> Vec<&str> {
        match self {
            AllowMethods::Any => vec!["*"],
            AllowMethods::List { methods, .. } => methods.iter().map(|m| &**m).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_methods_are_upper_cased_and_others_kept() {
        assert_eq!(parse_entry("put").unwrap(), "PUT");
        assert_eq!(parse_entry("Delete").unwrap(), "DELETE");
        assert_eq!(parse_entry("patch").unwrap(), "patch");
        assert_eq!(parse_entry("PATCH").unwrap(), "PATCH");
        assert!(is_forbidden("trace") && is_forbidden("CONNECT"));
        assert!(!is_forbidden("PATCH"));
        assert!(parse_entry("GET POST").unwrap_err().contains("token"));
        assert!(parse_entry("").is_err());
    }

    #[test]
    fn comparison_is_case_sensitive_and_safelisted_methods_always_pass() {
        let methods = AllowMethods::list(vec!["PUT".into(), "PATCH".into(), "PUT".into()]);
        assert!(methods.allows(b"PUT"));
        assert!(methods.allows(b"PATCH"));
        assert!(!methods.allows(b"patch"));
        assert!(methods.allows(b"GET"));
        assert!(methods.allows(b"POST"));
        assert!(!methods.allows(b"DELETE"));
        assert_eq!(methods.case_variant(b"patch"), Some("PATCH"));
        let AllowMethods::List { value, .. } = &methods else {
            unreachable!()
        };
        assert_eq!(
            value.as_ref().map(PolicyValue::as_bytes),
            Some(&b"PUT, PATCH"[..])
        );
    }
}
