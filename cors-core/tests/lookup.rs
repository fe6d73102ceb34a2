//! Origins decided by the application: a synchronous predicate and an asynchronous lookup.

use std::future::Future;
use std::pin::pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use cors_core::{LookupFuture, OriginLookup, Policy, Refusal};

use cors_core::adapter::{Decision, RequestView};

/// Runs a future that never waits on anything external.
fn block_on<F: Future>(future: F) -> F::Output {
    struct Noop;
    impl Wake for Noop {
        fn wake(self: Arc<Self>) {}
    }
    let waker = Waker::from(Arc::new(Noop));
    let mut context = Context::from_waker(&waker);
    let mut future = pin!(future);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut context) {
            return output;
        }
    }
}

/// Allows `*.tenant.example` origins and counts how often it is asked.
#[derive(Default)]
struct Tenants {
    asked: AtomicUsize,
}

/// The lookup handed to the policy, sharing the counter with the test.
struct Lookup(Arc<Tenants>);

impl OriginLookup for Lookup {
    fn allows<'a>(&'a self, origin: &'a str) -> LookupFuture<'a> {
        self.0.asked.fetch_add(1, Ordering::SeqCst);
        Box::pin(async move { origin.ends_with(".tenant.example") })
    }
}

fn policy(tenants: &Arc<Tenants>) -> Policy {
    Policy::builder()
        .allow_origins(["https://app.example.com"])
        .allow_origin_lookup(Lookup(Arc::clone(tenants)))
        .build()
        .unwrap()
}

#[test]
fn the_lookup_decides_only_unlisted_origins() {
    let tenants = Arc::new(Tenants::default());
    let policy = policy(&tenants);
    let listed = RequestView::new("GET").origin([&b"https://app.example.com"[..]]);
    assert_eq!(policy.origin_to_look_up(&listed), None);
    assert!(matches!(
        block_on(policy.decide_async(&listed)),
        Decision::ActualAllowed(_)
    ));
    assert_eq!(tenants.asked.load(Ordering::SeqCst), 0);

    let tenant = RequestView::new("GET").origin([&b"https://a.tenant.example"[..]]);
    assert_eq!(
        policy.origin_to_look_up(&tenant),
        Some("https://a.tenant.example")
    );
    assert!(matches!(
        block_on(policy.decide_async(&tenant)),
        Decision::ActualAllowed(_)
    ));
    let other = RequestView::new("GET").origin([&b"https://evil.example"[..]]);
    assert!(matches!(
        block_on(policy.decide_async(&other)),
        Decision::ActualRefused(..)
    ));
    assert_eq!(tenants.asked.load(Ordering::SeqCst), 2);
}

#[test]
fn the_two_step_form_gives_the_same_decision() {
    let tenants = Arc::new(Tenants::default());
    let policy = policy(&tenants);
    let request = RequestView::new("OPTIONS")
        .origin([&b"https://b.tenant.example"[..]])
        .request_method([&b"GET"[..]]);
    let origin = policy.origin_to_look_up(&request).unwrap().to_owned();
    let allowed = block_on(policy.look_up(&origin));
    assert!(matches!(
        policy.decide_looked_up(&request, allowed),
        Decision::PreflightAllowed(_)
    ));
    assert!(matches!(
        policy.decide_looked_up(&request, false),
        Decision::PreflightRefused(..)
    ));
}

#[test]
fn the_synchronous_decision_says_the_lookup_was_not_awaited() {
    let policy = policy(&Arc::new(Tenants::default()));
    let request = RequestView::new("GET").origin([&b"https://a.tenant.example"[..]]);
    let decision = policy.decide(&request);
    assert_eq!(decision.refusal(), Some(&Refusal::LookupNotAwaited));
}

#[test]
fn a_predicate_allows_what_it_accepts_and_never_null() {
    let policy = Policy::builder()
        .allow_origin_fn(|origin| {
            origin.starts_with("https://") && origin.ends_with(".partner.example")
        })
        .build()
        .unwrap();
    let decide = |origin: &[u8]| {
        policy
            .decide(&RequestView::new("GET").origin([origin]))
            .kind()
    };
    assert_eq!(decide(b"https://x.partner.example"), "actual-allowed");
    assert_eq!(decide(b"http://x.partner.example"), "actual-refused");
    assert_eq!(decide(b"null"), "actual-refused");
    assert_eq!(decide(b"https://x.partner.example/evil"), "actual-refused");
}
