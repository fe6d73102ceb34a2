//! The tests every adapter shares (`cors_harness::adapter_tests!`: the whole case table,
//! the reload, the refusal log), through the fairing on the example app of
//! docs/contract.md, with Rocket's local asynchronous client.
//!
//! Rocket cannot carry every request of the table: its methods are an enum of the
//! standard ones (no `PURGE`, and `options` would be sent as `OPTIONS`), and its header
//! values are text (a non-UTF-8 `Origin` is dropped by Rocket before any fairing sees
//! it). Such cases are skipped, counted and listed.

use std::future::Future;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use cors_harness::adapter::{Reply, Request, Routes};
use cors_harness::AdapterUnderTest;
use cors_rocket::Cors;
use rocket::config::LogLevel;
use rocket::http::{Header, Method};
use rocket::local::asynchronous::Client;
use rocket::{get, routes};

struct Rocket;

impl AdapterUnderTest for Rocket {
    const NAME: &'static str = "cors-rocket";
    cors_harness::middleware!(Cors);
    type App = Arc<Client>;
    /// The method, the path and the headers.
    type Request = (Method, String, Vec<Header<'static>>);

    /// Rocket's test runtime, as `#[rocket::async_test]` builds it: one worker, and
    /// at most half a second for what is still running at the end.
    fn run<T>(test: impl Future<Output = T>) -> T {
        let runtime = rocket::tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build();
        let runtime = runtime.expect("a tokio runtime");
        let result = runtime.block_on(test);
        runtime.shutdown_timeout(Duration::from_millis(500));
        result
    }

    async fn app(cors: Cors, routes: Routes) -> Result<Arc<Client>, String> {
        let config = rocket::Config {
            log_level: LogLevel::Off,
            ..rocket::Config::debug_default()
        };
        let rocket = match routes {
            Routes::Example => example_rocket::app(rocket::custom(config)),
            Routes::Yielding => rocket::custom(config).mount("/", routes![items]),
        };
        match Client::untracked(rocket.attach(cors)).await {
            Ok(client) => Ok(Arc::new(client)),
            Err(error) => Err(format!("rocket does not launch: {error}")),
        }
    }

    fn request(request: &Request) -> Result<Self::Request, String> {
        let method = Method::from_str(&request.method)
            .ok()
            .filter(|m| m.as_str() == request.method)
            .ok_or_else(|| format!("method `{}` is not one of Rocket's", request.method))?;
        let headers = request
            .headers
            .iter()
            .map(|(name, value)| match String::from_utf8(value.clone()) {
                Ok(value) => Ok(Header::new(name.clone(), value)),
                Err(_) => Err(format!("{name} is not UTF-8")),
            })
            .collect::<Result<_, _>>()?;
        Ok((method, request.path.clone(), headers))
    }

    async fn send(client: &Arc<Client>, request: Self::Request) -> Result<Reply, String> {
        let (method, path, headers) = request;
        let mut request = client.req(method, path);
        for header in headers {
            request.add_header(header);
        }
        let response = request.dispatch().await;
        let headers = response.headers().iter().map(|header| {
            let name = header.name().as_str().to_owned();
            (name, header.value().as_bytes().to_vec())
        });
        let status = response.status().code;
        Ok(Reply {
            status,
            headers: headers.collect(),
        })
    }
}

/// [`Routes::Yielding`] (at `cors_harness::reload::PATH`): yields before answering, so
/// that a swap can fall between the decision (when the request comes in) and the
/// writing of the headers (when the response goes out).
#[get("/items")]
async fn items() -> &'static str {
    rocket::tokio::task::yield_now().await;
    "hello"
}

cors_harness::adapter_tests!(Rocket, spawn = rocket::tokio::spawn);
