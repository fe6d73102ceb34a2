//! `cargo xtask check-policy` over real files, as users run it in their CI.

use std::path::PathBuf;
use std::process::Command;

fn check(files: &[PathBuf]) -> (bool, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("check-policy")
        .args(files)
        .output()
        .expect("xtask runs");
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (
        output.status.success(),
        text(&output.stdout),
        text(&output.stderr),
    )
}

fn write(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("xtask-check-policy-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn the_example_policy_is_described_in_plain_words() {
    let policy = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/policy.toml"
    ));
    let (ok, stdout, stderr) = check(&[policy]);
    assert!(ok);
    assert!(stdout.contains("policy.toml: ok"), "{stdout}");
    assert!(!stderr.contains("warning:"), "{stderr}");
    assert!(
        stdout.contains("any subdomain of example.com over https"),
        "{stdout}"
    );
    assert!(
        stdout.contains("Vary on every response: origin"),
        "{stdout}"
    );
}

#[test]
fn every_problem_of_every_file_is_listed_and_the_exit_status_fails() {
    let good = write(
        "good.json",
        r#"{"allow_origins": ["https://app.example.com"]}"#,
    );
    let bad = write(
        "bad.toml",
        "allow_origins = [\"*\"]\nallow_credentials = true\nmax_age = 90000\n",
    );
    let unparsable = write("typo.toml", "allow_credentials = \"yes\"\n");
    let (ok, stdout, stderr) = check(&[good, bad, unparsable]);
    assert!(!ok);
    assert!(stdout.contains("good.json: ok"), "{stdout}");
    assert!(stderr.contains("bad.toml: 2 problems"), "{stderr}");
    assert!(
        stderr.contains("allow_origins[0]: \"*\" cannot be used with allow_credentials = true"),
        "{stderr}"
    );
    assert!(
        stderr.contains("max_age: 90000 is more than 86400"),
        "{stderr}"
    );
    assert!(
        stderr
            .contains("allow_credentials: expected a boolean, found the string \"yes\" at line 1"),
        "{stderr}"
    );
    assert!(
        stderr.contains("2 of 3 policy files have problems"),
        "{stderr}"
    );
}

#[test]
fn a_star_without_authorization_gets_a_warning() {
    let star = write(
        "star.toml",
        "allow_origins = [\"*\"]\nallow_headers = [\"*\", \"x-api-key\"]\n",
    );
    let listed = write(
        "star-and-authorization.json",
        r#"{"allow_origins": ["*"], "allow_headers": ["*", "Authorization"]}"#,
    );
    let (ok, _, stderr) = check(&[star, listed]);
    assert!(ok, "a warning is not a problem: {stderr}");
    assert!(
        stderr.contains(
            "star.toml: warning: allow_headers: `*` does not cover `authorization` (Fetch Standard); list it if your front end sends it"
        ),
        "{stderr}"
    );
    assert!(
        !stderr.contains("star-and-authorization.json: warning"),
        "{stderr}"
    );
}

#[test]
fn a_max_age_above_chromiums_cap_gets_a_warning() {
    let day = write("day.toml", "max_age = 86400\n");
    let two_hours = write("two-hours.toml", "max_age = 7200\n");
    let (ok, _, stderr) = check(&[day, two_hours]);
    assert!(ok, "a warning is not a problem: {stderr}");
    assert!(
        stderr.contains(
            "day.toml: warning: max_age: 86400 is more than 7200 seconds (two hours), the longest Chromium caches a preflight; only Firefox (up to 86400) keeps it longer"
        ),
        "{stderr}"
    );
    assert!(!stderr.contains("two-hours.toml: warning"), "{stderr}");
}

#[test]
fn patterns_over_domains_others_can_name_under_are_refused_with_credentials() {
    let shared = write(
        "shared.toml",
        "allow_origins = [\"https://*.np\", \"https://*.amazonaws.com\"]\nallow_credentials = true\n",
    );
    let (ok, _, stderr) = check(&[shared]);
    assert!(!ok);
    assert!(stderr.contains("shared.toml: 2 problems"), "{stderr}");
    assert!(
        stderr.contains("allow_origins[0]: \"https://*.np\" matches every site under `np`, whose subdomains are public suffixes (rule `*.np` of the Public Suffix List), where anyone can register a name; that cannot be used with allow_credentials = true"),
        "{stderr}"
    );
    assert!(
        stderr.contains("allow_origins[1]: \"https://*.amazonaws.com\" matches every site under `amazonaws.com`, which has public suffixes under it (such as `s3.amazonaws.com`), where anyone can register a name; that cannot be used with allow_credentials = true"),
        "{stderr}"
    );
}
