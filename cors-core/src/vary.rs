//! `Vary`: which request headers a response depends on, so that caches keep one copy per
//! value (Fetch, "CORS protocol and HTTP caches").

use crate::response::{CorsHeader, PolicyValue, ResponseHeaders, Value};
use crate::token::trim_ows;

/// The request headers a CORS response can depend on.
pub(crate) const ORIGIN: &str = "origin";
pub(crate) const REQUEST_METHOD: &str = "access-control-request-method";
pub(crate) const REQUEST_HEADERS: &str = "access-control-request-headers";
pub(crate) const REQUEST_PRIVATE_NETWORK: &str = "access-control-request-private-network";

/// The `Vary` tokens of one kind of response, and their joined value, computed when the
/// policy is built.
#[derive(Debug, Clone, Default)]
pub(crate) struct Vary {
    tokens: Vec<&'static str>,
    value: Option<PolicyValue>,
}

impl Vary {
    pub(crate) fn new(tokens: Vec<&'static str>) -> Self {
        let value = (!tokens.is_empty()).then(|| PolicyValue::new(tokens.join(", ")));
        Vary { tokens, value }
    }

    pub(crate) fn tokens(&self) -> &[&'static str] {
        &self.tokens
    }

    /// Adds our tokens to the response's `Vary`, merging with the application's: a
    /// token it already names is not repeated, and `Vary: *` already covers everything.
    pub(crate) fn write_to<'p>(&'p self, headers: &mut impl ResponseHeaders<'p>) {
        let Some(value) = &self.value else {
            return;
        };
        // At most four tokens: a bit set on the stack, so nothing is allocated.
        let mut present = 0u8;
        for line in headers.vary_values() {
            for element in line.split(|&b| b == b',') {
                let element = trim_ows(element);
                if element == b"*" {
                    return;
                }
                for (i, token) in self.tokens.iter().enumerate() {
                    if element.eq_ignore_ascii_case(token.as_bytes()) {
                        present |= 1 << i;
                    }
                }
            }
        }
        if present == 0 {
            headers.append(CorsHeader::Vary, Value::Shared(value));
            return;
        }
        for (i, token) in self.tokens.iter().enumerate() {
            if present & (1 << i) == 0 {
                headers.append(CorsHeader::Vary, Value::Static(token));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::response::HeaderList;

    fn vary_after(existing: &[&str]) -> Vec<String> {
        let mut headers = HeaderList::new(b"");
        for line in existing {
            headers.headers.push(("vary", line.as_bytes().to_vec()));
        }
        Vary::new(vec![ORIGIN, REQUEST_METHOD]).write_to(&mut headers);
        headers
            .get_all("vary")
            .map(|v| String::from_utf8(v.to_vec()).unwrap())
            .collect()
    }

    #[test]
    fn merges_with_the_application_vary() {
        assert_eq!(vary_after(&[]), ["origin, access-control-request-method"]);
        assert_eq!(
            vary_after(&["Accept-Encoding"]),
            ["Accept-Encoding", "origin, access-control-request-method"]
        );
        assert_eq!(
            vary_after(&["accept-encoding, Origin"]),
            ["accept-encoding, Origin", "access-control-request-method"]
        );
        assert_eq!(
            vary_after(&["origin", "ACCESS-CONTROL-REQUEST-METHOD"]),
            ["origin", "ACCESS-CONTROL-REQUEST-METHOD"]
        );
        assert_eq!(vary_after(&["*"]), ["*"]);
    }

    #[test]
    fn nothing_to_vary_writes_nothing() {
        let mut headers = HeaderList::new(b"");
        Vary::new(vec![]).write_to(&mut headers);
        assert!(headers.headers.is_empty());
    }
}
