//! The whole shared case table (`cases/*.toml`), in process: each case's request goes
//! through `Cors` around the example app, and the answer is compared with the table.
//! Every mismatch of the table is collected and reported at once.

use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::http::Method;
use actix_web::middleware::from_fn;
use actix_web::test::{self, TestRequest};
use actix_web::App;
use cors_actix::Cors;
use cors_cases::Case;
use cors_harness::table::Report;

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

#[actix_web::test]
async fn the_whole_case_table() {
    let families = cors_cases::load_all().expect("the case table loads");
    let mut report = Report::new("cors-actix");
    for family in &families {
        for case in &family.cases {
            let Some(policy) = report.policy(family, case) else {
                continue;
            };
            let Some(request) = request(case) else {
                report.skip(family, case, "not representable as an actix request");
                continue;
            };
            let app = test::init_service(
                App::new()
                    .wrap(from_fn(example_actix::request_id))
                    .wrap(Cors::new(policy))
                    .configure(example_actix::routes),
            )
            .await;
            let response = match test::try_call_service(&app, request.to_request()).await {
                Ok(response) => response,
                Err(error) => {
                    let error = format!("the service returned an error: {error}");
                    report.check_with(family, case, 0, &[], vec![error]);
                    continue;
                }
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
