//! The browser's side of the CORS protocol: the `cors-browser` crate, re-exported, and
//! its checks applied to a case of the table ([`check_case`], [`verdict_for`]).

pub use cors_browser::*;

mod verdict;

pub use verdict::{check_case, verdict_for};
