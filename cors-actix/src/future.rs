//! The response future of [`CorsMiddleware`](crate::CorsMiddleware).

use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use actix_web::body::EitherBody;
use actix_web::dev::ServiceResponse;
use actix_web::http::header::HeaderValue;
use actix_web::Error;
use cors_core::adapter::Pending;
use pin_project_lite::pin_project;

use crate::translate::Actix;

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
            pending: Option<Pending<HeaderValue>>,
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

    pub(crate) fn forwarded(future: F, pending: Pending<HeaderValue>) -> Self {
        let pending = Some(pending);
        ResponseFuture {
            state: State::Forwarded { future, pending },
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
            StateProj::Forwarded { future, pending } => {
                let result = ready!(future.poll(cx));
                let pending = pending
                    .take()
                    .expect("ResponseFuture polled after completion");
                Poll::Ready(match result {
                    Ok(mut response) => {
                        pending.write_into::<Actix>(response.headers_mut());
                        Ok(response.map_into_left_body())
                    }
                    Err(error) => Err(with_headers(error, pending)),
                })
            }
            StateProj::Lookup { future } => future.as_mut().poll(cx),
        }
    }
}

/// An error from the inner services becomes a response later, in actix itself: the
/// headers are written on it then, through a response mapper.
fn with_headers(mut error: Error, pending: Pending<HeaderValue>) -> Error {
    error.add_response_mapper(move |mut response| {
        pending.write_into::<Actix>(response.headers_mut());
        response
    });
    error
}
