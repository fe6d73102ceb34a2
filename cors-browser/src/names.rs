//! The response headers of the CORS protocol that a browser reads
//! (<https://fetch.spec.whatwg.org/#http-responses>), as lower-case names.

pub(crate) const ALLOW_ORIGIN: &str = "access-control-allow-origin";
pub(crate) const ALLOW_CREDENTIALS: &str = "access-control-allow-credentials";
pub(crate) const ALLOW_METHODS: &str = "access-control-allow-methods";
pub(crate) const ALLOW_HEADERS: &str = "access-control-allow-headers";
pub(crate) const EXPOSE_HEADERS: &str = "access-control-expose-headers";
/// Private Network Access (<https://wicg.github.io/private-network-access/#headers>).
pub(crate) const ALLOW_PRIVATE_NETWORK: &str = "access-control-allow-private-network";
