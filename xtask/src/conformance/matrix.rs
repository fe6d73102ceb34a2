//! Showing the run: a progress bar while it goes (on a terminal), then the matrix of
//! families by servers and every failure with its request and response.

use std::collections::BTreeMap;
use std::io::IsTerminal;

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{CellAlignment, Color, Table};
use indicatif::{ProgressBar, ProgressStyle};

use super::browser::EngineRun;
use super::{CaseResult, ResultStatus, Target};

/// A progress bar on a terminal; nothing otherwise (CI logs stay plain).
pub struct Progress(Option<ProgressBar>);

impl Progress {
    pub fn new(total: u64) -> Self {
        if !std::io::stderr().is_terminal() {
            return Progress(None);
        }
        let bar = ProgressBar::new(total);
        let style = ProgressStyle::with_template("{bar:40} {pos}/{len} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        Progress(Some(bar))
    }

    pub fn tick(&self, column: &str, result: &CaseResult) {
        if let Some(bar) = &self.0 {
            bar.set_message(format!("{column}: {}", result.case));
            bar.inc(1);
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}

#[derive(Default)]
pub struct Cell {
    pub passed: usize,
    pub total: usize,
    pub cannot_express: usize,
    pub framework: usize,
    pub divergence: usize,
}

impl Cell {
    fn add(&mut self, other: &Cell) {
        self.passed += other.passed;
        self.total += other.total;
        self.cannot_express += other.cannot_express;
        self.framework += other.framework;
        self.divergence += other.divergence;
    }

    /// The results that count for or against the server.
    pub fn judged(&self) -> usize {
        self.total - self.cannot_express - self.framework - self.divergence
    }

    pub fn text(&self) -> String {
        let mut text = format!("{}/{}", self.passed, self.judged());
        if self.cannot_express > 0 {
            text.push_str(&format!(" +{} n/e", self.cannot_express));
        }
        if self.framework > 0 {
            text.push_str(&format!(" +{} fw", self.framework));
        }
        if self.divergence > 0 {
            text.push_str(&format!(" +{} {DIVERGENCE}", self.divergence));
        }
        text
    }

    /// Every judged result passed.
    pub fn all_passed(&self) -> bool {
        self.passed == self.judged()
    }
}

/// The mark of an engine divergence, in the matrices and the report.
pub const DIVERGENCE: &str = "≠";

/// Prints the matrix of every check, the matrix of browser verdicts alone, the browser
/// cases engine by engine and the engines' divergences, then the failures: ours first,
/// then the peers'.
pub fn print(rows: &[String], targets: &[Target], results: &[CaseResult], runs: &[EngineRun]) {
    println!("Every check (status, each CORS header, Vary, the app not reached by preflights, the browser's verdict):");
    print_grid(rows, targets, &cells(results, |r| Some(r.status)));
    println!("(n/e: the middleware cannot express that policy; fw: the framework answers before any middleware, see below; {DIVERGENCE}: the server's answers are right by the Fetch Standard and the browser engine concludes otherwise, see below)");
    println!("\nWhat a browser concludes, alone (the cases with a verdict; the rest of the checks ignored):");
    print_grid(rows, targets, &cells(results, verdict_status));
    if !runs.is_empty() {
        print_engines(runs, results);
        print_divergences(results);
    }
    print_notes(results);
    print_failures(targets, results);
}

/// The browser cases engine by engine: one line per case, one column per engine, `✓`
/// when it passed on every server, else what went wrong and on how many servers.
fn print_engines(runs: &[EngineRun], results: &[CaseResult]) {
    println!("\nThe browser cases engine by engine (✓: passed on every server):");
    let mut table = Table::new();
    table.load_style(UTF8_FULL_CONDENSED.with_rounded_corners());
    table.set_header(
        std::iter::once("case".to_owned())
            .chain(runs.iter().map(|r| format!("{} {}", r.engine, r.version))),
    );
    let mut cases: Vec<&str> = Vec::new();
    for result in results
        .iter()
        .filter(|r| super::browser::is_family(&r.family))
    {
        if !cases.contains(&result.case.as_str()) {
            cases.push(&result.case);
        }
    }
    for case in cases {
        let marks = runs.iter().map(|run| {
            let family = super::browser::family(run.engine);
            let of_case = results
                .iter()
                .filter(|r| r.family == family && r.case == case);
            engine_mark(of_case)
        });
        table.add_row(
            std::iter::once(case.to_owned())
                .chain(marks)
                .collect::<Vec<_>>(),
        );
    }
    println!("{table}");
}

/// One case in one engine, over every server.
fn engine_mark<'a>(results: impl Iterator<Item = &'a CaseResult>) -> String {
    let mut count: BTreeMap<&str, usize> = BTreeMap::new();
    for result in results {
        *count.entry(result.status.mark()).or_default() += 1;
    }
    if count.keys().all(|m| *m == "✓") {
        return "✓".into();
    }
    count
        .iter()
        .filter(|(mark, _)| **mark != "✓")
        .map(|(mark, n)| format!("{mark} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Where an engine departs from the Fetch Standard, case by case.
fn print_divergences(results: &[CaseResult]) {
    let diverged: Vec<&CaseResult> = results
        .iter()
        .filter(|r| r.status == ResultStatus::Divergence)
        .collect();
    if diverged.is_empty() {
        println!("\nNo engine departed from the Fetch Standard on these cases.");
        return;
    }
    println!(
        "\n{} engine divergences (the server is right by the Fetch Standard; the engine is not):",
        diverged.len()
    );
    for result in diverged {
        for problem in &result.problems {
            println!(
                "  {DIVERGENCE} [{}] {}: {problem}",
                result.column, result.case
            );
        }
    }
}

/// A result as judged by its browser verdict only.
fn verdict_status(result: &CaseResult) -> Option<ResultStatus> {
    match (result.status, result.verdict_agrees) {
        (
            ResultStatus::CannotExpress | ResultStatus::FrameworkLimit | ResultStatus::Divergence,
            Some(_),
        ) => Some(result.status),
        (_, Some(true)) => Some(ResultStatus::Passed),
        (_, Some(false)) => Some(ResultStatus::Failed),
        (_, None) => None,
    }
}

pub fn cells(
    results: &[CaseResult],
    status: impl Fn(&CaseResult) -> Option<ResultStatus>,
) -> BTreeMap<(&str, &str), Cell> {
    let mut cells: BTreeMap<(&str, &str), Cell> = BTreeMap::new();
    for result in results {
        let Some(status) = status(result) else {
            continue;
        };
        let cell = cells
            .entry((result.family.as_str(), result.column))
            .or_default();
        cell.total += 1;
        match status {
            ResultStatus::Passed => cell.passed += 1,
            ResultStatus::CannotExpress => cell.cannot_express += 1,
            ResultStatus::FrameworkLimit => cell.framework += 1,
            ResultStatus::Divergence => cell.divergence += 1,
            ResultStatus::Failed => {}
        }
    }
    cells
}

/// The cells as a table of families by servers, with a total row; on a terminal, a
/// cell is green when every case passed and red otherwise.
fn print_grid(rows: &[String], targets: &[Target], cells: &BTreeMap<(&str, &str), Cell>) {
    let mut table = Table::new();
    table
        .load_style(UTF8_FULL_CONDENSED.with_rounded_corners())
        .set_header(std::iter::once("family").chain(targets.iter().map(|t| t.column)));
    let mut totals: Vec<Cell> = targets.iter().map(|_| Cell::default()).collect();
    for row in rows {
        let line = targets.iter().zip(&mut totals).map(|(target, total)| {
            let cell = cells.get(&(row.as_str(), target.column));
            cell.inspect(|cell| total.add(cell))
        });
        table.add_row(
            std::iter::once(row.into())
                .chain(line.map(coloured))
                .collect::<Vec<_>>(),
        );
    }
    let total = totals.iter().map(|t| (t.total > 0).then_some(t));
    table.add_row(
        std::iter::once("total".into())
            .chain(total.map(coloured))
            .collect::<Vec<_>>(),
    );
    for column in table.column_iter_mut().skip(1) {
        column.set_cell_alignment(CellAlignment::Right);
    }
    println!("{table}");
}

fn coloured(cell: Option<&Cell>) -> comfy_table::Cell {
    match cell {
        None => "-".into(),
        Some(cell) if cell.all_passed() && cell.divergence > 0 => {
            comfy_table::Cell::new(cell.text()).fg(Color::Yellow)
        }
        Some(cell) if cell.all_passed() => comfy_table::Cell::new(cell.text()).fg(Color::Green),
        Some(cell) => comfy_table::Cell::new(cell.text()).fg(Color::Red),
    }
}

/// Passes that differ from the table, said out loud.
fn print_notes(results: &[CaseResult]) {
    let noted: Vec<&CaseResult> = results
        .iter()
        .filter(|r| r.note.is_some() && r.status != ResultStatus::Divergence)
        .collect();
    if noted.is_empty() {
        return;
    }
    println!(
        "\n{} results explained by the framework rather than by the CORS layer:",
        noted.len()
    );
    for result in noted {
        let note = result.note.as_deref().unwrap_or_default();
        println!(
            "  [{}] {}/{}: {note}",
            result.column, result.family, result.case
        );
    }
}

fn print_failures(targets: &[Target], results: &[CaseResult]) {
    for ours in [true, false] {
        let failed: Vec<&CaseResult> = results
            .iter()
            .filter(|r| r.status == ResultStatus::Failed)
            .filter(|r| {
                targets
                    .iter()
                    .any(|t| t.column == r.column && t.ours == ours)
            })
            .collect();
        if failed.is_empty() {
            continue;
        }
        let whose = if ours {
            "our adapters"
        } else {
            "the peers (reported, not fatal)"
        };
        println!("\n{} failures of {whose}:", failed.len());
        for result in failed {
            print_failure(result);
        }
    }
}

fn print_failure(result: &CaseResult) {
    println!("\n[{}] {}/{}", result.column, result.family, result.case);
    for problem in &result.problems {
        println!("  - {problem}");
    }
    if !result.request.is_empty() {
        println!("  request:");
        for line in result.request.lines().filter(|l| !l.is_empty()) {
            println!("    {line}");
        }
    }
    if let Some(response) = &result.response {
        println!("  response: {}", response.status);
        for (name, value) in &response.headers {
            println!("    {name}: {value}");
        }
    }
}
