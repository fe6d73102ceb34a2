//! The families of server cases, `cases/*.toml`: a request and what a correct CORS
//! server answers to it (`cases/README.md`, "A file").

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::de::DeserializeOwned;
use serde::Deserialize;

use super::rules::check_case;
use super::values::header_value;
use super::{load_files, parse_policies, parse_toml, CaseFile, LoadError, CASES_DIR};
use crate::model::{default_path, Case, Expect, Family, PolicySource};

/// The table shipped with the workspace: every `cases/*.toml`, sorted by file name,
/// with each policy checked against `Schema` (see [`load_dir`]).
///
/// ```
/// // The core's tests and the runners pass `cors_core::PolicyConfig`.
/// let families = cors_cases::load_all::<toml::Table>().unwrap();
/// assert!(families.iter().any(|f| f.family == "origins"));
/// ```
pub fn load_all<Schema: DeserializeOwned>() -> Result<Vec<Family>, LoadError> {
    load_dir::<Schema>(CASES_DIR)
}

/// Every `*.toml` file of `dir`, sorted by file name. Each file's `family` must equal
/// its stem, and case names must be unique across all files. Each policy must
/// deserialize as `Schema`, the policy file format: the consumers pass
/// `cors_core::PolicyConfig`, so that an unknown or ill-typed field is refused here.
pub fn load_dir<Schema: DeserializeOwned>(dir: impl AsRef<Path>) -> Result<Vec<Family>, LoadError> {
    load_files(dir.as_ref(), parse_family::<Schema>)
}

/// Parses and validates one family file, its policies against `Schema`; `file` only
/// names it in errors.
pub fn parse_family<Schema: DeserializeOwned>(file: &str, text: &str) -> Result<Family, LoadError> {
    let raw: RawFamily = parse_toml(file, text)?;
    let policies = parse_policies::<Schema>(file, raw.policies)?;
    let cases = parse_cases(raw.cases, &policies)
        .map_err(|(case, m)| LoadError::invalid(file, Some(&case), m))?;
    if cases.is_empty() {
        return Err(LoadError::invalid(file, None, "has no [[case]]".into()));
    }
    Ok(Family {
        family: raw.family,
        description: raw.description,
        policies,
        cases,
    })
}

impl CaseFile for Family {
    fn family(&self) -> &str {
        &self.family
    }

    fn case_names(&self) -> Vec<&str> {
        self.cases.iter().map(|c| c.name.as_str()).collect()
    }
}

/// The cases in file order; an error names the case.
fn parse_cases(
    raw: Vec<RawCase>,
    policies: &BTreeMap<String, PolicySource>,
) -> Result<Vec<Case>, (String, String)> {
    let mut seen = BTreeSet::new();
    let mut cases = Vec::with_capacity(raw.len());
    for raw_case in raw {
        let name = raw_case.name.clone();
        let fail = |m: String| (name.clone(), m);
        if !seen.insert(name.clone()) {
            return Err(fail(
                "a case of this name already exists in the file".into(),
            ));
        }
        if !policies.contains_key(&raw_case.policy) {
            let policy = &raw_case.policy;
            return Err(fail(format!(
                "policy \"{policy}\" is not defined in [policies]"
            )));
        }
        let case = raw_case.into_case().map_err(fail)?;
        check_case(&case).map_err(fail)?;
        cases.push(case);
    }
    Ok(cases)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFamily {
    family: String,
    description: String,
    #[serde(default)]
    policies: BTreeMap<String, toml::Table>,
    #[serde(default, rename = "case")]
    cases: Vec<RawCase>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCase {
    name: String,
    policy: String,
    method: String,
    #[serde(default = "default_path")]
    path: String,
    #[serde(default)]
    headers: Vec<(String, toml::Value)>,
    #[serde(default)]
    credentials: bool,
    spec: Option<String>,
    expect: Expect,
}

impl RawCase {
    fn into_case(self) -> Result<Case, String> {
        let mut headers = Vec::with_capacity(self.headers.len());
        for (name, value) in self.headers {
            let bytes = header_value(&value).map_err(|m| format!("header \"{name}\": {m}"))?;
            headers.push((name, bytes));
        }
        Ok(Case {
            name: self.name,
            policy: self.policy,
            method: self.method,
            path: self.path,
            headers,
            credentials: self.credentials,
            spec: self.spec,
            expect: self.expect,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::dir_with;
    use super::*;
    use crate::model::Outcome;

    const HEAD: &str = "family = \"f\"\ndescription = \"d\"\n[policies.p]\nallow_origins = [\"https://a.example\"]\n";
    const CASE: &str = "[[case]]\nname = \"c\"\npolicy = \"p\"\nmethod = \"GET\"\nheaders = [[\"origin\", \"https://a.example\"]]\n";
    const EXPECT: &str = "[case.expect]\noutcome = \"actual-allowed\"\nheaders = { access-control-allow-origin = \"https://a.example\", vary = \"origin\" }\n";

    /// A stand-in for the core's policy schema: two fields, unknown ones refused.
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)] // read by serde only
    struct Schema {
        allow_origins: Vec<String>,
        max_age: Option<u64>,
    }

    fn parse(text: &str) -> Result<Family, String> {
        parse_family::<Schema>("f.toml", text).map_err(|e| e.to_string())
    }

    #[test]
    fn a_well_formed_file_loads_with_both_policy_texts() {
        let family = parse(&format!("{HEAD}{CASE}{EXPECT}")).unwrap();
        let policy = &family.policies["p"];
        assert!(policy
            .toml_text()
            .contains("allow_origins = [\"https://a.example\"]"));
        let json: serde_json::Value = serde_json::from_str(policy.json_text()).unwrap();
        assert_eq!(json["allow_origins"][0], "https://a.example");
        assert_eq!(family.cases[0].path, "/");
        assert_eq!(family.cases[0].expect.outcome, Outcome::ActualAllowed);
    }

    #[test]
    fn unknown_fields_are_errors_that_name_the_file() {
        let err = parse(&format!("{HEAD}{CASE}bogus = 1\n{EXPECT}")).unwrap_err();
        assert!(err.starts_with("f.toml:") && err.contains("bogus"), "{err}");
    }

    #[test]
    fn a_policy_is_checked_against_the_schema_given() {
        let err = parse(&format!("{HEAD}maxage = 3\n{CASE}{EXPECT}")).unwrap_err();
        assert!(
            err.starts_with("f.toml: policy \"p\": ") && err.contains("maxage"),
            "{err}"
        );
        let err = parse(&format!("{HEAD}max_age = \"ten\"\n{CASE}{EXPECT}")).unwrap_err();
        assert!(
            err.starts_with("f.toml: policy \"p\": ")
                && err.contains("string")
                && err.ends_with("in `max_age`"),
            "{err}"
        );
        let any =
            parse_family::<toml::Table>("f.toml", &format!("{HEAD}maxage = 3\n{CASE}{EXPECT}"));
        assert!(any.is_ok());
    }

    #[test]
    fn undefined_policy_duplicate_name_and_unknown_outcome_are_errors() {
        let undefined = CASE.replace("policy = \"p\"", "policy = \"q\"");
        let err = parse(&format!("{HEAD}{undefined}{EXPECT}")).unwrap_err();
        assert!(
            err.contains("case \"c\"") && err.contains("\"q\" is not defined"),
            "{err}"
        );
        let err = parse(&format!("{HEAD}{CASE}{EXPECT}{CASE}{EXPECT}")).unwrap_err();
        assert!(
            err.contains("case \"c\"") && err.contains("already exists"),
            "{err}"
        );
        let err = parse(&format!(
            "{HEAD}{CASE}{}",
            EXPECT.replace("actual-allowed", "maybe")
        ))
        .unwrap_err();
        assert!(
            err.contains("unknown variant") && err.contains("maybe"),
            "{err}"
        );
    }

    #[test]
    fn an_outcome_that_does_not_fit_the_request_is_an_error() {
        let preflight = EXPECT.replace("actual-allowed", "preflight-allowed");
        let err = parse(&format!("{HEAD}{CASE}{preflight}")).unwrap_err();
        assert!(err.contains("does not fit the request"), "{err}");
        let refused = EXPECT.replace("actual-allowed", "actual-refused");
        let err = parse(&format!("{HEAD}{CASE}{refused}")).unwrap_err();
        assert!(err.contains("no header but vary"), "{err}");
    }

    #[test]
    fn load_dir_sorts_files_and_ignores_other_extensions() {
        let second = format!("{HEAD}{CASE}{EXPECT}").replace("\"f\"", "\"g\"");
        let second = second.replace("name = \"c\"", "name = \"d\"");
        let dir = dir_with(
            "sorted",
            &[
                ("g.toml", second),
                ("f.toml", format!("{HEAD}{CASE}{EXPECT}")),
                ("notes.md", "not a family".into()),
            ],
        );
        let families = load_dir::<Schema>(&dir);
        std::fs::remove_dir_all(&dir).unwrap();
        let names: Vec<String> = families.unwrap().into_iter().map(|f| f.family).collect();
        assert_eq!(names, ["f", "g"]);
    }

    #[test]
    fn load_dir_refuses_a_name_used_in_two_files_and_a_wrong_family() {
        let copy = format!("{HEAD}{CASE}{EXPECT}").replace("\"f\"", "\"g\"");
        let dir = dir_with(
            "dup",
            &[
                ("f.toml", format!("{HEAD}{CASE}{EXPECT}")),
                ("g.toml", copy),
            ],
        );
        let err = load_dir::<Schema>(&dir).unwrap_err().to_string();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(
            err,
            "g.toml: case \"c\": the family \"f\" already has a case of this name"
        );
        let dir = dir_with("stem", &[("h.toml", format!("{HEAD}{CASE}{EXPECT}"))]);
        let err = load_dir::<Schema>(&dir).unwrap_err().to_string();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(err, "h.toml: family = \"f\" differs from the file name");
    }
}
