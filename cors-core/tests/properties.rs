//! Property tests of the invariants a security reviewer cares about.

use cors_core::{Policy, PolicyConfig};

use cors_core::adapter::{Action, HeaderList, RequestView};
use proptest::prelude::*;

/// Decides and returns every header written, with the request's origin resolved.
fn respond(policy: &Policy, request: &RequestView<'_>, origin: &[u8]) -> HeaderList {
    let mut headers = HeaderList::new(origin);
    match policy.decide(request).into_action() {
        Action::Respond(preflight) => preflight.write_to(&mut headers),
        Action::Forward(actual) => actual.write_to(policy, &mut headers),
    }
    headers
}

const EXACT: [&str; 3] = [
    "https://app.example.com",
    "http://localhost:3000",
    "https://foo.com",
];
const DOMAIN: &str = "example.org";

fn pattern_policy() -> Policy {
    Policy::builder()
        .allow_origins(EXACT)
        .allow_origin(format!("https://*.{DOMAIN}"))
        .allow_credentials(true)
        .build()
        .unwrap()
}

/// The obviously-correct, slow reference: string operations on the whole origin.
fn reference_allows(origin: &str) -> bool {
    if EXACT.contains(&origin) {
        return true;
    }
    let Some(host) = origin.strip_prefix("https://") else {
        return false;
    };
    let Some(prefix) = host.strip_suffix(&format!(".{DOMAIN}")) else {
        return false;
    };
    !prefix.is_empty()
        && prefix.split('.').all(|label| {
            !label.is_empty()
                && label
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        })
}

/// One of these strings (proptest reads bare string literals as regexes).
fn pick(items: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop::sample::select(items).prop_map(String::from)
}

/// Origins that are near misses of the policy: look-alikes, other schemes, ports, case.
fn origin_strategy() -> impl Strategy<Value = String> {
    let scheme = pick(&["https", "http", "HTTPS", "wss"]);
    let label = pick(&[
        "app",
        "example",
        "org",
        "com",
        "foo",
        "bar",
        "evil-example",
        "a",
        "",
        "A",
        "x_y",
    ]);
    let labels = prop::collection::vec(label, 0..5);
    let port = prop_oneof![
        Just(String::new()),
        Just(":3000".to_string()),
        Just(":443".to_string()),
        Just(":".to_string())
    ];
    let tail = prop_oneof![Just(""), Just("/"), Just("."), Just("@x")];
    (scheme, labels, port, tail).prop_map(|(scheme, labels, port, tail)| {
        format!("{scheme}://{}{port}{tail}", labels.join("."))
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn only_origins_of_the_policy_are_ever_allowed(origin in origin_strategy()) {
        let policy = pattern_policy();
        for method in ["GET", "OPTIONS"] {
            let request = RequestView::new(method)
                .origin([origin.as_bytes()])
                .request_method([&b"GET"[..]]);
            let headers = respond(&policy, &request, origin.as_bytes());
            let acao: Vec<&[u8]> = headers.get_all("access-control-allow-origin").collect();
            if reference_allows(&origin) {
                prop_assert_eq!(acao, vec![origin.as_bytes()]);
            } else {
                prop_assert!(acao.is_empty(), "{} was allowed", origin);
            }
        }
    }

    #[test]
    fn subdomain_patterns_only_match_below_their_domain(prefix in "[a-z0-9.-]{0,12}", suffix in "[a-z.]{0,15}") {
        let origin = format!("https://{prefix}{suffix}");
        let policy = pattern_policy();
        let request = RequestView::new("GET").origin([origin.as_bytes()]);
        let allowed = policy.decide(&request).refusal().is_none();
        let host = &origin["https://".len()..];
        if allowed && !EXACT.contains(&origin.as_str()) {
            prop_assert!(host.ends_with(".example.org"), "{} matched", origin);
            prop_assert!(host.len() > ".example.org".len());
        }
    }

    #[test]
    fn a_wildcard_never_goes_out_with_credentials(
        origins in prop::collection::vec(pick(&["https://a.com", "https://*.b.com", "http://localhost:*", "null", "*"]), 0..4),
        methods in prop::collection::vec(pick(&["GET", "PUT", "*", "patch"]), 0..3),
        headers in prop::collection::vec(pick(&["x-a", "*", "authorization"]), 0..3),
        expose in prop::collection::vec(pick(&["x-b", "*"]), 0..2),
        request_origin in pick(&["https://a.com", "https://x.b.com", "http://localhost:1", "null", "https://z.org"]),
        request_method in pick(&["GET", "PUT", "*", "patch"]),
        request_headers in pick(&["", "x-a", "*", "authorization,x-a"]),
    ) {
        let config = PolicyConfig {
            allow_origins: origins,
            allow_methods: Some(methods),
            allow_headers: headers,
            expose_headers: expose,
            allow_credentials: true,
            ..PolicyConfig::default()
        };
        // Insecure combinations are refused at build time; the rest must never send `*`.
        let Ok(policy) = config.build() else { return Ok(()) };
        for method in ["OPTIONS", "GET"] {
            let request = RequestView::new(method)
                .origin([request_origin.as_bytes()])
                .request_method([request_method.as_bytes()])
                .request_headers([request_headers.as_bytes()]);
            let response = respond(&policy, &request, request_origin.as_bytes());
            for (name, value) in &response.headers {
                let has_star = value.split(|&b| b == b',').any(|v| v.trim_ascii() == b"*");
                // A script may ask for a method or header literally named `*`; echoing
                // that name is the literal answer a credentialed browser needs.
                let asked_literally = match *name {
                    "access-control-allow-methods" => request_method == "*",
                    "access-control-allow-headers" => request_headers.split(',').any(|h| h == "*"),
                    _ => false,
                };
                if *name != "vary" && !asked_literally {
                    prop_assert!(!has_star, "{}: {:?}", name, String::from_utf8_lossy(value));
                }
            }
        }
    }

    #[test]
    fn deciding_never_panics_on_arbitrary_bytes(
        method in "[A-Za-z]{0,8}",
        origins in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..600), 0..3),
        request_methods in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..20), 0..3),
        header_lines in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..300), 0..12),
        private_network in prop::collection::vec(any::<u8>(), 0..8),
    ) {
        let policies = [
            pattern_policy(),
            Policy::builder().allow_any_origin().allow_any_method().allow_any_header().allow_private_network(true).build().unwrap(),
        ];
        for policy in &policies {
            let request = RequestView::new(&method)
                .origin(origins.iter().map(Vec::as_slice))
                .request_method(request_methods.iter().map(Vec::as_slice))
                .request_headers(header_lines.iter().map(Vec::as_slice))
                .request_private_network([private_network.as_slice()]);
            let origin = origins.first().map(Vec::as_slice).unwrap_or_default();
            let response = respond(policy, &request, origin);
            // Whatever came in, what goes out is at most one origin line.
            prop_assert!(response.get_all("access-control-allow-origin").count() <= 1);
            if let Some(refusal) = policies[0].decide(&request).refusal() {
                prop_assert!(!refusal.to_string().contains('\n'));
            }
        }
    }
}
