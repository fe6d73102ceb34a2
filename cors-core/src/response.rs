//! What the core writes into a response: header names, values, and the small trait an
//! adapter implements over its framework's header map.

use bytes::Bytes;

/// A response header that the core emits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CorsHeader {
    /// `access-control-allow-origin`
    AllowOrigin,
    /// `access-control-allow-credentials`
    AllowCredentials,
    /// `access-control-allow-methods`
    AllowMethods,
    /// `access-control-allow-headers`
    AllowHeaders,
    /// `access-control-expose-headers`
    ExposeHeaders,
    /// `access-control-max-age`
    MaxAge,
    /// `access-control-allow-private-network`
    AllowPrivateNetwork,
    /// `vary`
    Vary,
}

impl CorsHeader {
    /// The lower-case header name.
    pub const fn as_str(self) -> &'static str {
        match self {
            CorsHeader::AllowOrigin => "access-control-allow-origin",
            CorsHeader::AllowCredentials => "access-control-allow-credentials",
            CorsHeader::AllowMethods => "access-control-allow-methods",
            CorsHeader::AllowHeaders => "access-control-allow-headers",
            CorsHeader::ExposeHeaders => "access-control-expose-headers",
            CorsHeader::MaxAge => "access-control-max-age",
            CorsHeader::AllowPrivateNetwork => "access-control-allow-private-network",
            CorsHeader::Vary => "vary",
        }
    }
}

/// A header value. Every variant is valid header-value text: policy values were
/// validated when the policy was built, and request values are echoed only after they
/// were checked to be tokens or a matched origin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Value<'a> {
    /// A constant, such as `*` or `true`.
    Static(&'static str),
    /// A value computed when the policy was built. Cloning the `Bytes` is a
    /// reference-count increment, so adapters can turn it into their header type
    /// without copying (`http::HeaderValue::from_maybe_shared`).
    Shared(&'a Bytes),
    /// The request's own `Origin` value, echoed. Adapters that kept the request's header
    /// value can reuse it instead of copying.
    RequestOrigin,
    /// Bytes of the request echoed back (a requested method or header list).
    Request(&'a [u8]),
}

impl<'a> Value<'a> {
    /// The bytes of the value, given the request's `Origin` value.
    pub fn as_bytes(&self, request_origin: &'a [u8]) -> &'a [u8] {
        match *self {
            Value::Static(s) => s.as_bytes(),
            Value::Shared(b) => b,
            Value::RequestOrigin => request_origin,
            Value::Request(bytes) => bytes,
        }
    }
}

/// A response's header map, as the core needs it. Each adapter implements this over
/// its framework's headers, which keeps every rule about *which* headers to write, and
/// how to merge `Vary`, in the core.
pub trait ResponseHeaders {
    /// Sets `name` to `value`, replacing what the application may have set, so that a
    /// response never carries two `Access-Control-Allow-Origin` values.
    fn set(&mut self, name: CorsHeader, value: Value<'_>);
    /// Adds a line `name: value`, keeping existing ones.
    fn append(&mut self, name: CorsHeader, value: Value<'_>);
    /// The values of the `Vary` lines already in the response.
    fn vary_values(&self) -> impl Iterator<Item = &[u8]>;
}

/// A header list for tests and simple adapters: `(name, value)` pairs in order, with the
/// request's origin resolved.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct HeaderList {
    origin: Vec<u8>,
    /// The headers, lower-case names, in the order written.
    pub headers: Vec<(&'static str, Vec<u8>)>,
}

impl HeaderList {
    /// An empty list for a request with this `Origin` value (empty if none).
    pub fn new(request_origin: &[u8]) -> Self {
        HeaderList {
            origin: request_origin.to_vec(),
            headers: Vec::new(),
        }
    }

    /// The values of `name`, in order.
    pub fn get_all<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s [u8]> + 's {
        self.headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_slice())
    }
}

impl ResponseHeaders for HeaderList {
    fn set(&mut self, name: CorsHeader, value: Value<'_>) {
        self.headers.retain(|(n, _)| *n != name.as_str());
        self.append(name, value);
    }

    fn append(&mut self, name: CorsHeader, value: Value<'_>) {
        let bytes = value.as_bytes(&self.origin).to_vec();
        self.headers.push((name.as_str(), bytes));
    }

    fn vary_values(&self) -> impl Iterator<Item = &[u8]> {
        self.get_all("vary")
    }
}
