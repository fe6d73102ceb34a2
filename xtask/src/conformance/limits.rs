//! Known limits of the frameworks themselves (`xtask/framework-limits.toml`): failures
//! that no middleware on that framework can avoid are reported as such, with the reason.

use serde::Deserialize;

use super::{CaseResult, ResultStatus, Target};

const LIMITS: &str = include_str!("../../framework-limits.toml");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Limits {
    limit: Vec<Limit>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Limit {
    framework: String,
    cases: Vec<String>,
    why: String,
}

/// Marks the failed results that a listed limit explains, on every server of that
/// framework (ours and the peer's alike).
pub fn apply(targets: &[Target], results: &mut [CaseResult]) -> Result<(), String> {
    let limits: Limits =
        toml::from_str(LIMITS).map_err(|e| format!("framework-limits.toml: {e}"))?;
    for result in results
        .iter_mut()
        .filter(|r| r.status == ResultStatus::Failed)
    {
        let Some(target) = targets.iter().find(|t| t.column == result.column) else {
            continue;
        };
        // A browser case is listed once as `browser/<name>`, for every engine.
        let family = if super::browser::is_family(&result.family) {
            "browser"
        } else {
            &result.family
        };
        let id = format!("{family}/{}", result.case);
        let limit = limits
            .limit
            .iter()
            .find(|l| l.framework == target.framework && l.cases.contains(&id));
        if let Some(limit) = limit {
            result.status = ResultStatus::FrameworkLimit;
            result.note = Some(limit.why.clone());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_case_exists_in_the_table() {
        let limits: Limits = toml::from_str(LIMITS).unwrap();
        let families = cors_cases::load_all::<cors_core::PolicyConfig>().unwrap();
        let (_, browser_cases) = super::super::browser::load_cases().unwrap();
        for limit in &limits.limit {
            assert!(["axum", "actix", "rocket", "warp"].contains(&limit.framework.as_str()));
            for id in &limit.cases {
                let (family, name) = id.split_once('/').unwrap();
                let found = if family == "browser" {
                    browser_cases.iter().any(|c| c.name == name)
                } else {
                    families
                        .iter()
                        .any(|f| f.family == family && f.cases.iter().any(|c| c.name == name))
                };
                assert!(found, "{id} is not a case of the table");
            }
        }
    }
}
