//! Proves that deciding and writing headers allocates nothing, for allowed and refused
//! requests alike. A counting global allocator needs its own test binary.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use cors_core::Policy;

use cors_core::adapter::{Action, CorsHeader, RequestView, ResponseHeaders, Value};

struct Counting;

thread_local! {
    // Const-initialised, so reading it never allocates.
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|n| n.set(n.get() + 1));
        System.alloc(layout)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.with(|n| n.set(n.get() + 1));
        System.realloc(ptr, layout, new_size)
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations_in(f: impl FnOnce()) -> usize {
    let before = ALLOCATIONS.with(Cell::get);
    f();
    ALLOCATIONS.with(Cell::get) - before
}

/// A sink that stores nothing, so that only the core's own allocations are counted.
#[derive(Default)]
struct Sink {
    written: usize,
}

impl ResponseHeaders<'_> for Sink {
    fn set(&mut self, _: CorsHeader, value: Value<'_>) {
        self.written += value.as_bytes(b"").len().min(1);
    }
    fn append(&mut self, name: CorsHeader, value: Value<'_>) {
        self.set(name, value);
    }
    fn remove(&mut self, _: CorsHeader) {}
    fn vary_values(&self) -> impl Iterator<Item = &[u8]> {
        [&b"accept-encoding"[..]].into_iter()
    }
}

/// Decides and writes the headers, returning how many were written.
fn run(policy: &Policy, request: &RequestView<'_>) -> usize {
    let mut sink = Sink::default();
    match policy.decide(request).into_action() {
        Action::Respond(preflight) => preflight.write_to(&mut sink),
        Action::Forward(actual) => actual.write_to(policy, &mut sink),
    }
    sink.written
}

fn policy(credentials: bool) -> Policy {
    Policy::builder()
        .allow_origins([
            "https://app.example.com",
            "https://*.example.org",
            "http://localhost:*",
        ])
        .allow_origins((0..1000).map(|i| format!("https://site{i}.example.net")))
        .allow_methods(["GET", "PUT", "DELETE"])
        .allow_headers(["content-type", "authorization", "x-api-key"])
        .expose_headers(["x-request-id"])
        .allow_credentials(credentials)
        .max_age(600)
        .build()
        .unwrap()
}

fn requests() -> Vec<(&'static str, RequestView<'static>)> {
    let commas: &'static [u8] = Box::leak(vec![b','; 1024].into_boxed_slice());
    let names: &'static [u8] = Box::leak("x-api-key,".repeat(6600).into_bytes().into_boxed_slice());
    vec![
        (
            "allowed actual",
            RequestView::new("GET").origin([&b"https://app.example.com"[..]]),
        ),
        (
            "allowed by pattern",
            RequestView::new("GET").origin([&b"https://a.b.example.org"[..]]),
        ),
        (
            "allowed in a long list",
            RequestView::new("GET").origin([&b"https://site999.example.net"[..]]),
        ),
        (
            "refused actual",
            RequestView::new("GET").origin([&b"https://evil.example"[..]]),
        ),
        ("not cors", RequestView::new("GET")),
        (
            "allowed preflight",
            RequestView::new("OPTIONS")
                .origin([&b"https://app.example.com"[..]])
                .request_method([&b"PUT"[..]])
                .request_headers([&b"authorization,content-type,x-api-key"[..]]),
        ),
        (
            "refused preflight",
            RequestView::new("OPTIONS")
                .origin([&b"https://app.example.com"[..]])
                .request_method([&b"PATCH"[..]]),
        ),
        (
            "1024 commas",
            RequestView::new("OPTIONS")
                .origin([&b"https://app.example.com"[..]])
                .request_method([&b"PUT"[..]])
                .request_headers([commas]),
        ),
        (
            "64 KiB of names",
            RequestView::new("OPTIONS")
                .origin([&b"http://localhost:3000"[..]])
                .request_method([&b"PUT"[..]])
                .request_headers([names]),
        ),
    ]
}

#[test]
fn deciding_allocates_nothing() {
    for credentials in [false, true] {
        let policy = policy(credentials);
        for (name, request) in requests() {
            let mut written = 0;
            let count = allocations_in(|| written = run(&policy, &request));
            assert_eq!(
                count, 0,
                "{name} (credentials: {credentials}) allocated {count} times"
            );
            assert!(
                written > 0,
                "{name}: no header written, so nothing was measured"
            );
        }
    }
}

#[test]
fn deciding_with_a_wildcard_policy_allocates_nothing() {
    let policy = Policy::builder()
        .allow_any_origin()
        .allow_any_method()
        .allow_headers(["*", "authorization"])
        .expose_headers(["*"])
        .build()
        .unwrap();
    for (name, request) in requests() {
        let count = allocations_in(|| {
            run(&policy, &request);
        });
        assert_eq!(count, 0, "{name} allocated {count} times");
    }
}

/// Keeps each policy value in an adapter's own type (here a `String`), prepared once.
struct PreparingSink {
    prepared: usize,
}

impl<'v> ResponseHeaders<'v> for PreparingSink {
    fn set(&mut self, _: CorsHeader, value: Value<'v>) {
        if let Value::Shared(value) = value {
            let text = value.prepared(|bytes| String::from_utf8_lossy(bytes).into_owned());
            assert_eq!(text.map(String::as_bytes), Some(value.as_bytes()));
            self.prepared += 1;
        }
    }
    fn append(&mut self, name: CorsHeader, value: Value<'v>) {
        self.set(name, value);
    }
    fn remove(&mut self, _: CorsHeader) {}
    fn vary_values(&self) -> impl Iterator<Item = &[u8]> {
        std::iter::empty()
    }
}

#[test]
fn prepared_values_allocate_on_first_use_only() {
    let policy = policy(false);
    let requests = requests();
    let write_all = || {
        let mut sink = PreparingSink { prepared: 0 };
        for (_, request) in &requests {
            match policy.decide(request).into_action() {
                Action::Respond(preflight) => preflight.write_to(&mut sink),
                Action::Forward(actual) => actual.write_to(&policy, &mut sink),
            }
        }
        sink.prepared
    };
    let mut prepared = 0;
    let first = allocations_in(|| prepared = write_all());
    assert!(prepared > 0, "no policy value was written");
    assert!(first > 0, "preparing the values allocated nothing");
    let second = allocations_in(|| prepared = write_all());
    assert_eq!(
        second, 0,
        "{prepared} prepared values allocated {second} times on reuse"
    );
}
