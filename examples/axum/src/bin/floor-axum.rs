//! A floor server, for `cargo xtask bench` only: the example app of docs/contract.md
//! behind the least work a CORS layer can do on axum, a hand-written tower layer that
//! writes prebuilt headers without deciding anything (`example_support::floor`).
//! Whatever the example server spends above this one is the price of its decisions.

use example_support::floor::{self, FloorLayer};
use example_support::Args;

#[tokio::main]
async fn main() {
    let args = Args::parse_or_exit();
    let headers = floor::load_or_exit(&args.config);
    let app = example_axum::app().layer(FloorLayer::new(&headers));

    example_axum::serve_or_exit(&args, app).await;
}
