//! The installed command, as users run it in CI: exit codes, JSON output, and clear
//! errors when it cannot do its job.

use std::path::PathBuf;
use std::process::{Command, Output};

fn doctor(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cors-doctor"))
        .args(args)
        .output()
        .expect("cors-doctor runs")
}

fn write(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cors-doctor-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn check_reports_problems_as_json_and_warnings_fail_only_when_denied() {
    let bad = write(
        "bad.toml",
        "allow_origins = [\"https://app.example.com/\"]\nmax_age = 100000\n",
    );
    let output = doctor(&["check", "--format", "json", bad.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let problems = report[0]["problems"].as_array().unwrap();
    assert_eq!(report[0]["valid"], false);
    assert!(
        problems.iter().any(|p| p["field"] == "allow_origins[0]"),
        "{report}"
    );
    assert!(problems.iter().any(|p| p["field"] == "max_age"), "{report}");

    let day = write(
        "day.toml",
        "allow_origins = [\"https://app.example.com\"]\nmax_age = 86400\n",
    );
    let day = day.to_str().unwrap();
    assert_eq!(doctor(&["check", day]).status.code(), Some(0));
    let denied = doctor(&["check", "--deny-warnings", day]);
    assert_eq!(denied.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&denied.stderr);
    assert!(
        stderr.contains("warning: max_age: 86400 is more than 7200 seconds"),
        "{stderr}"
    );
}

#[test]
fn check_explains_a_valid_policy_in_plain_words() {
    let policy = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/policy.toml");
    let output = doctor(&["check", "--explain", policy]);
    assert!(output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("any subdomain of example.com over https"),
        "{stdout}"
    );
}

#[test]
fn test_says_when_the_server_cannot_be_reached_or_the_policy_is_wrong() {
    let policy = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/policy.toml");
    // A port nothing listens on: bind one, then let it go.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let output = doctor(&["test", &url, "--policy", policy]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("connect"), "{stderr}");

    let bad = write(
        "test-bad.toml",
        "allow_origins = [\"*\"]\nallow_credentials = true\n",
    );
    let output = doctor(&[
        "test",
        &url,
        "--policy",
        bad.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(2));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(
        report["error"]
            .as_str()
            .unwrap()
            .contains("allow_credentials"),
        "{report}"
    );
}

#[test]
fn test_names_a_tls_failure() {
    // A server that speaks plain text where the URL says https.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            use std::io::Write;
            let mut stream = stream;
            let _ = stream.write_all(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n");
        }
    });
    let policy = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/policy.toml");
    let url = format!("https://127.0.0.1:{port}");
    let output = doctor(&["test", &url, "--policy", policy, "--timeout", "5"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("TLS"), "{stderr}");
}

#[test]
fn test_refuses_a_bad_url_path_or_timeout_before_sending_anything() {
    let policy = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/policy.toml");
    let cases: [(&[&str], &str); 3] = [
        (
            &["test", "localhost:8080", "--policy", policy],
            "must start with http:// or https://",
        ),
        (
            &[
                "test",
                "http://127.0.0.1:1",
                "--policy",
                policy,
                "--path",
                "api",
            ],
            "path \"api\" must start with /",
        ),
        (
            &[
                "test",
                "http://127.0.0.1:1",
                "--policy",
                policy,
                "--timeout",
                "0",
            ],
            "--timeout must be at least 1 second",
        ),
    ];
    for (args, said) in cases {
        let output = doctor(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(said), "{args:?}: {stderr}");
    }
}
