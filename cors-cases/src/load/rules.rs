//! Rules of `cases/README.md` that a case can break on its own. They catch a slip in
//! the table before it costs a debugging session against the core.

use crate::model::{Case, Expect, Outcome};
use crate::syntax::is_token;

/// Every rule a server case must follow.
pub(super) fn check_case(case: &Case) -> Result<(), String> {
    let names = case.headers.iter().map(|(n, _)| n.as_str());
    check_request(&case.name, &case.method, &case.path, names)?;
    check_expected_names(&case.expect)?;
    check_outcome_matches_request(case)?;
    check_outcome_headers(&case.expect)?;
    if case.expect.outcome == Outcome::NotCors && case.expect.verdict.is_some() {
        return Err("a not-cors case has no verdict".into());
    }
    Ok(())
}

/// A request any case, server or browser, must be able to send: a name, a method and
/// header names that are tokens, a path from the root.
pub(super) fn check_request<'a>(
    name: &str,
    method: &str,
    path: &str,
    mut header_names: impl Iterator<Item = &'a str>,
) -> Result<(), String> {
    if name.trim().is_empty() {
        return Err("the name is empty".into());
    }
    if method.is_empty() || method.contains([' ', '\t']) {
        return Err(format!("method \"{method}\" is not a method"));
    }
    if !path.starts_with('/') {
        return Err(format!("path \"{path}\" does not start with /"));
    }
    match header_names.find(|n| !is_token(n)) {
        Some(n) => Err(format!("request header name \"{n}\" is not a token")),
        None => Ok(()),
    }
}

fn check_expected_names(expect: &Expect) -> Result<(), String> {
    let governed = |n: &str| n == "vary" || n.starts_with("access-control-");
    match expect
        .headers
        .keys()
        .find(|n| !governed(n) || n.to_ascii_lowercase() != **n)
    {
        Some(n) => Err(format!(
            "expected header \"{n}\" is not a lower-case access-control-* or vary header"
        )),
        None => Ok(()),
    }
}

/// The outcome class follows from the request alone: no Origin, preflight or actual.
fn check_outcome_matches_request(case: &Case) -> Result<(), String> {
    let outcome = case.expect.outcome;
    let fits = if !case.has_header("origin") {
        outcome == Outcome::NotCors
    } else if case.is_preflight() {
        outcome.is_preflight()
    } else {
        matches!(outcome, Outcome::ActualAllowed | Outcome::ActualRefused)
    };
    if fits {
        return Ok(());
    }
    Err(format!("outcome {outcome} does not fit the request (Origin, OPTIONS + Access-Control-Request-Method?)"))
}

/// The headers and statuses that each outcome implies.
fn check_outcome_headers(expect: &Expect) -> Result<(), String> {
    let has = |n: &str| expect.headers.contains_key(n);
    let problem = match expect.outcome {
        Outcome::PreflightAllowed if expect.status.is_none() => Some("a preflight needs a status"),
        Outcome::PreflightAllowed
            if !has("access-control-allow-origin") || !has("access-control-allow-methods") =>
        {
            Some("an allowed preflight has access-control-allow-origin and -allow-methods")
        }
        Outcome::PreflightRefused if expect.status != Some(403) => {
            Some("a refused preflight has status 403")
        }
        Outcome::ActualAllowed if !has("access-control-allow-origin") => {
            Some("an allowed actual request has access-control-allow-origin")
        }
        Outcome::PreflightRefused | Outcome::ActualRefused | Outcome::NotCors
            if !only_vary(expect) =>
        {
            Some("this outcome carries no header but vary (and, under a `*` policy, `*` and the exposed headers)")
        }
        _ => None,
    };
    problem.map_or(Ok(()), |p| Err(p.into()))
}

/// Whether a refused or non-CORS answer carries nothing but `vary`. A `*` policy answers
/// `*`, with its exposed headers, on every actual response, refused and non-CORS ones
/// included (Fetch, "CORS protocol and HTTP caches",
/// <https://fetch.spec.whatwg.org/#cors-protocol-and-http-caches>).
fn only_vary(expect: &Expect) -> bool {
    let star = expect
        .headers
        .get("access-control-allow-origin")
        .is_some_and(|v| v == "*");
    expect.headers.keys().all(|n| {
        n == "vary"
            || (star
                && expect.outcome != Outcome::PreflightRefused
                && (n == "access-control-allow-origin" || n == "access-control-expose-headers"))
    })
}
