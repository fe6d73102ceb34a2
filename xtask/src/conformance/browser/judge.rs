//! A case judged twice: the Fetch Standard's conclusions from the server's answers held
//! to the table (is the server right?), then the engine's held to the Standard's (does
//! the engine depart from it?).

use cors_cases::{BrowserCase, Verdict};
use serde::Deserialize;

use super::super::{ResponseRecord, ResultStatus};
use super::engine::Engine;
use super::standard::Replay;

/// What the script saw.
#[derive(Debug, Deserialize)]
pub struct Seen {
    ok: bool,
    status: Option<u16>,
    read: Option<String>,
    error: Option<String>,
}

/// A case's judgement, before it becomes a `CaseResult`.
pub struct Judged {
    pub status: ResultStatus,
    pub problems: Vec<String>,
    pub note: Option<String>,
    /// The Standard's requests and the server's answers.
    pub transcript: String,
    pub last: Option<ResponseRecord>,
}

impl Judged {
    pub fn failed(problem: String) -> Judged {
        Judged {
            status: ResultStatus::Failed,
            problems: vec![problem],
            note: None,
            transcript: String::new(),
            last: None,
        }
    }
}

/// Holds the Standard's conclusions to the table (the server's answers), then the
/// engine's to the Standard's (the engine).
pub fn compare(
    case: &BrowserCase,
    replay: &Replay,
    seen: &Seen,
    preflights: u32,
    engine: Engine,
    version: &str,
) -> Judged {
    let standard = Conclusions::of_replay(replay);
    let table = Conclusions::of_table(case);
    let browser = Conclusions::of_browser(seen, preflights);
    let server_wrong = standard.differences(&table, "the table expects");
    let why = replay
        .why
        .as_deref()
        .map(|w| format!(" ({w})"))
        .unwrap_or_default();
    let mut judged = Judged {
        status: ResultStatus::Passed,
        problems: Vec::new(),
        note: None,
        transcript: String::new(),
        last: None,
    };
    if !server_wrong.is_empty() {
        judged.status = ResultStatus::Failed;
        judged.problems = server_wrong
            .into_iter()
            .map(|p| format!("per the Fetch Standard, the server's answers give {p}{why}"))
            .collect();
        return judged;
    }
    let engine_differs = browser.differences(&standard, "the Fetch Standard concludes");
    if !engine_differs.is_empty() {
        let error = seen
            .error
            .as_deref()
            .map(|e| format!(" ({e})"))
            .unwrap_or_default();
        judged.status = ResultStatus::Divergence;
        judged.problems = engine_differs
            .into_iter()
            .map(|p| format!("{engine} {version} gives {p}{error}"))
            .collect();
        judged.note = Some(format!(
            "{engine} {version} departs from the Fetch Standard"
        ));
    }
    judged
}

/// What is concluded about a case, by the table, the Standard or a browser; `None` for
/// what that one does not say.
#[derive(Debug, PartialEq)]
struct Conclusions {
    verdict: Verdict,
    readable: Option<bool>,
    status: Option<u16>,
    preflights: Option<u32>,
}

impl Conclusions {
    fn of_table(case: &BrowserCase) -> Conclusions {
        Conclusions {
            verdict: case.expect.verdict,
            readable: case.expect.readable,
            status: case.expect.status,
            preflights: case.expect.preflights,
        }
    }

    fn of_replay(replay: &Replay) -> Conclusions {
        Conclusions {
            verdict: replay.verdict,
            readable: replay.readable,
            status: replay.status,
            preflights: Some(replay.preflights),
        }
    }

    fn of_browser(seen: &Seen, preflights: u32) -> Conclusions {
        Conclusions {
            verdict: if seen.ok {
                Verdict::Allowed
            } else {
                Verdict::Blocked
            },
            readable: seen.ok.then_some(seen.read.is_some()),
            status: seen.status,
            preflights: Some(preflights),
        }
    }

    /// Where `self` disagrees with `other` on what `other` says, in words: "X where
    /// {whose} Y".
    fn differences(&self, other: &Conclusions, whose: &str) -> Vec<String> {
        let mut differences = Vec::new();
        if self.verdict != other.verdict {
            differences.push(format!(
                "the verdict {} where {whose} {}",
                self.verdict, other.verdict
            ));
            return differences;
        }
        let readable = |r: bool| if r { "readable" } else { "hidden" };
        if let (Some(mine), Some(theirs)) = (self.readable, other.readable) {
            if mine != theirs {
                differences.push(format!(
                    "the response header {} where {whose} {}",
                    readable(mine),
                    readable(theirs)
                ));
            }
        }
        if let (Some(mine), Some(theirs)) = (self.status, other.status) {
            if mine != theirs {
                differences.push(format!("status {mine} where {whose} {theirs}"));
            }
        }
        if let (Some(mine), Some(theirs)) = (self.preflights, other.preflights) {
            if mine != theirs {
                differences.push(format!("{mine} preflights where {whose} {theirs}"));
            }
        }
        differences
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conformance::browser::load_cases;

    fn case_reading(readable: bool) -> BrowserCase {
        let (_, cases) = load_cases().unwrap();
        cases
            .into_iter()
            .find(|c| c.read.is_some() && c.expect.readable == Some(readable))
            .unwrap()
    }

    fn replay(verdict: Verdict, readable: Option<bool>) -> Replay {
        Replay {
            verdict,
            why: None,
            readable,
            status: Some(200),
            preflights: 0,
            transcript: String::new(),
            last: None,
        }
    }

    fn seen(ok: bool, read: Option<&str>) -> Seen {
        Seen {
            ok,
            status: ok.then_some(200),
            read: read.map(str::to_owned),
            error: (!ok).then(|| "TypeError: Failed to fetch".into()),
        }
    }

    #[test]
    fn a_server_whose_answers_the_standard_rejects_fails() {
        let case = case_reading(true);
        let judged = compare(
            &case,
            &replay(Verdict::Blocked, None),
            &seen(false, None),
            0,
            Engine::Firefox,
            "1",
        );
        assert_eq!(judged.status, ResultStatus::Failed);
        assert!(
            judged.problems[0].contains(
                "the server's answers give the verdict blocked where the table expects allowed"
            ),
            "{:?}",
            judged.problems
        );
    }

    #[test]
    fn an_engine_that_departs_from_the_standard_is_a_divergence() {
        let case = case_reading(true);
        let standard = replay(Verdict::Allowed, Some(true));
        let passed = compare(
            &case,
            &standard,
            &seen(true, Some("req-1")),
            0,
            Engine::Webkit,
            "2.50",
        );
        assert_eq!(passed.status, ResultStatus::Passed, "{:?}", passed.problems);
        let hidden = compare(
            &case,
            &standard,
            &seen(true, None),
            0,
            Engine::Webkit,
            "2.50",
        );
        assert_eq!(hidden.status, ResultStatus::Divergence);
        assert!(hidden.problems[0].starts_with("webkit 2.50 gives the response header hidden where the Fetch Standard concludes readable"), "{:?}", hidden.problems);
        let extra_preflight = compare(
            &case,
            &standard,
            &seen(true, Some("1")),
            1,
            Engine::Webkit,
            "2.50",
        );
        assert_eq!(extra_preflight.status, ResultStatus::Divergence);
    }
}
