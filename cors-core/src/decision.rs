//! The decision: one pure function from a policy and a request to what the middleware
//! does, and the headers it writes.

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
    /// No `Origin`: not a CORS request. The application answers; the response still
    /// gets the policy's `Vary`.
    NotCors(ActualHeaders),
    /// An allowed preflight, to be answered now, without calling the application.
    PreflightAllowed(Preflight<'a>),
    /// A refused preflight, to be answered now with 403 and no `Access-Control-Allow-*`.
    PreflightRefused(Preflight<'a>, Refusal<'a>),
    /// An actual request from an allowed origin. The application answers; the response
    /// gets these headers.
    ActualAllowed(ActualHeaders),
    /// An actual request from a refused origin. The application still answers (CORS
    /// protects the reader, not the server), without `Access-Control-Allow-*` headers.
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

/// How `Access-Control-Allow-Origin` is answered: small and `Copy`, with no reference
/// count to touch on the hot path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct AllowOriginValue(AllowedAs);

impl AllowOriginValue {
    /// The value; an echoed origin is the request's, which the adapter holds.
    fn value(self) -> Value<'static> {
        match self.0 {
            AllowedAs::Any => Value::Static("*"),
            AllowedAs::Echo => Value::RequestOrigin,
        }
    }
}

/// The headers for the response to an actual (non-preflight) request. It borrows
/// nothing, so an adapter can keep it while the application runs, and must hand it back
/// to the same policy that decided.
#[derive(Debug, Clone, Copy)]
pub struct ActualHeaders {
    allowed: Option<AllowOriginValue>,
}

impl ActualHeaders {
    /// Writes the CORS headers into the application's response: for an allowed origin
    /// `Access-Control-Allow-Origin`, `-Allow-Credentials` and `-Expose-Headers`; in
    /// every case the policy's `Vary`, merged with the application's.
    pub fn write_to<'p>(&self, policy: &'p Policy, headers: &mut impl ResponseHeaders<'p>) {
        if let Some(origin) = self.allowed {
            headers.set(CorsHeader::AllowOrigin, origin.value());
            if policy.credentials {
                headers.set(CorsHeader::AllowCredentials, Value::Static("true"));
            }
            if let Some(expose) = &policy.expose_headers {
                headers.set(CorsHeader::ExposeHeaders, Value::Shared(expose));
            }
        }
        policy.vary_actual.write_to(headers);
    }

    /// Whether the origin was allowed.
    pub fn is_allowed(&self) -> bool {
        self.allowed.is_some()
    }

    /// Whether [`ActualHeaders::write_to`] will write [`Value::RequestOrigin`]: an
    /// adapter keeps the request's `Origin` for the response only then (not for a
    /// refused origin, nor for `*`).
    ///
    /// ```
    /// use cors_core::{Action, Policy, RequestView};
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
        self.allowed
            .is_some_and(|o| o.value() == Value::RequestOrigin)
    }
}

/// The answer to a preflight: a status and headers, for an empty body.
#[derive(Debug)]
pub struct Preflight<'a> {
    policy: &'a Policy,
    allowed: Option<AllowedPreflight<'a>>,
    /// In diagnostics mode, the allowed origin of a preflight refused for its method,
    /// headers or private network access.
    explained: Option<AllowOriginValue>,
}

#[derive(Debug)]
struct AllowedPreflight<'a> {
    origin: AllowOriginValue,
    method: &'a [u8],
    header_lines: &'a [&'a [u8]],
    asked_headers: bool,
    private_network: bool,
}

impl<'a> Preflight<'a> {
    /// 204 (or the policy's configured success status) when allowed, 403 when refused.
    /// In diagnostics mode a preflight from an allowed origin that was refused for its
    /// method or headers gets the success status too: see
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

    /// Writes the preflight's headers into an empty response.
    pub fn write_to(&self, headers: &mut impl ResponseHeaders<'a>) {
        if let Some(allowed) = &self.allowed {
            self.write_allowed(allowed, headers);
        } else if let Some(origin) = self.explained {
            self.write_explanation(origin, headers);
        }
        self.policy.vary_preflight.write_to(headers);
    }

    /// What lets the browser name the refused method or header in its console: the
    /// origin is allowed, and the lists say what is (never echoed, and no max age, so
    /// that nothing is cached). The browser still blocks the request.
    fn write_explanation(&self, origin: AllowOriginValue, headers: &mut impl ResponseHeaders<'a>) {
        let policy = self.policy;
        headers.set(CorsHeader::AllowOrigin, origin.value());
        if policy.credentials {
            headers.set(CorsHeader::AllowCredentials, Value::Static("true"));
        }
        match &policy.methods {
            AllowMethods::Any => headers.set(CorsHeader::AllowMethods, Value::Static("*")),
            AllowMethods::List { value: Some(v), .. } => {
                headers.set(CorsHeader::AllowMethods, Value::Shared(v))
            }
            AllowMethods::List { value: None, .. } => {}
        }
        match &policy.headers {
            AllowHeaders::Any { value, .. }
            | AllowHeaders::List {
                value: Some(value), ..
            } => {
                headers.set(CorsHeader::AllowHeaders, Value::Shared(value));
            }
            AllowHeaders::List { value: None, .. } => {}
        }
    }

    fn write_allowed(
        &self,
        allowed: &AllowedPreflight<'a>,
        headers: &mut impl ResponseHeaders<'a>,
    ) {
        let policy = self.policy;
        headers.set(CorsHeader::AllowOrigin, allowed.origin.value());
        if policy.credentials {
            headers.set(CorsHeader::AllowCredentials, Value::Static("true"));
        }
        match &policy.methods {
            // With credentials `*` is a method named `*` to the browser: echo instead
            // (Fetch, CORS-preflight fetch step 7.6).
            AllowMethods::Any if policy.credentials => {
                headers.set(CorsHeader::AllowMethods, Value::Request(allowed.method));
            }
            AllowMethods::Any => headers.set(CorsHeader::AllowMethods, Value::Static("*")),
            AllowMethods::List { value: Some(v), .. } => {
                headers.set(CorsHeader::AllowMethods, Value::Shared(v));
            }
            AllowMethods::List { value: None, .. } => {}
        }
        if allowed.asked_headers {
            write_allow_headers(policy, allowed.header_lines, headers);
        }
        if let Some(max_age) = &policy.max_age {
            headers.set(CorsHeader::MaxAge, Value::Shared(max_age));
        }
        if allowed.private_network {
            headers.set(CorsHeader::AllowPrivateNetwork, Value::Static("true"));
        }
    }
}

fn write_allow_headers<'a>(
    policy: &'a Policy,
    lines: &[&'a [u8]],
    headers: &mut impl ResponseHeaders<'a>,
) {
    match &policy.headers {
        // With credentials `*` is a header named `*`: echo the checked request lines,
        // one response line each, which a browser reads as one list.
        AllowHeaders::Any { .. } if policy.credentials => {
            for line in lines {
                headers.append(CorsHeader::AllowHeaders, Value::Request(line));
            }
        }
        AllowHeaders::Any { value, .. }
        | AllowHeaders::List {
            value: Some(value), ..
        } => {
            headers.set(CorsHeader::AllowHeaders, Value::Shared(value));
        }
        AllowHeaders::List { value: None, .. } => {}
    }
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
    /// use cors_core::{Decision, HeaderList, Policy, RequestView};
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
    /// decide, if the request has one. An adapter that cannot hold the request across
    /// an await copies it, awaits [`Policy::look_up`], then calls
    /// [`Policy::decide_looked_up`].
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

    fn decide_with<'a>(
        &'a self,
        request: &'a RequestView<'a>,
        looked_up: Option<bool>,
    ) -> Decision<'a> {
        let origin = match request.origin {
            Single::Absent => return Decision::NotCors(ActualHeaders { allowed: None }),
            Single::Several => Err(Refusal::SeveralOrigins),
            Single::One(origin) => self.match_origin(origin, looked_up),
        };
        if request.is_preflight() {
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
                Err(refusal) => refused(self.diagnostics.then_some(origin), refusal),
            }
        } else {
            match origin {
                Ok(allowed) => Decision::ActualAllowed(ActualHeaders {
                    allowed: Some(allowed),
                }),
                Err(refusal) => Decision::ActualRefused(ActualHeaders { allowed: None }, refusal),
            }
        }
    }

    fn match_origin<'a>(
        &self,
        origin: &'a [u8],
        looked_up: Option<bool>,
    ) -> Result<AllowOriginValue, Refusal<'a>> {
        match (self.origins.find(origin), looked_up) {
            (OriginMatch::Allowed(how), _) => Ok(AllowOriginValue(how)),
            (OriginMatch::AskLookup, Some(true)) => Ok(AllowOriginValue(AllowedAs::Echo)),
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
        origin: AllowOriginValue,
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
