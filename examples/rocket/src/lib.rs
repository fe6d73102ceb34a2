//! The app of docs/contract.md on Rocket, without CORS, so that the server
//! (`main.rs`) and the tests of `cors-rocket` serve the same routes.
#![forbid(unsafe_code)]

use std::convert::Infallible;

use rocket::http::{ContentType, Header, Status};
use rocket::request::{FromRequest, Outcome};
use rocket::serde::json::{json, Json, Value};
use rocket::{catch, catchers, delete, get, post, put, routes, Build, Request, Responder, Rocket};

/// Every route of the contract, and a catcher for every error status (404, 422, 500...),
/// all answering with `x-request-id`.
pub fn app(rocket: Rocket<Build>) -> Rocket<Build> {
    rocket
        .mount(
            "/",
            routes![hello, health, list, create, update, remove, sign_in, session],
        )
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

/// A response with a `Set-Cookie` header.
#[derive(Responder)]
struct SetCookie<R> {
    inner: R,
    set_cookie: Header<'static>,
}

/// Opens a session: a new `session` cookie (see `example_support::new_session_cookie`).
#[post("/session")]
fn sign_in() -> App<SetCookie<&'static str>> {
    let set_cookie = Header::new("Set-Cookie", example_support::new_session_cookie());
    app_response(SetCookie {
        inner: "signed in",
        set_cookie,
    })
}

/// The session of the request's `session` cookie, or 401.
#[get("/session")]
fn session(cookies: CookieLines<'_>) -> App<(Status, String)> {
    let (status, body) = example_support::session_answer(cookies.0);
    app_response((Status::new(status), body))
}

/// The `Cookie` header lines of a request, as they came (Rocket's `CookieJar` would
/// parse them its own way).
struct CookieLines<'r>(Vec<&'r str>);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for CookieLines<'r> {
    type Error = Infallible;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Infallible> {
        Outcome::Success(CookieLines(request.headers().get("Cookie").collect()))
    }
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
