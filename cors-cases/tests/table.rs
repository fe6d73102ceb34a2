//! Checks of the case table itself: it loads, it is large enough, its names are
//! unique, and every verdict it states is what the browser's algorithm concludes from
//! the expected response.

use std::collections::BTreeSet;

use cors_cases::browser::{check_case, verdict_for};
use cors_cases::{check_headers, load_all, load_browser, Case, Family, Outcome, Verdict};

/// The table with any policy: the core's tests load it with the core's policy schema.
fn table() -> Vec<Family> {
    load_all::<toml::Table>().unwrap_or_else(|e| panic!("the case table does not load: {e}"))
}

fn all_cases(families: &[Family]) -> impl Iterator<Item = (&Family, &Case)> {
    families
        .iter()
        .flat_map(|f| f.cases.iter().map(move |c| (f, c)))
}

#[test]
fn every_family_file_loads() {
    let names: Vec<String> = table().into_iter().map(|f| f.family).collect();
    for wanted in [
        "credentials",
        "expose-headers",
        "max-age",
        "methods",
        "origins",
        "private-network",
        "request-headers",
        "vary",
    ] {
        assert!(
            names.iter().any(|n| n == wanted),
            "no family {wanted} in {names:?}"
        );
    }
}

#[test]
fn the_table_has_at_least_230_cases_with_unique_names() {
    let families = table();
    let names: Vec<&str> = all_cases(&families).map(|(_, c)| c.name.as_str()).collect();
    let unique: BTreeSet<&str> = names.iter().copied().collect();
    assert_eq!(unique.len(), names.len(), "duplicate case names");
    assert!(names.len() >= 230, "only {} cases", names.len());
}

#[test]
fn every_outcome_and_both_verdicts_occur() {
    let families = table();
    let outcomes: BTreeSet<Outcome> = all_cases(&families)
        .map(|(_, c)| c.expect.outcome)
        .collect();
    assert_eq!(outcomes.into_iter().collect::<Vec<_>>(), Outcome::ALL);
    let verdicts: BTreeSet<_> = all_cases(&families)
        .filter_map(|(_, c)| c.expect.verdict)
        .collect();
    assert_eq!(verdicts.len(), 2);
}

/// The verdict of each case is what the Fetch algorithm concludes from the expected
/// status and headers: a wrong header in the table shows up here.
#[test]
fn stated_verdicts_follow_from_the_expected_response() {
    let families = table();
    let mut wrong = Vec::new();
    for (family, case) in all_cases(&families) {
        let Some(stated) = case.expect.verdict else {
            continue;
        };
        let response = case.expect.response_headers();
        let status = case.expect.status.unwrap_or(200);
        let computed = verdict_for(case, status, &response);
        if computed != Some(stated) {
            let why = check_case(case, status, &response);
            wrong.push(format!(
                "{}/{}: table says {stated}, browser {computed:?} ({why:?})",
                family.family, case.name
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} wrong verdicts:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

/// A browser sends exactly one origin, in UTF-8: a verdict on anything else would be
/// a claim that no browser can confirm.
#[test]
fn verdicts_are_stated_only_for_requests_with_one_utf8_origin() {
    let families = table();
    for (family, case) in all_cases(&families) {
        if case.expect.verdict.is_some() {
            assert!(
                case.origin().is_some(),
                "{}/{}: verdict without one origin",
                family.family,
                case.name
            );
        }
    }
}

#[test]
fn policies_survive_both_text_forms() {
    for family in table() {
        for (name, policy) in &family.policies {
            let from_toml: toml::Table = toml::from_str(policy.toml_text()).unwrap();
            let from_json: toml::Table = serde_json::from_str(policy.json_text()).unwrap();
            assert_eq!(from_toml, from_json, "{}/{name}", family.family);
        }
    }
}

#[test]
fn raw_socket_cases_are_recognised() {
    let families = table();
    let raw: Vec<&str> = all_cases(&families)
        .filter(|(_, c)| !c.is_valid_http())
        .map(|(_, c)| c.name.as_str())
        .collect();
    assert!(
        raw.contains(&"origin that is not utf-8 is refused"),
        "{raw:?}"
    );
    assert!(
        raw.contains(&"two identical allowed origin headers are refused"),
        "{raw:?}"
    );
    assert!(!raw.contains(&"exact origin is allowed"), "{raw:?}");
}

/// The comparison is strict enough to catch a wrong server: dropping `vary` or adding
/// a header is reported for every case that lists one.
#[test]
fn check_headers_catches_a_missing_vary_and_an_extra_header() {
    let families = table();
    for (_, case) in all_cases(&families) {
        let mut response = case.expect.response_headers();
        assert!(
            check_headers(&case.expect, &response).is_empty(),
            "{}",
            case.name
        );
        if case.expect.headers.contains_key("vary") {
            response.retain(|(n, _)| n != "vary");
            let mismatches = check_headers(&case.expect, &response);
            assert_eq!(mismatches.len(), 1, "{}", case.name);
            assert_eq!(mismatches[0].header, "vary");
        }
        response.push(("Access-Control-Allow-Credentials".into(), b"true".to_vec()));
        let extra = check_headers(&case.expect, &response);
        let flagged = extra
            .iter()
            .any(|m| m.header == "access-control-allow-credentials");
        // Also when the case expects `true`: a second line makes `true, true`.
        assert!(flagged, "{}: an extra line is not reported", case.name);
    }
}

/// The browser cases load, name policies of their family, and expect both verdicts.
#[test]
fn the_browser_cases_load_with_both_verdicts() {
    let families = load_browser::<toml::Table>()
        .unwrap_or_else(|e| panic!("the browser cases do not load: {e}"));
    let cases: Vec<_> = families.iter().flat_map(|f| &f.cases).collect();
    assert!(cases.len() >= 15, "only {} browser cases", cases.len());
    for family in &families {
        assert!(family
            .cases
            .iter()
            .all(|c| family.policies.contains_key(&c.policy)));
    }
    for verdict in [Verdict::Allowed, Verdict::Blocked] {
        assert!(
            cases.iter().any(|c| c.expect.verdict == verdict),
            "no {verdict} case"
        );
    }
}
