//! The tests every adapter shares (`cors_harness::adapter_tests!`: the whole case table,
//! the reload, the refusal log), through `CorsLayer` in a tower stack.

use std::future::Future;

use axum::body::Body;
use axum::routing::get;
use axum::Router;
use cors_axum::CorsLayer;
use cors_harness::adapter::{Reply, Request, Routes};
use cors_harness::{reload, AdapterUnderTest};
use tower::ServiceExt;

struct Axum;

impl AdapterUnderTest for Axum {
    const NAME: &'static str = "cors-axum";
    cors_harness::middleware!(CorsLayer);
    type App = Router;
    type Request = axum::http::Request<Body>;

    fn run<T>(test: impl Future<Output = T>) -> T {
        cors_harness::adapter::run_on_two_workers(test)
    }

    async fn app(layer: CorsLayer, routes: Routes) -> Result<Router, String> {
        let routes = match routes {
            Routes::Example => example_axum::app(),
            Routes::Yielding => Router::new().route(
                reload::PATH,
                get(|| async {
                    tokio::task::yield_now().await;
                    "hello"
                }),
            ),
        };
        Ok(routes.layer(layer))
    }

    fn request(request: &Request) -> Result<Self::Request, String> {
        request.to_http(Body::empty())
    }

    async fn send(app: &Router, request: Self::Request) -> Result<Reply, String> {
        match app.clone().oneshot(request).await {
            Ok(response) => Ok(Reply::of_http(&response)),
            Err(never) => match never {},
        }
    }
}

cors_harness::adapter_tests!(Axum, spawn = tokio::spawn);
