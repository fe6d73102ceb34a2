//! Showing the run: a progress bar while it goes (on a terminal), then the matrix of
//! families by servers and every failure with its request and response.

use std::collections::BTreeMap;
use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressStyle};

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
struct Cell {
    passed: usize,
    total: usize,
    cannot_express: usize,
    framework: usize,
}

/// Prints the matrix, then the failures: ours first, then the peers'.
pub fn print(rows: &[String], targets: &[Target], results: &[CaseResult]) {
    let colour = std::io::stdout().is_terminal();
    let mut cells: BTreeMap<(&str, &str), Cell> = BTreeMap::new();
    for result in results {
        let cell = cells
            .entry((result.family.as_str(), result.column))
            .or_default();
        cell.total += 1;
        match result.status {
            ResultStatus::Passed => cell.passed += 1,
            ResultStatus::CannotExpress => cell.cannot_express += 1,
            ResultStatus::FrameworkLimit => cell.framework += 1,
            ResultStatus::Failed => {}
        }
    }
    let width = rows.iter().map(String::len).max().unwrap_or(6).max(6) + 2;
    print!("{:width$}", "family");
    for target in targets {
        print!("{:>18}", target.column);
    }
    println!();
    for row in rows {
        print!("{row:width$}");
        for target in targets {
            print_cell(cells.get(&(row.as_str(), target.column)), colour);
        }
        println!();
    }
    print!("{:width$}", "total");
    for target in targets {
        let column: Vec<&Cell> = cells
            .iter()
            .filter(|((_, c), _)| *c == target.column)
            .map(|(_, cell)| cell)
            .collect();
        let total = Cell {
            passed: column.iter().map(|c| c.passed).sum(),
            total: column.iter().map(|c| c.total).sum(),
            cannot_express: column.iter().map(|c| c.cannot_express).sum(),
            framework: column.iter().map(|c| c.framework).sum(),
        };
        print_cell(Some(&total), colour);
    }
    println!();
    println!("(n/e: the middleware cannot express that policy; fw: the framework answers before any middleware, see below)");
    print_notes(results);
    print_failures(targets, results);
}

fn print_cell(cell: Option<&Cell>, colour: bool) {
    let Some(cell) = cell else {
        print!("{:>18}", "-");
        return;
    };
    let judged = cell.total - cell.cannot_express - cell.framework;
    let mut text = format!("{}/{judged}", cell.passed);
    if cell.cannot_express > 0 {
        text.push_str(&format!(" +{} n/e", cell.cannot_express));
    }
    if cell.framework > 0 {
        text.push_str(&format!(" +{} fw", cell.framework));
    }
    let all_passed = cell.passed == judged;
    if colour {
        let code = if all_passed { 32 } else { 31 };
        print!("\x1b[{code}m{text:>18}\x1b[0m");
    } else {
        print!("{text:>18}");
    }
}

/// Passes that differ from the table, said out loud.
fn print_notes(results: &[CaseResult]) {
    let noted: Vec<&CaseResult> = results.iter().filter(|r| r.note.is_some()).collect();
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
