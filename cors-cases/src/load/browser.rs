//! The families of browser cases, `cases/browser/*.toml` (`cases/README.md`, "Browser
//! cases"): the same layout as the server cases, with a `fetch()` call for a request
//! and the browser's verdict for an expectation.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::de::DeserializeOwned;
use serde::Deserialize;

use super::rules::check_request;
use super::{load_files, parse_policies, parse_toml, CaseFile, LoadError, CASES_DIR};
use crate::browser_cases::{BrowserCase, BrowserFamily, MAX_FETCHES};
use crate::model::{PolicySource, Verdict};

/// The browser cases shipped with the workspace: every `cases/browser/*.toml`, sorted
/// by file name, with each policy checked against `Schema` (see [`crate::load_dir`]).
pub fn load_browser<Schema: DeserializeOwned>() -> Result<Vec<BrowserFamily>, LoadError> {
    load_browser_dir::<Schema>(Path::new(CASES_DIR).join("browser"))
}

/// Every `*.toml` file of `dir`, by the rules of [`crate::load_dir`].
pub fn load_browser_dir<Schema: DeserializeOwned>(
    dir: impl AsRef<Path>,
) -> Result<Vec<BrowserFamily>, LoadError> {
    load_files(dir.as_ref(), parse_browser_family::<Schema>)
}

/// Parses and validates one file of browser cases, its policies against `Schema`;
/// `file` only names it in errors.
pub fn parse_browser_family<Schema: DeserializeOwned>(
    file: &str,
    text: &str,
) -> Result<BrowserFamily, LoadError> {
    let raw: RawBrowserFamily = parse_toml(file, text)?;
    let policies = parse_policies::<Schema>(file, raw.policies)?;
    check_cases(&raw.cases, &policies)
        .map_err(|(case, m)| LoadError::invalid(file, Some(&case), m))?;
    if raw.cases.is_empty() {
        return Err(LoadError::invalid(file, None, "has no [[case]]".into()));
    }
    Ok(BrowserFamily {
        family: raw.family,
        description: raw.description,
        policies,
        cases: raw.cases,
    })
}

impl CaseFile for BrowserFamily {
    fn family(&self) -> &str {
        &self.family
    }

    fn case_names(&self) -> Vec<&str> {
        self.cases.iter().map(|c| c.name.as_str()).collect()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBrowserFamily {
    family: String,
    description: String,
    #[serde(default)]
    policies: BTreeMap<String, toml::Table>,
    #[serde(default, rename = "case")]
    cases: Vec<BrowserCase>,
}

/// Every case's rules, in file order; an error names the case.
fn check_cases(
    cases: &[BrowserCase],
    policies: &BTreeMap<String, PolicySource>,
) -> Result<(), (String, String)> {
    let mut seen = BTreeSet::new();
    for case in cases {
        let fail = |m: String| (case.name.clone(), m);
        if !seen.insert(case.name.as_str()) {
            return Err(fail(
                "a case of this name already exists in the file".into(),
            ));
        }
        if !policies.contains_key(&case.policy) {
            let policy = &case.policy;
            return Err(fail(format!(
                "policy \"{policy}\" is not defined in [policies]"
            )));
        }
        check_case(case).map_err(fail)?;
    }
    Ok(())
}

/// The rules a browser case follows on its own.
fn check_case(case: &BrowserCase) -> Result<(), String> {
    let names = case.headers.iter().map(|(n, _)| n.as_str());
    check_request(&case.name, &case.method, &case.path, names)?;
    if let Some(then) = &case.then_headers {
        let names = then.iter().map(|(n, _)| n.as_str());
        check_request(&case.name, &case.method, &case.path, names)?;
    }
    check_read(case)?;
    check_page_host(case.page_host())?;
    check_fetches(case)
}

/// The page's host is a name under `.test`, which the runner maps to loopback.
fn check_page_host(host: &str) -> Result<(), String> {
    let labels_ok = host.split('.').all(|label| {
        !label.is_empty()
            && label
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    });
    if labels_ok && host.ends_with(".test") {
        Ok(())
    } else {
        Err(format!(
            "page_host \"{host}\" is not a lower-case host name under .test"
        ))
    }
}

/// A case sends its request 1 to `MAX_FETCHES` times, and only a response the script
/// gets has a status it sees.
fn check_fetches(case: &BrowserCase) -> Result<(), String> {
    if !(1..=MAX_FETCHES).contains(&case.fetches) {
        return Err(format!("fetches must be 1 to {MAX_FETCHES}"));
    }
    if case.expect.status.is_some() && case.expect.verdict == Verdict::Blocked {
        return Err("a blocked response has no status the script sees".into());
    }
    Ok(())
}

/// `read` and `expect.readable` go together, and only a response the script gets can
/// have a header it reads.
fn check_read(case: &BrowserCase) -> Result<(), String> {
    match (&case.read, case.expect.readable) {
        (None, None) => Ok(()),
        (Some(_), None) | (None, Some(_)) => Err("`read` and `expect.readable` go together".into()),
        (Some(_), Some(_)) if case.expect.verdict == Verdict::Blocked => {
            Err("a blocked response has no header the script can read".into())
        }
        (Some(_), Some(_)) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::super::dir_with;
    use super::*;

    const HEAD: &str =
        "family = \"b\"\ndescription = \"d\"\n[policies.p]\nallow_origins = [\"{page}\"]\n";
    const CASE: &str = "[[case]]\nname = \"c\"\npolicy = \"p\"\nmethod = \"GET\"\nheaders = [[\"x-api-key\", \"1\"]]\nread = \"x-request-id\"\n";
    const EXPECT: &str = "[case.expect]\nverdict = \"allowed\"\nreadable = false\n";

    /// A stand-in for the core's policy schema.
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)] // read by serde only
    struct Schema {
        allow_origins: Vec<String>,
    }

    fn parse(text: &str) -> Result<BrowserFamily, String> {
        parse_browser_family::<Schema>("b.toml", text).map_err(|e| e.to_string())
    }

    #[test]
    fn a_well_formed_file_loads_with_the_page_placeholder() {
        let family = parse(&format!("{HEAD}{CASE}{EXPECT}")).unwrap();
        assert!(family.policies["p"].toml_text().contains("\"{page}\""));
        let case = &family.cases[0];
        assert_eq!(case.path, "/");
        assert_eq!(case.headers, [("x-api-key".to_owned(), "1".to_owned())]);
        assert_eq!(case.expect.verdict, Verdict::Allowed);
        assert_eq!(case.expect.readable, Some(false));
    }

    #[test]
    fn policies_are_checked_against_the_schema_given() {
        let err = parse(&format!("{HEAD}allow_headers = []\n{CASE}{EXPECT}")).unwrap_err();
        assert!(
            err.starts_with("b.toml: policy \"p\": ") && err.contains("allow_headers"),
            "{err}"
        );
    }

    #[test]
    fn unknown_fields_undefined_policies_and_bad_verdicts_are_errors() {
        let err = parse(&format!("{HEAD}{CASE}mode = \"cors\"\n{EXPECT}")).unwrap_err();
        assert!(err.starts_with("b.toml:") && err.contains("mode"), "{err}");
        let undefined = CASE.replace("policy = \"p\"", "policy = \"q\"");
        let err = parse(&format!("{HEAD}{undefined}{EXPECT}")).unwrap_err();
        assert!(
            err.contains("case \"c\": policy \"q\" is not defined"),
            "{err}"
        );
        let maybe = EXPECT.replace("allowed", "maybe");
        let err = parse(&format!("{HEAD}{CASE}{maybe}")).unwrap_err();
        assert!(err.contains("unknown variant"), "{err}");
    }

    #[test]
    fn read_and_readable_go_together_and_need_an_allowed_response() {
        let unread = CASE.replace("read = \"x-request-id\"\n", "");
        let err = parse(&format!("{HEAD}{unread}{EXPECT}")).unwrap_err();
        assert!(err.contains("go together"), "{err}");
        let blocked = EXPECT.replace("allowed", "blocked");
        let err = parse(&format!("{HEAD}{CASE}{blocked}")).unwrap_err();
        assert!(err.contains("a blocked response"), "{err}");
        let bad_name = CASE.replace("x-api-key", "x api key");
        let err = parse(&format!("{HEAD}{bad_name}{EXPECT}")).unwrap_err();
        assert!(err.contains("not a token"), "{err}");
    }

    #[test]
    fn page_hosts_fetches_and_statuses_are_checked() {
        let family = parse(&format!("{HEAD}{CASE}fetches = 2\n{EXPECT}")).unwrap();
        assert_eq!(family.cases[0].requests().len(), 2);
        assert_eq!(family.cases[0].page_host(), "app.example.test");
        let err = parse(&format!(
            "{HEAD}{CASE}page_host = \"evil.example.com\"\n{EXPECT}"
        ))
        .unwrap_err();
        assert!(
            err.contains("not a lower-case host name under .test"),
            "{err}"
        );
        let err = parse(&format!("{HEAD}{CASE}fetches = 0\n{EXPECT}")).unwrap_err();
        assert!(err.contains("fetches must be 1 to 5"), "{err}");
        let unread = CASE.replace("read = \"x-request-id\"\n", "");
        let blocked = "[case.expect]\nverdict = \"blocked\"\nstatus = 200\n";
        let err = parse(&format!("{HEAD}{unread}{blocked}")).unwrap_err();
        assert!(err.contains("no status the script sees"), "{err}");
        let then = format!("{HEAD}{CASE}then_headers = [[\"x y\", \"1\"]]\n{EXPECT}");
        assert!(parse(&then).unwrap_err().contains("not a token"));
    }

    #[test]
    fn a_name_is_unique_across_the_directory() {
        let other = format!("{HEAD}{CASE}{EXPECT}").replace("\"b\"", "\"e\"");
        let dir = dir_with(
            "browser-dup",
            &[
                ("b.toml", format!("{HEAD}{CASE}{EXPECT}")),
                ("e.toml", other),
            ],
        );
        let err = load_browser_dir::<Schema>(&dir).unwrap_err().to_string();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(
            err,
            "e.toml: case \"c\": the family \"b\" already has a case of this name"
        );
    }
}
