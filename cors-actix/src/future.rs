//! The response future of [`CorsMiddleware`](crate::CorsMiddleware).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use actix_web::body::EitherBody;
use actix_web::dev::ServiceResponse;
use actix_web::http::header::HeaderValue;
use actix_web::Error;
use cors_core::{ActualHeaders, Policy};
use pin_project_lite::pin_project;

use crate::translate::write_actual;

type Output<B> = Result<ServiceResponse<EitherBody<B>>, Error>;

pin_project! {
    /// The response future of [`CorsMiddleware`](crate::CorsMiddleware): a preflight
    /// answer, or the app's response with the CORS headers added.
    pub struct ResponseFuture<F, B> {
        #[pin]
        state: State<F, B>,
    }
}

pin_project! {
    #[project = StateProj]
    enum State<F, B> {
        /// A preflight answered without calling the app.
        Answered { response: Option<ServiceResponse> },
        /// An actual request, at the app.
        Forwarded {
            #[pin]
            future: F,
            actual: ActualHeaders,
            origin: Option<HeaderValue>,
            policy: Arc<Policy>,
        },
        /// A policy with an asynchronous origin lookup: everything in one boxed future.
        Lookup { future: Pin<Box<dyn Future<Output = Output<B>>>> },
    }
}

impl<F, B> ResponseFuture<F, B> {
    pub(crate) fn answered(response: ServiceResponse) -> Self {
        let response = Some(response);
        ResponseFuture {
            state: State::Answered { response },
        }
    }

    pub(crate) fn forwarded(
        future: F,
        actual: ActualHeaders,
        origin: Option<HeaderValue>,
        policy: Arc<Policy>,
    ) -> Self {
        ResponseFuture {
            state: State::Forwarded {
                future,
                actual,
                origin,
                policy,
            },
        }
    }

    pub(crate) fn lookup(future: Pin<Box<dyn Future<Output = Output<B>>>>) -> Self {
        ResponseFuture {
            state: State::Lookup { future },
        }
    }
}

impl<F, B> Future for ResponseFuture<F, B>
where
    F: Future<Output = Result<ServiceResponse<B>, Error>>,
{
    type Output = Output<B>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project().state.project() {
            StateProj::Answered { response } => {
                let response = response
                    .take()
                    .expect("ResponseFuture polled after completion");
                Poll::Ready(Ok(response.map_into_right_body()))
            }
            StateProj::Forwarded {
                future,
                actual,
                origin,
                policy,
            } => Poll::Ready(match ready!(future.poll(cx)) {
                Ok(mut response) => {
                    write_actual(response.headers_mut(), actual, policy, origin.as_ref());
                    Ok(response.map_into_left_body())
                }
                Err(error) => Err(with_headers(error, actual, policy, origin)),
            }),
            StateProj::Lookup { future } => future.as_mut().poll(cx),
        }
    }
}

/// An `Err` from inner middleware becomes a response only later, at the outer
/// middleware or the server; the mapper puts the CORS headers on it then. This is the
/// error path only, where the closure's allocation does not matter.
fn with_headers(
    mut error: Error,
    actual: &ActualHeaders,
    policy: &Arc<Policy>,
    origin: &mut Option<HeaderValue>,
) -> Error {
    let (actual, policy, origin) = (*actual, policy.clone(), origin.take());
    error.add_response_mapper(move |mut response| {
        write_actual(response.headers_mut(), &actual, &policy, origin.as_ref());
        response
    });
    error
}
