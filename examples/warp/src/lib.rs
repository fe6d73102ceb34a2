//! The app of docs/contract.md as warp filters, without CORS, so that the server
//! (`main.rs`) and the tests of `cors-warp` serve the same routes.
#![forbid(unsafe_code)]

use std::convert::Infallible;

use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use serde_json::{json, Value};
use tower_service::Service;
use warp::http::header::{COOKIE, SET_COOKIE};
use warp::http::{HeaderMap, StatusCode};
use warp::reply::{self, Reply, Response};
use warp::{Filter, Rejection};

/// Every route of the contract. Every reply carries `x-request-id`, warp's 404 and 405
/// included: the app turns its rejections into warp's own replies first.
pub fn app() -> impl Filter<Extract = (Response,), Error = Rejection> + Clone + Send + Sync + 'static
{
    routes()
        .recover(|rejection| async {
            Ok::<_, Rejection>(cors_warp::rejection_reply(rejection).await)
        })
        .unify()
        .map(with_request_id)
}

/// The routes of the contract, rejecting the requests they do not serve.
pub fn routes(
) -> impl Filter<Extract = (Response,), Error = Rejection> + Clone + Send + Sync + 'static {
    let hello = warp::path::end()
        .and(warp::get())
        .map(|| "Hello, World!".into_response());
    let health = warp::path!("health")
        .and(warp::get())
        .map(|| "ok".into_response());
    let list = warp::path!("api" / "items").and(warp::get()).map(|| {
        let items = json!([{ "id": 1, "name": "apple" }, { "id": 2, "name": "pear" }]);
        reply::json(&items).into_response()
    });
    let create = warp::path!("api" / "items")
        .and(warp::post())
        .and(warp::body::json())
        .map(|item: Value| {
            reply::with_status(reply::json(&item), StatusCode::CREATED).into_response()
        });
    let update = warp::path!("api" / "items" / String)
        .and(warp::put())
        .map(|id: String| reply::json(&json!({ "id": id, "updated": true })).into_response());
    let delete = warp::path!("api" / "items" / String)
        .and(warp::delete())
        .map(|_id: String| StatusCode::NO_CONTENT.into_response());
    let sign_in = warp::path!("session").and(warp::post()).map(|| {
        let cookie = example_support::new_session_cookie();
        reply::with_header("signed in", SET_COOKIE, cookie).into_response()
    });
    let session = warp::path!("session")
        .and(warp::get())
        .and(warp::header::headers_cloned())
        .map(|headers: HeaderMap| {
            let lines = headers.get_all(COOKIE).into_iter();
            let (status, body) =
                example_support::session_answer(lines.filter_map(|v| v.to_str().ok()));
            let status = StatusCode::from_u16(status).expect("200 or 401");
            reply::with_status(body, status).into_response()
        });
    hello
        .or(health)
        .unify()
        .or(list)
        .unify()
        .or(create)
        .unify()
        .or(update)
        .unify()
        .or(delete)
        .unify()
        .or(sign_in)
        .unify()
        .or(session)
        .unify()
}

fn with_request_id(mut response: Response) -> Response {
    if let Ok(id) = example_support::next_request_id().parse() {
        response.headers_mut().insert("x-request-id", id);
    }
    response
}

/// Serves a tower service the way `warp::serve` serves a filter: one task per
/// connection, hyper's HTTP/1 and HTTP/2 detection, upgrades allowed. What it leaves out
/// is warp's remote-address layer (`warp::addr::remote()` sees nothing), which the
/// contract's routes do not read.
///
/// This is how a warp app takes the fastest integration of `cors-warp`, its tower
/// [`CorsLayer`](cors_warp::CorsLayer) around `warp::service(routes)`; the bare app, the
/// floor and the peer's server are served the same way, so that the benchmarks compare
/// the CORS layers and nothing else.
pub async fn serve<S>(listener: tokio::net::TcpListener, service: S)
where
    S: Service<http::Request<Incoming>, Response = Response, Error = Infallible>,
    S: Clone + Send + 'static,
    S::Future: Send + 'static,
{
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(error) => {
                eprintln!("warning: cannot accept a connection: {error}");
                continue;
            }
        };
        let service = TowerToHyperService::new(service.clone());
        tokio::spawn(async move {
            let builder = auto::Builder::new(TokioExecutor::new());
            let connection = builder.serve_connection_with_upgrades(TokioIo::new(stream), service);
            if let Err(error) = connection.await {
                tracing::debug!("connection error: {error}");
            }
        });
    }
}

/// Binds and announces the server's address (see `example_support`), as the tokio
/// listener `warp::serve(..).incoming(..)` takes; exits with status 1 if it cannot.
pub fn listen_or_exit(args: &example_support::Args) -> tokio::net::TcpListener {
    let listener = args.bind_or_exit();
    example_support::announce(&listener);
    let listener = listener
        .set_nonblocking(true)
        .and_then(|()| tokio::net::TcpListener::from_std(listener));
    listener.unwrap_or_else(|error| {
        eprintln!("error: cannot serve on {}: {error}", args.addr);
        std::process::exit(1)
    })
}
