//! The example server of docs/contract.md on Rocket.
#![forbid(unsafe_code)]

#[rocket::main]
async fn main() {
    example_support::log_to_stderr();
    let args = example_support::Args::parse_or_exit();
    let policy = cors_rocket::SharedPolicy::from(args.load_policy_or_exit());
    args.watch_sighup(policy.clone());
    // Kept for the life of the server: dropping the watcher stops the watching.
    let _watcher = if args.watch {
        args.watch_file(policy.clone())
    } else {
        None
    };
    // Rocket 0.5 binds its own listener (it takes no std one); with port 0 it tells
    // liftoff fairings the real port, so the ready line is printed from one of them.
    let config = rocket::Config {
        address: args.addr.ip(),
        port: args.addr.port(),
        cli_colors: false,
        ..rocket::Config::default()
    };
    let mut rocket =
        example_rocket::app(rocket::custom(config)).attach(example_rocket::ready_line());
    if !args.no_cors {
        rocket = rocket.attach(cors_rocket::Cors::new(policy));
    }
    if let Err(error) = rocket.launch().await {
        eprintln!("error: cannot serve on {}: {error}", args.addr);
        std::process::exit(1);
    }
}
