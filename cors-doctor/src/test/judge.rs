//! A probe's answer judged two ways at once: what a browser concludes from it (the
//! `cors-browser` checks), held to what a browser would conclude from the answer the
//! policy calls for (decided by the policy engine from the same file); and the cache
//! rules and values the policy fixes (`Vary`, `max_age`, `expose_headers`).

use cors_browser::{self as browser, BrowserError};
use cors_core::adapter::{Action, HeaderList, RequestView};
use cors_core::{Policy, PolicyConfig};

use super::plan::Probe;
use crate::http::{header_text, Answer};

type Headers = Vec<(String, Vec<u8>)>;

/// The answer the policy calls for: status and CORS headers, as the engine writes them
/// (an actual request's status is the app's, so it is not part of it).
pub fn expected(policy: &Policy, probe: &Probe) -> (u16, Headers) {
    let headers = probe.wire_headers();
    let values = |name: &'static str| {
        headers
            .iter()
            .filter(move |(n, _)| *n == name)
            .map(|(_, v)| v.as_bytes())
    };
    let view = RequestView::new(probe.wire_method())
        .origin(values("origin"))
        .request_method(values("access-control-request-method"))
        .request_headers(values("access-control-request-headers"));
    let mut list = HeaderList::new(values("origin").next().unwrap_or_default());
    let status = match policy.decide(&view).into_action() {
        Action::Respond(preflight) => {
            preflight.write_to(&mut list);
            preflight.status()
        }
        Action::Forward(actual) => {
            actual.write_to(policy, &mut list);
            200
        }
    };
    let headers = list
        .headers
        .into_iter()
        .map(|(n, v)| (n.to_owned(), v))
        .collect();
    (status, headers)
}

/// What a browser concludes from an answer to the probe; `None` when no browser sends
/// such a request (no `Origin`, or two).
pub fn verdict(probe: &Probe, status: u16, headers: &Headers) -> Option<Result<(), BrowserError>> {
    let origin = probe.origin()?;
    Some(match &probe.preflight {
        None => browser::cors_check(origin, probe.credentials, headers),
        Some(preflight) => {
            let names = requested_names(preflight.request_headers.as_deref());
            let names: Vec<&str> = names.iter().map(String::as_str).collect();
            browser::preflight_check(
                origin,
                probe.credentials,
                &preflight.method,
                &names,
                status,
                headers,
            )
        }
    })
}

/// The names a browser would have listed: lower case, no spaces.
fn requested_names(value: Option<&str>) -> Vec<String> {
    value
        .unwrap_or_default()
        .split(',')
        .map(|n| n.trim().to_ascii_lowercase())
        .filter(|n| !n.is_empty())
        .collect()
}

/// Every way the server's answer departs from the policy, in words that name the
/// header and the policy line; empty when it honours the policy.
pub fn divergences(
    policy: &Policy,
    config: &PolicyConfig,
    probe: &Probe,
    answer: &Answer,
) -> Vec<String> {
    let (expected_status, expected) = expected(policy, probe);
    let mut problems = Vec::new();
    let line = &probe.policy_line;
    match (
        verdict(probe, expected_status, &expected),
        verdict(probe, answer.status, &answer.headers),
    ) {
        (Some(Ok(())), Some(Err(error))) => problems.push(blocked(answer, &error, line)),
        (Some(Err(_)), Some(Ok(()))) => problems.push(format!(
            "a browser allows this, which the policy does not ({line}): the server answers access-control-allow-origin: {}",
            header_text(&answer.headers, "access-control-allow-origin").unwrap_or_default()
        )),
        (Some(Ok(())), Some(Ok(()))) => problems.extend(values(config, probe, &expected, answer)),
        (None, None) if !allows(&expected) && allows(&answer.headers) && probe.origins.len() > 1 => {
            problems.push(format!(
                "a request with two Origin lines is answered with access-control-allow-origin: {}, which the policy refuses ({line})",
                header_text(&answer.headers, "access-control-allow-origin").unwrap_or_default()
            ))
        }
        _ => {}
    }
    if probe.preflight.is_none()
        && varies_by_origin(&expected)
        && !varies_by_origin(&answer.headers)
    {
        problems.push(format!(
            "Vary does not name Origin, so a cache may serve this answer to another origin: the answer depends on the origin ({line}); got vary: {}",
            header_text(&answer.headers, "vary").unwrap_or_else(|| "(none)".into())
        ));
    }
    problems
}

/// Why a browser blocks what the policy allows.
fn blocked(answer: &Answer, error: &BrowserError, line: &str) -> String {
    if (300..400).contains(&answer.status) {
        let to = header_text(&answer.headers, "location").unwrap_or_default();
        return format!("a browser blocks this, which the policy allows ({line}): the server redirects ({} to {to}), and browsers follow no redirect for a preflight", answer.status);
    }
    format!("a browser blocks this, which the policy allows ({line}): {error}")
}

/// On a response the browser accepts: the values the policy fixes.
fn values(
    config: &PolicyConfig,
    probe: &Probe,
    expected: &Headers,
    answer: &Answer,
) -> Vec<String> {
    let mut problems = Vec::new();
    if probe.preflight.is_some() {
        if let Some(age) = config.max_age {
            let got = header_text(&answer.headers, "access-control-max-age");
            if got.as_deref().map(str::trim) != Some(age.to_string().as_str()) {
                problems.push(format!(
                    "access-control-max-age is {} where the policy says max_age = {age}",
                    got.unwrap_or_else(|| "absent".into())
                ));
            }
        }
        return problems;
    }
    for name in config.expose_headers.iter().filter(|n| *n != "*") {
        let meant = browser::can_read_response_header(name, probe.credentials, expected);
        let got = browser::can_read_response_header(name, probe.credentials, &answer.headers);
        if meant && !got {
            problems.push(format!(
                "the script cannot read {name}, which the policy exposes (expose_headers: {name:?}); got access-control-expose-headers: {}",
                header_text(&answer.headers, "access-control-expose-headers").unwrap_or_else(|| "(none)".into())
            ));
        }
    }
    problems
}

fn allows(headers: &Headers) -> bool {
    headers
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case("access-control-allow-origin"))
}

fn varies_by_origin(headers: &Headers) -> bool {
    header_text(headers, "vary").is_some_and(|vary| {
        vary.split(',')
            .any(|token| matches!(token.trim(), t if t.eq_ignore_ascii_case("origin") || t == "*"))
    })
}

#[cfg(test)]
mod tests {
    use super::super::plan::{Preflight, Probe};
    use super::*;

    fn policy() -> (Policy, PolicyConfig) {
        let config = PolicyConfig::from_toml_str(
            "allow_origins = [\"https://app.example.com\"]\nallow_methods = [\"GET\", \"PUT\"]\nmax_age = 600\n",
        )
        .unwrap();
        (config.clone().build().unwrap(), config)
    }

    fn probe(origin: &str, preflight: bool) -> Probe {
        Probe {
            group: super::super::plan::Group::Origins,
            label: String::new(),
            policy_line: "allow_origins: \"https://app.example.com\"".into(),
            path: "/".into(),
            origins: vec![origin.into()],
            preflight: preflight.then(|| Preflight {
                method: "PUT".into(),
                request_headers: None,
            }),
            credentials: false,
        }
    }

    fn answer(pairs: &[(&str, &str)], status: u16) -> Answer {
        Answer {
            status,
            headers: pairs
                .iter()
                .map(|(n, v)| (n.to_string(), v.as_bytes().to_vec()))
                .collect(),
        }
    }

    #[test]
    fn the_engines_answer_honours_the_policy() {
        let (policy, config) = policy();
        for p in [
            probe("https://app.example.com", false),
            probe("https://app.example.com", true),
            probe("https://evil.example.com", false),
        ] {
            let (status, headers) = expected(&policy, &p);
            let answer = Answer { status, headers };
            assert!(
                divergences(&policy, &config, &p, &answer).is_empty(),
                "{p:?}"
            );
        }
    }

    #[test]
    fn a_redirected_preflight_is_named_as_such() {
        let (policy, config) = policy();
        let preflight = probe("https://app.example.com", true);
        let moved = answer(&[("location", "https://api.example.com/")], 301);
        let problems = divergences(&policy, &config, &preflight, &moved);
        assert!(
            problems[0].contains("the server redirects (301 to https://api.example.com/)"),
            "{problems:?}"
        );
    }

    #[test]
    fn a_reflected_origin_a_missing_vary_and_a_wrong_max_age_are_named() {
        let (policy, config) = policy();
        let evil = probe("https://evil.example.com", false);
        let reflected = answer(
            &[
                ("access-control-allow-origin", "https://evil.example.com"),
                ("vary", "origin"),
            ],
            200,
        );
        let problems = divergences(&policy, &config, &evil, &reflected);
        assert!(
            problems[0].contains("a browser allows this, which the policy does not"),
            "{problems:?}"
        );
        let app = probe("https://app.example.com", false);
        let no_vary = answer(
            &[("access-control-allow-origin", "https://app.example.com")],
            200,
        );
        let problems = divergences(&policy, &config, &app, &no_vary);
        assert!(
            problems[0].starts_with("Vary does not name Origin"),
            "{problems:?}"
        );
        let preflight = probe("https://app.example.com", true);
        let short = answer(
            &[
                ("access-control-allow-origin", "https://app.example.com"),
                ("access-control-allow-methods", "PUT"),
                ("access-control-max-age", "5"),
            ],
            204,
        );
        let problems = divergences(&policy, &config, &preflight, &short);
        assert_eq!(
            problems,
            ["access-control-max-age is 5 where the policy says max_age = 600"]
        );
    }
}
