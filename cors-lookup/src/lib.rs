//! A hardened [`OriginLookup`] for policies whose origins live in a database.
//!
//! A plain lookup is asked about every well-formed origin that the policy does not
//! list, so a client that sends random `Origin` headers sends one database query per
//! request. [`HardenedLookup`] wraps any lookup so that:
//!
//! - answers are cached for a time-to-live, refusals too (with their own, shorter TTL),
//!   in caches bounded in entries, so in memory (see [`HardenedLookupBuilder::max_entries`]);
//!   the allowed origins are kept apart, so that a flood of made-up origins (all
//!   refused) cannot push a tenant out;
//! - only one lookup per origin runs at a time: concurrent requests for an origin wait
//!   for that one answer;
//! - only so many queries run at once, and an answer gets a time budget (waiting for a
//!   query slot included); an origin whose answer does not come in time is refused
//!   (and logged at warn level, target `cors`) without being cached, so the next
//!   request asks again;
//! - it can be told which host suffixes are worth asking about, so other origins are
//!   refused without a query (origins that cannot be valid never reach it: the policy
//!   refuses malformed, oversized and `null` origins first);
//! - it counts cache hits, queries, timeouts and the rest ([`LookupCounters`]), for the
//!   application to export.
//!
//! ```
//! use std::time::Duration;
//! use cors_core::{LookupFuture, OriginLookup, Policy};
//! use cors_lookup::HardenedLookup;
//!
//! struct TenantTable;
//!
//! impl OriginLookup for TenantTable {
//!     fn allows<'a>(&'a self, origin: &'a str) -> LookupFuture<'a> {
//!         // A real application queries its database here.
//!         Box::pin(async move { origin == "https://shop.customer.example" })
//!     }
//! }
//!
//! let lookup = HardenedLookup::builder(TenantTable).ttl(Duration::from_secs(60)).build()?;
//! let counters = lookup.counters();
//! let policy = Policy::builder().allow_origin_lookup(lookup).build()?;
//! # let runtime = tokio::runtime::Builder::new_current_thread().enable_time().build()?;
//! # runtime.block_on(async {
//! assert!(policy.allows_origin_async(b"https://shop.customer.example").await);
//! assert!(policy.allows_origin_async(b"https://shop.customer.example").await);
//! let counts = counters.snapshot().await;
//! assert_eq!((counts.queries, counts.cache_hits), (1, 1));
//! # });
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The wrapper needs a Tokio runtime with its timer enabled (every framework with an
//! adapter in this workspace runs on one).
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod answers;
mod builder;
mod counters;
mod hosts;

use std::time::Duration;

use answers::{Answers, Found};
use cors_core::{LookupFuture, OriginLookup};
use tokio::sync::Semaphore;

pub use builder::{HardenedLookupBuilder, InvalidSetting};
use counters::Counter;
pub use counters::{LookupCounters, LookupCounts};
use hosts::HostSuffixes;

/// Any [`OriginLookup`], with a cache, one query per origin at a time, a time budget,
/// a bound on queries in flight and a host filter. Build it with
/// [`HardenedLookup::builder`], then hand it to
/// [`PolicyBuilder::allow_origin_lookup`](cors_core::PolicyBuilder::allow_origin_lookup).
pub struct HardenedLookup<L> {
    lookup: L,
    answers: Answers,
    budget: Duration,
    in_flight: Semaphore,
    hosts: HostSuffixes,
    counters: LookupCounters,
}

/// The lookup gave no answer within its time budget; such an outcome is never cached.
#[derive(Debug)]
struct TimedOut;

impl<L: OriginLookup> HardenedLookup<L> {
    /// Starts building a hardened `lookup`, with the defaults of
    /// [`HardenedLookupBuilder`].
    pub fn builder(lookup: L) -> HardenedLookupBuilder<L> {
        HardenedLookupBuilder::new(lookup)
    }

    /// A handle on the counters, which stays valid after the lookup has moved into a
    /// policy.
    pub fn counters(&self) -> LookupCounters {
        self.counters.clone()
    }

    /// Whether `origin` is allowed: from the cache, or from one lookup shared by every
    /// request that asks about `origin` meanwhile.
    async fn answer(&self, origin: &str) -> bool {
        if !self.hosts.may_allow(origin) {
            self.counters.add(Counter::Skipped);
            return false;
        }
        // The budget bounds this request's whole wait, also when it waits for another
        // request's query (which starts again if that request goes away).
        let found = self.answers.get_or_query(origin, self.look_up(origin));
        let (counter, allowed) = match tokio::time::timeout(self.budget, found).await {
            Ok(Ok(Found::Cached(allowed))) => (Counter::CacheHits, allowed),
            Ok(Ok(Found::Queried(true))) => (Counter::Allowed, true),
            Ok(Ok(Found::Queried(false))) => (Counter::Refused, false),
            // The query that ran out of time, the one this request waited for, or the
            // wait itself.
            Ok(Err(_)) | Err(_) => (Counter::Timeouts, false),
        };
        self.counters.add(counter);
        allowed
    }

    /// One query of the wrapped lookup, within the time budget, waiting for a query
    /// slot included. The semaphore is fair: waiters get slots in the order they came.
    async fn look_up(&self, origin: &str) -> Result<bool, TimedOut> {
        let query = async {
            // Held until the query ends; the semaphore is never closed.
            let _slot = self.in_flight.acquire().await;
            self.counters.add(Counter::Queries);
            self.lookup.allows(origin).await
        };
        let Ok(allowed) = tokio::time::timeout(self.budget, query).await else {
            tracing::warn!(
                target: "cors",
                origin,
                budget_ms = self.budget.as_millis() as u64,
                "origin lookup gave no answer in time; the origin is refused"
            );
            return Err(TimedOut);
        };
        Ok(allowed)
    }
}

impl<L: OriginLookup> OriginLookup for HardenedLookup<L> {
    fn allows<'a>(&'a self, origin: &'a str) -> LookupFuture<'a> {
        Box::pin(self.answer(origin))
    }
}

impl<L> std::fmt::Debug for HardenedLookup<L> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HardenedLookup")
            .field("budget", &self.budget)
            .field("in_flight_slots", &self.in_flight.available_permits())
            .field("hosts", &self.hosts)
            .field("counters", &self.counters)
            .finish_non_exhaustive()
    }
}
