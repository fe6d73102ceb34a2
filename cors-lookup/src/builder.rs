//! The settings of a [`HardenedLookup`], with defaults for a typical SaaS API.

use std::fmt;
use std::time::Duration;

use tokio::sync::Semaphore;

use crate::answers::Answers;
use crate::counters::LookupCounters;
use crate::hosts::{self, HostSuffixes};
use crate::HardenedLookup;

/// Builds a [`HardenedLookup`]. Every setting has a default:
///
/// | setting | default |
/// |---|---|
/// | [`ttl`](Self::ttl) (allowed origins) | 60 s |
/// | [`negative_ttl`](Self::negative_ttl) (refused origins) | 10 s |
/// | [`max_entries`](Self::max_entries) | 10 000 |
/// | [`timeout`](Self::timeout) | 1 s |
/// | [`max_in_flight`](Self::max_in_flight) | 32 |
/// | [`only_hosts_under`](Self::only_hosts_under) | every host |
#[must_use]
pub struct HardenedLookupBuilder<L> {
    lookup: L,
    ttl: Duration,
    negative_ttl: Duration,
    max_entries: u64,
    timeout: Duration,
    max_in_flight: usize,
    hosts: Vec<String>,
}

/// The longest time-to-live the cache takes (its own limit is a thousand years).
const LONGEST_TTL: Duration = Duration::from_secs(100 * 365 * 24 * 60 * 60);

/// A setting that [`HardenedLookupBuilder::build`] refuses, with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidSetting {
    /// The builder method whose value is refused.
    pub setting: &'static str,
    /// Why, in words that say what to change.
    pub reason: String,
}

impl fmt::Display for InvalidSetting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.setting, self.reason)
    }
}

impl std::error::Error for InvalidSetting {}

impl<L: cors_core::OriginLookup> HardenedLookupBuilder<L> {
    pub(crate) fn new(lookup: L) -> Self {
        HardenedLookupBuilder {
            lookup,
            ttl: Duration::from_secs(60),
            negative_ttl: Duration::from_secs(10),
            max_entries: 10_000,
            timeout: Duration::from_secs(1),
            max_in_flight: 32,
            hosts: Vec::new(),
        }
    }

    /// How long an allowed origin stays allowed without asking again: how long a
    /// removed tenant keeps working, at most.
    pub fn ttl(mut self, ttl: Duration) -> Self {
        self.ttl = ttl;
        self
    }

    /// How long a refused origin stays refused without asking again: how long a new
    /// tenant waits, at most, after a first refused request. Shorter than
    /// [`ttl`](Self::ttl) as a rule.
    pub fn negative_ttl(mut self, ttl: Duration) -> Self {
        self.negative_ttl = ttl;
        self
    }

    /// The most allowed origins kept, and the most recent answers (allowed or refused)
    /// kept: two caches of this many entries each. Origins are at most
    /// [`MAX_ORIGIN_LEN`](cors_core::adapter::MAX_ORIGIN_LEN) bytes (the policy refuses
    /// longer ones before asking), so the caches hold at most about
    /// `2 × max_entries × (MAX_ORIGIN_LEN + 100)` bytes. Only allowed answers enter the
    /// first cache, so a flood of made-up origins never pushes a tenant out of it; set
    /// this above the number of tenants' origins in use within a TTL.
    pub fn max_entries(mut self, entries: u64) -> Self {
        self.max_entries = entries;
        self
    }

    /// The time budget of one answer: waiting for a query slot, for the query, or for
    /// another request's query of the same origin. An origin without an answer in time
    /// is refused, logged, and not cached. The query is dropped when its time is up: a
    /// lookup that keeps working after it is dropped (a blocking call on another
    /// thread) must stop on its own, or the database sees more than
    /// [`max_in_flight`](Self::max_in_flight) queries.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The most queries of the wrapped lookup running at once: under a flood of made-up
    /// origins the database sees at most this many at a time (for a lookup that stops
    /// when dropped: see [`timeout`](Self::timeout)). Other origins wait for a
    /// slot, in the order they came, within their [`timeout`](Self::timeout).
    pub fn max_in_flight(mut self, queries: usize) -> Self {
        self.max_in_flight = queries;
        self
    }

    /// Asks the wrapped lookup only about origins whose host is one of `domains` or a
    /// subdomain of one (at a label boundary); the others are refused without a query.
    /// For example, `["tenants.example.com"]` when every tenant's front end is
    /// `https://NAME.tenants.example.com`.
    pub fn only_hosts_under<I, S>(mut self, domains: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.hosts.extend(domains.into_iter().map(Into::into));
        self
    }

    /// The lookup, or the first setting that cannot work.
    pub fn build(self) -> Result<HardenedLookup<L>, InvalidSetting> {
        self.check()?;
        let answers = Answers::new(self.ttl, self.negative_ttl, self.max_entries);
        Ok(HardenedLookup {
            lookup: self.lookup,
            counters: LookupCounters::new(answers.clone()),
            answers,
            budget: self.timeout,
            in_flight: Semaphore::new(self.max_in_flight),
            hosts: HostSuffixes::new(self.hosts),
        })
    }

    fn check(&self) -> Result<(), InvalidSetting> {
        let refuse = |setting, reason: &str| {
            Err(InvalidSetting {
                setting,
                reason: reason.to_owned(),
            })
        };
        for (setting, ttl) in [("ttl", self.ttl), ("negative_ttl", self.negative_ttl)] {
            if ttl > LONGEST_TTL {
                return refuse(
                    setting,
                    "is longer than the cache can keep an answer (100 years)",
                );
            }
        }
        if self.timeout.is_zero() {
            return refuse("timeout", "must be above zero, or every origin is refused");
        }
        if self.max_in_flight == 0 {
            return refuse("max_in_flight", "must be at least 1, or no query ever runs");
        }
        if self.max_in_flight > Semaphore::MAX_PERMITS {
            return refuse("max_in_flight", "is above what a semaphore can count");
        }
        for domain in &self.hosts {
            if let Err(reason) = hosts::check_domain(domain) {
                return Err(InvalidSetting {
                    setting: "only_hosts_under",
                    reason: format!("`{domain}`: {reason}"),
                });
            }
        }
        Ok(())
    }
}

impl<L> fmt::Debug for HardenedLookupBuilder<L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HardenedLookupBuilder")
            .field("ttl", &self.ttl)
            .field("negative_ttl", &self.negative_ttl)
            .field("max_entries", &self.max_entries)
            .field("timeout", &self.timeout)
            .field("max_in_flight", &self.max_in_flight)
            .field("hosts", &self.hosts)
            .finish_non_exhaustive()
    }
}
