//! The policy and origins that the adapters' own framework tests share (the shared
//! tests of [`adapter_tests!`](crate::adapter_tests) bring their own).

use cors_core::Policy;

/// The origin the fixture policy allows.
pub const APP: &str = "https://app.example.com";
/// An origin it refuses.
pub const EVIL: &str = "https://evil.example.net";

/// One listed origin, four methods, `content-type`, and `x-request-id` exposed.
pub fn policy() -> Policy {
    Policy::from_toml_str(
        r#"
        allow_origins = ["https://app.example.com"]
        allow_methods = ["GET", "POST", "PUT", "DELETE"]
        allow_headers = ["content-type"]
        expose_headers = ["x-request-id"]
        "#,
    )
    .expect("the fixture policy is valid")
}
