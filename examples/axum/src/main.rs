//! The example server of docs/contract.md on axum: `example-axum --config policy.toml`.

use axum::Router;
use cors_axum::{CorsLayer, SharedPolicy};
use example_support::Args;

#[tokio::main]
async fn main() {
    example_support::log_to_stderr();
    let args = Args::parse_or_exit();
    let policy = SharedPolicy::from(args.load_policy_or_exit());
    args.watch_sighup(policy.clone());
    let app = if args.no_cors {
        example_axum::app()
    } else {
        example_axum::app().layer(CorsLayer::new(policy))
    };

    let listener = args.bind_or_exit();
    example_support::announce(&listener);
    if let Err(error) = serve(listener, app).await {
        eprintln!("error: {error}");
        std::process::exit(1);
    }
}

/// Serves on the listener that was bound (and announced) before.
async fn serve(listener: std::net::TcpListener, app: Router) -> std::io::Result<()> {
    listener.set_nonblocking(true)?;
    axum::serve(tokio::net::TcpListener::from_std(listener)?, app).await
}
