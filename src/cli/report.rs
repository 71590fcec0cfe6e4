//! Evaluation reports: the figures of [`crate::cli::metrics`] gathered for one set
//! of scored examples, broken down by a field, and written as JSON (schema
//! [`SCHEMA`], documented in `docs/report-schema.md`), Markdown and SVG.
//!
//! Everything here works from probabilities, whoever produced them: a
//! newsbait model ([`crate::cli::eval`]) or another tool's prediction file, so that
//! peers are reported in the same schema.

use std::collections::BTreeMap;
use std::path::Path;

use comfy_table::{Table, presets};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::cli::metrics::{self, ClassMetrics, ConfusionMatrix, ReliabilityBin, ThresholdPoint};
use crate::cli::pages::{BoxBreakdown, Cleaning, CleaningFigures};
use crate::cli::plots;
use crate::error::Result;
use crate::model::Contribution;

/// The name and version of the report layout; bumped on any incompatible change.
pub const SCHEMA: &str = "newsbait-report/1";

/// Bins of the reliability diagram and of the expected calibration error.
pub const CALIBRATION_BINS: usize = 10;

/// The group name of examples that lack the `--group-by` field.
pub const MISSING_GROUP: &str = "(missing)";

/// One scored example: its true class, the probability of every class (in the
/// order of the report's labels) and the predicted class (the most probable).
#[derive(Debug, Clone, PartialEq)]
pub struct Scored {
    pub truth: usize,
    pub probs: Vec<f64>,
    pub pred: usize,
}

impl Scored {
    /// The most probable class; on ties the last one, as [`crate::Model`] does.
    pub fn new(truth: usize, probs: Vec<f64>) -> Scored {
        let pred = crate::math::arg_max(&probs);
        Scored { truth, probs, pred }
    }
}

/// Precision, recall, F1 and support of one label.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LabelMetrics {
    pub label: String,
    /// Written beside `label` in the report, as one object.
    #[serde(flatten)]
    pub metrics: ClassMetrics,
}

/// A label's figures read as the figures themselves (`m.f1`).
impl std::ops::Deref for LabelMetrics {
    type Target = ClassMetrics;
    fn deref(&self) -> &ClassMetrics {
        &self.metrics
    }
}

/// A point of the ROC curve; `threshold` is null for the leading (0, 0) point.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RocPoint {
    pub fpr: f64,
    pub tpr: f64,
    pub threshold: Option<f64>,
}

/// A point of the precision-recall curve; `threshold` is null for the leading (0, 1) point.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PrPoint {
    pub recall: f64,
    pub precision: f64,
    pub threshold: Option<f64>,
}

/// Figures of the positive class against all others, from its probability.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PositiveMetrics {
    pub label: String,
    pub support: u64,
    /// Null when only one class is present.
    pub roc_auc: Option<f64>,
    /// Average precision (step-wise, as scikit-learn); null without positives.
    pub pr_auc: Option<f64>,
    pub log_loss: f64,
    pub brier: f64,
    pub ece: f64,
    pub reliability: Vec<ReliabilityBin>,
    pub threshold_sweep: Vec<ThresholdPoint>,
    pub best_threshold: Option<ThresholdPoint>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub roc_curve: Option<Vec<RocPoint>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pr_curve: Option<Vec<PrPoint>>,
}

/// Every figure of one set of scored examples.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Metrics {
    pub n: u64,
    pub accuracy: f64,
    pub macro_f1: f64,
    pub weighted_f1: f64,
    pub per_class: Vec<LabelMetrics>,
    /// `confusion[truth][predicted]`, in the order of the report's labels.
    pub confusion: Vec<Vec<u64>>,
    pub positive: PositiveMetrics,
}

impl Metrics {
    /// Computes every figure; `curves` adds the ROC and PR curves point by point.
    pub fn compute(labels: &[String], positive: usize, scored: &[Scored], curves: bool) -> Metrics {
        let truth: Vec<usize> = scored.iter().map(|s| s.truth).collect();
        let pred: Vec<usize> = scored.iter().map(|s| s.pred).collect();
        let cm = ConfusionMatrix::from_pairs(labels.len(), &truth, &pred);
        let y: Vec<bool> = truth.iter().map(|&t| t == positive).collect();
        let p: Vec<f64> = scored.iter().map(|s| s.probs[positive]).collect();
        let finite = |t: f64| t.is_finite().then_some(t);
        let positive_metrics = PositiveMetrics {
            label: labels[positive].clone(),
            support: y.iter().filter(|&&b| b).count() as u64,
            roc_auc: metrics::roc_auc(&y, &p),
            pr_auc: metrics::average_precision(&y, &p),
            log_loss: metrics::log_loss(&y, &p),
            brier: metrics::brier(&y, &p),
            ece: metrics::expected_calibration_error(&y, &p, CALIBRATION_BINS),
            reliability: metrics::reliability_bins(&y, &p, CALIBRATION_BINS),
            threshold_sweep: metrics::threshold_sweep(&y, &p),
            best_threshold: metrics::best_f1_threshold(&y, &p),
            roc_curve: curves.then(|| {
                metrics::roc_curve(&y, &p)
                    .into_iter()
                    .map(|(fpr, tpr, t)| RocPoint {
                        fpr,
                        tpr,
                        threshold: finite(t),
                    })
                    .collect()
            }),
            pr_curve: curves.then(|| {
                metrics::pr_curve(&y, &p)
                    .into_iter()
                    .map(|(recall, precision, t)| PrPoint {
                        recall,
                        precision,
                        threshold: finite(t),
                    })
                    .collect()
            }),
        };
        Metrics {
            n: scored.len() as u64,
            accuracy: cm.accuracy(),
            macro_f1: cm.macro_f1(),
            weighted_f1: cm.weighted_f1(),
            per_class: labels
                .iter()
                .zip(cm.per_class())
                .map(|(label, metrics)| LabelMetrics {
                    label: label.clone(),
                    metrics,
                })
                .collect(),
            confusion: cm.counts,
            positive: positive_metrics,
        }
    }

    /// The headline figures by name, for fold and group tables: `accuracy`,
    /// `macro_f1`, `weighted_f1`, `roc_auc`, `pr_auc`, `log_loss`, `brier`,
    /// `ece` and `f1.<label>` (undefined figures are left out).
    pub fn figures(&self) -> BTreeMap<String, f64> {
        let mut out = BTreeMap::new();
        out.insert("accuracy".into(), self.accuracy);
        out.insert("macro_f1".into(), self.macro_f1);
        out.insert("weighted_f1".into(), self.weighted_f1);
        if let Some(v) = self.positive.roc_auc {
            out.insert("roc_auc".into(), v);
        }
        if let Some(v) = self.positive.pr_auc {
            out.insert("pr_auc".into(), v);
        }
        out.insert("log_loss".into(), self.positive.log_loss);
        out.insert("brier".into(), self.positive.brier);
        out.insert("ece".into(), self.positive.ece);
        for m in &self.per_class {
            out.insert(format!("f1.{}", m.label), m.f1);
        }
        out
    }
}

/// The figures of the examples that share one value of the `--group-by` field.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Group {
    pub value: String,
    pub metrics: Metrics,
}

/// An example the model got wrong, with how sure it was.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WrongExample {
    /// 0-based position among the evaluated examples (page lines count in page order).
    pub index: usize,
    pub text: String,
    pub truth: String,
    pub predicted: String,
    /// Probability of the predicted label.
    pub confidence: f64,
    pub probs: BTreeMap<String, f64>,
    /// The record's other fields (`source`, `kind`, `page`, ...).
    pub fields: Map<String, Value>,
    /// The features that pushed it most towards the predicted label; null
    /// when the probabilities came from a prediction file.
    pub features: Option<Vec<Contribution>>,
}

/// The report of one labelled set: overall, by group, and the worst mistakes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SetReport {
    /// The file the examples came from.
    pub path: String,
    pub metrics: Metrics,
    /// One entry per value of the `--group-by` field, sorted; empty when no
    /// example has the field.
    pub groups: Vec<Group>,
    /// The most confidently wrong examples, most confident first.
    pub confidently_wrong: Vec<WrongExample>,
}

/// What is needed to describe an example in a report.
pub struct ExampleInfo<'a> {
    pub text: &'a str,
    pub fields: &'a Map<String, Value>,
}

/// Options of a report.
#[derive(Debug, Clone)]
pub struct ReportOptions {
    pub positive: String,
    pub group_by: String,
    /// How many confidently wrong examples to keep.
    pub worst: usize,
    /// How many features explain each of them.
    pub explain_top: usize,
    /// Show progress bars on long work.
    pub progress: bool,
}

impl Default for ReportOptions {
    fn default() -> Self {
        ReportOptions {
            positive: "clickbait".into(),
            group_by: "source".into(),
            worst: 20,
            explain_top: 8,
            progress: false,
        }
    }
}

/// Builds the report of one set. `explain(i)` gives the features behind
/// example `i`'s prediction, when a model is at hand.
pub fn set_report(
    path: &Path,
    labels: &[String],
    positive: usize,
    examples: &[ExampleInfo],
    scored: &[Scored],
    options: &ReportOptions,
    explain: Option<&dyn Fn(usize, usize) -> Vec<Contribution>>,
) -> SetReport {
    assert_eq!(examples.len(), scored.len(), "one score per example");
    let metrics = Metrics::compute(labels, positive, scored, true);

    let mut by_value: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    let mut any_field = false;
    for (i, e) in examples.iter().enumerate() {
        let value = e.fields.get(&options.group_by).map(|v| match v {
            Value::String(s) => s.as_str(),
            _ => MISSING_GROUP,
        });
        any_field |= value.is_some();
        by_value
            .entry(value.unwrap_or(MISSING_GROUP))
            .or_default()
            .push(i);
    }
    let groups = if any_field {
        by_value
            .into_iter()
            .map(|(value, idx)| {
                let subset: Vec<Scored> = idx.iter().map(|&i| scored[i].clone()).collect();
                Group {
                    value: value.to_string(),
                    metrics: Metrics::compute(labels, positive, &subset, false),
                }
            })
            .collect()
    } else {
        Vec::new()
    };

    let mut wrong: Vec<usize> = (0..scored.len())
        .filter(|&i| scored[i].pred != scored[i].truth)
        .collect();
    wrong.sort_by(|&a, &b| {
        let (pa, pb) = (
            scored[a].probs[scored[a].pred],
            scored[b].probs[scored[b].pred],
        );
        pb.total_cmp(&pa).then(a.cmp(&b))
    });
    wrong.truncate(options.worst);
    let confidently_wrong = wrong
        .into_iter()
        .map(|i| {
            let s = &scored[i];
            WrongExample {
                index: i,
                text: examples[i].text.to_string(),
                truth: labels[s.truth].clone(),
                predicted: labels[s.pred].clone(),
                confidence: s.probs[s.pred],
                probs: labels
                    .iter()
                    .cloned()
                    .zip(s.probs.iter().copied())
                    .collect(),
                fields: examples[i].fields.clone(),
                features: explain.map(|f| f(i, s.pred)),
            }
        })
        .collect();
    SetReport {
        path: path.display().to_string(),
        metrics,
        groups,
        confidently_wrong,
    }
}

/// Per page: how well its lines were labelled and what cleaning would do to it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PageResult {
    pub page: String,
    pub lines: usize,
    pub correct: usize,
    pub line_accuracy: f64,
    pub negative_chars_kept: u64,
    pub negative_chars_lost: u64,
    pub positive_chars_survived: u64,
}

/// Whole pages: "cleaning" keeps the lines not predicted positive.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PagesReport {
    /// Whether the pages were classified with page context.
    pub context: bool,
    pub pages: usize,
    pub lines: usize,
    /// Correct lines over all lines.
    pub line_accuracy: f64,
    /// The mean over pages of each page's line accuracy.
    pub mean_page_accuracy: f64,
    /// Pages with every line right.
    pub perfect_pages: usize,
    pub perfect_pages_share: f64,
    /// Characters of lines whose truth is not the positive label (the article).
    pub negative_chars: u64,
    pub negative_chars_kept: u64,
    pub negative_chars_lost: u64,
    /// kept / total; 0 when there are none.
    pub negative_kept_share: f64,
    /// Characters of lines whose truth is the positive label (the bait).
    pub positive_chars: u64,
    pub positive_chars_survived: u64,
    /// survived / total; 0 when there are none.
    pub positive_survived_share: f64,
    pub per_page: Vec<PageResult>,
    /// The line-level report (every figure, confidently wrong lines).
    pub lines_report: SetReport,
    /// The kept text (lines not predicted positive) against each page's
    /// reference by character 6-grams; null when not computed.
    pub cleaning: Option<Cleaning>,
    /// Line accuracy inside and outside the repeated news boxes
    /// ([`crate::cli::pages::repeated_news_boxes`]); null when there are none.
    pub repeated_boxes: Option<BoxBreakdown>,
}

fn share(a: u64, b: u64) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// Page figures from scored lines; `pages[i]` = (page id, its line texts),
/// and `scored` holds the lines of all pages in order.
pub fn pages_report(
    pages: &[(String, Vec<&str>)],
    scored: &[Scored],
    positive: usize,
    context: bool,
    lines_report: SetReport,
) -> PagesReport {
    let mut per_page = Vec::with_capacity(pages.len());
    let mut at = 0;
    let (mut neg, mut pos) = (0u64, 0u64);
    for (id, lines) in pages {
        let mut r = PageResult {
            page: id.clone(),
            lines: lines.len(),
            correct: 0,
            line_accuracy: 0.0,
            negative_chars_kept: 0,
            negative_chars_lost: 0,
            positive_chars_survived: 0,
        };
        for text in lines {
            let s = &scored[at];
            at += 1;
            let chars = text.chars().count() as u64;
            r.correct += usize::from(s.pred == s.truth);
            let kept = s.pred != positive;
            if s.truth == positive {
                pos += chars;
                if kept {
                    r.positive_chars_survived += chars;
                }
            } else {
                neg += chars;
                if kept {
                    r.negative_chars_kept += chars;
                } else {
                    r.negative_chars_lost += chars;
                }
            }
        }
        r.line_accuracy = share(r.correct as u64, r.lines as u64);
        per_page.push(r);
    }
    assert_eq!(at, scored.len(), "one score per page line");
    let sum = |f: fn(&PageResult) -> u64| per_page.iter().map(f).sum::<u64>();
    let kept = sum(|p| p.negative_chars_kept);
    let survived = sum(|p| p.positive_chars_survived);
    let correct = sum(|p| p.correct as u64);
    let perfect = per_page.iter().filter(|p| p.correct == p.lines).count();
    let n_pages = per_page.len();
    PagesReport {
        context,
        pages: n_pages,
        lines: scored.len(),
        line_accuracy: share(correct, scored.len() as u64),
        mean_page_accuracy: if n_pages == 0 {
            0.0
        } else {
            per_page.iter().map(|p| p.line_accuracy).sum::<f64>() / n_pages as f64
        },
        perfect_pages: perfect,
        perfect_pages_share: share(perfect as u64, n_pages as u64),
        negative_chars: neg,
        negative_chars_kept: kept,
        negative_chars_lost: sum(|p| p.negative_chars_lost),
        negative_kept_share: share(kept, neg),
        positive_chars: pos,
        positive_chars_survived: survived,
        positive_survived_share: share(survived, pos),
        per_page,
        lines_report,
        cleaning: None,
        repeated_boxes: None,
    }
}

impl PagesReport {
    /// The headline page figures by name, for fold tables.
    pub fn figures(&self) -> BTreeMap<String, f64> {
        let mut out = BTreeMap::new();
        out.insert("line_accuracy".into(), self.line_accuracy);
        out.insert("mean_page_accuracy".into(), self.mean_page_accuracy);
        out.insert("perfect_pages_share".into(), self.perfect_pages_share);
        if let Some(c) = &self.cleaning {
            out.extend(cleaning_figures(&c.all));
        }
        if let Some(b) = &self.repeated_boxes {
            out.insert("box_line_accuracy".into(), b.line_accuracy);
            out.insert("outside_box_line_accuracy".into(), b.outside_line_accuracy);
        }
        out.insert("negative_kept_share".into(), self.negative_kept_share);
        out.insert(
            "positive_survived_share".into(),
            self.positive_survived_share,
        );
        out.insert("macro_f1".into(), self.lines_report.metrics.macro_f1);
        out
    }
}

/// The figures of one fold (or one held-out group).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fold {
    /// The fold number, or the held-out value of the field.
    pub name: String,
    pub train: usize,
    pub test: usize,
    pub figures: BTreeMap<String, f64>,
}

/// Mean and standard deviation (n - 1 in the denominator; 0 for one fold)
/// of each figure present in every fold.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    pub mean: BTreeMap<String, f64>,
    pub std: BTreeMap<String, f64>,
}

impl Summary {
    pub fn of(folds: &[Fold]) -> Summary {
        let mut mean = BTreeMap::new();
        let mut std = BTreeMap::new();
        if let Some(first) = folds.first() {
            for key in first.figures.keys() {
                let values: Vec<f64> = folds
                    .iter()
                    .filter_map(|f| f.figures.get(key).copied())
                    .collect();
                if values.len() != folds.len() {
                    continue;
                }
                let n = values.len() as f64;
                let m = values.iter().sum::<f64>() / n;
                let var = if values.len() > 1 {
                    values.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (n - 1.0)
                } else {
                    0.0
                };
                mean.insert(key.clone(), m);
                std.insert(key.clone(), var.sqrt());
            }
        }
        Summary { mean, std }
    }
}

/// Stratified k-fold cross-validation of training settings on one file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CrossValidation {
    pub path: String,
    pub k: usize,
    pub seed: u64,
    /// The training settings, as stored in a model.
    pub settings: Value,
    pub folds: Vec<Fold>,
    pub summary: Summary,
}

/// Cross-validation by page (page `i` in fold `i % k`) of the page layer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PageCrossValidation {
    pub path: String,
    pub k: usize,
    /// Where the naive Bayes came from: a training file or a model.
    pub naive_bayes: String,
    /// What was fitted on each fold's training pages.
    pub page_layer: String,
    /// Files of pages on the training side of every fold (`--train-pages`).
    pub train_pages: Vec<String>,
    /// Figures with the layer fitted on the other folds' pages.
    pub with_context: Vec<Fold>,
    pub with_context_summary: Summary,
    /// The same test pages, each line scored on its own.
    pub without_context: Vec<Fold>,
    pub without_context_summary: Summary,
}

/// Leave-one-group-out: train on every other value of a field, test on one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LeaveOneOut {
    pub path: String,
    pub field: String,
    pub settings: Value,
    /// One entry per held-out value, sorted by value.
    pub groups: Vec<Fold>,
    /// Mean of the groups' macro-F1 (each group counts once, whatever its size).
    pub mean_macro_f1: f64,
    pub summary: Summary,
}

/// Where the probabilities came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scorer {
    /// `model` or `predictions`.
    pub kind: String,
    /// The model file (`<shipped model>` for the built-in one) or prediction file.
    pub path: String,
    pub labels: Vec<String>,
    /// The model's temperature (null for predictions).
    pub temperature: Option<f64>,
    /// Whether the model has learned page context (null for predictions).
    pub has_context: Option<bool>,
}

/// A whole evaluation report, as written to `report.json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub schema: String,
    /// `newsbait-eval <version>`.
    pub generator: String,
    pub scorer: Scorer,
    pub positive: String,
    pub group_by: String,
    pub data: Option<SetReport>,
    pub pages: Option<PagesReport>,
    pub cross_validation: Option<CrossValidation>,
    pub page_cross_validation: Option<PageCrossValidation>,
    pub leave_one_out: Option<LeaveOneOut>,
    /// `--pages F --cv-by FIELD`: the page layer cross-validated by a page
    /// field (the pooled held-out pages are in `pages`).
    pub page_group_cross_validation: Option<PageGroupCrossValidation>,
    /// `--pages F --extracted E`: another tool's kept text scored.
    pub extracted: Option<ExtractedReport>,
}

/// The cleaning figures by name (`clean_precision`, `clean_recall`,
/// `clean_f1`, `clean_median_page_f1`), for fold tables.
pub fn cleaning_figures(c: &CleaningFigures) -> BTreeMap<String, f64> {
    BTreeMap::from([
        ("clean_precision".to_string(), c.precision),
        ("clean_recall".to_string(), c.recall),
        ("clean_f1".to_string(), c.f1),
        ("clean_median_page_f1".to_string(), c.median_page_f1),
    ])
}

/// Cross-validation of the page layer by a field of the pages (`fold`,
/// `site`): for each value, the page layer is fitted on the other values'
/// pages on top of a fixed naive Bayes, and that value's pages are scored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PageGroupCrossValidation {
    pub path: String,
    /// The field the groups are made of.
    pub field: String,
    /// Where the naive Bayes came from: a training file or a model.
    pub naive_bayes: String,
    /// What was fitted on the training groups' pages.
    pub page_layer: String,
    /// Files of pages on the training side of every group (`--train-pages`).
    pub train_pages: Vec<String>,
    /// One entry per held-out value (train / test in pages).
    pub groups: Vec<Fold>,
    /// Mean and standard deviation over the groups (each counts once).
    pub summary: Summary,
}

/// Another tool's kept text (`--extracted`) scored against the references.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExtractedReport {
    /// The `--extracted` file.
    pub path: String,
    /// The `--pages` file the references and fields came from.
    pub pages_path: String,
    /// Pages of `pages_path` with no record in the file (scored as keeping nothing).
    pub missing: usize,
    /// Records of the file whose page is not in `pages_path` (ignored).
    pub unmatched: usize,
    pub cleaning: Cleaning,
}

impl Report {
    pub fn new(scorer: Scorer, options: &ReportOptions) -> Report {
        Report {
            schema: SCHEMA.into(),
            generator: format!("newsbait-eval {}", env!("CARGO_PKG_VERSION")),
            scorer,
            positive: options.positive.clone(),
            group_by: options.group_by.clone(),
            data: None,
            pages: None,
            cross_validation: None,
            page_cross_validation: None,
            leave_one_out: None,
            page_group_cross_validation: None,
            extracted: None,
        }
    }

    /// Writes `report.json`, `report.md` and the SVG pictures into `dir`
    /// (created if needed); returns the files written.
    pub fn write(&self, dir: &Path) -> Result<Vec<std::path::PathBuf>> {
        std::fs::create_dir_all(dir).map_err(|e| crate::Error::io(dir, e))?;
        let mut files: Vec<(String, String)> = Vec::new();
        let json = serde_json::to_string_pretty(self).expect("a report always serialises");
        files.push(("report.json".into(), json + "\n"));
        files.push(("report.md".into(), self.markdown()));
        let sets = [
            ("", self.data.as_ref()),
            ("pages-", self.pages.as_ref().map(|p| &p.lines_report)),
        ];
        for (prefix, set) in sets {
            if let Some(set) = set {
                for (name, svg) in self.pictures(set) {
                    files.push((format!("{prefix}{name}"), svg));
                }
            }
        }
        let mut written = Vec::new();
        for (name, content) in files {
            let path = dir.join(name);
            crate::io::write_atomically(&path, |w| w.write_all(content.as_bytes()))?;
            written.push(path);
        }
        Ok(written)
    }

    fn pictures(&self, set: &SetReport) -> Vec<(&'static str, String)> {
        let pm = &set.metrics.positive;
        let pr: Vec<(f64, f64)> = pm
            .pr_curve
            .iter()
            .flatten()
            .map(|p| (p.recall, p.precision))
            .collect();
        let roc: Vec<(f64, f64)> = pm
            .roc_curve
            .iter()
            .flatten()
            .map(|p| (p.fpr, p.tpr))
            .collect();
        let cm = ConfusionMatrix {
            n_classes: self.scorer.labels.len(),
            counts: set.metrics.confusion.clone(),
        };
        vec![
            (
                "pr.svg",
                plots::pr_curve_svg(&pr, pm.pr_auc.unwrap_or(f64::NAN)),
            ),
            (
                "roc.svg",
                plots::roc_curve_svg(&roc, pm.roc_auc.unwrap_or(f64::NAN)),
            ),
            (
                "reliability.svg",
                plots::reliability_svg(&pm.reliability, pm.ece),
            ),
            (
                "confusion.svg",
                plots::confusion_svg(&cm, &self.scorer.labels),
            ),
        ]
    }

    /// The summary table printed by `newsbait-eval`.
    pub fn summary_table(&self) -> String {
        self.tables(presets::UTF8_FULL_CONDENSED, false)
    }

    /// The whole report as Markdown.
    pub fn markdown(&self) -> String {
        let mut out = format!(
            "# Evaluation report\n\nSchema `{}`, by {}. Scores from {} `{}`; positive class `{}`.\n\n",
            self.schema, self.generator, self.scorer.kind, self.scorer.path, self.positive
        );
        out += &self.tables(presets::ASCII_MARKDOWN, true);
        out
    }

    fn tables(&self, preset: comfy_table::TableStyle, markdown: bool) -> String {
        let mut out = String::new();
        let mut section = |title: &str, body: String| {
            if markdown {
                out += &format!("## {title}\n\n{body}\n\n");
            } else {
                out += &format!("{title}\n{body}\n\n");
            }
        };
        let table = |header: Vec<String>| {
            let mut t = Table::new();
            t.load_style(preset).set_header(header);
            t
        };
        let f = |v: Option<f64>| v.map_or_else(|| "–".to_string(), |v| format!("{v:.4}"));
        let metric_header = || {
            [
                "set",
                "n",
                "accuracy",
                "macro F1",
                "weighted F1",
                "ROC-AUC",
                "PR-AUC",
                "log loss",
                "Brier",
                "ECE",
                "best thr",
            ]
            .map(String::from)
            .to_vec()
        };
        let metric_row = |name: &str, m: &Metrics| {
            vec![
                name.to_string(),
                m.n.to_string(),
                f(Some(m.accuracy)),
                f(Some(m.macro_f1)),
                f(Some(m.weighted_f1)),
                f(m.positive.roc_auc),
                f(m.positive.pr_auc),
                f(Some(m.positive.log_loss)),
                f(Some(m.positive.brier)),
                f(Some(m.positive.ece)),
                m.positive
                    .best_threshold
                    .as_ref()
                    .map_or("–".into(), |t| format!("{:.2}", t.threshold)),
            ]
        };
        let mut sets: Vec<(String, &SetReport)> = Vec::new();
        if let Some(d) = &self.data {
            sets.push((format!("Data `{}`", d.path), d));
        }
        if let Some(p) = &self.pages {
            sets.push((
                format!(
                    "Page lines `{}` ({} context)",
                    p.lines_report.path,
                    if p.context { "with" } else { "without" }
                ),
                &p.lines_report,
            ));
        }
        for (title, set) in sets {
            let mut t = table(metric_header());
            t.add_row(metric_row("all", &set.metrics));
            for g in &set.groups {
                t.add_row(metric_row(&g.value, &g.metrics));
            }
            section(&title, t.to_string());
            let mut t = table(
                ["label", "precision", "recall", "F1", "support"]
                    .map(String::from)
                    .to_vec(),
            );
            for m in &set.metrics.per_class {
                t.add_row(vec![
                    m.label.clone(),
                    f(Some(m.precision)),
                    f(Some(m.recall)),
                    f(Some(m.f1)),
                    m.support.to_string(),
                ]);
            }
            let mut header = vec!["truth \\ predicted".to_string()];
            header.extend(self.scorer.labels.iter().cloned());
            let mut cm = table(header);
            for (label, row) in self.scorer.labels.iter().zip(&set.metrics.confusion) {
                let mut r = vec![label.clone()];
                r.extend(row.iter().map(u64::to_string));
                cm.add_row(r);
            }
            section("Per class and confusion matrix", format!("{t}\n\n{cm}"));
            if markdown && !set.confidently_wrong.is_empty() {
                let mut t = table(
                    ["#", "truth", "predicted", "p", "fields", "text", "features"]
                        .map(String::from)
                        .to_vec(),
                );
                for w in &set.confidently_wrong {
                    let fields: Vec<String> = w
                        .fields
                        .iter()
                        .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or(&v.to_string())))
                        .collect();
                    let features = w.features.as_ref().map_or(String::new(), |fs| {
                        fs.iter()
                            .map(|c| format!("{} ({:+.2})", c.feature, c.weight))
                            .collect::<Vec<_>>()
                            .join(", ")
                    });
                    t.add_row(vec![
                        w.index.to_string(),
                        w.truth.clone(),
                        w.predicted.clone(),
                        format!("{:.4}", w.confidence),
                        fields.join(" "),
                        w.text
                            .chars()
                            .take(80)
                            .collect::<String>()
                            .replace('|', "\\|"),
                        features.replace('|', "\\|"),
                    ]);
                }
                section("Most confidently wrong", t.to_string());
            }
        }
        if let Some(p) = &self.pages {
            let mut t = table(["figure", "value"].map(String::from).to_vec());
            let rows = [
                ("pages", p.pages.to_string()),
                ("lines", p.lines.to_string()),
                ("line accuracy", f(Some(p.line_accuracy))),
                ("mean page line accuracy", f(Some(p.mean_page_accuracy))),
                (
                    "pages cleaned perfectly",
                    format!(
                        "{} ({:.1}%)",
                        p.perfect_pages,
                        100.0 * p.perfect_pages_share
                    ),
                ),
                (
                    "article chars kept",
                    format!(
                        "{} of {} ({:.2}%)",
                        p.negative_chars_kept,
                        p.negative_chars,
                        100.0 * p.negative_kept_share
                    ),
                ),
                ("article chars lost", p.negative_chars_lost.to_string()),
                (
                    "bait chars surviving",
                    format!(
                        "{} of {} ({:.2}%)",
                        p.positive_chars_survived,
                        p.positive_chars,
                        100.0 * p.positive_survived_share
                    ),
                ),
            ];
            for (k, v) in rows {
                t.add_row(vec![k.to_string(), v]);
            }
            if let Some(b) = &p.repeated_boxes {
                let rows = [
                    (
                        "lines in repeated news boxes",
                        format!("{} on {} pages", b.lines, b.pages),
                    ),
                    (
                        "line accuracy in them",
                        format!("{} ({} right)", f(Some(b.line_accuracy)), b.correct),
                    ),
                    (
                        "line accuracy outside them",
                        format!(
                            "{} ({} of {} right)",
                            f(Some(b.outside_line_accuracy)),
                            b.outside_correct,
                            b.outside_lines
                        ),
                    ),
                ];
                for (k, v) in rows {
                    t.add_row(vec![k.to_string(), v]);
                }
            }
            section("Pages", t.to_string());
            if let Some(c) = &p.cleaning {
                cleaning_tables(&mut section, &table, c, markdown, "Cleaning");
            }
        }
        if let Some(e) = &self.extracted {
            let title = format!(
                "Cleaning by `{}` against `{}` ({} pages missing, {} records unmatched)",
                e.path, e.pages_path, e.missing, e.unmatched
            );
            cleaning_tables(&mut section, &table, &e.cleaning, markdown, &title);
        }
        let fold_table = |folds: &[Fold], summary: &Summary, keys: &[&str]| {
            let mut header = vec!["fold".to_string(), "train".into(), "test".into()];
            header.extend(keys.iter().map(|k| k.to_string()));
            let mut t = table(header);
            for fold in folds {
                let mut r = vec![
                    fold.name.clone(),
                    fold.train.to_string(),
                    fold.test.to_string(),
                ];
                r.extend(keys.iter().map(|k| f(fold.figures.get(*k).copied())));
                t.add_row(r);
            }
            let mut r = vec!["mean ± std".to_string(), String::new(), String::new()];
            r.extend(
                keys.iter()
                    .map(|k| match (summary.mean.get(*k), summary.std.get(*k)) {
                        (Some(m), Some(s)) => format!("{m:.4} ± {s:.4}"),
                        _ => "–".into(),
                    }),
            );
            t.add_row(r);
            t.to_string()
        };
        let data_keys = [
            "accuracy", "macro_f1", "roc_auc", "pr_auc", "log_loss", "ece",
        ];
        if let Some(cv) = &self.cross_validation {
            section(
                &format!(
                    "{}-fold cross-validation on `{}` (seed {})",
                    cv.k, cv.path, cv.seed
                ),
                fold_table(&cv.folds, &cv.summary, &data_keys),
            );
        }
        if let Some(cv) = &self.page_cross_validation {
            let keys = [
                "line_accuracy",
                "box_line_accuracy",
                "outside_box_line_accuracy",
                "perfect_pages_share",
                "negative_kept_share",
                "positive_survived_share",
                "macro_f1",
            ];
            section(
                &format!(
                    "{}-fold cross-validation by page (page i in fold i % {}) on `{}`: {} fitted on the other folds' pages{}, naive Bayes from `{}` (all held-out pages pooled above)",
                    cv.k,
                    cv.k,
                    cv.path,
                    cv.page_layer,
                    extra_pages(&cv.train_pages),
                    cv.naive_bayes
                ),
                fold_table(&cv.with_context, &cv.with_context_summary, &keys),
            );
            section(
                "The same folds without context",
                fold_table(&cv.without_context, &cv.without_context_summary, &keys),
            );
        }
        if let Some(cv) = &self.page_group_cross_validation {
            let keys = [
                "line_accuracy",
                "macro_f1",
                "clean_precision",
                "clean_recall",
                "clean_f1",
                "clean_median_page_f1",
            ];
            section(
                &format!(
                    "Page layer ({}{}) cross-validated by `{}` on `{}`, naive Bayes from `{}` (all held-out pages pooled above)",
                    cv.page_layer,
                    extra_pages(&cv.train_pages),
                    cv.field,
                    cv.path,
                    cv.naive_bayes
                ),
                fold_table(&cv.groups, &cv.summary, &keys),
            );
        }
        if let Some(loo) = &self.leave_one_out {
            section(
                &format!(
                    "Leave one `{}` out on `{}` (mean macro F1 {:.4})",
                    loo.field, loo.path, loo.mean_macro_f1
                ),
                fold_table(&loo.groups, &loo.summary, &data_keys),
            );
        }
        out
    }
}

/// `" and those of FILE, ..."` for the `--train-pages` files, or nothing.
fn extra_pages(files: &[String]) -> String {
    if files.is_empty() {
        String::new()
    } else {
        format!(" and those of `{}`", files.join("`, `"))
    }
}

/// The cleaning tables: all pages, per fold, and (in Markdown) per site.
fn cleaning_tables(
    section: &mut dyn FnMut(&str, String),
    table: &dyn Fn(Vec<String>) -> Table,
    c: &Cleaning,
    markdown: bool,
    title: &str,
) {
    let header = |first: &str| {
        let mut h = vec![first.to_string()];
        h.extend(["pages", "precision", "recall", "F1", "median page F1"].map(String::from));
        h
    };
    let row = |name: &str, f: &CleaningFigures| {
        vec![
            name.to_string(),
            f.pages.to_string(),
            format!("{:.4}", f.precision),
            format!("{:.4}", f.recall),
            format!("{:.4}", f.f1),
            format!("{:.4}", f.median_page_f1),
        ]
    };
    let sources: Vec<String> = c
        .reference_sources
        .iter()
        .map(|(k, v)| format!("{v} from {k}"))
        .collect();
    let mut t = table(header("set"));
    t.add_row(row("all", &c.all));
    section(
        &format!(
            "{title}: kept text against the reference by character {}-grams (references: {})",
            c.gram,
            sources.join(", ")
        ),
        t.to_string(),
    );
    if !c.per_fold.is_empty() {
        let mut t = table(header("fold"));
        c.per_fold.iter().for_each(|g| {
            t.add_row(row(&g.value, &g.figures));
        });
        section(&format!("{title} per fold"), t.to_string());
    }
    if markdown && !c.per_site.is_empty() {
        let mut t = table(header("site"));
        c.per_site.iter().for_each(|g| {
            t.add_row(row(&g.value, &g.figures));
        });
        section(&format!("{title} per site"), t.to_string());
    }
}
