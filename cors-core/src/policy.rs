//! The policy: validated once, immutable, with every header value computed up front.

use std::any::Any;
use std::fmt;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use crate::allow_headers::{self, AllowHeaders};
use crate::allow_methods::{self, AllowMethods};
use crate::allow_origins::{AllowOrigins, OriginLookup, OriginPredicate};
use crate::error::{PolicyError, Problem, ProblemKind};
use crate::guards;
use crate::origin::{self, OriginEntry};
use crate::response::PolicyValue;
use crate::vary::{self, Vary};

/// The longest `max_age` accepted: no browser keeps a preflight result longer (Firefox
/// caps at a day, Chromium at two hours).
pub const MAX_MAX_AGE: u64 = 86_400;

/// A validated CORS policy. Build one with [`Policy::builder`] or from a policy file
/// ([`Policy::from_toml_str`], [`Policy::from_json_str`], [`Policy::from_path`]), share it
/// (it is `Send + Sync` and cheap to wrap in an `Arc`), and ask it to
/// [`decide`](Policy::decide) each request.
///
/// ```
/// use cors_core::Policy;
///
/// let policy = Policy::builder()
///     .allow_origins(["https://app.example.com", "https://*.example.com"])
///     .allow_methods(["GET", "POST", "PUT", "DELETE"])
///     .allow_headers(["content-type", "authorization"])
///     .expose_headers(["x-request-id"])
///     .allow_credentials(true)
///     .max_age(600)
///     .build()?;
/// # Ok::<(), cors_core::PolicyError>(())
/// ```
pub struct Policy {
    pub(crate) origins: AllowOrigins,
    pub(crate) methods: AllowMethods,
    pub(crate) headers: AllowHeaders,
    pub(crate) expose_headers: Option<PolicyValue>,
    pub(crate) credentials: bool,
    pub(crate) max_age: Option<PolicyValue>,
    pub(crate) private_network: bool,
    pub(crate) preflight_status: u16,
    pub(crate) vary_actual: Vary,
    pub(crate) vary_preflight: Vary,
    pub(crate) warnings: Vec<Problem>,
    pub(crate) diagnostics: bool,
    /// The constant headers of an allowed preflight, in an adapter's header map, made on
    /// first use: see [`Preflight::prepared_constant`](crate::adapter::Preflight::prepared_constant).
    pub(crate) preflight_blocks: PreflightBlocks,
}

/// One prepared block per shape of an allowed preflight's constant headers: with and
/// without `Access-Control-Allow-Headers` (written only when the preflight asked for
/// headers). Each holds the first adapter's header map type that asked.
#[derive(Default)]
pub(crate) struct PreflightBlocks(pub(crate) [OnceLock<Box<dyn Any + Send + Sync>>; 2]);

impl fmt::Debug for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Policy")
            .field("origins", &self.origins)
            .field("methods", &self.methods)
            .field("headers", &self.headers)
            .field("expose_headers", &self.expose_headers)
            .field("credentials", &self.credentials)
            .field("max_age", &self.max_age)
            .field("private_network", &self.private_network)
            .field("preflight_status", &self.preflight_status)
            .finish_non_exhaustive()
    }
}

impl Policy {
    /// A builder with the safest defaults: no origin allowed, methods `GET`, `HEAD` and
    /// `POST`, no extra request header, nothing exposed, no credentials, no max age, no
    /// private network access, and 204 for allowed preflights.
    pub fn builder() -> PolicyBuilder {
        PolicyBuilder::default()
    }

    /// Whether the policy has an asynchronous origin lookup, so that adapters must call
    /// [`Policy::decide_async`].
    pub fn has_origin_lookup(&self) -> bool {
        self.origins.has_lookup()
    }

    /// Whether credentialed requests (cookies, `Authorization`) are allowed.
    pub fn allows_credentials(&self) -> bool {
        self.credentials
    }

    /// What the policy allows that is legal but probably not meant, such as a subdomain
    /// pattern over a public suffix without credentials, or names that `*` already covers.
    /// Worth logging at startup.
    pub fn warnings(&self) -> &[Problem] {
        &self.warnings
    }

    /// The `Vary` tokens of responses to actual and non-CORS requests.
    pub fn vary_actual(&self) -> &[&'static str] {
        self.vary_actual.tokens()
    }

    /// The `Vary` tokens of preflight responses.
    pub fn vary_preflight(&self) -> &[&'static str] {
        self.vary_preflight.tokens()
    }
}

/// Describes in plain words what the policy allows.
impl fmt::Display for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "Origins allowed:")?;
        self.origins.describe(f)?;
        writeln!(
            f,
            "Methods a preflight may ask for: {} (GET, HEAD and POST always pass)",
            self.methods.names().join(", ")
        )?;
        let headers = self.headers.names();
        if headers.is_empty() {
            writeln!(f, "Request headers: only the CORS-safelisted ones")?;
        } else {
            writeln!(f, "Request headers: {}", headers.join(", "))?;
        }
        match &self.expose_headers {
            Some(v) => writeln!(f, "Response headers scripts may read: {}", v.as_str())?,
            None => writeln!(
                f,
                "Response headers scripts may read: only the CORS-safelisted ones"
            )?,
        }
        let credentials = if self.credentials {
            "allowed"
        } else {
            "not allowed"
        };
        writeln!(f, "Credentials (cookies, Authorization): {credentials}")?;
        match &self.max_age {
            Some(v) => writeln!(
                f,
                "Browsers may cache a preflight for {} seconds",
                v.as_str()
            )?,
            None => writeln!(
                f,
                "Browsers cache a preflight for their default (5 seconds)"
            )?,
        }
        let pna = if self.private_network {
            "allowed"
        } else {
            "not allowed"
        };
        writeln!(f, "Private network access: {pna}")?;
        writeln!(
            f,
            "Allowed preflights are answered with status {}",
            self.preflight_status
        )?;
        let vary = self.vary_actual.tokens();
        if vary.is_empty() {
            write!(
                f,
                "Vary: none needed (every response is the same for every origin)"
            )
        } else {
            write!(f, "Vary on every response: {}", vary.join(", "))
        }
    }
}

/// Builds a [`Policy`]. Nothing is checked until [`build`](PolicyBuilder::build), which
/// reports every problem at once, each naming the policy-file field it concerns.
#[derive(Clone)]
pub struct PolicyBuilder {
    origins: Vec<String>,
    predicate: Option<OriginPredicate>,
    lookup: Option<Arc<dyn OriginLookup>>,
    methods: Option<Vec<String>>,
    headers: Vec<String>,
    expose_headers: Vec<String>,
    credentials: bool,
    plain_http_with_credentials: bool,
    max_age: Option<u64>,
    private_network: bool,
    preflight_status: u16,
    diagnostics: bool,
}

impl Default for PolicyBuilder {
    fn default() -> Self {
        PolicyBuilder {
            origins: Vec::new(),
            predicate: None,
            lookup: None,
            methods: None,
            headers: Vec::new(),
            expose_headers: Vec::new(),
            credentials: false,
            plain_http_with_credentials: false,
            max_age: None,
            private_network: false,
            preflight_status: 204,
            diagnostics: false,
        }
    }
}

impl fmt::Debug for PolicyBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PolicyBuilder")
            .field("origins", &self.origins)
            .field("methods", &self.methods)
            .field("headers", &self.headers)
            .field("expose_headers", &self.expose_headers)
            .field("credentials", &self.credentials)
            .field("max_age", &self.max_age)
            .finish_non_exhaustive()
    }
}

fn strings(items: impl IntoIterator<Item = impl AsRef<str>>) -> impl Iterator<Item = String> {
    items.into_iter().map(|s| s.as_ref().to_owned())
}

impl PolicyBuilder {
    /// Adds origins: exact ones (`https://app.example.com`), subdomain patterns
    /// (`https://*.example.com`), any-port patterns (`http://localhost:*`), `null`, or
    /// `*` alone for any origin.
    pub fn allow_origins(mut self, origins: impl IntoIterator<Item = impl AsRef<str>>) -> Self {
        self.origins.extend(strings(origins));
        self
    }

    /// Adds one origin; see [`allow_origins`](Self::allow_origins).
    pub fn allow_origin(mut self, origin: impl AsRef<str>) -> Self {
        self.origins.push(origin.as_ref().to_owned());
        self
    }

    /// Allows any origin, answered with `*`. Refused with credentials.
    pub fn allow_any_origin(self) -> Self {
        self.allow_origin("*")
    }

    /// Also allows the origins for which `predicate` returns `true`. It sees
    /// well-formed serialized origins only (never `null`), and an allowed origin is
    /// echoed.
    ///
    /// With credentials, [`build`](Self::build) asks the predicate about origins that
    /// nobody can own (under the reserved `.invalid` top-level domain, RFC 2606) and
    /// refuses the policy if it allows one: such a predicate reflects every origin,
    /// which would let any site read your users' data.
    ///
    /// ```
    /// use cors_core::Policy;
    ///
    /// let reflect_all = Policy::builder()
    ///     .allow_origin_fn(|_| true)
    ///     .allow_credentials(true)
    ///     .build();
    /// assert!(reflect_all.is_err());
    ///
    /// let own_tenants = Policy::builder()
    ///     .allow_origin_fn(|origin| origin.ends_with(".tenants.example.com"))
    ///     .allow_credentials(true)
    ///     .build();
    /// assert!(own_tenants.is_ok());
    /// ```
    pub fn allow_origin_fn(
        mut self,
        predicate: impl Fn(&str) -> bool + Send + Sync + 'static,
    ) -> Self {
        self.predicate = Some(Arc::new(predicate));
        self
    }

    /// Also allows the origins that an asynchronous [`OriginLookup`] accepts.
    pub fn allow_origin_lookup(mut self, lookup: impl OriginLookup) -> Self {
        self.lookup = Some(Arc::new(lookup));
        self
    }

    /// Sets the methods a preflight may ask for, replacing the default `GET`, `HEAD`,
    /// `POST`. `*` allows any method. Compared case-sensitively, as browsers do; the
    /// six standard methods are upper-cased, as `fetch()` does.
    pub fn allow_methods(mut self, methods: impl IntoIterator<Item = impl AsRef<str>>) -> Self {
        self.methods = Some(strings(methods).collect());
        self
    }

    /// Allows any method.
    pub fn allow_any_method(self) -> Self {
        self.allow_methods(["*"])
    }

    /// Adds request headers a preflight may ask for. `*` allows any header but
    /// `authorization`, which must be listed too.
    pub fn allow_headers(mut self, headers: impl IntoIterator<Item = impl AsRef<str>>) -> Self {
        self.headers.extend(strings(headers));
        self
    }

    /// Allows any request header but `authorization`.
    pub fn allow_any_header(self) -> Self {
        self.allow_headers(["*"])
    }

    /// Adds response headers that scripts may read. `*` exposes all (refused with
    /// credentials, where browsers read it as a header named `*`).
    pub fn expose_headers(mut self, headers: impl IntoIterator<Item = impl AsRef<str>>) -> Self {
        self.expose_headers.extend(strings(headers));
        self
    }

    /// Allows credentialed requests (cookies, `Authorization`, client certificates).
    pub fn allow_credentials(mut self, allow: bool) -> Self {
        self.credentials = allow;
        self
    }

    /// Accepts plain `http://` origins other than loopback together with credentials.
    /// Refused by default: anyone on the network path between such a page and its users
    /// can inject script into it and read the credentialed responses.
    pub fn allow_credentials_over_plain_http(mut self, allow: bool) -> Self {
        self.plain_http_with_credentials = allow;
        self
    }

    /// How long, in seconds, browsers may cache a preflight's result (at most 86400).
    pub fn max_age(mut self, seconds: u64) -> Self {
        self.max_age = Some(seconds);
        self
    }

    /// [`max_age`](Self::max_age) from a `Duration`, in whole seconds.
    pub fn max_age_duration(self, duration: Duration) -> Self {
        self.max_age(duration.as_secs())
    }

    /// Answers preflights that ask for private network access
    /// (`Access-Control-Request-Private-Network: true`).
    ///
    /// Legacy: Chromium replaced these preflights in 2025 by the Local Network Access
    /// permission prompt, which no server header can answer; this serves the browsers
    /// that still send them.
    pub fn allow_private_network(mut self, allow: bool) -> Self {
        self.private_network = allow;
        self
    }

    /// The status of an allowed preflight: 204 by default; 200 for old clients that
    /// mishandle 204. Any 2xx status is accepted.
    pub fn preflight_status(mut self, status: u16) -> Self {
        self.preflight_status = status;
        self
    }

    /// Diagnostics mode, for development only (off by default). A preflight from an
    /// allowed origin that is refused for its method, for a header missing from a
    /// listed `allow_headers`, or for private network access is then answered with the
    /// success status, `Access-Control-Allow-Origin` and the policy's lists of methods
    /// and headers, so that the browser's console names the exact method or header that
    /// is missing, instead of a bare "status 403". The browser still blocks the request,
    /// and the refusal is still logged.
    ///
    /// Nothing changes for refused origins, for malformed or oversized
    /// `Access-Control-Request-*` values, nor for `authorization` under
    /// `allow_headers = ["*"]` (browsers that let `*` cover `authorization` would pass
    /// such an explanation): those stay a plain 403.
    pub fn diagnostics(mut self, on: bool) -> Self {
        self.diagnostics = on;
        self
    }

    /// Validates everything and builds the policy, or returns every problem found.
    pub fn build(self) -> Result<Policy, PolicyError> {
        let mut problems = Vec::new();
        let mut warnings = Vec::new();
        let entries = self.check_origins(&mut problems, &mut warnings);
        self.check_predicate(&mut problems, &mut warnings);
        let methods = self.check_methods(&mut problems, &mut warnings);
        let headers = check_list(
            "allow_headers",
            &self.headers,
            allow_headers::parse_entry,
            &mut problems,
        );
        refuse_names(
            "allow_headers",
            &self.headers,
            guards::forbidden_request_header,
            "is a forbidden request header: browsers never let a script set it, so allowing it does nothing",
            &mut problems,
        );
        if headers.iter().any(|h| h == "*") {
            // `*` never covers `authorization` (Fetch Standard, CORS non-wildcard
            // request-header name): listing it beside `*` means something.
            let covered = |name: &str| !name.eq_ignore_ascii_case("authorization");
            warn_covered_by_star("allow_headers", &self.headers, covered, &mut warnings);
        }
        let expose = self.check_expose(&mut problems);
        if !self.credentials && expose.iter().any(|h| h == "*") {
            warn_covered_by_star(
                "expose_headers",
                &self.expose_headers,
                |_| true,
                &mut warnings,
            );
        }
        if self.max_age.is_some_and(|age| age > MAX_MAX_AGE) {
            let age = self.max_age.unwrap_or_default();
            problems.push(Problem::new(
                ProblemKind::OutOfRange,
                "max_age",
                format!(
                    "{age} is more than {MAX_MAX_AGE} seconds (one day), which no browser honours"
                ),
            ));
        }
        if !(200..=299).contains(&self.preflight_status) {
            problems.push(Problem::new(
                ProblemKind::OutOfRange,
                "preflight_status",
                format!(
                    "{} is not a 2xx status; browsers fail a preflight with any other",
                    self.preflight_status
                ),
            ));
        }
        if !problems.is_empty() {
            return Err(PolicyError::new(problems));
        }
        let mut policy = self.compile(entries, methods, headers, expose);
        policy.warnings = warnings;
        Ok(policy)
    }

    fn check_origins(
        &self,
        problems: &mut Vec<Problem>,
        warnings: &mut Vec<Problem>,
    ) -> Vec<OriginEntry> {
        let context = guards::Context {
            credentials: self.credentials,
            plain_http_with_credentials: self.plain_http_with_credentials,
            origin_count: self.origins.len(),
        };
        let mut entries = Vec::with_capacity(self.origins.len());
        for (i, raw) in self.origins.iter().enumerate() {
            let field = format!("allow_origins[{i}]");
            match origin::parse_entry(raw) {
                Ok(entry) => {
                    let found = guards::check_origin(&entry, raw, &context);
                    for (kind, message) in found.errors {
                        problems.push(Problem::new(kind, field.clone(), message));
                    }
                    for message in found.warnings {
                        warnings.push(Problem::new(ProblemKind::Doubtful, field.clone(), message));
                    }
                    entries.push(entry);
                }
                Err(reason) => problems.push(Problem::new(
                    ProblemKind::Malformed,
                    field,
                    format!("{raw:?} {reason}"),
                )),
            }
        }
        entries
    }

    /// Asks the origin predicate about origins nobody can own: one that allows them
    /// allows every origin, like `*`.
    fn check_predicate(&self, problems: &mut Vec<Problem>, warnings: &mut Vec<Problem>) {
        let Some(predicate) = &self.predicate else {
            return;
        };
        let Some(unowned) = UNOWNED_ORIGINS.iter().find(|origin| predicate(origin)) else {
            return;
        };
        let message = format!(
            "the origin predicate allows {unowned:?}, an origin under the reserved .invalid domain that nobody can own, so it allows every origin"
        );
        if self.credentials {
            problems.push(Problem::new(
                ProblemKind::Insecure,
                "allow_origin_fn",
                format!("{message}; with allow_credentials = true that would let any site read your users' data: allow only the origins you trust"),
            ));
        } else {
            warnings.push(Problem::new(
                ProblemKind::Doubtful,
                "allow_origin_fn",
                format!("{message}; allow_origins = [\"*\"] says so plainly and needs no Vary"),
            ));
        }
    }

    fn check_methods(
        &self,
        problems: &mut Vec<Problem>,
        warnings: &mut Vec<Problem>,
    ) -> AllowMethods {
        let Some(raw) = &self.methods else {
            return AllowMethods::list(
                allow_methods::DEFAULT
                    .iter()
                    .map(|m| (*m).to_owned())
                    .collect(),
            );
        };
        let methods = check_list("allow_methods", raw, allow_methods::parse_entry, problems);
        refuse_names(
            "allow_methods",
            raw,
            allow_methods::is_forbidden,
            "is a forbidden method: browsers never send it cross-origin",
            problems,
        );
        if methods.iter().any(|m| m == "*") {
            warn_covered_by_star("allow_methods", raw, |_| true, warnings);
            return AllowMethods::Any;
        }
        AllowMethods::list(methods)
    }

    fn check_expose(&self, problems: &mut Vec<Problem>) -> Vec<String> {
        let names = check_list(
            "expose_headers",
            &self.expose_headers,
            allow_headers::parse_entry,
            problems,
        );
        refuse_names(
            "expose_headers",
            &self.expose_headers,
            guards::forbidden_response_header,
            "can never be read by a script (browsers withhold it from every response), so exposing it does nothing",
            problems,
        );
        if self.credentials {
            if let Some(star) = names.iter().position(|n| n == "*") {
                problems.push(Problem::new(
                    ProblemKind::Meaningless,
                    format!("expose_headers[{star}]"),
                    "\"*\" with allow_credentials = true is read by browsers as a header literally named `*`; list the headers to expose",
                ));
            }
        }
        names
    }

    fn compile(
        self,
        entries: Vec<OriginEntry>,
        methods: AllowMethods,
        headers: Vec<String>,
        expose: Vec<String>,
    ) -> Policy {
        let origins = AllowOrigins::new(entries, self.predicate, self.lookup);
        let headers = AllowHeaders::new(headers);
        let (vary_actual, vary_preflight) = vary_for(
            &origins,
            &methods,
            &headers,
            self.credentials,
            self.private_network,
        );
        let mut expose = expose;
        expose.dedup();
        let expose_headers = (!expose.is_empty()).then(|| PolicyValue::new(expose.join(", ")));
        Policy {
            origins,
            methods,
            headers,
            expose_headers,
            credentials: self.credentials,
            max_age: self.max_age.map(|age| PolicyValue::new(age.to_string())),
            private_network: self.private_network,
            preflight_status: self.preflight_status,
            vary_actual,
            vary_preflight,
            warnings: Vec::new(),
            diagnostics: self.diagnostics,
            preflight_blocks: PreflightBlocks::default(),
        }
    }
}

/// One rule for `allow_methods`, `allow_headers` and `expose_headers`: `*` may stand
/// beside names, and a warning says which names it already `covers`.
fn warn_covered_by_star(
    field: &str,
    raw: &[String],
    covers: impl Fn(&str) -> bool,
    warnings: &mut Vec<Problem>,
) {
    for (i, entry) in raw.iter().enumerate() {
        if entry != "*" && covers(entry) {
            warnings.push(Problem::new(
                ProblemKind::Redundant,
                format!("{field}[{i}]"),
                format!("{entry:?} is already covered by \"*\"; the name is redundant"),
            ));
        }
    }
}

/// Origins that nobody can own (RFC 2606 reserves `.invalid`), asked of an origin
/// predicate when the policy is built.
const UNOWNED_ORIGINS: [&str; 2] = ["https://cors-check.invalid", "http://cors-check.invalid"];

/// Records a problem for each entry that names a header `forbidden` says is pointless.
fn refuse_names(
    field: &str,
    raw: &[String],
    forbidden: fn(&str) -> bool,
    why: &str,
    problems: &mut Vec<Problem>,
) {
    for (i, entry) in raw.iter().enumerate() {
        if forbidden(&entry.to_ascii_lowercase()) {
            problems.push(Problem::new(
                ProblemKind::Meaningless,
                format!("{field}[{i}]"),
                format!("{entry:?} {why}"),
            ));
        }
    }
}

/// Validates the entries of one list field, recording a problem per bad entry.
fn check_list(
    field: &str,
    raw: &[String],
    parse: fn(&str) -> Result<String, String>,
    problems: &mut Vec<Problem>,
) -> Vec<String> {
    let mut parsed = Vec::with_capacity(raw.len());
    for (i, entry) in raw.iter().enumerate() {
        match parse(entry) {
            Ok(value) => parsed.push(value),
            Err(reason) => problems.push(Problem::new(
                ProblemKind::Malformed,
                format!("{field}[{i}]"),
                format!("{entry:?} {reason}"),
            )),
        }
    }
    parsed
}

/// Which request headers each kind of response depends on (Fetch, "CORS protocol and
/// HTTP caches"): a response that is the same for every request needs no `Vary`.
fn vary_for(
    origins: &AllowOrigins,
    methods: &AllowMethods,
    headers: &AllowHeaders,
    credentials: bool,
    private_network: bool,
) -> (Vary, Vary) {
    // `*` without credentials is the only answer that does not depend on the origin
    // (the builder refuses `*` with credentials).
    let by_origin = !origins.is_any();
    // Only a wildcard sent as `*` answers every request alike; with credentials the
    // wildcard echoes the request.
    let by_method = credentials || !methods.is_any();
    let by_headers = credentials || !headers.is_any_with_authorization();
    let actual = if by_origin {
        vec![vary::ORIGIN]
    } else {
        vec![]
    };
    let mut preflight = actual.clone();
    if by_method {
        preflight.push(vary::REQUEST_METHOD);
    }
    if by_headers {
        preflight.push(vary::REQUEST_HEADERS);
    }
    if private_network {
        preflight.push(vary::REQUEST_PRIVATE_NETWORK);
    }
    (Vary::new(actual), Vary::new(preflight))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(builder: PolicyBuilder) -> Vec<String> {
        builder
            .build()
            .unwrap_err()
            .problems()
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn every_problem_is_reported_with_its_field() {
        let found = problems(
            Policy::builder()
                .allow_origins(["https://a.com/", "https://b.com:443", "https://ok.com"])
                .allow_methods(["GET", "TRACE"])
                .allow_headers(["x ok"])
                .expose_headers(["*"])
                .allow_credentials(true)
                .max_age(86_401)
                .preflight_status(302),
        );
        let fields: Vec<&str> = found.iter().map(|p| p.split(':').next().unwrap()).collect();
        assert_eq!(
            fields,
            [
                "allow_origins[0]",
                "allow_origins[1]",
                "allow_methods[1]",
                "allow_headers[0]",
                "expose_headers[0]",
                "max_age",
                "preflight_status"
            ]
        );
    }

    #[test]
    fn insecure_combinations_are_refused() {
        let any_credentials =
            problems(Policy::builder().allow_any_origin().allow_credentials(true));
        assert!(any_credentials[0]
            .starts_with("allow_origins[0]: \"*\" cannot be used with allow_credentials"));
        let null_credentials = problems(
            Policy::builder()
                .allow_origins(["null"])
                .allow_credentials(true),
        );
        assert!(null_credentials[0].starts_with("allow_origins[0]: \"null\" cannot be used"));
        let mixed = problems(Policy::builder().allow_origins(["https://a.com", "*"]));
        assert!(
            mixed[0].starts_with("allow_origins[1]: \"*\" allows every origin and cannot be mixed")
        );
        for method in ["CONNECT", "trace", "Track"] {
            assert!(problems(Policy::builder().allow_methods([method]))[0].contains("forbidden"));
        }
    }

    #[test]
    fn vary_depends_on_what_the_answer_depends_on() {
        let any = Policy::builder()
            .allow_any_origin()
            .allow_any_method()
            .allow_headers(["*", "authorization"])
            .build()
            .unwrap();
        assert!(any.vary_actual().is_empty());
        assert!(any.vary_preflight().is_empty());
        let listed = Policy::builder()
            .allow_origins(["https://a.com"])
            .allow_private_network(true)
            .build()
            .unwrap();
        assert_eq!(listed.vary_actual(), ["origin"]);
        assert_eq!(
            listed.vary_preflight(),
            [
                "origin",
                "access-control-request-method",
                "access-control-request-headers",
                "access-control-request-private-network"
            ]
        );
        let star_headers = Policy::builder()
            .allow_any_origin()
            .allow_any_method()
            .allow_any_header()
            .build()
            .unwrap();
        assert_eq!(
            star_headers.vary_preflight(),
            ["access-control-request-headers"]
        );
    }

    #[test]
    fn description_reads_as_plain_words() {
        let policy = Policy::builder()
            .allow_origins([
                "https://app.example.com",
                "https://*.example.com",
                "http://localhost:*",
            ])
            .allow_credentials(true)
            .build()
            .unwrap();
        let text = policy.to_string();
        assert!(text.contains("exactly https://app.example.com"), "{text}");
        assert!(
            text.contains("any subdomain of example.com over https (not example.com itself)"),
            "{text}"
        );
        assert!(text.contains("http://localhost on any port"), "{text}");
        assert!(
            text.contains("Credentials (cookies, Authorization): allowed"),
            "{text}"
        );
    }
}
