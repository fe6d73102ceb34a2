//! The cost of one decision, headers written, for the request shapes that matter:
//! allowed and refused, actual and preflight, long origin lists, patterns, and the
//! adversarial `Access-Control-Request-Headers` values. Also prints the heap allocations
//! of each (expected: zero).

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};

use cors_core::Policy;

use cors_core::adapter::{Action, CorsHeader, RequestView, ResponseHeaders, Value};
use criterion::{criterion_group, criterion_main, Criterion};

struct Counting;
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        System.alloc(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Writes nothing anywhere, so only the engine is measured.
struct Sink(usize);

impl ResponseHeaders<'_> for Sink {
    fn set(&mut self, name: CorsHeader, value: Value<'_>) {
        self.0 += name.as_str().len() + value.as_bytes(b"").len();
    }
    fn append(&mut self, name: CorsHeader, value: Value<'_>) {
        self.set(name, value)
    }
    fn remove(&mut self, _: CorsHeader) {}
    fn vary_values(&self) -> impl Iterator<Item = &[u8]> {
        std::iter::empty()
    }
}

// Never inlined: `cargo xtask bench --decisions` counts this function's instructions per
// call under callgrind.
#[inline(never)]
fn decide_and_write(policy: &Policy, request: &RequestView<'_>) -> usize {
    let mut sink = Sink(0);
    match policy.decide(request).into_action() {
        Action::Respond(preflight) => preflight.write_to(&mut sink),
        Action::Forward(actual) => actual.write_to(policy, &mut sink),
    }
    sink.0
}

fn policy() -> Policy {
    Policy::builder()
        .allow_origins(["https://app.example.com", "https://*.example.org"])
        .allow_methods(["GET", "POST", "PUT", "DELETE"])
        .allow_headers(["authorization", "content-type", "x-api-key", "x-request-id"])
        .expose_headers(["x-request-id"])
        .max_age(600)
        .build()
        .expect("valid policy")
}

fn thousand_origins() -> Policy {
    Policy::builder()
        .allow_origins((0..1000).map(|i| format!("https://tenant{i}.example.net")))
        .build()
        .expect("valid policy")
}

fn bench(c: &mut Criterion) {
    let policy = policy();
    let thousand = thousand_origins();
    let commas = vec![b','; 1024];
    let names = "x-api-key,".repeat(64 * 1024 / 10).into_bytes();
    let app: &[u8] = b"https://app.example.com";
    let put: &[u8] = b"PUT";
    let cases: Vec<(&str, &Policy, RequestView<'_>)> = vec![
        (
            "actual allowed",
            &policy,
            RequestView::new("GET").origin([app]),
        ),
        (
            "actual refused",
            &policy,
            RequestView::new("GET").origin([&b"https://evil.example"[..]]),
        ),
        (
            "actual allowed, subdomain pattern",
            &policy,
            RequestView::new("GET").origin([&b"https://a.b.example.org"[..]]),
        ),
        (
            "actual allowed, 1000 exact origins",
            &thousand,
            RequestView::new("GET").origin([&b"https://tenant777.example.net"[..]]),
        ),
        (
            "actual refused, 1000 exact origins",
            &thousand,
            RequestView::new("GET").origin([&b"https://tenant7777.example.net"[..]]),
        ),
        (
            "preflight allowed, 3 headers",
            &policy,
            RequestView::new("OPTIONS")
                .origin([app])
                .request_method([put])
                .request_headers([&b"authorization,content-type,x-api-key"[..]]),
        ),
        (
            "preflight refused, method",
            &policy,
            RequestView::new("OPTIONS")
                .origin([app])
                .request_method([&b"PATCH"[..]]),
        ),
        (
            "preflight refused, origin",
            &policy,
            RequestView::new("OPTIONS")
                .origin([&b"https://evil.example"[..]])
                .request_method([put]),
        ),
        (
            "preflight adversarial, 1024 commas",
            &policy,
            RequestView::new("OPTIONS")
                .origin([app])
                .request_method([put])
                .request_headers([commas.as_slice()]),
        ),
        (
            "preflight adversarial, 64 KiB of names",
            &policy,
            RequestView::new("OPTIONS")
                .origin([app])
                .request_method([put])
                .request_headers([names.as_slice()]),
        ),
    ];
    measure(c, "decision", &cases);
}

/// The same decisions under a policy of one origin or one pattern and under a policy of
/// 10 000 exact origins and 10 000 subdomain patterns: the index makes them cost the
/// same (BENCHMARKS.md, "Many tenants").
fn tenants(c: &mut Criterion) {
    let one_origin = Policy::builder()
        .allow_origins(["https://t5000.example.com"])
        .build()
        .expect("valid policy");
    let one_pattern = Policy::builder()
        .allow_origins(["https://*.t7777.example.com"])
        .build()
        .expect("valid policy");
    let exact = (0..10_000).map(|i| format!("https://t{i}.example.com"));
    let patterns = (0..10_000).map(|i| format!("https://*.t{i}.example.com"));
    let many = Policy::builder()
        .allow_origins(exact.chain(patterns))
        .build()
        .expect("valid policy");
    let listed: &[u8] = b"https://t5000.example.com";
    let by_pattern: &[u8] = b"https://app.t7777.example.com";
    let nobody: &[u8] = b"https://www.nobody.example.com";
    let get = |origin| RequestView::new("GET").origin([origin]);
    let cases: Vec<(&str, &Policy, RequestView<'_>)> = vec![
        ("one origin, allowed", &one_origin, get(listed)),
        ("one origin, refused", &one_origin, get(nobody)),
        ("one pattern, allowed", &one_pattern, get(by_pattern)),
        ("one pattern, refused", &one_pattern, get(nobody)),
        (
            "10k origins + 10k patterns, allowed exact",
            &many,
            get(listed),
        ),
        (
            "10k origins + 10k patterns, allowed by pattern",
            &many,
            get(by_pattern),
        ),
        ("10k origins + 10k patterns, refused", &many, get(nobody)),
    ];
    measure(c, "tenants", &cases);
}

/// Benchmarks each case in one group, after printing its allocations per decision.
fn measure(c: &mut Criterion, group: &str, cases: &[(&str, &Policy, RequestView<'_>)]) {
    let mut group = c.benchmark_group(group);
    for (name, policy, request) in cases {
        let before = ALLOCATIONS.load(Ordering::Relaxed);
        black_box(decide_and_write(policy, request));
        let allocations = ALLOCATIONS.load(Ordering::Relaxed) - before;
        println!("allocations per decision, {name}: {allocations}");
        group.bench_function(*name, |b| {
            b.iter(|| decide_and_write(black_box(policy), black_box(request)))
        });
    }
    group.finish();
}

criterion_group!(benches, bench, tenants);
criterion_main!(benches);
