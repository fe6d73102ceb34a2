//! `GET /metrics` shows what the middleware decided and what the lookup did. Alone in
//! its test binary, because it installs the process's one global recorder.

use axum::body::{to_bytes, Body};
use axum::http::Request;
use axum::Router;
use cors_lookup::HardenedLookup;
use example_tenants::{app, policy, with_metrics, TenantTable};
use metrics_exporter_prometheus::PrometheusBuilder;
use tower::ServiceExt;

async fn get(router: &Router, path: &str, origin: Option<&str>) -> String {
    let mut request = Request::get(path);
    if let Some(origin) = origin {
        request = request.header("origin", origin);
    }
    let request = request.body(Body::empty()).expect("a request");
    let response = router.clone().oneshot(request).await.expect("infallible");
    let body = to_bytes(response.into_body(), 1 << 20)
        .await
        .expect("a body");
    String::from_utf8(body.to_vec()).expect("UTF-8")
}

#[tokio::test]
async fn decisions_refusals_and_lookups_are_on_the_metrics_page() {
    let handle = PrometheusBuilder::new()
        .install_recorder()
        .expect("the only recorder of this test binary");
    let table = TenantTable::in_memory().expect("an in-memory database");
    table.add("https://shop.customer.example").expect("added");
    let lookup = HardenedLookup::builder(table).build().expect("defaults");
    let counters = lookup.counters();
    let router = with_metrics(app(policy(lookup).expect("valid")), handle, counters);

    for origin in [
        "https://shop.customer.example",
        "https://shop.customer.example",
        "https://admin.example.com",
        "https://made-up.example",
    ] {
        get(&router, "/", Some(origin)).await;
    }
    let page = get(&router, "/metrics", None).await;
    for line in [
        r#"cors_decisions_total{outcome="actual-allowed"} 3"#,
        r#"cors_decisions_total{outcome="actual-refused"} 1"#,
        r#"cors_refusals_total{refusal="origin-not-allowed"} 1"#,
        r#"cors_lookup_answers_total{answer="allowed"} 1"#,
        r#"cors_lookup_answers_total{answer="cache-hit"} 1"#,
        r#"cors_lookup_answers_total{answer="refused"} 1"#,
        "cors_lookup_queries_total 2",
        r#"cors_lookup_cached{cache="allowed"} 1"#,
    ] {
        assert!(page.lines().any(|l| l == line), "no `{line}` in:\n{page}");
    }
}
