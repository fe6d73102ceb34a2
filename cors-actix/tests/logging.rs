//! Refusals are logged with their reason. Alone in its test binary: tracing caches
//! whether a call site is enabled process-wide, which a thread-local subscriber set
//! while other tests run in parallel can miss.

use actix_web::http::Method;
use actix_web::test::{self, TestRequest};
use actix_web::App;
use cors_actix::{Cors, Policy};
use cors_harness::log::Log;

#[actix_web::test]
async fn refusals_are_logged_at_debug_with_the_reason() {
    let log = Log::default();
    let subscriber = log.subscriber();
    let _guard = tracing::subscriber::set_default(subscriber);

    let policy =
        Policy::from_toml_str(r#"allow_origins = ["https://app.example.com"]"#).expect("valid");
    let app = test::init_service(
        App::new()
            .wrap(Cors::new(policy))
            .configure(example_actix::routes),
    )
    .await;
    let preflight = TestRequest::default()
        .method(Method::OPTIONS)
        .uri("/api/items")
        .insert_header(("origin", "https://app.example.com"))
        .insert_header(("access-control-request-method", "PATCH"));
    test::call_service(&app, preflight.to_request()).await;
    let refused = TestRequest::get()
        .uri("/")
        .insert_header(("origin", "https://evil.example.net"));
    test::call_service(&app, refused.to_request()).await;

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
