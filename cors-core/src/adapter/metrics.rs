//! Every decision of the adapter sequence, counted through the `metrics` facade with the
//! `metrics` feature, so that an operator's dashboard shows a tenant's origin being
//! refused before its users report it. The application installs the exporter
//! (Prometheus, StatsD, ...); without one, counting costs a check that no recorder is installed.
//!
//! Two counters, with fixed label values (no request bytes ever become a label, so a
//! hostile client cannot create series):
//!
//! - `cors_decisions_total`, labelled `outcome`: `not-cors`, `preflight-allowed`,
//!   `preflight-refused`, `actual-allowed` or `actual-refused` (as
//!   [`Decision::kind`](crate::adapter::Decision::kind)).
//! - `cors_refusals_total`, labelled `refusal`: why a request was refused, one value per
//!   kind of [`Refusal`](crate::Refusal) (`origin-not-allowed`, `method-not-allowed`,
//!   `header-not-allowed`, ...).
//!
//! Every label is a literal, so each counter's key is a static and counting allocates
//! nothing.

use crate::Decision;

/// Counts one decision, and its refusal if any.
#[cfg(feature = "metrics")]
pub(crate) fn count(decision: &Decision<'_>) {
    use metrics::counter;

    macro_rules! outcome {
        ($label:literal) => {
            counter!("cors_decisions_total", "outcome" => $label).increment(1)
        };
    }
    match decision {
        Decision::NotCors(_) => outcome!("not-cors"),
        Decision::PreflightAllowed(_) => outcome!("preflight-allowed"),
        Decision::PreflightRefused(..) => outcome!("preflight-refused"),
        Decision::ActualAllowed(_) => outcome!("actual-allowed"),
        Decision::ActualRefused(..) => outcome!("actual-refused"),
    }
    if let Some(refusal) = decision.refusal() {
        count_refusal(refusal);
    }
}

#[cfg(feature = "metrics")]
fn count_refusal(refusal: &crate::Refusal<'_>) {
    use crate::Refusal;
    use metrics::counter;

    macro_rules! refusal {
        ($label:literal) => {
            counter!("cors_refusals_total", "refusal" => $label).increment(1)
        };
    }
    // Exhaustive inside the crate: a new kind of refusal needs its label here.
    match refusal {
        Refusal::SeveralOrigins => refusal!("several-origins"),
        Refusal::OriginNotAllowed { .. } => refusal!("origin-not-allowed"),
        Refusal::LookupNotAwaited => refusal!("lookup-not-awaited"),
        Refusal::MalformedRequestMethod { .. } => refusal!("malformed-request-method"),
        Refusal::SeveralRequestMethods => refusal!("several-request-methods"),
        Refusal::MethodNotAllowed { .. } => refusal!("method-not-allowed"),
        Refusal::HeaderNotAllowed { .. } => refusal!("header-not-allowed"),
        Refusal::MalformedRequestHeaders { .. } => refusal!("malformed-request-headers"),
        Refusal::TooManyEmptyElements => refusal!("too-many-empty-elements"),
        Refusal::TooManyRequestHeaders => refusal!("too-many-request-headers"),
        Refusal::TooManyRequestHeaderLines { .. } => refusal!("too-many-request-header-lines"),
        Refusal::RequestHeadersTooLong { .. } => refusal!("request-headers-too-long"),
        Refusal::PrivateNetworkNotAllowed => refusal!("private-network-not-allowed"),
    }
}

#[cfg(not(feature = "metrics"))]
pub(crate) fn count(_: &Decision<'_>) {}

#[cfg(all(test, feature = "metrics"))]
mod tests {
    use std::sync::Arc;

    use metrics_util::debugging::{DebugValue, DebuggingRecorder};

    use crate::adapter::{self, CorsRequest, RequestView, Start};
    use crate::Policy;

    /// The counters after running `requests` (method, origin, requested method) through
    /// the adapter sequence, as (name, label value, count), sorted.
    fn counted(requests: &[(&str, &str, Option<&str>)]) -> Vec<(String, String, u64)> {
        let recorder = DebuggingRecorder::new();
        let snapshotter = recorder.snapshotter();
        let policy = Arc::new(
            Policy::from_toml_str(r#"allow_origins = ["https://app.example.com"]"#)
                .expect("valid policy"),
        );
        metrics::with_local_recorder(&recorder, || {
            for &(method, origin, asked) in requests {
                let mut view = RequestView::new(method).origin([origin.as_bytes()]);
                if let Some(asked) = asked {
                    view = view.request_method([asked.as_bytes()]);
                }
                let request = CorsRequest {
                    method,
                    path: "/",
                    origin: Some(origin),
                    view,
                };
                let started = adapter::start(Arc::clone(&policy), &request, |p, _| p.status());
                assert!(matches!(started, Start::Decided(_)));
            }
        });
        let mut seen: Vec<(String, String, u64)> = snapshotter
            .snapshot()
            .into_vec()
            .into_iter()
            .map(|(key, _, _, value)| {
                let key = key.key();
                let label = key.labels().next().expect("one label").value().to_owned();
                let DebugValue::Counter(count) = value else {
                    panic!("{} is not a counter", key.name())
                };
                (key.name().to_owned(), label, count)
            })
            .collect();
        seen.sort();
        seen
    }

    #[test]
    fn decisions_and_refusals_are_counted_by_kind() {
        let app = "https://app.example.com";
        let evil = "https://evil.example";
        let seen = counted(&[
            ("GET", app, None),
            ("GET", app, None),
            ("GET", evil, None),
            ("OPTIONS", app, Some("GET")),
            ("OPTIONS", app, Some("DELETE")),
            ("OPTIONS", evil, Some("GET")),
        ]);
        let expected = [
            ("cors_decisions_total", "actual-allowed", 2),
            ("cors_decisions_total", "actual-refused", 1),
            ("cors_decisions_total", "preflight-allowed", 1),
            ("cors_decisions_total", "preflight-refused", 2),
            ("cors_refusals_total", "method-not-allowed", 1),
            ("cors_refusals_total", "origin-not-allowed", 2),
        ];
        let expected: Vec<(String, String, u64)> = expected
            .iter()
            .map(|&(n, l, c)| (n.to_owned(), l.to_owned(), c))
            .collect();
        assert_eq!(seen, expected);
    }
}
