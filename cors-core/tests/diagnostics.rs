//! Diagnostics mode: a refused preflight answers so that the browser's own check names
//! what is missing, and the browser still blocks it.

use cors_cases::browser::{preflight_check, BrowserError};
use cors_core::adapter::{Action, Decision, HeaderList, RequestView};
use cors_core::Policy;

const ORIGIN: &str = "https://app.example.com";

fn policy(diagnostics: bool) -> Policy {
    Policy::builder()
        .allow_origins([ORIGIN])
        .allow_methods(["GET", "PUT"])
        .allow_headers(["content-type"])
        .max_age(600)
        .diagnostics(diagnostics)
        .build()
        .unwrap()
}

/// Answers a preflight from `origin` for `method` and `headers`, then runs the browser's
/// CORS-preflight check on the answer.
fn browser_sees(
    policy: &Policy,
    origin: &str,
    method: &str,
    headers: &[&str],
) -> (u16, Result<(), BrowserError>) {
    let joined = headers.join(",");
    let request = RequestView::new("OPTIONS")
        .origin([origin.as_bytes()])
        .request_method([method.as_bytes()])
        .request_headers([joined.as_bytes()].into_iter().filter(|h| !h.is_empty()));
    let decision = policy.decide(&request);
    assert!(
        matches!(decision, Decision::PreflightRefused(..)),
        "{}",
        decision.kind()
    );
    let Action::Respond(preflight) = decision.into_action() else {
        unreachable!()
    };
    let mut response = HeaderList::new(origin.as_bytes());
    preflight.write_to(&mut response);
    assert!(
        response.get_all("access-control-max-age").next().is_none(),
        "a refusal must not be cached"
    );
    let response: Vec<(String, Vec<u8>)> = response
        .headers
        .into_iter()
        .map(|(n, v)| (n.to_owned(), v))
        .collect();
    let status = preflight.status();
    (
        status,
        preflight_check(origin, false, method, headers, status, &response),
    )
}

/// A bare 403, which every browser fails without reading any header.
fn assert_plain_refusal((status, verdict): (u16, Result<(), BrowserError>)) {
    assert_eq!(status, 403);
    assert!(
        matches!(verdict, Err(BrowserError::NotOkStatus(403))),
        "{verdict:?}"
    );
}

#[test]
fn the_browser_names_the_refused_method() {
    let (status, verdict) = browser_sees(&policy(true), ORIGIN, "DELETE", &[]);
    assert_eq!(status, 204);
    assert!(
        matches!(verdict, Err(BrowserError::MethodNotAllowed { .. })),
        "{verdict:?}"
    );
    assert_plain_refusal(browser_sees(&policy(false), ORIGIN, "DELETE", &[]));
}

#[test]
fn the_browser_names_the_refused_header() {
    let (_, verdict) = browser_sees(&policy(true), ORIGIN, "PUT", &["content-type", "x-api-key"]);
    match verdict {
        Err(BrowserError::HeaderNotAllowed { ref name, .. }) => assert_eq!(name, "x-api-key"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_refused_origin_is_not_explained() {
    assert_plain_refusal(browser_sees(
        &policy(true),
        "https://evil.example",
        "PUT",
        &[],
    ));
}

fn any_header_policy() -> Policy {
    Policy::builder()
        .allow_origins([ORIGIN])
        .allow_methods(["GET", "PUT"])
        .allow_headers(["*"])
        .diagnostics(true)
        .build()
        .unwrap()
}

#[test]
fn a_preflight_over_the_request_header_limits_stays_a_plain_refusal() {
    let names: Vec<String> = (0..=cors_core::adapter::MAX_REQUEST_HEADER_NAMES)
        .map(|i| format!("x-h{i}"))
        .collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    assert_plain_refusal(browser_sees(&any_header_policy(), ORIGIN, "PUT", &names));
}

#[test]
fn authorization_refused_under_a_star_stays_a_plain_refusal() {
    // `Access-Control-Allow-Headers: *` is what an explanation would send, and shipping
    // browsers let it cover `authorization`: only a 403 keeps the request blocked.
    assert_plain_refusal(browser_sees(
        &any_header_policy(),
        ORIGIN,
        "PUT",
        &["authorization"],
    ));
}

#[test]
fn a_malformed_request_method_stays_a_plain_refusal() {
    assert_plain_refusal(browser_sees(&policy(true), ORIGIN, "P(T", &[]));
}
