//! The callgrind figures as an SVG bar chart for BENCHMARKS.md: per framework, the
//! instructions per request of the bare app, the floor, ours and the peer, one panel per
//! scenario. The table beside it has the exact figures and the differences; the chart is
//! there to see at a glance where ours sits between the floor and the peer.
//!
//! Text is written as SVG `<text>` and laid out by whatever shows the file, so the chart
//! needs no fonts on the machine that draws it.

use std::error::Error;
use std::ops::Range;

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::callgrind::CallgrindFramework;
use crate::wrk::Scenario;
use crate::{Role, ROLES};

const SIZE: (u32, u32) = (900, 460);
/// The strip above the panels that holds the legend, in pixels.
const LEGEND_HEIGHT: u32 = 30;
const FONT: &str = "sans-serif";
/// The opacity of the bare app's preflight bar.
const PALE: f64 = 0.35;

/// The colour and the legend of a role (colour-blind safe, and the bare app in grey: it is
/// the background the others stand on).
fn style_of(role: Role) -> (RGBColor, &'static str) {
    match role {
        Role::Bare => (RGBColor(0x99, 0x99, 0x99), "bare app"),
        Role::Floor => (RGBColor(0x00, 0x9E, 0x73), "floor (prebuilt headers)"),
        Role::Ours => (RGBColor(0x00, 0x72, 0xB2), "ours"),
        Role::Peer => (RGBColor(0xE6, 0x9F, 0x00), "peer (framework's CORS)"),
    }
}

/// The chart of `result` as a self-contained SVG document. A role without a count (its
/// server cannot express the policy) has no bar.
pub fn callgrind_svg(result: &[CallgrindFramework]) -> Result<String, String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        draw(result, &root).map_err(|e| format!("drawing the callgrind chart: {e}"))?;
    }
    Ok(svg)
}

fn draw(
    result: &[CallgrindFramework],
    root: &DrawingArea<SVGBackend, plotters::coord::Shift>,
) -> Result<(), Box<dyn Error>> {
    root.fill(&WHITE)?;
    let (legend, panels) = root.split_vertically(LEGEND_HEIGHT);
    draw_legend(&legend)?;

    // One scale for both panels, so that a bar of one compares with a bar of the other.
    let highest = result
        .iter()
        .flat_map(|f| &f.counts)
        .flat_map(|(_, counts)| counts.iter().flatten())
        .map(|c| c.instructions_per_request())
        .fold(0.0, f64::max);
    // Headroom for the figures written above the bars.
    let top = if highest > 0.0 { highest * 1.15 } else { 1.0 };

    let scenarios = [Scenario::SimpleGet, Scenario::Preflight];
    for (scenario, area) in scenarios.into_iter().zip(panels.split_evenly((2, 1))) {
        draw_panel(result, scenario, top, &area)?;
    }
    root.present()?;
    Ok(())
}

fn draw_legend(
    area: &DrawingArea<SVGBackend, plotters::coord::Shift>,
) -> Result<(), Box<dyn Error>> {
    let text = TextStyle::from((FONT, 16).into_font()).pos(Pos::new(HPos::Left, VPos::Center));
    let middle = LEGEND_HEIGHT as i32 / 2;
    let mut x = 70;
    for role in ROLES {
        let (colour, name) = style_of(role);
        area.draw(&Rectangle::new(
            [(x, middle - 7), (x + 14, middle + 7)],
            colour.filled(),
        ))?;
        area.draw(&Text::new(name, (x + 20, middle), text.clone()))?;
        // The viewer lays the text out: leave room for a wide sans-serif.
        x += 20 + 8 * name.chars().count() as i32 + 24;
    }
    Ok(())
}

fn draw_panel(
    result: &[CallgrindFramework],
    scenario: Scenario,
    top: f64,
    area: &DrawingArea<SVGBackend, plotters::coord::Shift>,
) -> Result<(), Box<dyn Error>> {
    // A bare app has no CORS: it answers a preflight with its 404 or 405, which is no
    // baseline for an answer that carries the CORS headers. Its bar stays, for the
    // framework's own cost of a request, but pale, and the caption says why.
    let caption = match scenario {
        Scenario::Preflight => format!(
            "{} (pale bare app: its 404/405 answer, not a baseline)",
            scenario.title()
        ),
        _ => scenario.title().to_owned(),
    };
    let labels: Vec<String> = result
        .iter()
        .map(|f| format!("{} ({})", f.name, f.peer))
        .collect();
    let mut chart = ChartBuilder::on(area)
        .caption(caption, (FONT, 17))
        .margin(8)
        .x_label_area_size(22)
        .y_label_area_size(70)
        .build_cartesian_2d(Groups(result.len()), 0.0..top)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        // The lines of the y labels only: finer ones clutter bars this wide.
        .light_line_style(TRANSPARENT)
        .x_label_formatter(&|x| {
            let group = x.floor() as usize;
            labels.get(group).cloned().unwrap_or_default()
        })
        .x_label_style((FONT, 15))
        .y_label_style((FONT, 14))
        .y_labels(5)
        .y_label_formatter(&|y| format!("{y:.0}"))
        .y_desc("instructions per request")
        .axis_desc_style((FONT, 15))
        .draw()?;

    let figure = TextStyle::from((FONT, 13).into_font()).pos(Pos::new(HPos::Center, VPos::Bottom));
    for (group, framework) in result.iter().enumerate() {
        let Some((_, counts)) = framework.counts.iter().find(|(s, _)| *s == scenario) else {
            continue;
        };
        for (k, (role, count)) in ROLES.into_iter().zip(counts).enumerate() {
            let Some(count) = count else { continue };
            let value = count.instructions_per_request();
            let (colour, _) = style_of(role);
            // Four bars in the middle 80 % of the group, with a gap between them.
            let left = group as f64 + 0.1 + 0.2 * k as f64;
            let right = left + 0.18;
            let no_baseline = role == Role::Bare && scenario == Scenario::Preflight;
            let (style, label) = if no_baseline {
                (colour.mix(PALE).filled(), format!("({value:.0})"))
            } else {
                (colour.filled(), format!("{value:.0}"))
            };
            chart.draw_series([Rectangle::new([(left, 0.0), (right, value)], style)])?;
            chart.draw_series([EmptyElement::at(((left + right) / 2.0, value))
                + Text::new(label, (0, -3), figure.clone())])?;
        }
    }
    Ok(())
}

/// The x axis: group `i` spans `i..i + 1`, and its one label sits at its middle (the
/// numeric axes of the plotting crate would put round numbers there instead).
struct Groups(usize);

impl Ranged for Groups {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, (start, end): (i32, i32)) -> i32 {
        let width = self.0.max(1) as f64;
        start + ((end - start) as f64 * value / width).round() as i32
    }

    fn key_points<H: KeyPointHint>(&self, _hint: H) -> Vec<f64> {
        (0..self.0).map(|i| i as f64 + 0.5).collect()
    }

    fn range(&self) -> Range<f64> {
        0.0..self.0.max(1) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::callgrind::Count;

    fn count(instructions: u64) -> Option<Count> {
        Some(Count {
            instructions,
            allocations: 0,
            requests: 1000,
        })
    }

    /// Two frameworks, both scenarios; actix's peer cannot run the preflight.
    fn result() -> Vec<CallgrindFramework> {
        vec![
            CallgrindFramework {
                name: "axum",
                peer: "tower-http",
                counts: vec![
                    (
                        Scenario::SimpleGet,
                        [
                            count(40_000_000),
                            count(41_000_000),
                            count(42_500_000),
                            count(47_000_000),
                        ],
                    ),
                    (
                        Scenario::Preflight,
                        [
                            count(30_000_000),
                            count(38_000_000),
                            count(40_000_000),
                            count(45_000_000),
                        ],
                    ),
                ],
            },
            CallgrindFramework {
                name: "actix",
                peer: "actix-cors",
                counts: vec![
                    (
                        Scenario::SimpleGet,
                        [
                            count(35_000_000),
                            count(36_000_000),
                            count(36_900_000),
                            count(44_000_000),
                        ],
                    ),
                    (
                        Scenario::Preflight,
                        [
                            count(25_000_000),
                            count(33_000_000),
                            count(34_000_000),
                            None,
                        ],
                    ),
                ],
            },
        ]
    }

    fn rects(svg: &str) -> usize {
        svg.matches("<rect").count()
    }

    /// The content of each `<text>` element, unescaped.
    fn texts(svg: &str) -> Vec<String> {
        svg.split("<text")
            .skip(1)
            .filter_map(|t| {
                let (_, content) = t.split_once('>')?;
                let (content, _) = content.split_once("</text>")?;
                Some(content.trim().replace("&apos;", "'").replace("&amp;", "&"))
            })
            .collect()
    }

    #[test]
    fn the_chart_names_the_frameworks_the_roles_and_the_figures() {
        let svg = callgrind_svg(&result()).unwrap();
        assert!(svg.starts_with("<svg"), "{}", &svg[..svg.len().min(80)]);
        assert!(svg.trim_end().ends_with("</svg>"));
        let texts = texts(&svg);
        let has = |text: &str| texts.iter().any(|t| t == text);
        for name in ["axum (tower-http)", "actix (actix-cors)"] {
            assert!(has(name), "no {name} in {texts:?}");
        }
        for role in ROLES {
            let (_, name) = style_of(role);
            assert!(has(name), "no {name} in {texts:?}");
        }
        assert!(has("instructions per request"));
        assert!(has(Scenario::SimpleGet.title()));
        assert!(texts.iter().any(|t| t.ends_with("not a baseline)")));
        // The figures above the bars, the bare app's preflight in parentheses.
        assert!(has("42500"));
        assert!(has("(30000)"));
        assert!(!has("30000"));
    }

    #[test]
    fn a_missing_count_has_no_bar() {
        let mut result = result();
        let without = rects(&callgrind_svg(&result).unwrap());
        result[1].counts[1].1[3] = count(39_000_000);
        let with = rects(&callgrind_svg(&result).unwrap());
        assert_eq!(with, without + 1);
        // Background, legend and one bar per count: 15 bars, then 16.
        assert_eq!(with, 1 + ROLES.len() + 16);
    }

    #[test]
    fn the_bare_preflight_is_pale() {
        let svg = callgrind_svg(&result()).unwrap();
        let pale = format!(r#"opacity="{PALE}""#);
        let pale = svg
            .lines()
            .filter(|l| l.starts_with("<rect") && l.contains(&pale))
            .count();
        assert_eq!(pale, 2);
    }

    #[test]
    fn no_figures_still_draw() {
        let svg = callgrind_svg(&[]).unwrap();
        assert!(svg.starts_with("<svg"));
        assert_eq!(rects(&svg), 1 + ROLES.len());
    }
}
