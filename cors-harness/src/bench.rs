//! The policy of every benchmark: the criterion benchmarks of the four adapters and
//! `cargo xtask bench` give it to ours and, written by hand in each middleware's own
//! terms, to the peer, so that every ratio compares the same work. It is the example
//! policy without its origin patterns, which no peer can express.

/// The origin of every benchmark request, the one the policy allows.
pub const ORIGIN: &str = "https://app.example.com";

/// The policy, as a policy file (TOML).
pub const POLICY: &str = r#"allow_origins = ["https://app.example.com"]
allow_methods = ["GET", "POST", "PUT", "DELETE"]
allow_headers = ["content-type", "authorization"]
expose_headers = ["x-request-id"]
allow_credentials = false
max_age = 600
allow_private_network = false
"#;

/// The simple `GET /` of the benchmarks, from the allowed origin, as an `http` request
/// (axum, warp).
pub fn simple_get<B: Default>() -> http::Request<B> {
    let mut request = http::Request::new(B::default());
    *request.uri_mut() = http::Uri::from_static("/");
    request
        .headers_mut()
        .insert("origin", http::HeaderValue::from_static(ORIGIN));
    request
}

/// The benchmarks' preflight: `PUT /api/items` with `content-type`, from the allowed
/// origin, as an `http` request.
pub fn preflight<B: Default>() -> http::Request<B> {
    let mut request = http::Request::new(B::default());
    *request.method_mut() = http::Method::OPTIONS;
    *request.uri_mut() = http::Uri::from_static("/api/items");
    let headers = request.headers_mut();
    headers.insert("origin", http::HeaderValue::from_static(ORIGIN));
    let method = http::HeaderValue::from_static("PUT");
    headers.insert("access-control-request-method", method);
    let names = http::HeaderValue::from_static("content-type");
    headers.insert("access-control-request-headers", names);
    request
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_policy_builds_and_allows_its_origin() {
        let policy = cors_core::Policy::from_toml_str(super::POLICY).expect("valid");
        let request =
            cors_core::adapter::RequestView::new("GET").origin([super::ORIGIN.as_bytes()]);
        assert!(policy.decide(&request).refusal().is_none());
    }
}
