//! The tower middleware: a [`Layer`] and its [`Service`] that apply a policy to any
//! service over `http` 1 requests and responses (axum's router, `warp::service`, a bare
//! hyper service).

mod future;

use std::task::{Context, Poll};

use cors_core::adapter::{self, Start, Step};
use http::{Request, Response};
use tower_layer::Layer;
use tower_service::Service;

use cors_core::SharedPolicy;
pub use future::ResponseFuture;

use future::Headers;

cors_core::adapter::policy_holder!(
    /// A tower [`Layer`] that applies a CORS [`Policy`] to the services it wraps.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use cors_core::Policy;
    /// use cors_http::CorsLayer;
    ///
    /// let policy = Arc::new(Policy::builder().allow_origins(["https://app.example.com"]).build()?);
    /// // One policy, shared by several layers without copying.
    /// let api = CorsLayer::new(policy.clone());
    /// let admin = CorsLayer::new(policy.clone());
    ///
    /// // Layers that must follow one replaceable policy share one handle instead (each
    /// // layer made from a `Policy` or an `Arc` has a handle of its own).
    /// let shared = cors_core::SharedPolicy::new(policy);
    /// let (api, admin) = (CorsLayer::new(shared.clone()), CorsLayer::new(shared));
    /// # let _ = (api, admin);
    /// # Ok::<(), cors_core::PolicyError>(())
    /// ```
    ///
    /// Replacing the policy while the server runs, through [`CorsLayer::shared`]:
    ///
    /// ```
    /// use cors_core::Policy;
    /// use cors_http::CorsLayer;
    ///
    /// let layer = CorsLayer::new(Policy::from_toml_str(r#"allow_origins = ["https://a.example"]"#)?);
    /// let handle = layer.shared().clone();
    /// // ... the layer wraps the application ...
    ///
    /// // Later, for example when the policy file changed:
    /// handle.replace(Policy::from_toml_str(r#"allow_origins = ["https://b.example"]"#)?);
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
        let cors = crate::cors_request(&request);
        match adapter::start(policy, &cors, crate::preflight_response) {
            Start::Decided(Step::Answer(preflight)) => ResponseFuture::answered(preflight),
            Start::Decided(Step::Forward(pending)) => {
                ResponseFuture::forwarded(self.inner.call(request), Headers::Decided(pending))
            }
            // Only an origin that the policy's lookup alone can allow waits for it, in
            // one boxed future (the lookup's own future is boxed anyway).
            Start::LookUp(lookup) => {
                let preflight = lookup.is_preflight();
                let looked_up = Box::pin(lookup.decide(crate::preflight_response));
                if preflight {
                    return ResponseFuture::preflight_lookup(looked_up);
                }
                ResponseFuture::forwarded(self.inner.call(request), Headers::LookUp(looked_up))
            }
        }
    }
}
