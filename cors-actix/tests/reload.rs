//! A policy replaced while the server runs: the next request sees it, and a request in
//! flight during a swap is answered wholly by one policy or the other.

use std::rc::Rc;
use std::sync::Arc;

use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::Method;
use actix_web::test::{self, TestRequest};
use actix_web::{web, App, HttpResponse};
use cors_actix::{Cors, Policy, SharedPolicy};
use cors_harness::reload::{self, policy_a, policy_b, Answer, Expected, Swapper, Tally, APP};

/// A handler that yields before answering, so that a swap can fall between the decision
/// and the writing of the headers.
async fn hello() -> HttpResponse {
    actix_web::rt::task::yield_now().await;
    HttpResponse::Ok().body("hello")
}

fn app(
    cors: Cors,
) -> App<
    impl actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl actix_web::body::MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    App::new()
        .wrap(cors)
        .route(reload::PATH, web::get().to(hello))
}

fn preflight() -> TestRequest {
    let mut request = TestRequest::default()
        .method(Method::OPTIONS)
        .uri(reload::PATH)
        .insert_header(("origin", APP));
    for header in reload::PREFLIGHT_HEADERS {
        request = request.insert_header(header);
    }
    request
}

fn actual() -> TestRequest {
    TestRequest::get()
        .uri(reload::PATH)
        .insert_header(("origin", APP))
}

fn answer<B>(response: &ServiceResponse<B>) -> Answer {
    let headers = response.headers().iter();
    Answer::new(
        response.status().as_u16(),
        headers.map(|(name, value)| (name.as_str(), value.as_bytes())),
    )
}

/// What each policy alone answers to `request`.
async fn reference(policy: Policy, request: fn() -> TestRequest) -> Answer {
    let service = test::init_service(app(Cors::new(policy))).await;
    answer(&test::call_service(&service, request().to_request()).await)
}

#[actix_web::test]
async fn replace_takes_effect_for_the_next_request() {
    let cors = Cors::new(policy_a());
    let handle = cors.shared().clone();
    let service = test::init_service(app(cors)).await;
    let expected_a = reference(policy_a(), preflight).await;
    let expected_b = reference(policy_b(), preflight).await;
    let send = |request: TestRequest| test::call_service(&service, request.to_request());

    assert_eq!(answer(&send(preflight()).await), expected_a);
    let previous = handle.replace(policy_b());
    assert!(!previous.allows_credentials());
    assert_eq!(answer(&send(preflight()).await), expected_b);
    handle.replace(policy_a());
    assert_eq!(answer(&send(preflight()).await), expected_a);

    // A refused origin becomes allowed at once.
    let late = "https://late.example";
    let from_late = || {
        TestRequest::get()
            .uri(reload::PATH)
            .insert_header(("origin", late))
    };
    let refused = answer(&send(from_late()).await);
    assert_eq!(refused.header("access-control-allow-origin"), None);
    let allowing_late = Policy::builder().allow_origins([APP, late]).build();
    handle.replace(allowing_late.expect("a valid policy"));
    let allowed = answer(&send(from_late()).await);
    assert_eq!(allowed.header("access-control-allow-origin"), Some(late));
}

#[actix_web::test]
async fn every_clone_and_worker_follows_one_handle() {
    let shared = SharedPolicy::new(policy_a());
    let cors = Cors::new(shared.clone());
    // Two "workers", each with its own app made from a clone of the same `Cors`.
    let first = test::init_service(app(cors.clone())).await;
    let second = test::init_service(app(cors.clone())).await;
    shared.replace(policy_b());
    let expected_b = reference(policy_b(), preflight).await;
    for service in [&first, &second] {
        let response = test::call_service(service, preflight().to_request()).await;
        assert_eq!(answer(&response), expected_b);
    }
    assert!(cors.policy().allows_credentials());
    assert!(Cors::new(Arc::new(policy_b()))
        .policy()
        .allows_credentials());
}

#[actix_web::test]
async fn a_swap_during_requests_never_mixes_two_policies() {
    let expected = Rc::new(Expected::new(
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
    // A thread of its own (actix serves each worker on one thread).
    let swapper = Swapper::start(cors.shared().clone());
    let service = Rc::new(test::init_service(app(cors)).await);
    while swapper.swaps() == 0 {
        actix_web::rt::task::yield_now().await;
    }

    let mut tasks = Vec::new();
    for _ in 0..reload::TASKS {
        let (service, expected) = (Rc::clone(&service), Rc::clone(&expected));
        // Tasks on the worker's thread, interleaved at every await, as in a worker.
        tasks.push(actix_web::rt::spawn(async move {
            let mut tally = Tally::default();
            for i in 0..reload::REQUESTS_PER_TASK {
                let preflight_now = reload::is_preflight(i);
                let request = if preflight_now { preflight() } else { actual() };
                let response = service.call(request.to_request()).await;
                let got = answer(&response.expect("a response"));
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
