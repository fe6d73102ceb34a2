//! A policy replaced while the server runs: the next request sees it, and a request in
//! flight during a swap is answered wholly by one policy or the other.

use std::rc::Rc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::{Method, StatusCode};
use actix_web::test::{self, TestRequest};
use actix_web::{web, App, HttpResponse};
use cors_actix::{Cors, Policy, SharedPolicy};

const APP: &str = "https://app.example.com";

/// Two policies that allow the same preflight but differ in every header of the answer:
/// methods, headers, max age, credentials, and the exposed headers of actual requests.
fn policy_a() -> Policy {
    Policy::builder()
        .allow_origins([APP])
        .allow_methods(["GET", "PUT"])
        .allow_headers(["x-a", "x-b"])
        .expose_headers(["x-one"])
        .max_age(100)
        .build()
        .expect("a valid policy")
}

fn policy_b() -> Policy {
    Policy::builder()
        // A second origin too, so that the two lists differ as every answer header does.
        .allow_origins(["https://aaa.example", APP])
        .allow_methods(["PUT", "DELETE", "PATCH"])
        .allow_headers(["x-a", "x-b", "x-c"])
        .expose_headers(["x-two"])
        .max_age(200)
        .allow_credentials(true)
        .build()
        .expect("a valid policy")
}

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
    App::new().wrap(cors).route("/items", web::get().to(hello))
}

fn preflight() -> TestRequest {
    TestRequest::default()
        .method(Method::OPTIONS)
        .uri("/items")
        .insert_header(("origin", APP))
        .insert_header(("access-control-request-method", "PUT"))
        .insert_header(("access-control-request-headers", "x-a,x-b"))
}

fn actual() -> TestRequest {
    TestRequest::get()
        .uri("/items")
        .insert_header(("origin", APP))
}

/// The status and every CORS header of an answer, in order.
type Answer = (StatusCode, Vec<(String, String)>);

fn answer<B>(response: &ServiceResponse<B>) -> Answer {
    let mut headers: Vec<(String, String)> = response
        .headers()
        .iter()
        .filter(|(name, _)| name.as_str().starts_with("access-control-") || *name == "vary")
        .map(|(name, value)| {
            let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
            (name.as_str().to_owned(), value)
        })
        .collect();
    headers.sort();
    (response.status(), headers)
}

/// What each policy alone answers to `request`.
async fn reference(policy: Policy, request: fn() -> TestRequest) -> Answer {
    let service = test::init_service(app(Cors::new(policy))).await;
    answer(&test::call_service(&service, request().to_request()).await)
}

fn header<'a>(answer: &'a Answer, name: &str) -> Option<&'a str> {
    let mut found = answer.1.iter().filter(|(n, _)| n == name);
    found.next().map(|(_, value)| value.as_str())
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
            .uri("/items")
            .insert_header(("origin", late))
    };
    let refused = answer(&send(from_late()).await);
    assert_eq!(header(&refused, "access-control-allow-origin"), None);
    let allowing_late = Policy::builder().allow_origins([APP, late]).build();
    handle.replace(allowing_late.expect("a valid policy"));
    let allowed = answer(&send(from_late()).await);
    assert_eq!(header(&allowed, "access-control-allow-origin"), Some(late));
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
    const TASKS: usize = 4;
    const PREFLIGHTS_PER_TASK: usize = 500;
    const ACTUALS_PER_TASK: usize = 250;

    let preflight_a = reference(policy_a(), preflight).await;
    let preflight_b = reference(policy_b(), preflight).await;
    let actual_a = reference(policy_a(), actual).await;
    let actual_b = reference(policy_b(), actual).await;
    assert_eq!(preflight_a.0, StatusCode::NO_CONTENT);
    assert_eq!(preflight_b.0, StatusCode::NO_CONTENT);
    for name in [
        "access-control-allow-methods",
        "access-control-allow-headers",
        "access-control-max-age",
        "access-control-allow-credentials",
    ] {
        assert_ne!(
            header(&preflight_a, name),
            header(&preflight_b, name),
            "{name}"
        );
    }
    for name in [
        "access-control-expose-headers",
        "access-control-allow-credentials",
    ] {
        assert_ne!(header(&actual_a, name), header(&actual_b, name), "{name}");
    }

    let cors = Cors::new(policy_a());
    let handle = cors.shared().clone();
    let service = Rc::new(test::init_service(app(cors)).await);
    let (a, b) = (Arc::new(policy_a()), Arc::new(policy_b()));
    let stop = Arc::new(AtomicBool::new(false));
    let swaps = Arc::new(AtomicUsize::new(0));
    let swapper = {
        let (stop, swaps) = (Arc::clone(&stop), Arc::clone(&swaps));
        // A thread of its own (actix serves each worker on one thread), so that swaps
        // really race with the requests.
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                let next = if swaps.fetch_add(1, Ordering::Relaxed) % 2 == 0 {
                    &b
                } else {
                    &a
                };
                handle.replace(Arc::clone(next));
                std::thread::yield_now();
            }
        })
    };
    while swaps.load(Ordering::Relaxed) == 0 {
        actix_web::rt::task::yield_now().await;
    }

    let mut tasks = Vec::new();
    for _ in 0..TASKS {
        let service = Rc::clone(&service);
        let expected = [
            (preflight_a.clone(), preflight_b.clone()),
            (actual_a.clone(), actual_b.clone()),
        ];
        // Tasks on the worker's thread, interleaved at every await, as in a worker.
        tasks.push(actix_web::rt::spawn(async move {
            // (preflights answered by A, by B), (actuals answered by A, by B)
            let mut counts = [(0, 0), (0, 0)];
            for i in 0..PREFLIGHTS_PER_TASK + ACTUALS_PER_TASK {
                let kind = usize::from(i % 3 == 2);
                let request = if kind == 0 { preflight() } else { actual() };
                let response = service.call(request.to_request()).await;
                let got = answer(&response.expect("a response"));
                let (from_a, from_b) = &expected[kind];
                if got == *from_a {
                    counts[kind].0 += 1;
                } else if got == *from_b {
                    counts[kind].1 += 1;
                } else {
                    panic!("an answer from neither policy alone: {got:?}");
                }
            }
            counts
        }));
    }
    let mut totals = [(0, 0), (0, 0)];
    for task in tasks {
        let counts = task.await.expect("no request task panicked");
        for (total, count) in totals.iter_mut().zip(counts) {
            total.0 += count.0;
            total.1 += count.1;
        }
    }
    stop.store(true, Ordering::Relaxed);
    swapper.join().expect("the swapper did not panic");

    let [preflights, actuals] = totals;
    assert_eq!(preflights.0 + preflights.1, TASKS * PREFLIGHTS_PER_TASK);
    assert_eq!(actuals.0 + actuals.1, TASKS * ACTUALS_PER_TASK);
    assert!(
        preflights.0 > 0 && preflights.1 > 0,
        "both policies answered: {preflights:?}"
    );
    println!(
        "{} swaps; preflights by A/B {preflights:?}, actual requests by A/B {actuals:?}",
        swaps.load(Ordering::Relaxed)
    );
}
