//! Sending a case's request over real TCP: through a real HTTP client (ureq) when an
//! ordinary client can send it, over a raw socket when it cannot (two `Origin` headers,
//! bytes that are not UTF-8, megabyte values).

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use cors_cases::Case;

const TIMEOUT: Duration = Duration::from_secs(10);
/// The most bytes of a response head read from a raw socket.
const MAX_HEAD: usize = 64 * 1024;

/// What came back: status and headers, names lower-cased, in order.
#[derive(Debug, Clone)]
pub struct Observed {
    pub status: u16,
    pub headers: Vec<(String, Vec<u8>)>,
    /// Sent over a raw socket rather than the HTTP client.
    pub raw: bool,
}

/// An HTTP client for the whole run: it never treats a status as an error and sends
/// any method a case names.
pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .allow_non_standard_methods(true)
        .timeout_global(Some(TIMEOUT))
        .max_redirects(0)
        .build()
        .into()
}

/// Sends the case to the server at `addr`.
pub fn send(agent: &ureq::Agent, addr: SocketAddr, case: &Case) -> Result<Observed, String> {
    if case.is_valid_http() {
        send_with_client(agent, addr, case)
    } else {
        send_raw(addr, case)
    }
}

fn send_with_client(
    agent: &ureq::Agent,
    addr: SocketAddr,
    case: &Case,
) -> Result<Observed, String> {
    let mut request = ureq::http::Request::builder()
        .method(case.method.as_str())
        .uri(format!("http://{addr}{}", case.path));
    for (name, value) in &case.headers {
        request = request.header(name.as_str(), value.as_slice());
    }
    let request = request
        .body(())
        .map_err(|e| format!("cannot build the request: {e}"))?;
    let response = agent
        .run(request)
        .map_err(|e| format!("request failed: {e}"))?;
    let headers = response
        .headers()
        .iter()
        .map(|(name, value)| (name.as_str().to_owned(), value.as_bytes().to_vec()))
        .collect();
    Ok(Observed {
        status: response.status().as_u16(),
        headers,
        raw: false,
    })
}

/// Writes the request byte for byte and parses the response head.
fn send_raw(addr: SocketAddr, case: &Case) -> Result<Observed, String> {
    let mut stream =
        TcpStream::connect_timeout(&addr, TIMEOUT).map_err(|e| format!("cannot connect: {e}"))?;
    stream
        .set_read_timeout(Some(TIMEOUT))
        .map_err(|e| e.to_string())?;
    stream
        .set_write_timeout(Some(TIMEOUT))
        .map_err(|e| e.to_string())?;
    // A server may answer and close before reading a huge head; what it answered is
    // what counts, so a failed write is not yet a failure.
    let _ = stream.write_all(&raw_request(addr, case));
    let head = read_head(&mut stream)?;
    parse_head(&head)
}

pub fn raw_request(addr: SocketAddr, case: &Case) -> Vec<u8> {
    let mut request =
        format!("{} {} HTTP/1.1\r\nhost: {addr}\r\n", case.method, case.path).into_bytes();
    for (name, value) in &case.headers {
        request.extend_from_slice(name.as_bytes());
        request.extend_from_slice(b": ");
        request.extend_from_slice(value);
        request.extend_from_slice(b"\r\n");
    }
    request.extend_from_slice(b"content-length: 0\r\nconnection: close\r\n\r\n");
    request
}

fn read_head(stream: &mut TcpStream) -> Result<Vec<u8>, String> {
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf) {
            Ok(0) if head.is_empty() => {
                return Err("the server closed the connection without answering".into())
            }
            Ok(0) => break,
            Ok(n) => head.extend_from_slice(&buf[..n]),
            Err(e) if head.is_empty() => return Err(format!("no answer: {e}")),
            Err(_) => break,
        }
        if head.len() > MAX_HEAD {
            return Err("the response head is larger than 64 KiB".into());
        }
    }
    Ok(head)
}

fn parse_head(head: &[u8]) -> Result<Observed, String> {
    let mut headers = [httparse::EMPTY_HEADER; 128];
    let mut response = httparse::Response::new(&mut headers);
    response
        .parse(head)
        .map_err(|e| format!("unparseable response: {e}"))?;
    let status = response.code.ok_or("a response without a status")?;
    let headers = response
        .headers
        .iter()
        .map(|h| (h.name.to_ascii_lowercase(), h.value.to_vec()))
        .collect();
    Ok(Observed {
        status,
        headers,
        raw: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn response_heads_are_parsed_with_repeated_headers() {
        let head = b"HTTP/1.1 204 No Content\r\nVary: origin\r\nvary: accept-encoding\r\nAccess-Control-Allow-Origin: https://a.com\r\n\r\n";
        let observed = parse_head(head).unwrap();
        assert_eq!(observed.status, 204);
        assert_eq!(observed.headers.len(), 3);
        assert_eq!(
            observed.headers[1],
            ("vary".to_owned(), b"accept-encoding".to_vec())
        );
        assert!(parse_head(b"garbage\r\n\r\n").is_err());
    }
}
