//! A floor server, for `cargo xtask bench` only: the example app of docs/contract.md
//! behind the least work a CORS layer can do on warp, reply wrappers that write prebuilt
//! headers without deciding anything (see `example_support::floor`). Whatever the
//! example server spends above this one is the price of its decisions.
#![forbid(unsafe_code)]

use std::convert::Infallible;
use std::future::ready;
use std::sync::OnceLock;

use warp::http::header::{HeaderMap, HeaderName, HeaderValue};
use warp::http::{Method, StatusCode};
use warp::reply::{Reply, Response};
use warp::Filter;

/// The prebuilt headers: a static, so that the filters borrow them for free.
static HEADERS: OnceLock<Headers> = OnceLock::new();

struct Headers {
    actual: Vec<(HeaderName, HeaderValue)>,
    preflight: Vec<(HeaderName, HeaderValue)>,
}

fn converted(list: &[(&'static str, String)]) -> Vec<(HeaderName, HeaderValue)> {
    let value = |text: &str| {
        HeaderValue::from_str(text).expect("the policy file's values are header values")
    };
    list.iter()
        .map(|(name, text)| (HeaderName::from_static(name), value(text)))
        .collect()
}

fn headers() -> &'static Headers {
    HEADERS.get().expect("set before serving")
}

fn add(map: &mut HeaderMap, headers: &[(HeaderName, HeaderValue)]) {
    for (name, value) in headers {
        map.insert(name.clone(), value.clone());
    }
}

/// The rejection that carries an `OPTIONS` request past the app to its prebuilt answer.
#[derive(Debug)]
struct Preflight;

impl warp::reject::Reject for Preflight {}

#[tokio::main]
async fn main() {
    let args = example_support::Args::parse_or_exit();
    let floor = example_support::floor::load_or_exit(&args.config);
    let _ = HEADERS.set(Headers {
        actual: converted(&floor.actual),
        preflight: converted(&floor.preflight),
    });
    let listener = example_warp::listen_or_exit(&args);

    let not_options = warp::method().and_then(|method: Method| {
        ready(match method {
            Method::OPTIONS => Err(warp::reject::custom(Preflight)),
            _ => Ok(()),
        })
    });
    let app = not_options
        .untuple_one()
        .and(example_warp::app())
        .map(|mut response: Response| {
            add(response.headers_mut(), &headers().actual);
            response
        })
        // The app recovers its own rejections: only `Preflight` gets here.
        .recover(|_| {
            let mut answer = StatusCode::NO_CONTENT.into_response();
            add(answer.headers_mut(), &headers().preflight);
            ready(Ok::<_, Infallible>(answer))
        })
        .unify();
    warp::serve(app).incoming(listener).run().await;
}
