//! A policy replaced while the server runs: the next request sees it, and a request in
//! flight during a swap is answered wholly by one policy or the other.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, Response};
use axum::routing::get;
use axum::Router;
use cors_axum::{CorsLayer, Policy, SharedPolicy};
use cors_harness::reload::{self, policy_a, policy_b, Answer, Expected, Swapper, Tally, APP};
use tower::ServiceExt;

/// An app whose handler yields before answering, so that a swap can fall between the
/// decision and the writing of the headers.
fn app(layer: CorsLayer) -> Router {
    let handler = || async {
        tokio::task::yield_now().await;
        "hello"
    };
    Router::new().route(reload::PATH, get(handler)).layer(layer)
}

fn preflight() -> Request<Body> {
    let mut request = Request::builder()
        .method("OPTIONS")
        .uri(reload::PATH)
        .header("origin", APP);
    for (name, value) in reload::PREFLIGHT_HEADERS {
        request = request.header(name, value);
    }
    request.body(Body::empty()).expect("a valid request")
}

fn actual() -> Request<Body> {
    let request = Request::builder().uri(reload::PATH).header("origin", APP);
    request.body(Body::empty()).expect("a valid request")
}

async fn send(app: Router, request: Request<Body>) -> Answer {
    let response: Response<Body> = match app.oneshot(request).await {
        Ok(response) => response,
        Err(never) => match never {},
    };
    let headers = response.headers().iter();
    Answer::new(
        response.status().as_u16(),
        headers.map(|(name, value)| (name.as_str(), value.as_bytes())),
    )
}

/// What each policy alone answers to `request`.
async fn reference(policy: Policy, request: fn() -> Request<Body>) -> Answer {
    send(app(CorsLayer::new(policy)), request()).await
}

#[tokio::test]
async fn replace_takes_effect_for_the_next_request() {
    let layer = CorsLayer::new(policy_a());
    let handle = layer.shared().clone();
    let app = app(layer);
    let expected_a = reference(policy_a(), preflight).await;
    let expected_b = reference(policy_b(), preflight).await;

    assert_eq!(send(app.clone(), preflight()).await, expected_a);
    let previous = handle.replace(policy_b());
    assert!(!previous.allows_credentials());
    assert_eq!(send(app.clone(), preflight()).await, expected_b);
    handle.replace(policy_a());
    assert_eq!(send(app.clone(), preflight()).await, expected_a);

    // A refused origin becomes allowed at once.
    let late = "https://late.example";
    let from_late = || {
        let request = Request::builder().uri(reload::PATH).header("origin", late);
        request.body(Body::empty()).expect("a valid request")
    };
    let refused = send(app.clone(), from_late()).await;
    assert_eq!(refused.header("access-control-allow-origin"), None);
    handle.replace(
        Policy::builder()
            .allow_origins([APP, late])
            .build()
            .expect("a valid policy"),
    );
    let allowed = send(app, from_late()).await;
    assert_eq!(allowed.header("access-control-allow-origin"), Some(late));
}

#[tokio::test]
async fn a_shared_policy_and_an_arc_are_accepted_too() {
    let shared = SharedPolicy::new(policy_a());
    let layer = CorsLayer::new(shared.clone());
    shared.replace(policy_b());
    assert!(layer.policy().allows_credentials());
    assert!(CorsLayer::new(Arc::new(policy_b()))
        .policy()
        .allows_credentials());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_swap_during_requests_never_mixes_two_policies() {
    let expected = Arc::new(Expected::new(
        [
            reference(policy_a(), preflight).await,
            reference(policy_b(), preflight).await,
        ],
        [
            reference(policy_a(), actual).await,
            reference(policy_b(), actual).await,
        ],
    ));
    let layer = CorsLayer::new(policy_a());
    let swapper = Swapper::start(layer.shared().clone());
    let app = app(layer);
    while swapper.swaps() == 0 {
        tokio::task::yield_now().await;
    }

    let mut tasks = Vec::new();
    for _ in 0..reload::TASKS {
        let (app, expected) = (app.clone(), Arc::clone(&expected));
        tasks.push(tokio::spawn(async move {
            let mut tally = Tally::default();
            for i in 0..reload::REQUESTS_PER_TASK {
                let preflight_now = reload::is_preflight(i);
                let request = if preflight_now { preflight() } else { actual() };
                let got = send(app.clone(), request).await;
                tally.record(&expected, preflight_now, &got);
            }
            tally
        }));
    }
    let mut total = Tally::default();
    for task in tasks {
        total.add(task.await.expect("no request task panicked"));
    }
    let swaps = swapper.stop();
    total.assert_complete();
    println!("{swaps} swaps; answers by A/B: {total:?}");
}
