//! A floor server, for `cargo xtask bench` only: the example app of docs/contract.md
//! behind the least work a CORS layer can do on actix-web, a `wrap_fn` that writes
//! prebuilt headers without deciding anything (see `example_support::floor`). Whatever
//! the example server spends above this one is the price of its decisions.

use std::future::ready;
use std::sync::OnceLock;

use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};
use actix_web::http::Method;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpResponse, HttpServer};
use example_support::Args;
use futures_util::future::Either;

/// The prebuilt headers: a static, so that the per-request closure borrows them for free.
static HEADERS: OnceLock<Headers> = OnceLock::new();

struct Headers {
    actual: Vec<(HeaderName, HeaderValue)>,
    preflight: Vec<(HeaderName, HeaderValue)>,
}

/// The values in actix's types (`floor::load_or_exit` has refused any value that is
/// not a header value).
fn converted(list: &[(&'static str, String)]) -> Vec<(HeaderName, HeaderValue)> {
    let list = list.iter().filter_map(|(name, text)| {
        Some((
            HeaderName::from_static(name),
            HeaderValue::from_str(text).ok()?,
        ))
    });
    list.collect()
}

fn add(map: &mut HeaderMap, headers: &[(HeaderName, HeaderValue)]) {
    for (name, value) in headers {
        map.insert(name.clone(), value.clone());
    }
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let args = Args::parse_or_exit();
    let floor = example_support::floor::load_or_exit(&args.config);
    let _ = HEADERS.set(Headers {
        actual: converted(&floor.actual),
        preflight: converted(&floor.preflight),
    });

    let listener = args.bind_or_exit();
    example_support::announce(&listener);
    HttpServer::new(|| {
        App::new()
            .wrap(from_fn(example_actix::request_id))
            // Wrapped last, so outermost, like the example server's `Cors`.
            .wrap_fn(|request, service| {
                let headers = HEADERS.get().expect("set before serving");
                if request.method() == Method::OPTIONS {
                    let mut answer = HttpResponse::NoContent().finish();
                    add(answer.headers_mut(), &headers.preflight);
                    let answer = request.into_response(answer).map_into_right_body();
                    return Either::Left(ready(Ok(answer)));
                }
                let response = service.call(request);
                Either::Right(async move {
                    let mut response: ServiceResponse<_> = response.await?;
                    add(response.headers_mut(), &headers.actual);
                    Ok(response.map_into_left_body())
                })
            })
            .configure(example_actix::routes)
    })
    .listen(listener)?
    .run()
    .await
}
