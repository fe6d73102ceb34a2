//! The tests every adapter shares (`cors_harness::adapter_tests!`: the whole case table,
//! the reload, the refusal log), through the `Cors` transform of an actix-web `App`.

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::http::Method;
use actix_web::middleware::from_fn;
use actix_web::test::{self, TestRequest};
use actix_web::{web, App, HttpResponse};
use cors_actix::Cors;
use cors_harness::adapter::{Reply, Request, Routes};
use cors_harness::{reload, AdapterUnderTest};

struct Actix;

/// An initialised test service, its type erased. Its futures are not `Send`: requests
/// go through it on the one thread of the test's actix system, as on a worker's.
type Service_ = Rc<dyn Fn(TestRequest) -> Pin<Box<dyn Future<Output = Result<Reply, String>>>>>;

impl AdapterUnderTest for Actix {
    const NAME: &'static str = "cors-actix";
    cors_harness::middleware!(Cors);
    type App = Service_;
    type Request = TestRequest;

    /// An actix system, as `#[actix_web::test]` runs.
    fn run<T>(test: impl Future<Output = T>) -> T {
        actix_web::rt::System::new().block_on(test)
    }

    async fn app(cors: Cors, routes: Routes) -> Result<Service_, String> {
        let app = App::new();
        let service = match routes {
            Routes::Example => {
                let app = app.wrap(from_fn(example_actix::request_id)).wrap(cors);
                let app = app.configure(example_actix::routes);
                erase(test::init_service(app), TestRequest::to_request).await
            }
            Routes::Yielding => {
                let app = app.wrap(cors).route(reload::PATH, web::get().to(hello));
                erase(test::init_service(app), TestRequest::to_request).await
            }
        };
        Ok(service)
    }

    fn request(request: &Request) -> Result<TestRequest, String> {
        let method = Method::from_bytes(request.method.as_bytes());
        let method = method.map_err(|e| format!("method: {e}"))?;
        let mut built = TestRequest::default().method(method).uri(&request.path);
        for (name, value) in &request.headers {
            let error = |e: &dyn std::fmt::Display| format!("{name}: {e}");
            let name = HeaderName::from_bytes(name.as_bytes()).map_err(|e| error(&e))?;
            let value = HeaderValue::from_bytes(value).map_err(|e| error(&e))?;
            built = built.append_header((name, value));
        }
        Ok(built)
    }

    async fn send(service: &Service_, request: TestRequest) -> Result<Reply, String> {
        service(request).await
    }
}

/// A handler that yields before answering ([`Routes::Yielding`]).
async fn hello() -> HttpResponse {
    actix_web::rt::task::yield_now().await;
    HttpResponse::Ok().body("hello")
}

/// The service, once initialised, with its type erased. `to_request` is
/// `TestRequest::to_request`: actix-web does not name the type of the requests
/// (`actix_http::Request`), so it is inferred from that function.
async fn erase<S, R, B>(
    service: impl Future<Output = S>,
    to_request: fn(TestRequest) -> R,
) -> Service_
where
    S: Service<R, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    R: 'static,
    B: MessageBody,
{
    let service = Rc::new(service.await);
    Rc::new(move |request: TestRequest| {
        let service = Rc::clone(&service);
        Box::pin(async move {
            let response = service.call(to_request(request)).await;
            let response = response.map_err(|e| format!("the service returned an error: {e}"))?;
            let headers = response.headers().iter();
            let headers = headers.map(|(name, value)| (name.as_str(), value.as_bytes()));
            Ok(Reply::new(response.status().as_u16(), headers))
        })
    })
}

cors_harness::adapter_tests!(Actix, spawn = actix_web::rt::spawn);
