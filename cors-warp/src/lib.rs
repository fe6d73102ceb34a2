//! CORS for [warp](https://docs.rs/warp): a wrapper for your routes that answers
//! preflights before the routes run and puts the policy's headers on every reply,
//! rejections included. Every rule comes from [`cors_core`]; this crate only
//! translates between it and warp.
//!
//! ```
//! use warp::Filter;
//!
//! let policy = cors_warp::Policy::from_toml_str(r#"allow_origins = ["https://app.example.com"]"#)?;
//! let routes = warp::path("hello").map(|| "Hello, World!");
//! let app = cors_warp::Cors::new(policy).wrap(routes);
//! // warp::serve(app).run(([127, 0, 0, 1], 8080)).await;
//! # let _ = app;
//! # Ok::<(), cors_warp::PolicyError>(())
//! ```
//!
//! # The faster integration: a tower layer around `warp::service`
//! [`Cors::wrap`] works with `warp::serve`, but warp's public filters make it pay for
//! things warp's own `cors()` does not: a copy of the request's header map, a second
//! filter chain, and a task per rejected request. [`CorsLayer`], the tower middleware,
//! wraps `warp::service(routes)` instead and costs what it costs on axum: no copy, no
//! task, no boxing. Serve the wrapped service with hyper, as `warp::serve` itself does:
//!
//! ```no_run
//! use tower_layer::Layer;
//! use warp::Filter;
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let policy = cors_warp::Policy::from_toml_str(r#"allow_origins = ["https://app.example.com"]"#)?;
//! let routes = warp::path("hello").map(|| String::from("Hello, World!"));
//! let service = cors_warp::CorsLayer::new(policy).layer(warp::service(routes));
//!
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! loop {
//!     let (stream, _) = listener.accept().await?;
//!     let service = hyper_util::service::TowerToHyperService::new(service.clone());
//!     tokio::spawn(async move {
//!         let builder = hyper_util::server::conn::auto::Builder::new(hyper_util::rt::TokioExecutor::new());
//!         let connection = builder.serve_connection(hyper_util::rt::TokioIo::new(stream), service);
//!         let _ = connection.await;
//!     });
//! }
//! # }
//! ```
//!
//! The trade-offs: `warp::service` turns the routes' rejections into warp's replies
//! itself, after the routes, so the layer sees (and adds the CORS headers to) every
//! reply, 404 and 405 included, with no help needed; the server loop is yours, and
//! `warp::addr::remote()` sees nothing unless you put the address in the request's
//! extensions yourself. The example server (`examples/warp`) runs this integration; the
//! benchmarks (BENCHMARKS.md) give both its cost and the filter wrapper's.
//!
//! # What the wrapper does
//! - A preflight (`OPTIONS` with `Origin` and `Access-Control-Request-Method`) is
//!   answered by the wrapper, 204 (or the policy's status) when allowed and 403 when
//!   refused, with an empty body. Your routes never see it.
//! - Every other request, a plain `OPTIONS` included, runs your routes. Their reply gets
//!   the CORS headers the policy decides, and `Vary` merged with the one your reply set.
//!   A refused origin still reaches your routes; its reply gets `Vary`, and any
//!   `Access-Control-Allow-Origin`, `-Allow-Credentials` or `-Expose-Headers` your routes
//!   set is removed: those are the wrapper's alone.
//!
//! # Rejections
//! warp turns a rejection into a reply only when it leaves the whole filter chain, which
//! is too late to add headers. So the wrapper turns the rejections of the routes it wraps
//! into replies itself, with warp's own conversion (the same status, headers and body
//! that `warp::serve` would send: 404 for no route, 405 for a wrong method, 400 for a bad
//! header...), and adds the CORS headers to them: a script of an allowed origin can read
//! your 404. (warp exposes that conversion only through `warp::service`, which must not
//! run inside another request's filters, so for a rejected request the wrapper runs it
//! on a short tokio task of its own.) As a consequence the wrapped filter never rejects
//! (its error type is [`Infallible`]):
//! - Apply the wrapper last, to the whole app (`cors.wrap(routes)`): warp lets nothing
//!   be `.or(...)`-ed after a filter that cannot reject. To give parts of an app
//!   different policies, put a path filter in front of each wrapped part:
//!   `warp::path("public").and(a.wrap(public)).or(warp::path("api").and(b.wrap(api)))`.
//! - Keep your own `recover` handler inside the wrapper: `cors.wrap(routes.recover(handle))`.
//!   The wrapper takes filters whose error is [`Rejection`], so let the handler return
//!   `Result<impl Reply, Rejection>`: what it answers gets the CORS headers, and what it
//!   returns as `Err(rejection)` gets warp's default reply, with the CORS headers too.
//!   To add your own headers to warp's 404 and 405 as well, recover with
//!   [`rejection_reply`], which gives you warp's reply as a value.
//! - A filter that cannot reject at all (`warp::any().map(...)`, or a `recover` handler
//!   returning `Result<_, Infallible>`) has the error type `Infallible`: call
//!   `.boxed()` on it before wrapping, which makes its error a [`Rejection`].
//!
//! # Changing the policy while the server runs
//! [`Cors`] holds a [`SharedPolicy`]: replace the policy through [`Cors::shared`] (or a
//! clone of the handle kept from before) and the next request sees the new one, in
//! every wrapper made from that `Cors`. Each request reads the current policy once,
//! without a lock; the decision and the reply's headers both come from that policy, so
//! a request in flight during a swap is answered wholly by one policy.
//!
//! # Seeing refusals
//! A refused origin, method or header is logged with `tracing` at debug level (target
//! `cors`, the same event for every adapter), with the reason in words. With
//! `tracing-subscriber`'s `EnvFilter`, run with `RUST_LOG=cors=debug` to see them.
//!
//! # Optional features
//! - `watch`: `watch::PolicyFileWatcher` (re-exported from `cors_core::watch`) reloads
//!   a policy file into the [`SharedPolicy`] the wrapper or layer holds whenever the
//!   file changes.
//! - `metrics`: decisions counted through the `metrics` facade as
//!   `cors_decisions_total` (by outcome) and
//!   `cors_refusals_total` (by refusal kind); the application installs the exporter.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use std::convert::Infallible;
use std::future::{ready, Ready};
use std::sync::{Arc, Mutex};

use cors_core::adapter::{self, Pending, Preflight, Start, Step};
use cors_http::Http;
use futures_util::future::{BoxFuture, Either};
use tower_service::Service;
use warp::http::header::{HeaderMap, HeaderValue};
use warp::http::{Method, StatusCode};
use warp::path::FullPath;
use warp::reply::Response;
use warp::{Filter, Rejection, Reply};

#[cfg(feature = "watch")]
pub use cors_core::watch;
pub use cors_core::{Policy, PolicyError, SharedPolicy};
/// The tower middleware, for the [faster integration](crate#the-faster-integration-a-tower-layer-around-warpservice):
/// around `warp::service(routes)`. Written once in `cors-http`, for every stack on the
/// `http` crate's types.
pub use cors_http::CorsLayer;

cors_core::adapter::policy_holder!(
    /// The CORS layer for warp: a validated [`Policy`], shared by every wrapper made from it.
    ///
    /// ```
    /// use warp::Filter;
    /// use cors_warp::{Cors, Policy};
    ///
    /// let policy = Policy::builder()
    ///     .allow_origins(["https://app.example.com"])
    ///     .allow_methods(["GET", "PUT"])
    ///     .build()?;
    /// let cors = Cors::new(policy);
    /// let items = warp::path("items").and(warp::put()).map(|| "updated");
    /// let app = items.with(warp::wrap_fn(|routes| cors.wrap(routes)));
    /// # let _ = app;
    /// # Ok::<(), cors_warp::PolicyError>(())
    /// ```
    ///
    /// Replacing the policy while the server runs, through [`Cors::shared`]:
    ///
    /// ```
    /// use warp::Filter;
    /// use cors_warp::{Cors, Policy};
    ///
    /// let cors = Cors::new(Policy::from_toml_str(r#"allow_origins = ["https://a.example"]"#)?);
    /// let app = cors.wrap(warp::path("hello").map(|| "Hello, World!"));
    /// let handle = cors.shared().clone();
    ///
    /// // Later, for example when the policy file changed:
    /// handle.replace(Policy::from_toml_str(r#"allow_origins = ["https://b.example"]"#)?);
    /// # let _ = app;
    /// # Ok::<(), cors_warp::PolicyError>(())
    /// ```
    pub struct Cors
);

impl Cors {
    /// Wraps `routes`: `let app = cors.wrap(routes);`. In a chain of filters, hand it
    /// to [`warp::wrap_fn`]: `routes.with(warp::wrap_fn(|routes| cors.wrap(routes)))`
    /// (warp 0.4 keeps its `Wrap` trait private, so no crate but warp can return a
    /// value for `with` directly). See the [crate documentation](crate) for what
    /// happens to preflights and rejections.
    pub fn wrap<F, R>(
        &self,
        routes: F,
    ) -> impl Filter<Extract = (Response,), Error = Infallible> + Clone + Send + Sync + 'static
    where
        F: Filter<Extract = (R,), Error = Rejection> + Clone + Send + Sync + 'static,
        R: Reply + 'static,
    {
        wrapped(self.policy.clone(), routes)
    }
}

/// The routes behind the CORS decision. A preflight leaves the chain at the first step,
/// as a rejection carrying its answer (warp's only way to skip the filters that follow),
/// and the final `recover` turns it into the reply.
fn wrapped<F, R>(
    policy: SharedPolicy,
    routes: F,
) -> impl Filter<Extract = (Response,), Error = Infallible> + Clone + Send + Sync + 'static
where
    F: Filter<Extract = (R,), Error = Rejection> + Clone + Send + Sync + 'static,
    R: Reply + 'static,
{
    warp::method()
        // The path is only for the refusal log (a reference count, no copy).
        .and(warp::path::full())
        .and(warp::header::headers_cloned())
        .and_then(move |method, path, headers| decide(&policy, method, path, headers))
        .and(replies(routes))
        .map(|pending: Pending<HeaderValue>, mut response: Response| {
            pending.write_into::<Http>(response.headers_mut());
            response
        })
        .recover(answer_preflight)
        .unify()
}

/// A preflight's answer, carried to [`answer_preflight`] as a rejection: warp's way out
/// of a filter chain before the routes run. Taken once.
#[derive(Debug)]
struct Answered(Mutex<Option<Response>>);

impl warp::reject::Reject for Answered {}

fn answered(preflight: &Preflight<'_>, origin: Option<&HeaderValue>) -> Rejection {
    let response = cors_http::preflight_response(preflight, origin);
    warp::reject::custom(Answered(Mutex::new(Some(response))))
}

type Decided = Either<
    Ready<Result<Pending<HeaderValue>, Rejection>>,
    BoxFuture<'static, Result<Pending<HeaderValue>, Rejection>>,
>;

/// The core's adapter sequence: decided at once, or, when only the policy's origin
/// lookup can allow the origin, in a boxed future.
fn decide(shared: &SharedPolicy, method: Method, path: FullPath, headers: HeaderMap) -> Decided {
    let request = adapter::cors_request::<Http>(method.as_str(), path.as_str(), &headers);
    match adapter::start(shared.load(), &request, answered) {
        Start::Decided(step) => Either::Left(ready(forward(step))),
        Start::LookUp(lookup) => {
            Either::Right(Box::pin(
                async move { forward(lookup.decide(answered).await) },
            ))
        }
    }
}

fn forward(step: Step<Rejection, HeaderValue>) -> Result<Pending<HeaderValue>, Rejection> {
    match step {
        Step::Answer(preflight) => Err(preflight),
        Step::Forward(pending) => Ok(pending),
    }
}

/// The last step: the reply to a preflight.
async fn answer_preflight(rejection: Rejection) -> Result<Response, Infallible> {
    let answer = rejection
        .find::<Answered>()
        .and_then(|Answered(answer)| answer.lock().ok()?.take());
    match answer {
        Some(response) => Ok(response),
        // Not reachable: the routes' rejections became replies in `replies`, and an
        // answer is taken once.
        None => reply_to(rejection).await,
    }
}

/// The routes, with every rejection turned into warp's own reply for it.
fn replies<F, R>(
    routes: F,
) -> impl Filter<Extract = (Response,), Error = Infallible> + Clone + Send + Sync + 'static
where
    F: Filter<Extract = (R,), Error = Rejection> + Clone + Send + Sync + 'static,
    R: Reply + 'static,
{
    routes.map(R::into_response).recover(reply_to).unify()
}

/// warp's own reply to a rejection (the status, headers and body `warp::serve` sends
/// for it), as a value that can still be changed. The wrapper uses it for the routes'
/// rejections; an app can use it in its own `recover` handler to add headers to warp's
/// 404 and 405:
///
/// ```
/// use warp::{Filter, Rejection, Reply};
///
/// let routes = warp::path("hello").map(|| "Hello, World!".into_response());
/// let app = routes
///     .recover(|rejection| async move {
///         Ok::<_, Rejection>(cors_warp::rejection_reply(rejection).await)
///     })
///     .unify()
///     .map(|reply| warp::reply::with_header(reply, "x-served-by", "warp"));
/// # let _ = app;
/// ```
///
/// warp keeps that conversion private; only a `warp::service` performs it, and warp
/// asserts that no service runs inside another request's filters, so this runs it on a
/// tokio task of its own. Outside a tokio runtime it answers 500.
pub async fn rejection_reply(rejection: Rejection) -> Response {
    let slot = Arc::new(Mutex::new(Some(rejection)));
    let rejecting = warp::any().and_then(move || {
        let rejection = slot.lock().ok().and_then(|mut slot| slot.take());
        std::future::ready(Err::<Response, _>(
            rejection.unwrap_or_else(warp::reject::not_found),
        ))
    });
    let mut service = warp::service(rejecting);
    let request = warp::http::Request::new(String::new());
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        tracing::error!("cors-warp needs a tokio runtime to reply to a rejection");
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let task = runtime.spawn(async move { service.call(request).await });
    match task.await {
        Ok(Ok(response)) => response,
        Ok(Err(never)) => match never {},
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// [`rejection_reply`] as a `recover` handler.
async fn reply_to(rejection: Rejection) -> Result<Response, Infallible> {
    Ok(rejection_reply(rejection).await)
}
