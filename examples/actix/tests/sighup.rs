//! The server reloads its policy file on SIGHUP, and keeps the old policy when the new
//! file is invalid (the check itself is in `example_support::sighup_check`).

#[cfg(unix)]
#[test]
fn sighup_reloads_the_policy_and_refuses_an_invalid_file() {
    example_support::sighup_check::run(env!("CARGO_BIN_EXE_example-actix"));
}
