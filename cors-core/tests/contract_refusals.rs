//! Every policy that docs/contract.md says is refused is refused when the policy is
//! built, by an error that names the field. Each is written as a policy file would be.

use cors_core::{Policy, PolicyError};

fn refused(toml: &str) -> PolicyError {
    match Policy::from_toml_str(toml) {
        Ok(policy) => panic!("accepted:\n{toml}\n{policy}"),
        Err(error) => error,
    }
}

/// Asserts that the policy is refused with a problem on exactly `field` whose message
/// contains `why`.
fn assert_refused(toml: &str, field: &str, why: &str) {
    let error = refused(toml);
    let found = error
        .problems()
        .iter()
        .any(|p| p.field == field && p.message.contains(why));
    assert!(
        found,
        "{toml}\nexpected {field}: ...{why}..., got:\n{error}"
    );
}

#[test]
fn malformed_origins_name_the_entry() {
    let cases = [
        (
            r#"allow_origins = ["https://app.example.com/api"]"#,
            "has a path",
        ),
        (
            r#"allow_origins = ["https://app.example.com/"]"#,
            "has a trailing slash",
        ),
        (
            r#"allow_origins = ["https://app.example.com?a=1"]"#,
            "has a query",
        ),
        (
            r#"allow_origins = ["https://user:pw@app.example.com"]"#,
            "user information",
        ),
        (
            r#"allow_origins = ["https://app.example.com:443"]"#,
            "default port :443",
        ),
        (
            r#"allow_origins = ["http://app.example.com:80"]"#,
            "default port :80",
        ),
        (
            r#"allow_origins = ["https://app..example.com"]"#,
            "malformed host",
        ),
        (
            r#"allow_origins = ["https://app_ex ample.com"]"#,
            "malformed host",
        ),
        (r#"allow_origins = ["app.example.com"]"#, "has no scheme"),
    ];
    for (toml, why) in cases {
        assert_refused(toml, "allow_origins[0]", why);
    }
    // The index names the entry, not just the field.
    assert_refused(
        r#"allow_origins = ["https://a.example.com", "https://b.example.com", "https://app.example.com/"]"#,
        "allow_origins[2]",
        "\"https://app.example.com/\" has a trailing slash; an origin is scheme://host[:port]",
    );
}

#[test]
fn insecure_and_meaningless_combinations_are_refused() {
    assert_refused(
        "allow_origins = [\"*\"]\nallow_credentials = true",
        "allow_origins[0]",
        "cannot be used with allow_credentials = true",
    );
    assert_refused(
        "allow_origins = [\"null\"]\nallow_credentials = true",
        "allow_origins[0]",
        "cannot be used with allow_credentials = true",
    );
    assert_refused(
        r#"allow_origins = ["https://app.example.com", "*"]"#,
        "allow_origins[1]",
        "cannot be mixed with other entries",
    );
    assert_refused(
        "allow_origins = [\"https://a.com\"]\nexpose_headers = [\"*\"]\nallow_credentials = true",
        "expose_headers[0]",
        "header literally named `*`",
    );
    for method in ["CONNECT", "TRACE", "TRACK"] {
        let toml = format!("allow_methods = [\"GET\", \"PUT\", \"{method}\"]");
        assert_refused(&toml, "allow_methods[2]", "forbidden method");
    }
    assert_refused("max_age = 86401", "max_age", "more than 86400");
    assert_refused("allow_origns = []", "allow_origns", "unknown field");
}

#[test]
fn every_problem_is_reported_at_once() {
    let error = refused(
        r#"
        allow_origins = ["*", "https://a.com/"]
        allow_credentials = true
        allow_methods = ["TRACE"]
        expose_headers = ["*"]
        max_age = 90000
        "#,
    );
    for field in [
        "allow_origins",
        "allow_methods",
        "expose_headers",
        "max_age",
    ] {
        assert!(error.names_field(field), "{field} not named in:\n{error}");
    }
    assert_eq!(error.problems().len(), 6, "{error}");
}

#[test]
fn the_accepted_forms_of_the_contract_build() {
    let accepted = [
        r#"allow_origins = ["https://app.example.com", "https://*.example.com"]"#,
        r#"allow_origins = ["*"]"#,
        r#"allow_origins = ["http://localhost:*"]"#,
        r#"allow_origins = ["null"]"#,
        "allow_origins = [\"https://a.com\"]\nallow_methods = [\"*\"]\nallow_headers = [\"*\"]\nallow_credentials = true",
        r#"allow_headers = ["*", "authorization"]"#,
        "max_age = 86400",
        "",
    ];
    for toml in accepted {
        if let Err(error) = Policy::from_toml_str(toml) {
            panic!("refused:\n{toml}\n{error}");
        }
    }
}

#[test]
fn security_guards_name_the_field() {
    assert_refused(
        "allow_origins = [\"https://*.co.uk\"]\nallow_credentials = true",
        "allow_origins[0]",
        "public suffix `co.uk`",
    );
    assert_refused(
        "allow_origins = [\"https://a.example.com\", \"https://*.github.io\"]\nallow_credentials = true",
        "allow_origins[1]",
        "public suffix `github.io`",
    );
    assert_refused(
        "allow_origins = [\"http://app.example.com\"]\nallow_credentials = true",
        "allow_origins[0]",
        "plain http",
    );
    assert_refused(
        r#"allow_headers = ["content-type", "Cookie"]"#,
        "allow_headers[1]",
        "forbidden request header",
    );
    assert_refused(
        r#"allow_headers = ["sec-fetch-site"]"#,
        "allow_headers[0]",
        "forbidden request header",
    );
    assert_refused(
        r#"expose_headers = ["x-request-id", "set-cookie"]"#,
        "expose_headers[1]",
        "can never be read",
    );
}

#[test]
fn doubtful_but_legal_policies_build_with_a_warning() {
    let policy = Policy::from_toml_str(r#"allow_origins = ["https://*.com"]"#).unwrap();
    let warnings = policy.warnings();
    assert_eq!(warnings.len(), 1);
    assert_eq!(warnings[0].field, "allow_origins[0]");
    assert!(
        warnings[0].message.contains("public suffix `com`"),
        "{}",
        warnings[0]
    );
    let opted_in = "allow_origins = [\"http://intranet.example\"]\nallow_credentials = true\nallow_credentials_over_plain_http = true";
    assert!(Policy::from_toml_str(opted_in)
        .unwrap()
        .warnings()
        .is_empty());
    let loopback = "allow_origins = [\"http://localhost:*\", \"http://127.0.0.1:3000\"]\nallow_credentials = true";
    assert!(Policy::from_toml_str(loopback).is_ok());
}

#[test]
fn star_beside_names_builds_with_a_note_that_the_names_are_redundant() {
    let policy = Policy::from_toml_str(
        r#"
        allow_origins = ["https://a.com"]
        allow_methods = ["*", "PUT"]
        allow_headers = ["*", "content-type", "authorization"]
        expose_headers = ["*", "x-request-id"]
        "#,
    )
    .unwrap();
    let noted: Vec<String> = policy.warnings().iter().map(ToString::to_string).collect();
    assert_eq!(
        noted,
        [
            "allow_methods[1]: \"PUT\" is already covered by \"*\"; the name is redundant",
            "allow_headers[1]: \"content-type\" is already covered by \"*\"; the name is redundant",
            "expose_headers[1]: \"x-request-id\" is already covered by \"*\"; the name is redundant",
        ],
        "authorization is not covered by `*`, so it is not redundant"
    );
    assert_refused(
        "allow_methods = [\"*\", \"TRACE\"]",
        "allow_methods[1]",
        "forbidden method",
    );
}

#[test]
fn a_predicate_that_allows_unowned_origins_is_refused_with_credentials() {
    let error = Policy::builder()
        .allow_origin_fn(|_| true)
        .allow_credentials(true)
        .build()
        .unwrap_err();
    assert!(error.names_field("allow_origin_fn"), "{error}");
    assert!(error.to_string().contains(".invalid"), "{error}");
    let https_only = Policy::builder()
        .allow_origin_fn(|origin| origin.starts_with("https://"))
        .allow_credentials(true)
        .build();
    assert!(https_only.is_err(), "every https origin is every origin");
    let open = Policy::builder().allow_origin_fn(|_| true).build().unwrap();
    assert_eq!(open.warnings()[0].field, "allow_origin_fn");
    let tenants = Policy::builder()
        .allow_origin_fn(|origin| origin.ends_with(".tenants.example.com"))
        .allow_credentials(true)
        .build()
        .unwrap();
    assert!(tenants.warnings().is_empty());
}

#[test]
fn each_problem_carries_a_kind_programs_can_react_to() {
    use cors_core::ProblemKind;
    let kinds = |toml: &str| -> Vec<(String, ProblemKind)> {
        let problems = match Policy::from_toml_str(toml) {
            Err(error) => error.problems().to_vec(),
            Ok(policy) => policy.warnings().to_vec(),
        };
        problems.into_iter().map(|p| (p.field, p.kind)).collect()
    };
    let refused = kinds(
        r#"
        allow_origins = ["https://a.com/", "*"]
        allow_credentials = true
        allow_methods = ["TRACE"]
        max_age = 90000
        "#,
    );
    assert_eq!(
        refused,
        [
            ("allow_origins[0]".into(), ProblemKind::Malformed),
            ("allow_origins[1]".into(), ProblemKind::Meaningless),
            ("allow_origins[1]".into(), ProblemKind::Insecure),
            ("allow_methods[0]".into(), ProblemKind::Meaningless),
            ("max_age".into(), ProblemKind::OutOfRange),
        ]
    );
    assert_eq!(
        kinds("allow_origns = []"),
        [("allow_origns".into(), ProblemKind::File)]
    );
    assert_eq!(
        kinds("allow_origins = [\"https://*.com\"]\nallow_methods = [\"*\", \"GET\"]"),
        [
            ("allow_origins[0]".into(), ProblemKind::Doubtful),
            ("allow_methods[1]".into(), ProblemKind::Redundant),
        ]
    );
}
