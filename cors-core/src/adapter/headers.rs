//! A framework's header types, as the core reads and writes them: one small trait per
//! framework, and the request view and the response sink written once over it.

use bytes::Bytes;

use crate::decision::Preflight;
use crate::{CorsHeader, RequestHeader, RequestView, ResponseHeaders, Value};

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

/// The request's first `Origin` line.
pub fn request_origin<F: FrameworkHeaders>(map: &F::Map) -> Option<&F::Value> {
    F::request_lines(map, RequestHeader::Origin).next()
}

/// The headers of a preflight's answer, in a map that `empty` starts (with whatever the
/// framework adds to every answer). An allowed preflight copies the policy's prepared
/// block of its constant headers, made once from `empty` ([`Preflight::prepared_constant`]),
/// and adds the request's own values; a refused one is written in full.
pub fn preflight_headers<F>(
    preflight: &Preflight<'_>,
    request_origin: Option<&F::Value>,
    empty: impl Fn() -> F::Map,
) -> F::Map
where
    F: FrameworkHeaders,
    F::Map: Clone + Send + Sync + 'static,
{
    let block = preflight.prepared_constant(|| {
        let mut map = empty();
        // A slot for the origin, which the variable part always fills: the copy then
        // replaces a value in place instead of growing on every preflight. Empty, so
        // that if it were ever left unfilled it would match no origin (`null` would).
        F::insert(&mut map, CorsHeader::AllowOrigin, F::from_static(""));
        preflight.write_constant(&mut HeaderSink::<F>::new(&mut map, None));
        map
    });
    let mut map = match block {
        Some(block) => block.clone(),
        None => empty(),
    };
    let mut sink = HeaderSink::<F>::new(&mut map, request_origin);
    match block {
        Some(_) => preflight.write_variable(&mut sink),
        None => preflight.write_to(&mut sink),
    }
    map
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
