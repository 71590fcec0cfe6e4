//! `newsbait-train`: fits a model on labelled paragraphs and writes it to a file.

// The flags' doc comments are clap's `--help` text, written for a terminal
// (`label<TAB>text`), not rustdoc's HTML.
#![allow(rustdoc::invalid_html_tags)]

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::Parser;
use indicatif::{ProgressBar, ProgressStyle};
use newsbait::cli::flags::{ContextFlags, DataFormatArg, OnInvalidArg, TrainingFlags};
use newsbait::{OnInvalid, read_examples};

/// Train a newsbait model: segment every text with jieba, count word and
/// word-pair features, and fit naive Bayes through linfa-bayes.
#[derive(Parser, Debug)]
#[command(version, about, long_about = None, max_term_width = 100,
    help_template = "{before-help}{about-with-newline}\n{usage-heading} {usage}\n\n{all-args}{after-help}\n\nExamples:\n  newsbait-train --data ../shared/corpus/train.jsonl --out my.model\n  newsbait-train --data train.tsv --pages pages.jsonl --calibrate dev.jsonl --out my.model")]
struct Args {
    /// Labelled training data: JSONL ({"label", "text"}), TSV (label<TAB>text)
    /// or fastText (__label__X text) lines.
    #[arg(long, short, required_unless_present = "merge")]
    data: Option<PathBuf>,
    /// Where to write the model (atomically: the file appears whole or not at all).
    #[arg(long, short, default_value = "newsbait.model")]
    out: PathBuf,
    /// Only count --data (one shard of it) and write the counts here, for
    /// --merge: shards counted apart and merged give the same model.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["merge", "pages", "calibrate"])]
    counts_out: Option<PathBuf>,
    /// Fit the model from counts files (--counts-out), merged in the order
    /// given (the data's order), instead of --data; their settings are used.
    #[arg(long, num_args = 1.., value_name = "COUNTS", conflicts_with = "data")]
    merge: Vec<PathBuf>,
    /// The training data's name in the model's summary [default: --data, or
    /// the merged shards' names joined by " + "].
    #[arg(long, value_name = "NAME")]
    source: Option<String>,
    /// Labelled whole pages (JSONL, `{"page", "lines": [{"label", "text"}]}`,
    /// NetEase and DAnIEL text dumps; repeatable) to learn the page model
    /// (stacked logistic regressions over page features, on top of naive
    /// Bayes) and the page-context HMM from.
    #[arg(long)]
    pages: Vec<PathBuf>,
    /// Learn the page-context HMM from these pages only (repeatable) instead
    /// of every --pages file.
    #[arg(long, requires = "pages")]
    context_pages: Vec<PathBuf>,
    /// With --pages: give the page model the HMM's posterior as one more feature.
    #[arg(long, requires = "pages")]
    page_hmm_feature: bool,
    /// With --pages: learn the HMM page context only, no page model (the
    /// behaviour of format 4 models).
    #[arg(long, requires = "pages")]
    no_page_model: bool,
    #[command(flatten)]
    context: ContextFlags,
    /// Held-out labelled data to calibrate probabilities on (a temperature fit).
    #[arg(long)]
    calibrate: Option<PathBuf>,
    /// With --calibrate: choose the threshold of --positive with the best F1
    /// on the calibration data and store it in the model as its default, used
    /// for paragraphs scored on their own (not for decisions made with page
    /// context) when classify is given no --threshold.
    #[arg(long, requires = "calibrate")]
    choose_threshold: bool,
    /// The label of --choose-threshold.
    #[arg(
        long,
        value_name = "LABEL",
        requires = "choose_threshold",
        default_value = "clickbait"
    )]
    positive: String,
    /// Format of the training data [default: from the file extension, else sniffed].
    #[arg(long, value_enum)]
    format: Option<DataFormatArg>,
    #[command(flatten)]
    training: TrainingFlags,
    /// What to do with lines that cannot be read (not UTF-8 text, binary junk,
    /// malformed records): skip them with a warning on stderr, or stop.
    #[arg(long, value_enum, default_value_t = OnInvalid::default().into())]
    on_invalid: OnInvalidArg,
    /// Print the summary as JSON on stdout.
    #[arg(long)]
    json: bool,
    /// Number of threads [default: all cores].
    #[arg(long)]
    threads: Option<usize>,
}

newsbait::binary_main!(try_main);

fn try_main() -> Result<()> {
    let args = Args::parse();
    let start = Instant::now();
    // An interrupted run removes its temporary file: no partial model is left,
    // and an existing model at --out is untouched.
    newsbait::cli::clean_up_on_signals().context("cannot install the signal handlers")?;
    // Fail now, not after an hour of training, if the model cannot be written.
    newsbait::cli::check_writable(args.counts_out.as_ref().unwrap_or(&args.out))?;
    newsbait::cli::set_threads(args.threads)?;
    let on_invalid: OnInvalid = args.on_invalid.into();
    let settings = args.training.settings()?;
    let mut model = match &args.data {
        Some(data) if args.merge.is_empty() => {
            match train_on(&args, data, &settings, on_invalid, start)? {
                Some(model) => model,
                None => return Ok(()),
            }
        }
        _ => {
            let mut counts = newsbait::Counts::load(&args.merge[0])?;
            for path in &args.merge[1..] {
                counts.merge(&newsbait::Counts::load(path)?)?;
            }
            if let Some(name) = &args.source {
                counts.set_source(name.clone());
            }
            counts.fit()?
        }
    };
    // Calibrate first: the page model reads calibrated naive Bayes probabilities.
    let mut held_out = None;
    if let Some(path) = &args.calibrate {
        let held_out = held_out.insert(read_examples(path, None, on_invalid)?);
        let (before, after) = newsbait::cli::calibrate(&mut model, &held_out.examples);
        eprintln!(
            "calibrated on {}: temperature {:.3}, log loss {before:.4} -> {after:.4}",
            path.display(),
            model.temperature()
        );
    }
    if !args.pages.is_empty() {
        let mut pages = Vec::new();
        for path in &args.pages {
            pages.extend(newsbait::cli::pages::read_labelled_pages(path, on_invalid)?);
        }
        let names = |paths: &[PathBuf]| {
            paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let source = PathBuf::from(names(&args.pages));
        let mut context_pages = Vec::new();
        for path in &args.context_pages {
            context_pages.extend(newsbait::cli::pages::read_labelled_pages(path, on_invalid)?);
        }
        let (context_pages, context_source) = if args.context_pages.is_empty() {
            (&pages, source.clone())
        } else {
            (&context_pages, PathBuf::from(names(&args.context_pages)))
        };
        let markers = args.context.markers()?;
        newsbait::cli::learn_context(&mut model, context_pages, &context_source, markers)?;
        eprintln!("learned page context from {} pages", context_pages.len());
        if !args.no_page_model {
            let params = newsbait::PageParams {
                hmm_feature: args.page_hmm_feature,
                ..Default::default()
            };
            model.learn_page_model(&pages, &source, &params)?;
            eprintln!("learned the page model from {} pages", pages.len());
        }
    }
    if let (true, Some(held_out), Some(path)) = (args.choose_threshold, &held_out, &args.calibrate)
    {
        let name = path.display().to_string();
        let t =
            newsbait::cli::choose_threshold(&mut model, &held_out.examples, &args.positive, &name)?;
        eprintln!(
            "chose threshold {:.2} for {} on {name} (F1 {:.4})",
            t.at(),
            args.positive,
            t.f1()
        );
    }
    model.save(&args.out)?;
    summarize(&args, &model, start)
}

/// Counts or trains on --data: the model, or `None` when --counts-out wrote counts.
fn train_on(
    args: &Args,
    path: &std::path::Path,
    settings: &newsbait::ModelSettings,
    on_invalid: OnInvalid,
    start: Instant,
) -> Result<Option<newsbait::Model>> {
    // jieba's dictionary takes 130 to 200 ms to build: build it while the
    // training data is read.
    std::thread::spawn(newsbait::cli::warm_up);
    let data = read_examples(path, args.format.map(Into::into), on_invalid)?;
    if let Some(warning) = data.stats.warning(path) {
        eprintln!("warning: {warning}");
    }
    if data.examples.is_empty() && data.stats.skipped() > 0 {
        anyhow::bail!(
            "{}: no training examples: all {} lines were skipped (see the warning above); \
             is this the right file, and the right --format?",
            path.display(),
            data.stats.skipped()
        );
    }
    let bar = ProgressBar::new(data.examples.len() as u64).with_style(
        ProgressStyle::with_template(
            "segmenting {bar:40} {pos}/{len} paragraphs ({per_sec}, {eta})",
        )
        .expect("valid template"),
    );
    let name = args
        .source
        .as_ref()
        .map_or(path.to_path_buf(), PathBuf::from);
    if let Some(out) = &args.counts_out {
        let mut counts = newsbait::cli::count(&data.examples, &name, settings, &|n| bar.inc(n))?;
        bar.finish_and_clear();
        newsbait::cli::set_counts_skipped_invalid(&mut counts, data.stats.skipped());
        counts.save(out)?;
        eprintln!(
            "wrote {} ({} paragraphs counted, {:.2} s)",
            out.display(),
            counts.examples(),
            start.elapsed().as_secs_f64()
        );
        return Ok(None);
    }
    let mut model = newsbait::cli::train(&data.examples, &name, settings, &|n| bar.inc(n))?;
    bar.finish_and_clear();
    newsbait::cli::set_skipped_invalid(&mut model, data.stats.skipped());
    Ok(Some(model))
}

/// Prints what was written: JSON on stdout with --json, else lines on stderr.
fn summarize(args: &Args, model: &newsbait::Model, start: Instant) -> Result<()> {
    let size = std::fs::metadata(&args.out).map(|m| m.len()).unwrap_or(0);
    let summary = serde_json::json!({
        "model": args.out.display().to_string(),
        "labels": model.summary().documents,
        "features": model.feature_count(),
        "features_seen": model.summary().features_seen,
        "data_hash": model.summary().data_hash,
        "threshold": model.threshold().map(|t| serde_json::json!({
            "label": model.labels()[t.label()].as_str(),
            "at": t.at(),
            "chosen_on": t.chosen_on(),
            "f1": t.f1(),
        })),
        "seconds": start.elapsed().as_secs_f64(),
        "model_bytes": size,
    });
    if args.json {
        // A closed stdout (`| head`) after the model is safely written is no error.
        let mut stdout = std::io::stdout().lock();
        if let Err(e) = writeln!(stdout, "{summary:#}").and_then(|()| stdout.flush())
            && e.kind() != std::io::ErrorKind::BrokenPipe
        {
            return Err(e).context("cannot write the summary to standard output");
        }
    } else {
        eprintln!("wrote {} ({:.1} MB)", args.out.display(), size as f64 / 1e6);
        for lc in &model.summary().documents {
            eprintln!("  {:<12} {:>8} paragraphs", lc.label.as_str(), lc.documents);
        }
        eprintln!(
            "  vocabulary   {:>8} features (of {} seen)",
            model.feature_count(),
            model.summary().features_seen
        );
        if let Some(hash) = &model.summary().data_hash {
            eprintln!("  data hash    {hash}");
        }
        if let Some(t) = model.threshold() {
            eprintln!(
                "  threshold    {:.2} for {} (F1 {:.4} on {})",
                t.at(),
                model.labels()[t.label()].as_str(),
                t.f1(),
                t.chosen_on()
            );
        }
        eprintln!("  time         {:>8.2} s", start.elapsed().as_secs_f64());
    }
    Ok(())
}
