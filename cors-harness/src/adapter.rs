//! The one description of an adapter that the shared tests need, and the macro that
//! gives an adapter those tests.
//!
//! An adapter's test file implements [`AdapterUnderTest`] (how to make its middleware,
//! put it around an app, and send a request through it) and calls
//! [`adapter_tests!`](crate::adapter_tests); the macro writes the `#[test]`s of the case
//! table ([`table::the_whole_case_table`](crate::table::the_whole_case_table)), of the reload
//! ([`reload`](crate::reload)) and of the refusal log ([`log`](crate::log)). Whatever
//! else the adapter's tests check belongs to its framework and stays in its own files.

use std::future::Future;
use std::sync::Arc;

use cors_cases::Case;
/// The policy types of the trait's signatures (the adapters re-export them too).
pub use cors_core::{Policy, SharedPolicy};

/// An adapter as the shared tests drive it. Every function is an associated one: the
/// type that implements it is a name (`struct Axum;`), not a value.
///
/// The futures need not be `Send`: each test runs on the adapter's own runtime
/// ([`run`](Self::run)), and only the reload race spawns tasks, through the function the
/// adapter gives [`adapter_tests!`](crate::adapter_tests) (so that a `Send` runtime can
/// check it on the adapter's concrete types).
pub trait AdapterUnderTest: 'static {
    /// The crate's name, for the case table's summary line.
    const NAME: &'static str;

    /// The adapter's middleware: a layer, a transform, a fairing, a wrapper.
    type Middleware: Clone;

    /// An app behind the middleware, ready for requests; its clones serve the same app.
    type App: Clone + 'static;

    /// A [`Request`] as the framework carries it.
    type Request;

    /// Runs one test to its end on the runtime the framework serves requests with.
    fn run<T>(test: impl Future<Output = T>) -> T;

    /// The middleware's constructor (`new`): it takes a [`Policy`], an `Arc<Policy>` or a
    /// [`SharedPolicy`].
    fn middleware(policy: impl Into<SharedPolicy>) -> Self::Middleware;

    /// The middleware's handle to its policy (`shared()`).
    fn shared(middleware: &Self::Middleware) -> &SharedPolicy;

    /// The policy the middleware applies now (`policy()`).
    fn policy(middleware: &Self::Middleware) -> Arc<Policy>;

    /// `routes` behind the middleware; `Err` (why) when the app does not start.
    fn app(
        middleware: Self::Middleware,
        routes: Routes,
    ) -> impl Future<Output = Result<Self::App, String>>;

    /// The request as the framework carries it, or why it cannot carry it (a method or
    /// a header value its types cannot hold): such cases of the table are skipped,
    /// counted and listed with that reason.
    fn request(request: &Request) -> Result<Self::Request, String>;

    /// Sends one request through the app; `Err` (what went wrong) when no response came.
    fn send(app: &Self::App, request: Self::Request)
        -> impl Future<Output = Result<Reply, String>>;

    /// How many requests reached the routes behind the middleware, for an app that
    /// counts them (`None`: it does not). The case table then checks that a preflight
    /// did not reach them and an actual request did, once.
    fn app_calls(_app: &Self::App) -> Option<usize> {
        None
    }
}

/// What the app behind the middleware serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Routes {
    /// The example app of docs/contract.md, without CORS (the `example-*` crate): the
    /// case table and the logging test.
    Example,
    /// `GET` [`reload::PATH`](crate::reload::PATH) alone, answered `hello` by a handler
    /// that yields first, so that a swap can fall between the decision and the writing
    /// of the headers: the reload tests.
    Yielding,
}

/// A request to send: the method exactly as written, the path, and every header line
/// in order (a name may repeat, a value need not be UTF-8).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, Vec<u8>)>,
}

impl Request {
    /// A request without headers.
    pub fn new(method: &str, path: &str) -> Self {
        Request {
            method: method.to_owned(),
            path: path.to_owned(),
            headers: Vec::new(),
        }
    }

    /// The request of a case of the table.
    pub fn of_case(case: &Case) -> Self {
        Request {
            method: case.method.clone(),
            path: case.path.clone(),
            headers: case.headers.clone(),
        }
    }

    /// Adds a header line.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers
            .push((name.to_owned(), value.as_bytes().to_vec()));
        self
    }

    /// As an `http::Request` with `body` (axum, warp, any tower stack), or why `http`
    /// cannot hold it (such a request cannot reach an app of those frameworks either).
    pub fn to_http<B>(&self, body: B) -> Result<http::Request<B>, String> {
        let mut request = http::Request::new(body);
        let method = http::Method::from_bytes(self.method.as_bytes());
        *request.method_mut() = method.map_err(|e| format!("method: {e}"))?;
        *request.uri_mut() = self.path.parse().map_err(|e| format!("path: {e}"))?;
        for (name, value) in &self.headers {
            let error = |e: &dyn std::fmt::Display| format!("{name}: {e}");
            let name = http::HeaderName::from_bytes(name.as_bytes()).map_err(|e| error(&e))?;
            let value = http::HeaderValue::from_bytes(value).map_err(|e| error(&e))?;
            request.headers_mut().append(name, value);
        }
        Ok(request)
    }
}

/// A response: its status and every header line, as the framework gives them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, Vec<u8>)>,
}

impl Reply {
    /// From the status and the header lines, in any case and order.
    pub fn new<'a>(status: u16, headers: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> Self {
        let headers = headers.into_iter();
        let headers = headers.map(|(name, value)| (name.to_owned(), value.to_vec()));
        Reply {
            status,
            headers: headers.collect(),
        }
    }

    /// From an `http::Response`.
    pub fn of_http<B>(response: &http::Response<B>) -> Self {
        let headers = response.headers().iter();
        let headers = headers.map(|(name, value)| (name.as_str(), value.as_bytes()));
        Reply::new(response.status().as_u16(), headers)
    }
}

/// The items of [`AdapterUnderTest`] that every adapter's middleware provides alike:
/// `type Middleware` and the functions that call its `new`, `shared()` and `policy()`.
/// Inside the trait's `impl`: `cors_harness::middleware!(CorsLayer);`.
/// Sends `request` through `app` and returns the reply, for tests whose requests every
/// framework carries; panics with the reason otherwise, or when no response comes.
pub async fn exchange<A: AdapterUnderTest>(app: &A::App, request: &Request) -> Reply {
    let carried = A::request(request).unwrap_or_else(|why| panic!("{why}: {request:?}"));
    let reply = A::send(app, carried).await;
    reply.unwrap_or_else(|error| panic!("no response to {request:?}: {error}"))
}

/// Runs `test` on a tokio runtime with two workers, so that the requests of the reload
/// race run in parallel: [`AdapterUnderTest::run`] for the adapters of tokio frameworks.
pub fn run_on_two_workers<T>(test: impl Future<Output = T>) -> T {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build();
    runtime.expect("a tokio runtime").block_on(test)
}

#[macro_export]
macro_rules! middleware {
    ($middleware:ty) => {
        type Middleware = $middleware;

        fn middleware(
            policy: impl ::std::convert::Into<$crate::adapter::SharedPolicy>,
        ) -> $middleware {
            <$middleware>::new(policy)
        }

        fn shared(middleware: &$middleware) -> &$crate::adapter::SharedPolicy {
            middleware.shared()
        }

        fn policy(middleware: &$middleware) -> ::std::sync::Arc<$crate::adapter::Policy> {
            middleware.policy()
        }
    };
}

/// The `#[test]`s every adapter shares, for the type that implements
/// [`AdapterUnderTest`] for it, and the function that spawns a task on its runtime the
/// way its server runs a connection (`tokio::spawn` on a multi-threaded runtime,
/// `actix_web::rt::spawn` on an actix worker's one thread):
///
/// ```text
/// struct Axum;
/// impl cors_harness::AdapterUnderTest for Axum { /* ... */ }
/// cors_harness::adapter_tests!(Axum, spawn = tokio::spawn);
/// ```
///
/// - `the_whole_case_table`: [`table::the_whole_case_table`](crate::table::the_whole_case_table).
/// - `replace_takes_effect_for_the_next_request`,
///   `every_app_of_one_middleware_follows_its_handle`: see [`reload`](crate::reload).
/// - `a_swap_during_requests_never_mixes_two_policies`: [`reload::Race`](crate::reload::Race),
///   its tasks spawned with `spawn`.
/// - `refusals_are_logged_at_debug_with_the_reason`: [`log::refusals_are_logged`](crate::log::refusals_are_logged),
///   in a process of its own (see [`log::alone_in_process`](crate::log::alone_in_process)).
#[macro_export]
macro_rules! adapter_tests {
    (@test $adapter:ty, $module:ident :: $name:ident) => {
        #[test]
        fn $name() {
            <$adapter as $crate::AdapterUnderTest>::run($crate::$module::$name::<$adapter>());
        }
    };
    ($adapter:ty, spawn = $spawn:path $(,)?) => {
        $crate::adapter_tests!(@test $adapter, table::the_whole_case_table);
        $crate::adapter_tests!(@test $adapter, reload::replace_takes_effect_for_the_next_request);
        $crate::adapter_tests!(@test $adapter, reload::every_app_of_one_middleware_follows_its_handle);
        $crate::adapter_tests!(@test $adapter, lookup::an_asynchronous_origin_lookup_is_awaited);

        #[test]
        fn a_swap_during_requests_never_mixes_two_policies() {
            <$adapter as $crate::AdapterUnderTest>::run(async {
                let race = $crate::reload::Race::<$adapter>::start().await;
                // Every task spawned before the first is awaited: they run at once.
                let tasks: ::std::vec::Vec<_> = (0..$crate::reload::TASKS)
                    .map(|_| $spawn(race.task()))
                    .collect();
                race.finish(tasks).await;
            });
        }

        #[test]
        fn refusals_are_logged_at_debug_with_the_reason() {
            $crate::log::alone_in_process(
                module_path!(),
                "refusals_are_logged_at_debug_with_the_reason",
                || {
                    <$adapter as $crate::AdapterUnderTest>::run(
                        $crate::log::refusals_are_logged::<$adapter>(),
                    )
                },
            );
        }
    };
}
