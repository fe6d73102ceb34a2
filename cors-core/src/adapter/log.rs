//! The one refusal log of every adapter: the same event, target and fields whatever the
//! framework, at debug level, with the `tracing` feature (which the adapters enable).

use crate::Refusal;

/// Logs a refused CORS request: `RUST_LOG=cors=debug` shows why the browser will say
/// "blocked by CORS policy". The origin is escaped and cut like every request value the
/// core quotes, so a hostile header cannot forge log lines.
#[cfg(feature = "tracing")]
pub(crate) fn refused(refusal: &Refusal<'_>, method: &str, path: &str, origin: Option<&[u8]>) {
    let origin = origin.map(crate::refusal::Quoted);
    tracing::debug!(
        target: "cors",
        %refusal,
        method,
        path,
        origin = origin.as_ref().map(tracing::field::display),
        "CORS request refused"
    );
}

#[cfg(not(feature = "tracing"))]
pub(crate) fn refused(_: &Refusal<'_>, _: &str, _: &str, _: Option<&[u8]>) {}
