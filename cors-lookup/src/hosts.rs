//! The host suffixes worth asking the lookup about.

/// Domains whose hosts (the domain itself or any subdomain) the lookup may allow; empty
/// means every host.
#[derive(Debug, Default)]
pub(crate) struct HostSuffixes(Vec<String>);

impl HostSuffixes {
    pub(crate) fn new(domains: Vec<String>) -> Self {
        HostSuffixes(domains)
    }

    /// Whether the host of `origin` (a serialized origin, which the policy has already
    /// checked) is one of the domains or under one, at a label boundary.
    pub(crate) fn may_allow(&self, origin: &str) -> bool {
        if self.0.is_empty() {
            return true;
        }
        let host = host_of(origin);
        self.0.iter().any(|domain| {
            host.strip_suffix(domain.as_str())
                .is_some_and(|rest| rest.is_empty() || rest.ends_with('.'))
        })
    }
}

/// The host of a serialized origin: after `://`, before a port.
fn host_of(origin: &str) -> &str {
    let authority = origin.split_once("://").map_or(origin, |(_, rest)| rest);
    if authority.ends_with(']') {
        return authority;
    }
    authority
        .rsplit_once(':')
        .map_or(authority, |(host, _)| host)
}

/// Checks one configured suffix: a lower-case domain as browsers serialize hosts,
/// without scheme, port, wildcard or surrounding dots.
pub(crate) fn check_domain(domain: &str) -> Result<(), &'static str> {
    let well_formed = !domain.is_empty()
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && domain
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-_.".contains(&b));
    if well_formed {
        Ok(())
    } else {
        Err("a host suffix is a lower-case domain such as `tenants.example.com` (no scheme, port, `*` or leading dot; punycode for non-ASCII names)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_match_at_a_label_boundary() {
        let suffixes = HostSuffixes::new(vec!["tenants.example.com".into()]);
        for origin in [
            "https://tenants.example.com",
            "https://a.tenants.example.com",
            "https://a.b.tenants.example.com:8443",
        ] {
            assert!(suffixes.may_allow(origin), "{origin}");
        }
        for origin in [
            "https://eviltenants.example.com",
            "https://tenants.example.com.evil.net",
            "https://example.com",
            "http://[::1]:8080",
        ] {
            assert!(!suffixes.may_allow(origin), "{origin}");
        }
    }

    #[test]
    fn no_suffix_means_every_host() {
        assert!(HostSuffixes::default().may_allow("https://anything.example"));
    }

    #[test]
    fn suffixes_are_checked() {
        assert!(check_domain("tenants.example.com").is_ok());
        for bad in [
            "",
            ".example.com",
            "example.com.",
            "*.example.com",
            "Example.com",
            "https://a.com",
            "a.com:443",
            "a..com",
        ] {
            assert!(check_domain(bad).is_err(), "{bad}");
        }
    }
}
