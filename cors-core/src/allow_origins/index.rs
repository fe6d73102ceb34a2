//! The entries of `allow_origins`, indexed when the policy is built so that matching a
//! request's origin costs time in proportion to the labels of its host, not to the
//! number of entries: a policy of ten thousand tenants decides as fast as a policy of
//! one.
//!
//! - A few exact origins, or a few subdomain patterns (up to [`FEW`]), are compared one
//!   by one: for them that is faster than hashing the request's origin.
//! - Beyond that, exact origins are a hash set of their serializations.
//! - `scheme://*.domain[:port]` patterns are grouped by `domain`. A request host is cut
//!   at its dots from the right, and each parent domain is looked up, but only those
//!   whose label count lies between the fewest and the most labels of the indexed
//!   domains: a host of a hundred labels costs no more lookups than that range is wide.
//! - `scheme://host:*` patterns are grouped by `host`: one lookup.
//!
//! The index only narrows the candidates: each candidate pattern still checks the whole
//! origin with its own `matches`, so the index cannot allow what a pattern would not.
//!
//! The hash is `foldhash`, seeded per index. Its keys come from the policy, never from
//! requests, so a request can only probe the table, not fill a bucket.

use std::collections::{HashMap, HashSet};

use foldhash::fast::RandomState;

use crate::origin::{AnyPortPattern, OriginParts, SubdomainPattern};

/// Up to this many entries of a kind are compared one by one, without an index.
pub(crate) const FEW: usize = 8;

/// The exact origins of a policy.
#[derive(Debug, Default)]
pub(crate) struct ExactOrigins {
    /// Every entry, once.
    all: Vec<Box<[u8]>>,
    /// The same entries, hashed once there are more than [`FEW`].
    hashed: Option<HashSet<Box<[u8]>, RandomState>>,
}

impl ExactOrigins {
    pub(crate) fn insert(&mut self, origin: String) {
        let origin = origin.into_bytes().into_boxed_slice();
        if self.contains(&origin) {
            return;
        }
        if let Some(hashed) = &mut self.hashed {
            hashed.insert(origin.clone());
        }
        self.all.push(origin);
        if self.hashed.is_none() && self.all.len() > FEW {
            self.hashed = Some(self.all.iter().cloned().collect());
        }
    }

    // Inlined into the origin match, where an allowed exact origin (the most common
    // request) spends most of its time.
    #[inline]
    pub(crate) fn contains(&self, origin: &[u8]) -> bool {
        match &self.hashed {
            Some(hashed) => hashed.contains(origin),
            None => self.all.iter().any(|entry| **entry == *origin),
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.all.is_empty()
    }

    /// The entries in byte order, for describing the policy.
    pub(crate) fn sorted(&self) -> Vec<&[u8]> {
        let mut all: Vec<&[u8]> = self.all.iter().map(AsRef::as_ref).collect();
        all.sort_unstable();
        all
    }
}

/// The subdomain patterns of a policy, by the domain they end in.
#[derive(Debug, Default)]
pub(crate) struct SubdomainPatterns {
    /// Every pattern, once.
    all: Vec<SubdomainPattern>,
    /// The same patterns by domain, once there are more than [`FEW`].
    by_domain: HashMap<Box<[u8]>, Vec<SubdomainPattern>, RandomState>,
    /// The fewest and the most labels of a pattern's domain.
    fewest_labels: usize,
    most_labels: usize,
}

impl SubdomainPatterns {
    pub(crate) fn insert(&mut self, pattern: SubdomainPattern) {
        if self.contains(&pattern) {
            return;
        }
        let labels = label_count(pattern.domain.as_bytes());
        if self.all.is_empty() {
            (self.fewest_labels, self.most_labels) = (labels, labels);
        } else {
            self.fewest_labels = self.fewest_labels.min(labels);
            self.most_labels = self.most_labels.max(labels);
        }
        self.all.push(pattern);
        if self.all.len() == FEW + 1 {
            for pattern in &self.all {
                self.by_domain
                    .entry(pattern.domain.as_bytes().into())
                    .or_default()
                    .push(pattern.clone());
            }
        } else if self.all.len() > FEW + 1 {
            let pattern = self.all.last().expect("just pushed");
            let group = self.by_domain.entry(pattern.domain.as_bytes().into());
            group.or_default().push(pattern.clone());
        }
    }

    /// Whether `pattern` is in already: through the index once there is one, so that
    /// building a policy of many patterns stays linear.
    fn contains(&self, pattern: &SubdomainPattern) -> bool {
        if self.all.len() <= FEW {
            return self.all.contains(pattern);
        }
        let group = self.by_domain.get(pattern.domain.as_bytes());
        group.is_some_and(|group| group.contains(pattern))
    }

    /// Whether a pattern allows the origin: each pattern in turn while there are few,
    /// else one lookup per parent domain of the host whose label count some indexed
    /// domain has.
    pub(crate) fn allow(&self, origin: &OriginParts<'_>) -> bool {
        if self.all.len() <= FEW {
            return self.all.iter().any(|pattern| pattern.matches(origin));
        }
        let host = origin.host;
        let mut left = host;
        let mut labels = 0;
        // The parent domain after the n-th dot from the right has n labels.
        while let Some(dot) = left.iter().rposition(|&b| b == b'.') {
            labels += 1;
            if labels > self.most_labels {
                break;
            }
            left = &host[..dot];
            if labels < self.fewest_labels {
                continue;
            }
            let Some(group) = self.by_domain.get(&host[dot + 1..]) else {
                continue;
            };
            if group.iter().any(|pattern| pattern.matches(origin)) {
                return true;
            }
        }
        false
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.all.is_empty()
    }

    /// The patterns ordered by domain, for describing the policy.
    pub(crate) fn sorted(&self) -> Vec<&SubdomainPattern> {
        let mut all: Vec<&SubdomainPattern> = self.all.iter().collect();
        all.sort_unstable_by(|a, b| {
            (&a.domain, &a.scheme, a.port).cmp(&(&b.domain, &b.scheme, b.port))
        });
        all
    }
}

/// The any-port patterns of a policy, by host.
#[derive(Debug, Default)]
pub(crate) struct AnyPortPatterns(HashMap<Box<[u8]>, Vec<AnyPortPattern>, RandomState>);

impl AnyPortPatterns {
    pub(crate) fn insert(&mut self, pattern: AnyPortPattern) {
        let group = self.0.entry(pattern.host.as_bytes().into()).or_default();
        if !group.contains(&pattern) {
            group.push(pattern);
        }
    }

    pub(crate) fn allow(&self, origin: &OriginParts<'_>) -> bool {
        self.0
            .get(origin.host)
            .is_some_and(|group| group.iter().any(|pattern| pattern.matches(origin)))
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The patterns ordered by host, for describing the policy.
    pub(crate) fn sorted(&self) -> Vec<&AnyPortPattern> {
        let mut all: Vec<&AnyPortPattern> = self.0.values().flatten().collect();
        all.sort_unstable_by(|a, b| (&a.host, &a.scheme).cmp(&(&b.host, &b.scheme)));
        all
    }
}

fn label_count(domain: &[u8]) -> usize {
    domain.iter().filter(|&&b| b == b'.').count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::origin::{self, split_request_origin, OriginEntry};
    use proptest::prelude::*;

    fn subdomains(entries: &[&str]) -> (SubdomainPatterns, Vec<SubdomainPattern>) {
        let mut index = SubdomainPatterns::default();
        let mut list = Vec::new();
        for entry in entries {
            let Ok(OriginEntry::Subdomain(pattern)) = origin::parse_entry(entry) else {
                panic!("{entry} is not a subdomain pattern");
            };
            list.push(pattern.clone());
            index.insert(pattern);
        }
        (index, list)
    }

    fn allowed(index: &SubdomainPatterns, origin: &str) -> bool {
        split_request_origin(origin.as_bytes()).is_some_and(|parts| index.allow(&parts))
    }

    #[test]
    fn a_host_is_looked_up_at_each_parent_domain_the_index_has_label_counts_for() {
        let (index, _) = subdomains(&[
            "https://*.example.com",
            "https://*.t1.tenants.example.net:8443",
        ]);
        assert_eq!((index.fewest_labels, index.most_labels), (2, 4));
        assert!(allowed(&index, "https://a.example.com"));
        assert!(allowed(&index, "https://a.b.c.example.com"));
        assert!(allowed(&index, "https://x.t1.tenants.example.net:8443"));
        assert!(!allowed(&index, "https://x.t1.tenants.example.net"));
        assert!(!allowed(&index, "https://example.com"));
        assert!(!allowed(&index, "http://a.example.com"));
        assert!(!allowed(&index, "https://a.example.com.evil.net"));
        assert!(!allowed(&index, "https://aexample.com"));
    }

    #[test]
    fn an_empty_index_allows_nothing() {
        let (index, _) = subdomains(&[]);
        assert!(!allowed(&index, "https://a.example.com"));
        assert!(index.is_empty());
    }

    #[test]
    fn the_same_pattern_twice_is_kept_once() {
        let (index, _) = subdomains(&["https://*.a.com", "https://*.a.com", "http://*.a.com"]);
        assert_eq!(index.sorted().len(), 2);
        let mut exact = ExactOrigins::default();
        for i in 0..2 * FEW {
            exact.insert(format!("https://t{}.example", i % FEW + 1));
        }
        assert_eq!(exact.sorted().len(), FEW);
        assert!(exact.hashed.is_none());
    }

    /// Label-like pieces, so that generated origins often share domains with the
    /// generated patterns.
    fn label() -> impl Strategy<Value = String> {
        prop::sample::select(vec!["a", "b", "xn--bcher-kva", "t1", "com", "example", "0"])
            .prop_map(str::to_owned)
    }

    fn host(max_labels: usize) -> impl Strategy<Value = String> {
        prop::collection::vec(label(), 1..=max_labels).prop_map(|labels| labels.join("."))
    }

    fn port() -> impl Strategy<Value = String> {
        prop::sample::select(vec!["", ":8443", ":3000"]).prop_map(str::to_owned)
    }

    fn scheme() -> impl Strategy<Value = String> {
        prop::sample::select(vec!["https", "http"]).prop_map(str::to_owned)
    }

    proptest! {
        /// The index allows exactly what trying every pattern in turn allows.
        #[test]
        fn the_index_agrees_with_trying_every_pattern(
            patterns in prop::collection::vec((scheme(), host(3), port()), 0..20),
            origins in prop::collection::vec((scheme(), host(6), port()), 1..16),
        ) {
            let entries: Vec<String> = patterns
                .iter()
                .map(|(s, h, p)| format!("{s}://*.{h}{p}"))
                .filter(|e| matches!(origin::parse_entry(e), Ok(OriginEntry::Subdomain(_))))
                .collect();
            let entries: Vec<&str> = entries.iter().map(String::as_str).collect();
            let (index, list) = subdomains(&entries);
            for (s, h, p) in &origins {
                let origin = format!("{s}://{h}{p}");
                let Some(parts) = split_request_origin(origin.as_bytes()) else { continue };
                let one_by_one = list.iter().any(|pattern| pattern.matches(&parts));
                prop_assert_eq!(index.allow(&parts), one_by_one, "{} against {:?}", origin, entries);
            }
        }
    }
}
