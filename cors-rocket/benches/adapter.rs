//! The cost of `cors-rocket` in process (Rocket's local client): the example app bare,
//! with our fairing, and with rocket_cors's fairing on the same policy, in one criterion
//! group per scenario so that the ratios come from one run.

use std::future::Future;
use std::hint::black_box;
use std::str::FromStr;

use criterion::measurement::WallTime;
use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion};
use rocket::config::LogLevel;
use rocket::http::{Header, Method};
use rocket::local::asynchronous::{Client, LocalRequest, LocalResponse};
use rocket::tokio::runtime::{self, Runtime};
use rocket::{Build, Rocket};
use rocket_cors::{AllowedHeaders, AllowedOrigins, CorsOptions};

use cors_harness::bench::{ORIGIN, POLICY};

/// Builds one request of a scenario.
type MakeRequest = for<'c> fn(&'c Client) -> LocalRequest<'c>;

fn simple_get(client: &Client) -> LocalRequest<'_> {
    client.get("/").header(Header::new("origin", ORIGIN))
}

fn preflight(client: &Client) -> LocalRequest<'_> {
    client
        .req(Method::Options, "/api/items")
        .header(Header::new("origin", ORIGIN))
        .header(Header::new("access-control-request-method", "PUT"))
        .header(Header::new(
            "access-control-request-headers",
            "content-type",
        ))
}

/// The example server's app, logging nothing.
fn app() -> Rocket<Build> {
    let config = rocket::Config {
        log_level: LogLevel::Off,
        ..rocket::Config::default()
    };
    example_rocket::app(rocket::custom(config))
}

fn peer() -> rocket_cors::Cors {
    let methods =
        ["GET", "POST", "PUT", "DELETE"].map(|m| rocket_cors::Method::from_str(m).unwrap());
    CorsOptions {
        allowed_origins: AllowedOrigins::some_exact(&[ORIGIN]),
        allowed_methods: methods.into_iter().collect(),
        allowed_headers: AllowedHeaders::some(&["content-type", "authorization"]),
        expose_headers: ["x-request-id".to_owned()].into(),
        max_age: Some(600),
        ..CorsOptions::default()
    }
    .to_cors()
    .unwrap()
}

/// Checks that a CORS fairing allows the request, then measures one call.
fn measure<'c, F>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    name: &str,
    rt: &Runtime,
    call: impl Fn() -> F,
) where
    F: Future<Output = LocalResponse<'c>>,
{
    let response = rt.block_on(call());
    if name != "bare" {
        assert!(response.status().class().is_success(), "{name}");
        assert!(response.headers().contains("access-control-allow-origin"));
    }
    drop(response);
    group.bench_function(name, |b| {
        b.to_async(rt)
            .iter(|| async { black_box(call().await.status()) })
    });
}

fn bench(c: &mut Criterion) {
    let rt = runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let policy = cors_rocket::Policy::from_toml_str(POLICY).unwrap();
    let clients = [
        ("bare", app()),
        ("cors-rocket", app().attach(cors_rocket::Cors::new(policy))),
        ("rocket_cors", app().attach(peer())),
    ]
    .map(|(name, rocket)| (name, rt.block_on(Client::untracked(rocket)).unwrap()));
    let scenarios: [(&str, MakeRequest); 2] = [
        ("rocket: simple GET, allowed origin", simple_get),
        ("rocket: preflight", preflight),
    ];
    for (scenario, request) in scenarios {
        let mut group = c.benchmark_group(scenario);
        for (name, client) in &clients {
            measure(&mut group, name, &rt, || request(client).dispatch());
        }
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
