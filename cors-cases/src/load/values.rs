//! Request header values as the case files write them: a string, raw bytes in hex, or
//! a repeated pattern for hostile lengths (`cases/README.md`, "Header values").

/// The longest value that `repeat` may build: far above every limit under test, far
/// below anything that would slow the runners down.
const MAX_BUILT_LEN: usize = 1 << 20;

/// A request header value: a string, `{ hex = ".." }` or
/// `{ repeat = "..", times = N, prefix = "..", suffix = ".." }`.
pub(super) fn header_value(value: &toml::Value) -> Result<Vec<u8>, String> {
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
    let times = repeat_times(t)?;
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

fn repeat_times(t: &toml::Table) -> Result<usize, String> {
    let times = t
        .get("times")
        .and_then(toml::Value::as_integer)
        .ok_or("`times` must be an integer")?;
    usize::try_from(times).map_err(|_| "`times` must not be negative".into())
}

fn only_keys(t: &toml::Table, allowed: &[&str]) -> Result<(), String> {
    match t.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(k) => Err(format!("unknown key `{k}` (expected one of {allowed:?})")),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
