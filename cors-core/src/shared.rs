//! A policy that can be replaced while the server runs, for example when the list of
//! tenant origins changes or the policy file is edited.

use std::fmt;
use std::sync::Arc;

use arc_swap::ArcSwap;

use crate::Policy;

/// A handle to the current policy, shared by every copy of a middleware. Replacing the
/// policy is one atomic swap: requests in flight finish with the policy they started
/// with, new requests see the new one, and no request ever sees half of each. Reading
/// it takes no lock.
///
/// ```
/// use cors_core::{Policy, SharedPolicy};
///
/// let shared = SharedPolicy::new(Policy::from_toml_str(r#"allow_origins = ["https://a.example"]"#)?);
/// let for_the_middleware = shared.clone();
///
/// // Later, from anywhere in the application:
/// shared.replace(Policy::from_toml_str(r#"allow_origins = ["https://b.example"]"#)?);
/// assert!(for_the_middleware.load().to_string().contains("https://b.example"));
/// # Ok::<(), cors_core::PolicyError>(())
/// ```
#[derive(Clone)]
pub struct SharedPolicy(Arc<ArcSwap<Policy>>);

impl SharedPolicy {
    /// A handle holding `policy`.
    pub fn new(policy: impl Into<Arc<Policy>>) -> Self {
        SharedPolicy(Arc::new(ArcSwap::new(policy.into())))
    }

    /// The current policy. An adapter loads it once per request and uses that same
    /// policy for the decision and for the headers of the response.
    pub fn load(&self) -> Arc<Policy> {
        self.0.load_full()
    }

    /// Makes `policy` the current one and returns the previous one.
    pub fn replace(&self, policy: impl Into<Arc<Policy>>) -> Arc<Policy> {
        self.0.swap(policy.into())
    }
}

impl From<Policy> for SharedPolicy {
    fn from(policy: Policy) -> Self {
        SharedPolicy::new(policy)
    }
}

impl From<Arc<Policy>> for SharedPolicy {
    fn from(policy: Arc<Policy>) -> Self {
        SharedPolicy::new(policy)
    }
}

impl fmt::Debug for SharedPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("SharedPolicy").field(&self.load()).finish()
    }
}
