//! Each defect of `broken-server` shows in the headers of one or two answers, and the
//! correct server (`--defect none`) answers the same requests as the policy says. The
//! real binary is started on port 0 with a policy of its own and spoken to with bare
//! HTTP/1.1, so that repeated header lines stay visible.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// An exact origin, a subdomain pattern, credentials, a method and a header that need a
/// preflight, and an exposed header: something for every defect to break.
const POLICY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/policy.toml");

const APP: &str = "https://app.example.com";
const EVIL: &str = "https://evil.example";
const APEX: &str = "https://example.com";
const GLUED: &str = "https://evilexample.com";
const PREFIXED: &str = "https://app.example.com.evil.net";

const DEFECTS: [&str; 8] = [
    "no-vary",
    "reflect-any-origin",
    "star-with-credentials",
    "preflight-without-methods",
    "options-to-app",
    "second-allow-origin",
    "apex-allowed",
    "lookalike-allowed",
];

/// A running `broken-server`, killed when dropped.
struct Server {
    child: Child,
    addr: SocketAddr,
}

impl Server {
    /// Starts the server with `--defect defect` and waits for its ready line.
    fn start(defect: &str) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_broken-server"))
            .args(["--defect", defect, "--addr", "127.0.0.1:0", "--config"])
            .arg(POLICY)
            .env_remove("CORS_DIAGNOSTICS")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("broken-server starts");
        let mut line = String::new();
        let stdout = child.stdout.take().expect("piped stdout");
        let read = BufReader::new(stdout).read_line(&mut line);
        let addr = line
            .trim()
            .strip_prefix("listening on http://")
            .and_then(|addr| addr.parse().ok());
        match (read, addr) {
            (Ok(_), Some(addr)) => Server { child, addr },
            _ => {
                let _ = child.kill();
                panic!("{defect}: no ready line, got {line:?}");
            }
        }
    }

    /// `GET /api/items` from `origin`.
    fn get(&self, origin: &str) -> Answer {
        self.send("GET", "/api/items", &[("origin", origin)])
    }

    /// The preflight of `PUT /api/items/1` with `x-api-key` from `origin`.
    fn preflight(&self, origin: &str) -> Answer {
        let asks = [
            ("origin", origin),
            ("access-control-request-method", "PUT"),
            ("access-control-request-headers", "x-api-key"),
        ];
        self.send("OPTIONS", "/api/items/1", &asks)
    }

    fn send(&self, method: &str, path: &str, headers: &[(&str, &str)]) -> Answer {
        let mut stream = TcpStream::connect(self.addr).expect("connected");
        let timeout = Some(Duration::from_secs(5));
        stream.set_read_timeout(timeout).expect("a read timeout");
        let mut request = format!("{method} {path} HTTP/1.1\r\nhost: {}\r\n", self.addr);
        for (name, value) in headers {
            request.push_str(&format!("{name}: {value}\r\n"));
        }
        request.push_str("connection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).expect("sent");
        let mut answer = String::new();
        // A server may reset the connection after a complete `connection: close` answer.
        let _ = stream.read_to_string(&mut answer);
        let head = answer.split("\r\n\r\n").next().unwrap_or_default();
        let mut lines = head.split("\r\n");
        let status = lines.next().and_then(|line| line.split(' ').nth(1));
        Answer {
            status: status.and_then(|code| code.parse().ok()).expect("a status"),
            headers: lines
                .filter_map(|line| line.split_once(':'))
                .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
                .collect(),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The status and header lines of an answer, names in lower case.
#[derive(Debug)]
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
}

impl Answer {
    /// Every value of the header `name`, one per line.
    fn all(&self, name: &str) -> Vec<&str> {
        let lines = self.headers.iter().filter(|(n, _)| n == name);
        lines.map(|(_, value)| value.as_str()).collect()
    }

    /// The header `name`, which must not be repeated.
    fn one(&self, name: &str) -> Option<&str> {
        let values = self.all(name);
        assert!(values.len() <= 1, "{name} repeated: {self:#?}");
        values.first().copied()
    }

    fn allow_origin(&self) -> Option<&str> {
        self.one("access-control-allow-origin")
    }

    fn credentials(&self) -> Option<&str> {
        self.one("access-control-allow-credentials")
    }
}

/// What the correct layer answers an allowed origin's request.
fn assert_allowed(answer: &Answer, origin: &str) {
    assert_eq!(answer.status, 200, "{answer:#?}");
    assert_eq!(answer.allow_origin(), Some(origin), "{answer:#?}");
    assert_eq!(answer.credentials(), Some("true"), "{answer:#?}");
    let exposed = answer.one("access-control-expose-headers");
    assert_eq!(exposed, Some("x-request-id"), "{answer:#?}");
}

/// What the correct layer answers a refused origin's request: the app's answer, with no
/// `Access-Control-Allow-*` header.
fn assert_refused(answer: &Answer) {
    assert_eq!(answer.status, 200, "{answer:#?}");
    assert_eq!(answer.allow_origin(), None, "{answer:#?}");
    assert_eq!(answer.credentials(), None, "{answer:#?}");
}

/// The correct layer's answer to an allowed preflight: 204, the origin, the lists.
fn assert_preflight_allowed(answer: &Answer, origin: &str) {
    assert_eq!(answer.status, 204, "{answer:#?}");
    assert_eq!(answer.allow_origin(), Some(origin), "{answer:#?}");
    assert_eq!(answer.credentials(), Some("true"), "{answer:#?}");
    let methods = answer.one("access-control-allow-methods").unwrap_or("");
    assert!(methods.contains("PUT"), "{answer:#?}");
    let headers = answer.one("access-control-allow-headers").unwrap_or("");
    assert!(headers.contains("x-api-key"), "{answer:#?}");
    assert!(answer.all("x-request-id").is_empty(), "reached the app");
}

#[test]
fn the_correct_server_answers_every_request_of_the_defects_as_the_policy_says() {
    let server = Server::start("none");
    let allowed = server.get(APP);
    assert_allowed(&allowed, APP);
    let vary = allowed.one("vary").unwrap_or("");
    assert!(vary.to_ascii_lowercase().contains("origin"), "{allowed:#?}");
    let under = "https://x.example.com";
    assert_allowed(&server.get(under), under);
    for refused in [EVIL, APEX, GLUED, PREFIXED] {
        assert_refused(&server.get(refused));
        let preflight = server.preflight(refused);
        assert_eq!(preflight.status, 403, "{refused}: {preflight:#?}");
        assert_eq!(preflight.allow_origin(), None, "{refused}: {preflight:#?}");
    }
    assert_preflight_allowed(&server.preflight(APP), APP);
}

#[test]
fn no_vary_drops_every_vary_header() {
    let server = Server::start("no-vary");
    let answer = server.get(APP);
    assert_eq!(answer.allow_origin(), Some(APP));
    assert!(answer.all("vary").is_empty(), "{answer:#?}");
    assert!(server.preflight(APP).all("vary").is_empty());
}

#[test]
fn reflect_any_origin_allows_and_preflights_any_origin_with_credentials() {
    let server = Server::start("reflect-any-origin");
    assert_allowed(&server.get(EVIL), EVIL);
    assert_preflight_allowed(&server.preflight(EVIL), EVIL);
    assert_allowed(&server.get("null"), "null");
    // An allowed origin still gets its own answer.
    assert_allowed(&server.get(APP), APP);
}

#[test]
fn star_with_credentials_answers_a_star_beside_credentials() {
    let server = Server::start("star-with-credentials");
    let answer = server.get(APP);
    assert_eq!(answer.allow_origin(), Some("*"), "{answer:#?}");
    assert_eq!(answer.credentials(), Some("true"), "{answer:#?}");
    // A refused origin still gets nothing.
    assert_refused(&server.get(EVIL));
}

#[test]
fn preflight_without_methods_answers_200_without_the_lists() {
    let server = Server::start("preflight-without-methods");
    let answer = server.preflight(APP);
    assert_eq!(answer.status, 200, "{answer:#?}");
    assert_eq!(answer.allow_origin(), Some(APP), "{answer:#?}");
    assert_eq!(answer.one("access-control-allow-methods"), None);
    assert_eq!(answer.one("access-control-allow-headers"), None);
    // Requests that are not preflights are untouched.
    assert_allowed(&server.get(APP), APP);
}

#[test]
fn options_to_app_gives_preflights_the_apps_own_answer() {
    let server = Server::start("options-to-app");
    let answer = server.preflight(APP);
    assert_eq!(answer.status, 405, "{answer:#?}");
    assert_eq!(answer.allow_origin(), None, "{answer:#?}");
    assert_eq!(answer.one("access-control-allow-methods"), None);
    assert_eq!(answer.all("x-request-id").len(), 1, "not the app's answer");
    assert_allowed(&server.get(APP), APP);
}

#[test]
fn second_allow_origin_repeats_the_allow_origin_line() {
    let server = Server::start("second-allow-origin");
    let answer = server.get(APP);
    let lines = answer.all("access-control-allow-origin");
    assert_eq!(lines, [APP, APP], "{answer:#?}");
    let preflight = server.preflight(APP);
    assert_eq!(preflight.all("access-control-allow-origin"), [APP, APP]);
    // A refused origin gets no line at all.
    assert!(server
        .get(EVIL)
        .all("access-control-allow-origin")
        .is_empty());
}

#[test]
fn apex_allowed_lets_the_apex_of_a_pattern_in() {
    let server = Server::start("apex-allowed");
    assert_allowed(&server.get(APEX), APEX);
    assert_preflight_allowed(&server.preflight(APEX), APEX);
    assert_refused(&server.get(EVIL));
    assert_refused(&server.get(GLUED));
}

#[test]
fn lookalike_allowed_lets_hosts_without_a_label_boundary_in() {
    let server = Server::start("lookalike-allowed");
    assert_allowed(&server.get(GLUED), GLUED);
    assert_allowed(&server.get(PREFIXED), PREFIXED);
    assert_preflight_allowed(&server.preflight(GLUED), GLUED);
    assert_refused(&server.get(EVIL));
    assert_refused(&server.get(APEX));
}

#[test]
fn an_unknown_defect_is_refused_with_the_names_of_all() {
    let output = Command::new(env!("CARGO_BIN_EXE_broken-server"))
        .args(["--defect", "no-cors-at-all", "--addr", "127.0.0.1:0"])
        .output()
        .expect("broken-server runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty(), "it listened");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("'no-cors-at-all'"), "{stderr}");
    for name in DEFECTS.iter().chain(&["none"]) {
        assert!(stderr.contains(name), "{name} not listed: {stderr}");
    }
}
