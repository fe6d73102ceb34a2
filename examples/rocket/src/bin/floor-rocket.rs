//! A floor server, for `cargo xtask bench` only: the example app of docs/contract.md
//! behind the least work a CORS layer can do on Rocket, an `OPTIONS` route and a response
//! fairing that write prebuilt headers without deciding anything (see
//! `example_support::floor`). Whatever the example server spends above this one is the
//! price of its decisions.
#![forbid(unsafe_code)]

use std::sync::OnceLock;

use rocket::fairing::{Fairing, Info, Kind};
use rocket::http::{Method, Status};
use rocket::response::{self, Responder};
use rocket::{options, routes, Request, Response};

/// The prebuilt headers, leaked once so that responses borrow them without copying.
static HEADERS: OnceLock<Headers> = OnceLock::new();

struct Headers {
    actual: Vec<(&'static str, &'static str)>,
    preflight: Vec<(&'static str, &'static str)>,
}

fn leaked(list: Vec<(&'static str, String)>) -> Vec<(&'static str, &'static str)> {
    let leak = |text: String| -> &'static str { Box::leak(text.into_boxed_str()) };
    list.into_iter()
        .map(|(name, text)| (name, leak(text)))
        .collect()
}

fn headers() -> &'static Headers {
    HEADERS.get().expect("set before serving")
}

/// Every `OPTIONS` request, answered with the prebuilt preflight headers.
#[options("/<_..>", rank = 100)]
fn preflight() -> Preflight {
    Preflight
}

struct Preflight;

impl<'r> Responder<'r, 'static> for Preflight {
    fn respond_to(self, _: &'r Request<'_>) -> response::Result<'static> {
        let mut answer = Response::build();
        answer.status(Status::NoContent);
        for (name, value) in &headers().preflight {
            answer.raw_header(*name, *value);
        }
        answer.ok()
    }
}

/// Adds the prebuilt actual-request headers to every other response.
struct ActualHeaders;

#[rocket::async_trait]
impl Fairing for ActualHeaders {
    fn info(&self) -> Info {
        Info {
            name: "floor headers",
            kind: Kind::Response,
        }
    }

    async fn on_response<'r>(&self, request: &'r Request<'_>, response: &mut Response<'r>) {
        if request.method() != Method::Options {
            for (name, value) in &headers().actual {
                response.set_raw_header(*name, *value);
            }
        }
    }
}

#[rocket::main]
async fn main() {
    let args = example_support::Args::parse_or_exit();
    let floor = example_support::floor::load_or_exit(&args.config);
    let _ = HEADERS.set(Headers {
        actual: leaked(floor.actual),
        preflight: leaked(floor.preflight),
    });
    let config = rocket::Config {
        address: args.addr.ip(),
        port: args.addr.port(),
        cli_colors: false,
        ..rocket::Config::default()
    };
    let rocket = example_rocket::app(rocket::custom(config))
        .mount("/", routes![preflight])
        .attach(ActualHeaders)
        .attach(example_rocket::ready_line());
    if let Err(error) = rocket.launch().await {
        eprintln!("error: cannot serve on {}: {error}", args.addr);
        std::process::exit(1);
    }
}
