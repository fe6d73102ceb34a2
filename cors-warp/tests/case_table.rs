//! The shared case table (`cases/*.toml`), in process, through the wrapper around the
//! example app of shared/CONTRACT.md.
//!
//! Requests go through `warp::service`, the code path of `warp::serve`, rather than
//! `warp::test::request()`, whose `header()` replaces a repeated header instead of
//! adding a line: the table repeats headers on purpose.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use cors_cases::{Case, Family};
use cors_harness::table::Report;
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

/// Sends one case through the wrapper around the example app, counting the app's calls.
async fn send(
    report: &mut Report,
    family: &Family,
    case: &Case,
    policy: Arc<Policy>,
    request: Request<String>,
) {
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
    // Beyond the table's own checks: the app ran exactly as often as it should.
    let calls = hits.load(Ordering::SeqCst);
    let expected_calls = usize::from(!case.is_preflight());
    let mut found = Vec::new();
    if calls != expected_calls {
        found.push(format!("the app ran {calls} times, not {expected_calls}"));
    }
    report.check_with(family, case, response.status().as_u16(), &headers, found);
}

#[tokio::test]
async fn every_case_of_the_table() {
    let families = cors_cases::load_all().expect("the case table loads");
    let mut report = Report::new("cors-warp");
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
