//! Refusals are logged with their reason. Alone in its test binary: tracing caches
//! whether a call site is enabled process-wide, which a thread-local subscriber set
//! while other tests run in parallel can miss.

use std::io::Write;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::Request;
use cors_axum::{CorsLayer, Policy};
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

/// A log sink for the test subscriber.
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<u8>>>);

impl Write for Log {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .expect("not poisoned")
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn refusals_are_logged_at_debug_with_the_reason() {
    let log = Log::default();
    let writer = log.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing_subscriber::filter::LevelFilter::DEBUG)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let app = "https://app.example.com";
    send(request(
        "OPTIONS",
        &[("origin", app), ("access-control-request-method", "PATCH")],
    ))
    .await;
    send(request("GET", &[("origin", "https://evil.example.net")])).await;

    let text = String::from_utf8(log.0.lock().expect("not poisoned").clone()).expect("UTF-8");
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
