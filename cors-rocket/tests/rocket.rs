//! Rocket-specific behaviour of the fairing: preflights are answered before any route
//! of the app, plain `OPTIONS` requests still reach it, and every response (catchers
//! included) carries the CORS headers.

use std::sync::atomic::{AtomicUsize, Ordering};

use cors_rocket::{Cors, Policy};
use example_rocket::{app_response, App};
use rocket::config::LogLevel;
use rocket::http::{Header, Method, Status};
use rocket::local::asynchronous::{Client, LocalResponse};
use rocket::{get, options, routes, Build, Responder, Rocket, State};

use cors_harness::fixture::{policy, APP as ORIGIN};

/// Counts the requests that reached a route of the test.
#[derive(Default)]
struct Hits(AtomicUsize);

impl Hits {
    fn hit(&self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// An app response with extra headers.
#[derive(Responder)]
struct WithHeaders {
    inner: App<&'static str>,
    first: Header<'static>,
    second: Header<'static>,
}

#[options("/items")]
fn items_options(hits: &State<Hits>) -> WithHeaders {
    hits.hit();
    WithHeaders {
        inner: app_response("options"),
        first: Header::new("allow", "GET, OPTIONS"),
        second: Header::new("x-route", "items"),
    }
}

#[get("/unprocessable")]
fn unprocessable() -> Status {
    Status::UnprocessableEntity
}

#[get("/fail")]
fn fail() -> Result<&'static str, Status> {
    Err(Status::InternalServerError)
}

#[get("/vary/<value>")]
fn vary(value: &str) -> WithHeaders {
    WithHeaders {
        inner: app_response("vary"),
        first: Header::new("vary", value.to_owned()),
        second: Header::new("access-control-allow-origin", "https://stale.example"),
    }
}

/// What an app (or a proxied upstream) may set that only the CORS layer owns.
const APP_SET: [(&str, &str); 3] = [
    ("access-control-allow-origin", "*"),
    ("access-control-allow-credentials", "true"),
    ("access-control-expose-headers", "x-secret"),
];

#[derive(Responder)]
struct SetsCorsHeaders {
    inner: App<&'static str>,
    allow_origin: Header<'static>,
    allow_credentials: Header<'static>,
    expose_headers: Header<'static>,
}

#[get("/cors-headers")]
fn cors_headers() -> SetsCorsHeaders {
    let [origin, credentials, expose] = APP_SET.map(|(name, value)| Header::new(name, value));
    SetsCorsHeaders {
        inner: app_response("cors-headers"),
        allow_origin: origin,
        allow_credentials: credentials,
        expose_headers: expose,
    }
}

#[get("/panics")]
fn panics() -> &'static str {
    panic!("a handler bug")
}

#[get("/counted")]
fn counted(hits: &State<Hits>) -> App<&'static str> {
    hits.hit();
    app_response("counted")
}

fn config() -> rocket::Config {
    rocket::Config {
        log_level: LogLevel::Off,
        ..rocket::Config::debug_default()
    }
}

/// The example app, test routes under `/test` and `/v1`, and the fairing.
fn rocket(policy: Policy) -> Rocket<Build> {
    example_rocket::app(rocket::custom(config()))
        .mount(
            "/test",
            routes![
                items_options,
                unprocessable,
                fail,
                vary,
                panics,
                cors_headers,
                counted
            ],
        )
        .mount("/v1", routes![items_options, counted])
        .manage(Hits::default())
        .attach(Cors::new(policy))
}

async fn client(policy: Policy) -> Client {
    Client::tracked(rocket(policy)).await.unwrap()
}

fn hits(client: &Client) -> usize {
    client
        .rocket()
        .state::<Hits>()
        .unwrap()
        .0
        .load(Ordering::SeqCst)
}

fn header<'a>(response: &'a LocalResponse<'_>, name: &str) -> Vec<&'a str> {
    response.headers().get(name).collect()
}

fn assert_allowed(response: &LocalResponse<'_>) {
    assert_eq!(header(response, "access-control-allow-origin"), [ORIGIN]);
    assert_eq!(
        header(response, "access-control-expose-headers"),
        ["x-request-id"]
    );
    assert_eq!(header(response, "vary"), ["origin"]);
}

async fn preflight<'c>(client: &'c Client, path: &'c str, method: &str) -> LocalResponse<'c> {
    client
        .options(path)
        .header(Header::new("origin", ORIGIN))
        .header(Header::new(
            "access-control-request-method",
            method.to_owned(),
        ))
        .dispatch()
        .await
}

async fn actual<'c>(client: &'c Client, method: Method, path: &'c str) -> LocalResponse<'c> {
    client
        .req(method, path)
        .header(Header::new("origin", ORIGIN))
        .dispatch()
        .await
}

#[rocket::async_test]
async fn preflights_are_answered_before_the_users_options_route() {
    let client = client(policy()).await;
    for path in ["/test/items", "/v1/items", "/api/items/1", "/no-such-route"] {
        let allowed = preflight(&client, path, "PUT").await;
        assert_eq!(allowed.status(), Status::NoContent, "{path}");
        assert_eq!(header(&allowed, "access-control-allow-origin"), [ORIGIN]);
        assert_eq!(
            header(&allowed, "access-control-allow-methods"),
            ["GET, POST, PUT, DELETE"]
        );
        assert!(header(&allowed, "x-request-id").is_empty(), "{path}");
        assert!(header(&allowed, "allow").is_empty(), "{path}");
        assert_eq!(allowed.into_bytes().await.unwrap_or_default(), b"");

        let refused = preflight(&client, path, "PATCH").await;
        assert_eq!(refused.status(), Status::Forbidden, "{path}");
        assert!(header(&refused, "access-control-allow-origin").is_empty());
        assert!(header(&refused, "access-control-allow-methods").is_empty());
        assert!(header(&refused, "x-request-id").is_empty(), "{path}");
        assert!(!header(&refused, "vary").is_empty());
    }
    assert_eq!(hits(&client), 0, "a preflight reached a route of the app");
}

#[rocket::async_test]
async fn a_plain_options_reaches_the_users_options_route() {
    let client = client(policy()).await;
    for path in ["/test/items", "/v1/items"] {
        let plain = actual(&client, Method::Options, path).await;
        assert_eq!(plain.status(), Status::Ok, "{path}");
        assert_eq!(header(&plain, "allow"), ["GET, OPTIONS"]);
        assert_eq!(header(&plain, "x-request-id").len(), 1);
        assert_allowed(&plain);
    }
    assert_eq!(hits(&client), 2);

    // No OPTIONS route there: the app's 404, as without CORS.
    let unrouted = actual(&client, Method::Options, "/api/items").await;
    assert_eq!(unrouted.status(), Status::NotFound);
    assert_eq!(header(&unrouted, "x-request-id").len(), 1);
    assert_allowed(&unrouted);
}

#[rocket::async_test]
async fn catchers_carry_the_cors_headers() {
    let client = client(policy()).await;
    let cases = [
        (Method::Get, "/no-such-route", Status::NotFound),
        (
            Method::Get,
            "/test/unprocessable",
            Status::UnprocessableEntity,
        ),
        (Method::Get, "/test/fail", Status::InternalServerError),
    ];
    for (method, path, status) in cases {
        let response = actual(&client, method, path).await;
        assert_eq!(response.status(), status, "{path}");
        assert_eq!(header(&response, "x-request-id").len(), 1, "{path}");
        assert_allowed(&response);
    }
    // A panicking handler: Rocket catches it and its 500 catcher answers.
    let panicked = actual(&client, Method::Get, "/test/panics").await;
    assert_eq!(panicked.status(), Status::InternalServerError);
    assert_allowed(&panicked);
    // Malformed JSON: Rocket's data guard fails, its catcher answers.
    let bad_json = client
        .post("/api/items")
        .header(Header::new("origin", ORIGIN))
        .header(rocket::http::ContentType::JSON)
        .body("{not json")
        .dispatch()
        .await;
    assert!(bad_json.status().class().is_client_error());
    assert_allowed(&bad_json);
}

#[rocket::async_test]
async fn mounted_bases_get_the_headers() {
    let client = client(policy()).await;
    let response = actual(&client, Method::Get, "/v1/counted").await;
    assert_eq!(response.status(), Status::Ok);
    assert_allowed(&response);
    assert_eq!(response.into_string().await.as_deref(), Some("counted"));
}

#[rocket::async_test]
async fn the_apps_headers_are_merged_or_replaced() {
    let client = client(policy()).await;

    let merged = actual(&client, Method::Get, "/test/vary/accept-encoding").await;
    assert_eq!(header(&merged, "vary"), ["accept-encoding", "origin"]);
    assert_eq!(header(&merged, "access-control-allow-origin"), [ORIGIN]);

    let kept = actual(&client, Method::Get, "/test/vary/Origin").await;
    assert_eq!(header(&kept, "vary"), ["Origin"]);
    assert_eq!(header(&kept, "access-control-allow-origin"), [ORIGIN]);
}

#[rocket::async_test]
async fn the_fairing_owns_the_headers_that_let_a_script_read() {
    let client = client(policy()).await;

    // Allowed: the policy's values replace the app's, and the policy has no credentials.
    let allowed = actual(&client, Method::Get, "/test/cors-headers").await;
    assert_allowed(&allowed);
    assert!(header(&allowed, "access-control-allow-credentials").is_empty());

    // Refused or not CORS: none of the app's values reaches the browser.
    let refused = client
        .get("/test/cors-headers")
        .header(Header::new("origin", "https://evil.example"))
        .dispatch()
        .await;
    let not_cors = client.get("/test/cors-headers").dispatch().await;
    for response in [refused, not_cors] {
        for (name, _) in APP_SET {
            assert!(header(&response, name).is_empty(), "{name} survived");
        }
    }
}

#[rocket::async_test]
async fn refused_and_non_cors_requests_reach_their_route_with_only_vary() {
    let client = client(policy()).await;

    let refused = client
        .get("/test/counted")
        .header(Header::new("origin", "https://evil.example"))
        .dispatch()
        .await;
    assert_eq!(refused.status(), Status::Ok);
    assert!(header(&refused, "access-control-allow-origin").is_empty());
    assert!(header(&refused, "access-control-expose-headers").is_empty());
    assert_eq!(header(&refused, "vary"), ["origin"]);
    assert_eq!(refused.into_string().await.as_deref(), Some("counted"));

    let not_cors = client.get("/test/counted").dispatch().await;
    assert_eq!(header(&not_cors, "vary"), ["origin"]);
    assert!(header(&not_cors, "access-control-allow-origin").is_empty());

    assert_eq!(hits(&client), 2);
}

#[rocket::async_test]
async fn two_fairings_are_refused_at_launch() {
    let twice = rocket(policy()).attach(Cors::new(policy()));
    let Err(error) = twice.ignite().await else {
        panic!("two CORS layers launched")
    };
    assert!(error.to_string().contains("collision"), "{error}");
}
