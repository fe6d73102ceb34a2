//! Sending one request as a tool that acts as a browser must: any method, every status
//! an answer (never an error), no redirect followed (browsers never follow one for a
//! preflight, and a redirect is worth reporting), a timeout per request, HTTPS through
//! rustls with the Mozilla root certificates, and errors that say what went wrong.

use std::time::Duration;

/// What came back: status and headers, names lower-cased, in order.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, Vec<u8>)>,
}

/// The client: `timeout` bounds each request, connection to last byte.
pub fn agent(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .allow_non_standard_methods(true)
        .timeout_global(Some(timeout))
        .max_redirects(0)
        .build()
        .into()
}

/// Sends one request, with a body if given. Header names may repeat (two `Origin`
/// lines are sent as two lines).
pub fn send<'a>(
    agent: &ureq::Agent,
    method: &str,
    url: &str,
    headers: impl IntoIterator<Item = (&'a str, &'a [u8])>,
    body: Option<&[u8]>,
) -> Result<Answer, String> {
    let mut request = ureq::http::Request::builder().method(method).uri(url);
    for (name, value) in headers {
        request = request.header(name, value);
    }
    let request = request
        .body(body.unwrap_or_default().to_vec())
        .map_err(|e| format!("cannot build the request: {e}"))?;
    let response = agent.run(request).map_err(|e| explain(url, &e))?;
    let headers = response
        .headers()
        .iter()
        .map(|(name, value)| (name.as_str().to_owned(), value.as_bytes().to_vec()))
        .collect();
    Ok(Answer {
        status: response.status().as_u16(),
        headers,
    })
}

/// An error in words a user acts on.
fn explain(url: &str, error: &ureq::Error) -> String {
    match error {
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
            format!("{url}: connection refused: is the server running, on that port?")
        }
        ureq::Error::ConnectionFailed => {
            format!("{url}: cannot connect: is the server running, on that port?")
        }
        // rustls reports a failed handshake (a bad certificate, plain HTTP on the port) as
        // invalid data on the connection.
        ureq::Error::Io(io)
            if url.starts_with("https:") && io.kind() == std::io::ErrorKind::InvalidData =>
        {
            format!("{url}: the TLS handshake failed ({io}); check the certificate, and that the server speaks https on that port")
        }
        ureq::Error::HostNotFound => format!("{url}: the host name does not resolve"),
        ureq::Error::Timeout(_) => format!("{url}: no complete answer within the timeout"),
        ureq::Error::Tls(_) | ureq::Error::Rustls(_) => {
            format!(
                "{url}: the TLS handshake failed ({error}); check the certificate and the scheme"
            )
        }
        ureq::Error::BadUri(_) => format!("{url}: not a URL ({error})"),
        _ => format!("{url}: {error}"),
    }
}

/// The value of a header, its lines joined as Fetch's "get" does, for display.
pub fn header_text(headers: &[(String, Vec<u8>)], name: &str) -> Option<String> {
    cors_browser::syntax::get(headers, name)
}
