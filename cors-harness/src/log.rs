//! Capture what the adapters log, to check that refusals are logged with their reason:
//! [`refusals_are_logged`], run [`alone_in_process`].

use std::io::Write;
use std::process::Command;
use std::sync::{Arc, Mutex};

use cors_core::Policy;
use tracing_subscriber::filter::LevelFilter;

use crate::adapter::{exchange, AdapterUnderTest, Request, Routes};

/// The refusals of the logging test: the reason each is logged with, and the request.
fn refusals() -> [(&'static str, Request); 2] {
    let app = "https://app.example.com";
    let evil = "https://evil.example.net";
    [
        (
            "method `PATCH` is not in allow_methods",
            Request::new("OPTIONS", "/api/items")
                .header("origin", app)
                .header("access-control-request-method", "PATCH"),
        ),
        (
            "origin `https://evil.example.net` is not in allow_origins",
            Request::new("GET", "/api/items").header("origin", evil),
        ),
    ]
}

/// Sends a refused preflight and a refused actual request through `A`'s middleware
/// around the example app, and checks that each refusal is logged at debug level with
/// the message, its reason, and the fields every adapter logs (target `cors`;
/// `refusal`, `method`, `path`, `origin`), once.
///
/// Installs the process's global subscriber (some frameworks poll requests on threads
/// of their own, and tracing caches per call site whether any subscriber wants it): run
/// it [`alone_in_process`].
pub async fn refusals_are_logged<A: AdapterUnderTest>() {
    let log = Log::default();
    tracing::subscriber::set_global_default(log.subscriber())
        .expect("the first global subscriber of this process");

    let policy = Policy::from_toml_str(r#"allow_origins = ["https://app.example.com"]"#);
    let cors = A::middleware(policy.expect("a valid policy"));
    let app = A::app(cors, Routes::Example).await.expect("the app starts");
    for (_, request) in refusals() {
        exchange::<A>(&app, &request).await;
    }

    let text = log.text();
    print!("{text}");
    for (reason, request) in refusals() {
        let logged: Vec<&str> = text
            .lines()
            .filter(|line| line.contains("CORS request refused") && line.contains(reason))
            .collect();
        let [line] = logged[..] else {
            panic!("the refusal `{reason}` of {request:?} is not logged once:\n{text}");
        };
        // One event for every framework: target `cors`, the same fields.
        let fields = [
            " DEBUG ", " cors: ", "refusal=", "method=", "path=", "origin=",
        ];
        for expected in fields {
            assert!(line.contains(expected), "no `{expected}` in: {line}");
        }
    }
}

/// The environment variable that tells a test binary it runs one test alone.
const ALONE: &str = "CORS_HARNESS_ALONE";

/// Runs `test` (called `name`, in the module `module_path`) alone in a process of its
/// own: this test binary again, asked for that one test. Tests that install a global
/// subscriber, or that tracing's process-wide caches would make flaky beside other
/// tests, keep their own binary this way while sharing one file with them.
pub fn alone_in_process(module_path: &str, name: &str, test: impl FnOnce()) {
    // libtest names a test by its path without the crate's name.
    let path = match module_path.split_once("::") {
        Some((_, module)) => format!("{module}::{name}"),
        None => name.to_owned(),
    };
    if std::env::var_os(ALONE).is_some_and(|alone| alone == path.as_str()) {
        return test();
    }
    let binary = std::env::current_exe().expect("the path of this test binary");
    let output = Command::new(binary)
        .args([path.as_str(), "--exact", "--nocapture", "--test-threads=1"])
        .env(ALONE, &path)
        .output()
        .expect("this test binary runs again");
    let stdout = String::from_utf8_lossy(&output.stdout);
    print!("{stdout}");
    eprint!("{}", String::from_utf8_lossy(&output.stderr));
    assert!(
        output.status.success(),
        "`{path}` failed in its own process"
    );
    let ran = stdout.contains("test result: ok. 1 passed;");
    assert!(ran, "`{path}` did not run in its own process");
}

/// An in-memory log: clones share the same buffer.
#[derive(Clone, Default)]
pub struct Log(Arc<Mutex<Vec<u8>>>);

impl Log {
    /// A subscriber that writes every event at debug level and above into this log,
    /// without colours. Install it with `tracing::subscriber::set_default` (the test's
    /// thread) or `set_global_default` (when the framework polls requests elsewhere).
    pub fn subscriber(&self) -> impl tracing::Subscriber + Send + Sync {
        let writer = self.clone();
        tracing_subscriber::fmt()
            .with_max_level(LevelFilter::DEBUG)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish()
    }

    /// What was written so far.
    pub fn text(&self) -> String {
        let bytes = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

impl Write for Log {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let mut buffer = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        buffer.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
