//! warp-specific behaviour of the wrapper: preflights never reach the routes, every
//! reply (rejections included) carries the CORS headers, and the app's own headers are
//! merged, not clobbered.

use std::convert::Infallible;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use cors_warp::{Cors, Policy};
use warp::http::{Response as HttpResponse, StatusCode};
use warp::hyper::body::Bytes;
use warp::reply::Response;
use warp::{Filter, Rejection, Reply};

use cors_harness::fixture::{policy, APP as ORIGIN};

fn cors() -> Cors {
    Cors::new(policy())
}

/// Counts the requests that reached the routes.
#[derive(Clone, Default)]
struct Hits(Arc<AtomicUsize>);

impl Hits {
    fn count(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }

    /// A filter that counts every request entering it and extracts nothing.
    fn filter(&self) -> impl Filter<Extract = (), Error = Infallible> + Clone + Send + Sync {
        let hits = self.0.clone();
        warp::any()
            .map(move || {
                hits.fetch_add(1, Ordering::SeqCst);
            })
            .untuple_one()
    }
}

fn header<'a>(response: &'a HttpResponse<Bytes>, name: &str) -> Vec<&'a str> {
    response
        .headers()
        .get_all(name)
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect()
}

fn preflight(method: &str, path: &str) -> warp::test::RequestBuilder {
    warp::test::request()
        .method("OPTIONS")
        .path(path)
        .header("origin", ORIGIN)
        .header("access-control-request-method", method)
}

fn actual(method: &str, path: &str) -> warp::test::RequestBuilder {
    warp::test::request()
        .method(method)
        .path(path)
        .header("origin", ORIGIN)
}

fn assert_allowed(response: &HttpResponse<Bytes>) {
    assert_eq!(header(response, "access-control-allow-origin"), [ORIGIN]);
    assert_eq!(
        header(response, "access-control-expose-headers"),
        ["x-request-id"]
    );
    assert_eq!(header(response, "vary"), ["origin"]);
}

#[tokio::test]
async fn preflights_are_answered_before_the_routes() {
    let hits = Hits::default();
    let app = cors().wrap(hits.filter().and(example_warp::app()));

    let allowed = preflight("PUT", "/api/items/1").reply(&app).await;
    assert_eq!(allowed.status(), StatusCode::NO_CONTENT);
    assert_eq!(header(&allowed, "access-control-allow-origin"), [ORIGIN]);
    assert_eq!(
        header(&allowed, "access-control-allow-methods"),
        ["GET, POST, PUT, DELETE"]
    );
    assert!(allowed.body().is_empty());
    assert!(allowed.headers().get("x-request-id").is_none());

    let refused = preflight("PATCH", "/api/items/1").reply(&app).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert!(refused
        .headers()
        .get("access-control-allow-origin")
        .is_none());
    assert!(refused
        .headers()
        .get("access-control-allow-methods")
        .is_none());
    assert!(!header(&refused, "vary").is_empty());

    assert_eq!(hits.count(), 0, "a preflight reached the routes");
}

#[tokio::test]
async fn a_plain_options_reaches_the_users_options_route() {
    let hits = Hits::default();
    let options =
        warp::options().map(|| warp::reply::with_header("allowed", "allow", "GET, OPTIONS"));
    let app = cors().wrap(hits.filter().and(options));

    let plain = actual("OPTIONS", "/anything").reply(&app).await;
    assert_eq!(plain.status(), StatusCode::OK);
    assert_eq!(header(&plain, "allow"), ["GET, OPTIONS"]);
    assert_allowed(&plain);
    assert_eq!(hits.count(), 1);

    // A preflight on the same path is the wrapper's, not the route's.
    let answered = preflight("PUT", "/anything").reply(&app).await;
    assert_eq!(answered.status(), StatusCode::NO_CONTENT);
    assert!(answered.headers().get("allow").is_none());
    assert_eq!(hits.count(), 1, "the preflight reached the OPTIONS route");
}

#[tokio::test]
async fn warps_rejections_become_its_own_replies_with_cors_headers() {
    // The bare routes: the example's `app()` recovers its rejections itself.
    let bare = example_warp::routes();
    let app = cors().wrap(example_warp::routes());
    let requests = [
        ("GET", "/no-such-route", StatusCode::NOT_FOUND),
        ("PATCH", "/api/items", StatusCode::METHOD_NOT_ALLOWED),
        ("POST", "/api/items", StatusCode::BAD_REQUEST), // a body that is not JSON
    ];
    for (method, path, status) in requests {
        let wrapped = actual(method, path).body("{not json").reply(&app).await;
        let plain = warp::test::request()
            .method(method)
            .path(path)
            .body("{not json")
            .reply(&bare)
            .await;
        assert_eq!(wrapped.status(), status, "{method} {path}");
        // Exactly what warp answers without the wrapper, plus the CORS headers.
        assert_eq!(plain.status(), status, "{method} {path}");
        assert_eq!(wrapped.body(), plain.body(), "{method} {path}");
        assert_eq!(
            header(&wrapped, "content-type"),
            header(&plain, "content-type")
        );
        assert_allowed(&wrapped);
    }
}

#[tokio::test]
async fn an_apps_own_recover_keeps_its_headers_on_warps_replies() {
    let app = cors().wrap(example_warp::app());
    for (method, path, status) in [
        ("GET", "/no-such-route", StatusCode::NOT_FOUND),
        ("PATCH", "/api/items", StatusCode::METHOD_NOT_ALLOWED),
    ] {
        let response = actual(method, path).reply(&app).await;
        assert_eq!(response.status(), status, "{method} {path}");
        assert_eq!(
            header(&response, "x-request-id").len(),
            1,
            "{method} {path}"
        );
        assert_allowed(&response);
    }
}

#[derive(Debug)]
struct Broken;
impl warp::reject::Reject for Broken {}

#[tokio::test]
async fn handler_errors_carry_cors_headers() {
    let failing =
        warp::path("fail").and_then(|| async { Err::<String, _>(warp::reject::custom(Broken)) });
    let erroring = warp::path("error").map(|| StatusCode::INTERNAL_SERVER_ERROR.into_response());
    let app = cors().wrap(failing.map(Reply::into_response).or(erroring).unify());

    let unhandled = actual("GET", "/fail").reply(&app).await;
    assert_eq!(unhandled.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert!(String::from_utf8_lossy(unhandled.body()).contains("Broken"));
    assert_allowed(&unhandled);

    let status = actual("GET", "/error").reply(&app).await;
    assert_eq!(status.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_allowed(&status);
}

#[tokio::test]
async fn the_users_recover_handler_runs_inside_the_wrapper() {
    async fn handle(rejection: Rejection) -> Result<Response, Rejection> {
        if rejection.find::<Broken>().is_some() {
            Ok(warp::reply::with_status("handled", StatusCode::IM_A_TEAPOT).into_response())
        } else {
            Err(rejection)
        }
    }
    let failing =
        warp::path("fail").and_then(|| async { Err::<String, _>(warp::reject::custom(Broken)) });
    let app = cors().wrap(failing.recover(handle));

    let handled = actual("GET", "/fail").reply(&app).await;
    assert_eq!(handled.status(), StatusCode::IM_A_TEAPOT);
    assert_eq!(handled.body(), "handled");
    assert_allowed(&handled);

    let passed_on = actual("GET", "/elsewhere").reply(&app).await;
    assert_eq!(passed_on.status(), StatusCode::NOT_FOUND);
    assert_allowed(&passed_on);
}

#[tokio::test]
async fn nested_filters_and_per_prefix_policies() {
    let public = Cors::new(Policy::from_toml_str(r#"allow_origins = ["*"]"#).unwrap());
    let items = warp::path!("items" / u32)
        .and(warp::get())
        .map(|id: u32| format!("item {id}"));
    let api = warp::path("api").and(warp::path("v1")).and(items);
    let app = warp::path("public")
        .and(public.wrap(warp::path("hello").map(|| "hi")))
        .or(cors().wrap(api))
        .unify();

    let item = actual("GET", "/api/v1/items/7").reply(&app).await;
    assert_eq!(item.body(), "item 7");
    assert_allowed(&item);

    let nested_404 = actual("GET", "/api/v1/items/x").reply(&app).await;
    assert_eq!(nested_404.status(), StatusCode::NOT_FOUND);
    assert_allowed(&nested_404);

    let open = warp::test::request()
        .path("/public/hello")
        .header("origin", "https://anyone.example")
        .reply(&app)
        .await;
    assert_eq!(open.body(), "hi");
    assert_eq!(header(&open, "access-control-allow-origin"), ["*"]);
    assert!(open.headers().get("vary").is_none());

    let preflight = preflight("DELETE", "/api/v1/items/7").reply(&app).await;
    assert_eq!(preflight.status(), StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn the_with_form_of_warp_wraps_the_same_way() {
    let cors = cors();
    let app = warp::path("hello")
        .map(|| "hi")
        .with(warp::wrap_fn(move |routes| cors.wrap(routes)));
    let response = actual("GET", "/hello").reply(&app).await;
    assert_eq!(response.body(), "hi");
    assert_allowed(&response);
}

#[tokio::test]
async fn the_apps_headers_are_merged_or_replaced() {
    let route = |vary: &'static str| {
        warp::path(vary).map(move || {
            let reply = warp::reply::with_header("body", "vary", vary);
            warp::reply::with_header(
                reply,
                "access-control-allow-origin",
                "https://stale.example",
            )
        })
    };
    let app = cors().wrap(route("accept-encoding").or(route("origin")).unify());

    let merged = actual("GET", "/accept-encoding").reply(&app).await;
    let vary = header(&merged, "vary").join(", ");
    assert!(
        vary.contains("accept-encoding") && vary.contains("origin"),
        "{vary}"
    );
    assert_eq!(header(&merged, "access-control-allow-origin"), [ORIGIN]);

    let kept = actual("GET", "/origin").reply(&app).await;
    assert_eq!(header(&kept, "vary"), ["origin"]);
    assert_eq!(header(&kept, "access-control-allow-origin"), [ORIGIN]);
}

#[tokio::test]
async fn the_wrapper_owns_the_headers_that_let_a_script_read() {
    const APP_SET: [(&str, &str); 3] = [
        ("access-control-allow-origin", "*"),
        ("access-control-allow-credentials", "true"),
        ("access-control-expose-headers", "x-secret"),
    ];
    let route = warp::path("cors-headers").map(|| {
        let mut response = Response::new("body".into());
        for (name, value) in APP_SET {
            let value = warp::http::HeaderValue::from_static(value);
            response.headers_mut().insert(name, value);
        }
        response
    });
    let app = cors().wrap(route);

    // Allowed: the policy's values replace the app's, and the policy has no credentials.
    let allowed = actual("GET", "/cors-headers").reply(&app).await;
    assert_allowed(&allowed);
    assert!(header(&allowed, "access-control-allow-credentials").is_empty());

    // Refused or not CORS: none of the app's values reaches the browser.
    let refused = warp::test::request()
        .path("/cors-headers")
        .header("origin", "https://evil.example")
        .reply(&app)
        .await;
    let not_cors = warp::test::request()
        .path("/cors-headers")
        .reply(&app)
        .await;
    for response in [refused, not_cors] {
        for (name, _) in APP_SET {
            assert!(header(&response, name).is_empty(), "{name} survived");
        }
    }
}

#[tokio::test]
async fn refused_and_non_cors_requests_reach_the_app_with_only_vary() {
    let hits = Hits::default();
    let app = cors().wrap(hits.filter().and(example_warp::app()));

    let refused = warp::test::request()
        .path("/")
        .header("origin", "https://evil.example")
        .reply(&app)
        .await;
    assert_eq!(refused.status(), StatusCode::OK);
    assert_eq!(refused.body(), "Hello, World!");
    assert!(refused.headers().get("x-request-id").is_some());
    assert!(refused
        .headers()
        .get("access-control-allow-origin")
        .is_none());
    assert!(refused
        .headers()
        .get("access-control-expose-headers")
        .is_none());
    assert_eq!(header(&refused, "vary"), ["origin"]);

    let not_cors = warp::test::request().path("/health").reply(&app).await;
    assert_eq!(not_cors.body(), "ok");
    assert_eq!(header(&not_cors, "vary"), ["origin"]);
    assert!(not_cors
        .headers()
        .get("access-control-allow-origin")
        .is_none());

    assert_eq!(hits.count(), 2);
}
