//! Diagnostics mode through the layer: a preflight refused for its method, from an
//! allowed origin, is answered so that the browser's console can name the method, and
//! the refusal is still logged. Alone in its test binary: tracing
//! caches whether a call site is enabled process-wide.

use std::io::Write;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{Request, Response, StatusCode};
use cors_axum::{CorsLayer, Policy};
use tower::ServiceExt;

const APP: &str = "https://app.example.com";

fn policy(diagnostics: bool) -> Policy {
    let builder = Policy::builder()
        .allow_origins([APP])
        .allow_methods(["GET", "PUT"])
        .allow_headers(["content-type"])
        .max_age(600);
    builder
        .diagnostics(diagnostics)
        .build()
        .expect("a valid policy")
}

async fn preflight(policy: Policy, origin: &str, method: &str) -> Response<Body> {
    let app = example_axum::app().layer(CorsLayer::new(policy));
    let request = Request::builder()
        .method("OPTIONS")
        .uri("/api/items")
        .header("origin", origin)
        .header("access-control-request-method", method)
        .body(Body::empty())
        .expect("a valid request");
    match app.oneshot(request).await {
        Ok(response) => response,
        Err(never) => match never {},
    }
}

fn values(response: &Response<Body>, name: &str) -> Vec<String> {
    let lines = response.headers().get_all(name).iter();
    lines
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .collect()
}

/// A log sink for the test subscriber.
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<u8>>>);

impl Write for Log {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let mut log = self.0.lock().expect("not poisoned");
        log.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn diagnostics_answers_a_refused_method_so_the_browser_can_name_it() {
    let log = Log::default();
    let writer = log.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing_subscriber::filter::LevelFilter::DEBUG)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    // Without diagnostics: a bare 403.
    let refused = preflight(policy(false), APP, "PATCH").await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert!(values(&refused, "access-control-allow-origin").is_empty());

    // With diagnostics: the success status, the origin and the list of methods, which
    // lacks PATCH, so the browser blocks the request and says why. Nothing is cached.
    let explained = preflight(policy(true), APP, "PATCH").await;
    assert_eq!(explained.status(), StatusCode::NO_CONTENT);
    assert_eq!(values(&explained, "access-control-allow-origin"), [APP]);
    assert_eq!(
        values(&explained, "access-control-allow-methods"),
        ["GET, PUT"]
    );
    assert!(values(&explained, "access-control-max-age").is_empty());
    assert!(
        !explained.headers().contains_key("x-request-id"),
        "reached the app"
    );

    // A refused origin gets nothing more in diagnostics mode.
    let evil = preflight(policy(true), "https://evil.example.net", "PUT").await;
    assert_eq!(evil.status(), StatusCode::FORBIDDEN);
    assert!(values(&evil, "access-control-allow-origin").is_empty());

    let text = String::from_utf8(log.0.lock().expect("not poisoned").clone()).expect("UTF-8");
    assert_eq!(
        text.matches("method `PATCH` is not in allow_methods")
            .count(),
        2,
        "the refusal is logged with and without diagnostics:\n{text}"
    );
    assert!(text.contains("CORS request refused"), "{text}");
}
