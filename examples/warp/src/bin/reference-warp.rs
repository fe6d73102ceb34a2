//! A comparison server, for `cargo xtask conformance --reference` only: the example app
//! of docs/contract.md with `warp::cors()` instead of ours, configured from the same
//! policy file as faithfully as warp allows. Exits with status 3 and `cannot express: ...`
//! on stderr, before listening, when warp cannot say the policy.
#![forbid(unsafe_code)]

use std::time::Duration;

use cors_core::PolicyConfig;
use example_support::reference::{cannot_express, catch_panic, has_star, load_config_or_exit};
use warp::Filter;

#[tokio::main]
async fn main() {
    let args = example_support::Args::parse_or_exit();
    let config = load_config_or_exit(&args.config);
    let cors = match catch_panic(|| warp_cors(&config)) {
        Ok(Ok(cors)) => cors,
        Ok(Err(why)) => cannot_express(&why),
        Err(panic) => cannot_express(&format!("warp panics on this configuration: {panic}")),
    };
    let listener = example_warp::listen_or_exit(&args);
    // The app recovers its own rejections (with `x-request-id`); the CORS filter's
    // rejections (403) are warp's own replies.
    // Served like the example server, so that the two differ by their CORS alone.
    let app = example_warp::app().with(cors);
    example_warp::serve(listener, warp::service(app)).await;
}

/// The policy as warp's builder. Patterns, `*` methods, `*` headers and private
/// network access have no equivalent; `*` origins are warp's "any origin", which always
/// reflects the origin; `*` exposed headers are sent as the literal `*` name.
fn warp_cors(config: &PolicyConfig) -> Result<warp::cors::Cors, String> {
    if config.allow_private_network {
        return Err("allow_private_network: warp has no Private Network Access".into());
    }
    let mut cors = warp::cors()
        .allow_credentials(config.allow_credentials)
        .expose_headers(config.expose_headers.iter().map(String::as_str));

    let origins = &config.allow_origins;
    if origins.len() == 1 && origins[0] == "*" {
        cors = cors.allow_any_origin();
    } else {
        if let Some(pattern) = origins.iter().find(|o| o.contains('*') && *o != "*") {
            return Err(format!(
                "allow_origins: `{pattern}` is a pattern; warp matches exact origins only"
            ));
        }
        // Panics on what it cannot parse, `null` included; an empty list still sets a
        // list, so that no origin is allowed.
        cors = cors.allow_origins(origins.iter().map(String::as_str));
    }

    let default_methods = ["GET", "HEAD", "POST"].map(String::from).to_vec();
    let methods = config.allow_methods.as_ref().unwrap_or(&default_methods);
    if has_star(methods) {
        return Err(
            "allow_methods: `*`; warp takes a list of methods, with no \"any method\"".into(),
        );
    }
    cors = cors.allow_methods(methods.iter().map(String::as_str));

    if has_star(&config.allow_headers) {
        return Err("allow_headers: `*`; warp takes a list of headers, with no \"any header\" (warp issue #536)".into());
    }
    cors = cors.allow_headers(config.allow_headers.iter().map(String::as_str));

    if let Some(seconds) = config.max_age {
        cors = cors.max_age(Duration::from_secs(seconds));
    }
    Ok(cors.build())
}
