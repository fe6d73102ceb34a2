//! CORS for [Rocket](https://rocket.rs) 0.5: one fairing. It answers preflights before
//! any route of the app runs and puts the policy's headers on every response, those of
//! catchers (404, 422, 500...) included. Every rule comes from [`cors_core`]; this crate
//! only translates between it and Rocket.
//!
//! ```
//! let policy = cors_rocket::Policy::from_toml_str(r#"allow_origins = ["https://app.example.com"]"#)?;
//! let rocket = rocket::build().attach(cors_rocket::Cors::new(policy));
//! // rocket.launch().await
//! # let _ = rocket;
//! # Ok::<(), cors_rocket::PolicyError>(())
//! ```
//!
//! # How it works
//! A fairing cannot answer a request, so the fairing mounts one route of its own when
//! Rocket ignites, `OPTIONS /<_..>` at rank `isize::MIN` (named `cors-rocket preflight`):
//! - For each request, `on_request` asks the policy once and keeps the decision in the
//!   request-local cache.
//! - Rocket tries routes in rank order, lowest first, so that route sees every `OPTIONS`
//!   request before any route of the app. It answers those the policy decided are
//!   preflights (204, or the policy's status, when allowed; 403 when refused; empty
//!   body), so no route of the app ever sees a preflight and Rocket logs no "No
//!   matching routes". Any other `OPTIONS` it forwards: a plain `OPTIONS` reaches the
//!   app's own `OPTIONS` routes, or its 404 catcher, as without CORS.
//! - `on_response` adds the CORS headers to the response of every other request,
//!   whichever route or catcher made it, and merges `Vary` with the app's. A refused
//!   origin still reaches its route (it is never rewritten to a 403); its response gets
//!   `Vary`, and any `Access-Control-Allow-Origin`, `-Allow-Credentials` or
//!   `-Expose-Headers` the app set is removed: those are the fairing's alone.
//!
//! Attach one `Cors` per Rocket: a second one would mount a second route at the same
//! rank, which Rocket refuses at launch as a collision (two CORS layers would answer
//! twice).
//!
//! Rocket drops header values that are not UTF-8 before any fairing sees them, so an
//! `Origin` that is not UTF-8 reaches the policy as no `Origin` at all (the response
//! still gets `Vary`, and no `Access-Control-Allow-*` header).
//!
//! # Changing the policy while the server runs
//! The fairing holds a [`SharedPolicy`]: replace the policy through [`Cors::shared`]
//! (keep a clone of the handle before attaching the fairing) and the next request sees
//! the new one. Each request reads the current policy once, without a lock, when the
//! fairing first sees it; the decision and the response headers both come from that
//! policy, so a request in flight during a swap is answered wholly by one policy.
//!
//! # Seeing refusals
//! A refused origin, method or header is logged with `tracing` at debug level (target
//! `cors`, the same event for every adapter), with the reason in words. Rocket 0.5 itself logs through the `log`
//! crate; install a `tracing` subscriber before launching Rocket, for example
//! `tracing_subscriber::fmt().with_env_filter(EnvFilter::from_default_env()).init()`,
//! and run with `RUST_LOG=cors=debug` to see the refusals (the subscriber then
//! takes Rocket's own log too, since Rocket only installs its logger when none is set).
//!
//! # Optional features
//! - `watch`: `watch::PolicyFileWatcher` (re-exported from `cors_core::watch`) reloads
//!   a policy file into the [`SharedPolicy`] the fairing holds whenever the file
//!   changes.
//! - `metrics`: decisions counted through the `metrics` facade as
//!   `cors_decisions_total` (by outcome) and
//!   `cors_refusals_total` (by refusal kind); the application installs the exporter.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use std::borrow::Cow;
use std::io::Cursor;
use std::sync::Mutex;

use cors_core::adapter::{self, CorsHeader, Preflight, RequestHeader};
use cors_core::adapter::{ResponseHeaders, Start, Step, Value};
use rocket::fairing::{self, Fairing, Info, Kind};
use rocket::http::{Header, Method, Status};
use rocket::route::{self, Handler, Route};
use rocket::{Build, Data, Request, Response, Rocket};

#[cfg(feature = "watch")]
pub use cors_core::watch;
pub use cors_core::{Policy, PolicyError, SharedPolicy};

/// The rank of the preflight route: before every route of the app (see the crate
/// documentation).
pub const PREFLIGHT_RANK: isize = isize::MIN;

cors_core::adapter::policy_holder!(
    /// The CORS fairing: a validated [`Policy`], and the route that answers preflights.
    ///
    /// ```
    /// use cors_rocket::{Cors, Policy};
    ///
    /// let policy = Policy::builder()
    ///     .allow_origins(["https://app.example.com"])
    ///     .allow_methods(["GET", "PUT"])
    ///     .build()?;
    /// let rocket = rocket::build().attach(Cors::new(policy));
    /// # let _ = rocket;
    /// # Ok::<(), cors_rocket::PolicyError>(())
    /// ```
    ///
    /// Replacing the policy while the server runs, through [`Cors::shared`]:
    ///
    /// ```
    /// use cors_rocket::{Cors, Policy};
    ///
    /// let cors = Cors::new(Policy::from_toml_str(r#"allow_origins = ["https://a.example"]"#)?);
    /// let handle = cors.shared().clone();
    /// let rocket = rocket::build().attach(cors);
    ///
    /// // Later, for example when the policy file changed:
    /// handle.replace(Policy::from_toml_str(r#"allow_origins = ["https://b.example"]"#)?);
    /// # let _ = rocket;
    /// # Ok::<(), cors_rocket::PolicyError>(())
    /// ```
    pub struct Cors
);

#[rocket::async_trait]
impl Fairing for Cors {
    fn info(&self) -> Info {
        Info {
            name: "CORS",
            kind: Kind::Ignite | Kind::Request | Kind::Response,
        }
    }

    async fn on_ignite(&self, rocket: Rocket<Build>) -> fairing::Result {
        let mut route = Route::ranked(PREFLIGHT_RANK, Method::Options, "/<_..>", Preflights);
        route.name = Some("cors-rocket preflight".into());
        Ok(rocket.mount("/", vec![route]))
    }

    async fn on_request(&self, request: &mut Request<'_>, _: &mut Data<'_>) {
        let step = self.decide(request).await;
        request.local_cache(move || CachedStep::Decided(step));
    }

    async fn on_response<'r>(&self, request: &'r Request<'_>, response: &mut Response<'r>) {
        match cached(request) {
            Some(Step::Forward(pending)) => {
                // The step lives in the request's cache, as long as the response: the
                // headers borrow the policy's values and the origin instead of copying.
                let origin = pending.origin().map_or("", String::as_str);
                pending.write_to(&mut Sink { response, origin });
            }
            // Only when the preflight route did not run (another fairing changed the
            // request): the policy decided it is a preflight, so it is answered.
            Some(Step::Answer(answer)) => {
                if let Some(answer) = take(answer) {
                    *response = answer;
                }
            }
            // `on_request` did not run for this request: decide now, and write copies.
            None => match self.decide(request).await {
                Step::Forward(pending) => {
                    let origin = pending.origin().map_or("", String::as_str);
                    pending.write_to(&mut OwnedSink { response, origin });
                }
                Step::Answer(answer) => {
                    if let Some(answer) = take(&answer) {
                        *response = answer;
                    }
                }
            },
        }
    }
}

/// What `on_request` decided, in the request's cache for the preflight route and
/// `on_response`: deciding once, and reading the decision back without building another
/// decision's future, is what keeps the fairing's cost per request low.
enum CachedStep {
    Decided(Step<PreflightSlot, String>),
    /// Put there by a reader that came before `on_request` (none does in Rocket 0.5).
    Missing,
}

type PreflightSlot = Mutex<Option<Response<'static>>>;

/// The step `on_request` decided, if it ran.
fn cached<'r>(request: &'r Request<'_>) -> Option<&'r Step<PreflightSlot, String>> {
    match request.local_cache(|| CachedStep::Missing) {
        CachedStep::Decided(step) => Some(step),
        CachedStep::Missing => None,
    }
}

fn take(answer: &Mutex<Option<Response<'static>>>) -> Option<Response<'static>> {
    answer.lock().ok().and_then(|mut answer| answer.take())
}

impl Cors {
    async fn decide(&self, request: &Request<'_>) -> Step<PreflightSlot, String> {
        let headers = request.headers();
        let method = request.method().as_str();
        let path = request.uri().path().as_str();
        let lines = |name: RequestHeader| headers.get(name.as_str());
        let cors = adapter::cors_request_from_lines(method, path, lines, str::as_bytes);
        // One read of the current policy per request, kept with the decision.
        match adapter::start(self.policy.load(), &cors, answer) {
            Start::Decided(step) => step,
            Start::LookUp(lookup) => lookup.decide(answer).await,
        }
    }
}

fn answer(preflight: &Preflight<'_>, origin: Option<&str>) -> Mutex<Option<Response<'static>>> {
    let mut answer = Response::new();
    answer.set_status(Status::new(preflight.status()));
    answer.set_sized_body(0, Cursor::new(&[]));
    let origin = origin.unwrap_or_default();
    preflight.write_to(&mut OwnedSink {
        response: &mut answer,
        origin,
    });
    Mutex::new(Some(answer))
}

/// The handler of the preflight route: answers preflights, forwards everything else.
#[derive(Clone)]
struct Preflights;

#[rocket::async_trait]
impl Handler for Preflights {
    async fn handle<'r>(&self, request: &'r Request<'_>, data: Data<'r>) -> route::Outcome<'r> {
        match cached(request) {
            Some(Step::Answer(answer)) => match take(answer) {
                Some(answer) => route::Outcome::Success(answer),
                None => route::Outcome::forward(data, Status::NotFound),
            },
            Some(Step::Forward(_)) | None => route::Outcome::forward(data, Status::NotFound),
        }
    }
}

/// Rocket's response headers as the core's sink, borrowing every value for the
/// response's lifetime `'r`.
struct Sink<'s, 'r> {
    response: &'s mut Response<'r>,
    origin: &'r str,
}

impl<'r> ResponseHeaders<'r> for Sink<'_, 'r> {
    fn set(&mut self, name: CorsHeader, value: Value<'r>) {
        if let Some(text) = text(value, self.origin) {
            put(self.response, name, Cow::Borrowed(text), true);
        }
    }

    fn append(&mut self, name: CorsHeader, value: Value<'r>) {
        if let Some(text) = text(value, self.origin) {
            put(self.response, name, Cow::Borrowed(text), false);
        }
    }

    fn remove(&mut self, name: CorsHeader) {
        self.response.remove_header(name.as_str());
    }

    fn vary_values(&self) -> impl Iterator<Item = &[u8]> {
        vary(self.response)
    }
}

/// The sink of a preflight answer, which outlives the decision (it waits in the
/// request's cache for the preflight route), or of a response decided without the
/// cache: values are copied, constants borrowed.
struct OwnedSink<'s, 'r, 'v> {
    response: &'s mut Response<'r>,
    origin: &'v str,
}

impl<'v> OwnedSink<'_, '_, 'v> {
    fn owned(&self, value: Value<'v>) -> Option<Cow<'static, str>> {
        match value {
            Value::Static(text) => Some(Cow::Borrowed(text)),
            value => text(value, self.origin).map(|text| Cow::Owned(text.to_owned())),
        }
    }
}

impl<'v> ResponseHeaders<'v> for OwnedSink<'_, '_, 'v> {
    fn set(&mut self, name: CorsHeader, value: Value<'v>) {
        if let Some(value) = self.owned(value) {
            put(self.response, name, value, true);
        }
    }

    fn append(&mut self, name: CorsHeader, value: Value<'v>) {
        if let Some(value) = self.owned(value) {
            put(self.response, name, value, false);
        }
    }

    fn remove(&mut self, name: CorsHeader) {
        self.response.remove_header(name.as_str());
    }

    fn vary_values(&self) -> impl Iterator<Item = &[u8]> {
        vary(self.response)
    }
}

/// A value as text. Values are ASCII by the core's construction; one that were not
/// UTF-8 (a core bug) is dropped rather than panicking on a request.
fn text<'v>(value: Value<'v>, origin: &'v str) -> Option<&'v str> {
    match value {
        Value::Static(text) => Some(text),
        Value::Shared(value) => Some(value.as_str()),
        Value::RequestOrigin => Some(origin),
        Value::Request(bytes) => std::str::from_utf8(bytes).ok(),
    }
}

fn put<'r>(response: &mut Response<'r>, name: CorsHeader, value: Cow<'r, str>, replace: bool) {
    let header = Header::new(name.as_str(), value);
    if replace {
        response.set_header(header);
    } else {
        response.adjoin_header(header);
    }
}

fn vary<'a>(response: &'a Response<'_>) -> impl Iterator<Item = &'a [u8]> {
    response.headers().get("vary").map(str::as_bytes)
}
