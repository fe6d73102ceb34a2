//! The committed public-suffix table of cors-core is the one the list of the locked `psl`
//! gives, so the two answers the guard combines never come from different lists.

use std::process::Command;

#[test]
fn the_committed_table_is_generated_from_the_locked_list() {
    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["public-suffix-table", "--check"])
        .output()
        .expect("xtask runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
