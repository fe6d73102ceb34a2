//! The shared case table (`cases/*.toml`), in process, through the fairing on the
//! example app of shared/CONTRACT.md, with Rocket's local asynchronous client.
//!
//! Rocket cannot carry every request of the table: its methods are an enum of the
//! standard ones (no `PURGE`, and `options` would be sent as `OPTIONS`), and its header
//! values are text (a non-UTF-8 `Origin` is dropped by Rocket before any fairing sees
//! it). Such cases are skipped, counted and listed.

use std::str::FromStr;
use std::sync::Arc;

use cors_cases::{Case, Family};
use cors_harness::table::Report;
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

/// Sends one case through the fairing on the example app.
async fn send(
    report: &mut Report,
    family: &Family,
    case: &Case,
    policy: Arc<Policy>,
    (method, headers): (Method, Vec<Header<'static>>),
) {
    let config = rocket::Config {
        log_level: LogLevel::Off,
        ..rocket::Config::debug_default()
    };
    let rocket = example_rocket::app(rocket::custom(config)).attach(Cors::new(policy));
    let client = match Client::tracked(rocket).await {
        Ok(client) => client,
        Err(error) => {
            let error = format!("rocket does not launch: {error}");
            return report.check_with(family, case, 0, &[], vec![error]);
        }
    };
    let mut request = client.req(method, case.path.clone());
    for header in headers {
        request.add_header(header);
    }
    let response = request.dispatch().await;
    let headers: Vec<(String, Vec<u8>)> = response
        .headers()
        .iter()
        .map(|h| (h.name().as_str().to_owned(), h.value().as_bytes().to_vec()))
        .collect();
    report.check(family, case, response.status().code, &headers);
}

#[rocket::async_test]
async fn every_case_of_the_table() {
    let families = cors_cases::load_all().expect("the case table loads");
    let mut report = Report::new("cors-rocket");
    for family in &families {
        for case in &family.cases {
            let Some(policy) = report.policy(family, case) else {
                continue;
            };
            match request(case) {
                Ok(request) => send(&mut report, family, case, policy, request).await,
                Err(why) => report.skip(family, case, &why),
            }
        }
    }
    report.finish();
}
