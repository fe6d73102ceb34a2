//! The whole decision: an arbitrary method, `Origin` lines,
//! `Access-Control-Request-Method` lines, `Access-Control-Request-Headers` lines and
//! `Access-Control-Request-Private-Network` lines (plus `Vary` lines the application
//! already set) against five policies, two of them with credentials.
//!
//! Invariants: no panic, and the decision returns (run with `-timeout=2`); the variant
//! matches the request's shape (no `Origin`: not CORS; `OPTIONS` + `Origin` +
//! `Access-Control-Request-Method`: a preflight); an actual request is allowed exactly
//! when it has one `Origin` that the reference matcher allows, and a preflight exactly
//! when, in addition, the reference allows its method, headers and private-network
//! ask; at most one `Access-Control-Allow-Origin`, equal to the request's `Origin` (or
//! `*` for the any-origin policy, never with credentials); no `*` in
//! `Access-Control-Expose-Headers` with credentials; `Access-Control-Allow-Credentials`
//! exactly with an allowed origin of a credentials policy; no `Access-Control-*` header
//! on a refusal; every header value free of CR/LF/NUL; `Vary` keeps `origin` for
//! policies that depend on it, without repeating tokens; a refusal's `Display` is one
//! clean line.
#![no_main]

use std::sync::LazyLock;

use arbitrary::Arbitrary;
use cors_core::{Policy, Refusal};
use cors_core::adapter::{Action, HeaderList, RequestView};
use cors_core_fuzz::{
    credential_reference, is_safe_header_value, is_single_clean_line, is_token, names_any_header,
    pattern_reference, trim_ows, RefHeaders, RefOrigins, CREDENTIAL_ORIGINS, PATTERN_ORIGINS,
};
use libfuzzer_sys::fuzz_target;

/// `allow_methods` in the reference's terms (the browser's form, compared exactly).
enum RefMethods {
    List(&'static [&'static str]),
    Any,
}

struct Case {
    name: &'static str,
    policy: Policy,
    origins: RefOrigins,
    methods: RefMethods,
    headers: RefHeaders,
    credentials: bool,
    private_network: bool,
    status: u16,
    /// Diagnostics mode: a preflight refused for its method, headers or private network
    /// from an allowed origin is answered with ACAO and the policy's lists.
    diagnostics: bool,
}

fn patterns(diagnostics: bool) -> Case {
    Case {
        name: if diagnostics {
            "patterns-diagnostics"
        } else {
            "patterns"
        },
        policy: Policy::builder()
            .allow_origins(PATTERN_ORIGINS)
            .allow_methods(["put", "patch", "DELETE"])
            .allow_headers(["X-A", "content-type"])
            .expose_headers(["x-request-id"])
            .max_age(600)
            .diagnostics(diagnostics)
            .build()
            .unwrap(),
        origins: pattern_reference(),
        methods: RefMethods::List(&["PUT", "patch", "DELETE"]),
        headers: RefHeaders::List(&["x-a", "content-type"]),
        credentials: false,
        private_network: false,
        status: 204,
        diagnostics,
    }
}

fn credentials_wildcards(diagnostics: bool) -> Case {
    Case {
        name: if diagnostics {
            "credentials-wildcards-diagnostics"
        } else {
            "credentials-wildcards"
        },
        policy: Policy::builder()
            .allow_origins(CREDENTIAL_ORIGINS)
            .allow_credentials(true)
            .allow_any_method()
            .allow_any_header()
            .expose_headers(["x-request-id", "x-b"])
            .allow_private_network(true)
            .max_age(60)
            .diagnostics(diagnostics)
            .build()
            .unwrap(),
        origins: credential_reference(),
        methods: RefMethods::Any,
        headers: RefHeaders::Star {
            authorization: false,
        },
        credentials: true,
        private_network: true,
        status: 204,
        diagnostics,
    }
}

static CASES: LazyLock<Vec<Case>> = LazyLock::new(|| {
    vec![
        patterns(false),
        credentials_wildcards(false),
        Case {
            name: "any-origin",
            policy: Policy::builder()
                .allow_any_origin()
                .allow_any_method()
                .allow_headers(["*", "authorization"])
                .expose_headers(["*"])
                .allow_private_network(true)
                .build()
                .unwrap(),
            origins: RefOrigins {
                any: true,
                ..RefOrigins::default()
            },
            methods: RefMethods::Any,
            headers: RefHeaders::Star {
                authorization: true,
            },
            credentials: false,
            private_network: true,
            status: 204,
            diagnostics: false,
        },
        Case {
            name: "default",
            policy: Policy::builder().build().unwrap(),
            origins: RefOrigins::default(),
            methods: RefMethods::List(&[]),
            headers: RefHeaders::List(&[]),
            credentials: false,
            private_network: false,
            status: 204,
            diagnostics: false,
        },
        Case {
            name: "credentials-lists",
            policy: Policy::builder()
                .allow_origins(CREDENTIAL_ORIGINS)
                .allow_credentials(true)
                .allow_methods(["PUT"])
                .allow_headers(["Authorization"])
                .expose_headers(["x-request-id"])
                .max_age(86_400)
                .preflight_status(200)
                .build()
                .unwrap(),
            origins: credential_reference(),
            methods: RefMethods::List(&["PUT"]),
            headers: RefHeaders::List(&["authorization"]),
            credentials: true,
            private_network: false,
            status: 200,
            diagnostics: false,
        },
        patterns(true),
        credentials_wildcards(true),
    ]
});

#[derive(Arbitrary, Debug)]
enum Method<'a> {
    Get,
    Options,
    Post,
    Put,
    LowerOptions,
    Other(&'a str),
}

/// An `Origin` line: raw bytes, or one built to land near the policies' entries.
#[derive(Arbitrary, Debug)]
enum OriginLine<'a> {
    Raw(&'a [u8]),
    Built {
        https: bool,
        label: &'a str,
        domain: u8,
        port: Option<u16>,
    },
    Known(u8),
}

const DOMAINS: &[&str] = &[
    "example.com",
    "example.org",
    "example.net",
    "localhost",
    "evil-example.com",
    "example.com.evil.net",
    "EXAMPLE.com",
    "",
];

const KNOWN: &[&str] = &[
    "https://app.example.com",
    "https://admin.example.org",
    "http://[::1]:3000",
    "http://127.0.0.1:8080",
    "https://api.example.net:8443",
    "http://localhost:5173",
    "http://localhost",
    "null",
    "Null",
    "https://example.com",
    "https://a.example.org:8443",
    "https://App.Example.com",
    "",
];

impl OriginLine<'_> {
    fn bytes(&self) -> Vec<u8> {
        match self {
            OriginLine::Raw(raw) => raw.to_vec(),
            OriginLine::Built {
                https,
                label,
                domain,
                port,
            } => {
                let scheme = if *https { "https" } else { "http" };
                let domain = DOMAINS[*domain as usize % DOMAINS.len()];
                let host = match (label.is_empty(), domain.is_empty()) {
                    (true, _) => domain.to_owned(),
                    (false, true) => (*label).to_owned(),
                    (false, false) => format!("{label}.{domain}"),
                };
                match port {
                    Some(port) => format!("{scheme}://{host}:{port}").into_bytes(),
                    None => format!("{scheme}://{host}").into_bytes(),
                }
            }
            OriginLine::Known(i) => KNOWN[*i as usize % KNOWN.len()].as_bytes().to_vec(),
        }
    }
}

/// A header line: raw bytes, or one of a few values that the policies care about (so
/// that allowed preflights are reached quickly).
#[derive(Arbitrary, Debug)]
enum Line<'a> {
    Raw(&'a [u8]),
    Known(u8),
}

impl<'a> Line<'a> {
    fn bytes(&self, known: &[&'static str]) -> &'a [u8] {
        match *self {
            Line::Raw(raw) => raw,
            Line::Known(i) => known[i as usize % known.len()].as_bytes(),
        }
    }
}

const KNOWN_METHODS: &[&str] = &[
    "GET",
    "HEAD",
    "POST",
    "PUT",
    "put",
    "PATCH",
    "patch",
    "DELETE",
    "OPTIONS",
    "*",
    "",
    "FROBNICATE",
];

const KNOWN_HEADERS: &[&str] = &[
    "x-a",
    "X-A",
    "content-type",
    "authorization",
    "x-request-id",
    "content-type,x-a",
    " X-A , Content-Type ",
    "authorization,x-a",
    ",",
    "",
    "*",
];

const KNOWN_PNA: &[&str] = &["true", "false", "TRUE", ""];

#[derive(Arbitrary, Debug)]
struct Input<'a> {
    policy: u8,
    method: Method<'a>,
    origins: Vec<OriginLine<'a>>,
    request_methods: Vec<Line<'a>>,
    request_headers: Vec<Line<'a>>,
    private_network: Vec<Line<'a>>,
    app_vary: Vec<&'a [u8]>,
}

/// The request's header lines, as bytes.
struct Lines<'a> {
    request_methods: Vec<&'a [u8]>,
    request_headers: Vec<&'a [u8]>,
    private_network: Vec<&'a [u8]>,
}

const CORS_VARY: [&str; 4] = [
    "origin",
    "access-control-request-method",
    "access-control-request-headers",
    "access-control-request-private-network",
];

fn vary_tokens(headers: &HeaderList) -> Vec<Vec<u8>> {
    headers
        .get_all("vary")
        .flat_map(|line| line.split(|&b| b == b','))
        .map(|t| trim_ows(t).to_ascii_lowercase())
        .filter(|t| !t.is_empty())
        .collect()
}

fn method_allowed(methods: &RefMethods, method: &[u8]) -> bool {
    match methods {
        RefMethods::Any => true,
        RefMethods::List(list) => ["GET", "HEAD", "POST"]
            .iter()
            .chain(list.iter())
            .any(|m| m.as_bytes() == method),
    }
}

fuzz_target!(|input: Input<'_>| {
    let case = &CASES[input.policy as usize % CASES.len()];
    let method = match input.method {
        Method::Get => "GET",
        Method::Options => "OPTIONS",
        Method::Post => "POST",
        Method::Put => "PUT",
        Method::LowerOptions => "options",
        Method::Other(m) => m,
    };
    let origins: Vec<Vec<u8>> = input.origins.iter().map(OriginLine::bytes).collect();
    let lines = Lines {
        request_methods: input
            .request_methods
            .iter()
            .map(|l| l.bytes(KNOWN_METHODS))
            .collect(),
        request_headers: input
            .request_headers
            .iter()
            .map(|l| l.bytes(KNOWN_HEADERS))
            .collect(),
        private_network: input
            .private_network
            .iter()
            .map(|l| l.bytes(KNOWN_PNA))
            .collect(),
    };
    let request = RequestView::new(method)
        .origin(origins.iter().map(Vec::as_slice))
        .request_method(lines.request_methods.iter().copied())
        .request_headers(lines.request_headers.iter().copied())
        .request_private_network(lines.private_network.iter().copied());
    let decision = case.policy.decide(&request);

    // The variant follows the request's shape.
    let preflight = method == "OPTIONS" && !origins.is_empty() && !lines.request_methods.is_empty();
    assert_eq!(request.is_preflight(), preflight);
    let kind = decision.kind();
    match (origins.is_empty(), preflight) {
        (true, _) => assert_eq!(kind, "not-cors"),
        (false, true) => assert!(kind.starts_with("preflight-"), "{kind}"),
        (false, false) => assert!(kind.starts_with("actual-"), "{kind}"),
    }

    // The reference decision.
    let single_origin = match origins.as_slice() {
        [one] => Some(one.as_slice()),
        _ => None,
    };
    let origin_ok = single_origin.is_some_and(|o| case.origins.allows(o));
    let method_ok = match lines.request_methods.as_slice() {
        [one] => is_token(one) && method_allowed(&case.methods, one),
        _ => false,
    };
    let headers_ok = case.headers.allows_lines(&lines.request_headers);
    let asks_pna = matches!(lines.private_network.as_slice(), [b"true"]);
    let pna_ok = !asks_pna || case.private_network;
    let expected = if preflight {
        origin_ok && method_ok && headers_ok && pna_ok
    } else {
        origin_ok
    };
    let allowed = matches!(kind, "preflight-allowed" | "actual-allowed");
    assert_eq!(
        allowed, expected,
        "policy {}: core says {kind}, reference says allowed = {expected} \
         (origin {origin_ok}, method {method_ok}, headers {headers_ok}, pna {pna_ok}); refusal: {:?}",
        case.name,
        decision.refusal()
    );
    assert_eq!(decision.refusal().is_some(), kind.ends_with("-refused"));
    if let Some(refusal) = decision.refusal() {
        let text = refusal.to_string();
        assert!(!text.is_empty());
        assert!(is_single_clean_line(&text), "refusal {text:?}");
        assert!(text.len() < 1024, "refusal of {} bytes", text.len());
    }

    // The headers written.
    let mut headers = HeaderList::new(single_origin.unwrap_or_default());
    for vary in &input.app_vary {
        headers.headers.push(("vary", vary.to_vec()));
    }
    let app_vary = vary_tokens(&headers);
    // Diagnostics mode explains a preflight refused for a method or a listed header it
    // lacks, or for PNA, but only to an allowed origin: never malformed or oversized
    // input, nor `authorization` under `*` (which browsers let `*` cover).
    let explainable = matches!(
        decision.refusal(),
        Some(
            Refusal::MethodNotAllowed { .. }
                | Refusal::HeaderNotAllowed {
                    wildcard: false,
                    ..
                }
                | Refusal::PrivateNetworkNotAllowed
        )
    );
    let explained = case.diagnostics && preflight && !allowed && origin_ok && explainable;
    match decision.into_action() {
        Action::Respond(p) => {
            assert!(preflight);
            assert_eq!(p.is_allowed(), allowed);
            let status = if allowed || explained {
                case.status
            } else {
                403
            };
            assert_eq!(p.status(), status);
            p.write_to(&mut headers);
        }
        Action::Forward(actual) => {
            assert!(!preflight);
            assert_eq!(actual.is_allowed(), allowed);
            actual.write_to(&case.policy, &mut headers);
        }
    }
    for (name, value) in headers.headers.iter().skip(input.app_vary.len()) {
        assert!(
            is_safe_header_value(value),
            "unsafe {name}: {:?}",
            value.escape_ascii().to_string()
        );
    }
    let acao: Vec<&[u8]> = headers.get_all("access-control-allow-origin").collect();
    assert!(acao.len() <= 1, "{} ACAO lines", acao.len());
    let cors_headers = headers
        .headers
        .iter()
        .filter(|(n, _)| n.starts_with("access-control-"))
        .count();
    if allowed || explained {
        let origin = single_origin.expect("allowed with one origin");
        let want: &[u8] = if case.origins.any { b"*" } else { origin };
        assert_eq!(
            acao,
            [want],
            "ACAO for {:?}",
            origin.escape_ascii().to_string()
        );
    } else if case.origins.any && !preflight {
        // A `*` policy answers `*` on every response (Fetch, "CORS protocol and HTTP
        // caches"), so that a cached copy serves any reader.
        assert_eq!(acao, [b"*"], "no `*` on a response of a `*` policy");
    } else {
        assert_eq!(cors_headers, 0, "a refusal wrote {:?}", headers.headers);
    }
    if explained {
        // Never cached, never granting private network access.
        for name in [
            "access-control-max-age",
            "access-control-allow-private-network",
        ] {
            assert_eq!(headers.get_all(name).count(), 0, "{name} in an explanation");
        }
    }
    let acac: Vec<&[u8]> = headers
        .get_all("access-control-allow-credentials")
        .collect();
    if case.credentials {
        assert_ne!(
            acao.first().copied(),
            Some(&b"*"[..]),
            "`*` in ACAO with credentials"
        );
        for aceh in headers.get_all("access-control-expose-headers") {
            assert!(
                !aceh.split(|&b| b == b',').any(|t| trim_ows(t) == b"*"),
                "`*` in ACEH with credentials"
            );
        }
        let want: &[&[u8]] = if allowed || explained {
            &[b"true"]
        } else {
            &[]
        };
        assert_eq!(acac, want);
    } else {
        assert!(acac.is_empty(), "ACAC without credentials");
    }
    if preflight && allowed {
        let acam: Vec<&[u8]> = headers.get_all("access-control-allow-methods").collect();
        let requested = lines.request_methods[0];
        match (&case.methods, case.credentials) {
            (RefMethods::Any, true) => assert_eq!(acam, [requested]),
            (RefMethods::Any, false) => assert_eq!(acam, [b"*"]),
            (RefMethods::List(list), _) => {
                assert_eq!(acam.len(), usize::from(!list.is_empty()));
            }
        }
        let acah_lines = headers.get_all("access-control-allow-headers").count();
        if !names_any_header(&lines.request_headers) {
            assert_eq!(acah_lines, 0, "ACAH though no header was asked for");
        }
        let acapn: Vec<&[u8]> = headers
            .get_all("access-control-allow-private-network")
            .collect();
        let want: &[&[u8]] = if asks_pna { &[b"true"] } else { &[] };
        assert_eq!(acapn, want);
    }

    // Vary: what depends on the origin says so, and no token is written twice.
    let vary = vary_tokens(&headers);
    let app_star = app_vary.iter().any(|t| t == b"*");
    if !case.origins.any && !app_star {
        assert!(
            vary.iter().any(|t| t == b"origin"),
            "no Vary: origin in {vary:?}"
        );
    }
    for token in CORS_VARY {
        let before = app_vary.iter().filter(|t| *t == token.as_bytes()).count();
        let after = vary.iter().filter(|t| *t == token.as_bytes()).count();
        assert!(after <= before.max(1), "Vary {token} repeated: {vary:?}");
    }
});
