//! Refusals are logged at debug level with their reason. Alone in its test binary:
//! tracing caches whether a call site is enabled process-wide, which a thread-local
//! subscriber set while other tests run in parallel can miss.

use cors_harness::log::Log;
use cors_warp::{Cors, Policy};

#[tokio::test]
async fn refusals_are_logged_at_debug_with_the_reason() {
    let log = Log::default();
    let subscriber = log.subscriber();
    let _guard = tracing::subscriber::set_default(subscriber);

    let policy = Policy::from_toml_str(r#"allow_origins = ["https://app.example.com"]"#).unwrap();
    let app = Cors::new(policy).wrap(example_warp::app());
    warp::test::request()
        .method("OPTIONS")
        .path("/api/items")
        .header("origin", "https://app.example.com")
        .header("access-control-request-method", "PATCH")
        .reply(&app)
        .await;
    warp::test::request()
        .path("/api/items")
        .header("origin", "https://evil.example.net")
        .reply(&app)
        .await;

    let text = log.text();
    assert!(text.contains("DEBUG"), "{text}");
    assert!(text.contains("CORS request refused"), "{text}");
    assert!(
        text.contains("method `PATCH` is not in allow_methods"),
        "{text}"
    );
    assert!(
        text.contains("origin `https://evil.example.net` is not in allow_origins"),
        "{text}"
    );
}
