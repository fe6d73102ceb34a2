//! The response future of [`Cors`](crate::Cors).

use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use crate::Http;
use cors_core::adapter::{Pending, Step};
use http::{HeaderValue, Response, StatusCode};
use pin_project_lite::pin_project;

/// The decision of a policy with an asynchronous origin lookup, still running.
pub(crate) type LookedUp = Pin<Box<dyn Future<Output = Step<Response<()>, HeaderValue>> + Send>>;

/// The headers to write on the inner service's response.
pub(crate) enum Headers {
    /// Decided when the request came in.
    Decided(Pending<HeaderValue>),
    /// Awaiting the policy's origin lookup.
    LookUp(LookedUp),
}

pin_project! {
    /// The response future of [`Cors`](crate::Cors): a preflight answer, or the inner
    /// service's response with the CORS headers added.
    pub struct ResponseFuture<F, B> {
        #[pin]
        state: State<F, B>,
    }
}

pin_project! {
    #[project = StateProj]
    enum State<F, B> {
        /// A preflight answered without calling the inner service.
        Answered { response: Option<Response<B>> },
        /// A preflight whose answer awaits the origin lookup.
        PreflightLookup { lookup: LookedUp },
        /// An actual request, at the inner service.
        Forwarded {
            #[pin]
            future: F,
            headers: Headers,
        },
    }
}

impl<F, B> ResponseFuture<F, B> {
    pub(crate) fn answered(response: Response<B>) -> Self {
        let response = Some(response);
        ResponseFuture {
            state: State::Answered { response },
        }
    }

    pub(crate) fn preflight_lookup(lookup: LookedUp) -> Self {
        ResponseFuture {
            state: State::PreflightLookup { lookup },
        }
    }

    pub(crate) fn forwarded(future: F, headers: Headers) -> Self {
        ResponseFuture {
            state: State::Forwarded { future, headers },
        }
    }
}

impl<F, B, E> Future for ResponseFuture<F, B>
where
    F: Future<Output = Result<Response<B>, E>>,
    B: Default,
{
    type Output = Result<Response<B>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project().state.project() {
            StateProj::Answered { response } => Poll::Ready(Ok(response
                .take()
                .expect("ResponseFuture polled after completion"))),
            StateProj::PreflightLookup { lookup } => match ready!(lookup.as_mut().poll(cx)) {
                Step::Answer(response) => Poll::Ready(Ok(response.map(|()| B::default()))),
                // The core answers every preflight; were it ever to say otherwise, the
                // request is no longer there to forward.
                Step::Forward(_) => {
                    let mut response = Response::new(B::default());
                    *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
                    Poll::Ready(Ok(response))
                }
            },
            StateProj::Forwarded { future, headers } => {
                if let Headers::LookUp(lookup) = headers {
                    match ready!(lookup.as_mut().poll(cx)) {
                        Step::Forward(pending) => *headers = Headers::Decided(pending),
                        Step::Answer(response) => {
                            return Poll::Ready(Ok(response.map(|()| B::default())))
                        }
                    }
                }
                let mut response = ready!(future.poll(cx))?;
                if let Headers::Decided(pending) = headers {
                    pending.write_into::<Http>(response.headers_mut());
                }
                Poll::Ready(Ok(response))
            }
        }
    }
}
