//! The example server of docs/contract.md on warp, with the tower integration of
//! `cors-warp`: its [`CorsLayer`](cors_warp::CorsLayer) around `warp::service(app)`,
//! the fastest (see the crate docs of `cors-warp` for the filter wrapper and the
//! trade-off).
#![forbid(unsafe_code)]

use tower_layer::Layer;

#[tokio::main]
async fn main() {
    example_support::log_to_stderr();
    let args = example_support::Args::parse_or_exit();
    let policy = cors_warp::SharedPolicy::from(args.load_policy_or_exit());
    args.watch_sighup(policy.clone());
    // Kept for the life of the server: dropping the watcher stops the watching.
    let _watcher = if args.watch {
        args.watch_file(policy.clone())
    } else {
        None
    };
    let listener = example_warp::listen_or_exit(&args);

    let app = warp::service(example_warp::app());
    if args.no_cors {
        example_warp::serve(listener, app).await;
    } else {
        let cors = cors_warp::CorsLayer::new(policy);
        example_warp::serve(listener, cors.layer(app)).await;
    }
}
