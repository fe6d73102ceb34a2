//! What the hardened lookup counts, for the application to export (as `metrics`
//! gauges, a Prometheus collector, a health page...).

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::answers::Answers;

/// The counters of one [`HardenedLookup`](crate::HardenedLookup): a cheap handle, to
/// clone into whatever exports them.
#[derive(Clone)]
pub struct LookupCounters {
    counts: Arc<[AtomicU64; Counter::ALL]>,
    answers: Answers,
}

/// The counters at one moment. Every origin the lookup is asked about adds one to
/// exactly one of `skipped`, `cache_hits`, `allowed`, `refused` and `timeouts`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct LookupCounts {
    /// Answered from the cache, or by another request's query that was already running.
    pub cache_hits: u64,
    /// Queries of the wrapped lookup that started.
    pub queries: u64,
    /// Origins allowed by a query this request ran.
    pub allowed: u64,
    /// Origins refused by a query this request ran.
    pub refused: u64,
    /// Origins refused because no answer came within the time budget (waiting for a
    /// query slot included): the request that ran the query and those that waited for
    /// it. Nothing is cached.
    pub timeouts: u64,
    /// Origins refused without a query because their host is under none of the
    /// configured suffixes.
    pub skipped: u64,
    /// Allowed origins in the cache now.
    pub cached_allowed: u64,
    /// Recent answers (allowed and refused) in the cache now.
    pub cached_answers: u64,
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum Counter {
    CacheHits,
    Queries,
    Allowed,
    Refused,
    Timeouts,
    Skipped,
}

impl Counter {
    const ALL: usize = 6;
}

impl LookupCounters {
    pub(crate) fn new(answers: Answers) -> Self {
        LookupCounters {
            counts: Arc::new(Default::default()),
            answers,
        }
    }

    pub(crate) fn add(&self, counter: Counter) {
        self.counts[counter as usize].fetch_add(1, Ordering::Relaxed);
    }

    /// The counters now. The caches' pending housekeeping (evictions, expiries) runs
    /// first, so that the cached counts are exact.
    pub async fn snapshot(&self) -> LookupCounts {
        self.answers.settle().await;
        let (cached_allowed, cached_answers) = self.answers.counts();
        let count = |counter: Counter| self.counts[counter as usize].load(Ordering::Relaxed);
        LookupCounts {
            cache_hits: count(Counter::CacheHits),
            queries: count(Counter::Queries),
            allowed: count(Counter::Allowed),
            refused: count(Counter::Refused),
            timeouts: count(Counter::Timeouts),
            skipped: count(Counter::Skipped),
            cached_allowed,
            cached_answers,
        }
    }
}

#[cfg(feature = "metrics")]
impl LookupCounters {
    /// Writes the counters to the `metrics` facade, for the application's exporter to
    /// publish; call it before each scrape (for example in the `/metrics` handler):
    ///
    /// - `cors_lookup_answers_total`, labelled `answer`: `cache-hit`, `allowed`,
    ///   `refused`, `timeout` or `skipped` (see [`LookupCounts`]);
    /// - `cors_lookup_queries_total`: queries of the wrapped lookup;
    /// - `cors_lookup_cached`, labelled `cache`: `allowed` or `recent`, the entries now.
    pub async fn record(&self) {
        use metrics::{counter, gauge};

        let counts = self.snapshot().await;
        counter!("cors_lookup_answers_total", "answer" => "cache-hit").absolute(counts.cache_hits);
        counter!("cors_lookup_answers_total", "answer" => "allowed").absolute(counts.allowed);
        counter!("cors_lookup_answers_total", "answer" => "refused").absolute(counts.refused);
        counter!("cors_lookup_answers_total", "answer" => "timeout").absolute(counts.timeouts);
        counter!("cors_lookup_answers_total", "answer" => "skipped").absolute(counts.skipped);
        counter!("cors_lookup_queries_total").absolute(counts.queries);
        gauge!("cors_lookup_cached", "cache" => "allowed").set(counts.cached_allowed as f64);
        gauge!("cors_lookup_cached", "cache" => "recent").set(counts.cached_answers as f64);
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
            .field("cached", &self.answers.counts())
            .finish()
    }
}
