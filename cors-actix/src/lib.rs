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
//! neither boxes nor allocates, except for an origin that only an asynchronous origin
//! lookup ([`cors_core::OriginLookup`]) can allow: then the lookup and the call of the
//! app run in one boxed future, since the lookup's own future is boxed anyway.
//!
//! # Changing the policy while the server runs
//! The middleware holds a [`SharedPolicy`]: replace the policy through [`Cors::shared`]
//! (or a clone of the handle kept from before) and the next request sees the new one,
//! in every worker that was given a clone of that [`Cors`]. Each request reads the
//! current policy once, without a lock, and uses it both to decide and to write its
//! response headers, so a request in flight during a swap is answered wholly by one
//! policy.
//!
//! # Optional features
//! - `watch`: `watch::PolicyFileWatcher` (re-exported from `cors_core::watch`) reloads
//!   a policy file into the [`SharedPolicy`] the middleware holds whenever the file
//!   changes.
//! - `metrics`: decisions counted through the `metrics` facade as
//!   `cors_decisions_total` (by outcome) and
//!   `cors_refusals_total` (by refusal kind); the application installs the exporter.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod future;
mod translate;

use std::future::{ready, Ready};
use std::rc::Rc;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{forward_ready, Service, ServiceRequest, ServiceResponse, Transform};
use actix_web::Error;
use cors_core::adapter::{self, Start, Step};

#[cfg(feature = "watch")]
pub use cors_core::watch;
pub use cors_core::{Policy, PolicyError, SharedPolicy};
pub use future::ResponseFuture;

use translate::{preflight_response, Actix};

cors_core::adapter::policy_holder!(
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
    ///
    /// To replace the policy of every worker at once, make one `Cors` and clone it into
    /// each worker's app: the clones share one [`SharedPolicy`].
    ///
    /// Replacing the policy while the server runs, through [`Cors::shared`]:
    ///
    /// ```
    /// use actix_web::{web, App, HttpResponse};
    /// use cors_actix::{Cors, Policy};
    ///
    /// let cors = Cors::new(Policy::from_toml_str(r#"allow_origins = ["https://a.example"]"#)?);
    /// let handle = cors.shared().clone();
    /// let make_app = move || {
    ///     App::new()
    ///         .wrap(cors.clone())
    ///         .route("/", web::get().to(HttpResponse::Ok))
    /// };
    /// # let _ = make_app();
    ///
    /// // Later, for example when the policy file changed:
    /// handle.replace(Policy::from_toml_str(r#"allow_origins = ["https://b.example"]"#)?);
    /// # Ok::<(), cors_core::PolicyError>(())
    /// ```
    pub struct Cors
);

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
    policy: SharedPolicy,
}

impl<S> CorsMiddleware<S> {
    /// The handle to the policy this middleware applies: see [`Cors::shared`].
    pub fn shared(&self) -> &SharedPolicy {
        &self.policy
    }
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
        // One read of the current policy per request: it decides, and the same policy
        // writes the response headers, whatever replaces it meanwhile.
        let policy = self.policy.load();
        let (method, path) = (request.method().as_str(), request.path());
        let cors = adapter::cors_request::<Actix>(method, path, request.headers());
        match adapter::start(policy, &cors, preflight_response) {
            Start::Decided(Step::Answer(preflight)) => {
                ResponseFuture::answered(request.into_response(preflight))
            }
            Start::Decided(Step::Forward(pending)) => {
                ResponseFuture::forwarded(self.service.call(request), pending)
            }
            // Only an origin that the policy's lookup alone can allow waits for it.
            Start::LookUp(lookup) => {
                let service = Rc::clone(&self.service);
                ResponseFuture::lookup(Box::pin(async move {
                    match lookup.decide(preflight_response).await {
                        Step::Answer(preflight) => {
                            Ok(request.into_response(preflight).map_into_right_body())
                        }
                        Step::Forward(pending) => {
                            ResponseFuture::forwarded(service.call(request), pending).await
                        }
                    }
                }))
            }
        }
    }
}
