//! A policy replaced while the server runs: the next request sees it, and a request in
//! flight during a swap is answered wholly by one policy or the other.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use cors_rocket::{Cors, Policy, SharedPolicy};
use rocket::config::LogLevel;
use rocket::http::{Header, Method, Status};
use rocket::local::asynchronous::{Client, LocalRequest, LocalResponse};
use rocket::{get, routes};

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

/// Yields before answering, so that a swap can fall between the decision (when the
/// request comes in) and the writing of the headers (when the response goes out).
#[get("/items")]
async fn items() -> &'static str {
    rocket::tokio::task::yield_now().await;
    "hello"
}

async fn client(cors: Cors) -> Client {
    let config = rocket::Config {
        log_level: LogLevel::Off,
        ..rocket::Config::debug_default()
    };
    let rocket = rocket::custom(config)
        .mount("/", routes![items])
        .attach(cors);
    Client::untracked(rocket).await.expect("a valid rocket")
}

fn preflight(client: &Client) -> LocalRequest<'_> {
    client
        .req(Method::Options, "/items")
        .header(Header::new("origin", APP))
        .header(Header::new("access-control-request-method", "PUT"))
        .header(Header::new("access-control-request-headers", "x-a,x-b"))
}

fn actual(client: &Client) -> LocalRequest<'_> {
    client.get("/items").header(Header::new("origin", APP))
}

/// The status and every CORS header of an answer, in order.
type Answer = (Status, Vec<(String, String)>);

fn answer(response: &LocalResponse<'_>) -> Answer {
    let mut headers: Vec<(String, String)> = response
        .headers()
        .iter()
        .map(|h| (h.name().as_str().to_ascii_lowercase(), h.value().to_owned()))
        .filter(|(name, _)| name.starts_with("access-control-") || name == "vary")
        .collect();
    headers.sort();
    (response.status(), headers)
}

type Request = for<'c> fn(&'c Client) -> LocalRequest<'c>;

/// What each policy alone answers to `request`.
async fn reference(policy: Policy, request: Request) -> Answer {
    let client = client(Cors::new(policy)).await;
    let response = request(&client).dispatch().await;
    answer(&response)
}

fn header<'a>(answer: &'a Answer, name: &str) -> Option<&'a str> {
    let mut found = answer.1.iter().filter(|(n, _)| n == name);
    found.next().map(|(_, value)| value.as_str())
}

async fn send(client: &Client, request: Request) -> Answer {
    answer(&request(client).dispatch().await)
}

#[rocket::async_test]
async fn replace_takes_effect_for_the_next_request() {
    let cors = Cors::new(policy_a());
    let handle = cors.shared().clone();
    let client = client(cors).await;
    let expected_a = reference(policy_a(), preflight).await;
    let expected_b = reference(policy_b(), preflight).await;

    assert_eq!(send(&client, preflight).await, expected_a);
    let previous = handle.replace(policy_b());
    assert!(!previous.allows_credentials());
    assert_eq!(send(&client, preflight).await, expected_b);
    handle.replace(policy_a());
    assert_eq!(send(&client, preflight).await, expected_a);

    // A refused origin becomes allowed at once.
    const LATE: &str = "https://late.example";
    fn from_late(client: &Client) -> LocalRequest<'_> {
        client.get("/items").header(Header::new("origin", LATE))
    }
    let refused = send(&client, from_late).await;
    assert_eq!(header(&refused, "access-control-allow-origin"), None);
    let allowing_late = Policy::builder().allow_origins([APP, LATE]).build();
    handle.replace(allowing_late.expect("a valid policy"));
    let allowed = send(&client, from_late).await;
    assert_eq!(header(&allowed, "access-control-allow-origin"), Some(LATE));
}

#[rocket::async_test]
async fn a_shared_policy_and_an_arc_are_accepted_too() {
    let shared = SharedPolicy::new(policy_a());
    let cors = Cors::new(shared.clone());
    shared.replace(policy_b());
    assert!(cors.policy().allows_credentials());
    assert!(Cors::new(Arc::new(policy_b()))
        .policy()
        .allows_credentials());
}

#[rocket::async_test]
async fn a_swap_during_requests_never_mixes_two_policies() {
    const TASKS: usize = 4;
    const PREFLIGHTS_PER_TASK: usize = 500;
    const ACTUALS_PER_TASK: usize = 250;

    let preflight_a = reference(policy_a(), preflight).await;
    let preflight_b = reference(policy_b(), preflight).await;
    let actual_a = reference(policy_a(), actual).await;
    let actual_b = reference(policy_b(), actual).await;
    assert_eq!(preflight_a.0, Status::NoContent);
    assert_eq!(preflight_b.0, Status::NoContent);
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
    let client = Arc::new(client(cors).await);
    let (a, b) = (Arc::new(policy_a()), Arc::new(policy_b()));
    let stop = Arc::new(AtomicBool::new(false));
    let swaps = Arc::new(AtomicUsize::new(0));
    let swapper = {
        let (stop, swaps) = (Arc::clone(&stop), Arc::clone(&swaps));
        // A thread of its own, so that swaps really race with the requests.
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
        rocket::tokio::task::yield_now().await;
    }

    let mut tasks = Vec::new();
    for _ in 0..TASKS {
        let client = Arc::clone(&client);
        let expected = [
            (preflight_a.clone(), preflight_b.clone()),
            (actual_a.clone(), actual_b.clone()),
        ];
        tasks.push(rocket::tokio::spawn(async move {
            // (preflights answered by A, by B), (actuals answered by A, by B)
            let mut counts = [(0, 0), (0, 0)];
            for i in 0..PREFLIGHTS_PER_TASK + ACTUALS_PER_TASK {
                let kind = usize::from(i % 3 == 2);
                let request: Request = if kind == 0 { preflight } else { actual };
                let got = send(&client, request).await;
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
