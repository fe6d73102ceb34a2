//! The shared case table (`cases/*.toml`) run in process by each adapter's tests:
//! [`the_whole_case_table`] turns each case into the adapter's request and sends it
//! through its middleware around the example app; [`Report`] builds the policies,
//! compares the answers and reports every mismatch of the table at once.

use std::collections::HashMap;
use std::sync::Arc;

use cors_cases::{Case, Family, APP_HEADER};
use cors_core::{Policy, PolicyConfig};

use crate::adapter::{AdapterUnderTest, Reply, Request, Routes};

/// The whole case table through `A`'s middleware around the example app, a new app for
/// each case; the cases `A` cannot carry are skipped and listed with the reason.
pub async fn the_whole_case_table<A: AdapterUnderTest>() {
    let families = cors_cases::load_all::<PolicyConfig>().expect("the case table loads");
    let mut report = Report::new(A::NAME);
    for family in &families {
        for case in &family.cases {
            let Some(policy) = report.policy(family, case) else {
                continue;
            };
            let request = match A::request(&Request::of_case(case)) {
                Ok(request) => request,
                Err(why) => {
                    report.skip(family, case, &why);
                    continue;
                }
            };
            match send_case::<A>(policy, request).await {
                Ok((reply, calls)) => {
                    let found = wrong_calls(case, calls).into_iter().collect();
                    report.check_with(family, case, reply.status, &reply.headers, found);
                }
                Err(error) => report.check_with(family, case, 0, &[], vec![error]),
            }
        }
    }
    report.finish();
}

/// Sends a case's request through `A`'s middleware with `policy` around a new example
/// app: the reply, and how often the app ran if it counts its calls.
async fn send_case<A: AdapterUnderTest>(
    policy: Arc<Policy>,
    request: A::Request,
) -> Result<(Reply, Option<usize>), String> {
    let app = A::app(A::middleware(policy), Routes::Example).await;
    let app = app.map_err(|error| format!("the app does not start: {error}"))?;
    let reply = A::send(&app, request).await?;
    Ok((reply, A::app_calls(&app)))
}

/// Beyond the table's own checks, for an app that counts its calls: it ran exactly as
/// often as it should, never for a preflight and once for an actual request.
fn wrong_calls(case: &Case, calls: Option<usize>) -> Option<String> {
    let expected = usize::from(!case.is_preflight());
    let calls = calls.filter(|calls| *calls != expected)?;
    Some(format!("the app ran {calls} times, not {expected}"))
}

/// The cases run, skipped and failed, and the policies built so far (one per policy of
/// a family, shared by its cases).
pub struct Report {
    adapter: &'static str,
    policies: HashMap<(String, String), Result<Arc<Policy>, String>>,
    run: usize,
    skipped: Vec<String>,
    failures: Vec<String>,
}

impl Report {
    /// A report for the adapter named in its summary line.
    pub fn new(adapter: &'static str) -> Self {
        Report {
            adapter,
            policies: HashMap::new(),
            run: 0,
            skipped: Vec::new(),
            failures: Vec::new(),
        }
    }

    /// The case's policy, built once per policy of the family; `None`, counted as a
    /// failure, when it does not build.
    pub fn policy(&mut self, family: &Family, case: &Case) -> Option<Arc<Policy>> {
        let key = (family.family.clone(), case.policy.clone());
        let toml = family.policy_of(case).toml_text();
        let built = self.policies.entry(key).or_insert_with(|| {
            Policy::from_toml_str(toml)
                .map(Arc::new)
                .map_err(|e| e.to_string())
        });
        match built {
            Ok(policy) => Some(Arc::clone(policy)),
            Err(error) => {
                let error = format!("policy `{}` does not build: {error}", case.policy);
                self.failures
                    .push(format!("{}\n    {error}", label(family, case)));
                None
            }
        }
    }

    /// A case the framework cannot send (a method or a header value it cannot
    /// represent), with the reason: listed, not failed.
    pub fn skip(&mut self, family: &Family, case: &Case, why: &str) {
        self.skipped.push(format!("{}: {why}", label(family, case)));
    }

    /// Compares the answer to a case with the table: the status, every header, that a
    /// preflight did not reach the app and an actual request did, and the browser's
    /// verdict.
    pub fn check(
        &mut self,
        family: &Family,
        case: &Case,
        status: u16,
        headers: &[(String, Vec<u8>)],
    ) {
        self.check_with(family, case, status, headers, Vec::new());
    }

    /// [`Report::check`], with problems the adapter's test found itself (such as an app
    /// that counted its own calls).
    pub fn check_with(
        &mut self,
        family: &Family,
        case: &Case,
        status: u16,
        headers: &[(String, Vec<u8>)],
        found: Vec<String>,
    ) {
        self.run += 1;
        let mut problems = problems(case, status, headers);
        problems.extend(found);
        if !problems.is_empty() {
            self.failures.push(format!(
                "{} (policy `{}`)\n    {}",
                label(family, case),
                case.policy,
                problems.join("\n    ")
            ));
        }
    }

    /// Prints the summary and the skipped cases, then fails with every mismatch.
    pub fn finish(self) {
        println!(
            "{} case table: {} run, {} skipped, {} failed",
            self.adapter,
            self.run,
            self.skipped.len(),
            self.failures.len()
        );
        for why in &self.skipped {
            println!("  skipped {why}");
        }
        assert!(self.run > 0, "no case ran");
        assert!(
            self.failures.is_empty(),
            "{} of {} cases failed:\n{}",
            self.failures.len(),
            self.run,
            self.failures.join("\n")
        );
    }
}

fn label(family: &Family, case: &Case) -> String {
    format!("{} / {}", family.family, case.name)
}

/// What is wrong with an answer; empty when it is right.
fn problems(case: &Case, status: u16, headers: &[(String, Vec<u8>)]) -> Vec<String> {
    let mut problems: Vec<String> = cors_cases::check_response(case, status, headers)
        .iter()
        .map(ToString::to_string)
        .collect();
    let preflight = case.expect.outcome.is_preflight();
    if preflight && case.expect.status.is_none() {
        problems.push("the table gives no status for a preflight".into());
    }
    let reached_app = headers
        .iter()
        .any(|(name, _)| name.eq_ignore_ascii_case(APP_HEADER));
    if !preflight && !reached_app {
        problems.push(format!(
            "the actual request did not reach the app (no {APP_HEADER})"
        ));
    }
    problems
}
