//! A comparison server, for `cargo xtask conformance --reference` only: the example app
//! of docs/contract.md with rocket_cors (as a fairing, which answers preflights without
//! OPTIONS routes) instead of ours, configured from the same policy file as faithfully as
//! rocket_cors allows. Exits with status 3 and `cannot express: ...` on stderr, before
//! listening, when rocket_cors cannot say the policy.
#![forbid(unsafe_code)]

use std::process::exit;
use std::str::FromStr;

use cors_core::PolicyConfig;
use example_support::reference::{cannot_express, has_star, load_config_or_exit};
use rocket_cors::{AllOrSome, AllowedHeaders, AllowedOrigins, CorsOptions, Method, Origins};

#[rocket::main]
async fn main() {
    example_support::log_to_stderr();
    let args = example_support::Args::parse_or_exit();
    let config = load_config_or_exit(&args.config);
    let cors = rocket_cors(&config).unwrap_or_else(|why| cannot_express(&why));
    let rocket_config = rocket::Config {
        address: args.addr.ip(),
        port: args.addr.port(),
        cli_colors: false,
        ..rocket::Config::default()
    };
    let rocket = example_rocket::app(rocket::custom(rocket_config))
        .attach(example_rocket::ready_line())
        .attach(cors);
    if let Err(error) = rocket.launch().await {
        eprintln!("error: cannot serve on {}: {error}", args.addr);
        exit(1);
    }
}

/// The policy as rocket_cors's options. Patterns, `*` methods (no "any method" option)
/// and private network access have no equivalent; `*` headers are rocket_cors's echo of
/// the requested ones (with or without `authorization`), `*` origins its wildcard.
fn rocket_cors(config: &PolicyConfig) -> Result<rocket_cors::Cors, String> {
    if config.allow_private_network {
        return Err("allow_private_network: rocket_cors has no Private Network Access".into());
    }
    let origins = &config.allow_origins;
    let any_origin = origins.len() == 1 && origins[0] == "*";
    let allowed_origins = if any_origin {
        AllowedOrigins::all()
    } else {
        if let Some(pattern) = origins.iter().find(|o| o.contains('*') && *o != "*") {
            return Err(format!(
                "allow_origins: `{pattern}` is a pattern; rocket_cors matches exact origins, or regexes we would have to write"
            ));
        }
        AllOrSome::Some(Origins {
            allow_null: origins.iter().any(|o| o == "null"),
            exact: Some(origins.iter().filter(|o| *o != "null").cloned().collect()),
            regex: None,
        })
    };

    let default_methods = ["GET", "HEAD", "POST"].map(String::from).to_vec();
    let methods = config.allow_methods.as_ref().unwrap_or(&default_methods);
    if has_star(methods) {
        return Err("allow_methods: `*`; rocket_cors takes a set of Rocket's methods, with no \"any method\"".into());
    }
    let methods = methods
        .iter()
        .map(|m| {
            Method::from_str(m)
                .map_err(|()| format!("allow_methods: `{m}` is not one of Rocket's nine methods"))
        })
        .collect::<Result<_, _>>()?;

    let headers = &config.allow_headers;
    let allowed_headers = if has_star(headers) {
        AllowedHeaders::all()
    } else {
        AllowedHeaders::some(&headers.iter().map(String::as_str).collect::<Vec<_>>())
    };

    let options = CorsOptions {
        allowed_origins,
        allowed_methods: methods,
        allowed_headers,
        allow_credentials: config.allow_credentials,
        expose_headers: config.expose_headers.iter().cloned().collect(),
        max_age: config.max_age.map(|seconds| seconds as usize),
        send_wildcard: any_origin,
        ..CorsOptions::default()
    };
    options
        .to_cors()
        .map_err(|error| format!("rocket_cors refuses the options: {error}"))
}
