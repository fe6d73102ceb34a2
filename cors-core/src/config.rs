//! The policy file: its serde schema (docs/contract.md), and loading it from TOML or
//! JSON with errors that name the field.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{ConfigError, PolicyError, Problem, ProblemKind};
use crate::policy::{Policy, PolicyBuilder};

/// A policy as written in a policy file. Every field is optional and defaults to the
/// safest value; unknown fields are an error.
///
/// ```toml
/// allow_origins = ["https://app.example.com", "https://*.example.com"]
/// allow_methods = ["GET", "POST", "PUT", "DELETE"]
/// allow_headers = ["content-type", "authorization"]
/// expose_headers = ["x-request-id"]
/// allow_credentials = false
/// max_age = 600
/// allow_private_network = false
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyConfig {
    /// Exact origins, `scheme://*.domain` patterns, `scheme://host:*`, `null`, or `["*"]`.
    #[serde(default)]
    pub allow_origins: Vec<String>,
    /// Methods a preflight may ask for; absent means `GET`, `HEAD`, `POST`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_methods: Option<Vec<String>>,
    /// Request headers a preflight may ask for; `*` for any but `authorization`.
    #[serde(default)]
    pub allow_headers: Vec<String>,
    /// Response headers scripts may read; `*` for all (not with credentials).
    #[serde(default)]
    pub expose_headers: Vec<String>,
    /// Whether credentialed requests are allowed.
    #[serde(default)]
    pub allow_credentials: bool,
    /// Seconds a browser may cache a preflight; absent means no `Access-Control-Max-Age`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_age: Option<u64>,
    /// Whether Private Network Access preflights are answered.
    #[serde(default)]
    pub allow_private_network: bool,
    /// Whether plain `http://` origins other than loopback may be listed together with
    /// credentials (refused by default; see docs/contract.md).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub allow_credentials_over_plain_http: bool,
}

impl PolicyConfig {
    /// A builder holding this configuration, for adding what a file cannot say (a
    /// predicate, a lookup, the preflight status).
    pub fn into_builder(self) -> PolicyBuilder {
        let builder = Policy::builder()
            .allow_origins(self.allow_origins)
            .allow_headers(self.allow_headers)
            .expose_headers(self.expose_headers)
            .allow_credentials(self.allow_credentials)
            .allow_credentials_over_plain_http(self.allow_credentials_over_plain_http)
            .allow_private_network(self.allow_private_network);
        let builder = match self.allow_methods {
            Some(methods) => builder.allow_methods(methods),
            None => builder,
        };
        match self.max_age {
            Some(age) => builder.max_age(age),
            None => builder,
        }
    }

    /// Validates and builds the policy.
    pub fn build(self) -> Result<Policy, PolicyError> {
        self.into_builder().build()
    }

    /// Reads and parses a policy file, choosing the format by its extension (`.toml` or
    /// `.json`), without validating the policy: for adding to it with
    /// [`PolicyConfig::into_builder`] before building, as [`Policy::from_path`] does
    /// without.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Self, ConfigError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Io {
            path: path.to_owned(),
            source,
        })?;
        let extension = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or_default();
        let parsed = match extension.to_ascii_lowercase().as_str() {
            #[cfg(feature = "toml")]
            "toml" => PolicyConfig::from_toml_str(&text),
            #[cfg(feature = "json")]
            "json" => PolicyConfig::from_json_str(&text),
            _ => {
                return Err(ConfigError::UnknownFormat {
                    path: path.to_owned(),
                })
            }
        };
        parsed.map_err(|error| ConfigError::from(error).with_path(path.to_owned()))
    }

    /// Parses a TOML policy file, without validating the policy.
    #[cfg(feature = "toml")]
    pub fn from_toml_str(text: &str) -> Result<Self, PolicyError> {
        let deserializer =
            toml::Deserializer::parse(text).map_err(|e| toml_problem(text, "", &e))?;
        serde_path_to_error::deserialize(deserializer).map_err(|e| {
            let field = e.path().to_string();
            toml_problem(text, &field, e.inner())
        })
    }

    /// Parses a JSON policy file, without validating the policy.
    #[cfg(feature = "json")]
    pub fn from_json_str(text: &str) -> Result<Self, PolicyError> {
        let mut deserializer = serde_json::Deserializer::from_str(text);
        let config: Self = serde_path_to_error::deserialize(&mut deserializer).map_err(|e| {
            let field = e.path().to_string();
            let inner = e.into_inner();
            parse_problem(
                &field,
                &strip_json_position(&inner.to_string()),
                Some(inner.line()),
            )
        })?;
        deserializer
            .end()
            .map_err(|e| parse_problem("", &strip_json_position(&e.to_string()), Some(e.line())))?;
        Ok(config)
    }
}

impl Policy {
    /// Parses, validates and builds a policy from TOML text.
    ///
    /// ```
    /// let policy = cors_core::Policy::from_toml_str(r#"
    ///     allow_origins = ["https://app.example.com"]
    ///     allow_credentials = true
    /// "#)?;
    /// assert!(policy.allows_credentials());
    ///
    /// let err = cors_core::Policy::from_toml_str("allow_credentials = \"yes\"").unwrap_err();
    /// assert_eq!(
    ///     err.to_string(),
    ///     "allow_credentials: expected a boolean, found the string \"yes\" at line 1"
    /// );
    /// # Ok::<(), cors_core::PolicyError>(())
    /// ```
    #[cfg(feature = "toml")]
    pub fn from_toml_str(text: &str) -> Result<Policy, PolicyError> {
        PolicyConfig::from_toml_str(text)?.build()
    }

    /// Parses, validates and builds a policy from JSON text.
    ///
    /// ```
    /// let err = cors_core::Policy::from_json_str("{\n  \"max_age\": \"ten\"\n}").unwrap_err();
    /// assert_eq!(
    ///     err.to_string(),
    ///     "max_age: expected u64, found the string \"ten\" at line 2"
    /// );
    /// ```
    #[cfg(feature = "json")]
    pub fn from_json_str(text: &str) -> Result<Policy, PolicyError> {
        PolicyConfig::from_json_str(text)?.build()
    }

    /// Loads a policy file, choosing the format by its extension (`.toml` or `.json`).
    pub fn from_path(path: impl AsRef<Path>) -> Result<Policy, ConfigError> {
        let path = path.as_ref();
        let built = PolicyConfig::from_path(path)?.build();
        built.map_err(|error| ConfigError::from(error).with_path(path.to_owned()))
    }
}

fn parse_problem(field: &str, message: &str, line: Option<usize>) -> PolicyError {
    // serde_path_to_error names the document root `.`.
    let field = if field == "." { "" } else { field };
    // A key is the file's text: escape its control characters, so that one problem
    // stays one line however the key is written.
    let mut problem = Problem::new(
        ProblemKind::File,
        escape_controls(field),
        escape_controls(&reword(message)),
    );
    problem.line = line.filter(|&l| l > 0);
    PolicyError::new(vec![problem])
}

fn escape_controls(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

#[cfg(feature = "toml")]
fn toml_problem(text: &str, field: &str, error: &toml::de::Error) -> PolicyError {
    let line = error.span().map(|span| line_of(text, span.start));
    parse_problem(field, error.message().trim(), line)
}

#[cfg(feature = "toml")]
fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// serde_json appends " at line L column C" to its messages; the line is kept apart.
#[cfg(feature = "json")]
fn strip_json_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_owned(),
        None => message.to_owned(),
    }
}

/// Turns serde's "invalid type: string \"yes\", expected a boolean" into "expected a
/// boolean, found the string \"yes\"", which reads better after a field name.
fn reword(message: &str) -> String {
    let Some(rest) = message.strip_prefix("invalid type: ") else {
        return message.to_owned();
    };
    let Some((found, expected)) = rest.rsplit_once(", expected ") else {
        return message.to_owned();
    };
    let found = match found.split_once(' ') {
        Some((kind @ ("string" | "integer" | "boolean" | "floating"), value)) => {
            format!("the {kind} {}", value.trim_matches('`'))
        }
        _ => format!("a {found}"),
    };
    format!("expected {expected}, found {found}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toml_error(text: &str) -> String {
        Policy::from_toml_str(text).unwrap_err().to_string()
    }

    fn json_error(text: &str) -> String {
        Policy::from_json_str(text).unwrap_err().to_string()
    }

    #[test]
    fn toml_type_errors_name_the_field_and_line() {
        assert_eq!(
            toml_error("allow_origins = []\n\nallow_credentials = \"yes\"\n"),
            "allow_credentials: expected a boolean, found the string \"yes\" at line 3"
        );
        assert_eq!(
            toml_error("allow_origins = [\"https://a.com\", 3]"),
            "allow_origins[1]: expected a string, found the integer 3 at line 1"
        );
        let unknown = toml_error("allow_origin = [\"https://a.com\"]");
        assert!(
            unknown.starts_with("allow_origin: unknown field `allow_origin`, expected one of"),
            "{unknown}"
        );
        let syntax = toml_error("allow_origins = [");
        assert!(syntax.contains("at line 1"), "{syntax}");
    }

    #[test]
    fn json_type_errors_name_the_field_and_line() {
        assert_eq!(
            json_error("{\n  \"allow_origins\": [],\n  \"allow_credentials\": \"yes\"\n}"),
            "allow_credentials: expected a boolean, found the string \"yes\" at line 3"
        );
        assert_eq!(
            json_error("{\"allow_methods\": [\"GET\", null]}"),
            "allow_methods[1]: expected a string, found a null at line 1"
        );
        let trailing = json_error("{} x");
        assert!(
            trailing.contains("trailing characters at line 1"),
            "{trailing}"
        );
    }

    #[test]
    fn a_key_with_a_line_break_stays_on_one_line() {
        let error = json_error("{\"a\\nb\": 1}");
        assert_eq!(error.lines().count(), 1, "{error}");
        assert!(error.starts_with("a\\nb: unknown field `a\\nb`"), "{error}");
    }

    #[test]
    fn validation_errors_follow_parsing() {
        assert_eq!(
            toml_error("allow_origins = [\"https://a.com\", \"https://b.com/\"]"),
            "allow_origins[1]: \"https://b.com/\" has a trailing slash; an origin is scheme://host[:port], such as https://app.example.com"
        );
    }

    #[test]
    fn the_contract_example_loads_in_both_formats() {
        let toml = r#"
            allow_origins = ["https://app.example.com", "https://*.example.com"]
            allow_methods = ["GET", "POST", "PUT", "DELETE"]
            allow_headers = ["content-type", "authorization"]
            expose_headers = ["x-request-id"]
            allow_credentials = false
            max_age = 600
            allow_private_network = false
        "#;
        let config = PolicyConfig::from_toml_str(toml).unwrap();
        let json = serde_json::to_string(&config).unwrap();
        assert_eq!(PolicyConfig::from_json_str(&json).unwrap(), config);
        assert!(config.build().is_ok());
    }

    #[test]
    fn files_are_loaded_by_extension() {
        let dir = std::env::temp_dir().join(format!("cors-core-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let toml = dir.join("p.toml");
        std::fs::write(&toml, "allow_origins = [\"https://a.com\"]").unwrap();
        assert!(Policy::from_path(&toml).is_ok());
        let yaml = dir.join("p.yaml");
        std::fs::write(&yaml, "").unwrap();
        assert!(matches!(
            Policy::from_path(&yaml),
            Err(ConfigError::UnknownFormat { .. })
        ));
        let bad = dir.join("bad.json");
        std::fs::write(&bad, "{\"max_age\": 90000}").unwrap();
        let err = Policy::from_path(&bad).unwrap_err();
        assert!(err.to_string().contains("bad.json"), "{err}");
        assert!(err.policy_error().unwrap().names_field("max_age"));
        let missing = Policy::from_path(dir.join("missing.toml")).unwrap_err();
        assert!(matches!(missing, ConfigError::Io { .. }));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
