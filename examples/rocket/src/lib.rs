//! The app of docs/contract.md on Rocket, without CORS, so that the server
//! (`main.rs`) and the tests of `cors-rocket` serve the same routes.
#![forbid(unsafe_code)]

use rocket::http::{ContentType, Header, Status};
use rocket::serde::json::{json, Json, Value};
use rocket::{catch, catchers, delete, get, post, put, routes, Build, Request, Responder, Rocket};

/// Every route of the contract, and a catcher for every error status (404, 422, 500...),
/// all answering with `x-request-id`.
pub fn app(rocket: Rocket<Build>) -> Rocket<Build> {
    rocket
        .mount("/", routes![hello, health, list, create, update, remove])
        .register("/", catchers![error])
}

/// A response of the app: `inner`, with the `x-request-id` header.
#[derive(Responder)]
pub struct App<R> {
    inner: R,
    request_id: Header<'static>,
}

/// Adds `x-request-id` to a response of the app.
pub fn app_response<R>(inner: R) -> App<R> {
    let request_id = Header::new("x-request-id", example_support::next_request_id());
    App { inner, request_id }
}

#[get("/")]
fn hello() -> App<&'static str> {
    app_response("Hello, World!")
}

#[get("/health")]
fn health() -> App<&'static str> {
    app_response("ok")
}

#[get("/api/items")]
fn list() -> App<(ContentType, &'static str)> {
    app_response((
        ContentType::JSON,
        r#"[{"id":1,"name":"apple"},{"id":2,"name":"pear"}]"#,
    ))
}

#[post("/api/items", data = "<item>")]
fn create(item: Json<Value>) -> App<(Status, Json<Value>)> {
    app_response((Status::Created, item))
}

#[put("/api/items/<id>")]
fn update(id: &str) -> App<Json<Value>> {
    app_response(Json(json!({ "id": id, "updated": true })))
}

#[delete("/api/items/<_id>")]
fn remove(_id: &str) -> App<Status> {
    app_response(Status::NoContent)
}

#[catch(default)]
fn error(status: Status, _: &Request<'_>) -> App<(Status, String)> {
    app_response((status, status.to_string()))
}

/// Prints the contract's ready line once Rocket listens (Rocket binds its own listener;
/// with port 0 it tells liftoff fairings the real port).
pub fn ready_line() -> rocket::fairing::AdHoc {
    rocket::fairing::AdHoc::on_liftoff("ready line", |rocket| {
        Box::pin(async move {
            let config = rocket.config();
            example_support::announce_addr(std::net::SocketAddr::new(config.address, config.port));
        })
    })
}
