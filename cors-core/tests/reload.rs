//! Replacing the policy while requests are decided: none is lost, none sees half of
//! two policies.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;

use cors_core::{Policy, SharedPolicy};

use cors_core::adapter::{Action, HeaderList, RequestView};

const ORIGIN: &[u8] = b"https://app.example.com";

/// Two policies that differ in every header a preflight answer carries.
fn policies() -> [Arc<Policy>; 2] {
    let build = |methods: [&str; 2], header: &str, age: u64| {
        Arc::new(
            Policy::builder()
                .allow_origins(["https://app.example.com"])
                .allow_methods(methods)
                .allow_headers([header])
                .max_age(age)
                .build()
                .unwrap(),
        )
    };
    [
        build(["PUT", "DELETE"], "x-a", 100),
        build(["PATCH", "PUT"], "x-b", 200),
    ]
}

/// The preflight's answer as (methods, headers, max age).
fn answer(policy: &Policy) -> (Vec<u8>, Vec<u8>, Vec<u8>) {
    let request = RequestView::new("OPTIONS")
        .origin([ORIGIN])
        .request_method([&b"PUT"[..]])
        .request_headers([&b""[..]]);
    let Action::Respond(preflight) = policy.decide(&request).into_action() else {
        panic!("not answered as a preflight");
    };
    assert_eq!(preflight.status(), 204);
    let mut headers = HeaderList::new(ORIGIN);
    preflight.write_to(&mut headers);
    let get = |name| {
        headers
            .get_all(name)
            .next()
            .map(<[u8]>::to_vec)
            .unwrap_or_default()
    };
    (
        get("access-control-allow-methods"),
        get("access-control-allow-headers"),
        get("access-control-max-age"),
    )
}

#[test]
fn a_reload_under_load_loses_no_request_and_mixes_no_policies() {
    let candidates = policies();
    let expected = [answer(&candidates[0]), answer(&candidates[1])];
    let shared = SharedPolicy::new(Arc::clone(&candidates[0]));
    let stop = Arc::new(AtomicBool::new(false));
    let swapper = {
        let (shared, stop, candidates) = (shared.clone(), Arc::clone(&stop), candidates.clone());
        thread::spawn(move || {
            let mut swaps = 0u32;
            while !stop.load(Ordering::Relaxed) {
                shared.replace(Arc::clone(&candidates[(swaps % 2) as usize]));
                swaps += 1;
            }
            swaps
        })
    };
    let deciders: Vec<_> = (0..4)
        .map(|_| {
            let (shared, expected) = (shared.clone(), expected.clone());
            thread::spawn(move || {
                let mut seen = [0u32; 2];
                for _ in 0..20_000 {
                    let got = answer(&shared.load());
                    let which = expected
                        .iter()
                        .position(|e| *e == got)
                        .expect("a mix of two policies");
                    seen[which] += 1;
                }
                seen
            })
        })
        .collect();
    let mut seen = [0u32; 2];
    for decider in deciders {
        let counts = decider.join().expect("a decider panicked");
        seen[0] += counts[0];
        seen[1] += counts[1];
    }
    stop.store(true, Ordering::Relaxed);
    let swaps = swapper.join().unwrap();
    assert_eq!(seen[0] + seen[1], 80_000, "every request was answered");
    assert!(swaps > 0);
    println!(
        "{swaps} swaps; answers from policy A: {}, from policy B: {}",
        seen[0], seen[1]
    );
}
