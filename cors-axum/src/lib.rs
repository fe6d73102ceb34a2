//! CORS for [axum](https://docs.rs/axum) and any tower / hyper 1 stack: a tower
//! `Layer` that applies a validated [`cors_core::Policy`].
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
//!
//! # Optional features
//! - `watch`: `watch::PolicyFileWatcher` (re-exported from `cors_core::watch`) reloads
//!   a policy file into the [`SharedPolicy`] the layer holds whenever the file changes.
//! - `metrics`: decisions counted through the `metrics` facade as
//!   `cors_decisions_total` (by outcome) and
//!   `cors_refusals_total` (by refusal kind); the application installs the exporter.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

/// The tower middleware, shared with `cors-warp` (it is written once, in `cors-http`,
/// over the `http` crate's types that axum uses).
pub use cors_http::{Cors, CorsLayer, ResponseFuture};

#[cfg(feature = "watch")]
pub use cors_core::watch;
pub use cors_core::{Policy, PolicyError, SharedPolicy};
