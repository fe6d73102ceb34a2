//! The server reloads its policy file on SIGHUP, and keeps the old policy when the new
//! file is invalid (the check itself is in `example_support::reload_check`).

#[cfg(unix)]
#[test]
fn sighup_reloads_the_policy_and_refuses_an_invalid_file() {
    use example_support::reload_check::{run, Trigger};
    run(env!("CARGO_BIN_EXE_example-actix"), Trigger::Sighup);
}
