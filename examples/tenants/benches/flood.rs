//! The tenant example under a flood: 100 000 `GET /` requests with made-up, well-formed
//! origins and 1 000 with the tenants' real origins (100 tenants, 10 requests each,
//! spread through the flood), 64 in flight at a time, through the axum app and a SQLite
//! table. Once with the bare table as the lookup, once through the hardened lookup with
//! its defaults. Prints a Markdown table (BENCHMARKS.md, "Many tenants").
//!
//! `cargo bench -p example-tenants --bench flood`

use std::alloc::{GlobalAlloc, Layout, System};
use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::Request;
use axum::Router;
use cors_core::{LookupFuture, OriginLookup};
use cors_lookup::{HardenedLookup, LookupCounters};
use example_tenants::{app, policy, TenantTable};
use tower::ServiceExt;

/// Counts the bytes the heap holds, to see what the cache keeps after the flood.
struct Counting;
static LIVE: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        System.alloc(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        System.dealloc(ptr, layout)
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

const FLOOD: usize = 100_000;
const TENANTS: usize = 100;
const REAL_REQUESTS: usize = 1_000;
const IN_FLIGHT: usize = 64;

/// The table, with the queries for real origins counted apart.
#[derive(Clone)]
struct Counted {
    table: TenantTable,
    real_queries: Arc<AtomicU64>,
}

impl OriginLookup for Counted {
    fn allows<'a>(&'a self, origin: &'a str) -> LookupFuture<'a> {
        if origin.ends_with(".tenants.example") {
            self.real_queries.fetch_add(1, Ordering::Relaxed);
        }
        self.table.allows(origin)
    }
}

fn real_origin(i: usize) -> String {
    format!("https://app{}.tenants.example", i % TENANTS)
}

/// The flood: a made-up origin per request, and a real one every
/// `FLOOD / REAL_REQUESTS` requests.
fn requests() -> Vec<String> {
    let every = FLOOD / REAL_REQUESTS;
    let mut origins = Vec::with_capacity(FLOOD + REAL_REQUESTS);
    let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
    for i in 0..FLOOD {
        if i % every == 0 {
            origins.push(real_origin(i / every));
        }
        // xorshift: a new, well-formed host label each time.
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        origins.push(format!("https://{seed:016x}.example.net"));
    }
    origins
}

struct Outcome {
    name: &'static str,
    requests: usize,
    distinct: usize,
    queries: u64,
    real_queries: u64,
    real_refused: usize,
    heap_kept: isize,
    elapsed: Duration,
    counters: Option<String>,
}

async fn flood(name: &'static str, hardened: bool) -> Outcome {
    let table = TenantTable::in_memory().expect("an in-memory database");
    for i in 0..TENANTS {
        table.add(&real_origin(i)).expect("added");
    }
    let counted = Counted {
        table: table.clone(),
        real_queries: Arc::default(),
    };
    let origins = requests();
    let distinct = origins.iter().collect::<HashSet<_>>().len();
    let before = LIVE.load(Ordering::Relaxed) as isize;
    let (router, counters): (Router, Option<LookupCounters>) = if hardened {
        let lookup = HardenedLookup::builder(counted.clone())
            .build()
            .expect("defaults");
        let counters = lookup.counters();
        (app(policy(lookup).expect("valid")), Some(counters))
    } else {
        (app(policy(counted.clone()).expect("valid")), None)
    };
    let started = Instant::now();
    let mut real_refused = 0;
    for batch in origins.chunks(IN_FLIGHT) {
        let tasks: Vec<_> = batch
            .iter()
            .map(|origin| {
                let router = router.clone();
                let origin = origin.clone();
                tokio::spawn(async move {
                    let request = Request::get("/")
                        .header("origin", &origin)
                        .body(Body::empty())
                        .expect("a request");
                    let response = router.oneshot(request).await.expect("infallible");
                    let echoed = response.headers().get("access-control-allow-origin");
                    (origin.ends_with(".tenants.example"), echoed.is_some())
                })
            })
            .collect();
        for task in tasks {
            let (real, allowed) = task.await.expect("no panic");
            assert!(real || !allowed, "a made-up origin was allowed");
            if real && !allowed {
                real_refused += 1;
            }
        }
    }
    let elapsed = started.elapsed();
    let counters = match counters {
        Some(counters) => Some(format!("{:?}", counters.snapshot().await)),
        None => None,
    };
    let heap_kept = LIVE.load(Ordering::Relaxed) as isize - before;
    drop(router);
    Outcome {
        name,
        requests: origins.len(),
        distinct,
        queries: table.queries(),
        real_queries: counted.real_queries.load(Ordering::Relaxed),
        real_refused,
        heap_kept,
        elapsed,
        counters,
    }
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let outcomes = runtime.block_on(async {
        vec![
            flood("bare table", false).await,
            flood("hardened lookup (defaults)", true).await,
        ]
    });
    println!("| lookup | requests | distinct origins | database queries | of which real tenants' | real requests refused | heap kept after the flood | time |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    for o in &outcomes {
        println!(
            "| {} | {} | {} | {} | {} | {} of {REAL_REQUESTS} | {:.1} MiB | {:.2} s |",
            o.name,
            o.requests,
            o.distinct,
            o.queries,
            o.real_queries,
            o.real_refused,
            o.heap_kept as f64 / (1024.0 * 1024.0),
            o.elapsed.as_secs_f64()
        );
    }
    for o in &outcomes {
        if let Some(counters) = &o.counters {
            println!("\n{}: {counters}", o.name);
        }
    }
}
