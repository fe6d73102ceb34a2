//! The per-request sequence of every adapter, written once: read the policy, decide
//! (awaiting the origin lookup only when it alone can allow the origin), log a
//! refusal, then answer the preflight or hand back what to write on the response.

use std::borrow::Borrow;
use std::sync::Arc;

use crate::adapter::{log, metrics, FrameworkHeaders, HeaderSink};
use crate::request::OwnedRequestView;
use crate::{
    Action, ActualHeaders, Decision, Policy, Preflight, RequestHeader, RequestView, ResponseHeaders,
};

/// What the sequence needs to know of a request. `V` is the framework's type of the
/// `Origin` value (`HeaderValue`, or `str` for Rocket), kept for the response only
/// when the policy echoes it.
#[derive(Debug, Clone, Copy)]
pub struct CorsRequest<'r, V: ?Sized> {
    /// The method, as sent.
    pub method: &'r str,
    /// The path, for the refusal log.
    pub path: &'r str,
    /// The first `Origin` line, in the framework's type.
    pub origin: Option<&'r V>,
    /// The core's view of the headers CORS reads.
    pub view: RequestView<'r>,
}

/// What the adapter sequence needs of a request: its method, its path (for the log) and
/// its headers.
pub fn cors_request<'r, F: FrameworkHeaders>(
    method: &'r str,
    path: &'r str,
    map: &'r F::Map,
) -> CorsRequest<'r, F::Value> {
    let lines = |name| F::request_lines(map, name);
    cors_request_from_lines(method, path, lines, F::as_bytes)
}

/// [`cors_request`] for an adapter whose framework has no [`FrameworkHeaders`] type
/// (Rocket's header map hands out `&str`): `lines` gives every line of a request
/// header, in order, and `as_bytes` a line's bytes.
pub fn cors_request_from_lines<'r, V, I>(
    method: &'r str,
    path: &'r str,
    mut lines: impl FnMut(RequestHeader) -> I,
    as_bytes: fn(&'r V) -> &'r [u8],
) -> CorsRequest<'r, V>
where
    V: ?Sized + 'r,
    I: Iterator<Item = &'r V>,
{
    // `Origin` is looked up once, for both the view and the value an answer echoes.
    let mut origins = lines(RequestHeader::Origin);
    let (first, second) = (origins.next(), origins.next());
    let view = RequestView::new(method)
        .origin(first.into_iter().chain(second).map(as_bytes))
        .preflight_lines(|name| lines(name).map(as_bytes));
    CorsRequest {
        method,
        path,
        origin: first,
        view,
    }
}

/// What the adapter does with a request once the policy has decided.
#[derive(Debug)]
pub enum Step<A, O> {
    /// Answer now with this preflight response (built by the adapter's `answer`
    /// function); never call the application.
    Answer(A),
    /// Call the application, then write these headers on its response, whatever it is.
    Forward(Pending<O>),
}

/// The CORS headers of an actual request, to write on the application's response when
/// it comes back. It owns the policy that decided, so the response is always written
/// by that same policy, whatever replaced it meanwhile.
#[derive(Debug)]
pub struct Pending<O> {
    actual: ActualHeaders,
    origin: Option<O>,
    policy: Arc<Policy>,
}

impl<O> Pending<O> {
    /// The request's `Origin`, kept only when the response echoes it.
    pub fn origin(&self) -> Option<&O> {
        self.origin.as_ref()
    }

    /// Writes the headers into the response, through the adapter's sink (which resolves
    /// [`Value::RequestOrigin`](crate::Value::RequestOrigin) to [`Pending::origin`]).
    pub fn write_to<'p>(&'p self, headers: &mut impl ResponseHeaders<'p>) {
        self.actual.write_to(&self.policy, headers);
    }

    /// Writes the headers into a framework's header map.
    pub fn write_into<F: FrameworkHeaders<Value = O>>(&self, map: &mut F::Map) {
        self.write_to(&mut HeaderSink::<F>::new(map, self.origin.as_ref()));
    }
}

/// The first part of the sequence: decided at once, or waiting for the origin lookup.
#[derive(Debug)]
pub enum Start<A, O> {
    /// Decided without waiting (every request, unless only the lookup can allow its
    /// origin).
    Decided(Step<A, O>),
    /// Only the policy's origin lookup can allow this origin: await
    /// [`Lookup::decide`].
    LookUp(Lookup<O>),
}

/// Decides `request` under `policy` (one read of the shared policy per request, made by
/// the adapter). `answer` turns an answered preflight into the framework's response; it
/// gets the request's `Origin` for the headers that echo it.
pub fn start<V, A>(
    policy: Arc<Policy>,
    request: &CorsRequest<'_, V>,
    answer: impl FnOnce(&Preflight<'_>, Option<&V>) -> A,
) -> Start<A, V::Owned>
where
    V: ?Sized + ToOwned,
{
    if policy.origin_to_look_up(&request.view).is_some() {
        return Start::LookUp(Lookup::new(policy, request));
    }
    let decision = policy.decide(&request.view);
    let step = finish(decision, request, answer);
    Start::Decided(step.with_policy(policy))
}

/// A request whose origin only the policy's asynchronous lookup can allow: what the
/// sequence keeps of it while the lookup runs (copies, so that the request itself can
/// move on to the application).
#[derive(Debug)]
pub struct Lookup<O> {
    policy: Arc<Policy>,
    method: String,
    path: String,
    origin: Option<O>,
    view: OwnedRequestView,
}

impl<O> Lookup<O> {
    fn new<V>(policy: Arc<Policy>, request: &CorsRequest<'_, V>) -> Self
    where
        V: ?Sized + ToOwned<Owned = O>,
    {
        Lookup {
            policy,
            method: request.method.to_owned(),
            path: request.path.to_owned(),
            origin: request.origin.map(ToOwned::to_owned),
            view: OwnedRequestView::of(&request.view),
        }
    }

    /// Whether the request is a preflight (which never reaches the application).
    pub fn is_preflight(&self) -> bool {
        self.view.is_preflight()
    }

    /// Awaits the lookup, then finishes the sequence like [`start`].
    pub async fn decide<V, A>(
        self,
        answer: impl FnOnce(&Preflight<'_>, Option<&V>) -> A,
    ) -> Step<A, O>
    where
        V: ?Sized + ToOwned<Owned = O>,
        O: Borrow<V>,
    {
        let view = self.view.view(&self.method);
        let request = CorsRequest {
            method: &self.method,
            path: &self.path,
            origin: self.origin.as_ref().map(Borrow::borrow),
            view,
        };
        let decision = self.policy.decide_async(&request.view).await;
        let step = finish(decision, &request, answer);
        step.with_policy(self.policy)
    }
}

/// A step without its policy yet: the policy that decided is moved into `Pending` once
/// the decision no longer borrows it.
enum Unowned<A, O> {
    Answer(A),
    Forward(ActualHeaders, Option<O>),
}

impl<A, O> Unowned<A, O> {
    fn with_policy(self, policy: Arc<Policy>) -> Step<A, O> {
        match self {
            Unowned::Answer(answer) => Step::Answer(answer),
            Unowned::Forward(actual, origin) => Step::Forward(Pending {
                actual,
                origin,
                policy,
            }),
        }
    }
}

/// Counts the decision, logs a refusal, then turns the decision into the adapter's next
/// step.
fn finish<V, A>(
    decision: Decision<'_>,
    request: &CorsRequest<'_, V>,
    answer: impl FnOnce(&Preflight<'_>, Option<&V>) -> A,
) -> Unowned<A, V::Owned>
where
    V: ?Sized + ToOwned,
{
    metrics::count(&decision);
    if let Some(refusal) = decision.refusal() {
        let origin = request.view.origin_line();
        log::refused(refusal, request.method, request.path, origin);
    }
    match decision.into_action() {
        Action::Respond(preflight) => Unowned::Answer(answer(&preflight, request.origin)),
        Action::Forward(actual) => {
            // Kept only when the response echoes it.
            let origin = request.origin.filter(|_| actual.uses_request_origin());
            Unowned::Forward(actual, origin.map(ToOwned::to_owned))
        }
    }
}
