//! A comparison server, for `cargo xtask conformance --reference` only: the example app
//! of docs/contract.md with actix-cors instead of ours, configured from the same policy
//! file as faithfully as actix-cors allows. Exits with status 3 and `cannot express: ...`
//! on stderr, before listening, when actix-cors cannot say the policy.

use actix_cors::Cors;
use actix_web::dev::Transform;
use actix_web::middleware::from_fn;
use actix_web::{test, App, HttpServer};
use cors_core::PolicyConfig;
use example_support::reference::{cannot_express, has_star, load_config_or_exit};
use example_support::Args;

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let args = Args::parse_or_exit();
    let config = load_config_or_exit(&args.config);
    // actix-cors reports a bad configuration only when a worker starts (logged, and the
    // worker fails): start one here, so that the server refuses before listening.
    match actix_cors(&config) {
        Ok(cors) if cors.new_transform(test::ok_service()).await.is_ok() => {}
        Ok(_) => cannot_express(
            "actix-cors refuses this configuration when the server starts (an origin, method or header it cannot parse, or `*` with credentials)",
        ),
        Err(why) => cannot_express(&why),
    }

    let listener = args.bind_or_exit();
    example_support::announce(&listener);
    HttpServer::new(move || {
        let cors = actix_cors(&config).expect("checked before listening");
        App::new()
            .wrap(from_fn(example_actix::request_id))
            // Wrapped last, so outermost: preflights never reach the app.
            .wrap(cors)
            .configure(example_actix::routes)
    })
    .listen(listener)?
    .run()
    .await
}

/// The policy as actix-cors's builder. Patterns have no equivalent; `*` methods are
/// actix-cors's fixed "any method" set, `*` headers its echo of the requested ones (with
/// or without `authorization`), `*` origins its wildcard.
fn actix_cors(config: &PolicyConfig) -> Result<Cors, String> {
    let mut cors = Cors::default();
    let origins = &config.allow_origins;
    if origins.len() == 1 && origins[0] == "*" {
        cors = cors.allow_any_origin().send_wildcard();
    } else {
        for origin in origins {
            if origin.contains('*') && origin != "*" {
                return Err(format!(
                    "allow_origins: `{origin}` is a pattern; actix-cors matches exact origins only (else a hand-written allowed_origin_fn)"
                ));
            }
            cors = cors.allowed_origin(origin);
        }
    }

    let default_methods = ["GET", "HEAD", "POST"].map(String::from).to_vec();
    let methods = config.allow_methods.as_ref().unwrap_or(&default_methods);
    cors = if has_star(methods) {
        cors.allow_any_method()
    } else {
        cors.allowed_methods(methods.iter().map(String::as_str))
    };

    cors = if has_star(&config.allow_headers) {
        cors.allow_any_header()
    } else {
        cors.allowed_headers(config.allow_headers.iter().map(String::as_str))
    };

    cors = if has_star(&config.expose_headers) {
        cors.expose_any_header()
    } else {
        cors.expose_headers(config.expose_headers.iter().map(String::as_str))
    };

    if config.allow_credentials {
        cors = cors.supports_credentials();
    }
    if config.allow_private_network {
        cors = cors.allow_private_network_access();
    }
    let max_age = config.max_age.map(|seconds| seconds as usize);
    Ok(cors.max_age(max_age))
}
