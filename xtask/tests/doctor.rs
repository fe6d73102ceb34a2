//! `cors-doctor test` on real servers: every example server honours the example policy,
//! and a server with a real-world defect is caught, with the header and the policy line
//! named.

use std::path::{Path, PathBuf};

use cors_bench::servers::{self, Server};
use cors_doctor::test::{self, Args, Report};
use cors_doctor::Format;

fn example_policy() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/policy.toml")
}

fn binary(name: &str) -> PathBuf {
    servers::target_dir().join("debug").join(name)
}

/// `cors-doctor test` against the server, on a route of the example app.
fn doctor(server: &Server, policy: &Path) -> Report {
    test::test(&Args {
        url: format!("http://{}", server.addr),
        policy: policy.to_owned(),
        paths: vec!["/".into(), "/api/items".into()],
        preflight_path: Some("/api/items/1".into()),
        rate: 1000.0,
        timeout: 10,
        format: Format::Json,
    })
    .expect("the test runs")
}

#[test]
fn every_example_server_honours_the_example_policy() {
    let ours: Vec<servers::Target> = servers::select(&[])
        .unwrap()
        .into_iter()
        .map(|(ours, _)| ours)
        .collect();
    servers::build(&ours, false).unwrap();
    for target in &ours {
        let server = Server::start(&binary(target.binary), &example_policy())
            .unwrap_or_else(|e| panic!("{}: {e:?}", target.column));
        let report = doctor(&server, &example_policy());
        assert!(
            report.probes >= 50,
            "{}: {} probes",
            target.column,
            report.probes
        );
        assert!(
            report.divergences.is_empty(),
            "{}: {:#?}",
            target.column,
            report.divergences
        );
    }
}

/// Each defect of `broken-server`, and what `cors-doctor test` must say about it: the
/// header at fault and the policy line.
const DEFECTS: [(&str, &[&str]); 8] = [
    ("no-vary", &["Vary does not name Origin", "allow_origins"]),
    ("reflect-any-origin", &["a browser allows this, which the policy does not (allow_origins does not list \"null\")", "access-control-allow-origin: null"]),
    ("star-with-credentials", &["a browser blocks this, which the policy allows", "`*`"]),
    ("preflight-without-methods", &["a browser blocks this, which the policy allows (allow_methods: \"PUT\")", "access-control-allow-methods"]),
    ("options-to-app", &["a browser blocks this, which the policy allows", "status"]),
    ("second-allow-origin", &["a browser blocks this, which the policy allows", "access-control-allow-origin"]),
    ("apex-allowed", &["a browser allows this, which the policy does not (allow_origins: \"https://*.example.com\")", "access-control-allow-origin: https://example.com"]),
    ("lookalike-allowed", &["a browser allows this, which the policy does not", "access-control-allow-origin: https://evilexample.com"]),
];

#[test]
fn every_defect_of_the_broken_server_is_named() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let built = std::process::Command::new(cargo)
        .args(["build", "--quiet", "-p", "example-broken"])
        .status()
        .unwrap();
    assert!(built.success());
    // An exact origin, a pattern, credentials, a method and a header to preflight, an
    // exposed header and a max age: every defect has something to break.
    let policy = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/broken/policy.toml");
    let broken = binary("broken-server");

    let correct = Server::start_with(&broken, &policy, &["--defect", "none"]).unwrap();
    let report = doctor(&correct, &policy);
    assert!(report.divergences.is_empty(), "{:#?}", report.divergences);

    for (defect, named) in DEFECTS {
        let server = Server::start_with(&broken, &policy, &["--defect", defect]).unwrap();
        let report = doctor(&server, &policy);
        let said: Vec<&String> = report
            .divergences
            .iter()
            .flat_map(|d| &d.problems)
            .collect();
        let found = said
            .iter()
            .any(|problem| named.iter().all(|part| problem.contains(part)));
        assert!(
            found,
            "{defect}: no divergence says {named:?}; said {said:#?}"
        );
    }
}
