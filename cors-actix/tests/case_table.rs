//! The whole shared case table (`cases/*.toml`), in process: each case's request goes
//! through `Cors` around the example app, and the answer is compared with the table.
//! Every mismatch of the table is collected and reported at once.

use std::collections::HashMap;
use std::sync::Arc;

use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::http::Method;
use actix_web::middleware::from_fn;
use actix_web::test::{self, TestRequest};
use actix_web::App;
use cors_actix::{Cors, Policy};
use cors_cases::{Case, Family};

/// Builds the case's request, or `None` when actix's types cannot represent it (such
/// values cannot reach an actix app either).
fn request(case: &Case) -> Option<TestRequest> {
    let method = Method::from_bytes(case.method.as_bytes()).ok()?;
    let mut request = TestRequest::default().method(method).uri(&case.path);
    for (name, value) in &case.headers {
        let name = HeaderName::from_bytes(name.as_bytes()).ok()?;
        let value = HeaderValue::from_bytes(value).ok()?;
        request = request.append_header((name, value));
    }
    Some(request)
}

/// What is wrong with the answer to one case; empty when it is right.
async fn run_case(case: &Case, policy: Arc<Policy>, request: TestRequest) -> Vec<String> {
    let app = test::init_service(
        App::new()
            .wrap(from_fn(example_actix::request_id))
            .wrap(Cors::new(policy))
            .configure(example_actix::routes),
    )
    .await;
    let response = match test::try_call_service(&app, request.to_request()).await {
        Ok(response) => response,
        Err(error) => return vec![format!("the service returned an error: {error}")],
    };
    let headers: Vec<(String, Vec<u8>)> = response
        .headers()
        .iter()
        .map(|(n, v)| (n.as_str().to_owned(), v.as_bytes().to_vec()))
        .collect();
    let mut problems: Vec<String> = cors_cases::check_headers(&case.expect, &headers)
        .iter()
        .map(ToString::to_string)
        .collect();
    let preflight = case.expect.outcome.is_preflight();
    if preflight && case.expect.status.is_none() {
        problems.push("the table gives no status for a preflight".into());
    }
    let status = response.status().as_u16();
    problems.extend(cors_cases::check_status(&case.expect, status).map(|m| m.to_string()));
    let reached_app = response.headers().contains_key("x-request-id");
    if preflight && reached_app {
        problems.push("the preflight reached the app (x-request-id present)".into());
    }
    if !preflight && !reached_app {
        problems.push("the actual request did not reach the app (no x-request-id)".into());
    }
    problems
}

fn policy_for(
    cache: &mut HashMap<(String, String), Result<Arc<Policy>, String>>,
    family: &Family,
    case: &Case,
) -> Result<Arc<Policy>, String> {
    let key = (family.family.clone(), case.policy.clone());
    let toml = family.policy_of(case).toml_text();
    let built = cache.entry(key).or_insert_with(|| {
        Policy::from_toml_str(toml)
            .map(Arc::new)
            .map_err(|e| e.to_string())
    });
    built.clone()
}

#[actix_web::test]
async fn the_whole_case_table() {
    let families = cors_cases::load_all().expect("the case table loads");
    let mut cache = HashMap::new();
    let (mut run, mut skipped, mut failures) = (0, Vec::new(), Vec::new());
    for family in &families {
        for case in &family.cases {
            let label = format!("{} / {}", family.family, case.name);
            let policy = match policy_for(&mut cache, family, case) {
                Ok(policy) => policy,
                Err(error) => {
                    let policy = &case.policy;
                    failures.push(format!(
                        "{label}\n    policy `{policy}` does not build: {error}"
                    ));
                    continue;
                }
            };
            let Some(request) = request(case) else {
                skipped.push(label);
                continue;
            };
            run += 1;
            let problems = run_case(case, policy, request).await;
            if !problems.is_empty() {
                let policy = &case.policy;
                let problems = problems.join("\n    ");
                failures.push(format!("{label} (policy `{policy}`)\n    {problems}"));
            }
        }
    }
    let (skips, fails) = (skipped.len(), failures.len());
    println!("cors-actix case table: {run} run, {skips} skipped, {fails} failed");
    for label in &skipped {
        println!("  skipped (not representable as an actix request): {label}");
    }
    assert!(run > 0, "no case ran");
    let failures = failures.join("\n");
    assert!(fails == 0, "{fails} of {run} cases failed:\n{failures}");
}
