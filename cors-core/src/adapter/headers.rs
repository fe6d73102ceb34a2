//! A framework's header types, as the core reads and writes them: one small trait per
//! framework, and everything else (the request view, the response sink, the preflight
//! answer) written once over it.

use bytes::Bytes;

use crate::adapter::CorsRequest;
use crate::{CorsHeader, Preflight, RequestHeader, RequestView, ResponseHeaders, Value};

/// What an adapter implements, on a type of its own (usually an empty enum, since the
/// map and value types are the framework's), to translate its framework's header map:
/// a dozen one-line functions, no rule.
///
/// `cors-http` implements it for the `http` 1 types of axum and warp, `cors-actix` for
/// actix-web's.
pub trait FrameworkHeaders {
    /// The framework's header map.
    type Map;
    /// The framework's header value. Cloning it should be cheap (a reference count):
    /// the request's `Origin` is cloned when the response echoes it, and each policy
    /// value is converted once per policy, then cloned.
    type Value: Clone + Send + Sync + 'static;

    /// Every line of a request header, in order.
    fn request_lines(map: &Self::Map, name: RequestHeader) -> impl Iterator<Item = &Self::Value>;
    /// Every line of a response header, in order.
    fn response_lines(map: &Self::Map, name: CorsHeader) -> impl Iterator<Item = &Self::Value>;
    /// Replaces every line of `name` by `value`.
    fn insert(map: &mut Self::Map, name: CorsHeader, value: Self::Value);
    /// Adds a line `name: value`.
    fn append(map: &mut Self::Map, name: CorsHeader, value: Self::Value);
    /// Removes every line of `name`.
    fn remove(map: &mut Self::Map, name: CorsHeader);

    /// The bytes of a value.
    fn as_bytes(value: &Self::Value) -> &[u8];
    /// A constant value (`*`, `true`).
    fn from_static(text: &'static str) -> Self::Value;
    /// A value from bytes the core checked (an echoed method or header list); `None`
    /// only if the framework disagrees, and the header is then left out.
    fn from_bytes(bytes: &[u8]) -> Option<Self::Value>;
    /// A value from a policy's shared bytes, made once per policy.
    fn from_shared(bytes: &Bytes) -> Option<Self::Value>;
}

/// The core's view of a request, borrowing every line of the headers it reads (only
/// `Origin` unless the request may be a preflight).
pub fn request_view<'r, F: FrameworkHeaders>(method: &'r str, map: &'r F::Map) -> RequestView<'r> {
    RequestView::from_headers(method, |name| F::request_lines(map, name).map(F::as_bytes))
}

/// What the adapter sequence needs of a request: its method, its path (for the log) and
/// its headers.
pub fn cors_request<'r, F: FrameworkHeaders>(
    method: &'r str,
    path: &'r str,
    map: &'r F::Map,
) -> CorsRequest<'r, F::Value> {
    CorsRequest {
        method,
        path,
        origin: request_origin::<F>(map),
        view: request_view::<F>(method, map),
    }
}

/// The request's first `Origin` line.
pub fn request_origin<F: FrameworkHeaders>(map: &F::Map) -> Option<&F::Value> {
    F::request_lines(map, RequestHeader::Origin).next()
}

/// The answer to a preflight: its status and headers, for an empty body.
#[derive(Debug, Clone)]
pub struct PreflightAnswer<M> {
    /// 204 (or the policy's success status) when allowed, 403 when refused.
    pub status: u16,
    /// The CORS headers and `Vary`.
    pub headers: M,
}

impl<M> PreflightAnswer<M> {
    /// Writes `preflight` into `headers` (an empty map, sized by the adapter for what its
    /// framework adds); `origin` is the request's.
    pub fn new<F>(preflight: &Preflight<'_>, origin: Option<&F::Value>, mut headers: M) -> Self
    where
        F: FrameworkHeaders<Map = M>,
    {
        preflight.write_to(&mut HeaderSink::<F>::new(&mut headers, origin));
        PreflightAnswer {
            status: preflight.status(),
            headers,
        }
    }
}

/// The core's [`ResponseHeaders`] over a framework's header map.
pub struct HeaderSink<'a, F: FrameworkHeaders> {
    map: &'a mut F::Map,
    /// The request's `Origin`, for [`Value::RequestOrigin`].
    origin: Option<&'a F::Value>,
}

impl<'a, F: FrameworkHeaders> HeaderSink<'a, F> {
    /// Writes into `map`; `request_origin` is the request's `Origin` value, cloned when
    /// the policy echoes it.
    pub fn new(map: &'a mut F::Map, request_origin: Option<&'a F::Value>) -> Self {
        HeaderSink {
            map,
            origin: request_origin,
        }
    }

    /// Values are valid by the core's construction; a conversion failure (which would be
    /// a core bug) drops the header rather than panicking on a request.
    fn value(&self, value: Value<'_>) -> Option<F::Value> {
        match value {
            Value::Static(text) => Some(F::from_static(text)),
            Value::Shared(value) => value.prepared_clone(F::from_shared),
            Value::RequestOrigin => self.origin.cloned(),
            Value::Request(bytes) => F::from_bytes(bytes),
        }
    }
}

impl<'v, F: FrameworkHeaders> ResponseHeaders<'v> for HeaderSink<'_, F> {
    fn set(&mut self, name: CorsHeader, value: Value<'v>) {
        if let Some(value) = self.value(value) {
            F::insert(self.map, name, value);
        }
    }

    fn append(&mut self, name: CorsHeader, value: Value<'v>) {
        if let Some(value) = self.value(value) {
            F::append(self.map, name, value);
        }
    }

    fn remove(&mut self, name: CorsHeader) {
        F::remove(self.map, name);
    }

    fn vary_values(&self) -> impl Iterator<Item = &[u8]> {
        F::response_lines(self.map, CorsHeader::Vary).map(F::as_bytes)
    }
}

/// Implements [`FrameworkHeaders`] on the empty enum `$name` for the header types of an
/// `http` crate, given the path of its `header` module: `http` 1 for axum and warp (in
/// `cors-http`), `http` 0.2 as re-exported by actix-web (in `cors-actix`). The two
/// versions' header maps have the same methods but are different types, so the one
/// translation is written here once and expanded in each adapter.
///
/// ```
/// cors_core::http_framework_headers!(
///     /// `http` 1's header types.
///     pub enum Http1 in http::header
/// );
/// # fn main() {}
/// ```
#[macro_export]
macro_rules! http_framework_headers {
    ($(#[$meta:meta])* $vis:vis enum $name:ident in $($header:ident)::+) => {
        $(#[$meta])*
        #[derive(Debug)]
        $vis enum $name {}

        impl $name {
            /// The framework's name of one of the core's response headers.
            fn header_name(name: $crate::adapter::CorsHeader) -> $($header)::+::HeaderName {
                use $crate::adapter::CorsHeader;
                use $($header)::+ as header;
                match name {
                    CorsHeader::AllowOrigin => header::ACCESS_CONTROL_ALLOW_ORIGIN,
                    CorsHeader::AllowCredentials => header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
                    CorsHeader::AllowMethods => header::ACCESS_CONTROL_ALLOW_METHODS,
                    CorsHeader::AllowHeaders => header::ACCESS_CONTROL_ALLOW_HEADERS,
                    CorsHeader::ExposeHeaders => header::ACCESS_CONTROL_EXPOSE_HEADERS,
                    CorsHeader::MaxAge => header::ACCESS_CONTROL_MAX_AGE,
                    // Not among the crate's constants (the Private Network Access draft);
                    // a constant all the same, checked at compile time.
                    CorsHeader::AllowPrivateNetwork => {
                        const NAME: header::HeaderName =
                            header::HeaderName::from_static("access-control-allow-private-network");
                        NAME
                    }
                    CorsHeader::Vary => header::VARY,
                }
            }
        }

        impl $crate::adapter::FrameworkHeaders for $name {
            type Map = $($header)::+::HeaderMap;
            type Value = $($header)::+::HeaderValue;

            fn request_lines(
                map: &Self::Map,
                name: $crate::adapter::RequestHeader,
            ) -> impl Iterator<Item = &Self::Value> {
                use $crate::adapter::RequestHeader;
                use $($header)::+ as header;
                const REQUEST_PRIVATE_NETWORK: header::HeaderName =
                    header::HeaderName::from_static("access-control-request-private-network");
                let name = match name {
                    RequestHeader::Origin => header::ORIGIN,
                    RequestHeader::RequestMethod => header::ACCESS_CONTROL_REQUEST_METHOD,
                    RequestHeader::RequestHeaders => header::ACCESS_CONTROL_REQUEST_HEADERS,
                    RequestHeader::RequestPrivateNetwork => REQUEST_PRIVATE_NETWORK,
                };
                map.get_all(name).into_iter()
            }

            fn response_lines(
                map: &Self::Map,
                name: $crate::adapter::CorsHeader,
            ) -> impl Iterator<Item = &Self::Value> {
                map.get_all(Self::header_name(name)).into_iter()
            }

            fn insert(map: &mut Self::Map, name: $crate::adapter::CorsHeader, value: Self::Value) {
                map.insert(Self::header_name(name), value);
            }

            fn append(map: &mut Self::Map, name: $crate::adapter::CorsHeader, value: Self::Value) {
                map.append(Self::header_name(name), value);
            }

            fn remove(map: &mut Self::Map, name: $crate::adapter::CorsHeader) {
                map.remove(Self::header_name(name));
            }

            fn as_bytes(value: &Self::Value) -> &[u8] {
                value.as_bytes()
            }

            fn from_static(text: &'static str) -> Self::Value {
                <Self::Value>::from_static(text)
            }

            fn from_bytes(bytes: &[u8]) -> Option<Self::Value> {
                <Self::Value>::from_bytes(bytes).ok()
            }

            fn from_shared(bytes: &$crate::adapter::Bytes) -> Option<Self::Value> {
                <Self::Value>::from_maybe_shared(bytes.clone()).ok()
            }
        }
    };
}
