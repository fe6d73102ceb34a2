//! The shared case table (`cases/*.toml`), in process, through the wrapper around the
//! example app of shared/CONTRACT.md.
//!
//! Requests go through `warp::service`, the code path of `warp::serve`, rather than
//! `warp::test::request()`, whose `header()` replaces a repeated header instead of
//! adding a line: the table repeats headers on purpose.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use cors_cases::{Case, Family};
use cors_warp::{Cors, Policy};
use tower_service::Service;
use warp::http::{HeaderName, HeaderValue, Method, Request};
use warp::Filter;

/// A request of the table, or why warp cannot carry it.
fn request(case: &Case) -> Result<Request<String>, String> {
    let mut request = Request::new(String::new());
    *request.method_mut() =
        Method::from_bytes(case.method.as_bytes()).map_err(|e| format!("method: {e}"))?;
    *request.uri_mut() = case.path.parse().map_err(|e| format!("path: {e}"))?;
    for (name, value) in &case.headers {
        let name = HeaderName::from_bytes(name.as_bytes()).map_err(|e| format!("{name}: {e}"))?;
        let value = HeaderValue::from_bytes(value).map_err(|e| format!("{name}: {e}"))?;
        request.headers_mut().append(name, value);
    }
    Ok(request)
}

/// Runs one case; returns its mismatches, described.
async fn run(family: &Family, case: &Case, request: Request<String>) -> Vec<String> {
    let policy = match Policy::from_toml_str(family.policy_of(case).toml_text()) {
        Ok(policy) => policy,
        Err(error) => return vec![format!("policy does not build: {error}")],
    };
    let hits = Arc::new(AtomicUsize::new(0));
    let counted = {
        let hits = Arc::clone(&hits);
        warp::any()
            .map(move || {
                hits.fetch_add(1, Ordering::SeqCst);
            })
            .untuple_one()
    };
    let app = Cors::new(policy).wrap(counted.and(example_warp::app()));
    let response = match warp::service(app).call(request).await {
        Ok(response) => response,
        Err(never) => match never {},
    };

    let headers: Vec<(String, Vec<u8>)> = response
        .headers()
        .iter()
        .map(|(n, v)| (n.as_str().to_owned(), v.as_bytes().to_vec()))
        .collect();
    let status = response.status().as_u16();
    let mut found: Vec<String> = Vec::new();
    if case.is_preflight() {
        found.extend(cors_cases::check_status(&case.expect, status).map(|m| m.to_string()));
        if case.expect.status.is_none() {
            found.push("the case has no preflight status".into());
        }
        if hits.load(Ordering::SeqCst) != 0 || response.headers().contains_key("x-request-id") {
            found.push("the preflight reached the app".into());
        }
    } else {
        found.extend(cors_cases::check_status(&case.expect, status).map(|m| m.to_string()));
        if hits.load(Ordering::SeqCst) != 1 || !response.headers().contains_key("x-request-id") {
            found.push("the actual request did not reach the app".into());
        }
    }
    found.extend(
        cors_cases::check_headers(&case.expect, &headers)
            .iter()
            .map(ToString::to_string),
    );
    found
}

#[tokio::test]
async fn every_case_of_the_table() {
    let families = cors_cases::load_all().expect("the case table loads");
    let (mut run_count, mut skipped) = (0, Vec::new());
    let mut failures = Vec::new();
    for family in &families {
        for case in &family.cases {
            let request = match request(case) {
                Ok(request) => request,
                Err(why) => {
                    skipped.push(format!("{}/{}: {why}", family.family, case.name));
                    continue;
                }
            };
            run_count += 1;
            let found = run(family, case, request).await;
            if !found.is_empty() {
                failures.push(format!(
                    "{} / {}:\n    {}",
                    family.family,
                    case.name,
                    found.join("\n    ")
                ));
            }
        }
    }
    println!(
        "cors-warp case table: {run_count} cases run, {} skipped, {} failed",
        skipped.len(),
        failures.len()
    );
    for why in &skipped {
        println!("  skipped {why}");
    }
    assert!(run_count > 0, "the table has no case");
    assert!(
        failures.is_empty(),
        "{} of {run_count} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
