//! The browser's checks applied to a case of the table: what a browser concludes from
//! a response to the case's request.

use cors_browser::{cors_check, preflight_check, private_network_check, BrowserError};

use crate::model::{Case, Verdict};

/// The browser's checks for a case and a response: for a preflight, the case's
/// `Access-Control-Request-Method` and `-Request-Headers` are taken as what the script
/// asked for; for any other request, the CORS check. `None` when no browser sends such
/// a request (no `Origin`, several, or one that is not UTF-8).
pub fn check_case(
    case: &Case,
    status: u16,
    response_headers: &[(String, Vec<u8>)],
) -> Option<Result<(), BrowserError>> {
    let origin = case.origin()?;
    if !case.is_preflight() {
        return Some(cors_check(origin, case.credentials, response_headers));
    }
    Some(check_preflight_case(origin, case, status, response_headers))
}

/// The preflight's checks, with the private network check when the case asks for it.
fn check_preflight_case(
    origin: &str,
    case: &Case,
    status: u16,
    response_headers: &[(String, Vec<u8>)],
) -> Result<(), BrowserError> {
    let method = case.requested_method().unwrap_or_default();
    let names = case.requested_header_names();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    preflight_check(
        origin,
        case.credentials,
        method,
        &names,
        status,
        response_headers,
    )?;
    if case.asks_private_network() {
        private_network_check(response_headers)?;
    }
    Ok(())
}

/// [`check_case`] as a verdict.
pub fn verdict_for(
    case: &Case,
    status: u16,
    response_headers: &[(String, Vec<u8>)],
) -> Option<Verdict> {
    check_case(case, status, response_headers).map(|result| match result {
        Ok(()) => Verdict::Allowed,
        Err(_) => Verdict::Blocked,
    })
}
