//! A hardened [`OriginLookup`] for policies whose origins live in a database.
//!
//! A plain lookup is asked about every well-formed origin that the policy does not
//! list, so a client that sends random `Origin` headers sends one database query per
//! request. [`HardenedLookup`] wraps any lookup so that:
//!
//! - answers are cached for a time-to-live, refusals too (with their own, shorter TTL),
//!   in a cache bounded in entries, so in memory (see [`HardenedLookupBuilder::max_entries`]);
//! - only one lookup per origin runs at a time: concurrent requests for an origin wait
//!   for that one answer;
//! - a query gets a time budget, and only so many run at once; an origin whose answer
//!   does not come within the budget, or that finds every query slot taken, is refused
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

mod builder;
mod counters;
mod hosts;

use std::time::Duration;

use cors_core::{LookupFuture, OriginLookup};
use moka::future::Cache;
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
    answers: Cache<String, bool>,
    budget: Duration,
    in_flight: Semaphore,
    hosts: HostSuffixes,
    counters: LookupCounters,
}

/// Why a lookup gave no answer; such an outcome is never cached.
#[derive(Debug)]
enum NoAnswer {
    /// The query did not answer within the time budget.
    TimedOut,
    /// Every query slot was taken.
    Busy,
}

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
        if let Some(allowed) = self.answers.get(origin).await {
            self.counters.add(Counter::CacheHits);
            return allowed;
        }
        let entry = self
            .answers
            .entry_by_ref(origin)
            .or_try_insert_with(self.look_up(origin))
            .await;
        match entry {
            Ok(entry) => {
                if !entry.is_fresh() {
                    // Another request's lookup answered while this one waited.
                    self.counters.add(Counter::CacheHits);
                }
                entry.into_value()
            }
            Err(_) => false,
        }
    }

    /// One query of the wrapped lookup, if a query slot is free, within the time budget.
    async fn look_up(&self, origin: &str) -> Result<bool, NoAnswer> {
        let Ok(_slot) = self.in_flight.try_acquire() else {
            return Err(self.no_answer(origin, NoAnswer::Busy));
        };
        self.counters.add(Counter::Queries);
        let query = self.lookup.allows(origin);
        let Ok(allowed) = tokio::time::timeout(self.budget, query).await else {
            return Err(self.no_answer(origin, NoAnswer::TimedOut));
        };
        self.counters.add(if allowed {
            Counter::Allowed
        } else {
            Counter::Refused
        });
        Ok(allowed)
    }

    /// Counts and logs an origin refused for want of an answer.
    fn no_answer(&self, origin: &str, why: NoAnswer) -> NoAnswer {
        let counter = match why {
            NoAnswer::TimedOut => Counter::Timeouts,
            NoAnswer::Busy => Counter::Busy,
        };
        self.counters.add(counter);
        tracing::warn!(
            target: "cors",
            origin,
            budget_ms = self.budget.as_millis() as u64,
            reason = ?why,
            "origin lookup gave no answer; the origin is refused"
        );
        why
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
