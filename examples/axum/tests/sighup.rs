//! The server reloads its policy file on SIGHUP, and keeps the old policy when the new
//! file is invalid (the check itself is in `example_support::sighup_check`).

#[cfg(unix)]
#[test]
fn sighup_reloads_the_policy_and_refuses_an_invalid_file() {
    let binary = std::path::Path::new(env!("CARGO_BIN_EXE_example-axum"));
    let report = example_support::sighup_check::run(binary);
    println!(
        "reload seen after {:?}; server stderr:\n{}",
        report.reload_took, report.stderr
    );
}
