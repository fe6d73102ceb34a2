//! Refusals are logged at debug level with their reason. Alone in its test binary, with
//! a global subscriber: Rocket's test runtime polls requests on a worker thread.

use cors_harness::log::Log;
use cors_rocket::{Cors, Policy};
use rocket::config::LogLevel;
use rocket::http::Header;
use rocket::local::asynchronous::Client;

#[rocket::async_test]
async fn refusals_are_logged_at_debug_with_the_reason() {
    let log = Log::default();
    let subscriber = log.subscriber();
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
