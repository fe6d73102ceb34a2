//! HTTP/1.1 over a raw socket, byte for byte: for the requests an ordinary client cannot
//! send (two `Origin` headers, bytes that are not UTF-8, megabyte values), and to see
//! exactly what a server answers. `cargo xtask conformance` and `hostile` use it too.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// How long to wait for a connection, a write or a read.
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// The most bytes of a response head read.
const MAX_HEAD: usize = 64 * 1024;

/// One header line, `name: value` and CR LF.
pub fn line(name: &str, value: &[u8]) -> Vec<u8> {
    [name.as_bytes(), b": ", value, b"\r\n"].concat()
}

/// A request without a body: the request line, `host`, the header lines `headers` (each
/// ending in CR LF, as [`line`] writes them), `content-length: 0` and `connection: close`.
pub fn request(method: &str, path: &str, addr: SocketAddr, headers: &[u8]) -> Vec<u8> {
    [
        format!("{method} {path} HTTP/1.1\r\nhost: {addr}\r\n").as_bytes(),
        headers,
        b"content-length: 0\r\nconnection: close\r\n\r\n",
    ]
    .concat()
}

/// Sends the request and reads the response head, through its blank line; `None` if the
/// server closed the connection without answering (a way to refuse garbage).
pub fn exchange(addr: SocketAddr, request: &[u8]) -> Result<Option<Vec<u8>>, String> {
    let mut stream =
        TcpStream::connect_timeout(&addr, TIMEOUT).map_err(|e| format!("cannot connect: {e}"))?;
    let timeouts = [
        stream.set_read_timeout(Some(TIMEOUT)),
        stream.set_write_timeout(Some(TIMEOUT)),
    ];
    timeouts
        .into_iter()
        .collect::<Result<(), _>>()
        .map_err(|e| e.to_string())?;
    // A server may answer and close before reading a huge head; what it answered is
    // what counts, so a failed write is not yet a failure.
    let _ = stream.write_all(request);
    let mut head = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => head.extend_from_slice(&buf[..n]),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return Err(format!("no answer within {TIMEOUT:?}: the server hangs"));
            }
            Err(_) => break,
        }
        if let Some(end) = head.windows(4).position(|w| w == b"\r\n\r\n") {
            head.truncate(end + 4);
            break;
        }
        if head.len() > MAX_HEAD {
            return Err("the response head is larger than 64 KiB".into());
        }
    }
    Ok((!head.is_empty()).then_some(head))
}

/// A response head: its status, and its headers in order, names lower-cased.
#[derive(Debug, Clone)]
pub struct Head {
    pub status: u16,
    pub headers: Vec<(String, Vec<u8>)>,
}

impl Head {
    pub fn parse(head: &[u8]) -> Result<Head, String> {
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
        Ok(Head { status, headers })
    }

    /// The value of the first header of that (lower-case) name.
    pub fn header(&self, name: &str) -> Option<&[u8]> {
        let found = self.headers.iter().find(|(n, _)| n == name);
        found.map(|(_, value)| value.as_slice())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heads_are_parsed_with_repeated_headers() {
        let head = b"HTTP/1.1 204 No Content\r\nVary: origin\r\nvary: accept-encoding\r\nAccess-Control-Allow-Origin: https://a.com\r\n\r\n";
        let parsed = Head::parse(head).unwrap();
        assert_eq!(parsed.status, 204);
        assert_eq!(parsed.headers.len(), 3);
        assert_eq!(
            parsed.headers[1],
            ("vary".to_owned(), b"accept-encoding".to_vec())
        );
        assert_eq!(parsed.header("vary"), Some(&b"origin"[..]));
        assert!(Head::parse(b"garbage\r\n\r\n").is_err());
    }

    #[test]
    fn requests_are_written_byte_for_byte() {
        let addr = "127.0.0.1:80".parse().unwrap();
        let request = request("GET", "/", addr, &line("origin", b"\xff"));
        assert_eq!(
            request,
            b"GET / HTTP/1.1\r\nhost: 127.0.0.1:80\r\norigin: \xff\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
        );
    }
}
