//! A floor server, for `cargo xtask bench` only: the example app of docs/contract.md
//! behind the least work a CORS layer can do on axum, a hand-written tower layer that
//! writes prebuilt headers without deciding anything (see `example_support::floor`).
//! Whatever the example server spends above this one is the price of its decisions.

use std::convert::Infallible;
use std::future::{ready, Ready};
use std::sync::OnceLock;
use std::task::{Context, Poll};

use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, Method, StatusCode};
use axum::response::Response;
use axum::Router;
use example_support::Args;
use futures_util::future::{Either, MapOk, TryFutureExt};
use tower_layer::Layer;
use tower_service::Service;

/// The prebuilt headers: a static, so that adding them is a plain function the
/// response future can name.
static HEADERS: OnceLock<Headers> = OnceLock::new();

struct Headers {
    actual: Vec<(HeaderName, HeaderValue)>,
    preflight: Vec<(HeaderName, HeaderValue)>,
}

fn converted(list: &[(&'static str, String)]) -> Vec<(HeaderName, HeaderValue)> {
    let value = |text: &str| HeaderValue::from_str(text).expect("the policy file's values are header values");
    list.iter()
        .map(|(name, text)| (HeaderName::from_static(name), value(text)))
        .collect()
}

#[tokio::main]
async fn main() {
    let args = Args::parse_or_exit();
    let floor = example_support::floor::load_or_exit(&args.config);
    let headers = Headers {
        actual: converted(&floor.actual),
        preflight: converted(&floor.preflight),
    };
    let _ = HEADERS.set(headers);
    let app = example_axum::app().layer(FloorLayer);

    let listener = args.bind_or_exit();
    example_support::announce(&listener);
    if let Err(error) = serve(listener, app).await {
        eprintln!("error: {error}");
        std::process::exit(1);
    }
}

#[derive(Clone)]
struct FloorLayer;

impl<S> Layer<S> for FloorLayer {
    type Service = Floor<S>;

    fn layer(&self, inner: S) -> Floor<S> {
        Floor { inner }
    }
}

#[derive(Clone)]
struct Floor<S> {
    inner: S,
}

impl<S> Service<Request> for Floor<S>
where
    S: Service<Request, Response = Response, Error = Infallible>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Either<Ready<Result<Response, Infallible>>, MapOk<S::Future, fn(Response) -> Response>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        if request.method() == Method::OPTIONS {
            let mut response = Response::default();
            *response.status_mut() = StatusCode::NO_CONTENT;
            add(&mut response, &headers().preflight);
            return Either::Left(ready(Ok(response)));
        }
        Either::Right(self.inner.call(request).map_ok(with_actual_headers))
    }
}

fn headers() -> &'static Headers {
    HEADERS.get().expect("set before serving")
}

fn with_actual_headers(mut response: Response) -> Response {
    add(&mut response, &headers().actual);
    response
}

fn add(response: &mut Response, headers: &[(HeaderName, HeaderValue)]) {
    let map = response.headers_mut();
    for (name, value) in headers {
        map.insert(name.clone(), value.clone());
    }
}

/// Serves on the listener that was bound (and announced) before.
async fn serve(listener: std::net::TcpListener, app: Router) -> std::io::Result<()> {
    listener.set_nonblocking(true)?;
    axum::serve(tokio::net::TcpListener::from_std(listener)?, app).await
}
