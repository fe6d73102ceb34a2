//! The cost of `cors-warp` in process (`warp::service`, as the server runs it): the
//! example app bare, behind our tower layer (the example server's integration), behind
//! our filter wrapper (`Cors::wrap`, for `warp::serve`), and with warp's `cors()` on the
//! same policy, in one criterion group per scenario so that the ratios come from one run.

use std::future::Future;
use std::hint::black_box;

use criterion::measurement::WallTime;
use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion};
use tokio::runtime::{self, Runtime};
use tower_layer::Layer;
use tower_service::Service;
use warp::http::Request;
use warp::reply::Response;
use warp::Filter;

use cors_harness::bench::{preflight, simple_get, ORIGIN, POLICY};

/// Builds one request of a scenario.
type MakeRequest = fn() -> Request<String>;

fn peer() -> warp::cors::Cors {
    warp::cors()
        .allow_origin(ORIGIN)
        .allow_methods(["GET", "POST", "PUT", "DELETE"])
        .allow_headers(["content-type", "authorization"])
        .expose_header("x-request-id")
        .max_age(600)
        .build()
}

/// Checks that a CORS filter allows the request, then measures one call.
fn measure<E, F>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    name: &str,
    rt: &Runtime,
    call: impl Fn() -> F,
) where
    F: Future<Output = Result<Response, E>>,
{
    let Ok(response) = rt.block_on(call()) else {
        panic!("{name}: no response")
    };
    if name != "bare" {
        assert!(response.status().is_success(), "{name}");
        assert!(response
            .headers()
            .contains_key("access-control-allow-origin"));
    }
    group.bench_function(name, |b| {
        b.to_async(rt)
            .iter(|| async { black_box(call().await.ok().map(|r| r.status())) })
    });
}

fn bench(c: &mut Criterion) {
    let rt = runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let policy = cors_warp::Policy::from_toml_str(POLICY).unwrap();
    let bare = warp::service(example_warp::app());
    let policy = std::sync::Arc::new(policy);
    let ours = cors_warp::CorsLayer::new(policy.clone()).layer(warp::service(example_warp::app()));
    let wrapper = warp::service(cors_warp::Cors::new(policy).wrap(example_warp::app()));
    let peer = warp::service(example_warp::app().with(peer()));
    let scenarios: [(&str, MakeRequest); 2] = [
        ("warp: simple GET, allowed origin", simple_get),
        ("warp: preflight", preflight),
    ];
    for (scenario, request) in scenarios {
        let mut group = c.benchmark_group(scenario);
        measure(&mut group, "bare", &rt, || bare.clone().call(request()));
        measure(&mut group, "cors-warp", &rt, || {
            ours.clone().call(request())
        });
        measure(&mut group, "filter wrapper (Cors::wrap)", &rt, || {
            wrapper.clone().call(request())
        });
        measure(&mut group, "warp cors()", &rt, || {
            peer.clone().call(request())
        });
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
