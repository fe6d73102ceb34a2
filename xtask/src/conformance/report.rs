//! `--report FILE.html`: the run as one self-contained page (no external asset): the
//! matrix of families by servers, then one table per family of cases by servers, a
//! colour per cell, and every failure or divergence expandable with its requests and
//! responses. The page is opened in headless Chromium afterwards, its cells counted
//! against the run, and a screenshot kept beside it.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use serde_json::json;

use super::browser::EngineRun;
use super::matrix::{cells, DIVERGENCE};
use super::{CaseResult, ResultStatus, Target};

const STYLE: &str = "
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #1d1d1f; }
table { border-collapse: collapse; margin: .5em 0 1.5em; }
th, td { border: 1px solid #ccc; padding: .25em .5em; text-align: left; vertical-align: top; }
td.pass, td.m.pass { background: #d7f5dd; }
td.fail, td.m.fail { background: #ffd6d6; }
td.div, td.m.div { background: #fff1c2; }
td.na { background: #ececec; color: #555; }
td.m { text-align: right; white-space: nowrap; }
pre { white-space: pre-wrap; font-size: 12px; margin: .3em 0; max-width: 60em; }
summary { cursor: pointer; }
.legend span { padding: .1em .5em; margin-right: .5em; }
";

/// The class of a case's cell: what the run made of it.
fn class(status: ResultStatus) -> &'static str {
    match status {
        ResultStatus::Passed => "pass",
        ResultStatus::Failed => "fail",
        ResultStatus::Divergence => "div",
        ResultStatus::CannotExpress | ResultStatus::FrameworkLimit => "na",
    }
}

/// How many case cells of each class the page must show: one per result.
pub fn counts(results: &[CaseResult]) -> BTreeMap<&'static str, usize> {
    let mut counts = BTreeMap::new();
    for result in results {
        *counts.entry(class(result.status)).or_default() += 1;
    }
    counts
}

/// The page.
pub fn html(
    rows: &[String],
    targets: &[Target],
    results: &[CaseResult],
    runs: &[EngineRun],
) -> String {
    let mut page = String::new();
    let _ = write!(
        page,
        "<!doctype html><html lang=en><meta charset=utf-8><title>CORS conformance</title><style>{STYLE}</style><h1>CORS conformance</h1>"
    );
    page.push_str("<p class=legend><span class=\"m pass\" style=\"background:#d7f5dd\">passed</span><span style=\"background:#ffd6d6\">failed</span>");
    let _ = write!(page, "<span style=\"background:#fff1c2\">{DIVERGENCE} engine divergence: the server is right by the Fetch Standard, the engine is not</span><span style=\"background:#ececec\">n/e, fw: the middleware cannot express the policy, or the framework answers first</span></p>");
    if !runs.is_empty() {
        page.push_str("<p>Engines: ");
        let engines: Vec<String> = runs
            .iter()
            .map(|r| format!("{} {} ({:.0} s)", r.engine, escape(&r.version), r.seconds))
            .collect();
        page.push_str(&engines.join(", "));
        page.push_str("</p>");
    }
    matrix(&mut page, rows, targets, results);
    for row in rows {
        family_table(&mut page, row, targets, results);
    }
    page.push_str("</html>\n");
    page
}

/// Families by servers, as in the terminal.
fn matrix(page: &mut String, rows: &[String], targets: &[Target], results: &[CaseResult]) {
    let cells = cells(results, |r| Some(r.status));
    page.push_str("<h2>Every family</h2><table id=matrix><tr><th>family</th>");
    for target in targets {
        let _ = write!(page, "<th>{}</th>", target.column);
    }
    page.push_str("</tr>");
    for row in rows {
        let _ = write!(
            page,
            "<tr><th><a href=\"#{}\">{}</a></th>",
            anchor(row),
            escape(row)
        );
        for target in targets {
            match cells.get(&(row.as_str(), target.column)) {
                None => page.push_str("<td class=m>-</td>"),
                Some(cell) => {
                    let class = match (cell.all_passed(), cell.divergence > 0) {
                        (false, _) => "fail",
                        (true, true) => "div",
                        (true, false) => "pass",
                    };
                    let _ = write!(
                        page,
                        "<td class=\"m {class}\">{}</td>",
                        escape(&cell.text())
                    );
                }
            }
        }
        page.push_str("</tr>");
    }
    page.push_str("</table>");
}

/// One family's cases by servers; a failure or divergence opens to its details.
fn family_table(page: &mut String, family: &str, targets: &[Target], results: &[CaseResult]) {
    let of_family: Vec<&CaseResult> = results.iter().filter(|r| r.family == family).collect();
    let mut cases: Vec<&str> = Vec::new();
    for result in &of_family {
        if !cases.contains(&result.case.as_str()) {
            cases.push(&result.case);
        }
    }
    let open = if super::browser::is_family(family) {
        " open"
    } else {
        ""
    };
    let _ = write!(
        page,
        "<details{open}><summary><h2 id=\"{}\" style=\"display:inline\">{}</h2> ({} cases)</summary><table><tr><th>case</th>",
        anchor(family),
        escape(family),
        cases.len()
    );
    for target in targets {
        let _ = write!(page, "<th>{}</th>", target.column);
    }
    page.push_str("</tr>");
    for case in cases {
        let _ = write!(page, "<tr><th>{}</th>", escape(case));
        for target in targets {
            match of_family
                .iter()
                .find(|r| r.case == case && r.column == target.column)
            {
                Some(result) => case_cell(page, result),
                None => page.push_str("<td>-</td>"),
            }
        }
        page.push_str("</tr>");
    }
    page.push_str("</table></details>");
}

fn case_cell(page: &mut String, result: &CaseResult) {
    let class = class(result.status);
    let mark = result.status.mark();
    if matches!(result.status, ResultStatus::Passed) {
        let _ = write!(page, "<td class=\"r {class}\">{mark}</td>");
        return;
    }
    let _ = write!(
        page,
        "<td class=\"r {class}\"><details><summary>{mark}</summary>"
    );
    for problem in &result.problems {
        let _ = write!(page, "<p>{}</p>", escape(problem));
    }
    if let Some(note) = &result.note {
        let _ = write!(page, "<p><i>{}</i></p>", escape(note));
    }
    if !result.request.is_empty() {
        let _ = write!(page, "<pre>{}</pre>", escape(&result.request));
    }
    if let Some(response) = &result.response {
        let mut text = format!("{}\n", response.status);
        for (name, value) in &response.headers {
            let _ = writeln!(text, "{name}: {value}");
        }
        let _ = write!(page, "<pre>{}</pre>", escape(&text));
    }
    page.push_str("</details></td>");
}

fn anchor(family: &str) -> String {
    family
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The script that counts the case cells of each class once the page is rendered.
const COUNT_SCRIPT: &str = r#"
const counts = {};
for (const cell of document.querySelectorAll("td.r")) {
  const kind = [...cell.classList].find(c => c !== "r");
  counts[kind] = (counts[kind] || 0) + 1;
}
return counts;
"#;

/// Opens the page in headless Chromium, checks that it shows as many cells of each
/// class as the run has results, and saves a screenshot. Without Chromium, says so and
/// checks nothing.
pub fn check_in_chromium(
    page: &Path,
    screenshot: &Path,
    expected: &BTreeMap<&'static str, usize>,
) -> Result<(), String> {
    let installed = match super::browser::Engine::Chromium.find() {
        Ok(installed) => installed,
        Err(why) => {
            eprintln!("the report was not checked in a browser: {why}");
            return Ok(());
        }
    };
    let page = std::fs::canonicalize(page).map_err(|e| e.to_string())?;
    let (counts, png) = super::browser::render(
        &installed,
        &format!("file://{}", page.display()),
        COUNT_SCRIPT,
    )?;
    let seen: BTreeMap<String, usize> =
        serde_json::from_value(counts).map_err(|e| format!("unexpected counts: {e}"))?;
    let wanted: BTreeMap<String, usize> = expected
        .iter()
        .map(|(k, v)| ((*k).to_owned(), *v))
        .collect();
    if seen != wanted {
        return Err(format!(
            "the report shows {} where the run has {}",
            json!(seen),
            json!(wanted)
        ));
    }
    std::fs::write(screenshot, png)
        .map_err(|e| format!("cannot write {}: {e}", screenshot.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(column: &'static str, family: &str, case: &str, status: ResultStatus) -> CaseResult {
        CaseResult {
            column,
            family: family.into(),
            case: case.into(),
            status,
            problems: vec!["<b>bad</b>".into()],
            note: None,
            verdict_agrees: None,
            request: "> GET /".into(),
            response: None,
        }
    }

    #[test]
    fn the_page_has_one_cell_per_result_and_escapes_what_it_shows() {
        let targets = cors_bench::servers::select(&["axum".into()]).unwrap();
        let targets = [targets[0].0];
        let results = vec![
            result(targets[0].column, "origins", "a", ResultStatus::Passed),
            result(targets[0].column, "origins", "b", ResultStatus::Failed),
            result(
                targets[0].column,
                "browser (webkit)",
                "c",
                ResultStatus::Divergence,
            ),
        ];
        let rows = ["origins".to_owned(), "browser (webkit)".to_owned()];
        let page = html(&rows, &targets, &results, &[]);
        for (class, count) in counts(&results) {
            assert_eq!(page.matches(&format!("class=\"r {class}\"")).count(), count);
        }
        assert!(page.contains("&lt;b&gt;bad&lt;/b&gt;") && !page.contains("<b>bad"));
        assert!(
            !page.contains("http://") && !page.contains("https://"),
            "no external asset"
        );
        assert!(page.contains("<td class=\"m fail\">1/2</td>"), "{page}");
    }
}
