//! Refusals are logged at debug level with their reason. Alone in its test binary:
//! tracing caches whether a call site is enabled process-wide, which a thread-local
//! subscriber set while other tests run in parallel can miss.

use std::io::Write;
use std::sync::{Arc, Mutex};

use cors_warp::{Cors, Policy};

/// A log sink for the test subscriber.
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<u8>>>);

impl Write for Log {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
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

    let text = String::from_utf8(log.0.lock().unwrap().clone()).unwrap();
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
