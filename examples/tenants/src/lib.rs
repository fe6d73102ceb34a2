//! An API that many tenants call from their own domains: the policy lists the
//! operator's own origins, and the tenants' origins come from a SQLite table through
//! `cors_lookup::HardenedLookup`, so that adding a tenant is one `INSERT` and a flood of
//! made-up `Origin` headers cannot flood the database.
//!
//! ```no_run
//! use std::time::Duration;
//! use cors_lookup::HardenedLookup;
//! use example_tenants::{TenantTable, app, policy};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let table = TenantTable::open("tenants.sqlite")?;
//! let lookup = HardenedLookup::builder(table.clone()).ttl(Duration::from_secs(60)).build()?;
//! let router = app(policy(lookup)?);
//! // With `GET /metrics` for Prometheus: see `with_metrics`.
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]

mod table;

use axum::routing::get;
use axum::Router;
use cors_axum::CorsLayer;
use cors_core::{OriginLookup, Policy, PolicyConfig, PolicyError};
use cors_lookup::LookupCounters;
use metrics_exporter_prometheus::PrometheusHandle;

pub use table::TenantTable;

/// The static part of the policy: the operator's own front end, and what every tenant's
/// front end may send.
pub const BASE_POLICY: &str = r#"
allow_origins = ["https://admin.example.com"]
allow_methods = ["GET", "POST", "DELETE"]
allow_headers = ["content-type", "authorization"]
allow_credentials = true
max_age = 600
"#;

/// [`BASE_POLICY`], with the tenants' origins answered by `lookup` (a
/// `cors_lookup::HardenedLookup` around a [`TenantTable`], or the bare table to see
/// what the hardening saves).
pub fn policy(lookup: impl OriginLookup) -> Result<Policy, PolicyError> {
    PolicyConfig::from_toml_str(BASE_POLICY)?
        .into_builder()
        .allow_origin_lookup(lookup)
        .build()
}

/// The API behind the CORS layer: `GET /` and `GET /api/items`.
pub fn app(policy: Policy) -> Router {
    Router::new()
        .route("/", get(|| async { "Hello, tenant!" }))
        .route("/api/items", get(|| async { "[]" }))
        .layer(CorsLayer::new(policy))
}

/// Adds `GET /metrics` to `router`, outside CORS (a scraper is no browser): the
/// Prometheus text of the process's recorder, whose handle is `handle`. It shows the
/// middleware's `cors_decisions_total` and `cors_refusals_total` (the `metrics`
/// feature of cors-axum) and the lookup's counters (`cors_lookup_*`, written by
/// [`LookupCounters::record`] at each scrape).
pub fn with_metrics(router: Router, handle: PrometheusHandle, counters: LookupCounters) -> Router {
    let scrape = move || async move {
        counters.record().await;
        handle.render()
    };
    router.route("/metrics", get(scrape))
}
