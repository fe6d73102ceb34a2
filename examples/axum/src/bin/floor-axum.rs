//! A floor server, for `cargo xtask bench` only: the example app of docs/contract.md
//! behind the least work a CORS layer can do on axum, a hand-written tower layer that
//! writes prebuilt headers without deciding anything (`example_support::floor`).
//! Whatever the example server spends above this one is the price of its decisions.

use axum::Router;
use example_support::floor::{self, FloorLayer};
use example_support::Args;

#[tokio::main]
async fn main() {
    let args = Args::parse_or_exit();
    let headers = floor::load_or_exit(&args.config);
    let app = example_axum::app().layer(FloorLayer::new(&headers));

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
