//! The public type of an adapter, declared alike in every adapter.

/// Declares an adapter's public CORS type: a struct holding the [`SharedPolicy`] it
/// applies, with the constructor and accessors every adapter offers alike (`new`,
/// `policy`, `shared`). Framework traits (a tower `Layer`, an actix `Transform`, a
/// Rocket `Fairing`) are then implemented on it by the adapter.
///
/// ```
/// cors_core::adapter::policy_holder!(
///     /// My framework's CORS middleware.
///     pub struct Cors
/// );
///
/// let policy = cors_core::Policy::builder().allow_any_origin().build()?;
/// let cors = Cors::new(policy);
/// assert!(cors.policy().allows_origin(b"https://a.example"));
/// cors.shared().replace(cors_core::Policy::builder().build()?);
/// assert!(!cors.policy().allows_origin(b"https://a.example"));
/// # Ok::<(), cors_core::PolicyError>(())
/// ```
///
/// [`SharedPolicy`]: crate::SharedPolicy
#[macro_export]
macro_rules! policy_holder {
    ($(#[$meta:meta])* $vis:vis struct $name:ident) => {
        $(#[$meta])*
        #[derive(::core::fmt::Debug, ::core::clone::Clone)]
        $vis struct $name {
            policy: $crate::SharedPolicy,
        }

        impl $name {
            /// Applies `policy`: a `Policy`, an `Arc<Policy>`, or a `SharedPolicy` to be
            /// replaced while the server runs.
            pub fn new(policy: impl ::core::convert::Into<$crate::SharedPolicy>) -> Self {
                $name {
                    policy: policy.into(),
                }
            }

            /// The policy applied now.
            pub fn policy(&self) -> ::std::sync::Arc<$crate::Policy> {
                self.policy.load()
            }

            /// The handle to the policy, shared by every clone and by every service made
            /// from this one: replacing the policy through it takes effect for the next
            /// request, without a restart.
            pub fn shared(&self) -> &$crate::SharedPolicy {
                &self.policy
            }
        }
    };
}
