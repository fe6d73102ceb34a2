//! `example-tenants`: the API of `example_tenants::app`, with the tenants' origins in a
//! SQLite file. Add a tenant while it runs:
//!
//! ```text
//! cargo run -p example-tenants -- --db tenants.sqlite --tenant https://shop.customer.example
//! sqlite3 tenants.sqlite "INSERT INTO tenant_origins VALUES ('https://new.customer.example')"
//! ```
//!
//! The new origin is allowed at the latest `--negative-ttl` seconds after a request from
//! it was refused. `GET /metrics` shows the CORS decisions and the lookup's counters in
//! Prometheus' text format.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::exit;
use std::time::Duration;

use clap::Parser;
use cors_lookup::HardenedLookup;
use example_tenants::TenantTable;
use metrics_exporter_prometheus::PrometheusBuilder;

/// An API whose CORS origins come from a tenant table.
#[derive(Debug, Parser)]
struct Args {
    /// The SQLite file with the table `tenant_origins (origin TEXT PRIMARY KEY)`;
    /// created if missing.
    #[arg(long, value_name = "FILE", default_value = "tenants.sqlite")]
    db: PathBuf,
    /// An origin to add to the table at startup (repeatable).
    #[arg(long = "tenant", value_name = "ORIGIN")]
    tenants: Vec<String>,
    /// The address to listen on; port 0 picks a free port.
    #[arg(long, value_name = "IP:PORT", default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// Seconds an allowed origin stays cached.
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    ttl: u64,
    /// Seconds a refused origin stays cached.
    #[arg(long, value_name = "SECONDS", default_value_t = 10)]
    negative_ttl: u64,
}

#[tokio::main]
async fn main() {
    example_support::log_to_stderr();
    let args = Args::parse();
    let table = TenantTable::open(&args.db)
        .unwrap_or_else(|error| fail(&format!("cannot open {}: {error}", args.db.display())));
    for origin in &args.tenants {
        if let Err(error) = table.add(origin) {
            fail(&format!("cannot add {origin}: {error}"));
        }
    }
    let lookup = HardenedLookup::builder(table.clone())
        .ttl(Duration::from_secs(args.ttl))
        .negative_ttl(Duration::from_secs(args.negative_ttl))
        .build()
        .unwrap_or_else(|error| fail(&error.to_string()));
    let counters = lookup.counters();
    let policy = example_tenants::policy(lookup).unwrap_or_else(|error| fail(&error.to_string()));
    let metrics = PrometheusBuilder::new()
        .install_recorder()
        .unwrap_or_else(|error| fail(&format!("cannot record metrics: {error}")));
    let tenants = table.len().unwrap_or_default();
    eprintln!("{tenants} tenant origins in {}", args.db.display());

    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .unwrap_or_else(|error| fail(&format!("cannot listen on {}: {error}", args.addr)));
    let addr = listener
        .local_addr()
        .expect("a bound listener has an address");
    example_support::announce_addr(addr);
    let app = example_tenants::with_metrics(example_tenants::app(policy), metrics, counters);
    if let Err(error) = axum::serve(listener, app).await {
        fail(&format!("server stopped: {error}"));
    }
}

fn fail(message: &str) -> ! {
    eprintln!("error: {message}");
    exit(1)
}
