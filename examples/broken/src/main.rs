//! `broken-server --defect NAME`: the axum example server of docs/contract.md (same
//! command line, ready line and policy file) with one real-world CORS defect injected
//! around the correct layer (see `defects.rs`), so that a CORS testing tool can be
//! proven to catch each. `--defect none` is the correct server. Never deploy it.
//!
//! The policy reloads on `SIGHUP` and with `--watch` as in the example; the defects read
//! the origins of the policy file once, at startup.

mod defects;

use clap::Parser;
use cors_axum::{CorsLayer, SharedPolicy};
use cors_core::PolicyConfig;
use defects::Defect;

#[derive(Parser)]
#[command(about = "The example API server with one deliberately injected CORS defect")]
struct Cli {
    #[command(flatten)]
    server: example_support::Args,
    /// The defect to inject; `none` serves the correct CORS layer.
    #[arg(long, value_enum, value_name = "NAME")]
    defect: Defect,
}

#[tokio::main]
async fn main() {
    example_support::log_to_stderr();
    let cli = Cli::parse();
    let args = &cli.server;
    let policy = SharedPolicy::from(args.load_policy_or_exit());
    args.watch_sighup(policy.clone());
    // Kept for the life of the server: dropping the watcher stops the watching.
    let _watcher = if args.watch {
        args.watch_file(policy.clone())
    } else {
        None
    };
    // The file built into a policy just above, so it parses.
    let config = PolicyConfig::from_path(&args.config).unwrap_or_else(|error| {
        eprintln!("error: {error}");
        std::process::exit(2)
    });
    let with_cors = if args.no_cors {
        example_axum::app()
    } else {
        example_axum::app().layer(CorsLayer::new(policy))
    };
    let app = defects::inject(cli.defect, with_cors, &config);

    example_axum::serve_or_exit(args, app).await;
}
