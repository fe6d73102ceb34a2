//! What every forwarded response carries, whatever the application set: the `*` of an
//! any-origin policy on every response, and no `Access-Control-Allow-*` or
//! `-Expose-Headers` value of the application's own.

use cors_core::Policy;

use cors_core::adapter::{Action, HeaderList, RequestView};

/// The headers of the response to `request` (whose first `Origin` is `origin`, empty if
/// none) when the application set `app_headers`.
fn forwarded(
    policy: &Policy,
    request: &RequestView<'_>,
    origin: &[u8],
    app_headers: &[(&'static str, &str)],
) -> HeaderList {
    let mut response = HeaderList::new(origin);
    for (name, value) in app_headers {
        response.headers.push((name, value.as_bytes().to_vec()));
    }
    let Action::Forward(actual) = policy.decide(request).into_action() else {
        panic!("not forwarded")
    };
    actual.write_to(policy, &mut response);
    response
}

fn one<'a>(response: &'a HeaderList, name: &'a str) -> Option<&'a str> {
    let mut values = response.get_all(name);
    let first = values.next().map(|v| std::str::from_utf8(v).unwrap());
    assert!(values.next().is_none(), "{name} sent twice: {response:?}");
    first
}

fn any_origin() -> Policy {
    Policy::builder()
        .allow_any_origin()
        .expose_headers(["x-request-id"])
        .build()
        .unwrap()
}

#[test]
fn an_any_origin_policy_answers_star_to_a_request_without_origin() {
    let response = forwarded(&any_origin(), &RequestView::new("GET"), b"", &[]);
    assert_eq!(one(&response, "access-control-allow-origin"), Some("*"));
    assert_eq!(
        one(&response, "access-control-expose-headers"),
        Some("x-request-id")
    );
    assert_eq!(one(&response, "vary"), None, "`*` depends on nothing");
}

#[test]
fn an_any_origin_policy_answers_star_to_a_refused_request_too() {
    let request = RequestView::new("GET").origin([&b"https://a.example"[..], b"https://b.example"]);
    let policy = any_origin();
    assert_eq!(policy.decide(&request).kind(), "actual-refused");
    let response = forwarded(&policy, &request, b"https://a.example", &[]);
    assert_eq!(one(&response, "access-control-allow-origin"), Some("*"));
}

#[test]
fn a_listed_policy_still_sends_nothing_but_vary_without_origin() {
    let policy = Policy::builder()
        .allow_origins(["https://app.example.com"])
        .build()
        .unwrap();
    let response = forwarded(&policy, &RequestView::new("GET"), b"", &[]);
    assert_eq!(one(&response, "access-control-allow-origin"), None);
    assert_eq!(one(&response, "vary"), Some("origin"));
}

const APP_SET: [(&str, &str); 3] = [
    ("access-control-allow-origin", "https://evil.example"),
    ("access-control-allow-credentials", "true"),
    ("access-control-expose-headers", "x-secret"),
];

#[test]
fn the_application_cannot_allow_a_refused_origin() {
    let policy = Policy::builder()
        .allow_origins(["https://app.example.com"])
        .allow_credentials(true)
        .build()
        .unwrap();
    let request = RequestView::new("GET").origin([&b"https://evil.example"[..]]);
    let response = forwarded(&policy, &request, b"https://evil.example", &APP_SET);
    for (name, _) in APP_SET {
        assert_eq!(one(&response, name), None, "{name} survived: {response:?}");
    }
    let no_origin = forwarded(&policy, &RequestView::new("GET"), b"", &APP_SET);
    for (name, _) in APP_SET {
        assert_eq!(
            one(&no_origin, name),
            None,
            "{name} survived: {no_origin:?}"
        );
    }
}

#[test]
fn the_application_cannot_add_credentials_or_exposed_headers_to_an_allowed_origin() {
    let policy = Policy::builder()
        .allow_origins(["https://app.example.com"])
        .build()
        .unwrap();
    let request = RequestView::new("GET").origin([&b"https://app.example.com"[..]]);
    let response = forwarded(&policy, &request, b"https://app.example.com", &APP_SET);
    assert_eq!(
        one(&response, "access-control-allow-origin"),
        Some("https://app.example.com")
    );
    assert_eq!(one(&response, "access-control-allow-credentials"), None);
    assert_eq!(one(&response, "access-control-expose-headers"), None);
}

#[test]
fn allows_origin_answers_for_websocket_handshakes_with_the_same_allowlist() {
    let policy = Policy::builder()
        .allow_origins(["https://app.example.com", "https://*.example.com"])
        .build()
        .unwrap();
    assert!(policy.allows_origin(b"https://app.example.com"));
    assert!(policy.allows_origin(b"https://chat.example.com"));
    assert!(!policy.allows_origin(b"https://example.com"));
    assert!(!policy.allows_origin(b"https://evil.example"));
    assert!(!policy.allows_origin(b"null"));
    assert!(any_origin().allows_origin(b"https://anyone.example"));
}
