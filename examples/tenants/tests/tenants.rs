//! The tenant example end to end, in process: requests through the axum app, origins
//! from a real SQLite table, counted where they reach the database.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use cors_lookup::{HardenedLookup, HardenedLookupBuilder};
use example_tenants::{app, policy, TenantTable};
use tower::ServiceExt;

const TENANT: &str = "https://shop.customer.example";
const NEWCOMER: &str = "https://new.customer.example";

fn table_with(origins: &[&str]) -> TenantTable {
    let table = TenantTable::in_memory().expect("an in-memory database");
    for origin in origins {
        table.add(origin).expect("added");
    }
    table
}

fn router(lookup: HardenedLookupBuilder<TenantTable>) -> Router {
    app(policy(lookup.build().expect("valid settings")).expect("valid policy"))
}

/// The `Access-Control-Allow-Origin` of a `GET /` from `origin`, if any.
async fn allowed(router: &Router, origin: &str) -> Option<String> {
    let request = Request::get("/")
        .header("origin", origin)
        .body(Body::empty())
        .expect("a request");
    let response = router.clone().oneshot(request).await.expect("infallible");
    assert_eq!(response.status(), StatusCode::OK);
    let value = response.headers().get("access-control-allow-origin")?;
    Some(value.to_str().expect("ASCII").to_owned())
}

/// Asks until `origin` gets `want`, for 5 s at most; returns how long it took.
async fn until(router: &Router, origin: &str, want: Option<&str>) -> Option<Duration> {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(5) {
        if allowed(router, origin).await.as_deref() == want {
            return Some(start.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    None
}

#[tokio::test]
async fn table_changes_show_after_their_ttl_and_not_before() {
    let table = table_with(&[TENANT]);
    let router = router(
        HardenedLookup::builder(table.clone())
            .ttl(Duration::from_secs(3))
            .negative_ttl(Duration::from_secs(1)),
    );
    assert_eq!(allowed(&router, TENANT).await.as_deref(), Some(TENANT));
    assert_eq!(allowed(&router, NEWCOMER).await, None);

    // A new tenant: refused from the cache until the negative TTL ends, then allowed.
    table.add(NEWCOMER).expect("added");
    let queries = table.queries();
    assert_eq!(allowed(&router, NEWCOMER).await, None, "not cached");
    assert_eq!(
        table.queries(),
        queries,
        "the cached refusal went to the database"
    );
    let took = until(&router, NEWCOMER, Some(NEWCOMER)).await;
    assert!(took.is_some(), "the new tenant was never allowed");

    // A removed tenant: allowed from the cache until the TTL ends, then refused. Its
    // answer was cached a moment ago, so the TTL has nearly all of its 3 s to run.
    table.remove(NEWCOMER).expect("removed");
    let queries = table.queries();
    assert_eq!(
        allowed(&router, NEWCOMER).await.as_deref(),
        Some(NEWCOMER),
        "the allowed answer was not cached"
    );
    assert_eq!(
        table.queries(),
        queries,
        "the cached answer went to the database"
    );
    let took = until(&router, NEWCOMER, None).await;
    assert!(took.is_some(), "the removed tenant stayed allowed");
    // The static origin never asks the database.
    let queries = table.queries();
    let admin = "https://admin.example.com";
    assert_eq!(allowed(&router, admin).await.as_deref(), Some(admin));
    assert_eq!(table.queries(), queries);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_made_up_origins_asks_the_database_once_per_origin() {
    let real: Vec<String> = (0..20)
        .map(|i| format!("https://app.tenant{i}.example"))
        .collect();
    let table = TenantTable::in_memory().expect("an in-memory database");
    for origin in &real {
        table.add(origin).expect("added");
    }
    let lookup = HardenedLookup::builder(table.clone())
        .max_entries(500)
        .max_in_flight(64);
    let counters_of = lookup.build().expect("valid settings");
    let counters = counters_of.counters();
    let router = app(policy(counters_of).expect("valid policy"));

    // 2 000 made-up origins (four times what the cache holds) and each real origin 20
    // times, mixed, 32 requests at a time.
    let mut origins: Vec<String> = (0..2_000)
        .map(|i| format!("https://x{i}.flood.example"))
        .collect();
    for round in 0..20 {
        origins.extend(real.iter().cloned());
        origins.rotate_left(round * 97);
    }
    let distinct: HashSet<&String> = origins.iter().collect();
    let mut refused_real = 0;
    for batch in origins.chunks(32) {
        let answers = batch.iter().map(|origin| {
            let router = router.clone();
            let origin = origin.clone();
            tokio::spawn(async move { (allowed(&router, &origin).await, origin) })
        });
        for answer in answers.collect::<Vec<_>>() {
            let (answer, origin) = answer.await.expect("no panic");
            let is_real = real.contains(&origin);
            assert!(
                answer.is_none() || is_real,
                "{origin} was allowed: {answer:?}"
            );
            if is_real && answer.as_deref() != Some(origin.as_str()) {
                refused_real += 1;
            }
        }
    }
    let counts = counters.snapshot().await;
    assert_eq!(
        refused_real, 0,
        "real tenants refused during the flood: {counts:?}"
    );
    assert_eq!(
        table.queries(),
        distinct.len() as u64,
        "not one query per distinct origin: {counts:?}"
    );
    assert!(counts.cached_answers <= 500, "{counts:?}");
    assert_eq!(counts.cached_allowed, real.len() as u64, "{counts:?}");
    assert_eq!(counts.timeouts, 0, "{counts:?}");
}
