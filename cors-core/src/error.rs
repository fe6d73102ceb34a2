//! Errors of building a policy and of loading a policy file.

use std::fmt;
use std::path::PathBuf;

/// What kind of problem a [`Problem`] is, for programs that react to it (the message is
/// for people).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ProblemKind {
    /// The policy file cannot be read or parsed: a syntax error, an unknown field, a
    /// value of the wrong type.
    File,
    /// An entry no browser could ever match or send: a malformed origin, method or
    /// header name.
    Malformed,
    /// With the rest of the policy, the entry would let sites other than yours read
    /// your users' data (`*` or `null` with credentials, a pattern over a public suffix,
    /// plain http, a predicate that allows every origin).
    Insecure,
    /// The entry means nothing to a browser, or something else than it seems (a
    /// forbidden method or header, `*` that a browser reads as a name).
    Meaningless,
    /// A number out of its range (`max_age`, `preflight_status`).
    OutOfRange,
    /// A warning: legal, but probably not meant.
    Doubtful,
    /// A warning: a name that `*` already covers.
    Redundant,
}

/// One problem with a policy: the field (with the entry's index where there is one),
/// the offending value, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// What kind of problem it is.
    pub kind: ProblemKind,
    /// The field in policy-file terms, such as `allow_origins[2]` or `allow_credentials`.
    pub field: String,
    /// What is wrong, and usually how to fix it.
    pub message: String,
    /// The line of the policy file, when the problem was found while parsing one.
    pub line: Option<usize>,
}

impl Problem {
    pub(crate) fn new(
        kind: ProblemKind,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Problem {
            kind,
            field: field.into(),
            message: message.into(),
            line: None,
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_empty() {
            write!(f, "{}", self.message)?;
        } else {
            write!(f, "{}: {}", self.field, self.message)?;
        }
        if let Some(line) = self.line {
            write!(f, " at line {line}")?;
        }
        Ok(())
    }
}

/// Why a policy could not be built: every problem found, not just the first.
///
/// ```
/// use cors_core::Policy;
///
/// let err = Policy::builder()
///     .allow_origins(["https://ok.example", "https://app.example.com/"])
///     .max_age(100_000)
///     .build()
///     .unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     "allow_origins[1]: \"https://app.example.com/\" has a trailing slash; \
///      an origin is scheme://host[:port], such as https://app.example.com\n\
///      max_age: 100000 is more than 86400 seconds (one day), which no browser honours"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyError {
    problems: Vec<Problem>,
}

impl PolicyError {
    pub(crate) fn new(problems: Vec<Problem>) -> Self {
        debug_assert!(!problems.is_empty());
        PolicyError { problems }
    }

    /// Every problem, in the order of the policy's fields.
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }

    /// Whether some problem is about `field` (an exact name such as `allow_credentials`,
    /// or a list such as `allow_origins`, which matches `allow_origins[2]`).
    pub fn names_field(&self, field: &str) -> bool {
        self.problems.iter().any(|p| {
            p.field == field
                || p.field
                    .strip_prefix(field)
                    .is_some_and(|rest| rest.starts_with('['))
        })
    }
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, problem) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{problem}")?;
        }
        Ok(())
    }
}

impl std::error::Error for PolicyError {}

/// Why a policy file could not be loaded.
#[derive(Debug)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file could not be read.
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The file's extension is neither `.toml` nor `.json` (or that format's feature is
    /// off).
    UnknownFormat {
        /// The file.
        path: PathBuf,
    },
    /// The file is not a well-formed policy, or the policy is invalid or insecure.
    Invalid {
        /// The file, when loaded from one.
        path: Option<PathBuf>,
        /// Every problem found.
        error: PolicyError,
    },
}

impl ConfigError {
    /// The problems with the policy, if it was read at all.
    pub fn policy_error(&self) -> Option<&PolicyError> {
        match self {
            ConfigError::Invalid { error, .. } => Some(error),
            _ => None,
        }
    }

    pub(crate) fn with_path(self, path: PathBuf) -> Self {
        match self {
            ConfigError::Invalid { error, .. } => ConfigError::Invalid {
                path: Some(path),
                error,
            },
            other => other,
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::Io { path, source } => {
                write!(f, "cannot read policy file {}: {source}", path.display())
            }
            ConfigError::UnknownFormat { path } => write!(
                f,
                "policy file {} must end in .toml or .json",
                path.display()
            ),
            ConfigError::Invalid {
                path: Some(path),
                error,
            } => {
                write!(f, "invalid policy in {}:\n{error}", path.display())
            }
            ConfigError::Invalid { path: None, error } => write!(f, "invalid policy:\n{error}"),
        }
    }
}

impl std::error::Error for ConfigError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ConfigError::Io { source, .. } => Some(source),
            ConfigError::Invalid { error, .. } => Some(error),
            ConfigError::UnknownFormat { .. } => None,
        }
    }
}

impl From<PolicyError> for ConfigError {
    fn from(error: PolicyError) -> Self {
        ConfigError::Invalid { path: None, error }
    }
}
