//! The requests that tell a correct CORS implementation from a broken one, generated
//! from the user's own policy: every listed origin and pattern with its look-alikes
//! (other scheme, other port, the host glued to a prefix, the host inside another
//! domain, a pattern's apex), `null`, no `Origin`, two `Origin` lines, listed and
//! unlisted methods (in other case too), listed and unlisted request headers (in other
//! case and spacing, and `authorization`), credentials on and off.
//!
//! A probe says only what is sent and what it is about; what the answer must be is
//! decided from the policy by the engine ([`super::judge`]).

use cors_core::PolicyConfig;

/// What part of the policy a probe tests: the rows of the summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Group {
    Origins,
    Methods,
    Headers,
    Credentials,
    Caching,
}

impl Group {
    pub fn name(self) -> &'static str {
        match self {
            Group::Origins => "origins",
            Group::Methods => "methods",
            Group::Headers => "request headers",
            Group::Credentials => "credentials",
            Group::Caching => "caching (Vary)",
        }
    }
}

/// One request a browser could send (or, for two `Origin` lines, one a proxy could).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Probe {
    pub group: Group,
    /// What the request is, in a few words.
    pub label: String,
    /// The policy entry it is about, as written in the file.
    pub policy_line: String,
    /// The path requested.
    pub path: String,
    /// `Origin` lines: none, one, or two.
    pub origins: Vec<String>,
    /// For a preflight: the method and `Access-Control-Request-Headers` as sent.
    pub preflight: Option<Preflight>,
    /// Whether the script's credentials mode is `include`.
    pub credentials: bool,
}

/// What a preflight asks for.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Preflight {
    pub method: String,
    /// The header's value as sent (case and spacing as a test wants them), if any.
    pub request_headers: Option<String>,
}

impl Probe {
    /// The method on the wire.
    pub fn wire_method(&self) -> &str {
        if self.preflight.is_some() {
            "OPTIONS"
        } else {
            "GET"
        }
    }

    /// The request headers on the wire.
    pub fn wire_headers(&self) -> Vec<(&'static str, String)> {
        let mut headers: Vec<(&'static str, String)> =
            self.origins.iter().map(|o| ("origin", o.clone())).collect();
        if let Some(preflight) = &self.preflight {
            headers.push(("access-control-request-method", preflight.method.clone()));
            if let Some(names) = &preflight.request_headers {
                headers.push(("access-control-request-headers", names.clone()));
            }
        }
        headers
    }

    /// The one origin a browser would send, if the probe has exactly one.
    pub fn origin(&self) -> Option<&str> {
        match self.origins.as_slice() {
            [origin] => Some(origin),
            _ => None,
        }
    }
}

/// The paths to use: where actual requests go, and where preflights go.
pub struct Paths<'a> {
    pub actual: &'a [String],
    pub preflight: &'a str,
}

/// An origin entry taken apart: `scheme://host[:port]`, or a pattern.
struct Entry<'a> {
    scheme: &'a str,
    host: &'a str,
    port: Option<&'a str>,
    /// `scheme://*.host`: any subdomain of `host`.
    subdomains: bool,
    /// `scheme://host:*`: any port.
    any_port: bool,
}

fn entry(text: &str) -> Option<Entry<'_>> {
    let (scheme, rest) = text.split_once("://")?;
    let (host, port) = match rest.find(']') {
        // An IPv6 address: the port, if any, follows its closing bracket.
        Some(end) => (&rest[..=end], rest[end + 1..].strip_prefix(':')),
        None => match rest.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (rest, None),
        },
    };
    let (host, subdomains) = match host.strip_prefix("*.") {
        Some(domain) => (domain, true),
        None => (host, false),
    };
    Some(Entry {
        scheme,
        host,
        port: port.filter(|p| *p != "*"),
        subdomains,
        any_port: port == Some("*"),
    })
}

fn origin(scheme: &str, host: &str, port: Option<&str>) -> String {
    match port {
        Some(port) => format!("{scheme}://{host}:{port}"),
        None => format!("{scheme}://{host}"),
    }
}

/// The same origin on the other of http and https.
fn other_scheme(scheme: &str) -> &str {
    if scheme == "https" {
        "http"
    } else {
        "https"
    }
}

/// Another port than the entry's: the next one, or 8443 for the default port.
fn other_port(port: Option<&str>) -> String {
    match port.and_then(|p| p.parse::<u16>().ok()) {
        Some(65535) => "65534".into(),
        Some(port) => (port + 1).to_string(),
        None => "8443".into(),
    }
}

/// The origins a browser could send for one entry: those the entry allows, then its
/// look-alikes, each with a label.
fn origins_of(text: &str) -> Vec<(String, String)> {
    match text {
        "*" => vec![("https://cors-doctor.example".into(), "any origin".into())],
        "null" => vec![("null".into(), "the null origin".into())],
        _ => entry(text).map(|e| variants(&e)).unwrap_or_default(),
    }
}

fn variants(e: &Entry) -> Vec<(String, String)> {
    let (s, h, p) = (e.scheme, e.host, e.port);
    let mut list = Vec::new();
    if e.subdomains {
        list.push((origin(s, &format!("tenant.{h}"), p), "a subdomain".into()));
        list.push((
            origin(s, &format!("a.b.{h}"), p),
            "a deeper subdomain".into(),
        ));
        list.push((
            origin(s, h, p),
            "the pattern's apex (not a subdomain)".into(),
        ));
        list.push((
            origin(s, &format!("evil{h}"), p),
            "the domain glued to a prefix".into(),
        ));
        list.push((
            origin(s, &format!("tenant.{h}.evil.example"), p),
            "the domain inside another one".into(),
        ));
        list.push((
            origin(other_scheme(s), &format!("tenant.{h}"), p),
            "a subdomain on the other scheme".into(),
        ));
        list.push((
            origin(s, &format!("tenant.{h}"), Some(&other_port(p))),
            "a subdomain on another port".into(),
        ));
    } else if e.any_port {
        list.push((origin(s, h, Some("8080")), "the host on port 8080".into()));
        list.push((origin(s, h, None), "the host on the default port".into()));
        list.push((
            origin(s, &format!("evil-{h}"), Some("8080")),
            "another host glued to it".into(),
        ));
        list.push((
            origin(other_scheme(s), h, Some("8080")),
            "the host on the other scheme".into(),
        ));
    } else {
        list.push((origin(s, h, p), "listed".into()));
        list.push((origin(other_scheme(s), h, p), "the other scheme".into()));
        list.push((origin(s, h, Some(&other_port(p))), "another port".into()));
        list.push((
            origin(s, &format!("x{h}"), p),
            "the host glued to a prefix".into(),
        ));
        list.push((
            origin(s, &format!("{h}.evil.example"), p),
            "the host inside another domain".into(),
        ));
        list.push((
            origin(s, &format!("evil.{h}"), p),
            "a subdomain of a listed host".into(),
        ));
    }
    list
}

/// One origin the policy allows, for the probes that are about something else.
fn allowed_origin(config: &PolicyConfig) -> String {
    config
        .allow_origins
        .iter()
        .flat_map(|e| origins_of(e).into_iter().next())
        .map(|(origin, _)| origin)
        .next()
        .unwrap_or_else(|| "https://cors-doctor.example".into())
}

/// Every probe for the policy.
pub fn probes(config: &PolicyConfig, paths: &Paths) -> Vec<Probe> {
    let mut plan = Plan {
        probes: Vec::new(),
        paths,
        credentials: config.allow_credentials,
    };
    plan.origins(config);
    plan.methods(config);
    plan.headers(config);
    plan.credentials(config);
    plan.caching(config);
    plan.probes
}

struct Plan<'a> {
    probes: Vec<Probe>,
    paths: &'a Paths<'a>,
    credentials: bool,
}

impl Plan<'_> {
    fn push(&mut self, probe: Probe) {
        self.probes.push(probe);
    }

    fn actual(
        &mut self,
        group: Group,
        label: String,
        line: &str,
        origins: Vec<String>,
        credentials: bool,
    ) {
        for path in self.paths.actual {
            self.push(Probe {
                group,
                label: label.clone(),
                policy_line: line.to_owned(),
                path: path.clone(),
                origins: origins.clone(),
                preflight: None,
                credentials,
            });
        }
    }

    fn preflight(
        &mut self,
        group: Group,
        label: String,
        line: &str,
        origin: &str,
        method: &str,
        names: Option<&str>,
    ) {
        self.push(Probe {
            group,
            label,
            policy_line: line.to_owned(),
            path: self.paths.preflight.to_owned(),
            origins: vec![origin.to_owned()],
            preflight: Some(Preflight {
                method: method.to_owned(),
                request_headers: names.map(str::to_owned),
            }),
            credentials: self.credentials,
        });
    }

    /// Every entry's origins and look-alikes, by an actual request and a preflight.
    fn origins(&mut self, config: &PolicyConfig) {
        let method = preflighted_method(config);
        for text in &config.allow_origins {
            let line = format!("allow_origins: {text:?}");
            for (origin, what) in origins_of(text) {
                let label = format!("{origin} ({what})");
                self.actual(
                    Group::Origins,
                    label.clone(),
                    &line,
                    vec![origin.clone()],
                    self.credentials,
                );
                self.preflight(
                    Group::Origins,
                    format!("{label}, preflight for {method}"),
                    &line,
                    &origin,
                    &method,
                    None,
                );
            }
        }
        if !config.allow_origins.iter().any(|o| o == "null" || o == "*") {
            let line = "allow_origins does not list \"null\"";
            self.actual(
                Group::Origins,
                "null (a sandboxed iframe)".into(),
                line,
                vec!["null".into()],
                self.credentials,
            );
        }
    }

    /// Listed methods by preflight, one in lower case, and one the policy does not list.
    fn methods(&mut self, config: &PolicyConfig) {
        let origin = allowed_origin(config);
        let listed = config.allow_methods.clone().unwrap_or_default();
        for method in listed
            .iter()
            .filter(|m| !matches!(m.as_str(), "GET" | "HEAD" | "POST" | "*"))
        {
            let line = format!("allow_methods: {method:?}");
            self.preflight(
                Group::Methods,
                format!("{method} (listed)"),
                &line,
                &origin,
                method,
                None,
            );
        }
        let upper = preflighted_method(config);
        let lower = upper.to_ascii_lowercase();
        if !listed.contains(&lower) && lower != upper {
            let line = format!("allow_methods: {upper:?} (methods are case-sensitive)");
            self.preflight(
                Group::Methods,
                format!("{lower} (lower case)"),
                &line,
                &origin,
                &lower,
                None,
            );
        }
        let unlisted = ["PATCH", "PURGE", "PROPFIND"]
            .into_iter()
            .find(|m| !listed.iter().any(|l| l == m))
            .unwrap_or("PROPFIND");
        let line = format!("allow_methods: {listed:?}");
        self.preflight(
            Group::Methods,
            format!("{unlisted} (not listed)"),
            &line,
            &origin,
            unlisted,
            None,
        );
    }

    /// Listed headers as sent, in other case and spacing; one not listed;
    /// `authorization`.
    fn headers(&mut self, config: &PolicyConfig) {
        let origin = allowed_origin(config);
        let method = preflighted_method(config);
        let listed: Vec<&String> = config.allow_headers.iter().filter(|h| *h != "*").collect();
        for name in &listed {
            let line = format!("allow_headers: {name:?}");
            self.preflight(
                Group::Headers,
                format!("{name} (listed)"),
                &line,
                &origin,
                &method,
                Some(&name.to_ascii_lowercase()),
            );
            self.preflight(
                Group::Headers,
                format!("{} (other case)", title_case(name)),
                &line,
                &origin,
                &method,
                Some(&title_case(name)),
            );
        }
        if listed.len() > 1 {
            let spaced = listed
                .iter()
                .map(|n| n.to_ascii_lowercase())
                .collect::<Vec<_>>()
                .join(" ,  ");
            let line = format!("allow_headers: {:?}", config.allow_headers);
            self.preflight(
                Group::Headers,
                "every listed header, odd spacing".into(),
                &line,
                &origin,
                &method,
                Some(&spaced),
            );
        }
        let line = format!("allow_headers: {:?}", config.allow_headers);
        self.preflight(
            Group::Headers,
            "x-cors-doctor-probe (not listed)".into(),
            &line,
            &origin,
            &method,
            Some("x-cors-doctor-probe"),
        );
        self.preflight(
            Group::Headers,
            "authorization".into(),
            &line,
            &origin,
            &method,
            Some("authorization"),
        );
    }

    /// An allowed origin with credentials and without.
    fn credentials(&mut self, config: &PolicyConfig) {
        let origin = allowed_origin(config);
        let line = format!("allow_credentials = {}", config.allow_credentials);
        for credentials in [true, false] {
            let label = format!(
                "{origin}, credentials {}",
                if credentials { "included" } else { "omitted" }
            );
            self.actual(
                Group::Credentials,
                label,
                &line,
                vec![origin.clone()],
                credentials,
            );
        }
    }

    /// What caches key on: a request without `Origin`, and one with two.
    fn caching(&mut self, config: &PolicyConfig) {
        let origin = allowed_origin(config);
        let line = format!("allow_origins: {:?}", config.allow_origins);
        self.actual(Group::Caching, "no Origin".into(), &line, Vec::new(), false);
        let two = vec![origin.clone(), "https://evil.example".into()];
        self.actual(
            Group::Caching,
            format!("two Origin lines ({origin} and another)"),
            &line,
            two,
            false,
        );
    }
}

/// A method that needs a preflight and that the policy allows, if any: the first
/// listed one that is not safelisted, else `PUT`.
fn preflighted_method(config: &PolicyConfig) -> String {
    config
        .allow_methods
        .iter()
        .flatten()
        .find(|m| !matches!(m.as_str(), "GET" | "HEAD" | "POST" | "*"))
        .cloned()
        .unwrap_or_else(|| "PUT".into())
}

/// `x-api-key` as `X-Api-Key`.
fn title_case(name: &str) -> String {
    name.split('-')
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(text: &str) -> PolicyConfig {
        PolicyConfig::from_toml_str(text).unwrap()
    }

    #[test]
    fn entries_give_their_origins_and_look_alikes() {
        let pattern: Vec<String> = origins_of("https://*.example.com")
            .into_iter()
            .map(|(o, _)| o)
            .collect();
        assert!(pattern.contains(&"https://tenant.example.com".to_owned()));
        assert!(pattern.contains(&"https://example.com".to_owned()));
        assert!(pattern.contains(&"https://evilexample.com".to_owned()));
        assert!(pattern.contains(&"https://tenant.example.com:8443".to_owned()));
        let exact: Vec<String> = origins_of("http://localhost:3000")
            .into_iter()
            .map(|(o, _)| o)
            .collect();
        assert_eq!(exact[0], "http://localhost:3000");
        assert!(exact.contains(&"https://localhost:3000".to_owned()));
        assert!(exact.contains(&"http://localhost:3001".to_owned()));
        assert!(exact.contains(&"http://localhost.evil.example:3000".to_owned()));
        let any_port: Vec<String> = origins_of("http://localhost:*")
            .into_iter()
            .map(|(o, _)| o)
            .collect();
        assert!(any_port.contains(&"http://localhost:8080".to_owned()));
    }

    #[test]
    fn the_plan_covers_methods_headers_credentials_and_caches() {
        let config = config(
            "allow_origins = [\"https://app.example.com\"]\nallow_methods = [\"GET\", \"PUT\"]\nallow_headers = [\"x-api-key\", \"content-type\"]\nallow_credentials = true\n",
        );
        let paths = Paths {
            actual: &["/".into()],
            preflight: "/",
        };
        let plan = probes(&config, &paths);
        let labels: Vec<&str> = plan.iter().map(|p| p.label.as_str()).collect();
        for wanted in [
            "PUT (listed)",
            "put (lower case)",
            "PATCH (not listed)",
            "X-Api-Key (other case)",
            "authorization",
            "no Origin",
            "null (a sandboxed iframe)",
        ] {
            assert!(labels.contains(&wanted), "{wanted} missing from {labels:?}");
        }
        let two = plan.iter().find(|p| p.origins.len() == 2).unwrap();
        assert_eq!(
            two.wire_headers()
                .iter()
                .filter(|(n, _)| *n == "origin")
                .count(),
            2
        );
        assert!(plan.iter().any(|p| p.credentials) && plan.iter().any(|p| !p.credentials));
    }
}
