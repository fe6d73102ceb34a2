//! The asynchronous origin lookup through an adapter: awaited for the origins only it can
//! allow, on preflights and actual requests alike, while listed and refused origins are
//! answered as without it.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use cors_core::{LookupFuture, OriginLookup, Policy};

use crate::adapter::{exchange, AdapterUnderTest, Reply, Request, Routes};

const LISTED: &str = "https://app.example.com";
const TENANT: &str = "https://acme.tenant.test";
const STRANGER: &str = "https://evil.example.net";

/// Allows `https://*.tenant.test` after yielding once to the runtime, as a database
/// query would.
struct Tenants;

impl OriginLookup for Tenants {
    fn allows<'a>(&'a self, origin: &'a str) -> LookupFuture<'a> {
        Box::pin(async move {
            YieldOnce(false).await;
            origin.starts_with("https://") && origin.ends_with(".tenant.test")
        })
    }
}

/// Pending once, then ready: a yield that needs no particular runtime.
struct YieldOnce(bool);

impl Future for YieldOnce {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            return Poll::Ready(());
        }
        self.0 = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

fn preflight(origin: &str) -> Request {
    Request::new("OPTIONS", "/api/items/1")
        .header("origin", origin)
        .header("access-control-request-method", "PUT")
}

fn get(origin: &str) -> Request {
    Request::new("GET", "/api/items").header("origin", origin)
}

fn allow_origin(reply: &Reply) -> Vec<&[u8]> {
    let lines = reply.headers.iter();
    let lines = lines.filter(|(name, _)| name.eq_ignore_ascii_case("access-control-allow-origin"));
    lines.map(|(_, value)| value.as_slice()).collect()
}

/// Whether the app answered (every response of the example app carries `x-request-id`).
fn reached_app(reply: &Reply) -> bool {
    reply.headers.iter().any(|(name, _)| name == "x-request-id")
}

/// The lookup's origin is allowed after the lookup, on a preflight (answered, never
/// reaching the app) and on an actual request (reaching it, with the headers); a listed
/// origin is allowed and a stranger refused as without a lookup.
pub async fn an_asynchronous_origin_lookup_is_awaited<A: AdapterUnderTest>() {
    let policy = Policy::builder()
        .allow_origins([LISTED])
        .allow_origin_lookup(Tenants)
        .allow_methods(["GET", "PUT"])
        .expose_headers(["x-request-id"])
        .build()
        .expect("a valid policy");
    let app = A::app(A::middleware(policy), Routes::Example)
        .await
        .expect("the app starts");

    let answered = exchange::<A>(&app, &preflight(TENANT)).await;
    assert_eq!(answered.status, 204);
    assert_eq!(allow_origin(&answered), [TENANT.as_bytes()]);
    assert!(!reached_app(&answered), "a preflight reached the app");

    let actual = exchange::<A>(&app, &get(TENANT)).await;
    assert_eq!(allow_origin(&actual), [TENANT.as_bytes()]);
    assert!(reached_app(&actual));

    let listed = exchange::<A>(&app, &get(LISTED)).await;
    assert_eq!(allow_origin(&listed), [LISTED.as_bytes()]);

    let refused = exchange::<A>(&app, &preflight(STRANGER)).await;
    assert_eq!(refused.status, 403);
    let refused = exchange::<A>(&app, &get(STRANGER)).await;
    assert!(allow_origin(&refused).is_empty());
    assert!(
        reached_app(&refused),
        "a refused actual request still reaches the app"
    );
}
