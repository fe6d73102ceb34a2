//! The example server of docs/contract.md on axum: `example-axum --config policy.toml`.

use cors_axum::{CorsLayer, SharedPolicy};
use example_support::Args;

#[tokio::main]
async fn main() {
    example_support::log_to_stderr();
    let args = Args::parse_or_exit();
    let policy = SharedPolicy::from(args.load_policy_or_exit());
    args.watch_sighup(policy.clone());
    // Kept for the life of the server: dropping the watcher stops the watching.
    let _watcher = if args.watch {
        args.watch_file(policy.clone())
    } else {
        None
    };
    let app = if args.no_cors {
        example_axum::app()
    } else {
        example_axum::app().layer(CorsLayer::new(policy))
    };

    example_axum::serve_or_exit(&args, app).await;
}
