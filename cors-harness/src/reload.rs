//! The reload tests of every adapter: a policy replaced while the server runs is seen by
//! the next request, and a request in flight during a swap is answered wholly by one
//! policy or the other.
//!
//! The tests send preflights ([`preflight`]) and actual requests ([`actual`]) from
//! [`APP`] through the adapter's middleware around [`Routes::Yielding`], reduce each
//! response to an [`Answer`], and, in the race, record it in a [`Tally`] while a
//! [`Swapper`] alternates [`policy_a`] and [`policy_b`].

use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

use cors_core::{Policy, SharedPolicy};

use crate::adapter::{exchange, AdapterUnderTest, Reply, Request, Routes};

/// The origin of every request.
pub const APP: &str = "https://app.example.com";

/// The path the test apps serve.
pub const PATH: &str = "/items";

/// The preflight of every reload test: allowed by both policies.
pub fn preflight() -> Request {
    let request = Request::new("OPTIONS", PATH).header("origin", APP);
    let request = request.header("access-control-request-method", "PUT");
    request.header("access-control-request-headers", "x-a,x-b")
}

/// The actual request of the race.
pub fn actual() -> Request {
    Request::new("GET", PATH).header("origin", APP)
}

/// Tasks sending requests at once, and what each sends: two preflights for one actual
/// request, in turn.
pub const TASKS: usize = 4;
pub const PREFLIGHTS_PER_TASK: usize = 500;
pub const ACTUALS_PER_TASK: usize = 250;

/// Whether a task's `i`-th request is a preflight (else an actual request).
pub fn is_preflight(i: usize) -> bool {
    i % 3 != 2
}

/// Requests each task sends.
pub const REQUESTS_PER_TASK: usize = PREFLIGHTS_PER_TASK + ACTUALS_PER_TASK;

/// One of two policies that allow the same preflight but differ in every header of the
/// answer: methods, headers, max age, credentials, and the exposed headers of actual
/// requests.
pub fn policy_a() -> Policy {
    Policy::builder()
        .allow_origins([APP])
        .allow_methods(["GET", "PUT"])
        .allow_headers(["x-a", "x-b"])
        .expose_headers(["x-one"])
        .max_age(100)
        .build()
        .expect("a valid policy")
}

/// The other policy: see [`policy_a`].
pub fn policy_b() -> Policy {
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

/// A response reduced to what a policy decides: the status and every CORS header
/// (`access-control-*` and `vary`), names lower-cased, sorted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
}

impl Answer {
    /// From a reply of the adapter.
    pub fn of(reply: &Reply) -> Self {
        let headers = reply.headers.iter();
        Answer::new(
            reply.status,
            headers.map(|(n, v)| (n.as_str(), v.as_slice())),
        )
    }

    /// From a response's status and every header line, in any case and order.
    pub fn new<'a>(status: u16, headers: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> Self {
        let mut headers: Vec<(String, String)> = headers
            .into_iter()
            .map(|(name, value)| (name.to_ascii_lowercase(), value))
            .filter(|(name, _)| name.starts_with("access-control-") || name == "vary")
            .map(|(name, value)| (name, String::from_utf8_lossy(value).into_owned()))
            .collect();
        headers.sort();
        Answer { status, headers }
    }

    /// The first value of `name` (lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        let mut found = self.headers.iter().filter(|(n, _)| n == name);
        found.next().map(|(_, value)| value.as_str())
    }
}

/// What each policy alone answers, to tell which one answered during the race.
#[derive(Debug, Clone)]
pub struct Expected {
    preflight: [Answer; 2],
    actual: [Answer; 2],
}

impl Expected {
    /// The answers of [`policy_a`] and [`policy_b`] alone to the preflight and to the
    /// actual request. Checks that they tell the policies apart by every header a mixed
    /// answer could show.
    pub fn new(preflight: [Answer; 2], actual: [Answer; 2]) -> Self {
        let [preflight_a, preflight_b] = &preflight;
        assert_eq!(preflight_a.status, 204, "{preflight_a:?}");
        assert_eq!(preflight_b.status, 204, "{preflight_b:?}");
        for name in [
            "access-control-allow-methods",
            "access-control-allow-headers",
            "access-control-max-age",
            "access-control-allow-credentials",
        ] {
            assert_ne!(preflight_a.header(name), preflight_b.header(name), "{name}");
        }
        let [actual_a, actual_b] = &actual;
        for name in [
            "access-control-expose-headers",
            "access-control-allow-credentials",
        ] {
            assert_ne!(actual_a.header(name), actual_b.header(name), "{name}");
        }
        Expected { preflight, actual }
    }

    /// The answer of `policy_a` (0) or `policy_b` (1) to the preflight.
    pub fn preflight(&self, policy: usize) -> &Answer {
        &self.preflight[policy]
    }
}

/// How many answers came from each policy: preflights and actual requests.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    pub preflights: [usize; 2],
    pub actuals: [usize; 2],
}

impl Tally {
    /// Counts `got`, the answer to a preflight (or an actual request); panics if neither
    /// policy alone gives it, which means one answer mixed the two.
    pub fn record(&mut self, expected: &Expected, preflight: bool, got: &Answer) {
        let (answers, counts) = match preflight {
            true => (&expected.preflight, &mut self.preflights),
            false => (&expected.actual, &mut self.actuals),
        };
        match answers.iter().position(|answer| answer == got) {
            Some(policy) => counts[policy] += 1,
            None => panic!("an answer from neither policy alone: {got:?}"),
        }
    }

    /// Adds another task's counts.
    pub fn add(&mut self, other: Tally) {
        for (total, count) in self.preflights.iter_mut().zip(other.preflights) {
            *total += count;
        }
        for (total, count) in self.actuals.iter_mut().zip(other.actuals) {
            *total += count;
        }
    }

    /// Every request of every task was answered, and both policies answered preflights
    /// (so the swaps did fall among the requests).
    pub fn assert_complete(&self) {
        let [a, b] = self.preflights;
        assert_eq!(a + b, TASKS * PREFLIGHTS_PER_TASK, "{self:?}");
        assert_eq!(self.actuals.iter().sum::<usize>(), TASKS * ACTUALS_PER_TASK);
        assert!(a > 0 && b > 0, "both policies answered: {self:?}");
    }
}

/// A thread of its own that replaces the policy, A and B in turn, until stopped: swaps
/// really race with the requests, whatever runtime serves them.
pub struct Swapper {
    stop: Arc<AtomicBool>,
    swaps: Arc<AtomicUsize>,
    thread: JoinHandle<()>,
}

impl Swapper {
    /// Starts swapping the policy of `handle`; returns once the first swap is made.
    pub fn start(handle: SharedPolicy) -> Self {
        let (a, b) = (Arc::new(policy_a()), Arc::new(policy_b()));
        let stop = Arc::new(AtomicBool::new(false));
        let swaps = Arc::new(AtomicUsize::new(0));
        let thread = {
            let (stop, swaps) = (Arc::clone(&stop), Arc::clone(&swaps));
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let next = match swaps.fetch_add(1, Ordering::Relaxed) % 2 {
                        0 => &b,
                        _ => &a,
                    };
                    handle.replace(Arc::clone(next));
                    std::thread::yield_now();
                }
            })
        };
        while swaps.load(Ordering::Relaxed) == 0 {
            std::thread::yield_now();
        }
        Swapper {
            stop,
            swaps,
            thread,
        }
    }

    /// Stops the thread; returns how many swaps it made (more than one, or the test
    /// proved nothing).
    pub fn stop(self) -> usize {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.join().expect("the swapper did not panic");
        let swaps = self.swaps.load(Ordering::Relaxed);
        assert!(swaps > 1, "the policy was never swapped");
        swaps
    }
}

/// Builds `A`'s app of `middleware` around [`Routes::Yielding`].
async fn app<A: AdapterUnderTest>(middleware: A::Middleware) -> A::App {
    let app = A::app(middleware, Routes::Yielding).await;
    app.unwrap_or_else(|error| panic!("the app does not start: {error}"))
}

/// What `app` answers to `request`.
async fn send<A: AdapterUnderTest>(app: &A::App, request: &Request) -> Answer {
    Answer::of(&exchange::<A>(app, request).await)
}

/// What `policy` alone answers to `request`, through a new app.
async fn reference<A: AdapterUnderTest>(policy: Policy, request: &Request) -> Answer {
    send::<A>(&app::<A>(A::middleware(policy)).await, request).await
}

/// A policy replaced through the middleware's handle is applied from the next request
/// on: the preflight is answered by A, B, then A again, and a refused origin becomes
/// allowed at once.
pub async fn replace_takes_effect_for_the_next_request<A: AdapterUnderTest>() {
    let cors = A::middleware(policy_a());
    let handle = A::shared(&cors).clone();
    let app = app::<A>(cors).await;
    let expected_a = reference::<A>(policy_a(), &preflight()).await;
    let expected_b = reference::<A>(policy_b(), &preflight()).await;

    assert_eq!(send::<A>(&app, &preflight()).await, expected_a);
    let previous = handle.replace(policy_b());
    assert!(!previous.allows_credentials());
    assert_eq!(send::<A>(&app, &preflight()).await, expected_b);
    handle.replace(policy_a());
    assert_eq!(send::<A>(&app, &preflight()).await, expected_a);

    let late = "https://late.example";
    let from_late = Request::new("GET", PATH).header("origin", late);
    let refused = send::<A>(&app, &from_late).await;
    assert_eq!(refused.header("access-control-allow-origin"), None);
    let allowing_late = Policy::builder().allow_origins([APP, late]).build();
    handle.replace(allowing_late.expect("a valid policy"));
    let allowed = send::<A>(&app, &from_late).await;
    assert_eq!(allowed.header("access-control-allow-origin"), Some(late));
}

/// A middleware made with a [`SharedPolicy`] follows it, and so does every app made
/// from a clone of that middleware (two workers of actix, two routers of one layer, two
/// wrapped filters, two rockets); `policy()` reads it too, and an `Arc<Policy>` is taken
/// as well as a policy.
pub async fn every_app_of_one_middleware_follows_its_handle<A: AdapterUnderTest>() {
    let shared = SharedPolicy::new(policy_a());
    let cors = A::middleware(shared.clone());
    let first = app::<A>(cors.clone()).await;
    let second = app::<A>(cors.clone()).await;
    shared.replace(policy_b());
    let expected_b = reference::<A>(policy_b(), &preflight()).await;
    assert_eq!(send::<A>(&first, &preflight()).await, expected_b);
    assert_eq!(send::<A>(&second, &preflight()).await, expected_b);
    assert!(A::policy(&cors).allows_credentials());
    let from_arc = A::middleware(Arc::new(policy_b()));
    assert!(A::policy(&from_arc).allows_credentials());
}

/// The race: [`TASKS`] tasks send their requests through one app while a [`Swapper`]
/// replaces its policy, and every answer must be one policy's alone.
///
/// [`Race::start`], then spawn [`Race::task`] [`TASKS`] times on the adapter's runtime
/// (what [`adapter_tests!`](crate::adapter_tests) does), then [`Race::finish`].
pub struct Race<A: AdapterUnderTest> {
    expected: Arc<Expected>,
    app: A::App,
    swapper: Swapper,
}

impl<A: AdapterUnderTest> Race<A> {
    /// Learns what each policy alone answers, then builds the app of a middleware whose
    /// policy the swapper is already replacing.
    pub async fn start() -> Self {
        let expected = Arc::new(Expected::new(
            [
                reference::<A>(policy_a(), &preflight()).await,
                reference::<A>(policy_b(), &preflight()).await,
            ],
            [
                reference::<A>(policy_a(), &actual()).await,
                reference::<A>(policy_b(), &actual()).await,
            ],
        ));
        let cors = A::middleware(policy_a());
        let swapper = Swapper::start(A::shared(&cors).clone());
        let app = app::<A>(cors).await;
        Race {
            expected,
            app,
            swapper,
        }
    }

    /// One task's requests, two preflights for one actual request in turn, each answer
    /// recorded; panics at the first answer that mixes the two policies.
    pub fn task(&self) -> impl Future<Output = Tally> + 'static {
        let (app, expected) = (self.app.clone(), Arc::clone(&self.expected));
        async move {
            let mut tally = Tally::default();
            for i in 0..REQUESTS_PER_TASK {
                let preflight_now = is_preflight(i);
                let request = if preflight_now { preflight() } else { actual() };
                let got = send::<A>(&app, &request).await;
                tally.record(&expected, preflight_now, &got);
            }
            tally
        }
    }

    /// Waits for the spawned tasks, stops the swapper, and checks that every request was
    /// answered and both policies answered.
    pub async fn finish<E: std::fmt::Debug>(
        self,
        tasks: Vec<impl Future<Output = Result<Tally, E>>>,
    ) {
        let mut total = Tally::default();
        for task in tasks {
            total.add(task.await.expect("no request task panicked"));
        }
        let swaps = self.swapper.stop();
        total.assert_complete();
        println!("{swaps} swaps; answers by A/B: {total:?}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, headers: &[(&str, &str)]) -> Answer {
        Answer::new(status, headers.iter().map(|(n, v)| (*n, v.as_bytes())))
    }

    fn expected() -> Expected {
        let preflight = |methods, credentials| {
            answer(
                204,
                &[
                    ("Access-Control-Allow-Methods", methods),
                    ("access-control-allow-headers", methods),
                    ("access-control-max-age", methods),
                    ("access-control-allow-credentials", credentials),
                ],
            )
        };
        let actual = |exposed, credentials| {
            answer(
                200,
                &[
                    ("access-control-expose-headers", exposed),
                    ("access-control-allow-credentials", credentials),
                    ("content-type", "text/plain"),
                ],
            )
        };
        Expected::new(
            [preflight("GET", "false"), preflight("PUT", "true")],
            [actual("x-one", "false"), actual("x-two", "true")],
        )
    }

    #[test]
    fn answers_keep_only_cors_headers_lower_cased_and_sorted() {
        let got = answer(
            200,
            &[
                ("Vary", "origin"),
                ("Date", "now"),
                ("ACCESS-CONTROL-ALLOW-ORIGIN", "*"),
            ],
        );
        assert_eq!(got.header("access-control-allow-origin"), Some("*"));
        assert_eq!(got.headers.len(), 2);
        assert_eq!(got.headers[0].0, "access-control-allow-origin");
    }

    #[test]
    fn each_answer_is_counted_for_its_policy() {
        let expected = expected();
        let mut tally = Tally::default();
        tally.record(&expected, true, &expected.preflight(1).clone());
        tally.record(&expected, false, &expected.actual[0].clone());
        assert_eq!(tally.preflights, [0, 1]);
        assert_eq!(tally.actuals, [1, 0]);
    }

    #[test]
    #[should_panic(expected = "neither policy alone")]
    fn a_mixed_answer_fails_the_test() {
        let expected = expected();
        let mut mixed = expected.preflight(0).clone();
        mixed.headers[0].1 = "PUT".into();
        Tally::default().record(&expected, true, &mixed);
    }

    #[test]
    #[should_panic(expected = "both policies answered")]
    fn a_race_that_one_policy_won_alone_proves_nothing() {
        let tally = Tally {
            preflights: [TASKS * PREFLIGHTS_PER_TASK, 0],
            actuals: [TASKS * ACTUALS_PER_TASK, 0],
        };
        tally.assert_complete();
    }
}
