//! `POST /session` sets a `session` cookie that `GET /session` then finds, and both
//! carry `x-request-id` (docs/contract.md, "Routes"): the app called in process, as the
//! tower service the server serves.

use std::future::poll_fn;
use std::pin::Pin;

use hyper::body::Body;
use tower_service::Service;
use warp::http::{header, Request, StatusCode};
use warp::reply::Response;

/// Calls the app with `request` and returns the response and its whole body.
async fn call(request: Request<String>) -> (Response, String) {
    let mut app = warp::service(example_warp::app());
    let mut response = app.call(request).await.expect("infallible");
    let mut body = Vec::new();
    let mut reading = Pin::new(response.body_mut());
    while let Some(frame) = poll_fn(|cx| reading.as_mut().poll_frame(cx)).await {
        if let Ok(data) = frame.expect("a frame").into_data() {
            body.extend_from_slice(&data);
        }
    }
    (response, String::from_utf8(body).expect("text"))
}

fn session_request(method: &str, cookie: Option<&str>) -> Request<String> {
    let mut request = Request::builder().method(method).uri("/session");
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    request.body(String::new()).expect("a request")
}

fn header_of<'a>(response: &'a Response, name: &str) -> Option<&'a str> {
    let value = response.headers().get(name)?;
    Some(value.to_str().expect("text"))
}

#[tokio::test]
async fn a_session_cookie_set_by_post_is_found_by_get() {
    let (signed_in, body) = call(session_request("POST", None)).await;
    assert_eq!(signed_in.status(), StatusCode::OK);
    assert_eq!(body, "signed in");
    assert!(header_of(&signed_in, "x-request-id").is_some());
    let cookie = header_of(&signed_in, "set-cookie").expect("a cookie");
    assert!(cookie.starts_with("session=s-"), "{cookie}");
    assert!(
        cookie.ends_with("; Path=/; SameSite=Lax; HttpOnly"),
        "{cookie}"
    );
    let pair = cookie.split(';').next().expect("a pair");
    let id = pair.strip_prefix("session=").expect("an id");

    let cookies = format!("theme=dark; {pair}");
    let (found, body) = call(session_request("GET", Some(&cookies))).await;
    assert_eq!(found.status(), StatusCode::OK);
    assert_eq!(body, format!("session {id}"));
    assert!(header_of(&found, "x-request-id").is_some());
    let content_type = header_of(&found, "content-type").expect("a type");
    assert!(content_type.starts_with("text/plain"), "{content_type}");

    let (none, body) = call(session_request("GET", Some("theme=dark"))).await;
    assert_eq!(none.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(body, "no session");
    assert!(header_of(&none, "x-request-id").is_some());
    let (bare, _) = call(session_request("GET", None)).await;
    assert_eq!(bare.status(), StatusCode::UNAUTHORIZED);
}
