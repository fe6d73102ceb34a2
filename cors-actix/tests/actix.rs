//! What the case table cannot show: how the middleware lives inside actix-web.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform};
use actix_web::http::header::{self, HeaderMap};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::from_fn;
use actix_web::test::{self, TestRequest};
use actix_web::{error, web, App, HttpResponse};
use cors_actix::{Cors, Policy};

use cors_harness::fixture::{policy, APP, EVIL};

fn open_policy() -> Policy {
    let builder = Policy::builder().allow_any_origin().allow_any_method();
    builder.build().expect("a valid policy")
}

fn get(uri: &str, origin: &str) -> TestRequest {
    TestRequest::get()
        .uri(uri)
        .insert_header(("origin", origin))
}

fn preflight(uri: &str, origin: &str, method: &str) -> TestRequest {
    TestRequest::default()
        .method(Method::OPTIONS)
        .uri(uri)
        .insert_header(("origin", origin))
        .insert_header(("access-control-request-method", method))
}

fn values(headers: &HeaderMap, name: &str) -> Vec<String> {
    let lines = headers.get_all(name);
    lines
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .collect()
}

/// The tokens of every `Vary` line, lower-cased.
fn vary_tokens(headers: &HeaderMap) -> Vec<String> {
    let lines = values(headers, "vary");
    let tokens = lines.iter().flat_map(|line| line.split(','));
    tokens.map(|t| t.trim().to_ascii_lowercase()).collect()
}

fn assert_cors_allowed(headers: &HeaderMap, origin: &str) {
    assert_eq!(
        values(headers, "access-control-allow-origin"),
        [origin],
        "{headers:?}"
    );
    assert_eq!(
        values(headers, "access-control-expose-headers"),
        ["x-request-id"]
    );
    assert_eq!(vary_tokens(headers), ["origin"]);
}

fn reached_app<B>(response: &ServiceResponse<B>) -> bool {
    response.headers().contains_key("x-request-id")
}

/// The example app with the middleware, as `examples/actix` serves it.
macro_rules! example_app {
    ($policy:expr) => {
        test::init_service(
            App::new()
                .wrap(from_fn(example_actix::request_id))
                .wrap(Cors::new($policy))
                .configure(example_actix::routes),
        )
        .await
    };
}

#[actix_web::test]
async fn actix_404_and_405_carry_the_headers() {
    let app = example_app!(policy());

    let not_found = test::call_service(&app, get("/nowhere", APP).to_request()).await;
    assert_eq!(not_found.status(), StatusCode::NOT_FOUND);
    assert_cors_allowed(not_found.headers(), APP);

    let patch = get("/health", APP).method(Method::PATCH);
    let not_allowed = test::call_service(&app, patch.to_request()).await;
    assert_eq!(not_allowed.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_cors_allowed(not_allowed.headers(), APP);
}

#[actix_web::test]
async fn handler_errors_carry_the_headers() {
    let fails = || async { Err::<HttpResponse, _>(error::ErrorInternalServerError("db down")) };
    let app = test::init_service(
        App::new()
            .wrap(Cors::new(policy()))
            .route("/fails", web::get().to(fails))
            .route(
                "/json",
                web::post().to(|_: web::Json<u32>| async { "never" }),
            ),
    )
    .await;

    let failed = test::call_service(&app, get("/fails", APP).to_request()).await;
    assert_eq!(failed.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        values(failed.headers(), "access-control-allow-origin"),
        [APP]
    );

    // An extractor's error (no JSON body) is also turned into a response by actix.
    let post = get("/json", APP).method(Method::POST);
    let rejected = test::call_service(&app, post.to_request()).await;
    assert_eq!(rejected.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        values(rejected.headers(), "access-control-allow-origin"),
        [APP]
    );
}

#[actix_web::test]
async fn an_err_from_inner_middleware_gets_the_headers_on_its_response() {
    let app = test::init_service(
        App::new()
            .wrap_fn(|_, _| async { Err::<ServiceResponse, _>(error::ErrorImATeapot("no tea")) })
            .wrap(Cors::new(policy()))
            .route("/", web::get().to(HttpResponse::Ok)),
    )
    .await;

    let error = match test::try_call_service(&app, get("/", APP).to_request()).await {
        Ok(response) => panic!(
            "expected the middleware's error, got {:?}",
            response.status()
        ),
        Err(error) => error,
    };
    // What actix's server (or an outer middleware) does with an `Err`.
    let response = error.error_response();
    assert_eq!(response.status(), StatusCode::IM_A_TEAPOT);
    assert_eq!(
        values(response.headers(), "access-control-allow-origin"),
        [APP]
    );
    assert_eq!(vary_tokens(response.headers()), ["origin"]);
    // The mapper may run more than once: the headers are not doubled.
    let again = error.error_response();
    assert_eq!(
        values(again.headers(), "access-control-allow-origin"),
        [APP]
    );
    assert_eq!(vary_tokens(again.headers()), ["origin"]);
}

#[actix_web::test]
async fn a_scope_with_its_own_middleware_covers_only_that_scope() {
    let app = test::init_service(
        App::new()
            .service(
                web::scope("/api")
                    .wrap(Cors::new(policy()))
                    .service(web::scope("/v1").route("/items", web::get().to(HttpResponse::Ok))),
            )
            .route("/page", web::get().to(HttpResponse::Ok)),
    )
    .await;

    let nested = test::call_service(&app, get("/api/v1/items", APP).to_request()).await;
    assert_eq!(
        values(nested.headers(), "access-control-allow-origin"),
        [APP]
    );

    let missing = test::call_service(&app, get("/api/v1/nothing", APP).to_request()).await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        values(missing.headers(), "access-control-allow-origin"),
        [APP]
    );

    let asked = preflight("/api/v1/items", APP, "PUT").to_request();
    let answered = test::call_service(&app, asked).await;
    assert_eq!(answered.status(), StatusCode::NO_CONTENT);

    let outside = test::call_service(&app, get("/page", APP).to_request()).await;
    assert!(values(outside.headers(), "access-control-allow-origin").is_empty());
    assert!(values(outside.headers(), "vary").is_empty());
}

#[actix_web::test]
async fn resources_and_scopes_can_have_their_own_policy() {
    let app = test::init_service(
        App::new()
            .service(
                web::resource("/public")
                    .wrap(Cors::new(open_policy()))
                    .route(web::get().to(HttpResponse::Ok)),
            )
            .service(
                web::scope("/private")
                    .wrap(Cors::new(policy()))
                    .route("", web::get().to(HttpResponse::Ok)),
            ),
    )
    .await;

    let public = test::call_service(&app, get("/public", EVIL).to_request()).await;
    assert_eq!(
        values(public.headers(), "access-control-allow-origin"),
        ["*"]
    );
    let answered = test::call_service(&app, preflight("/public", EVIL, "PUT").to_request()).await;
    assert_eq!(answered.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        values(answered.headers(), "access-control-allow-origin"),
        ["*"]
    );

    let private = test::call_service(&app, get("/private", EVIL).to_request()).await;
    assert!(values(private.headers(), "access-control-allow-origin").is_empty());
    let private = test::call_service(&app, get("/private", APP).to_request()).await;
    assert_eq!(
        values(private.headers(), "access-control-allow-origin"),
        [APP]
    );
}

#[actix_web::test]
async fn app_vary_is_merged_not_overwritten_nor_duplicated() {
    let with_vary = |value: &'static str| {
        move || async move {
            HttpResponse::Ok()
                .insert_header((header::VARY, value))
                .finish()
        }
    };
    let app = test::init_service(
        App::new()
            .wrap(Cors::new(policy()))
            .route("/encoded", web::get().to(with_vary("accept-encoding")))
            .route("/by-origin", web::get().to(with_vary("Origin"))),
    )
    .await;

    let encoded = test::call_service(&app, get("/encoded", APP).to_request()).await;
    assert_eq!(
        vary_tokens(encoded.headers()),
        ["accept-encoding", "origin"]
    );

    let by_origin = test::call_service(&app, get("/by-origin", APP).to_request()).await;
    assert_eq!(vary_tokens(by_origin.headers()), ["origin"]);
}

#[actix_web::test]
async fn the_middleware_owns_the_headers_that_let_a_script_read() {
    const APP_SET: [(&str, &str); 3] = [
        ("access-control-allow-origin", "*"),
        ("access-control-allow-credentials", "true"),
        ("access-control-expose-headers", "x-secret"),
    ];
    let sets_cors_headers = || async {
        let mut response = HttpResponse::Ok();
        for header in APP_SET {
            response.insert_header(header);
        }
        response.finish()
    };
    let app = test::init_service(
        App::new()
            .wrap(Cors::new(policy()))
            .route("/", web::get().to(sets_cors_headers)),
    )
    .await;

    // Allowed: the policy's values replace the app's, and the policy has no credentials.
    let allowed = test::call_service(&app, get("/", APP).to_request()).await;
    let allowed = allowed.headers();
    assert_eq!(values(allowed, "access-control-allow-origin"), [APP]);
    assert_eq!(
        values(allowed, "access-control-expose-headers"),
        ["x-request-id"]
    );
    assert!(values(allowed, "access-control-allow-credentials").is_empty());

    // Refused or not CORS: none of the app's values reaches the browser.
    let refused = test::call_service(&app, get("/", EVIL).to_request()).await;
    let not_cors = test::call_service(&app, TestRequest::get().uri("/").to_request()).await;
    for response in [refused, not_cors] {
        for (name, _) in APP_SET {
            assert!(
                values(response.headers(), name).is_empty(),
                "{name} survived"
            );
        }
    }
}

#[actix_web::test]
async fn a_plain_options_reaches_the_app() {
    let app = test::init_service(
        App::new().wrap(Cors::new(policy())).service(
            web::resource("/")
                .route(web::get().to(HttpResponse::Ok))
                .route(web::method(Method::OPTIONS).to(|| async { "the app's OPTIONS" })),
        ),
    )
    .await;

    let options = get("/", APP).method(Method::OPTIONS).to_request();
    let body = test::call_and_read_body(&app, options).await;
    assert_eq!(&body[..], b"the app's OPTIONS");
}

#[actix_web::test]
async fn a_refused_actual_request_still_reaches_the_handler() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counted = calls.clone();
    let handler = move || {
        counted.fetch_add(1, Ordering::SeqCst);
        async { HttpResponse::Ok().finish() }
    };
    let app = test::init_service(
        App::new()
            .wrap(Cors::new(policy()))
            .route("/", web::get().to(handler)),
    )
    .await;

    let response = test::call_service(&app, get("/", EVIL).to_request()).await;
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert_eq!(response.status(), StatusCode::OK);
    assert!(values(response.headers(), "access-control-allow-origin").is_empty());
    assert!(values(response.headers(), "access-control-expose-headers").is_empty());
    assert_eq!(vary_tokens(response.headers()), ["origin"]);
}

#[actix_web::test]
async fn preflights_never_reach_the_app_allowed_or_refused() {
    let app = example_app!(policy());

    let allowed = test::call_service(&app, preflight("/api/items", APP, "PUT").to_request()).await;
    assert_eq!(allowed.status(), StatusCode::NO_CONTENT);
    assert!(!reached_app(&allowed));

    let refused = test::call_service(&app, preflight("/api/items", EVIL, "PUT").to_request()).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert!(values(refused.headers(), "access-control-allow-origin").is_empty());
    assert!(!reached_app(&refused));
}

/// A service that is never ready, to see that readiness is the inner service's.
struct NeverReady;

impl Service<ServiceRequest> for NeverReady {
    type Response = ServiceResponse;
    type Error = actix_web::Error;
    type Future = std::future::Ready<Result<ServiceResponse, actix_web::Error>>;

    fn poll_ready(&self, _: &mut Context<'_>) -> Poll<Result<(), actix_web::Error>> {
        Poll::Pending
    }

    fn call(&self, request: ServiceRequest) -> Self::Future {
        std::future::ready(Ok(request.into_response(HttpResponse::Ok())))
    }
}

#[actix_web::test]
async fn readiness_is_the_inner_services() {
    let middleware = match Cors::new(policy()).new_transform(NeverReady).await {
        Ok(middleware) => middleware,
        Err(()) => panic!("the transform never fails"),
    };
    std::future::poll_fn(|cx| {
        assert!(middleware.poll_ready(cx).is_pending());
        Poll::Ready(())
    })
    .await;
}
