//! Refusals are logged at debug level with their reason. Alone in its test binary, with
//! a global subscriber: Rocket's test runtime polls requests on a worker thread.

use std::io::Write;
use std::sync::{Arc, Mutex};

use cors_rocket::{Cors, Policy};
use rocket::config::LogLevel;
use rocket::http::Header;
use rocket::local::asynchronous::Client;

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

#[rocket::async_test]
async fn refusals_are_logged_at_debug_with_the_reason() {
    let log = Log::default();
    let writer = log.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing_subscriber::filter::LevelFilter::DEBUG)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    tracing::subscriber::set_global_default(subscriber).unwrap();

    let policy = Policy::from_toml_str(r#"allow_origins = ["https://app.example.com"]"#).unwrap();
    let config = rocket::Config {
        log_level: LogLevel::Off,
        ..rocket::Config::debug_default()
    };
    let rocket = example_rocket::app(rocket::custom(config)).attach(Cors::new(policy));
    let client = Client::tracked(rocket).await.unwrap();
    client
        .options("/api/items")
        .header(Header::new("origin", "https://app.example.com"))
        .header(Header::new("access-control-request-method", "PATCH"))
        .dispatch()
        .await;
    client
        .get("/api/items")
        .header(Header::new("origin", "https://evil.example.net"))
        .dispatch()
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
