//! Sending a case's request over real TCP: through a real HTTP client (cors-doctor's) when an
//! ordinary client can send it, over a raw socket ([`cors_bench::raw`]) when it cannot
//! (two `Origin` headers, bytes that are not UTF-8, megabyte values).

use std::net::SocketAddr;

use cors_bench::raw;
use cors_cases::Case;

/// What came back: status and headers, names lower-cased, in order.
#[derive(Debug, Clone)]
pub struct Observed {
    pub status: u16,
    pub headers: Vec<(String, Vec<u8>)>,
    /// Sent over a raw socket rather than the HTTP client.
    pub raw: bool,
}

/// The HTTP client of `cors-doctor`: never treats a status as an error, sends any
/// method and follows no redirect.
pub fn agent() -> ureq::Agent {
    cors_doctor::http::agent(raw::TIMEOUT)
}

/// Sends the case to the server at `addr`.
pub fn send(agent: &ureq::Agent, addr: SocketAddr, case: &Case) -> Result<Observed, String> {
    if !case.is_valid_http() {
        let head = raw::exchange(addr, &raw_request(addr, case))?
            .ok_or("the server closed the connection without answering")?;
        let head = raw::Head::parse(&head)?;
        return Ok(Observed {
            status: head.status,
            headers: head.headers,
            raw: true,
        });
    }
    let url = format!("http://{addr}{}", case.path);
    let headers = case.headers.iter().map(|(n, v)| (n.as_str(), v.as_slice()));
    fetch(agent, &case.method, &url, headers, None).map_err(|e| format!("request failed: {e}"))
}

/// Sends one request through the HTTP client, with a body if given.
pub fn fetch<'a>(
    agent: &ureq::Agent,
    method: &str,
    url: &str,
    headers: impl IntoIterator<Item = (&'a str, &'a [u8])>,
    body: Option<&[u8]>,
) -> Result<Observed, String> {
    let answer = cors_doctor::http::send(agent, method, url, headers, body)?;
    Ok(Observed {
        status: answer.status,
        headers: answer.headers,
        raw: false,
    })
}

/// The case's request as it goes over a raw socket.
pub fn raw_request(addr: SocketAddr, case: &Case) -> Vec<u8> {
    let headers: Vec<u8> = case
        .headers
        .iter()
        .flat_map(|(name, value)| raw::line(name, value))
        .collect();
    raw::request(&case.method, &case.path, addr, &headers)
}
