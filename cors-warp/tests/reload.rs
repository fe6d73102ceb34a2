//! A policy replaced while the server runs: the next request sees it, and a request in
//! flight during a swap is answered wholly by one policy or the other.

use std::sync::Arc;

use cors_harness::reload::{self, policy_a, policy_b, Answer, Expected, Swapper, Tally, APP};
use cors_warp::{Cors, Policy, SharedPolicy};
use warp::http::Response;
use warp::hyper::body::Bytes;
use warp::{Filter, Rejection};

/// Routes that yield before answering, so that a swap can fall between the decision
/// and the writing of the headers.
fn routes() -> impl Filter<Extract = (&'static str,), Error = Rejection> + Clone + Send + Sync {
    warp::path("items").and(warp::get()).and_then(|| async {
        tokio::task::yield_now().await;
        Ok::<_, Rejection>("hello")
    })
}

fn preflight() -> warp::test::RequestBuilder {
    let mut request = warp::test::request()
        .method("OPTIONS")
        .path(reload::PATH)
        .header("origin", APP);
    for (name, value) in reload::PREFLIGHT_HEADERS {
        request = request.header(name, value);
    }
    request
}

fn actual() -> warp::test::RequestBuilder {
    warp::test::request()
        .path(reload::PATH)
        .header("origin", APP)
}

fn answer(response: &Response<Bytes>) -> Answer {
    let headers = response.headers().iter();
    Answer::new(
        response.status().as_u16(),
        headers.map(|(name, value)| (name.as_str(), value.as_bytes())),
    )
}

/// What each policy alone answers to `request`.
async fn reference(policy: Policy, request: fn() -> warp::test::RequestBuilder) -> Answer {
    let app = Cors::new(policy).wrap(routes());
    answer(&request().reply(&app).await)
}

#[tokio::test]
async fn replace_takes_effect_for_the_next_request() {
    let cors = Cors::new(policy_a());
    let handle = cors.shared().clone();
    let app = cors.wrap(routes());
    let expected_a = reference(policy_a(), preflight).await;
    let expected_b = reference(policy_b(), preflight).await;

    assert_eq!(answer(&preflight().reply(&app).await), expected_a);
    let previous = handle.replace(policy_b());
    assert!(!previous.allows_credentials());
    assert_eq!(answer(&preflight().reply(&app).await), expected_b);
    handle.replace(policy_a());
    assert_eq!(answer(&preflight().reply(&app).await), expected_a);

    // A refused origin becomes allowed at once.
    let late = "https://late.example";
    let from_late = || {
        warp::test::request()
            .path(reload::PATH)
            .header("origin", late)
    };
    let refused = answer(&from_late().reply(&app).await);
    assert_eq!(refused.header("access-control-allow-origin"), None);
    let allowing_late = Policy::builder().allow_origins([APP, late]).build();
    handle.replace(allowing_late.expect("a valid policy"));
    let allowed = answer(&from_late().reply(&app).await);
    assert_eq!(allowed.header("access-control-allow-origin"), Some(late));
}

#[tokio::test]
async fn every_wrapper_of_one_cors_follows_its_handle() {
    let shared = SharedPolicy::new(policy_a());
    let cors = Cors::new(shared.clone());
    let (first, second) = (cors.wrap(routes()), cors.wrap(routes()));
    shared.replace(policy_b());
    let expected_b = reference(policy_b(), preflight).await;
    assert_eq!(answer(&preflight().reply(&first).await), expected_b);
    assert_eq!(answer(&preflight().reply(&second).await), expected_b);
    assert!(cors.policy().allows_credentials());
    assert!(Cors::new(Arc::new(policy_b()))
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
    let cors = Cors::new(policy_a());
    let swapper = Swapper::start(cors.shared().clone());
    let app = cors.wrap(routes());
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
                let got = answer(&request.reply(&app).await);
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
