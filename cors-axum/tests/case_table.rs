//! The whole shared case table (`cases/*.toml`), in process: each case's request goes
//! through `CorsLayer` around the example app, and the answer is compared with the
//! table. Every mismatch of the table is collected and reported at once.

use axum::body::Body;
use axum::http::{HeaderName, HeaderValue, Method, Request};
use cors_axum::CorsLayer;
use cors_cases::Case;
use cors_harness::table::Report;
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

#[tokio::test]
async fn the_whole_case_table() {
    let families = cors_cases::load_all().expect("the case table loads");
    let mut report = Report::new("cors-axum");
    for family in &families {
        for case in &family.cases {
            let Some(policy) = report.policy(family, case) else {
                continue;
            };
            let Some(request) = request(case) else {
                report.skip(family, case, "not representable as an http::Request");
                continue;
            };
            let app = example_axum::app().layer(CorsLayer::new(policy));
            let response = match app.oneshot(request).await {
                Ok(response) => response,
                Err(never) => match never {},
            };
            let headers: Vec<(String, Vec<u8>)> = response
                .headers()
                .iter()
                .map(|(n, v)| (n.as_str().to_owned(), v.as_bytes().to_vec()))
                .collect();
            report.check(family, case, response.status().as_u16(), &headers);
        }
    }
    report.finish();
}
