//! What the core writes into a response: header names, values, and the small trait an
//! adapter implements over its framework's header map.

use std::any::Any;
use std::fmt;
use std::sync::OnceLock;

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
    /// A value computed when the policy was built, such as the joined
    /// `Access-Control-Allow-Methods` list. Adapters convert it into their header type
    /// once per policy with [`PolicyValue::prepared`].
    Shared(&'a PolicyValue),
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
            Value::Shared(value) => value.as_bytes(),
            Value::RequestOrigin => request_origin,
            Value::Request(bytes) => bytes,
        }
    }
}

/// A header value computed once, when the policy was built (a joined list, a max age, a
/// `Vary` value), with room for an adapter's copy of it in the adapter's own header type.
///
/// Converting text into a framework's header value usually validates it byte by byte;
/// [`PolicyValue::prepared`] does that once per policy instead of once per response.
pub struct PolicyValue {
    bytes: Bytes,
    prepared: OnceLock<Box<dyn Any + Send + Sync>>,
}

impl PolicyValue {
    pub(crate) fn new(text: String) -> Self {
        let bytes = Bytes::from(text);
        // `Bytes` made from a `String` allocates its shared counter on the first clone:
        // clone once here, so that adapters that clone it on a request only count.
        drop(bytes.clone());
        PolicyValue {
            bytes,
            prepared: OnceLock::new(),
        }
    }

    pub(crate) fn from_static(text: &'static str) -> Self {
        PolicyValue {
            bytes: Bytes::from_static(text.as_bytes()),
            prepared: OnceLock::new(),
        }
    }

    /// The value's bytes: visible ASCII, valid as a header value.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The value as text (the core builds every value from validated ASCII text).
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.bytes).unwrap_or_default()
    }

    /// The value as `Bytes`; cloning them is a reference-count increment.
    pub fn bytes(&self) -> &Bytes {
        &self.bytes
    }

    /// The value converted by `prepare` into an adapter's type `T`, converted on the
    /// first call and kept with the policy for every later one. `None` when another
    /// adapter's type already took this value's one slot (a policy shared between two
    /// frameworks in one process): convert it on the spot then.
    ///
    /// ```
    /// use cors_core::Policy;
    /// use cors_core::adapter::{Action, CorsHeader, HeaderList, RequestView, ResponseHeaders, Value};
    ///
    /// /// A sink that keeps policy values as `String`s, converted once per policy.
    /// struct Strings(Vec<String>);
    ///
    /// impl<'v> ResponseHeaders<'v> for Strings {
    ///     fn set(&mut self, _: CorsHeader, value: Value<'v>) {
    ///         let Value::Shared(value) = value else { return };
    ///         let text = match value.prepared(|bytes| String::from_utf8_lossy(bytes).into_owned()) {
    ///             Some(text) => text.clone(),
    ///             None => value.as_str().to_owned(),
    ///         };
    ///         self.0.push(text);
    ///     }
    ///     fn append(&mut self, name: CorsHeader, value: Value<'v>) {
    ///         self.set(name, value)
    ///     }
    ///     fn remove(&mut self, _: CorsHeader) {}
    ///     fn vary_values(&self) -> impl Iterator<Item = &[u8]> {
    ///         std::iter::empty()
    ///     }
    /// }
    ///
    /// let policy = Policy::builder()
    ///     .allow_origins(["https://app.example.com"])
    ///     .expose_headers(["x-request-id"])
    ///     .build()?;
    /// let origin = b"https://app.example.com";
    /// let request = RequestView::new("GET").origin([&origin[..]]);
    /// let Action::Forward(actual) = policy.decide(&request).into_action() else { unreachable!() };
    /// let mut sink = Strings(Vec::new());
    /// actual.write_to(&policy, &mut sink);
    /// assert_eq!(sink.0, ["x-request-id", "origin"]);
    /// # Ok::<(), cors_core::PolicyError>(())
    /// ```
    pub fn prepared<T: Any + Send + Sync>(&self, prepare: impl FnOnce(&Bytes) -> T) -> Option<&T> {
        self.prepared
            .get_or_init(|| Box::new(prepare(&self.bytes)))
            .downcast_ref::<T>()
    }
}

impl PolicyValue {
    /// A copy of the value in the adapter's type `T`: the prepared one cloned (for a
    /// header value, a reference-count increment), or, when another type holds the
    /// slot, `prepare` run on the spot.
    pub fn prepared_clone<T: Any + Send + Sync + Clone>(&self, prepare: impl Fn(&Bytes) -> T) -> T {
        match self.prepared(&prepare) {
            Some(prepared) => prepared.clone(),
            None => prepare(&self.bytes),
        }
    }
}

impl Clone for PolicyValue {
    /// The same bytes, without the prepared copy (which another adapter may want).
    fn clone(&self) -> Self {
        PolicyValue {
            bytes: self.bytes.clone(),
            prepared: OnceLock::new(),
        }
    }
}

impl PartialEq for PolicyValue {
    fn eq(&self, other: &Self) -> bool {
        self.bytes == other.bytes
    }
}

impl Eq for PolicyValue {}

impl fmt::Debug for PolicyValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

/// A response's header map, as the core needs it. Each adapter implements this over
/// its framework's headers, which keeps every rule about *which* headers to write, and
/// how to merge `Vary`, in the core.
///
/// `'v` is how long the values live: the policy's values and the request's bytes that
/// are echoed. An adapter whose response can borrow from the request and the policy
/// (Rocket's `Response<'r>`) implements it for that lifetime and copies nothing.
pub trait ResponseHeaders<'v> {
    /// Sets `name` to `value`, replacing what the application may have set, so that a
    /// response never carries two `Access-Control-Allow-Origin` values.
    fn set(&mut self, name: CorsHeader, value: Value<'v>);
    /// Adds a line `name: value`, keeping existing ones.
    fn append(&mut self, name: CorsHeader, value: Value<'v>);
    /// Removes every line `name` (the application's), if there is one.
    fn remove(&mut self, name: CorsHeader);
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

impl<'v> ResponseHeaders<'v> for HeaderList {
    fn set(&mut self, name: CorsHeader, value: Value<'v>) {
        self.remove(name);
        self.append(name, value);
    }

    fn remove(&mut self, name: CorsHeader) {
        self.headers
            .retain(|(n, _)| !n.eq_ignore_ascii_case(name.as_str()));
    }

    fn append(&mut self, name: CorsHeader, value: Value<'v>) {
        let bytes = value.as_bytes(&self.origin).to_vec();
        self.headers.push((name.as_str(), bytes));
    }

    fn vary_values(&self) -> impl Iterator<Item = &[u8]> {
        self.get_all("vary")
    }
}
