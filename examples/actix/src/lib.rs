//! The app of docs/contract.md on actix-web, without CORS (the server adds it), so
//! that tests and benchmarks serve exactly what the example serves.
#![forbid(unsafe_code)]

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{web, Error, HttpResponse};
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
        .service(web::resource("/health").get(|| text("ok")));
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
