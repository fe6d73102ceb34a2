//! The whole shared case table (`cases/*.toml`), in process: each case's request goes
//! through `CorsLayer` around the example app, and the answer is compared with the
//! table. Every mismatch of the table is collected and reported at once.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{HeaderName, HeaderValue, Method, Request, Response};
use cors_axum::{CorsLayer, Policy};
use cors_cases::{Case, Family};
use tower::ServiceExt;

/// Builds the case's request, or `None` when `http` cannot represent it (such values
/// cannot reach an axum app either).
fn request(case: &Case) -> Option<Request<Body>> {
    let mut request = Request::builder()
        .method(Method::from_bytes(case.method.as_bytes()).ok()?)
        .uri(&case.path)
        .body(Body::empty())
        .ok()?;
    for (name, value) in &case.headers {
        let name = HeaderName::from_bytes(name.as_bytes()).ok()?;
        let value = HeaderValue::from_bytes(value).ok()?;
        request.headers_mut().append(name, value);
    }
    Some(request)
}

fn header_list(response: &Response<Body>) -> Vec<(String, Vec<u8>)> {
    let headers = response.headers().iter();
    headers
        .map(|(n, v)| (n.as_str().to_owned(), v.as_bytes().to_vec()))
        .collect()
}

/// What is wrong with the answer to one case; empty when it is right.
async fn run_case(case: &Case, policy: Arc<Policy>, request: Request<Body>) -> Vec<String> {
    let app = example_axum::app().layer(CorsLayer::new(policy));
    let response = match app.oneshot(request).await {
        Ok(response) => response,
        Err(never) => match never {},
    };
    let headers = header_list(&response);
    let mut problems: Vec<String> = cors_cases::check_headers(&case.expect, &headers)
        .iter()
        .map(ToString::to_string)
        .collect();
    let status = response.status().as_u16();
    let preflight = case.expect.outcome.is_preflight();
    if preflight && case.expect.status.is_none() {
        problems.push("the table gives no status for a preflight".into());
    }
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

#[tokio::test]
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
                    failures.push(format!(
                        "{label}\n    policy `{}` does not build: {error}",
                        case.policy
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
                failures.push(format!(
                    "{label} (policy `{}`)\n    {}",
                    case.policy,
                    problems.join("\n    ")
                ));
            }
        }
    }
    println!(
        "cors-axum case table: {run} run, {} skipped, {} failed",
        skipped.len(),
        failures.len()
    );
    for label in &skipped {
        println!("  skipped (not representable as an http::Request): {label}");
    }
    assert!(run > 0, "no case ran");
    assert!(
        failures.is_empty(),
        "{} of {run} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
