//! The compiled `allow_origins`: which request origins are allowed, and what
//! `Access-Control-Allow-Origin` then says.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::origin::{self, OriginEntry, MAX_ORIGIN_LEN};

mod index;

use index::{AnyPortPatterns, ExactOrigins, SubdomainPatterns};

/// A boxed future, as returned by an [`OriginLookup`].
pub type LookupFuture<'a> = Pin<Box<dyn Future<Output = bool> + Send + 'a>>;

/// An asynchronous decision on origins that the policy does not list, for example a
/// query of the tenant database.
///
/// It is consulted only for a well-formed, single origin that no static entry allows,
/// and only by [`Policy::decide_async`](crate::Policy::decide_async), which every adapter
/// of this workspace calls when the policy has a lookup. An allowed origin is echoed in
/// `Access-Control-Allow-Origin`.
///
/// ```
/// use cors_core::{LookupFuture, OriginLookup, Policy};
///
/// struct Tenants;
///
/// impl OriginLookup for Tenants {
///     fn allows<'a>(&'a self, origin: &'a str) -> LookupFuture<'a> {
///         Box::pin(async move {
///             // A real application awaits its database here.
///             origin.ends_with(".tenant.example")
///         })
///     }
/// }
///
/// let policy = Policy::builder().allow_origin_lookup(Tenants).build().unwrap();
/// assert!(policy.has_origin_lookup());
/// ```
pub trait OriginLookup: Send + Sync + 'static {
    /// Whether `origin` (a serialized origin, such as `https://app.example.com`) is allowed.
    fn allows<'a>(&'a self, origin: &'a str) -> LookupFuture<'a>;
}

pub(crate) type OriginPredicate = Arc<dyn Fn(&str) -> bool + Send + Sync>;

/// How the request's origin was allowed, which decides the `Access-Control-Allow-Origin`
/// value. Small and `Copy`, so that adapters can keep it across the app's await.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AllowedAs {
    /// `*`.
    Any,
    /// An exact entry, a pattern, a predicate or a lookup: the request's origin is
    /// echoed (for an exact entry it is the entry, byte for byte).
    Echo,
}

/// The result of matching a request's origin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OriginMatch {
    Allowed(AllowedAs),
    Refused,
    /// No static entry allows it but the policy has an asynchronous lookup.
    AskLookup,
}

#[derive(Default)]
pub(crate) struct AllowOrigins {
    any: bool,
    null: bool,
    /// Serialized origins.
    exact: ExactOrigins,
    subdomains: SubdomainPatterns,
    any_port: AnyPortPatterns,
    predicate: Option<OriginPredicate>,
    pub(crate) lookup: Option<Arc<dyn OriginLookup>>,
}

impl fmt::Debug for AllowOrigins {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AllowOrigins")
            .field("any", &self.any)
            .field("null", &self.null)
            .field("exact", &self.exact)
            .field("subdomains", &self.subdomains)
            .field("any_port", &self.any_port)
            .field("predicate", &self.predicate.is_some())
            .field("lookup", &self.lookup.is_some())
            .finish()
    }
}

impl AllowOrigins {
    pub(crate) fn new(
        entries: Vec<OriginEntry>,
        predicate: Option<OriginPredicate>,
        lookup: Option<Arc<dyn OriginLookup>>,
    ) -> Self {
        let mut origins = AllowOrigins {
            predicate,
            lookup,
            ..Default::default()
        };
        for entry in entries {
            match entry {
                OriginEntry::Any => origins.any = true,
                OriginEntry::Null => origins.null = true,
                OriginEntry::Exact(s) => origins.exact.insert(s),
                OriginEntry::Subdomain(p) => origins.subdomains.insert(p),
                OriginEntry::AnyPort(p) => origins.any_port.insert(p),
            }
        }
        origins
    }

    /// Whether every origin is allowed with `*`.
    pub(crate) fn is_any(&self) -> bool {
        self.any
    }

    pub(crate) fn has_lookup(&self) -> bool {
        self.lookup.is_some()
    }

    /// Matches one `Origin` value. No allocation; work is bounded by [`MAX_ORIGIN_LEN`]
    /// and by the labels of the origin's host, whatever the number of entries (see
    /// [`index`]).
    pub(crate) fn find(&self, origin: &[u8]) -> OriginMatch {
        if self.any {
            return OriginMatch::Allowed(AllowedAs::Any);
        }
        if origin.len() > MAX_ORIGIN_LEN {
            return OriginMatch::Refused;
        }
        if origin == b"null" {
            // `null` is never matched by a pattern, a predicate or a lookup: any
            // sandboxed iframe can send it (Fetch, "serializing a request origin").
            return self.null_match();
        }
        if self.exact.contains(origin) {
            return OriginMatch::Allowed(AllowedAs::Echo);
        }
        self.find_dynamic(origin)
    }

    fn null_match(&self) -> OriginMatch {
        if self.null {
            OriginMatch::Allowed(AllowedAs::Echo)
        } else {
            OriginMatch::Refused
        }
    }

    fn find_dynamic(&self, origin: &[u8]) -> OriginMatch {
        let Some(parts) = origin::split_request_origin(origin) else {
            return OriginMatch::Refused;
        };
        let by_pattern = self.subdomains.allow(&parts) || self.any_port.allow(&parts);
        if by_pattern {
            return OriginMatch::Allowed(AllowedAs::Echo);
        }
        if self.predicate.is_none() && self.lookup.is_none() {
            return OriginMatch::Refused;
        }
        // Predicates and lookups get text; an origin that is not UTF-8 is no origin.
        let Ok(text) = std::str::from_utf8(origin) else {
            return OriginMatch::Refused;
        };
        if self.predicate.as_ref().is_some_and(|allows| allows(text)) {
            return OriginMatch::Allowed(AllowedAs::Echo);
        }
        if self.lookup.is_some() {
            return OriginMatch::AskLookup;
        }
        OriginMatch::Refused
    }

    pub(crate) fn describe(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.any {
            return writeln!(f, "  - any origin, answered with `*`");
        }
        for origin in self.exact.sorted() {
            writeln!(f, "  - exactly {}", String::from_utf8_lossy(origin))?;
        }
        for p in self.subdomains.sorted() {
            let port = p.port.map(|n| format!(" on port {n}")).unwrap_or_default();
            writeln!(
                f,
                "  - any subdomain of {} over {}{port} (not {} itself)",
                p.domain, p.scheme, p.domain
            )?;
        }
        for p in self.any_port.sorted() {
            writeln!(f, "  - {}://{} on any port", p.scheme, p.host)?;
        }
        if self.null {
            writeln!(
                f,
                "  - the opaque origin `null` (sandboxed iframes, file: pages)"
            )?;
        }
        if self.predicate.is_some() {
            writeln!(f, "  - any origin that the application's predicate accepts")?;
        }
        if self.lookup.is_some() {
            writeln!(f, "  - any origin that the application's lookup accepts")?;
        }
        if self.exact.is_empty()
            && self.subdomains.is_empty()
            && self.any_port.is_empty()
            && !self.null
            && self.predicate.is_none()
            && self.lookup.is_none()
        {
            writeln!(f, "  - none: no cross-origin request is allowed")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origins(entries: &[&str]) -> AllowOrigins {
        let parsed = entries
            .iter()
            .map(|e| origin::parse_entry(e).unwrap())
            .collect();
        AllowOrigins::new(parsed, None, None)
    }

    #[test]
    fn exact_entries_match_whole_origins_only() {
        let names: Vec<String> = (0..20)
            .map(|i| format!("https://t{i}.example.com"))
            .collect();
        for count in [1, 3, 8, 9, 20] {
            let list: Vec<&str> = names[..count].iter().map(String::as_str).collect();
            let origins = origins(&list);
            for name in &list {
                let found = origins.find(name.as_bytes());
                assert!(
                    matches!(found, OriginMatch::Allowed(AllowedAs::Echo)),
                    "{count}: {name}"
                );
            }
            for other in [
                "https://t1.example.co",
                "https://t1.example.comm",
                "https://t99.example.com",
            ] {
                let found = origins.find(other.as_bytes());
                assert!(matches!(found, OriginMatch::Refused), "{count}: {other}");
            }
        }
    }

    #[test]
    fn exact_entries_are_found_whole_and_case_sensitive() {
        let set = origins(&[
            "https://b.com",
            "https://a.com",
            "https://c.com",
            "https://a.com",
        ]);
        assert_eq!(
            set.find(b"https://c.com"),
            OriginMatch::Allowed(AllowedAs::Echo)
        );
        assert_eq!(set.find(b"https://d.com"), OriginMatch::Refused);
        assert_eq!(set.find(b"https://A.com"), OriginMatch::Refused);
    }

    #[test]
    fn null_needs_an_explicit_entry() {
        assert_eq!(
            origins(&["https://*.a.com"]).find(b"null"),
            OriginMatch::Refused
        );
        assert_eq!(
            origins(&["null"]).find(b"null"),
            OriginMatch::Allowed(AllowedAs::Echo)
        );
    }

    #[test]
    fn lookup_is_asked_only_when_nothing_static_matches() {
        struct No;
        impl OriginLookup for No {
            fn allows<'a>(&'a self, _: &'a str) -> LookupFuture<'a> {
                Box::pin(async { false })
            }
        }
        let entries = vec![origin::parse_entry("https://a.com").unwrap()];
        let set = AllowOrigins::new(entries, None, Some(Arc::new(No)));
        assert!(matches!(
            set.find(b"https://a.com"),
            OriginMatch::Allowed(_)
        ));
        assert_eq!(set.find(b"https://b.com"), OriginMatch::AskLookup);
        assert_eq!(set.find(b"not an origin"), OriginMatch::Refused);
        assert_eq!(set.find(b"null"), OriginMatch::Refused);
    }

    #[test]
    fn any_port_allows_only_ports_a_browser_sends() {
        let set = origins(&["http://localhost:*"]);
        for origin in ["http://localhost", "http://localhost:3000"] {
            assert_eq!(
                set.find(origin.as_bytes()),
                OriginMatch::Allowed(AllowedAs::Echo),
                "{origin}"
            );
        }
        for origin in [
            "http://localhost:65536",
            "http://localhost:099",
            "http://localhost:80",
            "https://localhost:443",
        ] {
            assert_eq!(
                set.find(origin.as_bytes()),
                OriginMatch::Refused,
                "{origin}"
            );
        }
    }

    #[test]
    fn predicate_sees_well_formed_origins_only() {
        let predicate: OriginPredicate = Arc::new(|o: &str| o.starts_with("https://"));
        let set = AllowOrigins::new(vec![], Some(predicate), None);
        assert_eq!(
            set.find(b"https://x.org"),
            OriginMatch::Allowed(AllowedAs::Echo)
        );
        assert_eq!(set.find(b"https://x.org/path:1"), OriginMatch::Refused);
        assert_eq!(set.find(&[b'h'; 600]), OriginMatch::Refused);
    }
}
