//! The cost of `cors-axum` in process: the example app bare, with our layer, and with
//! tower-http's `CorsLayer` on the same policy, in one criterion group per scenario so
//! that the ratios come from one run.

use std::hint::black_box;
use std::time::Duration;

use axum::body::Body;
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::{HeaderName, HeaderValue, Method, Request};
use axum::Router;
use criterion::{criterion_group, criterion_main, Criterion};
use tower::ServiceExt;

use cors_harness::bench::{preflight, simple_get, ORIGIN, POLICY};

/// Builds one request of a scenario.
type MakeRequest = fn() -> Request<Body>;

fn apps() -> [(&'static str, Router); 3] {
    let ours = cors_axum::CorsLayer::new(cors_axum::Policy::from_toml_str(POLICY).unwrap());
    let peer = tower_http::cors::CorsLayer::new()
        .allow_origin(HeaderValue::from_static(ORIGIN))
        .allow_methods([Method::GET, Method::POST, Method::PUT, Method::DELETE])
        .allow_headers([CONTENT_TYPE, AUTHORIZATION])
        .expose_headers([HeaderName::from_static("x-request-id")])
        .max_age(Duration::from_secs(600));
    [
        ("bare", example_axum::app()),
        ("cors-axum", example_axum::app().layer(ours)),
        ("tower-http", example_axum::app().layer(peer)),
    ]
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let apps = apps();
    let scenarios: [(&str, MakeRequest); 2] = [
        ("axum: simple GET, allowed origin", simple_get),
        ("axum: preflight", preflight),
    ];
    for (scenario, request) in scenarios {
        let mut group = c.benchmark_group(scenario);
        for (name, app) in &apps {
            // Both CORS layers must allow what they are measured on.
            let response = rt.block_on(app.clone().oneshot(request())).unwrap();
            if *name != "bare" {
                assert!(response.status().is_success(), "{name}: {scenario}");
                assert!(response
                    .headers()
                    .contains_key("access-control-allow-origin"));
            }
            group.bench_function(*name, |b| {
                b.to_async(&rt).iter(|| async {
                    let response = app.clone().oneshot(request()).await.unwrap();
                    black_box(response.status())
                })
            });
        }
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
