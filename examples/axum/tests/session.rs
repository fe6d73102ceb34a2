//! `POST /session` sets a `session` cookie that `GET /session` then finds, and both
//! carry `x-request-id` (docs/contract.md, "Routes"). The app is served in process, on
//! a free port, and spoken to with bare HTTP/1.1 (the crate has no HTTP client).

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        let mut found = self
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name));
        found.next().map(|(_, value)| value.as_str())
    }
}

/// Sends one request with these extra header lines and reads the whole answer.
async fn send(addr: std::net::SocketAddr, method: &str, headers: &str) -> Answer {
    let mut stream = TcpStream::connect(addr).await.expect("connected");
    let request = format!(
        "{method} /session HTTP/1.1\r\nhost: {addr}\r\ncontent-length: 0\r\n{headers}connection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.expect("sent");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.expect("read");
    let (head, body) = answer.split_once("\r\n\r\n").expect("a head and a body");
    let mut lines = head.split("\r\n");
    let status = lines.next().expect("a status line").split(' ').nth(1);
    let headers = lines.filter_map(|line| line.split_once(": "));
    Answer {
        status: status.and_then(|code| code.parse().ok()).expect("a status"),
        headers: headers.map(|(n, v)| (n.to_owned(), v.to_owned())).collect(),
        body: body.to_owned(),
    }
}

#[tokio::test]
async fn a_session_cookie_set_by_post_is_found_by_get() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bound");
    let addr = listener.local_addr().expect("an address");
    tokio::spawn(async move { axum::serve(listener, example_axum::app()).await });

    let signed_in = send(addr, "POST", "").await;
    assert_eq!(signed_in.status, 200);
    assert_eq!(signed_in.body, "signed in");
    assert!(signed_in.header("x-request-id").is_some());
    let cookie = signed_in.header("set-cookie").expect("a cookie");
    assert!(cookie.starts_with("session=s-"), "{cookie}");
    assert!(
        cookie.ends_with("; Path=/; SameSite=Lax; HttpOnly"),
        "{cookie}"
    );
    let pair = cookie.split(';').next().expect("a pair");
    let id = pair.strip_prefix("session=").expect("an id");

    let found = send(addr, "GET", &format!("cookie: theme=dark; {pair}\r\n")).await;
    assert_eq!(found.status, 200);
    assert_eq!(found.body, format!("session {id}"));
    assert!(found
        .header("content-type")
        .expect("a type")
        .starts_with("text/plain"));
    assert!(found.header("x-request-id").is_some());

    let none = send(addr, "GET", "cookie: theme=dark\r\n").await;
    assert_eq!(none.status, 401);
    assert_eq!(none.body, "no session");
    assert!(none.header("x-request-id").is_some());
    assert_eq!(send(addr, "GET", "").await.status, 401);
}
