//! SVG pictures for an evaluation report.
//!
//! Drawn with `plotters` built *without* its font features (`ab_glyph`,
//! `ttf`): SVG `<text>` is laid out by whatever displays the file, so no font
//! or system library is needed here, and criterion's HTML report (which panics
//! when `ab_glyph` is enabled in the same build) keeps working. Without a font
//! plotters only estimates text widths, so labels are kept short.
//!
//! Every function returns a complete standalone SVG document.

use crate::cli::metrics::{ConfusionMatrix, ReliabilityBin};
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

type Chart<'a, 'b> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;
type DrawResult = Result<(), Box<dyn std::error::Error>>;

const SIZE: (u32, u32) = (640, 560);
const FONT: &str = "sans-serif";
const CURVE: RGBColor = RGBColor(31, 119, 180);
const REFERENCE: RGBColor = RGBColor(120, 120, 120);

/// Renders into a string; plotters' errors can only come from the writer,
/// which for a `String` cannot fail, so a failure here is a bug.
fn render(
    size: (u32, u32),
    draw: impl FnOnce(&DrawingArea<SVGBackend, Shift>) -> DrawResult,
) -> String {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&WHITE).expect("fill in-memory SVG");
        draw(&root).expect("draw in-memory SVG");
        root.present().expect("write in-memory SVG");
    }
    svg
}

/// Both axes span [0, 1] with a light 0.1 grid, so curves from different
/// reports can be compared by eye.
fn unit_square<'a, 'b>(
    root: &'a DrawingArea<SVGBackend<'b>, Shift>,
    title: &str,
    x_desc: &str,
    y_desc: &str,
    x_label_area: u32,
) -> Result<Chart<'a, 'b>, Box<dyn std::error::Error>> {
    let mut chart = ChartBuilder::on(root)
        .caption(title, (FONT, 26))
        .margin(20)
        .x_label_area_size(x_label_area)
        .y_label_area_size(65)
        .build_cartesian_2d(0f64..1f64, 0f64..1f64)?;
    chart
        .configure_mesh()
        .x_labels(11)
        .y_labels(11)
        .max_light_lines(1)
        .x_label_formatter(&|v| format!("{v:.1}"))
        .y_label_formatter(&|v| format!("{v:.1}"))
        .label_style((FONT, 16))
        .axis_desc_style((FONT, 20))
        .x_desc(x_desc)
        .y_desc(y_desc)
        .bold_line_style(BLACK.mix(0.12))
        .light_line_style(BLACK.mix(0.04))
        .draw()?;
    Ok(chart)
}

fn legend<'a, 'b: 'a>(chart: &mut Chart<'a, 'b>, position: SeriesLabelPosition) -> DrawResult {
    chart
        .configure_series_labels()
        .position(position)
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK.mix(0.3))
        .label_font((FONT, 16))
        .draw()?;
    Ok(())
}

/// Precision–recall curve as the step function that average precision
/// integrates (precision `P_n` held over `(R_{n-1}, R_n]`), so the area under
/// the drawn line is the AP in the title. `points` are `(recall, precision)`
/// in the order of [`crate::cli::metrics::pr_curve`] (recall non-decreasing); the
/// line has `2 * points.len() - 1` vertices.
pub fn pr_curve_svg(points: &[(f64, f64)], ap: f64) -> String {
    let mut path = Vec::with_capacity(points.len() * 2);
    for (i, &(r, p)) in points.iter().enumerate() {
        if i > 0 {
            path.push((points[i - 1].0, p));
        }
        path.push((r, p));
    }
    let title = format!("Precision–recall curve (AP = {ap:.3})");
    render(SIZE, |root| {
        let mut chart = unit_square(root, &title, "Recall", "Precision", 55)?;
        chart
            .draw_series(LineSeries::new(path, CURVE.stroke_width(2)))?
            .label(format!("model (AP = {ap:.3})"))
            .legend(|(x, y)| PathElement::new([(x, y), (x + 20, y)], CURVE.stroke_width(2)));
        legend(&mut chart, SeriesLabelPosition::LowerLeft)
    })
}

/// ROC curve, `points` as `(fpr, tpr)` in the order of
/// [`crate::cli::metrics::roc_curve`], drawn straight between points (the AUC is
/// the trapezoid area), with the chance diagonal for reference.
pub fn roc_curve_svg(points: &[(f64, f64)], auc: f64) -> String {
    let title = format!("ROC curve (AUC = {auc:.3})");
    render(SIZE, |root| {
        let mut chart = unit_square(
            root,
            &title,
            "False positive rate",
            "True positive rate",
            55,
        )?;
        chart
            .draw_series(DashedLineSeries::new(
                [(0.0, 0.0), (1.0, 1.0)],
                6,
                4,
                REFERENCE.stroke_width(1),
            ))?
            .label("chance")
            .legend(|(x, y)| PathElement::new([(x, y), (x + 20, y)], REFERENCE.stroke_width(1)));
        chart
            .draw_series(LineSeries::new(
                points.iter().copied(),
                CURVE.stroke_width(2),
            ))?
            .label(format!("model (AUC = {auc:.3})"))
            .legend(|(x, y)| PathElement::new([(x, y), (x + 20, y)], CURVE.stroke_width(2)));
        legend(&mut chart, SeriesLabelPosition::LowerRight)
    })
}

/// Reliability diagram: for each non-empty bin a pale bar spanning the bin up
/// to the observed fraction of positives, a dot at (mean predicted, fraction
/// positive) and the bin's count in a row under the axis; dots on the diagonal mean
/// calibrated probabilities. Empty bins are skipped rather than drawn at 0,
/// which would look like a badly calibrated bin. One `<circle>` per non-empty
/// bin.
pub fn reliability_svg(bins: &[ReliabilityBin], ece: f64) -> String {
    let used: Vec<&ReliabilityBin> = bins.iter().filter(|b| b.count > 0).collect();
    let title = format!("Reliability diagram (ECE = {ece:.3})");
    render(SIZE, |root| {
        let mut chart = unit_square(
            root,
            &title,
            "Mean predicted probability",
            "Fraction positive",
            80,
        )?;
        chart.draw_series(used.iter().map(|b| {
            Rectangle::new(
                [(b.lower, 0.0), (b.upper, b.fraction_positive)],
                ShapeStyle::from(CURVE.mix(0.18)).filled(),
            )
        }))?;
        chart.draw_series(used.iter().map(|b| {
            Rectangle::new(
                [(b.lower, 0.0), (b.upper, b.fraction_positive)],
                CURVE.mix(0.5).stroke_width(1),
            )
        }))?;
        chart
            .draw_series(DashedLineSeries::new(
                [(0.0, 0.0), (1.0, 1.0)],
                6,
                4,
                REFERENCE.stroke_width(1),
            ))?
            .label("perfectly calibrated")
            .legend(|(x, y)| PathElement::new([(x, y), (x + 20, y)], REFERENCE.stroke_width(1)));
        chart
            .draw_series(LineSeries::new(
                used.iter().map(|b| (b.mean_predicted, b.fraction_positive)),
                CURVE.stroke_width(2),
            ))?
            .label("model")
            .legend(|(x, y)| Circle::new((x + 10, y), 4, CURVE.filled()));
        chart
            .draw_series(used.iter().map(|b| {
                Circle::new((b.mean_predicted, b.fraction_positive), 4, CURVE.filled())
            }))?;
        // Counts sit in their own row under the tick labels, centred on
        // their bins, where no line can cross them.
        let grey = BLACK.mix(0.75);
        let style = TextStyle::from((FONT, 12))
            .color(&grey)
            .pos(Pos::new(HPos::Center, VPos::Top));
        chart.draw_series(used.iter().map(|b| {
            EmptyElement::at(((b.lower + b.upper) / 2.0, 0.0))
                + Text::new(format!("n={}", b.count), (0, 28), style.clone())
        }))?;
        legend(&mut chart, SeriesLabelPosition::UpperLeft)
    })
}

/// Confusion matrix heat map: rows = true class (first class at the top),
/// columns = predicted class, shade = share of the row (per-class recall), so
/// a small class's errors are as visible as a large one's. Each cell shows its
/// count and row percentage. The document has one `<rect>` per cell plus the
/// background.
/// `labels[i]` names class `i`; missing names fall back to the index.
pub fn confusion_svg<S: AsRef<str>>(cm: &ConfusionMatrix, labels: &[S]) -> String {
    let n = cm.n_classes;
    let name = |i: usize| {
        labels
            .get(i)
            .map_or_else(|| i.to_string(), |s| s.as_ref().to_string())
    };
    let side = 420 + 40 * n.min(10) as u32;
    render((side + 80, side + 40), |root| {
        let root = root.titled("Confusion matrix", (FONT, 26))?;
        let ni = n as i32;
        let mut chart = ChartBuilder::on(&root)
            .margin(20)
            .x_label_area_size(60)
            .y_label_area_size(90)
            // `(0..k).into_segmented()` has k + 1 segments, hence `ni - 1`.
            .build_cartesian_2d(
                (0..(ni - 1).max(0)).into_segmented(),
                (0..(ni - 1).max(0)).into_segmented(),
            )?;
        // Row order is flipped so that truth class 0 is at the top.
        let row = |i: usize| ni - 1 - i as i32;
        let x_names = |v: &SegmentValue<i32>| match *v {
            SegmentValue::CenterOf(j) if j < ni => name(j as usize),
            _ => String::new(),
        };
        let y_names = |v: &SegmentValue<i32>| match *v {
            SegmentValue::CenterOf(k) if k < ni => name((ni - 1 - k) as usize),
            _ => String::new(),
        };
        chart
            .configure_mesh()
            .disable_mesh()
            .x_labels(n)
            .y_labels(n)
            .x_label_formatter(&x_names)
            .y_label_formatter(&y_names)
            .label_style((FONT, 16))
            .axis_desc_style((FONT, 20))
            .x_desc("Predicted class")
            .y_desc("True class")
            .draw()?;
        let centre = Pos::new(HPos::Center, VPos::Center);
        for i in 0..n {
            let row_total: u64 = cm.counts[i].iter().sum();
            let y = row(i);
            for j in 0..n {
                let x = j as i32;
                let count = cm.counts[i][j];
                let share = if row_total == 0 {
                    0.0
                } else {
                    count as f64 / row_total as f64
                };
                chart.draw_series(std::iter::once(Rectangle::new(
                    [
                        (SegmentValue::Exact(x), SegmentValue::Exact(y)),
                        (SegmentValue::Exact(x + 1), SegmentValue::Exact(y + 1)),
                    ],
                    shade(share).filled(),
                )))?;
                let ink = if share > 0.6 { WHITE } else { BLACK };
                let big = TextStyle::from((FONT, 24)).color(&ink).pos(centre);
                let small = TextStyle::from((FONT, 14)).color(&ink).pos(centre);
                let at = (SegmentValue::CenterOf(x), SegmentValue::CenterOf(y));
                chart.draw_series(std::iter::once(
                    EmptyElement::at(at)
                        + Text::new(count.to_string(), (0, -10), big)
                        + Text::new(format!("{:.1}%", share * 100.0), (0, 16), small),
                ))?;
            }
        }
        // White cell borders on top of the fills.
        chart.draw_series((0..=ni).flat_map(|k| {
            let e = SegmentValue::Exact;
            [
                PathElement::new([(e(k), e(0)), (e(k), e(ni))], WHITE.stroke_width(2)),
                PathElement::new([(e(0), e(k)), (e(ni), e(k))], WHITE.stroke_width(2)),
            ]
        }))?;
        Ok(())
    })
}

/// White (0) through mid blue (0.5) to dark blue (1), like matplotlib's
/// "Blues"; a straight white-to-navy blend looks grey in the middle.
fn shade(share: f64) -> RGBColor {
    const STOPS: [(f64, f64, f64); 3] = [
        (247.0, 251.0, 255.0),
        (107.0, 174.0, 214.0),
        (8.0, 48.0, 107.0),
    ];
    let t = share.clamp(0.0, 1.0) * 2.0;
    let (a, b, t) = if t <= 1.0 {
        (STOPS[0], STOPS[1], t)
    } else {
        (STOPS[1], STOPS[2], t - 1.0)
    };
    let lerp = |x: f64, y: f64| (x + (y - x) * t).round() as u8;
    RGBColor(lerp(a.0, b.0), lerp(a.1, b.1), lerp(a.2, b.2))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::metrics;

    fn parse(svg: &str) -> roxmltree::Document<'_> {
        roxmltree::Document::parse(svg).expect("well-formed SVG")
    }

    fn texts<'a>(doc: &'a roxmltree::Document) -> Vec<&'a str> {
        doc.descendants()
            .filter(|n| n.has_tag_name("text"))
            .filter_map(|n| n.text())
            .map(str::trim)
            .collect()
    }

    fn count(doc: &roxmltree::Document, tag: &str) -> usize {
        doc.descendants().filter(|n| n.has_tag_name(tag)).count()
    }

    /// Vertex counts of all `<polyline>`s, in document order.
    fn polylines(doc: &roxmltree::Document) -> Vec<usize> {
        doc.descendants()
            .filter(|n| n.has_tag_name("polyline"))
            .map(|n| {
                n.attribute("points")
                    .unwrap_or("")
                    .split_whitespace()
                    .count()
            })
            .collect()
    }

    fn ten() -> (Vec<bool>, Vec<f64>) {
        let p = [0.95, 0.85, 0.75, 0.65, 0.55, 0.45, 0.35, 0.35, 0.15, 0.05];
        let y = [
            true, true, false, true, true, false, true, false, false, false,
        ];
        (y.to_vec(), p.to_vec())
    }

    #[test]
    fn pr_svg() {
        let (y, p) = ten();
        let pts: Vec<(f64, f64)> = metrics::pr_curve(&y, &p)
            .iter()
            .map(|&(r, p, _)| (r, p))
            .collect();
        let svg = pr_curve_svg(&pts, metrics::average_precision(&y, &p).unwrap());
        let doc = parse(&svg);
        let t = texts(&doc);
        assert!(t.contains(&"Precision–recall curve (AP = 0.835)"), "{t:?}");
        assert!(t.contains(&"Recall") && t.contains(&"Precision"));
        assert!(t.contains(&"0.5"));
        // The curve is the longest polyline: 10 points as a step line.
        assert_eq!(polylines(&doc).into_iter().max(), Some(2 * 10 - 1));
    }

    #[test]
    fn roc_svg() {
        let (y, p) = ten();
        let pts: Vec<(f64, f64)> = metrics::roc_curve(&y, &p)
            .iter()
            .map(|&(f, t, _)| (f, t))
            .collect();
        let svg = roc_curve_svg(&pts, 0.82);
        let doc = parse(&svg);
        let t = texts(&doc);
        assert!(t.contains(&"ROC curve (AUC = 0.820)"), "{t:?}");
        assert!(t.contains(&"False positive rate"));
        assert!(polylines(&doc).contains(&10));
    }

    #[test]
    fn reliability_svg_one_dot_per_nonempty_bin() {
        let (y, p) = ten();
        let bins = metrics::reliability_bins(&y, &p, 10);
        let svg = reliability_svg(&bins, 0.27);
        let doc = parse(&svg);
        let t = texts(&doc);
        assert!(t.contains(&"Reliability diagram (ECE = 0.270)"), "{t:?}");
        // 9 non-empty bins, plus the legend's marker
        assert_eq!(count(&doc, "circle"), 9 + 1);
        assert!(t.contains(&"n=2"));
    }

    #[test]
    fn confusion_svg_cells_and_labels() {
        let cm = metrics::ConfusionMatrix::from_pairs(3, &[0, 0, 1, 2, 2, 2], &[0, 1, 1, 2, 2, 0]);
        let svg = confusion_svg(&cm, &["新闻", "clickbait", "a<b&c"]);
        let doc = parse(&svg);
        let t = texts(&doc);
        assert!(t.contains(&"Confusion matrix"));
        assert!(t.contains(&"新闻") && t.contains(&"a<b&c"), "{t:?}");
        // 3 x 3 cells, each with a count and a row percentage
        let cells = t.iter().filter(|s| s.ends_with('%')).count();
        assert_eq!(cells, 9);
        assert!(t.contains(&"66.7%") && t.contains(&"33.3%"));
        assert_eq!(count(&doc, "rect"), 1 + 9, "background + cells");
    }

    #[test]
    fn degenerate_inputs_still_render() {
        parse(&pr_curve_svg(&[], 0.0));
        parse(&roc_curve_svg(&[], f64::NAN));
        parse(&reliability_svg(&[], 0.0));
        let svg = confusion_svg(
            &metrics::ConfusionMatrix::from_pairs(2, &[], &[]),
            &[] as &[&str],
        );
        assert_eq!(count(&parse(&svg), "rect"), 1 + 4);
        let one = metrics::ConfusionMatrix::from_pairs(1, &[0, 0], &[0, 0]);
        assert_eq!(
            count(&parse(&confusion_svg(&one, &["only"])), "rect"),
            1 + 1
        );
        let none = metrics::ConfusionMatrix::from_pairs(0, &[], &[]);
        assert_eq!(
            count(&parse(&confusion_svg(&none, &[] as &[&str])), "rect"),
            1
        );
    }
}
