//! The example server of docs/contract.md on actix-web: `example-actix --config policy.toml`.

use actix_web::middleware::{from_fn, Condition};
use actix_web::{App, HttpServer};
use cors_actix::{Cors, SharedPolicy};
use example_support::Args;

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    example_support::log_to_stderr();
    let args = Args::parse_or_exit();
    let policy = SharedPolicy::from(args.load_policy_or_exit());
    args.watch_sighup(policy.clone());
    let with_cors = !args.no_cors;

    let listener = args.bind_or_exit();
    example_support::announce(&listener);
    HttpServer::new(move || {
        App::new()
            .wrap(from_fn(example_actix::request_id))
            // Wrapped last, so outermost: preflights never reach the app.
            .wrap(Condition::new(with_cors, Cors::new(policy.clone())))
            .configure(example_actix::routes)
    })
    .listen(listener)?
    .run()
    .await
}
