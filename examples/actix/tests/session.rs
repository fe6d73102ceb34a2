//! `POST /session` sets a `session` cookie that `GET /session` then finds, and both
//! carry `x-request-id` (docs/contract.md, "Routes"): the app as the server builds it,
//! called in process.

use actix_web::http::header;
use actix_web::middleware::from_fn;
use actix_web::test::{self, TestRequest};
use actix_web::App;

fn header_of(headers: &header::HeaderMap, name: &str) -> Option<String> {
    let value = headers.get(name)?;
    Some(value.to_str().expect("text").to_owned())
}

#[actix_web::test]
async fn a_session_cookie_set_by_post_is_found_by_get() {
    let app = App::new()
        .wrap(from_fn(example_actix::request_id))
        .configure(example_actix::routes);
    let app = test::init_service(app).await;

    let request = TestRequest::post().uri("/session").to_request();
    let signed_in = test::call_service(&app, request).await;
    assert_eq!(signed_in.status(), 200);
    assert!(header_of(signed_in.headers(), "x-request-id").is_some());
    let cookie = header_of(signed_in.headers(), header::SET_COOKIE.as_str()).expect("a cookie");
    assert!(cookie.starts_with("session=s-"), "{cookie}");
    assert!(
        cookie.ends_with("; Path=/; SameSite=Lax; HttpOnly"),
        "{cookie}"
    );
    assert_eq!(test::read_body(signed_in).await, "signed in");
    let pair = cookie.split(';').next().expect("a pair");
    let id = pair.strip_prefix("session=").expect("an id");

    let request = TestRequest::get()
        .uri("/session")
        .insert_header((header::COOKIE, format!("theme=dark; {pair}")))
        .to_request();
    let found = test::call_service(&app, request).await;
    assert_eq!(found.status(), 200);
    assert!(header_of(found.headers(), "x-request-id").is_some());
    let content_type = header_of(found.headers(), "content-type").expect("a type");
    assert!(content_type.starts_with("text/plain"), "{content_type}");
    assert_eq!(test::read_body(found).await, format!("session {id}"));

    let request = TestRequest::get()
        .uri("/session")
        .insert_header((header::COOKIE, "theme=dark"))
        .to_request();
    let none = test::call_service(&app, request).await;
    assert_eq!(none.status(), 401);
    assert!(header_of(none.headers(), "x-request-id").is_some());
    assert_eq!(test::read_body(none).await, "no session");
    let request = TestRequest::get().uri("/session").to_request();
    assert_eq!(test::call_service(&app, request).await.status(), 401);
}
