//! The shared case table (`cases/*.toml`), decided by the core alone: no HTTP, no
//! framework. Every case's outcome, status and CORS headers must be what the table says.

use cors_core::Policy;

use cors_core::adapter::{Action, Decision, HeaderList, RequestView};

/// The values of one request header, in order, as an adapter would hand them over.
fn values<'c>(case: &'c cors_cases::Case, name: &'c str) -> impl Iterator<Item = &'c [u8]> + 'c {
    case.header_values(name)
}

fn view(case: &cors_cases::Case) -> RequestView<'_> {
    RequestView::new(&case.method)
        .origin(values(case, "origin"))
        .request_method(values(case, "access-control-request-method"))
        .request_headers(values(case, "access-control-request-headers"))
        .request_private_network(values(case, "access-control-request-private-network"))
}

/// Decides the case and renders the answer as status and headers. Actual requests have
/// no app here, so their status is the one the table expects (it is not under test).
fn answer(policy: &Policy, case: &cors_cases::Case) -> (String, u16, Vec<(String, Vec<u8>)>) {
    let request = view(case);
    let origin = values(case, "origin").next().unwrap_or_default();
    let mut headers = HeaderList::new(origin);
    let decision = policy.decide(&request);
    let kind = decision.kind().to_owned();
    let status = match decision.into_action() {
        Action::Respond(preflight) => {
            preflight.write_to(&mut headers);
            preflight.status()
        }
        Action::Forward(actual) => {
            actual.write_to(policy, &mut headers);
            case.expect.status.unwrap_or(200)
        }
    };
    let headers = headers
        .headers
        .into_iter()
        .map(|(n, v)| (n.to_owned(), v))
        .collect();
    (kind, status, headers)
}

#[test]
fn the_core_decides_every_case_of_the_table() {
    let families = cors_cases::load_all::<cors_core::PolicyConfig>().expect("the case table loads");
    let mut failures = Vec::new();
    let mut count = 0;
    for family in &families {
        for case in &family.cases {
            count += 1;
            let policy = Policy::from_toml_str(family.policy_of(case).toml_text())
                .unwrap_or_else(|e| panic!("{}: policy {}: {e}", case.name, case.policy));
            let (kind, status, headers) = answer(&policy, case);
            let mut problems: Vec<String> = cors_cases::check_response(case, status, &headers)
                .iter()
                .map(ToString::to_string)
                .collect();
            if kind != case.expect.outcome.as_str() {
                problems.push(format!(
                    "outcome: expected {}, got {kind}",
                    case.expect.outcome
                ));
            }
            if !problems.is_empty() {
                failures.push(format!(
                    "{}/{}:\n    {}",
                    family.family,
                    case.name,
                    problems.join("\n    ")
                ));
            }
        }
    }
    assert!(count >= 200, "only {count} cases in the table");
    assert!(
        failures.is_empty(),
        "{} of {count} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    println!("{count} cases passed");
}

#[test]
fn refusals_name_what_to_change() {
    let families = cors_cases::load_all::<cors_core::PolicyConfig>().expect("the case table loads");
    for family in &families {
        for case in &family.cases {
            let policy = Policy::from_toml_str(family.policy_of(case).toml_text()).unwrap();
            let request = view(case);
            let decision = policy.decide(&request);
            let refused = matches!(
                decision,
                Decision::PreflightRefused(..) | Decision::ActualRefused(..)
            );
            assert_eq!(refused, decision.refusal().is_some(), "{}", case.name);
            if let Some(refusal) = decision.refusal() {
                let text = refusal.to_string();
                assert!(
                    !text.is_empty() && !text.contains('\n') && !text.contains('\r'),
                    "{}: {text:?}",
                    case.name
                );
            }
        }
    }
}
