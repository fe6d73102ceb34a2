//! `POST /session` sets a `session` cookie that `GET /session` then finds, and both
//! carry `x-request-id` (docs/contract.md, "Routes"): the app called in process, by a
//! client that keeps no cookies of its own.

use rocket::config::LogLevel;
use rocket::http::{Header, Status};
use rocket::local::blocking::Client;

#[test]
fn a_session_cookie_set_by_post_is_found_by_get() {
    let config = rocket::Config {
        log_level: LogLevel::Off,
        ..rocket::Config::debug_default()
    };
    let client =
        Client::untracked(example_rocket::app(rocket::custom(config))).expect("a valid app");

    let signed_in = client.post("/session").dispatch();
    assert_eq!(signed_in.status(), Status::Ok);
    assert!(signed_in.headers().get_one("x-request-id").is_some());
    let cookie = signed_in.headers().get_one("set-cookie").expect("a cookie");
    assert!(cookie.starts_with("session=s-"), "{cookie}");
    assert!(
        cookie.ends_with("; Path=/; SameSite=Lax; HttpOnly"),
        "{cookie}"
    );
    let pair = cookie.split(';').next().expect("a pair").to_owned();
    let id = pair.strip_prefix("session=").expect("an id").to_owned();
    assert_eq!(signed_in.into_string().as_deref(), Some("signed in"));

    let cookies = Header::new("cookie", format!("theme=dark; {pair}"));
    let found = client.get("/session").header(cookies).dispatch();
    assert_eq!(found.status(), Status::Ok);
    assert!(found.headers().get_one("x-request-id").is_some());
    let content_type = found.headers().get_one("content-type").expect("a type");
    assert!(content_type.starts_with("text/plain"), "{content_type}");
    assert_eq!(found.into_string(), Some(format!("session {id}")));

    let cookies = Header::new("cookie", "theme=dark");
    let none = client.get("/session").header(cookies).dispatch();
    assert_eq!(none.status(), Status::Unauthorized);
    assert!(none.headers().get_one("x-request-id").is_some());
    assert_eq!(none.into_string().as_deref(), Some("no session"));
    let bare = client.get("/session").dispatch();
    assert_eq!(bare.status(), Status::Unauthorized);
}
