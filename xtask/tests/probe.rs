//! `cargo xtask probe` explains the ten most common CORS mistakes correctly, against a
//! deliberately broken server that makes each one, and allows what a correct one allows.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener};
use std::process::Command;
use std::thread;

/// How the broken server answers: the status and headers of preflights, and the
/// headers of every other response (always 200).
#[derive(Clone)]
struct Broken {
    preflight_status: u16,
    preflight: Vec<&'static str>,
    actual: Vec<&'static str>,
}

impl Broken {
    /// A server whose preflights are answered 204 with these header lines only.
    fn preflight(preflight: &[&'static str]) -> Self {
        Broken {
            preflight_status: 204,
            preflight: preflight.to_vec(),
            actual: vec![],
        }
    }

    /// A server whose preflights allow `https://app.example.com` with this one more line.
    fn allowing_app_with(line: &'static str) -> Self {
        Broken::preflight(&["access-control-allow-origin: https://app.example.com", line])
    }

    fn ok(actual: &[&'static str]) -> Self {
        Broken {
            preflight_status: 204,
            preflight: vec![],
            actual: actual.to_vec(),
        }
    }
}

/// Serves `broken` on a loopback port for the life of the test process.
fn serve(broken: Broken) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream);
            let mut request_line = String::new();
            if reader.read_line(&mut request_line).is_err() {
                continue;
            }
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                line.clear();
            }
            let (status, headers) = if request_line.starts_with("OPTIONS") {
                (broken.preflight_status, &broken.preflight)
            } else {
                (200, &broken.actual)
            };
            let mut response =
                format!("HTTP/1.1 {status} X\r\ncontent-length: 0\r\nconnection: close\r\n");
            for header in headers {
                response.push_str(header);
                response.push_str("\r\n");
            }
            response.push_str("\r\n");
            let _ = reader.get_mut().write_all(response.as_bytes());
        }
    });
    addr
}

const ORIGIN: &str = "https://app.example.com";

/// Runs the probe; returns whether it said "allowed" and what it printed.
fn probe(addr: SocketAddr, args: &[&str]) -> (bool, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args([
            "probe",
            &format!("http://{addr}/api/items"),
            "--origin",
            ORIGIN,
        ])
        .args(args)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert_eq!(
        output.status.success(),
        stdout.contains("ALLOWS"),
        "{stdout}"
    );
    (output.status.success(), stdout)
}

fn assert_blocked_with(broken: Broken, args: &[&str], fix: &str) {
    let (allowed, out) = probe(serve(broken), args);
    assert!(!allowed, "{out}");
    let fix_line = out
        .lines()
        .find(|l| l.trim_start().starts_with("Fix:"))
        .unwrap_or_default();
    assert!(
        fix_line.contains(fix),
        "expected a fix with {fix:?}:\n{out}"
    );
}

#[test]
fn no_cors_at_all() {
    assert_blocked_with(
        Broken::ok(&[]),
        &[],
        "allow_origins = [\"https://app.example.com\"]",
    );
}

#[test]
fn an_origin_with_a_trailing_slash() {
    let broken = Broken::ok(&["access-control-allow-origin: https://app.example.com/"]);
    assert_blocked_with(broken, &[], "exactly the page's origin");
}

#[test]
fn a_wildcard_with_credentials() {
    let broken = Broken::ok(&["access-control-allow-origin: *"]);
    assert_blocked_with(
        broken,
        &["--credentials"],
        "`*` never works with credentials",
    );
}

#[test]
fn credentials_not_allowed() {
    let broken = Broken::ok(&["access-control-allow-origin: https://app.example.com"]);
    assert_blocked_with(broken, &["--credentials"], "allow_credentials = true");
}

#[test]
fn a_preflight_that_reaches_the_app() {
    let broken = Broken {
        preflight_status: 405,
        ..Broken::ok(&[])
    };
    assert_blocked_with(
        broken,
        &["--method", "PUT"],
        "no CORS middleware answers OPTIONS",
    );
}

#[test]
fn a_redirected_preflight() {
    let broken = Broken {
        preflight_status: 301,
        preflight: vec!["location: /api/items/"],
        actual: vec![],
    };
    assert_blocked_with(broken, &["--method", "DELETE"], "never follow a redirect");
}

#[test]
fn a_method_that_is_not_allowed() {
    let broken = Broken::allowing_app_with("access-control-allow-methods: GET, POST");
    assert_blocked_with(
        broken.clone(),
        &["--method", "PUT"],
        "allow_methods = [\"PUT\"]",
    );
    assert_blocked_with(broken, &["--method", "patch"], "methods are case-sensitive");
}

#[test]
fn a_header_that_is_not_allowed() {
    let broken = Broken::allowing_app_with("access-control-allow-headers: content-type");
    assert_blocked_with(
        broken,
        &["--header", "x-api-key:1"],
        "allow_headers = [\"x-api-key\"]",
    );
}

#[test]
fn authorization_is_not_covered_by_a_wildcard() {
    let broken = Broken {
        preflight_status: 204,
        preflight: vec![
            "access-control-allow-origin: *",
            "access-control-allow-headers: *",
        ],
        actual: vec!["access-control-allow-origin: *"],
    };
    assert_blocked_with(
        broken,
        &["--header", "authorization:Bearer x"],
        "the Fetch Standard never lets `*` cover it",
    );
}

#[test]
fn two_cors_layers() {
    let broken = Broken::ok(&[
        "access-control-allow-origin: https://app.example.com",
        "access-control-allow-origin: https://app.example.com",
    ]);
    assert_blocked_with(broken, &[], "keep exactly one");
}

#[test]
fn a_response_header_that_is_not_exposed() {
    let broken = Broken::ok(&[
        "access-control-allow-origin: https://app.example.com",
        "x-request-id: 1",
    ]);
    assert_blocked_with(
        broken,
        &["--read-header", "x-request-id"],
        "expose_headers = [\"x-request-id\"]",
    );
}

#[test]
fn a_correct_server_is_allowed_step_by_step() {
    let good = Broken {
        preflight_status: 204,
        preflight: vec![
            "access-control-allow-origin: https://app.example.com",
            "access-control-allow-credentials: true",
            "access-control-allow-methods: PUT",
            "access-control-allow-headers: content-type, x-api-key",
        ],
        actual: vec![
            "access-control-allow-origin: https://app.example.com",
            "access-control-allow-credentials: true",
            "access-control-expose-headers: x-request-id",
        ],
    };
    let args = [
        "--method",
        "put",
        "--header",
        "Content-Type:application/json",
        "--header",
        "X-Api-Key:1",
        "--credentials",
        "--read-header",
        "x-request-id",
    ];
    let (allowed, out) = probe(serve(good), &args);
    assert!(allowed, "{out}");
    assert!(
        out.contains("> access-control-request-method: PUT"),
        "fetch() upper-cases put:\n{out}"
    );
    assert!(
        out.contains("> access-control-request-headers: content-type,x-api-key"),
        "{out}"
    );
    assert!(out.contains("✓ The preflight passes."), "{out}");
}

#[test]
fn a_simple_request_sends_no_preflight() {
    let (allowed, out) = probe(
        serve(Broken::ok(&["access-control-allow-origin: *"])),
        &["--header", "accept:application/json"],
    );
    assert!(allowed, "{out}");
    assert!(out.contains("simple request: no preflight"), "{out}");
}

/// The probe cannot see where the page and the server sit on the network: its help
/// says that a Local Network Access block is the user's, not the server's.
#[test]
fn the_help_says_that_no_header_lifts_a_local_network_access_block() {
    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["probe", "--help"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let help = String::from_utf8_lossy(&output.stdout);
    for words in [
        "Local Network Access",
        "No server header can lift that block",
        "allow_private_network only answers those legacy preflights",
    ] {
        assert!(help.contains(words), "{words:?} missing from:\n{help}");
    }
}

/// Against a real example server with the default policy, in both directions.
#[test]
fn the_example_server_is_explained_too() {
    // Another package's binary: build it (a no-op when it is up to date).
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let built = Command::new(cargo)
        .args(["build", "--quiet", "-p", "example-axum"])
        .status()
        .unwrap();
    assert!(built.success(), "cannot build example-axum");
    let binary = std::path::Path::new(env!("CARGO_BIN_EXE_xtask")).with_file_name("example-axum");
    let mut server = Command::new(&binary)
        .args(["--addr", "127.0.0.1:0"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut ready = String::new();
    BufReader::new(server.stdout.take().unwrap())
        .read_line(&mut ready)
        .unwrap();
    let addr: SocketAddr = ready
        .trim()
        .trim_start_matches("listening on http://")
        .parse()
        .unwrap();
    let (allowed, out) = probe(
        addr,
        &[
            "--method",
            "PUT",
            "--header",
            "content-type:application/json",
            "--read-header",
            "x-request-id",
        ],
    );
    assert!(allowed, "{out}");
    let (allowed, out) = probe(addr, &["--method", "PATCH"]);
    assert!(
        !allowed && out.contains("allow_methods lists \"PATCH\""),
        "{out}"
    );
    let _ = server.kill();
    let _ = server.wait();
}
