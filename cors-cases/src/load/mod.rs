//! Reading the case files: the families of server cases (`cases/*.toml`) and of
//! browser cases (`cases/browser/*.toml`), in the formats of `cases/README.md`, with
//! their validation.
//!
//! Policies are not described here: every loader takes the policy schema as a type
//! parameter, `Schema`, and a policy that does not deserialize as one is refused with
//! the file and the policy named. The consumers pass the core's own
//! `cors_core::PolicyConfig` (the policy file format of `docs/contract.md`), so the
//! schema is written once, in the core; this crate does not depend on `cors-core`,
//! whose tests run the table. `toml::Table` accepts any policy.

mod browser;
mod error;
mod family;
mod rules;
mod values;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

pub use browser::{load_browser, load_browser_dir, parse_browser_family};
pub use error::LoadError;
pub use family::{load_all, load_dir, parse_family};

use crate::model::PolicySource;

/// The `cases/` directory of the workspace.
const CASES_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../cases");

/// What the directory loader needs to know of a parsed file.
trait CaseFile {
    /// The `family` the file declares.
    fn family(&self) -> &str;
    /// The names of its cases.
    fn case_names(&self) -> Vec<&str>;
}

/// Every `*.toml` file of `dir`, sorted by file name, parsed with `parse`. Each file's
/// `family` must equal its stem, and case names must be unique across all files.
fn load_files<F: CaseFile>(
    dir: &Path,
    parse: impl Fn(&str, &str) -> Result<F, LoadError>,
) -> Result<Vec<F>, LoadError> {
    let mut families = Vec::new();
    let mut owners = BTreeMap::new();
    for path in toml_files(dir)? {
        let text = std::fs::read_to_string(&path).map_err(LoadError::io(&path))?;
        let file = path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        let family = parse(&file, &text)?;
        check_stem(&file, &path, family.family())?;
        check_unique_across(&file, &family, &mut owners)?;
        families.push(family);
    }
    Ok(families)
}

fn toml_files(dir: &Path) -> Result<Vec<PathBuf>, LoadError> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(LoadError::io(dir))? {
        let path = entry.map_err(LoadError::io(dir))?.path();
        if path.extension().is_some_and(|e| e == "toml") {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

fn check_stem(file: &str, path: &Path, family: &str) -> Result<(), LoadError> {
    let stem = path.file_stem().map(|s| s.to_string_lossy());
    if stem.as_deref() == Some(family) {
        return Ok(());
    }
    let message = format!("family = \"{family}\" differs from the file name");
    Err(LoadError::invalid(file, None, message))
}

/// Runners name cases without their family, so a name must be unique in the table.
/// `owners` maps each name seen so far to its family.
fn check_unique_across(
    file: &str,
    family: &impl CaseFile,
    owners: &mut BTreeMap<String, String>,
) -> Result<(), LoadError> {
    for name in family.case_names() {
        if let Some(first) = owners.insert(name.to_owned(), family.family().to_owned()) {
            let message = format!("the family \"{first}\" already has a case of this name");
            return Err(LoadError::invalid(file, Some(name), message));
        }
    }
    Ok(())
}

/// A file's text as `T`, or a parse error naming the file with the line and column.
fn parse_toml<T: DeserializeOwned>(file: &str, text: &str) -> Result<T, LoadError> {
    toml::from_str(text).map_err(|e| LoadError::Parse {
        file: file.to_owned(),
        message: e.to_string(),
    })
}

/// The `[policies]` of a file, each checked against `Schema` and kept as text.
fn parse_policies<Schema: DeserializeOwned>(
    file: &str,
    raw: BTreeMap<String, toml::Table>,
) -> Result<BTreeMap<String, PolicySource>, LoadError> {
    raw.into_iter()
        .map(|(name, table)| match policy_source::<Schema>(table) {
            Ok(policy) => Ok((name, policy)),
            Err(m) => Err(LoadError::invalid(
                file,
                None,
                format!("policy \"{name}\": {m}"),
            )),
        })
        .collect()
}

/// A policy as TOML and JSON text, once it deserializes as `Schema`. An error is one
/// line, ending with the field it is in when there is one.
fn policy_source<Schema: DeserializeOwned>(table: toml::Table) -> Result<PolicySource, String> {
    let _: Schema = toml::Value::Table(table.clone())
        .try_into()
        .map_err(|e: toml::de::Error| e.to_string().trim_end().replace('\n', " "))?;
    let toml = toml::to_string(&table).map_err(|e| e.to_string())?;
    let json = serde_json::to_string_pretty(&table).map_err(|e| e.to_string())?;
    Ok(PolicySource { toml, json })
}

/// A fresh directory holding `files`, for the tests; the caller removes it.
#[cfg(test)]
fn dir_with(tag: &str, files: &[(&str, String)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cors-cases-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (name, text) in files {
        std::fs::write(dir.join(name), text).unwrap();
    }
    dir
}
