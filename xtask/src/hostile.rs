//! `cargo xtask hostile`: requests no browser sends, over raw sockets, to every example
//! server. Each server must answer (or its framework refuse the request) without
//! crashing, without echoing attacker bytes into a response header, and stay
//! responsive: after every hostile request, an ordinary one is answered normally.

use std::process::ExitCode;
use std::time::Instant;

use cors_bench::raw::{self, line};
use cors_bench::servers::{self, Server};

/// The bytes that an injection attempt plants; none may come back in a header.
const MARKER: &str = "evil";

/// A policy that echoes as much as a policy can: credentials, so the origin is
/// echoed, and `*` headers and methods, so the requested ones are echoed too.
const POLICY: &str = r#"
allow_origins = ["https://app.example.com", "https://*.example.com"]
allow_methods = ["*"]
allow_headers = ["*"]
allow_credentials = true
"#;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Only these frameworks (axum, actix, rocket, warp).
    #[arg(long, value_name = "NAME")]
    framework: Vec<String>,
}

/// One hostile request: its name and its bytes after the request line's `Host`.
struct Attack {
    name: &'static str,
    method: &'static str,
    headers: Vec<u8>,
}

fn attacks() -> Vec<Attack> {
    let preflight = |headers: Vec<u8>| Attack {
        name: "",
        method: "OPTIONS",
        headers,
    };
    let origin = line("origin", b"https://app.example.com");
    let request_method = line("access-control-request-method", b"PUT");
    vec![
        Attack {
            name: "a 64 KiB Origin",
            ..preflight(
                [
                    line(
                        "origin",
                        format!("https://{}.example.com", "a".repeat(65536)).as_bytes(),
                    ),
                    request_method.clone(),
                ]
                .concat(),
            )
        },
        Attack {
            name: "an Origin of 10 000 labels",
            method: "GET",
            headers: line(
                "origin",
                format!("https://{}example.com", "a.".repeat(10_000)).as_bytes(),
            ),
        },
        Attack {
            name: "1 000 Origin headers",
            method: "GET",
            headers: origin.repeat(1000),
        },
        Attack {
            name: "a 1 MiB Access-Control-Request-Headers",
            ..preflight(
                [
                    origin.clone(),
                    request_method.clone(),
                    line(
                        "access-control-request-headers",
                        "x-a,".repeat(262_144).as_bytes(),
                    ),
                ]
                .concat(),
            )
        },
        Attack {
            name: "5 000 Access-Control-Request-Headers lines",
            ..preflight(
                [
                    origin.clone(),
                    request_method.clone(),
                    line("access-control-request-headers", b"x-a").repeat(5000),
                ]
                .concat(),
            )
        },
        Attack {
            name: "100 000 commas",
            ..preflight(
                [
                    origin.clone(),
                    request_method.clone(),
                    line("access-control-request-headers", &[b','; 100_000]),
                ]
                .concat(),
            )
        },
        Attack {
            name: "an Origin that is not UTF-8",
            method: "GET",
            headers: line("origin", b"https://\xff\xfe.example.com"),
        },
        Attack {
            name: "a NUL byte in the Origin",
            method: "GET",
            headers: line("origin", b"https://a.example.com\0evil"),
        },
        Attack {
            name: "a bare CR in the Origin",
            method: "GET",
            headers: line("origin", b"https://a.example.com\rset-cookie: evil=1"),
        },
        Attack {
            name: "a folded (obs-fold) Origin",
            method: "GET",
            headers: [&b"origin: https://a.example.com\r\n evil: 1\r\n"[..]].concat(),
        },
        Attack {
            name: "CR LF in a requested header list",
            ..preflight(
                [
                    origin.clone(),
                    request_method.clone(),
                    line("access-control-request-headers", b"x-a\rset-cookie: evil=1"),
                ]
                .concat(),
            )
        },
        Attack {
            name: "a method of 8 KiB",
            method: "GET",
            headers: [
                origin.clone(),
                line("access-control-request-method", "E".repeat(8192).as_bytes()),
            ]
            .concat(),
        },
        Attack {
            name: "an echoed method with a space",
            ..preflight(
                [
                    origin.clone(),
                    line("access-control-request-method", b"PUT evil"),
                ]
                .concat(),
            )
        },
    ]
}

/// Runs every attack against every selected example server.
pub fn run(args: &Args) -> Result<ExitCode, String> {
    let pairs = servers::select(&args.framework)?;
    let targets: Vec<_> = pairs.into_iter().map(|(ours, _)| ours).collect();
    servers::stop_children_on_interrupt();
    servers::build(&targets, false)?;
    let policy = std::env::temp_dir().join(format!("cors-hostile-{}.toml", std::process::id()));
    std::fs::write(&policy, POLICY)
        .map_err(|e| format!("cannot write {}: {e}", policy.display()))?;
    let bin_dir = servers::target_dir().join("debug");
    let mut failures = 0;
    for target in &targets {
        println!("{}:", target.column);
        match Server::start(&bin_dir.join(target.binary), &policy) {
            Ok(mut server) => failures += attack_server(&mut server),
            Err(error) => {
                println!("  FAILED: the server did not start: {error:?}");
                failures += 1;
            }
        }
    }
    let _ = std::fs::remove_file(&policy);
    println!("\n{failures} failures");
    Ok(if failures == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn attack_server(server: &mut Server) -> usize {
    let mut failures = 0;
    for attack in attacks() {
        let started = Instant::now();
        let verdict = judge(server, &attack);
        let elapsed = started.elapsed().as_millis();
        match verdict {
            Ok(answer) => println!("  ok      {:<44} {answer} ({elapsed} ms)", attack.name),
            Err(why) => {
                failures += 1;
                println!("  FAILED  {:<44} {why}", attack.name);
            }
        }
    }
    failures
}

/// Sends the attack; checks what came back, that the server lives, and that it still
/// answers an ordinary request correctly.
fn judge(server: &mut Server, attack: &Attack) -> Result<String, String> {
    let request = raw::request(attack.method, "/api/items", server.addr, &attack.headers);
    let answer = match raw::exchange(server.addr, &request)? {
        Some(head) => describe(&head)?,
        None => "connection closed by the server".to_owned(),
    };
    if !server.is_running() {
        return Err("the server process died".into());
    }
    let origin = line("origin", b"https://app.example.com");
    let ordinary = raw::request("GET", "/api/items", server.addr, &origin);
    let head = raw::exchange(server.addr, &ordinary)?
        .ok_or("no answer to an ordinary request afterwards")?;
    let parsed = raw::Head::parse(&head)?;
    let allowed = parsed.header("access-control-allow-origin") == Some(b"https://app.example.com");
    if parsed.status != 200 || !allowed {
        let text = String::from_utf8_lossy(&head);
        return Err(format!(
            "an ordinary request afterwards was not answered normally: {}",
            first_line(&text)
        ));
    }
    Ok(answer)
}

/// What the server answered, or why that is wrong: a header that carries the marker
/// means attacker bytes were echoed.
fn describe(head: &[u8]) -> Result<String, String> {
    let text = String::from_utf8_lossy(head);
    for line in text.lines().skip(1) {
        let name = line
            .split(':')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        if line.to_ascii_lowercase().contains(MARKER) {
            return Err(format!(
                "attacker bytes echoed in a response header: {}",
                line.escape_debug()
            ));
        }
        if name.starts_with("access-control-allow-")
            && text.starts_with("HTTP/1.1 2")
            && line.len() > 4096
        {
            return Err(format!("an {name} of {} bytes", line.len()));
        }
    }
    Ok(first_line(&text).to_owned())
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn echoed_attacker_bytes_are_caught() {
        let echoed =
            b"HTTP/1.1 204 No Content\r\naccess-control-allow-headers: x-a\r\nset-cookie: evil=1";
        assert!(describe(echoed)
            .unwrap_err()
            .contains("attacker bytes echoed"));
        let clean = b"HTTP/1.1 403 Forbidden\r\nvary: origin";
        assert_eq!(describe(clean).unwrap(), "HTTP/1.1 403 Forbidden");
    }

    #[test]
    fn every_attack_is_named_and_has_headers() {
        for attack in attacks() {
            assert!(!attack.name.is_empty());
            assert!(attack.headers.ends_with(b"\r\n"), "{}", attack.name);
        }
    }
}
