//! Domains under which someone other than their owner can obtain a name, according to
//! the Public Suffix List (<https://publicsuffix.org/list/>).
//!
//! A subdomain pattern `scheme://*.DOMAIN` trusts every name under DOMAIN. That is only
//! the owner's trust to give when nobody else can get such a name, which fails in three
//! ways: DOMAIN is a public suffix (`com`, `co.uk`, `github.io`); a wildcard rule makes
//! each of its children one (`*.np`, so `attacker.com.np` is anyone's); or a rule lies
//! deeper under it (`s3.amazonaws.com`, so anyone's bucket is under `amazonaws.com`).
//! The `psl` crate answers the first; it cannot list rules, so the other two use a table
//! generated from the list that `psl` was compiled from.

use std::fmt;

mod ancestors;

use ancestors::ANCESTORS;

/// Why names under a domain are not all its owner's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shared<'a> {
    /// The domain is a public suffix itself.
    Suffix(&'a str),
    /// The list's wildcard rule `*.domain` makes the domain's children public suffixes.
    Children(&'a str),
    /// The list has rules deeper under the domain; `rule` is the labels that one of them
    /// puts in front of it.
    Below { domain: &'a str, rule: &'static str },
}

/// Whether, and why, names under `domain` (lower-case ASCII) can belong to others.
pub(crate) fn shared_domain(domain: &str) -> Option<Shared<'_>> {
    // A trailing dot (`com.`) writes out DNS's root label: the same names, so the same rules.
    let name = domain.strip_suffix('.').unwrap_or(domain);
    if is_public_suffix(name) {
        return Some(Shared::Suffix(domain));
    }
    let found = ANCESTORS.binary_search_by(|&(ancestor, _)| ancestor.cmp(name));
    match ANCESTORS[found.ok()?].1 {
        "*" => Some(Shared::Children(domain)),
        rule => Some(Shared::Below { domain, rule }),
    }
}

fn is_public_suffix(domain: &str) -> bool {
    // Only listed suffixes count: an unknown top-level label (`*.internal`) is no one
    // else's to register.
    psl::suffix(domain.as_bytes())
        .is_some_and(|suffix| suffix.is_known() && suffix.as_bytes() == domain.as_bytes())
}

/// Worded to follow "matches every site under ".
impl fmt::Display for Shared<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Shared::Suffix(domain) => write!(
                f,
                "the public suffix `{domain}`, where anyone can register a name"
            ),
            Shared::Children(domain) => write!(
                f,
                "`{domain}`, whose subdomains are public suffixes (rule `*.{domain}` of the Public Suffix List), where anyone can register a name"
            ),
            Shared::Below { domain, rule } => write!(
                f,
                "`{domain}`, which has public suffixes under it (such as `{rule}.{domain}`), where anyone can register a name"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_suffixes_are_shared() {
        for domain in [
            "com",
            "co.uk",
            "github.io",
            "s3.amazonaws.com",
            // `公司.cn`, as browsers send it.
            "xn--55qx5d.cn",
            // Under a wildcard rule, every child is a suffix, unless an exception says not.
            "com.np",
            "example.np",
            "anything.kawasaki.jp",
        ] {
            assert_eq!(shared_domain(domain), Some(Shared::Suffix(domain)));
        }
    }

    #[test]
    fn domains_whose_children_are_public_suffixes_are_shared() {
        for domain in ["np", "ck", "jm", "kawasaki.jp", "digitaloceanspaces.com"] {
            assert_eq!(shared_domain(domain), Some(Shared::Children(domain)));
        }
    }

    #[test]
    fn domains_with_public_suffixes_deeper_under_them_are_shared() {
        let below = |domain, rule| Some(Shared::Below { domain, rule });
        assert_eq!(shared_domain("amazonaws.com"), below("amazonaws.com", "s3"));
        assert_eq!(
            shared_domain("windows.net"),
            below("windows.net", "servicebus")
        );
        assert_eq!(
            shared_domain("core.windows.net"),
            below("core.windows.net", "blob")
        );
    }

    #[test]
    fn domains_only_their_owner_can_name_under_are_not_shared() {
        for domain in [
            "example.com",
            "example.co.uk",
            "internal",
            // Registrable under the wildcard `*.np`: the owner of `example.com.np` has
            // every name under it.
            "example.com.np",
            "shop.example.com.np",
            // Exceptions to wildcards (`!city.kawasaki.jp`, `!www.ck`) are registrable.
            "city.kawasaki.jp",
            "www.ck",
            "bucket.s3.amazonaws.com",
        ] {
            assert_eq!(shared_domain(domain), None, "{domain}");
        }
    }

    #[test]
    fn a_trailing_dot_changes_nothing() {
        assert_eq!(shared_domain("co.uk."), Some(Shared::Suffix("co.uk.")));
        assert_eq!(shared_domain("np."), Some(Shared::Children("np.")));
        assert_eq!(
            shared_domain("amazonaws.com."),
            Some(Shared::Below {
                domain: "amazonaws.com.",
                rule: "s3"
            })
        );
        assert_eq!(shared_domain("example.com."), None);
    }

    #[test]
    fn the_table_is_sorted_ascii_for_binary_search() {
        assert!(ANCESTORS.windows(2).all(|pair| pair[0].0 < pair[1].0));
        assert!(ANCESTORS
            .iter()
            .all(|(domain, rule)| domain.is_ascii() && rule.is_ascii()));
    }

    /// The table and `psl` must come from the same list: each rule the table names (with
    /// a label in place of a wildcard) is a public suffix for `psl`.
    #[test]
    fn every_rule_in_the_table_is_a_public_suffix_for_psl() {
        for &(domain, rule) in ANCESTORS {
            let name = format!("{}.{domain}", rule.replacen('*', "probe", 1));
            assert!(is_public_suffix(&name), "{name}");
        }
    }

    #[test]
    fn reasons_say_who_can_register_and_name_a_rule() {
        assert_eq!(
            shared_domain("amazonaws.com").unwrap().to_string(),
            "`amazonaws.com`, which has public suffixes under it (such as `s3.amazonaws.com`), where anyone can register a name"
        );
        assert_eq!(
            shared_domain("np").unwrap().to_string(),
            "`np`, whose subdomains are public suffixes (rule `*.np` of the Public Suffix List), where anyone can register a name"
        );
    }
}
