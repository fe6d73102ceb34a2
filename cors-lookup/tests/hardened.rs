//! The hardened lookup's promises, each against a wrapped lookup that counts what
//! reaches it: cached answers with their TTLs, one query per origin at a time, the time
//! budget, the bound on queries in flight, the host filter and the entry bound.

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cors_core::{LookupFuture, OriginLookup};
use cors_lookup::{HardenedLookup, InvalidSetting, LookupCounts};

/// A tenant table in memory: which origins are allowed, how long a query takes, and
/// what reached it.
#[derive(Clone, Default)]
struct Table(Arc<TableState>);

#[derive(Default)]
struct TableState {
    allowed: Mutex<HashSet<String>>,
    delay: Mutex<Duration>,
    queries: AtomicUsize,
    running: AtomicUsize,
    most_running: AtomicUsize,
}

impl Table {
    fn allowing(origins: &[&str]) -> Self {
        let table = Table::default();
        for origin in origins {
            table.allow(origin);
        }
        table
    }

    fn allow(&self, origin: &str) {
        self.0.allowed.lock().unwrap().insert(origin.to_owned());
    }

    fn slow(self, delay: Duration) -> Self {
        *self.0.delay.lock().unwrap() = delay;
        self
    }

    fn queries(&self) -> usize {
        self.0.queries.load(Ordering::SeqCst)
    }

    fn most_running(&self) -> usize {
        self.0.most_running.load(Ordering::SeqCst)
    }
}

impl OriginLookup for Table {
    fn allows<'a>(&'a self, origin: &'a str) -> LookupFuture<'a> {
        Box::pin(async move {
            let state = &self.0;
            state.queries.fetch_add(1, Ordering::SeqCst);
            let _running = Running::start(state);
            let delay = *state.delay.lock().unwrap();
            tokio::time::sleep(delay).await;
            state.allowed.lock().unwrap().contains(origin)
        })
    }
}

/// A query counted as running until it ends or is dropped (by a timeout).
struct Running<'a>(&'a TableState);

impl<'a> Running<'a> {
    fn start(state: &'a TableState) -> Self {
        let running = state.running.fetch_add(1, Ordering::SeqCst) + 1;
        state.most_running.fetch_max(running, Ordering::SeqCst);
        Running(state)
    }
}

impl Drop for Running<'_> {
    fn drop(&mut self) {
        self.0.running.fetch_sub(1, Ordering::SeqCst);
    }
}

const TENANT: &str = "https://shop.tenant.example";
const STRANGER: &str = "https://made-up.example";

/// Polls `condition` every 10 ms until it holds or 5 s have passed.
async fn eventually(mut condition: impl FnMut() -> LookupFuture<'static>) -> bool {
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if condition().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    false
}

#[tokio::test]
async fn answers_are_cached_allowed_and_refused_alike() {
    let table = Table::allowing(&[TENANT]);
    let lookup = HardenedLookup::builder(table.clone()).build().unwrap();
    for _ in 0..5 {
        assert!(lookup.allows(TENANT).await);
        assert!(!lookup.allows(STRANGER).await);
    }
    assert_eq!(table.queries(), 2);
    let counts = lookup.counters().snapshot().await;
    assert_eq!(
        (
            counts.queries,
            counts.allowed,
            counts.refused,
            counts.cache_hits
        ),
        (2, 1, 1, 8)
    );
    assert_eq!(counts.cached_answers, 2);
}

#[tokio::test]
async fn a_refused_origin_is_asked_again_after_the_negative_ttl_and_an_allowed_one_after_the_ttl() {
    let table = Table::allowing(&[TENANT]);
    let lookup = Arc::new(
        HardenedLookup::builder(table.clone())
            .ttl(Duration::from_secs(30))
            .negative_ttl(Duration::from_secs(1))
            .build()
            .unwrap(),
    );
    assert!(!lookup.allows(STRANGER).await);
    assert!(lookup.allows(TENANT).await);
    table.allow(STRANGER);
    // Still cached: the table is not asked again.
    assert!(!lookup.allows(STRANGER).await);
    assert_eq!(table.queries(), 2);
    let seen = {
        let lookup = Arc::clone(&lookup);
        eventually(move || {
            let lookup = Arc::clone(&lookup);
            Box::pin(async move { lookup.allows(STRANGER).await })
        })
        .await
    };
    assert!(seen, "the new tenant was never allowed");
    // The allowed answer outlived the refused one.
    let queries = table.queries();
    assert!(lookup.allows(TENANT).await);
    assert_eq!(table.queries(), queries, "the allowed answer expired early");
}

#[tokio::test]
async fn concurrent_requests_for_one_origin_share_one_query() {
    let table = Table::allowing(&[TENANT]).slow(Duration::from_millis(100));
    let lookup = Arc::new(HardenedLookup::builder(table.clone()).build().unwrap());
    let waiting: Vec<_> = (0..50)
        .map(|_| {
            let lookup = Arc::clone(&lookup);
            tokio::spawn(async move { lookup.allows(TENANT).await })
        })
        .collect();
    for task in waiting {
        assert!(task.await.unwrap());
    }
    assert_eq!(table.queries(), 1);
    let counts = lookup.counters().snapshot().await;
    assert_eq!((counts.queries, counts.cache_hits), (1, 49));
}

#[tokio::test]
async fn a_slow_answer_is_a_refusal_that_is_not_cached() {
    let table = Table::allowing(&[TENANT]).slow(Duration::from_secs(5));
    let lookup = HardenedLookup::builder(table.clone())
        .timeout(Duration::from_millis(50))
        .build()
        .unwrap();
    let started = Instant::now();
    assert!(!lookup.allows(TENANT).await);
    assert!(started.elapsed() < Duration::from_secs(2));
    *table.0.delay.lock().unwrap() = Duration::ZERO;
    assert!(lookup.allows(TENANT).await, "the timeout was cached");
    let counts = lookup.counters().snapshot().await;
    assert_eq!((counts.timeouts, counts.queries, counts.allowed), (1, 2, 1));
}

#[tokio::test]
async fn queries_in_flight_are_bounded_and_the_others_wait_their_turn() {
    let table = Table::default().slow(Duration::from_millis(50));
    let lookup = Arc::new(
        HardenedLookup::builder(table.clone())
            .max_in_flight(3)
            .timeout(Duration::from_secs(5))
            .build()
            .unwrap(),
    );
    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let lookup = Arc::clone(&lookup);
            tokio::spawn(async move { lookup.allows(&format!("https://t{i}.example")).await })
        })
        .collect();
    for task in tasks {
        assert!(!task.await.unwrap());
    }
    assert_eq!(table.queries(), 20);
    assert_eq!(table.most_running(), 3);
    let counts: LookupCounts = lookup.counters().snapshot().await;
    assert_eq!((counts.refused, counts.timeouts), (20, 0));
}

#[tokio::test]
async fn waiting_for_a_query_slot_counts_against_the_time_budget() {
    let table = Table::allowing(&[TENANT]).slow(Duration::from_secs(5));
    let lookup = Arc::new(
        HardenedLookup::builder(table.clone())
            .max_in_flight(1)
            .timeout(Duration::from_millis(200))
            .build()
            .unwrap(),
    );
    let started = Instant::now();
    let tasks: Vec<_> = ["https://first.example", "https://second.example", TENANT]
        .into_iter()
        .map(|origin| {
            let lookup = Arc::clone(&lookup);
            tokio::spawn(async move { lookup.allows(origin).await })
        })
        .collect();
    for task in tasks {
        assert!(!task.await.unwrap());
    }
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(table.most_running(), 1);
    let counts: LookupCounts = lookup.counters().snapshot().await;
    assert_eq!(counts.timeouts, 3, "{counts:?}");
    assert_eq!(counts.cached_answers, 0, "a timeout was cached");
}

#[tokio::test]
async fn hosts_outside_the_suffixes_are_refused_without_a_query() {
    let table = Table::allowing(&["https://a.tenants.example.com", "https://evil.example"]);
    let lookup = HardenedLookup::builder(table.clone())
        .only_hosts_under(["tenants.example.com"])
        .build()
        .unwrap();
    assert!(lookup.allows("https://a.tenants.example.com").await);
    assert!(!lookup.allows("https://evil.example").await);
    assert!(!lookup.allows("https://eviltenants.example.com").await);
    assert_eq!(table.queries(), 1);
    assert_eq!(lookup.counters().snapshot().await.skipped, 2);
}

#[tokio::test]
async fn the_cache_holds_at_most_max_entries_and_keeps_origins_asked_about_often() {
    let table = Table::allowing(&[TENANT]);
    let lookup = HardenedLookup::builder(table.clone())
        .max_entries(100)
        .build()
        .unwrap();
    for round in 0..50 {
        assert!(lookup.allows(TENANT).await);
        for i in 0..100 {
            lookup
                .allows(&format!("https://r{round}-{i}.flood.example"))
                .await;
        }
    }
    let counts = lookup.counters().snapshot().await;
    assert!(counts.cached_answers <= 100, "{counts:?}");
    assert_eq!(counts.cached_allowed, 1, "{counts:?}");
    assert_eq!(
        table.queries(),
        5_001,
        "each made-up origin once, the tenant once"
    );
    assert_eq!(counts.allowed, 1, "the tenant was evicted: {counts:?}");
}

#[test]
fn settings_that_cannot_work_are_refused_by_name() {
    let refused = |result: Result<HardenedLookup<Table>, InvalidSetting>| {
        result.expect_err("refused").setting
    };
    let table = Table::default;
    assert_eq!(
        refused(
            HardenedLookup::builder(table())
                .timeout(Duration::ZERO)
                .build()
        ),
        "timeout"
    );
    assert_eq!(
        refused(HardenedLookup::builder(table()).max_in_flight(0).build()),
        "max_in_flight"
    );
    assert_eq!(
        refused(HardenedLookup::builder(table()).ttl(Duration::MAX).build()),
        "ttl"
    );
    assert_eq!(
        refused(
            HardenedLookup::builder(table())
                .negative_ttl(Duration::MAX)
                .build()
        ),
        "negative_ttl"
    );
    let error = HardenedLookup::builder(table())
        .only_hosts_under(["*.tenants.example.com"])
        .build()
        .expect_err("refused");
    assert_eq!(error.setting, "only_hosts_under");
    assert!(
        error.to_string().contains("*.tenants.example.com"),
        "{error}"
    );
}
