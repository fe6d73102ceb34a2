//! A relay between the browser and an example server that counts the preflights going
//! through it: the only way to see from outside whether the browser honoured
//! `Access-Control-Max-Age` (a cached preflight is simply not sent), whatever the
//! framework, ours and the peers' alike.
//!
//! It reads request heads as HTTP/1.1 frames them (the head up to the empty line, then
//! `Content-Length` bytes of body) and passes every byte on unchanged; answers flow back
//! untouched.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::Arc;
use std::thread;

/// A listening relay to one server; stops accepting when dropped, and its connections
/// end with the server's.
pub struct Relay {
    pub addr: SocketAddr,
    preflights: Arc<AtomicU32>,
    stopped: Arc<AtomicBool>,
}

impl Relay {
    pub fn start(upstream: SocketAddr) -> io::Result<Relay> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        let preflights = Arc::new(AtomicU32::new(0));
        let stopped = Arc::new(AtomicBool::new(false));
        let (count, stop) = (preflights.clone(), stopped.clone());
        thread::spawn(move || {
            for client in listener.incoming() {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(client) = client {
                    let count = count.clone();
                    thread::spawn(move || relay(client, upstream, &count));
                }
            }
        });
        Ok(Relay {
            addr,
            preflights,
            stopped,
        })
    }

    /// The preflights relayed since the last call.
    pub fn take_preflights(&self) -> u32 {
        self.preflights.swap(0, Ordering::SeqCst)
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.stopped.store(true, Ordering::SeqCst);
        // Wakes the accepting thread so that it sees the flag.
        let _ = TcpStream::connect(self.addr);
    }
}

fn relay(client: TcpStream, upstream: SocketAddr, preflights: &AtomicU32) {
    let Ok(server) = TcpStream::connect(upstream) else {
        return;
    };
    let (Ok(mut client_out), Ok(mut server_in)) = (client.try_clone(), server.try_clone()) else {
        return;
    };
    let answers = thread::spawn(move || {
        let _ = io::copy(&mut server_in, &mut client_out);
        let _ = client_out.shutdown(Shutdown::Both);
    });
    let _ = forward_requests(client, &server, preflights);
    let _ = server.shutdown(Shutdown::Write);
    let _ = answers.join();
}

/// Passes requests on one at a time, counting those whose method is `OPTIONS`.
fn forward_requests(
    mut client: TcpStream,
    mut server: &TcpStream,
    preflights: &AtomicU32,
) -> io::Result<()> {
    let mut pending = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        while let Some(end) = find(&pending, b"\r\n\r\n") {
            let head = &pending[..end + 4];
            if head.starts_with(b"OPTIONS ") {
                preflights.fetch_add(1, Ordering::SeqCst);
            }
            let body = content_length(head);
            let mut frame_end = head.len();
            server.write_all(head)?;
            // The body: what is buffered, then the rest straight from the client.
            let buffered = body.min(pending.len() - frame_end);
            server.write_all(&pending[frame_end..frame_end + buffered])?;
            frame_end += buffered;
            copy_exactly(&mut client, server, body - buffered)?;
            pending.drain(..frame_end);
        }
        let read = client.read(&mut chunk)?;
        if read == 0 {
            return Ok(());
        }
        pending.extend_from_slice(&chunk[..read]);
    }
}

fn copy_exactly(from: &mut TcpStream, mut to: &TcpStream, mut left: usize) -> io::Result<()> {
    let mut chunk = [0u8; 8192];
    while left > 0 {
        let read = from.read(&mut chunk[..left.min(8192)])?;
        if read == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        to.write_all(&chunk[..read])?;
        left -= read;
    }
    Ok(())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The head's `Content-Length`, 0 when it has none (browsers send a string body with
/// one).
fn content_length(head: &[u8]) -> usize {
    String::from_utf8_lossy(head)
        .lines()
        .filter_map(|line| line.split_once(':'))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, value)| value.trim().parse().ok())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A server that answers every request head with an empty 200 on a kept-alive
    /// connection, reading bodies by their length.
    fn echo_server() -> SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                thread::spawn(move || {
                    let mut stream = stream;
                    let mut pending = Vec::new();
                    let mut chunk = [0u8; 1024];
                    loop {
                        while let Some(end) = find(&pending, b"\r\n\r\n") {
                            let total = end + 4 + content_length(&pending[..end + 4]);
                            if pending.len() < total {
                                break;
                            }
                            pending.drain(..total);
                            let answer = b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n";
                            if stream.write_all(answer).is_err() {
                                return;
                            }
                        }
                        match stream.read(&mut chunk) {
                            Ok(0) | Err(_) => return,
                            Ok(n) => pending.extend_from_slice(&chunk[..n]),
                        }
                    }
                });
            }
        });
        addr
    }

    #[test]
    fn preflights_are_counted_and_bodies_pass_through() {
        let relay = Relay::start(echo_server()).unwrap();
        let mut client = TcpStream::connect(relay.addr).unwrap();
        let requests = concat!(
            "OPTIONS /a HTTP/1.1\r\nhost: x\r\n\r\n",
            "PUT /a HTTP/1.1\r\nhost: x\r\ncontent-length: 22\r\n\r\nOPTIONS /fake HTTP/1.1",
            "OPTIONS /b HTTP/1.1\r\nhost: x\r\n\r\n",
        );
        client.write_all(requests.as_bytes()).unwrap();
        let mut answers = Vec::new();
        let mut chunk = [0u8; 1024];
        while answers.windows(6).filter(|w| w == b"200 OK").count() < 3 {
            let n = client.read(&mut chunk).unwrap();
            assert!(n > 0, "the relay closed early");
            answers.extend_from_slice(&chunk[..n]);
        }
        assert_eq!(relay.take_preflights(), 2);
        assert_eq!(relay.take_preflights(), 0);
    }
}
