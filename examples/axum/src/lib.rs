//! The app of docs/contract.md on axum, without CORS (the server adds it), so that
//! tests and benchmarks serve exactly what the example serves.
#![forbid(unsafe_code)]

use axum::body::Bytes;
use axum::extract::{Path, Request};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use axum::{Json, Router};
use serde_json::{json, Value};

/// The contract's routes; every response, the 404 and 405 ones included, carries
/// `x-request-id`.
pub fn app() -> Router {
    Router::new()
        .route("/", get(|| async { "Hello, World!" }))
        .route("/api/items", get(list_items).post(create_item))
        .route("/api/items/{id}", put(update_item).delete(delete_item))
        .route("/health", get(|| async { "ok" }))
        .route("/session", get(session).post(sign_in))
        .layer(middleware::from_fn(request_id))
}

async fn list_items() -> Json<Value> {
    Json(json!([{ "id": 1, "name": "apple" }, { "id": 2, "name": "pear" }]))
}

/// Echoes the body as it came, so that the route answers the same whatever JSON it gets.
async fn create_item(body: Bytes) -> impl IntoResponse {
    let json = [(header::CONTENT_TYPE, "application/json")];
    (StatusCode::CREATED, json, body)
}

async fn update_item(Path(id): Path<String>) -> Json<Value> {
    Json(json!({ "id": id, "updated": true }))
}

async fn delete_item(Path(_id): Path<String>) -> StatusCode {
    StatusCode::NO_CONTENT
}

/// Opens a session: a new `session` cookie (see `example_support::new_session_cookie`).
async fn sign_in() -> impl IntoResponse {
    let cookie = [(header::SET_COOKIE, example_support::new_session_cookie())];
    (cookie, "signed in")
}

/// The session of the request's `session` cookie, or 401.
async fn session(headers: HeaderMap) -> impl IntoResponse {
    let lines = headers.get_all(header::COOKIE).into_iter();
    let (status, body) = example_support::session_answer(lines.filter_map(|v| v.to_str().ok()));
    (StatusCode::from_u16(status).expect("200 or 401"), body)
}

/// Sets `x-request-id` on every response of the app.
async fn request_id(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    if let Ok(id) = HeaderValue::from_str(&example_support::next_request_id()) {
        response.headers_mut().insert("x-request-id", id);
    }
    response
}

/// Binds the address of `args`, announces it (see `example_support`) and serves `app`;
/// exits with status 1 if it cannot.
pub async fn serve_or_exit(args: &example_support::Args, app: Router) {
    let listener = args.bind_or_exit();
    example_support::announce(&listener);
    let served = async {
        listener.set_nonblocking(true)?;
        axum::serve(tokio::net::TcpListener::from_std(listener)?, app).await
    };
    if let Err(error) = served.await {
        eprintln!("error: {error}");
        std::process::exit(1);
    }
}
