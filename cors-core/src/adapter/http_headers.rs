//! [`FrameworkHeaders`](crate::adapter::FrameworkHeaders) for the header types of an
//! `http` crate, written once and expanded in each adapter that needs it.

/// Implements [`FrameworkHeaders`](crate::adapter::FrameworkHeaders) on a new empty enum
/// `$name` for the header types found at `$header`: the `header` module of `http` 1 (in
/// `cors-http`, for axum and warp), or actix-web's `http::header`, whose map is
/// actix-http's own and whose names and values are those of `http` 0.2. Any crate whose
/// header module has those methods fits (`http` 0.2.7 and later, for the constant
/// `HeaderName::from_static`).
///
/// ```
/// cors_core::adapter::http_framework_headers!(
///     /// `http` 1's header types.
///     pub enum Http1 in ::http::header
/// );
/// # fn main() {}
/// ```
#[macro_export]
macro_rules! http_framework_headers {
    ($(#[$meta:meta])* $vis:vis enum $name:ident in $header:path) => {
        $(#[$meta])*
        #[derive(::core::fmt::Debug)]
        $vis enum $name {}

        const _: () = {
            use $header as header;
            use $crate::adapter::{Bytes, CorsHeader, FrameworkHeaders, RequestHeader};
            use ::core::iter::Iterator;
            use ::core::option::Option;

            /// Not among the crates' constants (the Private Network Access draft);
            /// constants all the same, checked at compile time.
            const REQUEST_PRIVATE_NETWORK: header::HeaderName =
                header::HeaderName::from_static("access-control-request-private-network");
            const ALLOW_PRIVATE_NETWORK: header::HeaderName =
                header::HeaderName::from_static("access-control-allow-private-network");

            fn response_name(name: CorsHeader) -> header::HeaderName {
                match name {
                    CorsHeader::AllowOrigin => header::ACCESS_CONTROL_ALLOW_ORIGIN,
                    CorsHeader::AllowCredentials => header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
                    CorsHeader::AllowMethods => header::ACCESS_CONTROL_ALLOW_METHODS,
                    CorsHeader::AllowHeaders => header::ACCESS_CONTROL_ALLOW_HEADERS,
                    CorsHeader::ExposeHeaders => header::ACCESS_CONTROL_EXPOSE_HEADERS,
                    CorsHeader::MaxAge => header::ACCESS_CONTROL_MAX_AGE,
                    CorsHeader::AllowPrivateNetwork => ALLOW_PRIVATE_NETWORK,
                    CorsHeader::Vary => header::VARY,
                }
            }

            impl FrameworkHeaders for $name {
                type Map = header::HeaderMap;
                type Value = header::HeaderValue;

                fn request_lines(
                    map: &Self::Map,
                    name: RequestHeader,
                ) -> impl Iterator<Item = &Self::Value> {
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
                    name: CorsHeader,
                ) -> impl Iterator<Item = &Self::Value> {
                    map.get_all(response_name(name)).into_iter()
                }

                fn insert(map: &mut Self::Map, name: CorsHeader, value: Self::Value) {
                    map.insert(response_name(name), value);
                }

                fn append(map: &mut Self::Map, name: CorsHeader, value: Self::Value) {
                    map.append(response_name(name), value);
                }

                fn remove(map: &mut Self::Map, name: CorsHeader) {
                    // Nearly always absent (only an application that sets CORS headers
                    // itself has one): a lookup costs less than a removal that finds
                    // nothing (actix builds the removed values' iterator regardless).
                    let name = response_name(name);
                    if map.contains_key(&name) {
                        map.remove(name);
                    }
                }

                fn as_bytes(value: &Self::Value) -> &[u8] {
                    value.as_bytes()
                }

                fn from_static(text: &'static str) -> Self::Value {
                    header::HeaderValue::from_static(text)
                }

                fn from_bytes(bytes: &[u8]) -> Option<Self::Value> {
                    header::HeaderValue::from_bytes(bytes).ok()
                }

                fn from_shared(bytes: &Bytes) -> Option<Self::Value> {
                    header::HeaderValue::from_maybe_shared(bytes.clone()).ok()
                }
            }
        };
    };
}
