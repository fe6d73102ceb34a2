//! The cached answers: the origins found allowed, kept apart from the recent answers so
//! that a flood of made-up origins, which are all refused, cannot push a tenant out.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use moka::future::Cache;
use moka::Expiry;

/// Two bounded caches. Clones share them.
#[derive(Clone)]
pub(crate) struct Answers {
    /// Origins the lookup allowed, for the TTL. Only allowed answers enter, so only
    /// tenants compete for its room.
    allowed: Cache<String, ()>,
    /// Every recent answer, allowed or refused, each for its own TTL. Its loads are
    /// coalesced: concurrent requests for one origin share one query.
    recent: Cache<String, bool>,
}

/// What a request learns from the cache.
pub(crate) enum Found {
    /// The cached answer, or one that another request's query gave meanwhile.
    Cached(bool),
    /// This request ran the query, which answered.
    Queried(bool),
}

impl Answers {
    pub(crate) fn new(ttl: Duration, negative_ttl: Duration, max_entries: u64) -> Self {
        Answers {
            allowed: Cache::builder()
                .max_capacity(max_entries)
                .time_to_live(ttl)
                .build(),
            recent: Cache::builder()
                .max_capacity(max_entries)
                .expire_after(Lifetimes {
                    allowed: ttl,
                    refused: negative_ttl,
                })
                .build(),
        }
    }

    /// The cached answer for `origin`, or the answer of `query`, run by one request at a
    /// time per origin. A query's error is shared with the requests that waited for it,
    /// and nothing is cached.
    pub(crate) async fn get_or_query<E: Send + Sync + 'static>(
        &self,
        origin: &str,
        query: impl Future<Output = Result<bool, E>>,
    ) -> Result<Found, Arc<E>> {
        if self.allowed.get(origin).await.is_some() {
            return Ok(Found::Cached(true));
        }
        if let Some(answer) = self.recent.get(origin).await {
            return Ok(Found::Cached(answer));
        }
        // An allowed answer enters both caches inside the one query, so that a request
        // dropped after the query cannot leave it in the recent answers alone.
        let query_and_keep = async {
            let answer = query.await?;
            if answer {
                self.allowed.insert(origin.to_owned(), ()).await;
            }
            Ok(answer)
        };
        let entry = self
            .recent
            .entry_by_ref(origin)
            .or_try_insert_with(query_and_keep)
            .await?;
        let (fresh, answer) = (entry.is_fresh(), entry.into_value());
        Ok(if fresh {
            Found::Queried(answer)
        } else {
            Found::Cached(answer)
        })
    }

    /// Runs the caches' pending housekeeping (evictions, expiries), so that the counts
    /// are exact.
    pub(crate) async fn settle(&self) {
        self.allowed.run_pending_tasks().await;
        self.recent.run_pending_tasks().await;
    }

    /// How many allowed origins, and how many recent answers, the caches hold.
    pub(crate) fn counts(&self) -> (u64, u64) {
        (self.allowed.entry_count(), self.recent.entry_count())
    }
}

/// Each recent answer's time-to-live, by answer.
struct Lifetimes {
    allowed: Duration,
    refused: Duration,
}

impl Expiry<String, bool> for Lifetimes {
    fn expire_after_create(&self, _: &String, allowed: &bool, _: Instant) -> Option<Duration> {
        Some(if *allowed { self.allowed } else { self.refused })
    }
}
