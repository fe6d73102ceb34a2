//! The cost of `cors-actix` in process: the example app bare, with our middleware, and
//! with actix-cors on the same policy, in one criterion group per scenario so that the
//! ratios come from one run.

use std::future::Future;
use std::hint::black_box;

use actix_web::dev::ServiceResponse;
use actix_web::http::header::{AUTHORIZATION, CONTENT_TYPE};
use actix_web::http::Method;
use actix_web::middleware::from_fn;
use actix_web::rt::{System, SystemRunner};
use actix_web::test::{self, TestRequest};
use actix_web::App;
use criterion::async_executor::AsyncExecutor;
use criterion::measurement::WallTime;
use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion};

use cors_harness::bench::{ORIGIN, POLICY};

/// actix's own runtime (a tokio current-thread runtime with a `LocalSet`) for criterion.
struct Actix(SystemRunner);

impl AsyncExecutor for &Actix {
    fn block_on<T>(&self, future: impl Future<Output = T>) -> T {
        self.0.block_on(future)
    }
}

/// Builds one request of a scenario.
type MakeRequest = fn() -> TestRequest;

fn simple_get() -> TestRequest {
    TestRequest::get()
        .uri("/")
        .insert_header(("origin", ORIGIN))
}

fn preflight() -> TestRequest {
    TestRequest::default()
        .method(Method::OPTIONS)
        .uri("/api/items")
        .insert_header(("origin", ORIGIN))
        .insert_header(("access-control-request-method", "PUT"))
        .insert_header(("access-control-request-headers", "content-type"))
}

/// The example server's app, without CORS: the request-id middleware and the routes.
macro_rules! app {
    () => {
        App::new()
            .wrap(from_fn(example_actix::request_id))
            .configure(example_actix::routes)
    };
}

fn peer() -> actix_cors::Cors {
    actix_cors::Cors::default()
        .allowed_origin(ORIGIN)
        .allowed_methods(["GET", "POST", "PUT", "DELETE"])
        .allowed_headers([CONTENT_TYPE, AUTHORIZATION])
        .expose_headers(["x-request-id"])
        .max_age(600)
}

/// Checks that a CORS middleware allows the request, then measures one call.
fn measure<B, F>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    name: &str,
    runner: &Actix,
    call: impl Fn() -> F,
) where
    F: Future<Output = ServiceResponse<B>>,
{
    let response = runner.0.block_on(call());
    if name != "bare" {
        assert!(response.status().is_success(), "{name}");
        assert!(response
            .headers()
            .contains_key("access-control-allow-origin"));
    }
    group.bench_function(name, |b| {
        b.to_async(runner)
            .iter(|| async { black_box(call().await.status()) })
    });
}

fn bench(c: &mut Criterion) {
    let runner = Actix(System::new());
    let policy = cors_actix::Policy::from_toml_str(POLICY).unwrap();
    let bare = runner.0.block_on(test::init_service(app!()));
    let ours = runner.0.block_on(test::init_service(
        app!().wrap(cors_actix::Cors::new(policy)),
    ));
    let peer = runner.0.block_on(test::init_service(app!().wrap(peer())));
    let scenarios: [(&str, MakeRequest); 2] = [
        ("actix: simple GET, allowed origin", simple_get),
        ("actix: preflight", preflight),
    ];
    for (scenario, request) in scenarios {
        let mut group = c.benchmark_group(scenario);
        measure(&mut group, "bare", &runner, || {
            test::call_service(&bare, request().to_request())
        });
        measure(&mut group, "cors-actix", &runner, || {
            test::call_service(&ours, request().to_request())
        });
        measure(&mut group, "actix-cors", &runner, || {
            test::call_service(&peer, request().to_request())
        });
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
