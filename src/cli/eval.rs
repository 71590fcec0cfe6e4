//! Evaluation runs behind `newsbait-eval`: scoring a labelled file or whole
//! pages with a model or a prediction file, stratified k-fold
//! cross-validation, cross-validation by page of the page-context model, and
//! leave-one-group-out.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressStyle};
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::cli::flags::{ContextFlags, TrainingFlags};
use crate::cli::pages::{
    BoxBreakdown, EvalPage, References, labelled_pages, read_eval_pages, read_extracted,
    read_references, repeated_news_boxes, score_cleaning,
};
use crate::cli::report::{
    CrossValidation, ExampleInfo, ExtractedReport, Fold, LeaveOneOut, Metrics, PageCrossValidation,
    PageGroupCrossValidation, PagesReport, Report, ReportOptions, Scored, Scorer, Summary,
    pages_report, set_report,
};
use crate::data::{Example, LabelledPage, OnInvalid, read_examples};
use crate::error::{Error, Result};
use crate::model::{Model, ModelSettings};

/// Evaluate a newsbait model (or another tool's predictions) on labelled
/// paragraphs or whole pages, and write a report: JSON (schema
/// `newsbait-report/1`, see docs/report-schema.md), Markdown and SVG
/// pictures (PR and ROC curves, reliability diagram, confusion matrix).
#[derive(clap::Parser, Debug, Clone)]
#[command(
    name = "newsbait-eval",
    version,
    group(clap::ArgGroup::new("input").args(["data", "pages"]).required(true).multiple(true)),
    max_term_width = 100,
    // The examples are part of the template, which clap does not wrap: a
    // command is never cut in two.
    help_template = "{before-help}{about-with-newline}\n{usage-heading} {usage}\n\n{all-args}{after-help}\n\nExamples:\n  \
        newsbait-eval --data ../shared/corpus/test.jsonl --out target/reports/test\n  \
        newsbait-eval --pages ../shared/corpus/pages/netease.jsonl [--no-context]\n  \
        newsbait-eval --data ../shared/corpus/train.jsonl --cv 5\n  \
        newsbait-eval --data ../shared/corpus/train.jsonl --leave-one-out source\n  \
        newsbait-eval --pages ../shared/corpus/pages/netease.jsonl --cv 5 --train-pages ../shared/corpus/pages/daniel.jsonl\n  \
        newsbait-eval --data ../shared/corpus/test.jsonl --predictions target/peers/fasttext/test.jsonl"
)]
pub struct EvalArgs {
    /// Model file [default: the model shipped inside this binary].
    #[arg(long, short, conflicts_with = "predictions")]
    pub model: Option<PathBuf>,
    /// Labelled paragraphs (JSONL with label, text and fields such as source;
    /// or TSV / fastText lines).
    #[arg(long, short)]
    pub data: Option<PathBuf>,
    /// Whole pages, one JSON object a line, text form (`{"page", "lines":
    /// [{"label", "text"}], "site"?, "fold"?, "reference"?}`) or HTML form
    /// (`{"page", "site", "fold", "html", "reference"}`): per-page line
    /// accuracy, what cleaning keeps and loses, and the cleaning score
    /// (kept text against each page's reference by character 6-grams).
    #[arg(long)]
    pub pages: Option<PathBuf>,
    /// References for the --pages (JSONL `{"page", "reference"}`, such as
    /// daniel-html.jsonl for daniel.jsonl): a page listed here is scored
    /// against this reference, else against its own `reference` field, else
    /// against its news lines joined.
    #[arg(long, requires = "pages", value_name = "FILE")]
    pub reference: Option<PathBuf>,
    /// Another tool's kept text of the --pages (JSONL `{"page", "text"}`):
    /// score it against the pages' references with the same code.
    #[arg(long, requires = "pages", value_name = "FILE",
          conflicts_with_all = ["predictions", "cv", "cv_by", "data", "model", "train"])]
    pub extracted: Option<PathBuf>,
    /// Cross-validate the page model by this field of the --pages (`fold`,
    /// `site`): for each value, fit it on the other values' pages (the naive
    /// Bayes stays that of --train or --model; text pages fit the text weight
    /// set, HTML pages the HTML set) and score that value's pages.
    #[arg(long, value_name = "FIELD", requires = "pages", conflicts_with_all = ["predictions", "cv", "no_context"])]
    pub cv_by: Option<String>,
    /// Directory for report.json, report.md and the SVG pictures
    /// [default: print the summary only].
    #[arg(long, short)]
    pub out: Option<PathBuf>,
    /// Probabilities from another tool instead of a model: JSONL, one line per
    /// example of --data (or per line of the --pages, in page order), each
    /// `{"probs": {"news": p, "clickbait": q}}`; or newsbait-classify's own
    /// `-f jsonl` output, one prediction a paragraph, in order.
    #[arg(long, conflicts_with_all = ["cv", "leave_one_out"])]
    pub predictions: Option<PathBuf>,
    /// The positive class of ROC, PR, calibration and threshold figures.
    #[arg(long, default_value = "clickbait")]
    pub positive: String,
    /// Break every figure down by this field of the data.
    #[arg(long, default_value = "source")]
    pub group_by: String,
    /// Score page lines each on their own, without page context.
    #[arg(long)]
    pub no_context: bool,
    /// K-fold cross-validation: stratified on --data, or by page on --pages
    /// (page i in fold i % K; the page model, and the HMM, fitted on the
    /// other folds' pages and the --train-pages).
    #[arg(long, value_name = "K")]
    pub cv: Option<usize>,
    /// Seed of the fold shuffle of --data.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Train on all groups of this field of --data but one, test on that one,
    /// for every value.
    #[arg(long, value_name = "FIELD")]
    pub leave_one_out: Option<String>,
    /// With --pages --cv: train the naive Bayes on this file (with the
    /// training flags) [default: the naive Bayes of --model].
    #[arg(long, requires = "pages")]
    pub train: Option<PathBuf>,
    /// With --cv or --cv-by: labelled pages (either page form; repeatable)
    /// that are on the training side of every fold, beside the other folds'
    /// --pages (such as daniel.jsonl when cross-validating netease.jsonl, as
    /// the shipped model learns from both).
    #[arg(long, value_name = "FILE")]
    pub train_pages: Vec<PathBuf>,
    /// With --pages --cv: fit the page-context HMM alone on each fold, not
    /// the page model (the behaviour of format-4 models).
    #[arg(long)]
    pub no_page_model: bool,
    /// Calibrate every model trained here (cross-validation, leave-one-out,
    /// --train) on this held-out file, as newsbait-train --calibrate does.
    #[arg(long)]
    pub calibrate: Option<PathBuf>,
    /// How many confidently wrong examples the report keeps.
    #[arg(long, default_value_t = 20)]
    pub worst: usize,
    /// Format of --data [default: from the file extension, else sniffed].
    #[arg(long, value_enum)]
    pub format: Option<crate::cli::flags::DataFormatArg>,
    /// What to do with lines that cannot be read (not UTF-8 text, binary junk,
    /// malformed records): skip them with a warning on stderr, or stop.
    #[arg(long, value_enum, default_value_t = OnInvalid::default().into())]
    pub on_invalid: crate::cli::flags::OnInvalidArg,
    /// Hide progress bars.
    #[arg(long, short)]
    pub quiet: bool,
    /// Number of threads [default: all cores].
    #[arg(long)]
    pub threads: Option<usize>,
    #[command(flatten)]
    pub training: TrainingFlags,
    #[command(flatten)]
    pub context: ContextFlags,
}

fn bar(len: usize, what: &str, show: bool) -> ProgressBar {
    if !show {
        return ProgressBar::hidden();
    }
    ProgressBar::new(len as u64).with_style(
        ProgressStyle::with_template(&format!(
            "{what} {{bar:40}} {{pos}}/{{len}} {{msg}} ({{elapsed}}, eta {{eta}})"
        ))
        .expect("valid template"),
    )
}

/// Runs what `args` asks for and returns the report.
pub fn run(args: &EvalArgs) -> Result<Report> {
    let options = ReportOptions {
        positive: args.positive.clone(),
        group_by: args.group_by.clone(),
        worst: args.worst,
        progress: !args.quiet,
        ..ReportOptions::default()
    };
    if args.cv.is_some() && args.data.is_some() && args.pages.is_some() {
        return Err(Error::Settings(
            "--cv with both --data and --pages is ambiguous: cross-validate paragraphs with --data, \
             or pages with --pages (and --train for the naive Bayes)"
                .into(),
        ));
    }
    if let Some(path) = &args.predictions {
        return run_predictions(args, path, &options);
    }
    if let (Some(path), Some(pages_path)) = (&args.extracted, &args.pages) {
        return run_extracted(args, path, pages_path, &options);
    }
    let model = match &args.model {
        Some(path) => Model::load(path)?,
        None => Model::shipped()?,
    };
    let model_path = args
        .model
        .as_ref()
        .map_or("<shipped model>".to_string(), |p| p.display().to_string());
    let mut report = Report::new(
        Scorer {
            kind: "model".into(),
            path: model_path,
            labels: model.labels.iter().map(|l| l.0.clone()).collect(),
            temperature: Some(model.temperature),
            has_context: Some(model.context.is_some()),
        },
        &options,
    );
    let calibration = match &args.calibrate {
        Some(path) => Some(read_examples(path, None, args.on_invalid.into())?.examples),
        None => None,
    };
    let trainer = |examples: &[Example], path: &Path| -> Result<Model> {
        let settings = args.training.settings()?;
        let mut model = crate::train::train(examples, path, &settings, &|_| {})?;
        if let Some(held_out) = &calibration {
            crate::train::calibrate(&mut model, held_out);
        }
        Ok(model)
    };

    if let Some(data_path) = &args.data {
        let data = read_examples(
            data_path,
            args.format.map(Into::into),
            args.on_invalid.into(),
        )?
        .examples;
        if let Some(k) = args.cv {
            let settings = args.training.settings()?;
            report.cross_validation = Some(cross_validate(
                &data,
                data_path,
                k,
                args.seed,
                &settings,
                &|ex| trainer(ex, data_path),
                &options,
            )?);
        }
        if let Some(field) = &args.leave_one_out {
            let settings = args.training.settings()?;
            report.leave_one_out = Some(leave_one_out(
                &data,
                data_path,
                field,
                &settings,
                &|ex| trainer(ex, data_path),
                &options,
            )?);
        }
        if args.cv.is_none() && args.leave_one_out.is_none() {
            report.data = Some(evaluate_examples(&model, &data, data_path, &options)?);
        }
    }
    if let Some(pages_path) = &args.pages {
        let (eval_pages, refs) = read_pages_and_references(args, pages_path)?;
        let pages = labelled_pages(&eval_pages, &refs)?;
        let base = |report: &Report| -> Result<(Model, String)> {
            Ok(match &args.train {
                Some(path) => {
                    let ex =
                        read_examples(path, args.format.map(Into::into), args.on_invalid.into())?
                            .examples;
                    eprintln!("training the naive Bayes on {}", path.display());
                    (trainer(&ex, path)?, path.display().to_string())
                }
                None => (model.clone(), report.scorer.path.clone()),
            })
        };
        let extra = read_train_pages(args, &pages)?;
        let params = crate::page::PageParams::default();
        if let Some(k) = args.cv {
            let (base, source) = base(&report)?;
            let markers = args.context.markers()?;
            let fit = |base: &Model, train: &[LabelledPage]| -> Result<Model> {
                let mut model = base.clone();
                crate::train::learn_context(&mut model, train, pages_path, markers.clone())?;
                if !args.no_page_model {
                    crate::train::learn_page_model(&mut model, train, pages_path, &params)?;
                }
                Ok(model)
            };
            let layer = if args.no_page_model {
                HMM_LAYER
            } else {
                PAGE_LAYER
            };
            let (pooled, mut cv) = cross_validate_pages(
                &base,
                source,
                &eval_pages,
                &pages,
                &refs,
                pages_path,
                k,
                (layer, &fit, &extra),
                &options,
            )?;
            cv.train_pages = names(&args.train_pages);
            report.pages = Some(pooled);
            report.page_cross_validation = Some(cv);
        } else if let Some(field) = &args.cv_by {
            let (base, source) = base(&report)?;
            let fit = |base: &Model, train: &[LabelledPage]| -> Result<Model> {
                let mut model = base.clone();
                crate::train::learn_page_model(&mut model, train, pages_path, &params)?;
                Ok(model)
            };
            let (pooled, mut cv) = cross_validate_pages_by(
                &base,
                source,
                &eval_pages,
                &pages,
                &refs,
                pages_path,
                field,
                (PAGE_LAYER, &fit, &extra),
                &options,
            )?;
            cv.train_pages = names(&args.train_pages);
            report.pages = Some(pooled);
            report.page_group_cross_validation = Some(cv);
        } else {
            let (mut r, scored, positive) =
                evaluate_pages_scored(&model, &pages, pages_path, !args.no_context, &options)?;
            add_cleaning(&mut r, &eval_pages, &refs, &pages, &scored, positive);
            add_boxes(&mut r, &repeated_news_boxes(&pages), &scored);
            report.pages = Some(r);
        }
    }
    Ok(report)
}

fn positive_index(labels: &[String], positive: &str, what: &str) -> Result<usize> {
    labels.iter().position(|l| l == positive).ok_or_else(|| {
        Error::Settings(format!(
            "--positive {positive:?} is not one of the labels of {what} ({}); pass --positive with one of them",
            labels.join(", ")
        ))
    })
}

fn truth_index(model_labels: &[String], label: &str, path: &Path, record: usize) -> Result<usize> {
    model_labels.iter().position(|l| l == label).ok_or_else(|| {
        Error::parse(
            path,
            record,
            format!(
                "label {label:?} (record {record}) is not one of the scorer's labels ({})",
                model_labels.join(", ")
            ),
        )
    })
}

fn label_names(model: &Model) -> Vec<String> {
    model.labels.iter().map(|l| l.0.clone()).collect()
}

/// Scores every example with `model` and reports on them.
pub fn evaluate_examples(
    model: &Model,
    examples: &[Example],
    path: &Path,
    options: &ReportOptions,
) -> Result<crate::cli::report::SetReport> {
    let labels = label_names(model);
    let positive = positive_index(&labels, &options.positive, "the model")?;
    let scored = score_examples(model, examples, path)?;
    let info: Vec<ExampleInfo> = examples
        .iter()
        .map(|e| ExampleInfo {
            text: &e.text,
            fields: &e.fields,
        })
        .collect();
    let explain =
        |i: usize, label: usize| model.explain(&examples[i].text, label, options.explain_top);
    Ok(set_report(
        path,
        &labels,
        positive,
        &info,
        &scored,
        options,
        Some(&explain),
    ))
}

/// Each example's probabilities under `model`, paragraph by paragraph.
pub fn score_examples(model: &Model, examples: &[Example], path: &Path) -> Result<Vec<Scored>> {
    let labels = label_names(model);
    let truths = examples
        .iter()
        .enumerate()
        .map(|(i, e)| truth_index(&labels, &e.label.0, path, i + 1))
        .collect::<Result<Vec<_>>>()?;
    Ok(examples
        .par_iter()
        .zip(truths)
        .map(|(e, t)| Scored::new(t, model.predict(&e.text).probs.into_vec()))
        .collect())
}

/// Classifies every page as a document and reports on lines and pages.
pub fn evaluate_pages(
    model: &Model,
    pages: &[LabelledPage],
    path: &Path,
    context: bool,
    options: &ReportOptions,
) -> Result<PagesReport> {
    Ok(evaluate_pages_scored(model, pages, path, context, options)?.0)
}

/// [`evaluate_pages`], with every line's score and the positive class.
fn evaluate_pages_scored(
    model: &Model,
    pages: &[LabelledPage],
    path: &Path,
    context: bool,
    options: &ReportOptions,
) -> Result<(PagesReport, Vec<Scored>, usize)> {
    let labels = label_names(model);
    let positive = positive_index(&labels, &options.positive, "the model")?;
    let scored = score_pages(model, pages, path, context)?;
    let explain = |i: usize, label: usize| {
        let text = page_lines(pages).nth(i).map_or("", |(_, t)| t);
        model.explain(text, label, options.explain_top)
    };
    let report = pages_from_scores(
        pages,
        path,
        &labels,
        positive,
        &scored,
        context,
        options,
        Some(&explain),
    );
    Ok((report, scored, positive))
}

fn page_lines(pages: &[LabelledPage]) -> impl Iterator<Item = (&str, &str)> {
    pages.iter().flat_map(|p| {
        p.lines
            .iter()
            .map(move |l| (p.page.as_str(), l.text.as_str()))
    })
}

fn score_pages(
    model: &Model,
    pages: &[LabelledPage],
    path: &Path,
    context: bool,
) -> Result<Vec<Scored>> {
    let labels = label_names(model);
    let scored: Vec<Vec<Scored>> = pages
        .par_iter()
        .enumerate()
        .map(|(i, page)| {
            let texts: Vec<&str> = page.lines.iter().map(|l| l.text.as_str()).collect();
            let context = crate::cli::flags::context(context);
            let predictions = match &page.layout {
                Some(layout) => model.classify_html(&texts, layout, context),
                None => model.classify(&texts, context),
            };
            page.lines
                .iter()
                .zip(predictions)
                .map(|(line, p)| {
                    Ok(Scored::new(
                        truth_index(&labels, &line.label.0, path, i + 1)?,
                        p.probs.into_vec(),
                    ))
                })
                .collect::<Result<Vec<_>>>()
        })
        .collect::<Result<_>>()?;
    Ok(scored.into_iter().flatten().collect())
}

#[allow(clippy::too_many_arguments)]
fn pages_from_scores(
    pages: &[LabelledPage],
    path: &Path,
    labels: &[String],
    positive: usize,
    scored: &[Scored],
    context: bool,
    options: &ReportOptions,
    explain: Option<&dyn Fn(usize, usize) -> Vec<crate::model::Contribution>>,
) -> PagesReport {
    let fields: Vec<Map<String, Value>> = pages
        .iter()
        .flat_map(|p| {
            p.lines.iter().enumerate().map(|(i, _)| {
                let mut m = Map::new();
                m.insert("page".into(), Value::String(p.page.clone()));
                m.insert("line".into(), Value::from(i + 1));
                m
            })
        })
        .collect();
    let info: Vec<ExampleInfo> = page_lines(pages)
        .zip(&fields)
        .map(|((_, text), fields)| ExampleInfo { text, fields })
        .collect();
    let lines_report = set_report(path, labels, positive, &info, scored, options, explain);
    let texts: Vec<(String, Vec<&str>)> = pages
        .iter()
        .map(|p| {
            (
                p.page.clone(),
                p.lines.iter().map(|l| l.text.as_str()).collect(),
            )
        })
        .collect();
    pages_report(&texts, scored, positive, context, lines_report)
}

/// One line of a prediction file: one prediction (`probs`, optionally the
/// true `label`), or one document as `newsbait-classify -f jsonl` writes it,
/// whose `paragraphs[].probs` are predictions in order (their `label` is the
/// predicted one, not a truth).
#[derive(Deserialize)]
struct PredictionLine {
    probs: Option<BTreeMap<String, f64>>,
    /// The true label, when the writer recorded it: checked against the data.
    label: Option<String>,
    paragraphs: Option<Vec<ParagraphPrediction>>,
}

/// A paragraph of a `newsbait-classify -f jsonl` record.
#[derive(Deserialize)]
struct ParagraphPrediction {
    probs: BTreeMap<String, f64>,
}

/// How far outside [0, 1] a probability may stray before it is an error
/// (fastText's smoothing gives 1.00001); such values are clamped.
const PROBABILITY_SLACK: f64 = 1e-3;

/// A prediction file's labels, its probabilities, and the true label of
/// each line where the file gives one.
pub type Predictions = (Vec<String>, Vec<Vec<f64>>, Vec<Option<String>>);

/// Reads a prediction file: the labels (sorted, as a newsbait model orders
/// them) and, per prediction, the probability of each and the optional true
/// label. A line is one prediction (`{"probs": {label: p, ...}}`) or a
/// document of `newsbait-classify -f jsonl` (`{"paragraphs": [{"probs": ...},
/// ...]}`), one prediction a paragraph, in order.
pub fn read_predictions(path: &Path) -> Result<Predictions> {
    let mut labels: Option<Vec<String>> = None;
    let mut rows = Vec::new();
    let mut truths = Vec::new();
    crate::data::for_each_line(
        path,
        crate::data::open(path)?,
        OnInvalid::Error,
        |n, line| {
            if line.trim().is_empty() {
                return Ok(());
            }
            let parsed: PredictionLine = serde_json::from_str(line).map_err(|e| {
                Error::parse(
                    path,
                    n,
                    format!("not a prediction (`{{\"probs\": {{label: p, ...}}}}`): {e}"),
                )
            })?;
            let predictions: Vec<(BTreeMap<String, f64>, Option<String>)> =
                match (parsed.probs, parsed.paragraphs) {
                    (Some(probs), _) => vec![(probs, parsed.label)],
                    (None, Some(paragraphs)) => {
                        paragraphs.into_iter().map(|p| (p.probs, None)).collect()
                    }
                    (None, None) => {
                        return Err(Error::parse(
                            path,
                            n,
                            "not a prediction: no \"probs\" (`{\"probs\": {label: p, ...}}`) \
                             and no \"paragraphs\" (a record of newsbait-classify -f jsonl)",
                        ));
                    }
                };
            for (probs, truth) in predictions {
                let these: Vec<String> = probs.keys().cloned().collect();
                match &labels {
                    None => {
                        if these.len() < 2 {
                            return Err(Error::parse(
                                path,
                                n,
                                "\"probs\" needs at least two labels",
                            ));
                        }
                        labels = Some(these);
                    }
                    Some(l) if *l != these => {
                        return Err(Error::parse(
                            path,
                            n,
                            format!("labels {these:?} differ from the first line's {l:?}"),
                        ));
                    }
                    Some(_) => {}
                }
                if let Some((label, p)) = probs.iter().find(|(_, p)| {
                    !(p.is_finite() && (-PROBABILITY_SLACK..=1.0 + PROBABILITY_SLACK).contains(*p))
                }) {
                    return Err(Error::parse(
                        path,
                        n,
                        format!("the probability of {label:?} is {p}, not in [0, 1]"),
                    ));
                }
                rows.push(probs.into_values().map(|p| p.clamp(0.0, 1.0)).collect());
                truths.push(truth);
            }
            Ok(())
        },
    )?;
    let labels = labels.ok_or_else(|| Error::parse(path, 1, "no predictions in the file"))?;
    Ok((labels, rows, truths))
}

fn run_predictions(args: &EvalArgs, path: &Path, options: &ReportOptions) -> Result<Report> {
    let (labels, rows, truths) = read_predictions(path)?;
    // Where the file names each line's truth, it must be the data's, line by line.
    let line_up = |i: usize, truth: &str, of: &Path| match truths.get(i) {
        Some(Some(t)) if t != truth => Err(Error::parse(
            path,
            i + 1,
            format!(
                "this prediction is for a {t:?} example, but example {} of {} is {truth:?}: \
                 the prediction file does not line up with the data",
                i + 1,
                of.display()
            ),
        )),
        _ => Ok(()),
    };
    let positive = positive_index(&labels, &options.positive, &path.display().to_string())?;
    let mut report = Report::new(
        Scorer {
            kind: "predictions".into(),
            path: path.display().to_string(),
            labels: labels.clone(),
            temperature: None,
            has_context: None,
        },
        options,
    );
    let count_check = |expected: usize, of: &Path, what: &str| {
        if rows.len() == expected {
            Ok(())
        } else {
            Err(Error::parse(
                path,
                rows.len().min(expected) + 1,
                format!(
                    "{} predictions for {expected} {what} of {}; a prediction file has one line per {what} in order",
                    rows.len(),
                    of.display()
                ),
            ))
        }
    };
    match (&args.data, &args.pages) {
        (Some(data_path), None) => {
            let data = read_examples(
                data_path,
                args.format.map(Into::into),
                args.on_invalid.into(),
            )?
            .examples;
            count_check(data.len(), data_path, "example")?;
            let scored = data
                .iter()
                .zip(rows)
                .enumerate()
                .map(|(i, (e, probs))| {
                    line_up(i, &e.label.0, data_path)?;
                    Ok(Scored::new(
                        truth_index(&labels, &e.label.0, data_path, i + 1)?,
                        probs,
                    ))
                })
                .collect::<Result<Vec<_>>>()?;
            let info: Vec<ExampleInfo> = data
                .iter()
                .map(|e| ExampleInfo {
                    text: &e.text,
                    fields: &e.fields,
                })
                .collect();
            report.data = Some(set_report(
                data_path, &labels, positive, &info, &scored, options, None,
            ));
        }
        (None, Some(pages_path)) => {
            let (eval_pages, refs) = read_pages_and_references(args, pages_path)?;
            let pages = labelled_pages(&eval_pages, &refs)?;
            let n: usize = pages.iter().map(|p| p.lines.len()).sum();
            count_check(n, pages_path, "page line")?;
            let mut rows = rows.into_iter();
            let mut scored = Vec::with_capacity(n);
            for (i, page) in pages.iter().enumerate() {
                for line in &page.lines {
                    line_up(scored.len(), &line.label.0, pages_path)?;
                    let probs = rows.next().expect("counted above");
                    scored.push(Scored::new(
                        truth_index(&labels, &line.label.0, pages_path, i + 1)?,
                        probs,
                    ));
                }
            }
            let mut r = pages_from_scores(
                &pages,
                pages_path,
                &labels,
                positive,
                &scored,
                !args.no_context,
                options,
                None,
            );
            add_cleaning(&mut r, &eval_pages, &refs, &pages, &scored, positive);
            add_boxes(&mut r, &repeated_news_boxes(&pages), &scored);
            report.pages = Some(r);
        }
        _ => {
            return Err(Error::Settings(
                "--predictions scores exactly one of --data or --pages".into(),
            ));
        }
    }
    Ok(report)
}

/// Stratified k-fold split: the test indices of each fold. Each key's
/// examples are shuffled with `seed` and dealt round the folds in turn, so
/// the folds partition `0..keys.len()`, their sizes differ by at most one and
/// each key's count in a fold differs by at most one from any other fold.
pub fn stratified_folds<K: Ord>(keys: &[K], k: usize, seed: u64) -> Result<Vec<Vec<usize>>> {
    if k < 2 || k > keys.len() {
        return Err(Error::Settings(format!(
            "--cv needs 2 <= K <= the number of examples ({}), got {k}",
            keys.len()
        )));
    }
    let mut by_key: BTreeMap<&K, Vec<usize>> = BTreeMap::new();
    for (i, key) in keys.iter().enumerate() {
        by_key.entry(key).or_default().push(i);
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut folds = vec![Vec::new(); k];
    let mut next = 0;
    for (_, mut idx) in by_key {
        idx.shuffle(&mut rng);
        for i in idx {
            folds[next % k].push(i);
            next += 1;
        }
    }
    folds.iter_mut().for_each(|f| f.sort_unstable());
    Ok(folds)
}

fn complement(n: usize, test: &[usize]) -> Vec<usize> {
    let mut is_test = vec![false; n];
    test.iter().for_each(|&i| is_test[i] = true);
    (0..n).filter(|&i| !is_test[i]).collect()
}

fn subset(examples: &[Example], idx: &[usize]) -> Vec<Example> {
    idx.iter().map(|&i| examples[i].clone()).collect()
}

fn settings_json(settings: &ModelSettings) -> Value {
    serde_json::to_value(settings).expect("settings serialise")
}

/// Figures of `model` on the examples at `test`.
fn fold_figures(
    model: &Model,
    examples: &[Example],
    test: &[usize],
    path: &Path,
    positive: &str,
) -> Result<BTreeMap<String, f64>> {
    let labels = label_names(model);
    let pos = positive_index(&labels, positive, "the trained model")?;
    let test_examples = subset(examples, test);
    let scored = score_examples(model, &test_examples, path)?;
    Ok(Metrics::compute(&labels, pos, &scored, false).figures())
}

/// Stratified k-fold cross-validation: trains with `trainer` on k - 1 folds,
/// tests on the last, for each fold.
pub fn cross_validate(
    examples: &[Example],
    path: &Path,
    k: usize,
    seed: u64,
    settings: &ModelSettings,
    trainer: &dyn Fn(&[Example]) -> Result<Model>,
    options: &ReportOptions,
) -> Result<CrossValidation> {
    let labels: Vec<&str> = examples.iter().map(|e| e.label.0.as_str()).collect();
    let folds_idx = stratified_folds(&labels, k, seed)?;
    let progress = bar(k, "cross-validation", options.progress);
    let mut folds = Vec::with_capacity(k);
    for (f, test) in folds_idx.iter().enumerate() {
        progress.set_message(format!("training fold {}", f + 1));
        let train = complement(examples.len(), test);
        let model = trainer(&subset(examples, &train))?;
        progress.set_message(format!("testing fold {}", f + 1));
        folds.push(Fold {
            name: (f + 1).to_string(),
            train: train.len(),
            test: test.len(),
            figures: fold_figures(&model, examples, test, path, &options.positive)?,
        });
        progress.inc(1);
    }
    progress.finish_and_clear();
    let summary = Summary::of(&folds);
    Ok(CrossValidation {
        path: path.display().to_string(),
        k,
        seed,
        settings: settings_json(settings),
        folds,
        summary,
    })
}

/// The groups of leave-one-out: per value of `field` (sorted; examples
/// without it form the group [`crate::cli::report::MISSING_GROUP`]), the training
/// indices (every other group) and the test indices (this group).
pub fn leave_one_out_splits(
    examples: &[Example],
    field: &str,
) -> Vec<(String, Vec<usize>, Vec<usize>)> {
    let mut by_value: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, e) in examples.iter().enumerate() {
        by_value
            .entry(e.field(field).unwrap_or(crate::cli::report::MISSING_GROUP))
            .or_default()
            .push(i);
    }
    by_value
        .into_iter()
        .map(|(value, test)| {
            let train = complement(examples.len(), &test);
            (value.to_string(), train, test)
        })
        .collect()
}

/// Leave-one-group-out over the values of `field`.
pub fn leave_one_out(
    examples: &[Example],
    path: &Path,
    field: &str,
    settings: &ModelSettings,
    trainer: &dyn Fn(&[Example]) -> Result<Model>,
    options: &ReportOptions,
) -> Result<LeaveOneOut> {
    let splits = leave_one_out_splits(examples, field);
    if splits.len() < 2 {
        return Err(Error::Settings(format!(
            "--leave-one-out {field}: the data has {} value(s) of {field:?}; leave-one-out needs at least two",
            splits.len()
        )));
    }
    let progress = bar(splits.len(), "leave-one-out", options.progress);
    let mut groups = Vec::with_capacity(splits.len());
    for (value, train, test) in &splits {
        progress.set_message(format!("held out: {value}"));
        let model = trainer(&subset(examples, train))?;
        groups.push(Fold {
            name: value.clone(),
            train: train.len(),
            test: test.len(),
            figures: fold_figures(&model, examples, test, path, &options.positive)?,
        });
        progress.inc(1);
    }
    progress.finish_and_clear();
    let summary = Summary::of(&groups);
    Ok(LeaveOneOut {
        path: path.display().to_string(),
        field: field.to_string(),
        settings: settings_json(settings),
        mean_macro_f1: summary.mean.get("macro_f1").copied().unwrap_or(0.0),
        groups,
        summary,
    })
}

/// Cross-validation by page: page `i` of the file is in fold `i % k` (fold
/// names `0` to `k - 1`); for each fold the page layer is fitted by `fit` on
/// the other folds' pages and the extra pages on top of `base`'s naive Bayes,
/// and the fold's pages are scored with it and, for comparison, each line on
/// its own. Returns the report of every held-out page pooled (with the
/// cleaning score and the repeated boxes) and the per-fold figures.
#[allow(clippy::too_many_arguments)]
pub fn cross_validate_pages(
    base: &Model,
    naive_bayes: String,
    eval_pages: &[EvalPage],
    pages: &[LabelledPage],
    refs: &References,
    path: &Path,
    k: usize,
    layer: PageLayer,
    options: &ReportOptions,
) -> Result<(PagesReport, PageCrossValidation)> {
    if k < 2 || k > pages.len() {
        return Err(Error::Settings(format!(
            "--cv needs 2 <= K <= the number of pages ({}), got {k}",
            pages.len()
        )));
    }
    let groups: Vec<(String, Vec<usize>)> = (0..k)
        .map(|f| (f.to_string(), (f..pages.len()).step_by(k).collect()))
        .collect();
    let name = layer.0.to_string();
    let run = held_out_groups(
        base, eval_pages, pages, refs, path, &groups, layer, true, options,
    )?;
    Ok((
        run.pooled,
        PageCrossValidation {
            path: path.display().to_string(),
            k,
            naive_bayes,
            page_layer: name,
            train_pages: Vec::new(),
            with_context_summary: Summary::of(&run.with),
            without_context_summary: Summary::of(&run.without),
            with_context: run.with,
            without_context: run.without,
        },
    ))
}

/// What `--cv-by` fits on the training groups' pages: the page model, its
/// text weight set from the text pages, its HTML set from the HTML pages.
pub const PAGE_LAYER: &str = "page model (learn_page_model)";

/// What `--cv --no-page-model` fits: the page-context HMM alone.
pub const HMM_LAYER: &str = "page-context HMM (learn_context)";

/// Fits the page layer on labelled pages on top of a model's naive Bayes and
/// returns the model to score held-out pages with: the one call a new page
/// model swaps in.
pub type FitPageLayer<'a> = dyn Fn(&Model, &[LabelledPage]) -> Result<Model> + 'a;

/// A page layer to cross-validate: its name, how it is fitted, and the pages
/// that are on the training side of every fold (`--train-pages`).
pub type PageLayer<'a> = (&'a str, &'a FitPageLayer<'a>, &'a [LabelledPage]);

/// The file names, as the reports give them.
fn names(paths: &[PathBuf]) -> Vec<String> {
    paths.iter().map(|p| p.display().to_string()).collect()
}

/// Reads `--train-pages`. A page whose id and form (text or HTML) are those
/// of a page of `pages` is an error: it would train on a page it tests.
fn read_train_pages(args: &EvalArgs, pages: &[LabelledPage]) -> Result<Vec<LabelledPage>> {
    let tested: std::collections::HashSet<(&str, bool)> = pages
        .iter()
        .map(|p| (p.page.as_str(), p.layout.is_some()))
        .collect();
    let mut out = Vec::new();
    for path in &args.train_pages {
        let extra = crate::cli::pages::read_labelled_pages(path, args.on_invalid.into())?;
        if let Some(p) = extra
            .iter()
            .find(|p| tested.contains(&(p.page.as_str(), p.layout.is_some())))
        {
            return Err(Error::Settings(format!(
                "--train-pages {}: page {:?} is also one of the --pages, which cross-validation tests",
                path.display(),
                p.page
            )));
        }
        out.extend(extra);
    }
    Ok(out)
}

fn read_pages_and_references(
    args: &EvalArgs,
    pages_path: &Path,
) -> Result<(Vec<EvalPage>, References)> {
    let pages = read_eval_pages(pages_path, args.on_invalid.into())?;
    let file = match &args.reference {
        Some(path) => Some(read_references(path, args.on_invalid.into())?),
        None => None,
    };
    let refs = References::resolve(&pages, file.as_ref());
    Ok((pages, refs))
}

/// The kept text of each page: its lines not predicted positive, joined by
/// newlines (`scored` holds every line of `pages` in order).
fn kept_texts(pages: &[LabelledPage], scored: &[Scored], positive: usize) -> Vec<Option<String>> {
    let mut at = 0;
    pages
        .iter()
        .map(|p| {
            let kept: Vec<&str> = p
                .lines
                .iter()
                .zip(&scored[at..at + p.lines.len()])
                .filter(|(_, s)| s.pred != positive)
                .map(|(l, _)| l.text.as_str())
                .collect();
            at += p.lines.len();
            Some(kept.join("\n"))
        })
        .collect()
}

/// Adds the cleaning score to a page report made from `pages` (the lines of
/// `eval_pages`, in order; `scored` holds their scores).
fn add_cleaning(
    report: &mut PagesReport,
    eval_pages: &[EvalPage],
    refs: &References,
    pages: &[LabelledPage],
    scored: &[Scored],
    positive: usize,
) {
    let kept = kept_texts(pages, scored, positive);
    let idx: Vec<usize> = (0..eval_pages.len()).collect();
    report.cleaning = Some(score_cleaning(eval_pages, refs, &idx, &kept));
}

/// Adds the line accuracy inside and outside the repeated news boxes to a
/// page report (`boxes` flags the lines of its pages, `scored` scores them).
fn add_boxes(report: &mut PagesReport, boxes: &[Vec<bool>], scored: &[Scored]) {
    report.repeated_boxes = BoxBreakdown::of(boxes, scored.iter().map(|s| s.pred == s.truth));
}

/// `--pages F --extracted E`: another tool's kept text against the pages'
/// references, with the same scorer.
fn run_extracted(
    args: &EvalArgs,
    path: &Path,
    pages_path: &Path,
    options: &ReportOptions,
) -> Result<Report> {
    let (pages, refs) = read_pages_and_references(args, pages_path)?;
    let mut extracted = read_extracted(path, args.on_invalid.into())?;
    let kept: Vec<Option<String>> = pages.iter().map(|p| extracted.remove(&p.page)).collect();
    let missing = kept.iter().filter(|k| k.is_none()).count();
    if missing > 0 {
        eprintln!(
            "{missing} of the {} pages have no record in {}: scored as keeping nothing",
            pages.len(),
            path.display()
        );
    }
    let idx: Vec<usize> = (0..pages.len()).collect();
    let cleaning = score_cleaning(&pages, &refs, &idx, &kept);
    let mut report = Report::new(
        Scorer {
            kind: "extracted".into(),
            path: path.display().to_string(),
            labels: Vec::new(),
            temperature: None,
            has_context: None,
        },
        options,
    );
    report.extracted = Some(ExtractedReport {
        path: path.display().to_string(),
        pages_path: pages_path.display().to_string(),
        missing,
        unmatched: extracted.len(),
        cleaning,
    });
    Ok(report)
}

/// Numbers sort as numbers (folds 0..9, 10), everything else as text.
fn group_order(a: &str, b: &str) -> std::cmp::Ordering {
    match (a.parse::<i64>(), b.parse::<i64>()) {
        (Ok(x), Ok(y)) => x.cmp(&y),
        _ => a.cmp(b),
    }
}

/// Cross-validation of the page layer by a field of the pages: for each
/// value of `field`, the layer is fitted on every other value's pages and the
/// extra pages on top of `base` (whose naive Bayes stays fixed), and that
/// value's pages are scored with page context. Returns the report of every
/// held-out page pooled (with the cleaning score) and the per-group figures.
#[allow(clippy::too_many_arguments)]
pub fn cross_validate_pages_by(
    base: &Model,
    naive_bayes: String,
    eval_pages: &[EvalPage],
    pages: &[LabelledPage],
    refs: &References,
    path: &Path,
    field: &str,
    layer: PageLayer,
    options: &ReportOptions,
) -> Result<(PagesReport, PageGroupCrossValidation)> {
    let mut by_value: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, p) in eval_pages.iter().enumerate() {
        let value = p
            .field(field)
            .unwrap_or_else(|| crate::cli::report::MISSING_GROUP.to_string());
        by_value.entry(value).or_default().push(i);
    }
    if by_value.len() < 2 {
        return Err(Error::Settings(format!(
            "--cv-by {field}: the pages have {} value(s) of {field:?}; cross-validation needs at least two",
            by_value.len()
        )));
    }
    let mut groups: Vec<(String, Vec<usize>)> = by_value.into_iter().collect();
    groups.sort_by(|a, b| group_order(&a.0, &b.0));
    let name = layer.0.to_string();
    let run = held_out_groups(
        base, eval_pages, pages, refs, path, &groups, layer, false, options,
    )?;
    let summary = Summary::of(&run.with);
    Ok((
        run.pooled,
        PageGroupCrossValidation {
            path: path.display().to_string(),
            field: field.to_string(),
            naive_bayes,
            page_layer: name,
            train_pages: Vec::new(),
            groups: run.with,
            summary,
        },
    ))
}

/// What [`held_out_groups`] returns.
struct HeldOut {
    /// Every page, scored by the layer that did not see its group.
    pooled: PagesReport,
    /// Per group, with the layer.
    with: Vec<Fold>,
    /// Per group, each line on its own (empty unless asked for).
    without: Vec<Fold>,
}

/// The core of page cross-validation: for each group (a name and the
/// indices of its pages), fits the layer on the other groups' pages and the
/// extra pages, scores the group's pages with page context (and, when
/// `without_context`, each line on its own too), and pools every held-out
/// page's scores.
#[allow(clippy::too_many_arguments)]
fn held_out_groups(
    base: &Model,
    eval_pages: &[EvalPage],
    pages: &[LabelledPage],
    refs: &References,
    path: &Path,
    groups: &[(String, Vec<usize>)],
    (_, fit, extra): PageLayer,
    without_context: bool,
    options: &ReportOptions,
) -> Result<HeldOut> {
    let labels = label_names(base);
    let positive = positive_index(&labels, &options.positive, "the model")?;
    let quiet = ReportOptions {
        worst: 0,
        progress: false,
        ..options.clone()
    };
    let boxes = repeated_news_boxes(pages);
    let progress = bar(groups.len(), "cross-validation", options.progress);
    let mut held_out: Vec<Option<Vec<Scored>>> = vec![None; pages.len()];
    let (mut with, mut without) = (Vec::new(), Vec::new());
    for (value, test) in groups {
        progress.set_message(format!("held out: {value}"));
        let train: Vec<LabelledPage> = complement(pages.len(), test)
            .into_iter()
            .map(|i| pages[i].clone())
            .chain(extra.iter().cloned())
            .collect();
        let model = fit(base, &train)?;
        let test_pages: Vec<LabelledPage> = test.iter().map(|&i| pages[i].clone()).collect();
        let test_boxes: Vec<Vec<bool>> = test.iter().map(|&i| boxes[i].clone()).collect();
        let contexts: &[bool] = if without_context {
            &[true, false]
        } else {
            &[true]
        };
        for &context in contexts {
            let scored = score_pages(&model, &test_pages, path, context)?;
            let mut r = pages_from_scores(
                &test_pages,
                path,
                &labels,
                positive,
                &scored,
                context,
                &quiet,
                None,
            );
            let kept = kept_texts(&test_pages, &scored, positive);
            r.cleaning = Some(score_cleaning(eval_pages, refs, test, &kept));
            add_boxes(&mut r, &test_boxes, &scored);
            let fold = Fold {
                name: value.clone(),
                train: train.len(),
                test: test.len(),
                figures: r.figures(),
            };
            if context {
                with.push(fold);
                let mut at = 0;
                for (&i, p) in test.iter().zip(&test_pages) {
                    held_out[i] = Some(scored[at..at + p.lines.len()].to_vec());
                    at += p.lines.len();
                }
            } else {
                without.push(fold);
            }
        }
        progress.inc(1);
    }
    progress.finish_and_clear();
    let scored: Vec<Scored> = held_out
        .into_iter()
        .flat_map(|s| s.expect("every page is in one group"))
        .collect();
    let mut pooled =
        pages_from_scores(pages, path, &labels, positive, &scored, true, options, None);
    add_cleaning(&mut pooled, eval_pages, refs, pages, &scored, positive);
    add_boxes(&mut pooled, &boxes, &scored);
    Ok(HeldOut {
        pooled,
        with,
        without,
    })
}
