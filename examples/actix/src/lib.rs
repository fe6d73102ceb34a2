//! The app of docs/contract.md on actix-web, without CORS (the server adds it), so
//! that tests and benchmarks serve exactly what the example serves.
#![forbid(unsafe_code)]

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::{web, Error, HttpRequest, HttpResponse};
use serde_json::json;

/// The contract's routes, for `App::configure`. Each path is a resource, so that a
/// method it does not serve gets actix's 405 (`App::route` would answer 404).
pub fn routes(config: &mut web::ServiceConfig) {
    config
        .service(web::resource("/").get(|| text("Hello, World!")))
        .service(
            web::resource("/api/items")
                .get(list_items)
                .post(create_item),
        )
        .service(
            web::resource("/api/items/{id}")
                .put(update_item)
                .delete(|| async { HttpResponse::NoContent().finish() }),
        )
        .service(web::resource("/health").get(|| text("ok")))
        .service(web::resource("/session").get(session).post(sign_in));
}

async fn text(body: &'static str) -> HttpResponse {
    HttpResponse::Ok().content_type("text/plain").body(body)
}

async fn list_items() -> HttpResponse {
    HttpResponse::Ok().json(json!([{ "id": 1, "name": "apple" }, { "id": 2, "name": "pear" }]))
}

/// Echoes the body as it came, so that the route answers the same whatever JSON it gets.
async fn create_item(body: web::Bytes) -> HttpResponse {
    HttpResponse::Created()
        .content_type("application/json")
        .body(body)
}

async fn update_item(id: web::Path<String>) -> HttpResponse {
    HttpResponse::Ok().json(json!({ "id": id.into_inner(), "updated": true }))
}

/// Opens a session: a new `session` cookie (see `example_support::new_session_cookie`).
async fn sign_in() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain")
        .insert_header((header::SET_COOKIE, example_support::new_session_cookie()))
        .body("signed in")
}

/// The session of the request's `session` cookie, or 401.
async fn session(request: HttpRequest) -> HttpResponse {
    let lines = request.headers().get_all(header::COOKIE);
    let (status, body) = example_support::session_answer(lines.filter_map(|v| v.to_str().ok()));
    HttpResponse::build(StatusCode::from_u16(status).expect("200 or 401"))
        .content_type("text/plain")
        .body(body)
}

/// Sets `x-request-id` on every response of the app, actix's 404 and 405 included:
/// `App::new().wrap(from_fn(request_id))`.
pub async fn request_id(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let mut response = next.call(request).await?;
    if let Ok(id) = HeaderValue::from_str(&example_support::next_request_id()) {
        let name = HeaderName::from_static("x-request-id");
        response.headers_mut().insert(name, id);
    }
    Ok(response)
}
