//! With `--watch`, the server reloads its policy file when the file changes, no signal
//! needed, and keeps the old policy when the new file is invalid (the check itself is in
//! `example_support::reload_check`).

use example_support::reload_check::{run, Trigger};

#[test]
fn a_changed_file_is_reloaded_and_an_invalid_one_refused() {
    run(env!("CARGO_BIN_EXE_example-rocket"), Trigger::FileChange);
}
