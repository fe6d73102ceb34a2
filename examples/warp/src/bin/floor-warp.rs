//! A floor server, for `cargo xtask bench` only: the example app of docs/contract.md
//! behind the least work a CORS layer can do on warp, a hand-written tower layer that
//! writes prebuilt headers without deciding anything (`example_support::floor`), around
//! `warp::service(app)` and served like the example server, so that the two differ by
//! their layer alone. Whatever the example server spends above this one is the price of
//! its decisions.
#![forbid(unsafe_code)]

use example_support::floor::{self, FloorLayer};
use tower_layer::Layer;

#[tokio::main]
async fn main() {
    let args = example_support::Args::parse_or_exit();
    let headers = floor::load_or_exit(&args.config);
    let listener = example_warp::listen_or_exit(&args);
    let app = warp::service(example_warp::app());
    example_warp::serve(listener, FloorLayer::new(&headers).layer(app)).await;
}
