//! What the comparison servers (`reference-<framework>`, for `cargo xtask conformance
//! --reference` and `cargo xtask bench`) share: each configures its framework's own CORS
//! middleware from the same policy file, or says it cannot.

use std::panic::{self, AssertUnwindSafe};
use std::path::Path;
use std::process::exit;

use cors_core::PolicyConfig;

/// The exit status of a comparison server whose middleware cannot express the policy.
pub const CANNOT_EXPRESS: i32 = 3;

/// Parses the policy file without validating it with our engine, so that the peer gets
/// every policy, even one ours refuses; exits with status 2 when it cannot be read.
pub fn load_config_or_exit(path: &Path) -> PolicyConfig {
    PolicyConfig::from_path(path).unwrap_or_else(|error| {
        eprintln!("error: {error}");
        exit(2);
    })
}

/// Says why on stderr (`cannot express: ...`) and exits with [`CANNOT_EXPRESS`], before
/// listening.
pub fn cannot_express(why: &str) -> ! {
    eprintln!("cannot express: {why}");
    exit(CANNOT_EXPRESS);
}

/// Whether a list of the policy file is the wildcard `*` (or holds it).
pub fn has_star(list: &[String]) -> bool {
    list.iter().any(|entry| entry == "*")
}

/// Runs `build`, turning a panic into its message (and keeping it off stderr): some
/// middlewares check their configuration with asserts.
pub fn catch_panic<T>(build: impl FnOnce() -> T) -> Result<T, String> {
    panic::set_hook(Box::new(|_| {}));
    let result = panic::catch_unwind(AssertUnwindSafe(build));
    let _ = panic::take_hook();
    result.map_err(|payload| {
        let text = payload.downcast_ref::<&str>().map(|s| s.to_string());
        text.or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_default()
    })
}
