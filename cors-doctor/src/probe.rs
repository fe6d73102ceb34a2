//! `cors-doctor probe URL --origin ORIGIN ...`: do what a browser would do against any
//! live server, say in plain words what happens at each step, and for a failure name
//! the header that is missing or wrong and the policy-file line that would fix it.
//!
//! The browser's checks are the ones of `cors-browser`, the same code that judges the
//! workspace's conformance suite: there is no second implementation.

use std::process::ExitCode;
use std::time::Duration;

use cors_browser::{self as browser, request as fetch, BrowserError};
use serde::Serialize;

use crate::http;
use crate::Format;

/// What the probe cannot see, said in `cargo xtask probe --help`.
const AFTER_HELP: &str =
    "The probe checks the CORS protocol only. When a public page calls a local or \
private address (localhost, 127.0.0.1, 10.x.x.x, 192.168.x.x), Chromium and Firefox also \
apply Local Network Access: a browser permission, which Chromium asks the user for. No \
server header can lift that block. Chromium replaced Private Network Access preflights with \
it in 2025; allow_private_network only answers those legacy preflights \
(Access-Control-Request-Private-Network).";

#[derive(clap::Args, Debug)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// The URL the script fetches.
    url: String,
    /// The origin of the page that runs the script, such as `https://app.example.com`.
    #[arg(long)]
    origin: String,
    /// The request method, as the script writes it.
    #[arg(long, default_value = "GET")]
    method: String,
    /// A request header the script sets, as NAME or NAME:VALUE; repeat for several.
    #[arg(long = "header", value_name = "NAME[:VALUE]")]
    headers: Vec<String>,
    /// The script sends credentials (`credentials: 'include'`).
    #[arg(long)]
    credentials: bool,
    /// A response header the script wants to read.
    #[arg(long, value_name = "NAME")]
    read_header: Option<String>,
    /// Seconds to wait for each answer.
    #[arg(long, default_value_t = 10, value_name = "SECONDS")]
    timeout: u64,
    /// How to print the result.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

/// What the probe found: every step in words, the verdict, and for a blocked request
/// what the browser says and the fix.
#[derive(Debug, Default, Serialize)]
pub struct Report {
    pub allowed: bool,
    pub steps: Vec<String>,
    pub blocked: Option<String>,
    pub fix: Option<String>,
}

/// The lines of the report, written as the probe goes.
struct Log<'a>(&'a mut Vec<String>);

impl Log<'_> {
    fn say(&mut self, line: impl Into<String>) {
        self.0.push(line.into());
    }
}

type Headers = Vec<(String, Vec<u8>)>;

/// A failure: what the browser says, and how to fix it.
struct Blocked {
    what: String,
    fix: String,
}

/// Probes the server and prints the report; succeeds when a browser allows the request.
pub fn run(args: &Args) -> ExitCode {
    let report = report(args);
    match args.format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&report).unwrap_or_default()
        ),
        Format::Human => {
            for line in &report.steps {
                println!("{line}");
            }
            if let (Some(what), Some(fix)) = (&report.blocked, &report.fix) {
                println!("  ✗ {what}");
                println!("  Fix: {fix}");
            }
            let verdict = if report.allowed { "ALLOWS" } else { "BLOCKS" };
            println!("\nVerdict: a browser {verdict} this request.");
        }
    }
    if report.allowed {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Does what a browser does, step by step.
pub fn report(args: &Args) -> Report {
    let method = fetch::normalize_method(&args.method);
    let headers = parse_headers(&args.headers);
    let credentials = if args.credentials {
        "include"
    } else {
        "same-origin"
    };
    let mut report = Report::default();
    let mut log = Log(&mut report.steps);
    log.say(format!(
        "A script on {} fetches {} {} (credentials: {credentials}).",
        args.origin, method, args.url
    ));
    let agent = http::agent(Duration::from_secs(args.timeout));
    match probe(&agent, args, &method, &headers, &mut log) {
        Ok(()) => report.allowed = true,
        Err(blocked) => {
            report.blocked = Some(blocked.what);
            report.fix = Some(blocked.fix);
        }
    }
    report
}

fn probe(
    agent: &ureq::Agent,
    args: &Args,
    method: &str,
    headers: &[(String, String)],
    log: &mut Log,
) -> Result<(), Blocked> {
    let names = fetch::unsafe_header_names(headers);
    let mut step = 1;
    if fetch::needs_preflight(method, headers) {
        log.say(format!(
            "\n{step}. {}, so the browser first sends a preflight:",
            why_preflight(method, &names)
        ));
        let mut sent = vec![
            ("origin".to_owned(), args.origin.clone()),
            (
                "access-control-request-method".to_owned(),
                method.to_owned(),
            ),
        ];
        if !names.is_empty() {
            sent.push(("access-control-request-headers".to_owned(), names.join(",")));
        }
        let (status, received) = send(agent, "OPTIONS", &args.url, &sent, log)?;
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        browser::preflight_check(
            &args.origin,
            args.credentials,
            method,
            &names,
            status,
            &received,
        )
        .map_err(|e| explain(&e, args, method, status))?;
        log.say("  ✓ The preflight passes.");
        step += 1;
    } else {
        log.say(format!(
            "\n{step}. {method} with these headers is a simple request: no preflight."
        ));
        step += 1;
    }
    log.say(format!("\n{step}. The browser sends the request:"));
    let mut sent = vec![("origin".to_owned(), args.origin.clone())];
    sent.extend(headers.iter().cloned());
    let (status, received) = send(agent, method, &args.url, &sent, log)?;
    browser::cors_check(&args.origin, args.credentials, &received)
        .map_err(|e| explain(&e, args, method, status))?;
    log.say("  ✓ The CORS check passes: the script can read the response.");
    if let Some(name) = &args.read_header {
        check_readable(name, args, &received, log)?;
    }
    Ok(())
}

fn check_readable(
    name: &str,
    args: &Args,
    received: &Headers,
    log: &mut Log,
) -> Result<(), Blocked> {
    if fetch::can_read_response_header(name, args.credentials, received) {
        log.say(format!(
            "  ✓ The script can read the response header {name}."
        ));
        return Ok(());
    }
    let lower = name.to_ascii_lowercase();
    Err(Blocked {
        what: format!("The script cannot read {name}: headers.get({lower:?}) returns null, because Access-Control-Expose-Headers does not list it{}.",
            if args.credentials { " (with credentials `*` does not count)" } else { "" }),
        fix: format!("expose_headers = [\"{lower}\"]  (add it to the list)"),
    })
}

fn why_preflight(method: &str, names: &[String]) -> String {
    match (fetch::is_safelisted_method(method), names.is_empty()) {
        (false, true) => format!("{method} is not a CORS-safelisted method (GET, HEAD, POST)"),
        (true, false) => format!(
            "the script sets {} that are not CORS-safelisted",
            names.join(", ")
        ),
        _ => format!(
            "{method} is not CORS-safelisted and the script sets {}",
            names.join(", ")
        ),
    }
}

/// Turns the browser's error into plain words and the policy line that fixes it.
fn explain(error: &BrowserError, args: &Args, method: &str, status: u16) -> Blocked {
    let origin = &args.origin;
    let what = format!("The browser says: {error}.");
    let fix = match error {
        BrowserError::NotOkStatus(s) if (300..400).contains(s) => "browsers never follow a redirect for a preflight: fetch the final URL (often the trailing slash or http->https)".to_owned(),
        BrowserError::NotOkStatus(404 | 405) => format!(
            "the application answered the preflight itself ({status}): no CORS middleware answers OPTIONS on this route. Put the CORS layer around every route (axum: Router::layer, actix: App::wrap, rocket: attach, warp: Cors::wrap on the whole filter)"
        ),
        BrowserError::NotOkStatus(_) => refused_fix(args, method),
        BrowserError::MissingAllowOrigin => format!("allow_origins = [\"{origin}\"]  (add the page's origin)"),
        BrowserError::SeveralAllowOrigins(_) => "two CORS layers answer (or the application sets Access-Control-Allow-Origin as well as the middleware): keep exactly one".to_owned(),
        BrowserError::WildcardOriginWithCredentials => format!("allow_origins = [\"{origin}\"] with allow_credentials = true: `*` never works with credentials"),
        BrowserError::OriginMismatch { .. } => format!(
            "the value must be exactly the page's origin (no path, no trailing slash, same case, no default port): allow_origins = [\"{origin}\"]"
        ),
        BrowserError::MissingAllowCredentials | BrowserError::AllowCredentialsNotTrue(_) => {
            "allow_credentials = true  (and list the origin exactly: credentials never work with \"*\")".to_owned()
        }
        BrowserError::Unparseable { header, .. } => format!("the server's {header} must be a comma-separated list of names"),
        BrowserError::MethodNotAllowed { method, .. } => method_fix(method),
        BrowserError::HeaderNotAllowed { name, .. } if name == "authorization" => {
            "allow_headers = [\"*\", \"authorization\"]  (or list authorization with the others): the Fetch Standard never lets `*` cover it (https://fetch.spec.whatwg.org/#cors-non-wildcard-request-header-name); browsers shipping today still do, so do not rely on it".to_owned()
        }
        BrowserError::HeaderNotAllowed { name, .. } => format!("allow_headers = [\"{name}\"]  (add it to the list)"),
        BrowserError::PrivateNetworkNotAllowed => "allow_private_network = true  (for the legacy Private Network Access preflight; a Local Network Access block is the user's permission, which no server header can lift)".to_owned(),
    };
    Blocked { what, fix }
}

/// A refused preflight does not say why: list what the policy must allow, and how to
/// make the server say more.
fn refused_fix(args: &Args, method: &str) -> String {
    let mut needs = vec![format!("allow_origins lists \"{}\"", args.origin)];
    if !fetch::is_safelisted_method(method) {
        needs.push(format!("allow_methods lists \"{method}\""));
    }
    let names = fetch::unsafe_header_names(&parse_headers(&args.headers));
    if !names.is_empty() {
        needs.push(format!("allow_headers lists {}", quoted_list(&names)));
    }
    format!(
        "the server refused the preflight; check that {}. The server's debug log names the reason, and its diagnostics mode (CORS_DIAGNOSTICS=1 for the example servers) makes the browser name it too",
        needs.join(", ")
    )
}

fn method_fix(method: &str) -> String {
    let upper = method.to_ascii_uppercase();
    if upper != method {
        format!("allow_methods = [\"{method}\"], or better, make the script send \"{upper}\": methods are case-sensitive and fetch() upper-cases only the standard ones")
    } else {
        format!("allow_methods = [\"{method}\"]  (add it to the list)")
    }
}

fn quoted_list(names: &[String]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
    format!("[{}]", quoted.join(", "))
}

fn parse_headers(raw: &[String]) -> Vec<(String, String)> {
    raw.iter()
        .map(|h| match h.split_once(':') {
            Some((name, value)) => (name.trim().to_owned(), value.trim().to_owned()),
            None => (h.trim().to_owned(), "x".to_owned()),
        })
        .collect()
}

/// Sends one request and prints it and the answer's CORS headers.
fn send(
    agent: &ureq::Agent,
    method: &str,
    url: &str,
    headers: &[(String, String)],
    log: &mut Log,
) -> Result<(u16, Headers), Blocked> {
    for (name, value) in headers {
        log.say(format!("     > {name}: {value}"));
    }
    let sent = headers.iter().map(|(n, v)| (n.as_str(), v.as_bytes()));
    let answer = http::send(agent, method, url, sent, None).map_err(network)?;
    let (status, received) = (answer.status, answer.headers);
    log.say(format!("   The server answered {status}:"));
    for (name, value) in received
        .iter()
        .filter(|(n, _)| n.starts_with("access-control-") || n == "vary" || n == "location")
    {
        log.say(format!("     < {name}: {}", String::from_utf8_lossy(value)));
    }
    Ok((status, received))
}

fn network(error: String) -> Blocked {
    Blocked {
        what: format!("The request did not complete: {error}."),
        fix: "check that the server runs at that URL".to_owned(),
    }
}
