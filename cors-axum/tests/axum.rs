//! What the case table cannot show: how the layer lives inside axum and tower.

use std::convert::Infallible;
use std::future::poll_fn;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::body::Body;
use axum::http::{header, Request, Response, StatusCode};
use axum::routing::get;
use axum::Router;
use cors_axum::{CorsLayer, Policy};
use tower::{Layer, Service, ServiceBuilder, ServiceExt};

use cors_harness::fixture::{policy, APP, EVIL};

fn request(method: &str, uri: &str, headers: &[(&str, &str)]) -> Request<Body> {
    let mut builder = Request::builder().method(method).uri(uri);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder.body(Body::empty()).expect("a valid request")
}

fn from(origin: &str) -> [(&str, &str); 1] {
    [("origin", origin)]
}

fn preflight(origin: &str, method: &str) -> [(&'static str, String); 2] {
    [
        ("origin", origin.to_owned()),
        ("access-control-request-method", method.to_owned()),
    ]
}

async fn send(app: Router, request: Request<Body>) -> Response<Body> {
    match app.oneshot(request).await {
        Ok(response) => response,
        Err(never) => match never {},
    }
}

async fn send_preflight(app: Router, uri: &str, origin: &str, method: &str) -> Response<Body> {
    let headers = preflight(origin, method);
    let headers: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
    send(app, request("OPTIONS", uri, &headers)).await
}

fn values(response: &Response<Body>, name: &str) -> Vec<String> {
    let lines = response.headers().get_all(name).iter();
    lines
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .collect()
}

/// The tokens of every `Vary` line, lower-cased.
fn vary_tokens(response: &Response<Body>) -> Vec<String> {
    let lines = values(response, "vary");
    let tokens = lines.iter().flat_map(|line| line.split(','));
    tokens.map(|t| t.trim().to_ascii_lowercase()).collect()
}

fn assert_cors_allowed(response: &Response<Body>, origin: &str) {
    assert_eq!(
        values(response, "access-control-allow-origin"),
        [origin],
        "{response:?}"
    );
    assert_eq!(
        values(response, "access-control-expose-headers"),
        ["x-request-id"]
    );
    assert_eq!(vary_tokens(response), ["origin"]);
}

fn reached_app(response: &Response<Body>) -> bool {
    response.headers().contains_key("x-request-id")
}

fn example_app() -> Router {
    example_axum::app().layer(CorsLayer::new(policy()))
}

#[tokio::test]
async fn framework_404_and_405_carry_the_headers() {
    let not_found = send(example_app(), request("GET", "/nowhere", &from(APP))).await;
    assert_eq!(not_found.status(), StatusCode::NOT_FOUND);
    assert_cors_allowed(&not_found, APP);

    let not_allowed = send(example_app(), request("PATCH", "/health", &from(APP))).await;
    assert_eq!(not_allowed.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_cors_allowed(&not_allowed, APP);
}

#[tokio::test]
async fn handler_errors_carry_the_headers() {
    async fn fails() -> Result<&'static str, (StatusCode, &'static str)> {
        Err((StatusCode::INTERNAL_SERVER_ERROR, "database down"))
    }
    async fn rejects(axum::Json(_): axum::Json<u32>) -> &'static str {
        "never"
    }
    let app = Router::new()
        .route("/fails", get(fails))
        .route("/json", axum::routing::post(rejects))
        .layer(CorsLayer::new(policy()));

    let error = send(app.clone(), request("GET", "/fails", &from(APP))).await;
    assert_eq!(error.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(values(&error, "access-control-allow-origin"), [APP]);

    // An extractor's rejection (no JSON content type) is also a response of the app.
    let rejected = send(app, request("POST", "/json", &from(APP))).await;
    assert_eq!(rejected.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(values(&rejected, "access-control-allow-origin"), [APP]);
}

#[tokio::test]
async fn nested_routers_get_cors_from_the_outer_layer() {
    let app = Router::new()
        .nest("/v1", example_axum::app())
        .layer(CorsLayer::new(policy()));

    let actual = send(app.clone(), request("GET", "/v1/api/items", &from(APP))).await;
    assert_eq!(actual.status(), StatusCode::OK);
    assert_cors_allowed(&actual, APP);

    let answered = send_preflight(app, "/v1/api/items/7", APP, "PUT").await;
    assert_eq!(answered.status(), StatusCode::NO_CONTENT);
    assert_eq!(values(&answered, "access-control-allow-origin"), [APP]);
    assert!(!reached_app(&answered));
}

#[tokio::test]
async fn a_layer_on_a_nested_router_covers_only_that_router() {
    let api = Router::new()
        .route("/items", get(|| async { "items" }))
        .layer(CorsLayer::new(policy()));
    let app = Router::new()
        .route("/page", get(|| async { "page" }))
        .nest("/api", api);

    let inside = send(app.clone(), request("GET", "/api/items", &from(APP))).await;
    assert_eq!(values(&inside, "access-control-allow-origin"), [APP]);

    let outside = send(app, request("GET", "/page", &from(APP))).await;
    assert!(values(&outside, "access-control-allow-origin").is_empty());
    assert!(values(&outside, "vary").is_empty());
}

#[tokio::test]
async fn app_vary_is_merged_not_overwritten_nor_duplicated() {
    let app = Router::new()
        .route(
            "/encoded",
            get(|| async { ([(header::VARY, "accept-encoding")], "x") }),
        )
        .route(
            "/by-origin",
            get(|| async { ([(header::VARY, "Origin")], "x") }),
        )
        .layer(CorsLayer::new(policy()));

    let encoded = send(app.clone(), request("GET", "/encoded", &from(APP))).await;
    assert_eq!(vary_tokens(&encoded), ["accept-encoding", "origin"]);

    let by_origin = send(app, request("GET", "/by-origin", &from(APP))).await;
    assert_eq!(vary_tokens(&by_origin), ["origin"]);
}

#[tokio::test]
async fn the_layer_owns_the_headers_that_let_a_script_read() {
    const APP_SET: [(&str, &str); 3] = [
        ("access-control-allow-origin", "*"),
        ("access-control-allow-credentials", "true"),
        ("access-control-expose-headers", "x-secret"),
    ];
    let app = Router::new()
        .route("/", get(|| async { (APP_SET, "x") }))
        .layer(CorsLayer::new(policy()));

    // Allowed: the policy's values replace the app's, and the policy has no credentials.
    let allowed = send(app.clone(), request("GET", "/", &from(APP))).await;
    assert_eq!(values(&allowed, "access-control-allow-origin"), [APP]);
    assert_eq!(
        values(&allowed, "access-control-expose-headers"),
        ["x-request-id"]
    );
    assert!(values(&allowed, "access-control-allow-credentials").is_empty());

    // Refused or not CORS: none of the app's values reaches the browser.
    for response in [
        send(app.clone(), request("GET", "/", &from(EVIL))).await,
        send(app, request("GET", "/", &[])).await,
    ] {
        for (name, _) in APP_SET {
            assert!(values(&response, name).is_empty(), "{name} survived");
        }
    }
}

#[tokio::test]
async fn a_plain_options_reaches_the_app() {
    let app = Router::new()
        .route(
            "/",
            get(|| async { "get" }).options(|| async { "the app's OPTIONS" }),
        )
        .layer(CorsLayer::new(policy()));

    let response = send(app, request("OPTIONS", "/", &from(APP))).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body = axum::body::to_bytes(response.into_body(), 1024)
        .await
        .expect("a body");
    assert_eq!(&body[..], b"the app's OPTIONS");
}

#[tokio::test]
async fn route_layer_gives_each_route_its_own_policy() {
    let open = Policy::builder()
        .allow_any_origin()
        .allow_any_method()
        .build()
        .expect("valid");
    let public = Router::new()
        .route("/public", get(|| async { "public" }))
        .route_layer(CorsLayer::new(open));
    let private = Router::new()
        .route("/private", get(|| async { "private" }))
        .route_layer(CorsLayer::new(policy()));
    let app = public.merge(private);

    let public = send(app.clone(), request("GET", "/public", &from(EVIL))).await;
    assert_eq!(values(&public, "access-control-allow-origin"), ["*"]);
    let private = send(app.clone(), request("GET", "/private", &from(EVIL))).await;
    assert!(values(&private, "access-control-allow-origin").is_empty());
    let private = send(app.clone(), request("GET", "/private", &from(APP))).await;
    assert_eq!(values(&private, "access-control-allow-origin"), [APP]);

    let answered = send_preflight(app, "/public", EVIL, "PUT").await;
    assert_eq!(answered.status(), StatusCode::NO_CONTENT);
    assert_eq!(values(&answered, "access-control-allow-origin"), ["*"]);
}

#[tokio::test]
async fn a_refused_actual_request_still_reaches_the_handler() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counted = calls.clone();
    let app = Router::new()
        .route(
            "/",
            get(move || async move {
                counted.fetch_add(1, Ordering::SeqCst);
                "done"
            }),
        )
        .layer(CorsLayer::new(policy()));

    let response = send(app, request("GET", "/", &from(EVIL))).await;
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert_eq!(response.status(), StatusCode::OK);
    assert!(values(&response, "access-control-allow-origin").is_empty());
    assert!(values(&response, "access-control-expose-headers").is_empty());
    assert_eq!(vary_tokens(&response), ["origin"]);
}

#[tokio::test]
async fn preflights_never_reach_the_app_allowed_or_refused() {
    let allowed = send_preflight(example_app(), "/api/items", APP, "PUT").await;
    assert_eq!(allowed.status(), StatusCode::NO_CONTENT);
    assert_eq!(values(&allowed, "content-length"), ["0"]);
    assert!(!reached_app(&allowed));

    let refused = send_preflight(example_app(), "/api/items", EVIL, "PUT").await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert!(values(&refused, "access-control-allow-origin").is_empty());
    assert!(!reached_app(&refused));
}

#[tokio::test]
async fn any_tower_service_and_body_type_via_service_builder() {
    let service = ServiceBuilder::new()
        .layer(CorsLayer::new(Arc::new(policy())))
        .service_fn(|request: Request<String>| async move {
            Ok::<_, Infallible>(Response::new(format!("echo {}", request.into_body())))
        });

    let mut actual = Request::new("hi".to_owned());
    actual
        .headers_mut()
        .insert("origin", APP.parse().expect("valid"));
    let response = service.clone().oneshot(actual).await.expect("infallible");
    assert_eq!(values_of(&response, "access-control-allow-origin"), [APP]);
    assert_eq!(response.body(), "echo hi");

    let mut asked = Request::new("ignored".to_owned());
    *asked.method_mut() = axum::http::Method::OPTIONS;
    asked
        .headers_mut()
        .insert("origin", APP.parse().expect("valid"));
    asked.headers_mut().insert(
        "access-control-request-method",
        "PUT".parse().expect("valid"),
    );
    let answered = service.oneshot(asked).await.expect("infallible");
    assert_eq!(answered.status(), StatusCode::NO_CONTENT);
    assert_eq!(answered.body(), "");
}

fn values_of<B>(response: &Response<B>, name: &str) -> Vec<String> {
    let lines = response.headers().get_all(name).iter();
    lines
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .collect()
}

/// A service that is never ready, to see that readiness is the inner service's.
#[derive(Clone)]
struct NeverReady;

impl Service<Request<Body>> for NeverReady {
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = std::future::Ready<Result<Response<Body>, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Pending
    }

    fn call(&mut self, _: Request<Body>) -> Self::Future {
        std::future::ready(Ok(Response::new(Body::empty())))
    }
}

#[tokio::test]
async fn poll_ready_is_the_inner_services() {
    let mut service = CorsLayer::new(policy()).layer(NeverReady);
    poll_fn(|cx| {
        assert!(Service::<Request<Body>>::poll_ready(&mut service, cx).is_pending());
        Poll::Ready(())
    })
    .await;
}
