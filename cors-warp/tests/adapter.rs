//! The tests every adapter shares (`cors_harness::adapter_tests!`: the whole case table,
//! the reload, the refusal log), through both integrations around the example app of
//! docs/contract.md: the filter wrapper ([`Cors::wrap`]) here, and the tower layer around
//! `warp::service` in [`through_the_layer`].
//!
//! Requests go through `warp::service`, the code path of `warp::serve`, rather than
//! `warp::test::request()`, whose `header()` replaces a repeated header instead of
//! adding a line: the table repeats headers on purpose.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use cors_harness::adapter::{Reply, Request, Routes};
use cors_harness::AdapterUnderTest;
use cors_warp::Cors;
use tower_service::Service;
use warp::filters::BoxedFilter;
use warp::reply::Response;
use warp::{Filter, Rejection};

struct Warp;

/// The wrapped routes behind `warp::service`, their type erased, and how many requests
/// reached the routes.
#[derive(Clone)]
struct App {
    send: Arc<dyn Fn(warp::http::Request<String>) -> Sending + Send + Sync>,
    calls: Arc<AtomicUsize>,
}

type Sending = Pin<Box<dyn Future<Output = Reply> + Send>>;

/// What both integrations' [`AdapterUnderTest`] share: the app's type, the runtime, and
/// how a request goes in and is counted.
macro_rules! shared_items {
    () => {
        type App = App;
        type Request = warp::http::Request<String>;

        fn run<T>(test: impl Future<Output = T>) -> T {
            cors_harness::adapter::run_on_two_workers(test)
        }

        fn request(request: &Request) -> Result<Self::Request, String> {
            request.to_http(String::new())
        }

        async fn send(app: &App, request: Self::Request) -> Result<Reply, String> {
            Ok((app.send)(request).await)
        }

        fn app_calls(app: &App) -> Option<usize> {
            Some(app.calls.load(Ordering::SeqCst))
        }
    };
}

impl AdapterUnderTest for Warp {
    const NAME: &'static str = "cors-warp";
    cors_harness::middleware!(Cors);
    shared_items!();

    async fn app(cors: Cors, routes: Routes) -> Result<App, String> {
        let (calls, routes) = counted(routes);
        Ok(App {
            send: erase(cors.wrap(routes)),
            calls,
        })
    }
}

/// The routes, boxed, behind a filter that counts the requests reaching them.
fn counted(routes: Routes) -> (Arc<AtomicUsize>, BoxedFilter<(Response,)>) {
    let calls = Arc::new(AtomicUsize::new(0));
    let counting = {
        let calls = Arc::clone(&calls);
        warp::any()
            .map(move || {
                calls.fetch_add(1, Ordering::SeqCst);
            })
            .untuple_one()
    };
    let routes = match routes {
        Routes::Example => counting.and(example_warp::app()).boxed(),
        Routes::Yielding => counting
            .and(yielding())
            .map(warp::Reply::into_response)
            .boxed(),
    };
    (Arc::clone(&calls), routes)
}

/// [`Routes::Yielding`]: yields before answering, so that a swap can fall between the
/// decision and the writing of the headers.
fn yielding() -> impl Filter<Extract = (&'static str,), Error = Rejection> + Clone + Send + Sync {
    let path = cors_harness::reload::PATH.trim_start_matches('/');
    warp::path(path).and(warp::get()).and_then(|| async {
        tokio::task::yield_now().await;
        Ok::<_, Rejection>("hello")
    })
}

/// `warp::service` of the wrapped routes, its type erased.
fn erase<F>(app: F) -> Arc<dyn Fn(warp::http::Request<String>) -> Sending + Send + Sync>
where
    F: Filter<Extract = (Response,), Error = Infallible> + Clone + Send + Sync + 'static,
{
    erase_service(warp::service(app))
}

/// A service of warp's requests and replies, its type erased.
fn erase_service<S>(service: S) -> Arc<dyn Fn(warp::http::Request<String>) -> Sending + Send + Sync>
where
    S: Service<warp::http::Request<String>, Response = Response, Error = Infallible>,
    S: Clone + Send + Sync + 'static,
    S::Future: Send,
{
    Arc::new(move |request| {
        let mut service = service.clone();
        Box::pin(async move {
            match service.call(request).await {
                Ok(response) => Reply::of_http(&response),
                Err(never) => match never {},
            }
        })
    })
}

cors_harness::adapter_tests!(Warp, spawn = tokio::spawn);

/// The same tests through the tower integration: [`cors_warp::CorsLayer`] around
/// `warp::service(routes)`, as the example server runs it.
mod through_the_layer {
    use super::*;
    use ::tower_layer::Layer;
    use cors_warp::CorsLayer;

    struct WarpService;

    impl AdapterUnderTest for WarpService {
        const NAME: &'static str = "cors-warp (tower layer)";
        cors_harness::middleware!(CorsLayer);
        shared_items!();

        async fn app(cors: CorsLayer, routes: Routes) -> Result<App, String> {
            let (calls, routes) = counted(routes);
            Ok(App {
                send: layered(&cors, routes),
                calls,
            })
        }
    }

    /// The layer around `warp::service(routes)`, its type erased.
    fn layered(
        cors: &CorsLayer,
        routes: BoxedFilter<(Response,)>,
    ) -> Arc<dyn Fn(warp::http::Request<String>) -> Sending + Send + Sync> {
        erase_service(cors.layer(warp::service(routes)))
    }

    cors_harness::adapter_tests!(WarpService, spawn = tokio::spawn);
}
