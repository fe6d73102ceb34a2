//! The shared case table (`cases/*.toml`), in process, through the fairing on the
//! example app of shared/CONTRACT.md, with Rocket's local asynchronous client.
//!
//! Rocket cannot carry every request of the table: its methods are an enum of the
//! standard ones (no `PURGE`, and `options` would be sent as `OPTIONS`), and its header
//! values are text (a non-UTF-8 `Origin` is dropped by Rocket before any fairing sees
//! it). Such cases are skipped, counted and listed.

use std::str::FromStr;

use cors_cases::{Case, Family};
use cors_rocket::{Cors, Policy};
use rocket::config::LogLevel;
use rocket::http::{Header, Method};
use rocket::local::asynchronous::Client;

/// The method and headers of a case, or why Rocket cannot send them.
fn request(case: &Case) -> Result<(Method, Vec<Header<'static>>), String> {
    let method = Method::from_str(&case.method)
        .ok()
        .filter(|m| m.as_str() == case.method)
        .ok_or_else(|| format!("method `{}` is not one of Rocket's", case.method))?;
    let headers = case
        .headers
        .iter()
        .map(|(name, value)| match String::from_utf8(value.clone()) {
            Ok(value) => Ok(Header::new(name.clone(), value)),
            Err(_) => Err(format!("{name} is not UTF-8")),
        })
        .collect::<Result<_, _>>()?;
    Ok((method, headers))
}

/// Runs one case; returns its mismatches, described.
async fn run(
    family: &Family,
    case: &Case,
    method: Method,
    headers: Vec<Header<'static>>,
) -> Vec<String> {
    let policy = match Policy::from_toml_str(family.policy_of(case).toml_text()) {
        Ok(policy) => policy,
        Err(error) => return vec![format!("policy does not build: {error}")],
    };
    let config = rocket::Config {
        log_level: LogLevel::Off,
        ..rocket::Config::debug_default()
    };
    let rocket = example_rocket::app(rocket::custom(config)).attach(Cors::new(policy));
    let client = match Client::tracked(rocket).await {
        Ok(client) => client,
        Err(error) => return vec![format!("rocket does not launch: {error}")],
    };
    let mut request = client.req(method, case.path.clone());
    for header in headers {
        request.add_header(header);
    }
    let response = request.dispatch().await;

    let got: Vec<(String, Vec<u8>)> = response
        .headers()
        .iter()
        .map(|h| (h.name().as_str().to_owned(), h.value().as_bytes().to_vec()))
        .collect();
    let reached_app = response.headers().contains("x-request-id");
    let mut found: Vec<String> = cors_cases::check_status(&case.expect, response.status().code)
        .map(|m| m.to_string())
        .into_iter()
        .collect();
    if case.is_preflight() {
        if case.expect.status.is_none() {
            found.push("the case has no preflight status".into());
        }
        if reached_app {
            found.push("the preflight reached the app".into());
        }
    } else if !reached_app {
        found.push("the actual request did not reach the app".into());
    }
    found.extend(
        cors_cases::check_headers(&case.expect, &got)
            .iter()
            .map(ToString::to_string),
    );
    found
}

#[rocket::async_test]
async fn every_case_of_the_table() {
    let families = cors_cases::load_all().expect("the case table loads");
    let (mut run_count, mut skipped, mut failures) = (0, Vec::new(), Vec::new());
    for family in &families {
        for case in &family.cases {
            let (method, headers) = match request(case) {
                Ok(request) => request,
                Err(why) => {
                    skipped.push(format!("{} / {}: {why}", family.family, case.name));
                    continue;
                }
            };
            run_count += 1;
            let found = run(family, case, method, headers).await;
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
        "cors-rocket case table: {run_count} cases run, {} skipped, {} failed",
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
