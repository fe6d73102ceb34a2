//! A policy replaced while the server runs: the next request sees it, and a request in
//! flight during a swap is answered wholly by one policy or the other.

use std::sync::Arc;

use cors_harness::reload::{self, policy_a, policy_b, Answer, Expected, Swapper, Tally, APP};
use cors_rocket::{Cors, Policy, SharedPolicy};
use rocket::config::LogLevel;
use rocket::http::{Header, Method};
use rocket::local::asynchronous::{Client, LocalRequest, LocalResponse};
use rocket::{get, routes};

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
    let mut request = client
        .req(Method::Options, reload::PATH)
        .header(Header::new("origin", APP));
    for (name, value) in reload::PREFLIGHT_HEADERS {
        request = request.header(Header::new(name, value));
    }
    request
}

fn actual(client: &Client) -> LocalRequest<'_> {
    client.get(reload::PATH).header(Header::new("origin", APP))
}

fn answer(response: &LocalResponse<'_>) -> Answer {
    let headers: Vec<Header<'_>> = response.headers().iter().collect();
    Answer::new(
        response.status().code,
        headers
            .iter()
            .map(|h| (h.name().as_str(), h.value().as_bytes())),
    )
}

type Request = for<'c> fn(&'c Client) -> LocalRequest<'c>;

/// What each policy alone answers to `request`.
async fn reference(policy: Policy, request: Request) -> Answer {
    let client = client(Cors::new(policy)).await;
    send(&client, request).await
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
        client.get(reload::PATH).header(Header::new("origin", LATE))
    }
    let refused = send(&client, from_late).await;
    assert_eq!(refused.header("access-control-allow-origin"), None);
    let allowing_late = Policy::builder().allow_origins([APP, LATE]).build();
    handle.replace(allowing_late.expect("a valid policy"));
    let allowed = send(&client, from_late).await;
    assert_eq!(allowed.header("access-control-allow-origin"), Some(LATE));
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
    let client = Arc::new(client(cors).await);
    while swapper.swaps() == 0 {
        rocket::tokio::task::yield_now().await;
    }

    let mut tasks = Vec::new();
    for _ in 0..reload::TASKS {
        let (client, expected) = (Arc::clone(&client), Arc::clone(&expected));
        tasks.push(rocket::tokio::spawn(async move {
            let mut tally = Tally::default();
            for i in 0..reload::REQUESTS_PER_TASK {
                let preflight_now = reload::is_preflight(i);
                let request: Request = if preflight_now { preflight } else { actual };
                let got = send(&client, request).await;
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
