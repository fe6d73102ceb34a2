//! The decision: one pure function from a policy and a request to what the middleware
//! does, and the headers it writes.

use std::any::Any;

use crate::allow_headers::AllowHeaders;
use crate::allow_methods::AllowMethods;
use crate::allow_origins::{AllowedAs, OriginMatch};
use crate::refusal::Refusal;
use crate::request::{RequestView, Single};
use crate::response::{CorsHeader, ResponseHeaders, Value};
use crate::token::is_token;
use crate::Policy;

/// What the policy decided for one request.
///
/// Adapters usually log [`Decision::refusal`] and then act on
/// [`Decision::into_action`]; the five variants are there for tests, metrics and
/// anyone who wants to treat the cases differently.
#[derive(Debug)]
pub enum Decision<'a> {
    /// No `Origin`: not a CORS request. The application answers; the response gets the
    /// policy's `Vary` (and, under a `*` policy, the same `*` as any response).
    NotCors(ActualHeaders),
    /// An allowed preflight, to be answered now, without calling the application.
    PreflightAllowed(Preflight<'a>),
    /// A refused preflight, to be answered now with 403 and no `Access-Control-Allow-*`.
    PreflightRefused(Preflight<'a>, Refusal<'a>),
    /// An actual request from an allowed origin. The application answers; the response
    /// gets these headers.
    ActualAllowed(ActualHeaders),
    /// An actual request from a refused origin. The application still answers (CORS
    /// protects the reader, not the server), without `Access-Control-Allow-*` headers
    /// (except the `*` that a `*` policy sends on every response).
    ActualRefused(ActualHeaders, Refusal<'a>),
}

/// What an adapter does with a [`Decision`].
#[derive(Debug)]
pub enum Action<'a> {
    /// Answer now with this status and headers and an empty body; never call the app.
    Respond(Preflight<'a>),
    /// Call the application, then write these headers into its response, whatever its
    /// status (errors included, so that the browser lets the script read them).
    Forward(ActualHeaders),
}

impl<'a> Decision<'a> {
    /// Why the request was refused, if it was.
    pub fn refusal(&self) -> Option<&Refusal<'a>> {
        match self {
            Decision::PreflightRefused(_, refusal) | Decision::ActualRefused(_, refusal) => {
                Some(refusal)
            }
            _ => None,
        }
    }

    /// What the adapter must do.
    pub fn into_action(self) -> Action<'a> {
        match self {
            Decision::PreflightAllowed(p) | Decision::PreflightRefused(p, _) => Action::Respond(p),
            Decision::NotCors(h) | Decision::ActualAllowed(h) | Decision::ActualRefused(h, _) => {
                Action::Forward(h)
            }
        }
    }

    /// A short name of the variant, for logs and test reports: `not-cors`,
    /// `preflight-allowed`, `preflight-refused`, `actual-allowed` or `actual-refused`.
    pub fn kind(&self) -> &'static str {
        match self {
            Decision::NotCors(_) => "not-cors",
            Decision::PreflightAllowed(_) => "preflight-allowed",
            Decision::PreflightRefused(..) => "preflight-refused",
            Decision::ActualAllowed(_) => "actual-allowed",
            Decision::ActualRefused(..) => "actual-refused",
        }
    }
}

/// The `Access-Control-Allow-Origin` value for an origin allowed `how`; an echoed
/// origin is the request's, which the adapter holds.
fn allow_origin_value(how: AllowedAs) -> Value<'static> {
    match how {
        AllowedAs::Any => Value::Static("*"),
        AllowedAs::Echo => Value::RequestOrigin,
    }
}

/// The headers for the response to an actual (non-preflight) request. It borrows
/// nothing, so an adapter can keep it while the application runs, and must hand it back
/// to the same policy that decided.
#[derive(Debug, Clone, Copy)]
pub struct ActualHeaders {
    /// How `Access-Control-Allow-Origin` is answered, if at all.
    allow_origin: Option<AllowedAs>,
    /// Whether the request's origin was allowed. Not the same as `allow_origin`: a `*`
    /// policy answers `*` to requests without an origin and to refused ones too.
    allowed: bool,
}

impl ActualHeaders {
    /// Writes the CORS headers into the application's response: for an allowed origin
    /// `Access-Control-Allow-Origin`, `-Allow-Credentials` and `-Expose-Headers`; in
    /// every case the policy's `Vary`, merged with the application's.
    ///
    /// The middleware is the one owner of the headers that let a script read the
    /// response: whatever `Access-Control-Allow-Origin`, `-Allow-Credentials` or
    /// `-Expose-Headers` the application (or an upstream it proxies) set is replaced, or
    /// removed where the policy sends none, so that a handler can never widen the
    /// policy.
    ///
    /// Under a policy of any origin (`*`), every response carries
    /// `Access-Control-Allow-Origin: *` and the exposed headers, to requests without
    /// `Origin` and refused ones included: the answer is then the same for every
    /// request, so a cache (a CDN's or the browser's) that stores any of them serves a
    /// copy every reader may use (Fetch Standard, "CORS protocol and HTTP caches",
    /// <https://fetch.spec.whatwg.org/#cors-protocol-and-http-caches>).
    pub fn write_to<'p>(&self, policy: &'p Policy, headers: &mut impl ResponseHeaders<'p>) {
        match self.allow_origin {
            Some(how) => {
                headers.set(CorsHeader::AllowOrigin, allow_origin_value(how));
                if policy.credentials {
                    headers.set(CorsHeader::AllowCredentials, Value::Static("true"));
                } else {
                    headers.remove(CorsHeader::AllowCredentials);
                }
                match &policy.expose_headers {
                    Some(expose) => headers.set(CorsHeader::ExposeHeaders, Value::Shared(expose)),
                    None => headers.remove(CorsHeader::ExposeHeaders),
                }
            }
            None => {
                headers.remove(CorsHeader::AllowOrigin);
                headers.remove(CorsHeader::AllowCredentials);
                headers.remove(CorsHeader::ExposeHeaders);
            }
        }
        policy.vary_actual.write_to(headers);
    }

    /// Whether the request's origin was allowed (`false` without an origin).
    pub fn is_allowed(&self) -> bool {
        self.allowed
    }

    /// Whether [`ActualHeaders::write_to`] will write [`Value::RequestOrigin`]: an
    /// adapter keeps the request's `Origin` for the response only then (not for a
    /// refused origin, nor for `*`).
    ///
    /// ```
    /// use cors_core::Policy;
    /// use cors_core::adapter::{Action, RequestView};
    ///
    /// let uses_origin = |policy: &Policy, origin: &[u8]| {
    ///     let request = RequestView::new("GET").origin([origin]);
    ///     let Action::Forward(actual) = policy.decide(&request).into_action() else { unreachable!() };
    ///     actual.uses_request_origin()
    /// };
    /// let listed = Policy::builder().allow_origins(["https://app.example.com"]).build()?;
    /// assert!(uses_origin(&listed, b"https://app.example.com"));
    /// assert!(!uses_origin(&listed, b"https://evil.example"));
    /// let any = Policy::builder().allow_any_origin().build()?;
    /// assert!(!uses_origin(&any, b"https://app.example.com"));
    /// # Ok::<(), cors_core::PolicyError>(())
    /// ```
    pub fn uses_request_origin(&self) -> bool {
        self.allow_origin == Some(AllowedAs::Echo)
    }
}

/// The answer to a preflight: a status and headers, for an empty body.
#[derive(Debug)]
pub struct Preflight<'a> {
    policy: &'a Policy,
    allowed: Option<AllowedPreflight<'a>>,
    /// In diagnostics mode, the allowed origin of a preflight refused for its method,
    /// headers or private network access.
    explained: Option<AllowedAs>,
}

#[derive(Debug)]
struct AllowedPreflight<'a> {
    origin: AllowedAs,
    method: &'a [u8],
    header_lines: &'a [&'a [u8]],
    asked_headers: bool,
    private_network: bool,
}

impl<'a> Preflight<'a> {
    /// 204 (or the policy's configured success status) when allowed, 403 when refused.
    /// In diagnostics mode a preflight from an allowed origin that was refused for a
    /// method or a listed header it lacks gets the success status too: see
    /// [`PolicyBuilder::diagnostics`](crate::PolicyBuilder::diagnostics).
    pub fn status(&self) -> u16 {
        match (&self.allowed, &self.explained) {
            (None, None) => 403,
            _ => self.policy.preflight_status,
        }
    }

    /// Whether the preflight was allowed.
    pub fn is_allowed(&self) -> bool {
        self.allowed.is_some()
    }

    /// Writes the preflight's headers into an empty response: for an allowed preflight,
    /// [`write_constant`](Self::write_constant) then
    /// [`write_variable`](Self::write_variable).
    pub fn write_to(&self, headers: &mut impl ResponseHeaders<'a>) {
        if self.allowed.is_some() {
            self.write_constant(headers);
            self.write_variable(headers);
        } else {
            if let Some(origin) = self.explained {
                self.write_explanation(origin, headers);
            }
            self.policy.vary_preflight.write_to(headers);
        }
    }

    /// The part of an allowed preflight's headers that is the same for every allowed
    /// preflight of its shape under this policy (credentials, the method and header
    /// lists unless they echo the request, the max age, `Vary`), so that an adapter can
    /// prepare it once ([`Preflight::prepared_constant`]) and copy it. Nothing for a
    /// refused preflight.
    pub fn write_constant(&self, headers: &mut impl ResponseHeaders<'a>) {
        let Some(allowed) = &self.allowed else {
            return;
        };
        let policy = self.policy;
        if policy.credentials {
            headers.set(CorsHeader::AllowCredentials, Value::Static("true"));
        }
        let (echo_method, echo_headers) = echoes(policy);
        if !echo_method {
            write_allow_methods(policy, None, headers);
        }
        if allowed.asked_headers && !echo_headers {
            write_allow_headers(policy, None, headers);
        }
        if let Some(max_age) = &policy.max_age {
            headers.set(CorsHeader::MaxAge, Value::Shared(max_age));
        }
        policy.vary_preflight.write_to(headers);
    }

    /// The part of an allowed preflight's headers that depends on the request: the
    /// allowed origin, the echoed method and headers under credentials, private network
    /// access. Nothing for a refused preflight.
    pub fn write_variable(&self, headers: &mut impl ResponseHeaders<'a>) {
        let Some(allowed) = &self.allowed else {
            return;
        };
        let policy = self.policy;
        headers.set(CorsHeader::AllowOrigin, allow_origin_value(allowed.origin));
        let (echo_method, echo_headers) = echoes(policy);
        if echo_method {
            write_allow_methods(policy, Some(allowed.method), headers);
        }
        if allowed.asked_headers && echo_headers {
            write_allow_headers(policy, Some(allowed.header_lines), headers);
        }
        if allowed.private_network {
            headers.set(CorsHeader::AllowPrivateNetwork, Value::Static("true"));
        }
    }

    /// For an allowed preflight, the policy's copy of its [constant
    /// headers](Self::write_constant) in the adapter's type `T`, made by `prepare` the
    /// first time a preflight of its shape is answered and kept as long as the policy:
    /// the adapter copies it and adds [the variable part](Self::write_variable), instead
    /// of writing every header on every preflight. `None` for a refused preflight, or when
    /// another type holds the slot (two adapters of different frameworks sharing one
    /// policy): then write the headers with [`write_to`](Self::write_to).
    pub fn prepared_constant<T: Any + Send + Sync>(
        &self,
        prepare: impl FnOnce() -> T,
    ) -> Option<&'a T> {
        let allowed = self.allowed.as_ref()?;
        let slot = &self.policy.preflight_blocks.0[usize::from(allowed.asked_headers)];
        slot.get_or_init(|| Box::new(prepare())).downcast_ref::<T>()
    }

    /// What lets the browser name the refused method or header in its console: the
    /// origin is allowed, and the lists say what is (never echoed, and no max age, so
    /// that nothing is cached). The browser still blocks the request.
    fn write_explanation(&self, origin: AllowedAs, headers: &mut impl ResponseHeaders<'a>) {
        write_allow_origin(self.policy, origin, headers);
        write_allow_methods(self.policy, None, headers);
        write_allow_headers(self.policy, None, headers);
    }
}

/// Whether an allowed preflight's method and header lists echo the request: with
/// credentials a `*` is a name to the browser, so the wildcards echo what the preflight
/// asked for (Fetch, CORS-preflight fetch, step 7).
fn echoes(policy: &Policy) -> (bool, bool) {
    let any_method = matches!(policy.methods, AllowMethods::Any);
    let any_header = matches!(policy.headers, AllowHeaders::Any { .. });
    (
        policy.credentials && any_method,
        policy.credentials && any_header,
    )
}

/// `Access-Control-Allow-Origin`, and `-Allow-Credentials` with credentials.
fn write_allow_origin<'a>(policy: &Policy, how: AllowedAs, headers: &mut impl ResponseHeaders<'a>) {
    headers.set(CorsHeader::AllowOrigin, allow_origin_value(how));
    if policy.credentials {
        headers.set(CorsHeader::AllowCredentials, Value::Static("true"));
    }
}

/// `Access-Control-Allow-Methods`: the list; for `*`, the wildcard, or the requested
/// method when it is to be echoed.
fn write_allow_methods<'a>(
    policy: &'a Policy,
    echo: Option<&'a [u8]>,
    headers: &mut impl ResponseHeaders<'a>,
) {
    match (&policy.methods, echo) {
        (AllowMethods::Any, Some(method)) => {
            headers.set(CorsHeader::AllowMethods, Value::Request(method));
        }
        (AllowMethods::Any, None) => headers.set(CorsHeader::AllowMethods, Value::Static("*")),
        (AllowMethods::List { value: Some(v), .. }, _) => {
            headers.set(CorsHeader::AllowMethods, Value::Shared(v));
        }
        (AllowMethods::List { value: None, .. }, _) => {}
    }
}

/// `Access-Control-Allow-Headers`: the list; for `*`, the wildcard, or the checked
/// request lines when they are to be echoed (one response line each, which a browser
/// reads as one list).
fn write_allow_headers<'a>(
    policy: &'a Policy,
    echo: Option<&[&'a [u8]]>,
    headers: &mut impl ResponseHeaders<'a>,
) {
    match (&policy.headers, echo) {
        (AllowHeaders::Any { .. }, Some(lines)) => {
            for line in lines {
                headers.append(CorsHeader::AllowHeaders, Value::Request(line));
            }
        }
        (AllowHeaders::Any { value, .. }, None)
        | (
            AllowHeaders::List {
                value: Some(value), ..
            },
            _,
        ) => headers.set(CorsHeader::AllowHeaders, Value::Shared(value)),
        (AllowHeaders::List { value: None, .. }, _) => {}
    }
}

/// Whether diagnostics mode may answer a preflight refused for `refusal` with the
/// success status and the policy's lists. Only when those lists alone make every browser
/// block the request: a method or a listed header that the lists lack, or private
/// network access that the answer does not grant. Never for malformed or oversized
/// input, nor for `authorization` under `allow_headers = ["*"]`: shipping browsers still
/// let `Access-Control-Allow-Headers: *` cover it, so explaining would let it through.
fn can_be_explained(refusal: &Refusal<'_>) -> bool {
    matches!(
        refusal,
        Refusal::MethodNotAllowed { .. }
            | Refusal::HeaderNotAllowed {
                wildcard: false,
                ..
            }
            | Refusal::PrivateNetworkNotAllowed
    )
}

impl Policy {
    /// Decides what to do with a request. Pure, allocation-free and bounded in work
    /// whatever the request holds.
    ///
    /// For a policy with an [`OriginLookup`](crate::OriginLookup), an origin that only the
    /// lookup could allow is refused here with [`Refusal::LookupNotAwaited`]: call
    /// [`Policy::decide_async`] instead.
    ///
    /// ```
    /// use cors_core::Policy;
    /// use cors_core::adapter::{Decision, HeaderList, RequestView};
    ///
    /// let policy = Policy::builder()
    ///     .allow_origins(["https://app.example.com"])
    ///     .allow_methods(["GET", "PUT"])
    ///     .build()
    ///     .unwrap();
    /// let origin = b"https://app.example.com";
    /// let request = RequestView::new("OPTIONS")
    ///     .origin([&origin[..]])
    ///     .request_method([&b"PUT"[..]]);
    /// let Decision::PreflightAllowed(preflight) = policy.decide(&request) else {
    ///     panic!("refused")
    /// };
    /// assert_eq!(preflight.status(), 204);
    /// let mut headers = HeaderList::new(origin);
    /// preflight.write_to(&mut headers);
    /// assert_eq!(
    ///     headers.get_all("access-control-allow-methods").next(),
    ///     Some(&b"GET, PUT"[..])
    /// );
    /// ```
    pub fn decide<'a>(&'a self, request: &'a RequestView<'a>) -> Decision<'a> {
        self.decide_with(request, None)
    }

    /// Like [`Policy::decide`], but awaits the policy's [`OriginLookup`](crate::OriginLookup)
    /// when the origin needs it. Without a lookup it is exactly `decide`.
    pub async fn decide_async<'a>(&'a self, request: &'a RequestView<'a>) -> Decision<'a> {
        let looked_up = match self.origin_to_look_up(request) {
            Some(origin) => Some(self.look_up(origin).await),
            None => None,
        };
        self.decide_with(request, looked_up)
    }

    /// The origin that only the policy's [`OriginLookup`](crate::OriginLookup) can
    /// decide, if the request has one. Adapters need not call it: the adapter sequence
    /// ([`adapter::start`](crate::adapter::start)) waits for the lookup only then, on
    /// an owned copy of the request ([`adapter::Lookup`](crate::adapter::Lookup)).
    pub fn origin_to_look_up<'a>(&self, request: &RequestView<'a>) -> Option<&'a str> {
        match request.origin {
            Single::One(origin) if self.origins.find(origin) == OriginMatch::AskLookup => {
                std::str::from_utf8(origin).ok()
            }
            _ => None,
        }
    }

    /// Asks the policy's lookup about `origin`; `false` without a lookup.
    pub async fn look_up(&self, origin: &str) -> bool {
        match &self.origins.lookup {
            Some(lookup) => lookup.allows(origin).await,
            None => false,
        }
    }

    /// [`Policy::decide`] with the answer of the lookup for the request's origin.
    pub fn decide_looked_up<'a>(
        &'a self,
        request: &'a RequestView<'a>,
        allowed: bool,
    ) -> Decision<'a> {
        self.decide_with(request, Some(allowed))
    }

    /// Whether the policy allows `origin` (an `Origin` header's value), without deciding
    /// a CORS request or building a response: for requests that the CORS protocol does
    /// not protect but that should obey the same allowlist, above all WebSocket
    /// handshakes. A browser sends `Origin` on every WebSocket handshake and never
    /// preflights it, so a server that does not check it lets any page talk to it with
    /// its users' cookies (cross-site WebSocket hijacking).
    ///
    /// An origin that only the policy's [`OriginLookup`](crate::OriginLookup) could allow
    /// is not allowed here: use [`Policy::allows_origin_async`] with a lookup.
    ///
    /// ```
    /// use cors_core::Policy;
    ///
    /// let policy = Policy::builder()
    ///     .allow_origins(["https://app.example.com", "https://*.example.com"])
    ///     .allow_credentials(true)
    ///     .build()?;
    ///
    /// // In a WebSocket route, before upgrading the connection:
    /// let handshake_origin: Option<&[u8]> = Some(b"https://chat.example.com");
    /// let allowed = handshake_origin.is_some_and(|origin| policy.allows_origin(origin));
    /// assert!(allowed);
    /// assert!(!policy.allows_origin(b"https://evil.example"));
    /// assert!(!policy.allows_origin(b"null"));
    /// # Ok::<(), cors_core::PolicyError>(())
    /// ```
    pub fn allows_origin(&self, origin: &[u8]) -> bool {
        self.match_origin(origin, None).is_ok()
    }

    /// [`Policy::allows_origin`], awaiting the policy's
    /// [`OriginLookup`](crate::OriginLookup) when only the lookup can decide.
    pub async fn allows_origin_async(&self, origin: &[u8]) -> bool {
        let looked_up = match self.origins.find(origin) {
            OriginMatch::AskLookup => match std::str::from_utf8(origin) {
                Ok(text) => Some(self.look_up(text).await),
                Err(_) => Some(false),
            },
            _ => None,
        };
        self.match_origin(origin, looked_up).is_ok()
    }

    fn decide_with<'a>(
        &'a self,
        request: &'a RequestView<'a>,
        looked_up: Option<bool>,
    ) -> Decision<'a> {
        let origin = match request.origin {
            Single::Absent => return Decision::NotCors(self.unallowed_actual()),
            Single::Several => Err(Refusal::SeveralOrigins),
            Single::One(origin) => self.match_origin(origin, looked_up),
        };
        if !request.is_preflight() {
            return match origin {
                Ok(how) => Decision::ActualAllowed(ActualHeaders {
                    allow_origin: Some(how),
                    allowed: true,
                }),
                Err(refusal) => Decision::ActualRefused(self.unallowed_actual(), refusal),
            };
        }
        let refused = |explained, refusal| {
            let answer = Preflight {
                policy: self,
                allowed: None,
                explained,
            };
            Decision::PreflightRefused(answer, refusal)
        };
        let origin = match origin {
            Ok(origin) => origin,
            Err(refusal) => return refused(None, refusal),
        };
        match self.check_preflight(request, origin) {
            Ok(allowed) => Decision::PreflightAllowed(Preflight {
                policy: self,
                allowed: Some(allowed),
                explained: None,
            }),
            Err(refusal) => {
                let explained = (self.diagnostics && can_be_explained(&refusal)).then_some(origin);
                refused(explained, refusal)
            }
        }
    }

    /// The headers of an actual request whose origin is absent or refused: none but
    /// `Vary`, except under a `*` policy, whose `*` is the same for every request (see
    /// [`ActualHeaders::write_to`]).
    fn unallowed_actual(&self) -> ActualHeaders {
        ActualHeaders {
            allow_origin: self.origins.is_any().then_some(AllowedAs::Any),
            allowed: false,
        }
    }

    fn match_origin<'a>(
        &self,
        origin: &'a [u8],
        looked_up: Option<bool>,
    ) -> Result<AllowedAs, Refusal<'a>> {
        match (self.origins.find(origin), looked_up) {
            (OriginMatch::Allowed(how), _) => Ok(how),
            (OriginMatch::AskLookup, Some(true)) => Ok(AllowedAs::Echo),
            (OriginMatch::AskLookup, None) => Err(Refusal::LookupNotAwaited),
            (OriginMatch::AskLookup, Some(false)) | (OriginMatch::Refused, _) => {
                Err(Refusal::OriginNotAllowed { origin })
            }
        }
    }

    /// The rest of a preflight, once its origin is allowed: method, headers, private
    /// network.
    fn check_preflight<'a>(
        &'a self,
        request: &'a RequestView<'a>,
        origin: AllowedAs,
    ) -> Result<AllowedPreflight<'a>, Refusal<'a>> {
        let method = match request.request_method {
            Single::One(m) if is_token(m) => m,
            Single::One(m) => return Err(Refusal::MalformedRequestMethod { method: m }),
            _ => return Err(Refusal::SeveralRequestMethods),
        };
        if !self.methods.allows(method) {
            let listed_as = self.methods.case_variant(method);
            return Err(Refusal::MethodNotAllowed { method, listed_as });
        }
        let header_lines = request.header_lines();
        let asked_headers = self
            .headers
            .check(header_lines, request.header_line_count)?;
        let private_network = request.asks_private_network();
        if private_network && !self.private_network {
            return Err(Refusal::PrivateNetworkNotAllowed);
        }
        Ok(AllowedPreflight {
            origin,
            method,
            header_lines,
            asked_headers,
            private_network,
        })
    }
}
