//! The example server of shared/CONTRACT.md on Rocket.
#![forbid(unsafe_code)]

use std::io::Write;
use std::net::SocketAddr;

use rocket::fairing::AdHoc;
use tracing_subscriber::EnvFilter;

#[rocket::main]
async fn main() {
    log_to_stderr();
    let args = example_support::Args::parse_or_exit();
    let policy = cors_rocket::SharedPolicy::from(args.load_policy_or_exit());
    args.watch_sighup(policy.clone());
    // Rocket 0.5 binds its own listener (it takes no std one); with port 0 it tells
    // liftoff fairings the real port, so the ready line is printed from one of them.
    let config = rocket::Config {
        address: args.addr.ip(),
        port: args.addr.port(),
        cli_colors: false,
        ..rocket::Config::default()
    };
    let mut rocket = example_rocket::app(rocket::custom(config)).attach(ready_line());
    if !args.no_cors {
        rocket = rocket.attach(cors_rocket::Cors::new(policy));
    }
    if let Err(error) = rocket.launch().await {
        eprintln!("error: cannot serve on {}: {error}", args.addr);
        std::process::exit(1);
    }
}

/// Rocket logs through `log`, to stdout, unless a logger is already set: this one
/// writes to stderr (`RUST_LOG`, default `warn`; `RUST_LOG=cors_rocket=debug` shows
/// why CORS requests are refused), so that stdout carries only the ready line.
fn log_to_stderr() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_env_filter(filter)
        .init();
}

/// Prints `listening on http://IP:PORT` once Rocket listens.
fn ready_line() -> AdHoc {
    AdHoc::on_liftoff("ready line", |rocket| {
        Box::pin(async move {
            let addr = SocketAddr::new(rocket.config().address, rocket.config().port);
            let mut stdout = std::io::stdout().lock();
            // A closed stdout is no reason to stop serving.
            let _ = writeln!(stdout, "listening on http://{addr}");
            let _ = stdout.flush();
        })
    })
}
