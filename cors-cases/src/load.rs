//! Reading `cases/*.toml`: the file format of `cases/README.md` and its validation.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::model::{Case, Expect, Family, Outcome, PolicySource};

/// Why the table could not be loaded. Every variant names the file; case-level
/// problems also name the case.
#[derive(Debug)]
pub enum LoadError {
    /// A file or the directory could not be read.
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A file is not valid TOML or does not have the shape of a family (unknown field,
    /// unknown outcome, wrong type...). The message carries the line and column.
    Parse {
        /// The file.
        file: String,
        /// The parser's message.
        message: String,
    },
    /// A file parses but breaks a rule of the format.
    Invalid {
        /// The file.
        file: String,
        /// The case, when the problem is in one.
        case: Option<String>,
        /// What is wrong.
        message: String,
    },
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::Io { path, source } => write!(f, "{}: {source}", path.display()),
            LoadError::Parse { file, message } => write!(f, "{file}: {}", message.trim_end()),
            LoadError::Invalid {
                file,
                case: Some(case),
                message,
            } => {
                write!(f, "{file}: case \"{case}\": {message}")
            }
            LoadError::Invalid {
                file,
                case: None,
                message,
            } => write!(f, "{file}: {message}"),
        }
    }
}

impl std::error::Error for LoadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            LoadError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// The table shipped with the workspace: every `cases/*.toml`, sorted by file name.
pub fn load_all() -> Result<Vec<Family>, LoadError> {
    load_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../cases"))
}

/// Every `*.toml` file of `dir`, sorted by file name. Each file's `family` must equal
/// its stem, and case names must be unique across all files.
pub fn load_dir(dir: impl AsRef<Path>) -> Result<Vec<Family>, LoadError> {
    let mut families = Vec::new();
    let mut owners = BTreeMap::new();
    for path in toml_files(dir.as_ref())? {
        let text = std::fs::read_to_string(&path).map_err(io(&path))?;
        let file = path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        let family = parse_family(&file, &text)?;
        check_stem(&file, &path, &family)?;
        check_unique_across(&file, &family, &mut owners)?;
        families.push(family);
    }
    Ok(families)
}

fn toml_files(dir: &Path) -> Result<Vec<PathBuf>, LoadError> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io(dir))? {
        let path = entry.map_err(io(dir))?.path();
        if path.extension().is_some_and(|e| e == "toml") {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> LoadError + '_ {
    move |source| LoadError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Parses and validates one family file; `file` only names it in errors.
pub fn parse_family(file: &str, text: &str) -> Result<Family, LoadError> {
    let raw: RawFamily = toml::from_str(text).map_err(|e| LoadError::Parse {
        file: file.to_owned(),
        message: e.to_string(),
    })?;
    let invalid = |case: Option<&str>, message: String| LoadError::Invalid {
        file: file.to_owned(),
        case: case.map(str::to_owned),
        message,
    };
    let policies = parse_policies(raw.policies).map_err(|m| invalid(None, m))?;
    let cases = parse_cases(raw.cases, &policies).map_err(|(case, m)| invalid(Some(&case), m))?;
    if cases.is_empty() {
        return Err(invalid(None, "has no [[case]]".into()));
    }
    Ok(Family {
        family: raw.family,
        description: raw.description,
        policies,
        cases,
    })
}

fn parse_policies(
    raw: BTreeMap<String, toml::Table>,
) -> Result<BTreeMap<String, PolicySource>, String> {
    raw.into_iter()
        .map(|(name, table)| match policy_source(table) {
            Ok(policy) => Ok((name, policy)),
            Err(m) => Err(format!("policy \"{name}\": {m}")),
        })
        .collect()
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

fn check_stem(file: &str, path: &Path, family: &Family) -> Result<(), LoadError> {
    let stem = path.file_stem().map(|s| s.to_string_lossy());
    if stem.as_deref() == Some(family.family.as_str()) {
        return Ok(());
    }
    Err(LoadError::Invalid {
        file: file.to_owned(),
        case: None,
        message: format!("family = \"{}\" differs from the file name", family.family),
    })
}

/// Runners name cases without their family, so a name must be unique in the table.
/// `owners` maps each name seen so far to its family.
fn check_unique_across(
    file: &str,
    family: &Family,
    owners: &mut BTreeMap<String, String>,
) -> Result<(), LoadError> {
    for case in &family.cases {
        if let Some(first) = owners.insert(case.name.clone(), family.family.clone()) {
            return Err(LoadError::Invalid {
                file: file.to_owned(),
                case: Some(case.name.clone()),
                message: format!("the family \"{first}\" already has a case of this name"),
            });
        }
    }
    Ok(())
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

fn default_path() -> String {
    "/".into()
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

/// The policy schema of `shared/CONTRACT.md`, used only to reject typos and wrong
/// types here rather than in every runner; the core does the real validation.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // read by serde only
struct PolicyShape {
    allow_origins: Option<Vec<String>>,
    allow_methods: Option<Vec<String>>,
    allow_headers: Option<Vec<String>>,
    expose_headers: Option<Vec<String>>,
    allow_credentials: Option<bool>,
    max_age: Option<u32>,
    allow_private_network: Option<bool>,
}

fn policy_source(table: toml::Table) -> Result<PolicySource, String> {
    let _: PolicyShape = toml::Value::Table(table.clone())
        .try_into()
        .map_err(|e: toml::de::Error| e.message().to_owned())?;
    let toml = toml::to_string(&table).map_err(|e| e.to_string())?;
    let json = serde_json::to_string_pretty(&table).map_err(|e| e.to_string())?;
    Ok(PolicySource { toml, json })
}

/// The longest value that `repeat` may build: far above every limit under test, far
/// below anything that would slow the runners down.
const MAX_BUILT_LEN: usize = 1 << 20;

/// A request header value: a string, `{ hex = ".." }` or
/// `{ repeat = "..", times = N, prefix = "..", suffix = ".." }`.
fn header_value(value: &toml::Value) -> Result<Vec<u8>, String> {
    match value {
        toml::Value::String(s) => Ok(s.clone().into_bytes()),
        toml::Value::Table(t) if t.contains_key("hex") => hex_value(t),
        toml::Value::Table(t) if t.contains_key("repeat") => repeat_value(t),
        _ => Err("a value is a string, { hex = \"..\" } or { repeat = \"..\", times = N }".into()),
    }
}

fn hex_value(t: &toml::Table) -> Result<Vec<u8>, String> {
    only_keys(t, &["hex"])?;
    let hex = t["hex"].as_str().ok_or("`hex` must be a string")?;
    let digit = |c: u8| {
        (c as char)
            .to_digit(16)
            .ok_or(format!("`hex` has a non-hex digit in \"{hex}\""))
    };
    if hex.len() % 2 != 0 {
        return Err(format!("`hex` has an odd number of digits: \"{hex}\""));
    }
    hex.as_bytes()
        .chunks(2)
        .map(|pair| Ok((digit(pair[0])? * 16 + digit(pair[1])?) as u8))
        .collect()
}

fn repeat_value(t: &toml::Table) -> Result<Vec<u8>, String> {
    only_keys(t, &["repeat", "times", "prefix", "suffix"])?;
    let text = |key: &str| match t.get(key) {
        None => Ok(""),
        Some(v) => v.as_str().ok_or(format!("`{key}` must be a string")),
    };
    let times = t
        .get("times")
        .and_then(toml::Value::as_integer)
        .ok_or("`times` must be an integer")?;
    let times = usize::try_from(times).map_err(|_| "`times` must not be negative")?;
    let (repeat, prefix, suffix) = (text("repeat")?, text("prefix")?, text("suffix")?);
    let len = repeat.len().saturating_mul(times) + prefix.len() + suffix.len();
    if len > MAX_BUILT_LEN {
        return Err(format!(
            "the value would be {len} bytes, above the limit of {MAX_BUILT_LEN}"
        ));
    }
    Ok([prefix, &repeat.repeat(times), suffix]
        .concat()
        .into_bytes())
}

fn only_keys(t: &toml::Table, allowed: &[&str]) -> Result<(), String> {
    match t.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(k) => Err(format!("unknown key `{k}` (expected one of {allowed:?})")),
        None => Ok(()),
    }
}

/// Rules of `cases/README.md` that a case can break on its own. They catch a slip in
/// the table before it costs a debugging session against the core.
fn check_case(case: &Case) -> Result<(), String> {
    check_request(case)?;
    check_expected_names(&case.expect)?;
    check_outcome_matches_request(case)?;
    check_outcome_headers(&case.expect)?;
    if case.expect.outcome == Outcome::NotCors && case.expect.verdict.is_some() {
        return Err("a not-cors case has no verdict".into());
    }
    Ok(())
}

fn check_request(case: &Case) -> Result<(), String> {
    if case.name.trim().is_empty() {
        return Err("the name is empty".into());
    }
    if case.method.is_empty() || case.method.contains([' ', '\t']) {
        return Err(format!("method \"{}\" is not a method", case.method));
    }
    if !case.path.starts_with('/') {
        return Err(format!("path \"{}\" does not start with /", case.path));
    }
    match case.headers.iter().find(|(n, _)| !is_token(n)) {
        Some((n, _)) => Err(format!("request header name \"{n}\" is not a token")),
        None => Ok(()),
    }
}

fn check_expected_names(expect: &Expect) -> Result<(), String> {
    let governed = |n: &str| n == "vary" || n.starts_with("access-control-");
    match expect
        .headers
        .keys()
        .find(|n| !governed(n) || n.to_ascii_lowercase() != **n)
    {
        Some(n) => Err(format!(
            "expected header \"{n}\" is not a lower-case access-control-* or vary header"
        )),
        None => Ok(()),
    }
}

/// The outcome class follows from the request alone: no Origin, preflight or actual.
fn check_outcome_matches_request(case: &Case) -> Result<(), String> {
    let outcome = case.expect.outcome;
    let fits = if !case.has_header("origin") {
        outcome == Outcome::NotCors
    } else if case.is_preflight() {
        outcome.is_preflight()
    } else {
        matches!(outcome, Outcome::ActualAllowed | Outcome::ActualRefused)
    };
    if fits {
        return Ok(());
    }
    Err(format!("outcome {outcome} does not fit the request (Origin, OPTIONS + Access-Control-Request-Method?)"))
}

/// The headers and statuses that each outcome implies.
fn check_outcome_headers(expect: &Expect) -> Result<(), String> {
    let has = |n: &str| expect.headers.contains_key(n);
    // A `*` policy answers `*`, with its exposed headers, on every actual response,
    // refused and non-CORS ones included (Fetch, "CORS protocol and HTTP caches").
    let star = expect
        .headers
        .get("access-control-allow-origin")
        .is_some_and(|v| v == "*");
    let only_vary = expect.headers.keys().all(|n| {
        n == "vary"
            || (star
                && expect.outcome != Outcome::PreflightRefused
                && (n == "access-control-allow-origin" || n == "access-control-expose-headers"))
    });
    let problem = match expect.outcome {
        Outcome::PreflightAllowed if expect.status.is_none() => Some("a preflight needs a status"),
        Outcome::PreflightAllowed
            if !has("access-control-allow-origin") || !has("access-control-allow-methods") =>
        {
            Some("an allowed preflight has access-control-allow-origin and -allow-methods")
        }
        Outcome::PreflightRefused if expect.status != Some(403) => {
            Some("a refused preflight has status 403")
        }
        Outcome::ActualAllowed if !has("access-control-allow-origin") => {
            Some("an allowed actual request has access-control-allow-origin")
        }
        Outcome::PreflightRefused | Outcome::ActualRefused | Outcome::NotCors if !only_vary => {
            Some("this outcome carries no header but vary (and, under a `*` policy, `*` and the exposed headers)")
        }
        _ => None,
    };
    problem.map_or(Ok(()), |p| Err(p.into()))
}

/// RFC 9110 `token`: the syntax of method and header names.
pub(crate) fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "family = \"f\"\ndescription = \"d\"\n[policies.p]\nallow_origins = [\"https://a.example\"]\n";
    const CASE: &str = "[[case]]\nname = \"c\"\npolicy = \"p\"\nmethod = \"GET\"\nheaders = [[\"origin\", \"https://a.example\"]]\n";
    const EXPECT: &str = "[case.expect]\noutcome = \"actual-allowed\"\nheaders = { access-control-allow-origin = \"https://a.example\", vary = \"origin\" }\n";

    fn parse(text: &str) -> Result<Family, String> {
        parse_family("f.toml", text).map_err(|e| e.to_string())
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
        let err = parse(&format!("{HEAD}maxage = 3\n{CASE}{EXPECT}")).unwrap_err();
        assert!(
            err.contains("policy \"p\"") && err.contains("maxage"),
            "{err}"
        );
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

    /// A fresh directory holding `files`, removed by the caller.
    fn dir_with(tag: &str, files: &[(&str, String)]) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("cors-cases-{tag}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for (name, text) in files {
            std::fs::write(dir.join(name), text).unwrap();
        }
        dir
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
        let families = load_dir(&dir);
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
        let err = load_dir(&dir).unwrap_err().to_string();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(
            err,
            "g.toml: case \"c\": the family \"f\" already has a case of this name"
        );
        let dir = dir_with("stem", &[("h.toml", format!("{HEAD}{CASE}{EXPECT}"))]);
        let err = load_dir(&dir).unwrap_err().to_string();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(err, "h.toml: family = \"f\" differs from the file name");
    }

    #[test]
    fn built_values_expand_and_bad_ones_are_named() {
        let value = |s: &str| {
            header_value(&toml::from_str::<toml::Table>(&format!("v = {s}")).unwrap()["v"])
        };
        assert_eq!(value("{ hex = \"68ff\" }").unwrap(), b"h\xff");
        let built =
            value("{ repeat = \"a,\", times = 3, prefix = \"<\", suffix = \">\" }").unwrap();
        assert_eq!(built, b"<a,a,a,>");
        assert!(value("{ hex = \"6\" }").unwrap_err().contains("odd"));
        assert!(value("{ hex = \"zz\" }").unwrap_err().contains("non-hex"));
        assert!(value("{ repeat = \"a\" }").unwrap_err().contains("times"));
        assert!(value("{ repeat = \"a\", times = 1, extra = 1 }")
            .unwrap_err()
            .contains("extra"));
        assert!(value("{ repeat = \"a\", times = 2000000 }")
            .unwrap_err()
            .contains("limit"));
        assert!(value("3").is_err());
    }
}
