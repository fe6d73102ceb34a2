//! CORS for [actix-web](https://docs.rs/actix-web) 4: a middleware ([`Transform`]) that
//! applies a validated [`cors_core::Policy`].
//!
//! ```
//! use actix_web::{web, App, HttpResponse};
//! use cors_actix::{Cors, Policy};
//!
//! let policy = Policy::from_toml_str(r#"allow_origins = ["https://app.example.com"]"#)?;
//! let app = App::new()
//!     .wrap(Cors::new(policy))
//!     .route("/", web::get().to(HttpResponse::Ok));
//! # let _ = app;
//! # Ok::<(), cors_core::PolicyError>(())
//! ```
//!
//! What the middleware does, all of it decided by `cors-core`:
//! - a preflight (`OPTIONS` with `Origin` and `Access-Control-Request-Method`) is answered
//!   by the middleware (204/200 or 403, empty body) and never reaches the app;
//! - every other request goes through, and the CORS headers are written on whatever
//!   comes back: the app's responses, actix's own 404 and 405, handler errors, and
//!   errors that inner middleware returns as `Err` (through
//!   [`actix_web::Error::add_response_mapper`], so that the response actix finally makes
//!   of the error carries them);
//! - a refusal is logged with `tracing::debug!`, with the reason. Applications logging
//!   with the `log` crate see these events by enabling tracing's `log` feature, or by
//!   installing a `tracing` subscriber that forwards to `log` (see `tracing-log`).
//!
//! Wrap an [`App`](actix_web::App), a [`Scope`](actix_web::Scope) or a
//! [`Resource`](actix_web::Resource): each can have its own policy. The response future
//! neither boxes nor allocates, except with an asynchronous origin lookup
//! ([`cors_core::OriginLookup`]): then the lookup and the call of the app run in one
//! boxed future per request, since the lookup's own future is boxed anyway.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod future;
mod translate;

use std::future::{ready, Ready};
use std::rc::Rc;
use std::sync::Arc;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{forward_ready, Service, ServiceRequest, ServiceResponse, Transform};
use actix_web::Error;

pub use cors_core::Policy;
pub use future::ResponseFuture;

use translate::Step;

/// The CORS middleware factory: `App::new().wrap(Cors::new(policy))`.
///
/// ```
/// use std::sync::Arc;
/// use actix_web::{web, App, HttpResponse};
/// use cors_actix::{Cors, Policy};
///
/// let policy = Arc::new(Policy::builder().allow_origins(["https://app.example.com"]).build()?);
/// // Built once, shared by every worker's app without copying.
/// let make_app = move || {
///     App::new()
///         .wrap(Cors::new(policy.clone()))
///         .route("/", web::get().to(HttpResponse::Ok))
/// };
/// # let _ = make_app();
/// # Ok::<(), cors_core::PolicyError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Cors {
    policy: Arc<Policy>,
}

impl Cors {
    /// A middleware applying `policy`, given by value or already in an `Arc`.
    pub fn new(policy: impl Into<Arc<Policy>>) -> Self {
        Cors {
            policy: policy.into(),
        }
    }

    /// The policy this middleware applies.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }
}

impl<S, B> Transform<S, ServiceRequest> for Cors
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Transform = CorsMiddleware<S>;
    type InitError = ();
    type Future = Ready<Result<CorsMiddleware<S>, ()>>;

    fn new_transform(&self, service: S) -> Self::Future {
        let service = Rc::new(service);
        let policy = self.policy.clone();
        ready(Ok(CorsMiddleware { service, policy }))
    }
}

/// The service made by [`Cors`]: answers preflights, and adds the CORS headers to the
/// responses of the service it wraps.
#[derive(Debug)]
pub struct CorsMiddleware<S> {
    /// In an `Rc` so that the asynchronous-lookup path can call it after awaiting.
    service: Rc<S>,
    policy: Arc<Policy>,
}

impl<S, B> Service<ServiceRequest> for CorsMiddleware<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Future = ResponseFuture<S::Future, B>;

    forward_ready!(service);

    fn call(&self, request: ServiceRequest) -> Self::Future {
        if self.policy.has_origin_lookup() {
            let (service, policy) = (self.service.clone(), self.policy.clone());
            return ResponseFuture::lookup(Box::pin(call_with_lookup(service, policy, request)));
        }
        let view = translate::view(request.method(), request.headers());
        match Step::of(self.policy.decide(&view), &request) {
            Step::Answer(preflight) => ResponseFuture::answered(request.into_response(preflight)),
            Step::Forward(actual, origin) => {
                let future = self.service.call(request);
                ResponseFuture::forwarded(future, actual, origin, self.policy.clone())
            }
        }
    }
}

/// The path of policies with an asynchronous origin lookup: await the decision, then
/// answer or call the app, in one boxed future.
async fn call_with_lookup<S, B>(
    service: Rc<S>,
    policy: Arc<Policy>,
    request: ServiceRequest,
) -> Result<ServiceResponse<EitherBody<B>>, Error>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error>,
{
    let view = translate::view(request.method(), request.headers());
    match Step::of(policy.decide_async(&view).await, &request) {
        Step::Answer(preflight) => Ok(request.into_response(preflight).map_into_right_body()),
        Step::Forward(actual, origin) => {
            let future = service.call(request);
            ResponseFuture::forwarded(future, actual, origin, policy).await
        }
    }
}
