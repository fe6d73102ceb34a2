//! The example server of docs/contract.md on warp.
#![forbid(unsafe_code)]

#[tokio::main]
async fn main() {
    example_support::log_to_stderr();
    let args = example_support::Args::parse_or_exit();
    let policy = cors_warp::SharedPolicy::from(args.load_policy_or_exit());
    args.watch_sighup(policy.clone());
    let listener = example_warp::listen_or_exit(&args);

    let app = example_warp::app();
    if args.no_cors {
        warp::serve(app).incoming(listener).run().await;
    } else {
        let cors = cors_warp::Cors::new(policy);
        warp::serve(cors.wrap(app)).incoming(listener).run().await;
    }
}
