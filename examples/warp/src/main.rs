//! The example server of docs/contract.md on warp.
#![forbid(unsafe_code)]

use tokio::net::TcpListener;

#[tokio::main]
async fn main() {
    example_support::log_to_stderr();
    let args = example_support::Args::parse_or_exit();
    let policy = cors_warp::SharedPolicy::from(args.load_policy_or_exit());
    args.watch_sighup(policy.clone());
    let listener = args.bind_or_exit();
    example_support::announce(&listener);
    let listener = match listener
        .set_nonblocking(true)
        .and_then(|()| TcpListener::from_std(listener))
    {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!("error: cannot serve on {}: {error}", args.addr);
            std::process::exit(1);
        }
    };

    let app = example_warp::app();
    if args.no_cors {
        warp::serve(app).incoming(listener).run().await;
    } else {
        let cors = cors_warp::Cors::new(policy);
        warp::serve(cors.wrap(app)).incoming(listener).run().await;
    }
}
