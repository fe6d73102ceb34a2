//! What the Fetch Standard concludes from a server's real answers to a browser case:
//! the case's requests sent again as the Standard's browser would send them (the
//! preflight when one is needed, the preflight cache, the session cookie), judged by the
//! checks of `cors_cases::browser`. The runner holds each engine to this verdict, and
//! this verdict to the table: a server whose answers make the Standard's verdict wrong
//! fails in every engine, and an engine that concludes otherwise on answers the
//! Standard accepts departs from the Standard.
//!
//! The preflight cache follows Fetch's "CORS-preflight cache"
//! (<https://fetch.spec.whatwg.org/#concept-cache>), keyed here by the case alone: each
//! case fetches a URL of its own.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use cors_cases::browser::{self, request as fetch, syntax};
use cors_cases::{BrowserCase, Verdict};

use super::super::client::{self, Observed};
use super::super::ResponseRecord;

/// How long a preflight answer without `Access-Control-Max-Age` is cached (Fetch,
/// "CORS-preflight fetch", step on max-age: 5 seconds), longer than any case runs.
const DEFAULT_MAX_AGE: u64 = 5;

/// The Standard's conclusions, and every exchange that led to them.
#[derive(Debug, Clone)]
pub struct Replay {
    pub verdict: Verdict,
    /// Why the Standard's browser blocks, when it does.
    pub why: Option<String>,
    /// With the case's `read`: whether the script may read that header.
    pub readable: Option<bool>,
    /// The status of the last answer the script gets.
    pub status: Option<u16>,
    /// How many preflights the Standard's browser sends.
    pub preflights: u32,
    /// The requests and answers, as text.
    pub transcript: String,
    pub last: Option<ResponseRecord>,
}

/// What a preflight answer lets later requests of the case skip.
#[derive(Default)]
struct PreflightCache {
    methods: BTreeSet<String>,
    headers: BTreeSet<String>,
}

impl PreflightCache {
    fn covers(&self, method: &str, names: &[String], credentials: bool) -> bool {
        let any = |set: &BTreeSet<String>| !credentials && set.contains("*");
        let method_ok = fetch::is_safelisted_method(method)
            || self.methods.contains(method)
            || any(&self.methods);
        let header_ok = |name: &String| {
            self.headers.contains(name) || (any(&self.headers) && name != "authorization")
        };
        method_ok && names.iter().all(header_ok)
    }

    /// Keeps what an accepted preflight answer lists, unless it may not be cached.
    fn store(&mut self, headers: &[(String, Vec<u8>)]) {
        let max_age = syntax::get(headers, "access-control-max-age")
            .map_or(Some(DEFAULT_MAX_AGE), |v| v.trim().parse().ok());
        if max_age.unwrap_or(0) == 0 {
            return;
        }
        let list = |name| {
            let value = syntax::get(headers, name).unwrap_or_default();
            syntax::list_elements(&value)
                .map(str::to_owned)
                .collect::<Vec<_>>()
        };
        self.methods.extend(list("access-control-allow-methods"));
        let names = list("access-control-allow-headers");
        self.headers
            .extend(names.iter().map(|n| n.to_ascii_lowercase()));
    }
}

/// One run of a case as the Standard's browser, against the server at `base`
/// (`http://host:port`), from a page of origin `origin`; `url` is the path and query the
/// case fetches.
pub struct Run<'a> {
    pub agent: &'a ureq::Agent,
    pub base: &'a str,
    pub url: &'a str,
    pub origin: &'a str,
    pub case: &'a BrowserCase,
}

impl Run<'_> {
    pub fn replay(&self) -> Result<Replay, String> {
        let case = self.case;
        let mut replay = Replay {
            verdict: Verdict::Allowed,
            why: None,
            readable: None,
            status: None,
            preflights: 0,
            transcript: String::new(),
            last: None,
        };
        let cookie = if case.sign_in {
            self.sign_in(&mut replay)?
        } else {
            None
        };
        let method = fetch::normalize_method(&case.method);
        let mut cache = PreflightCache::default();
        for headers in case.requests() {
            let names = fetch::unsafe_header_names(headers);
            let preflighted = fetch::needs_preflight(&method, headers)
                && !cache.covers(&method, &names, case.credentials);
            if preflighted {
                replay.preflights += 1;
                let answer = self.preflight(&method, &names, &mut replay)?;
                let names: Vec<&str> = names.iter().map(String::as_str).collect();
                let checked = browser::preflight_check(
                    self.origin,
                    case.credentials,
                    &method,
                    &names,
                    answer.status,
                    &answer.headers,
                );
                if let Err(error) = checked {
                    return Ok(blocked(replay, error.to_string()));
                }
                cache.store(&answer.headers);
            }
            let answer = self.request(&method, headers, cookie.as_deref(), &mut replay)?;
            if let Err(error) = browser::cors_check(self.origin, case.credentials, &answer.headers)
            {
                return Ok(blocked(replay, error.to_string()));
            }
            replay.status = Some(answer.status);
            replay.readable = case.read.as_deref().map(|name| {
                fetch::can_read_response_header(name, case.credentials, &answer.headers)
            });
        }
        Ok(replay)
    }

    /// `POST /session` with credentials: the cookie the server sets, as `name=value`.
    fn sign_in(&self, replay: &mut Replay) -> Result<Option<String>, String> {
        let sent = [("origin", self.origin.as_bytes())];
        let answer = self.send(replay, "POST", "/session", &sent, None)?;
        let cookie = syntax::get(&answer.headers, "set-cookie")
            .and_then(|v| v.split(';').next().map(str::to_owned));
        Ok(cookie)
    }

    fn preflight(
        &self,
        method: &str,
        names: &[String],
        replay: &mut Replay,
    ) -> Result<Observed, String> {
        let joined = names.join(",");
        let mut sent = vec![
            ("origin", self.origin.as_bytes()),
            ("access-control-request-method", method.as_bytes()),
        ];
        if !names.is_empty() {
            sent.push(("access-control-request-headers", joined.as_bytes()));
        }
        self.send(replay, "OPTIONS", self.url, &sent, None)
    }

    fn request(
        &self,
        method: &str,
        headers: &[(String, String)],
        cookie: Option<&str>,
        replay: &mut Replay,
    ) -> Result<Observed, String> {
        let mut sent = vec![("origin", self.origin.as_bytes())];
        sent.extend(headers.iter().map(|(n, v)| (n.as_str(), v.as_bytes())));
        if let (true, Some(cookie)) = (self.case.credentials, cookie) {
            sent.push(("cookie", cookie.as_bytes()));
        }
        let body = self.case.body.as_deref().map(str::as_bytes);
        self.send(replay, method, self.url, &sent, body)
    }

    /// Sends one request and writes it and its answer to the transcript.
    fn send(
        &self,
        replay: &mut Replay,
        method: &str,
        path: &str,
        headers: &[(&str, &[u8])],
        body: Option<&[u8]>,
    ) -> Result<Observed, String> {
        let transcript = &mut replay.transcript;
        let _ = writeln!(transcript, "> {method} {path}");
        for (name, value) in headers {
            let _ = writeln!(transcript, "> {name}: {}", value.escape_ascii());
        }
        let url = format!("{}{path}", self.base);
        if let Some(body) = body {
            let _ = writeln!(transcript, ">\n> {}", body.escape_ascii());
        }
        let answer = client::fetch(self.agent, method, &url, headers.iter().copied(), body)
            .map_err(|e| format!("the Standard's replay of {method} {path} failed: {e}"))?;
        let record = super::super::record(&answer);
        let _ = writeln!(transcript, "< {}", record.status);
        for (name, value) in &record.headers {
            let _ = writeln!(transcript, "< {name}: {value}");
        }
        transcript.push('\n');
        replay.last = Some(record);
        Ok(answer)
    }
}

fn blocked(replay: Replay, why: String) -> Replay {
    Replay {
        verdict: Verdict::Blocked,
        why: Some(why),
        readable: None,
        status: None,
        ..replay
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(pairs: &[(&str, &str)]) -> Vec<(String, Vec<u8>)> {
        pairs
            .iter()
            .map(|(n, v)| (n.to_string(), v.as_bytes().to_vec()))
            .collect()
    }

    #[test]
    fn the_cache_keeps_what_the_answer_lists_for_as_long_as_it_says() {
        let mut cache = PreflightCache::default();
        let names = ["x-api-key".to_owned()];
        assert!(!cache.covers("PUT", &names, false));
        cache.store(&lines(&[
            ("access-control-allow-methods", "PUT"),
            ("access-control-allow-headers", "X-Api-Key"),
        ]));
        assert!(cache.covers("PUT", &names, false));
        assert!(!cache.covers("PUT", &["x-other".to_owned()], false));
        assert!(!cache.covers("DELETE", &[], false));
        let mut never = PreflightCache::default();
        never.store(&lines(&[
            ("access-control-allow-methods", "PUT"),
            ("access-control-max-age", "0"),
        ]));
        assert!(!never.covers("PUT", &[], false));
    }

    #[test]
    fn a_cached_wildcard_counts_only_without_credentials_and_never_for_authorization() {
        let mut cache = PreflightCache::default();
        cache.store(&lines(&[
            ("access-control-allow-methods", "*"),
            ("access-control-allow-headers", "*"),
            ("access-control-max-age", "60"),
        ]));
        assert!(cache.covers("PATCH", &["x-a".to_owned()], false));
        assert!(!cache.covers("PATCH", &[], true));
        assert!(!cache.covers("GET", &["authorization".to_owned()], false));
    }
}
