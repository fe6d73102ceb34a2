//! CORS for [axum](https://docs.rs/axum) and any tower / hyper 1 stack: a tower
//! [`Layer`] that applies a validated [`cors_core::Policy`].
//!
//! ```
//! use axum::{routing::get, Router};
//! use cors_axum::{CorsLayer, Policy};
//!
//! let policy = Policy::from_toml_str(r#"allow_origins = ["https://app.example.com"]"#)?;
//! let app: Router = Router::new()
//!     .route("/", get(|| async { "Hello, World!" }))
//!     .layer(CorsLayer::new(policy));
//! # Ok::<(), cors_core::PolicyError>(())
//! ```
//!
//! What the layer does, all of it decided by `cors-core`:
//! - a preflight (`OPTIONS` with `Origin` and `Access-Control-Request-Method`) is answered
//!   by the layer (204/200 or 403, empty body) and never reaches the inner service;
//! - every other request goes through, and the CORS headers are written on whatever
//!   response comes back, error statuses included;
//! - a refusal is logged with `tracing::debug!`, with the reason, so that a developer can
//!   find out why the browser says no.
//!
//! The layer works with `Router::layer`, `Router::route_layer` (a policy per route),
//! `tower::ServiceBuilder` and any service taking an `http::Request`. Its response
//! future neither boxes nor allocates, except with an asynchronous origin lookup
//! ([`cors_core::OriginLookup`]): then the lookup and what depends on it run in one boxed
//! future per request, since the lookup's own future is boxed anyway.
//!
//! # Changing the policy while the server runs
//! The layer holds a [`SharedPolicy`]: replace the policy through
//! [`CorsLayer::shared`] (or a clone of the handle kept from before) and the next
//! request sees the new one. Each request reads the current policy once, without a
//! lock, and uses it both to decide and to write its response headers, so a request in
//! flight during a swap is answered wholly by one policy.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod future;

use std::task::{Context, Poll};

use cors_core::adapter::{self, Start, Step};
use http::{Request, Response};
use tower_layer::Layer;
use tower_service::Service;

pub use cors_core::{Policy, PolicyError, SharedPolicy};
pub use future::ResponseFuture;

use future::Headers;

cors_core::adapter::policy_holder!(
    /// A tower [`Layer`] that applies a CORS [`Policy`] to the services it wraps.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use cors_axum::{CorsLayer, Policy};
    ///
    /// let policy = Arc::new(Policy::builder().allow_origins(["https://app.example.com"]).build()?);
    /// // One policy, shared by several layers without copying.
    /// let api = CorsLayer::new(policy.clone());
    /// let admin = CorsLayer::new(policy.clone());
    ///
    /// // Layers that must follow one replaceable policy share one handle instead (each
    /// // layer made from a `Policy` or an `Arc` has a handle of its own).
    /// let shared = cors_axum::SharedPolicy::new(policy);
    /// let (api, admin) = (CorsLayer::new(shared.clone()), CorsLayer::new(shared));
    /// # let _ = (api, admin);
    /// # Ok::<(), cors_core::PolicyError>(())
    /// ```
    ///
    /// Replacing the policy while the server runs, through [`CorsLayer::shared`]:
    ///
    /// ```
    /// use axum::{routing::get, Router};
    /// use cors_axum::{CorsLayer, Policy};
    ///
    /// let layer = CorsLayer::new(Policy::from_toml_str(r#"allow_origins = ["https://a.example"]"#)?);
    /// let handle = layer.shared().clone();
    /// let app: Router = Router::new().route("/", get(|| async { "hi" })).layer(layer);
    ///
    /// // Later, for example when the policy file changed:
    /// handle.replace(Policy::from_toml_str(r#"allow_origins = ["https://b.example"]"#)?);
    /// # let _ = app;
    /// # Ok::<(), cors_core::PolicyError>(())
    /// ```
    pub struct CorsLayer
);

impl<S> Layer<S> for CorsLayer {
    type Service = Cors<S>;

    fn layer(&self, inner: S) -> Cors<S> {
        Cors {
            inner,
            policy: self.policy.clone(),
        }
    }
}

/// The service made by [`CorsLayer`]: answers preflights, and adds the CORS headers to
/// the inner service's responses.
#[derive(Debug, Clone)]
pub struct Cors<S> {
    inner: S,
    policy: SharedPolicy,
}

impl<S> Cors<S> {
    /// The handle to the policy this service applies (the same as its layer's):
    /// see [`CorsLayer::shared`].
    pub fn shared(&self) -> &SharedPolicy {
        &self.policy
    }
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for Cors<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
    ResBody: Default,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future, ResBody>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        // One read of the current policy per request: it decides, and the same policy
        // writes the response headers, whatever replaces it meanwhile.
        let policy = self.policy.load();
        let cors = cors_http::cors_request(&request);
        match adapter::start(policy, &cors, cors_http::preflight_response) {
            Start::Decided(Step::Answer(preflight)) => ResponseFuture::answered(preflight),
            Start::Decided(Step::Forward(pending)) => {
                ResponseFuture::forwarded(self.inner.call(request), Headers::Decided(pending))
            }
            // Only an origin that the policy's lookup alone can allow waits for it, in
            // one boxed future (the lookup's own future is boxed anyway).
            Start::LookUp(lookup) => {
                let preflight = lookup.is_preflight();
                let looked_up = Box::pin(lookup.decide(cors_http::preflight_response));
                if preflight {
                    return ResponseFuture::preflight_lookup(looked_up);
                }
                ResponseFuture::forwarded(self.inner.call(request), Headers::LookUp(looked_up))
            }
        }
    }
}
