//! Policy files: arbitrary text through `Policy::from_toml_str` and
//! `Policy::from_json_str` (and the `PolicyConfig` parsers behind them).
//!
//! Invariants: no panic; an error has at least one problem, a non-empty message, and
//! every problem says why (non-empty message); the error's `Display` is its problems
//! joined by line breaks. A policy
//! that builds describes itself (`to_string()`), and one with credentials never allows
//! any origin (no `*`, no `null`, not an arbitrary origin). A `PolicyConfig` that parses
//! survives a round trip through the other format unchanged.
#![no_main]

use cors_core::{Policy, PolicyConfig, PolicyError};
use cors_core_fuzz::allow_origin_values;
use libfuzzer_sys::fuzz_target;

fn check_error(error: &PolicyError) {
    let problems = error.problems();
    assert!(!problems.is_empty(), "an error without problems");
    let text = error.to_string();
    assert!(!text.trim().is_empty(), "an empty error message");
    for problem in problems {
        assert!(
            !problem.message.trim().is_empty(),
            "a problem that does not say why: {problem:?}"
        );
        // A field is either empty (the whole document) or a path in the file. It is not
        // checked for line breaks: an unknown key is echoed as written, and a policy
        // file's keys may contain any character (reported, see README.md).
    }
    let joined: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert_eq!(text, joined.join("\n"));
}

fn check_policy(policy: &Policy) {
    let description = policy.to_string();
    assert!(description.starts_with("Origins allowed:"), "{description}");
    if policy.allows_credentials() {
        assert!(
            !description.contains("any origin, answered with `*`"),
            "credentials with any origin:\n{description}"
        );
        for origin in [
            &b"https://evil.example"[..],
            b"null",
            b"http://attacker.test:8080",
        ] {
            let values = allow_origin_values(policy, origin);
            assert!(
                values.is_empty(),
                "a credentials policy allowed {:?}: {values:?}\n{description}",
                origin.escape_ascii().to_string()
            );
        }
    }
}

fn check_config(config: &PolicyConfig) {
    // JSON can say everything a config holds.
    let json = serde_json::to_string(config).expect("a config serializes to JSON");
    match PolicyConfig::from_json_str(&json) {
        Ok(back) => assert_eq!(&back, config, "JSON round trip changed the config: {json}"),
        Err(e) => panic!("JSON written from a config does not parse back: {e}\n{json}"),
    }
    // TOML integers are i64: a max_age beyond that cannot be written, which is fine.
    if let Ok(toml) = toml::to_string(config) {
        match PolicyConfig::from_toml_str(&toml) {
            Ok(back) => assert_eq!(&back, config, "TOML round trip changed the config: {toml}"),
            Err(e) => panic!("TOML written from a config does not parse back: {e}\n{toml}"),
        }
    }
}

/// Checks one parse, and returns whether a policy was built.
fn check_parsed(parsed: Result<PolicyConfig, PolicyError>) -> bool {
    match parsed {
        Err(error) => {
            check_error(&error);
            false
        }
        Ok(config) => {
            check_config(&config);
            match config.build() {
                Ok(policy) => {
                    check_policy(&policy);
                    true
                }
                Err(error) => {
                    check_error(&error);
                    false
                }
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let toml_built = check_parsed(PolicyConfig::from_toml_str(&text));
    let json_built = check_parsed(PolicyConfig::from_json_str(&text));
    // The one-call entry points agree with the two-step path.
    match Policy::from_toml_str(&text) {
        Ok(policy) => {
            assert!(toml_built);
            check_policy(&policy);
        }
        Err(error) => {
            assert!(!toml_built);
            check_error(&error);
        }
    }
    match Policy::from_json_str(&text) {
        Ok(policy) => {
            assert!(json_built);
            check_policy(&policy);
        }
        Err(error) => {
            assert!(!json_built);
            check_error(&error);
        }
    }
});
