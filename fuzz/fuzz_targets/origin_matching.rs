//! Differential: the core's origin matching against a slow reference matcher.
//!
//! The input is the raw `Origin` value of a GET. For a fixed policy with exact entries,
//! `https://*.example.com`, `https://*.example.org:8443`, `http://localhost:*` and
//! `null`, `Access-Control-Allow-Origin` must be written exactly when the reference
//! (string operations on `scheme://host[:port]`, see src/lib.rs) allows the origin, at
//! most once, and then equal to the request's `Origin` byte for byte.
#![no_main]

use std::sync::LazyLock;

use cors_core::Policy;
use cors_core_fuzz::{
    allow_origin_values, credential_reference, pattern_policy, pattern_reference, RefOrigins,
    CREDENTIAL_ORIGINS,
};
use libfuzzer_sys::fuzz_target;

static POLICIES: LazyLock<Vec<(Policy, RefOrigins)>> = LazyLock::new(|| {
    let credentials = Policy::builder()
        .allow_origins(CREDENTIAL_ORIGINS)
        .allow_credentials(true)
        .build()
        .expect("the credentials policy is valid");
    vec![
        (pattern_policy(), pattern_reference()),
        (credentials, credential_reference()),
    ]
});

fuzz_target!(|origin: &[u8]| {
    for (policy, reference) in POLICIES.iter() {
        let values = allow_origin_values(policy, origin);
        assert!(
            values.len() <= 1,
            "{} Access-Control-Allow-Origin lines for {:?}",
            values.len(),
            origin.escape_ascii().to_string()
        );
        let expected = reference.allows(origin);
        assert_eq!(
            !values.is_empty(),
            expected,
            "core and reference disagree on Origin {:?} (reference allows: {expected})",
            origin.escape_ascii().to_string()
        );
        if let Some(value) = values.first() {
            assert_eq!(
                value.as_slice(),
                origin,
                "Access-Control-Allow-Origin is not the request's Origin"
            );
        }
    }
});
