//! `Access-Control-Request-Headers` against a few policies, with a reference model of
//! the whole check.
//!
//! Input: byte 0 picks the policy, byte 1 inflates the first line (repeated
//! `byte1 * 128` times when non-zero, at most to 64 KiB, to cross the 16 KiB limit),
//! the rest is split on `\n` into at most 10 lines (the 10th keeps any further
//! newlines).
//!
//! Invariants: no panic; the preflight is allowed exactly when the reference says so
//! (at most 8 lines, at most 16 KiB in all, at most 16 empty elements, at most 128
//! names, every non-empty trimmed element a token that the policy allows
//! case-insensitively, `*` never covering `authorization` unless it is listed); over
//! 16 KiB is always refused; every `Access-Control-Allow-Headers` value is a safe header
//! value; it is the policy's list, or `*` (`*, authorization`), or with credentials and
//! `*` an echo of the checked lines; none is written when no header was asked for.
#![no_main]

use std::sync::LazyLock;

use cors_core::{Policy, Refusal};

use cors_core::adapter::{Decision, HeaderList, RequestView};
use cors_core_fuzz::{
    is_safe_header_value, is_single_clean_line, names_any_header, trim_ows, RefHeaders,
};
use libfuzzer_sys::fuzz_target;

const ORIGIN: &[u8] = b"https://app.example.com";

struct Case {
    policy: Policy,
    allowed: RefHeaders,
    credentials: bool,
}

fn case(headers: &'static [&'static str], allowed: RefHeaders, credentials: bool) -> Case {
    let policy = Policy::builder()
        .allow_origins(["https://app.example.com"])
        .allow_headers(headers)
        .allow_credentials(credentials)
        .build()
        .expect("valid policy");
    Case {
        policy,
        allowed,
        credentials,
    }
}

static CASES: LazyLock<Vec<Case>> = LazyLock::new(|| {
    vec![
        case(
            &["Content-Type", "x-api-key", "X-Custom-Header", "x"],
            RefHeaders::List(&["content-type", "x-api-key", "x-custom-header", "x"]),
            false,
        ),
        case(
            &["*"],
            RefHeaders::Star {
                authorization: false,
            },
            false,
        ),
        case(
            &["*", "Authorization"],
            RefHeaders::Star {
                authorization: true,
            },
            false,
        ),
        case(
            &["*"],
            RefHeaders::Star {
                authorization: false,
            },
            true,
        ),
        case(
            &["authorization", "content-type", "x-a"],
            RefHeaders::List(&["authorization", "content-type", "x-a"]),
            true,
        ),
        case(&[], RefHeaders::List(&[]), false),
    ]
});

fuzz_target!(|data: &[u8]| {
    let [selector, inflate, rest @ ..] = data else {
        return;
    };
    let case = &CASES[*selector as usize % CASES.len()];
    let mut lines: Vec<Vec<u8>> = if rest.is_empty() {
        Vec::new()
    } else {
        rest.splitn(10, |&b| b == b'\n')
            .map(<[u8]>::to_vec)
            .collect()
    };
    if *inflate != 0 {
        if let Some(first) = lines.first_mut() {
            // Capped at 64 KiB, enough to cross the limit from a line of any length.
            let times = (*inflate as usize * 128).min(64 * 1024 / first.len().max(1));
            *first = first.repeat(times.max(1));
        }
    }
    let lines: Vec<&[u8]> = lines.iter().map(Vec::as_slice).collect();
    let total: usize = lines.iter().map(|l| l.len()).sum();

    let request = RequestView::new("OPTIONS")
        .origin([ORIGIN])
        .request_method([&b"GET"[..]])
        .request_headers(lines.iter().copied());
    let decision = case.policy.decide(&request);
    let expected = case.allowed.allows_lines(&lines);
    let allowed = matches!(decision, Decision::PreflightAllowed(_));
    assert!(
        matches!(
            decision,
            Decision::PreflightAllowed(_) | Decision::PreflightRefused(..)
        ),
        "a preflight decided as {}",
        decision.kind()
    );
    assert_eq!(
        allowed,
        expected,
        "core allowed: {allowed}, reference: {expected}, refusal: {:?}",
        decision.refusal()
    );
    if total > 16 * 1024 {
        assert!(!allowed, "{total} bytes of request headers were allowed");
        assert!(
            matches!(
                decision.refusal(),
                Some(
                    Refusal::RequestHeadersTooLong { .. }
                        | Refusal::TooManyRequestHeaderLines { .. }
                )
            ),
            "over 16 KiB refused for another reason: {:?}",
            decision.refusal()
        );
    }
    if let Some(refusal) = decision.refusal() {
        let text = refusal.to_string();
        assert!(!text.is_empty());
        assert!(is_single_clean_line(&text), "refusal {text:?}");
        assert!(text.len() < 1024, "refusal of {} bytes", text.len());
    }

    let mut headers = HeaderList::new(ORIGIN);
    if let cors_core::adapter::Action::Respond(preflight) = decision.into_action() {
        preflight.write_to(&mut headers);
    }
    let acah: Vec<&[u8]> = headers.get_all("access-control-allow-headers").collect();
    for value in &acah {
        assert!(
            is_safe_header_value(value),
            "unsafe ACAH {:?}",
            value.escape_ascii().to_string()
        );
    }
    if !allowed {
        assert!(acah.is_empty(), "a refused preflight wrote ACAH");
    }
    let names_any = names_any_header(&lines);
    if allowed && !names_any {
        assert!(
            acah.is_empty(),
            "ACAH written though no header was asked for"
        );
    }
    if allowed && names_any {
        match (&case.allowed, case.credentials) {
            // With credentials the wildcard is echoed: exactly the checked lines, in order
            // (a browser reads `*` there as a header literally named `*`).
            (RefHeaders::Star { .. }, true) => {
                assert_eq!(acah, lines, "with credentials ACAH must echo the request")
            }
            (RefHeaders::Star { authorization }, false) => {
                let want: &[u8] = if *authorization {
                    b"*, authorization"
                } else {
                    b"*"
                };
                assert_eq!(acah, [want]);
            }
            (RefHeaders::List(names), _) => {
                // One line naming the policy's (lower-cased) names, in any order.
                assert_eq!(acah.len(), 1, "{} ACAH lines", acah.len());
                let mut got: Vec<&[u8]> = acah[0].split(|&b| b == b',').map(trim_ows).collect();
                let mut want: Vec<&[u8]> = names.iter().map(|n| n.as_bytes()).collect();
                got.sort();
                want.sort();
                assert_eq!(got, want, "ACAH is not the policy's list");
            }
        }
    }
});
