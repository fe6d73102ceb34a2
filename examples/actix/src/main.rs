//! The example server of docs/contract.md on actix-web: `example-actix --config policy.toml`.

use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer};
use cors_actix::{Cors, SharedPolicy};
use example_support::Args;

#[actix_web::main]
async fn main() -> std::io::Result<()> {
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

    let listener = args.bind_or_exit();
    example_support::announce(&listener);
    // Two apps rather than a `Condition` middleware, so that the bare app of the
    // benchmarks (`--no-cors`) runs no middleware of ours at all.
    let server = if args.no_cors {
        HttpServer::new(|| {
            App::new()
                .wrap(from_fn(example_actix::request_id))
                .configure(example_actix::routes)
        })
        .listen(listener)?
        .run()
    } else {
        HttpServer::new(move || {
            App::new()
                .wrap(from_fn(example_actix::request_id))
                // Wrapped last, so outermost: preflights never reach the app.
                .wrap(Cors::new(policy.clone()))
                .configure(example_actix::routes)
        })
        .listen(listener)?
        .run()
    };
    server.await
}
