//! Why the case files could not be loaded.

use std::fmt;
use std::path::{Path, PathBuf};

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
    /// A file parses but breaks a rule of the format, or a policy does not fit the
    /// policy schema the caller loads with.
    Invalid {
        /// The file.
        file: String,
        /// The case, when the problem is in one.
        case: Option<String>,
        /// What is wrong.
        message: String,
    },
}

impl LoadError {
    /// A rule of the format broken in `file`, in `case` when given.
    pub(crate) fn invalid(file: &str, case: Option<&str>, message: String) -> LoadError {
        LoadError::Invalid {
            file: file.to_owned(),
            case: case.map(str::to_owned),
            message,
        }
    }

    /// A reading error of `path`, for `map_err`.
    pub(crate) fn io(path: &Path) -> impl Fn(std::io::Error) -> LoadError + '_ {
        move |source| LoadError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
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
            } => write!(f, "{file}: case \"{case}\": {message}"),
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
