//! A comparison server, for `cargo xtask conformance --reference` only: the example app
//! of docs/contract.md with tower-http's `CorsLayer` instead of ours, configured from the
//! same policy file as faithfully as tower-http allows. Exits with status 3 and
//! `cannot express: ...` on stderr, before listening, when tower-http cannot say the policy.

use std::time::Duration;

use axum::http::{HeaderName, HeaderValue, Method};
use cors_core::PolicyConfig;
use example_support::reference::{cannot_express, catch_panic, has_star, load_config_or_exit};
use example_support::Args;
use tower_http::cors::{AllowHeaders, AllowMethods, AllowOrigin, CorsLayer, ExposeHeaders};
use tower_layer::Layer;

#[tokio::main]
async fn main() {
    let args = Args::parse_or_exit();
    let config = load_config_or_exit(&args.config);
    let cors = match catch_panic(|| tower_http_cors(&config)) {
        Ok(Ok(cors)) => cors,
        Ok(Err(why)) => cannot_express(&why),
        Err(panic) => cannot_express(&format!("tower-http panics on this configuration: {panic}")),
    };
    let app = example_axum::app().layer(cors);

    example_axum::serve_or_exit(&args, app).await;
}

/// The policy as tower-http's builder. Patterns, and `*` plus `authorization` without
/// credentials, have no equivalent; with credentials `*` methods and headers mirror the
/// request, as the policy means.
fn tower_http_cors(config: &PolicyConfig) -> Result<CorsLayer, String> {
    let credentials = config.allow_credentials;
    let origins = &config.allow_origins;
    let origin = if origins.len() == 1 && origins[0] == "*" {
        AllowOrigin::any()
    } else {
        if let Some(pattern) = origins.iter().find(|o| o.contains('*') && *o != "*") {
            return Err(format!(
                "allow_origins: `{pattern}` is a pattern; tower-http matches exact origins only (else a hand-written predicate)"
            ));
        }
        AllowOrigin::list(parse_all(origins, |o| HeaderValue::from_str(o).ok())?)
    };

    let default_methods = ["GET", "HEAD", "POST"].map(String::from).to_vec();
    let methods = config.allow_methods.as_ref().unwrap_or(&default_methods);
    let methods = match (has_star(methods), credentials) {
        (true, false) => AllowMethods::any(),
        (true, true) => AllowMethods::mirror_request(),
        (false, _) => AllowMethods::list(parse_all(methods, |m| {
            Method::from_bytes(m.as_bytes()).ok()
        })?),
    };

    let headers = &config.allow_headers;
    let authorization = headers
        .iter()
        .any(|h| h.eq_ignore_ascii_case("authorization"));
    let headers = match (has_star(headers), credentials) {
        (true, false) if authorization => {
            return Err("allow_headers: `*` plus `authorization`; AllowHeaders::any() sends a bare `*`, which the Fetch standard does not apply to authorization, and tower-http has no form for both".into());
        }
        (true, false) => AllowHeaders::any(),
        (true, true) => AllowHeaders::mirror_request(),
        (false, _) => AllowHeaders::list(parse_all(headers, header_name)?),
    };

    let exposed = if has_star(&config.expose_headers) {
        ExposeHeaders::any()
    } else {
        ExposeHeaders::list(parse_all(&config.expose_headers, header_name)?)
    };

    let mut cors = CorsLayer::new()
        .allow_origin(origin)
        .allow_methods(methods)
        .allow_headers(headers)
        .expose_headers(exposed)
        .allow_credentials(credentials)
        .allow_private_network(config.allow_private_network);
    if let Some(seconds) = config.max_age {
        cors = cors.max_age(Duration::from_secs(seconds));
    }
    // tower-http checks its rules (credentials with any `*`) with asserts when it wraps a
    // service: wrap one here, so that a panic happens before listening.
    let _ = cors.layer(());
    Ok(cors)
}

fn header_name(name: &str) -> Option<HeaderName> {
    HeaderName::from_bytes(name.as_bytes()).ok()
}

/// Parses every entry, or names the first one the peer's types refuse.
fn parse_all<T>(entries: &[String], parse: impl Fn(&str) -> Option<T>) -> Result<Vec<T>, String> {
    entries
        .iter()
        .map(|entry| parse(entry).ok_or_else(|| format!("tower-http's types refuse `{entry}`")))
        .collect()
}
