//! What the hardened lookup counts, for the application to export (as `metrics`
//! gauges, a Prometheus collector, a health page...).

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use moka::future::Cache;

/// The counters of one [`HardenedLookup`](crate::HardenedLookup): a cheap handle, to
/// clone into whatever exports them.
#[derive(Clone)]
pub struct LookupCounters {
    counts: Arc<[AtomicU64; Counter::ALL]>,
    answers: Cache<String, bool>,
}

/// The counters at one moment. Every origin the lookup is asked about adds one to
/// exactly one of `skipped`, `cache_hits`, `allowed`, `refused`, `timeouts` and `busy`
/// (a query that ends in time is one of `allowed` or `refused`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct LookupCounts {
    /// Answered from the cache, or by another request's query that was already running.
    pub cache_hits: u64,
    /// Queries of the wrapped lookup that started.
    pub queries: u64,
    /// Queries that allowed the origin.
    pub allowed: u64,
    /// Queries that refused the origin.
    pub refused: u64,
    /// Queries that ran out of time (the origin was refused, not cached).
    pub timeouts: u64,
    /// Origins refused without a query because every query slot was taken.
    pub busy: u64,
    /// Origins refused without a query because their host is under none of the
    /// configured suffixes.
    pub skipped: u64,
    /// Answers in the cache now.
    pub cached_answers: u64,
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum Counter {
    CacheHits,
    Queries,
    Allowed,
    Refused,
    Timeouts,
    Busy,
    Skipped,
}

impl Counter {
    const ALL: usize = 7;
}

impl LookupCounters {
    pub(crate) fn new(answers: Cache<String, bool>) -> Self {
        LookupCounters {
            counts: Arc::new(Default::default()),
            answers,
        }
    }

    pub(crate) fn add(&self, counter: Counter) {
        self.counts[counter as usize].fetch_add(1, Ordering::Relaxed);
    }

    /// The counters now. The cache's pending housekeeping (evictions, expiries) runs
    /// first, so that `cached_answers` is exact.
    pub async fn snapshot(&self) -> LookupCounts {
        self.answers.run_pending_tasks().await;
        let count = |counter: Counter| self.counts[counter as usize].load(Ordering::Relaxed);
        LookupCounts {
            cache_hits: count(Counter::CacheHits),
            queries: count(Counter::Queries),
            allowed: count(Counter::Allowed),
            refused: count(Counter::Refused),
            timeouts: count(Counter::Timeouts),
            busy: count(Counter::Busy),
            skipped: count(Counter::Skipped),
            cached_answers: self.answers.entry_count(),
        }
    }
}

impl fmt::Debug for LookupCounters {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let counts: Vec<u64> = self
            .counts
            .iter()
            .map(|c| c.load(Ordering::Relaxed))
            .collect();
        f.debug_struct("LookupCounters")
            .field("counts", &counts)
            .field("cached_answers", &self.answers.entry_count())
            .finish()
    }
}
