//! Refusals are logged with their reason. Alone in its test binary: tracing caches
//! whether a call site is enabled process-wide, which a thread-local subscriber set
//! while other tests run in parallel can miss.

use axum::body::Body;
use axum::http::Request;
use cors_axum::{CorsLayer, Policy};
use cors_harness::log::Log;
use tower::ServiceExt;

async fn send(request: Request<Body>) {
    let policy =
        Policy::from_toml_str(r#"allow_origins = ["https://app.example.com"]"#).expect("valid");
    let app = example_axum::app().layer(CorsLayer::new(policy));
    let _ = app.oneshot(request).await;
}

fn request(method: &str, headers: &[(&str, &str)]) -> Request<Body> {
    let mut builder = Request::builder().method(method).uri("/api/items");
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder.body(Body::empty()).expect("a valid request")
}

#[tokio::test]
async fn refusals_are_logged_at_debug_with_the_reason() {
    let log = Log::default();
    let subscriber = log.subscriber();
    let _guard = tracing::subscriber::set_default(subscriber);

    let app = "https://app.example.com";
    send(request(
        "OPTIONS",
        &[("origin", app), ("access-control-request-method", "PATCH")],
    ))
    .await;
    send(request("GET", &[("origin", "https://evil.example.net")])).await;

    let text = log.text();
    assert!(text.contains("DEBUG"), "{text}");
    assert!(
        text.contains("method `PATCH` is not in allow_methods"),
        "{text}"
    );
    assert!(
        text.contains("origin `https://evil.example.net` is not in allow_origins"),
        "{text}"
    );
    assert!(text.contains("CORS request refused"), "{text}");
}
