//! `broken-server --defect NAME`: the axum example server of docs/contract.md with one
//! real-world CORS defect injected in front of the correct layer (see `defects.rs`), so
//! that `cors-doctor test` can be proven to catch each. `--defect none` is the correct
//! server. Never deploy it.

mod defects;

use std::sync::Arc;

use axum::extract::Request;
use axum::http::Method;
use axum::middleware;
use axum::Router;
use clap::Parser;
use cors_axum::CorsLayer;
use cors_core::PolicyConfig;
use defects::{Defect, Setup};
use tower::ServiceExt;

#[derive(Parser)]
#[command(about = "The example API server with one deliberately injected CORS defect")]
struct Cli {
    #[command(flatten)]
    server: example_support::Args,
    /// The defect to inject.
    #[arg(long, value_enum)]
    defect: Defect,
}

#[tokio::main]
async fn main() {
    let cli = Cli::parse();
    let args = &cli.server;
    let policy = args.load_policy_or_exit();
    let config = PolicyConfig::from_path(&args.config).unwrap_or_else(|error| {
        eprintln!("error: {error}");
        std::process::exit(2)
    });
    let setup = Arc::new(Setup {
        defect: cli.defect,
        config,
    });
    let with_cors = example_axum::app()
        .layer(CorsLayer::new(policy))
        .layer(middleware::from_fn_with_state(setup, defects::apply));
    let app = if cli.defect == Defect::OptionsToApp {
        options_to_app(with_cors)
    } else {
        with_cors
    };
    example_axum::serve_or_exit(args, app).await;
}

/// A router in front that hands every `OPTIONS` request to the bare app.
fn options_to_app(with_cors: Router) -> Router {
    let bare = example_axum::app();
    Router::new().fallback_service(tower::service_fn(move |request: Request| {
        let target = if request.method() == Method::OPTIONS {
            bare.clone()
        } else {
            with_cors.clone()
        };
        target.oneshot(request)
    }))
}
