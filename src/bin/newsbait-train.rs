//! `newsbait-train`: fits a model on labelled paragraphs and writes it to a file.

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::Parser;
use indicatif::{ProgressBar, ProgressStyle};
use newsbait::context::DEFAULT_LIST_MARKERS;
use newsbait::data::{DataFormat, OnInvalid, read_examples};
use newsbait::features::{FeatureSettings, LengthNorm};
use newsbait::model::{ClassWeight, ModelSettings, Variant};
use newsbait::segment::{TokenizerSettings, parse_user_dict};
use newsbait::text::Normalizer;

/// Train a newsbait model: segment every text with jieba, count word and
/// word-pair features, and fit naive Bayes through linfa-bayes.
#[derive(Parser, Debug)]
#[command(version, about, long_about = None)]
struct Args {
    /// Labelled training data: JSONL ({"label", "text"}), TSV (label<TAB>text)
    /// or fastText (__label__X text) lines.
    #[arg(long, short)]
    data: PathBuf,
    /// Where to write the model (atomically: the file appears whole or not at all).
    #[arg(long, short, default_value = "newsbait.model")]
    out: PathBuf,
    /// Labelled whole pages (JSONL, `{"page", "lines": [{"label", "text"}]}`) to
    /// learn how labels follow each other along a page.
    #[arg(long)]
    pages: Option<PathBuf>,
    /// With --pages: the label of list headings (推荐阅读, 猜你喜欢, ...) and of
    /// the lists they open; `none` for no headings.
    #[arg(long, default_value = "clickbait", requires = "pages")]
    marker_label: String,
    /// With --pages: a file of list headings, one a line, instead of the built-in ones.
    #[arg(long, requires = "pages")]
    markers: Option<PathBuf>,
    /// Held-out labelled data to calibrate probabilities on (a temperature fit).
    #[arg(long)]
    calibrate: Option<PathBuf>,
    /// Format of the training data [default: from the file extension, else sniffed].
    #[arg(long, value_enum)]
    format: Option<DataFormat>,
    /// Additive smoothing of naive Bayes (> 0).
    #[arg(long, default_value_t = ModelSettings::default().alpha)]
    alpha: f64,
    /// Keep features seen at least this many times.
    #[arg(long, default_value_t = FeatureSettings::default().min_count)]
    min_count: u32,
    /// Keep at most this many features, the most frequent first.
    #[arg(long)]
    max_features: Option<usize>,
    /// Single words only, no adjacent word pairs.
    #[arg(long)]
    no_bigrams: bool,
    /// Add character n-grams of this length (0 = none).
    #[arg(long, default_value_t = 0)]
    char_ngrams: usize,
    /// Leave out shape tokens (length, column tags, line ending, punctuation).
    #[arg(long)]
    no_shape: bool,
    /// Use ln(1 + count) instead of raw counts.
    #[arg(long)]
    log_counts: bool,
    /// Scale each paragraph's feature vector to unit length.
    #[arg(long, value_enum, default_value_t = FeatureSettings::default().length_norm)]
    length_norm: LengthNorm,
    /// Naive Bayes variant.
    #[arg(long, value_enum, default_value_t = Variant::default())]
    variant: Variant,
    /// Class priors: from the data, or equal for every label.
    #[arg(long, value_enum, default_value_t = ClassWeight::default())]
    class_weight: ClassWeight,
    /// Turn off jieba's HMM for unknown words.
    #[arg(long)]
    no_hmm: bool,
    /// Extra words for jieba, one `word [freq] [tag]` a line; stored in the model.
    #[arg(long)]
    user_dict: Option<PathBuf>,
    /// What to do with lines that cannot be read (not UTF-8 text, binary junk,
    /// malformed records): skip them with a warning on stderr, or stop.
    #[arg(long, value_enum, default_value_t = OnInvalid::default())]
    on_invalid: OnInvalid,
    /// Print the summary as JSON on stdout.
    #[arg(long)]
    json: bool,
    /// Number of threads [default: all cores].
    #[arg(long)]
    threads: Option<usize>,
}

fn main() -> Result<()> {
    let args = Args::parse();
    let start = Instant::now();
    // An interrupted run removes its temporary file: no partial model is left,
    // and an existing model at --out is untouched.
    newsbait::io::clean_up_on_signals().context("cannot install the signal handlers")?;
    // Fail now, not after an hour of training, if the model cannot be written.
    newsbait::io::check_writable(&args.out)?;
    if let Some(n) = args.threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global()
            .context("cannot set the number of threads")?;
    }
    let user_words = match &args.user_dict {
        None => Vec::new(),
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read the user dictionary {}", path.display()))?;
            parse_user_dict(&text)
                .map_err(|(line, msg)| anyhow::anyhow!("{}:{line}: {msg}", path.display()))?
        }
    };
    let settings = ModelSettings {
        normalizer: Normalizer::default(),
        tokenizer: TokenizerSettings {
            hmm: !args.no_hmm,
            user_words,
        },
        features: FeatureSettings {
            word_bigrams: !args.no_bigrams,
            char_ngrams: args.char_ngrams,
            shape: !args.no_shape,
            log_counts: args.log_counts,
            length_norm: args.length_norm,
            min_count: args.min_count,
            max_features: args.max_features,
        },
        alpha: args.alpha,
        class_weight: args.class_weight,
        variant: args.variant,
    };
    settings.validate()?;

    let data = read_examples(&args.data, args.format, args.on_invalid)?;
    if let Some(warning) = data.stats.warning(&args.data) {
        eprintln!("warning: {warning}");
    }
    if data.examples.is_empty() && data.stats.skipped() > 0 {
        anyhow::bail!(
            "{}: no training examples: all {} lines were skipped (see the warning above); \
             is this the right file, and the right --format?",
            args.data.display(),
            data.stats.skipped()
        );
    }
    let bar = ProgressBar::new(data.examples.len() as u64).with_style(
        ProgressStyle::with_template(
            "segmenting {bar:40} {pos}/{len} paragraphs ({per_sec}, {eta})",
        )
        .expect("valid template"),
    );
    let mut model = newsbait::train::train(&data.examples, &args.data, &settings, &|n| bar.inc(n))?;
    bar.finish_and_clear();
    model.summary.skipped_invalid = data.stats.skipped();
    if let Some(path) = &args.pages {
        let pages = newsbait::data::read_pages(path, args.on_invalid)?;
        let markers = match (&args.markers, args.marker_label.as_str()) {
            (_, "none") => None,
            (Some(file), label) => {
                let text = std::fs::read_to_string(file)
                    .with_context(|| format!("cannot read the markers file {}", file.display()))?;
                let phrases = text.lines().map(str::trim).filter(|l| !l.is_empty());
                Some((label, phrases.map(String::from).collect()))
            }
            (None, label) => Some((
                label,
                DEFAULT_LIST_MARKERS.iter().map(|s| s.to_string()).collect(),
            )),
        };
        newsbait::train::learn_context(&mut model, &pages, path, markers)?;
        eprintln!("learned page context from {} pages", pages.len());
    }
    if let Some(path) = &args.calibrate {
        let held_out = read_examples(path, None, args.on_invalid)?;
        let (before, after) = newsbait::train::calibrate(&mut model, &held_out.examples);
        eprintln!(
            "calibrated on {}: temperature {:.3}, log loss {before:.4} -> {after:.4}",
            path.display(),
            model.temperature
        );
    }
    model.save(&args.out)?;

    let size = std::fs::metadata(&args.out).map(|m| m.len()).unwrap_or(0);
    let summary = serde_json::json!({
        "model": args.out.display().to_string(),
        "labels": model.summary.documents,
        "features": model.vocabulary.len(),
        "features_seen": model.summary.features_seen,
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
        for lc in &model.summary.documents {
            eprintln!("  {:<12} {:>8} paragraphs", lc.label.0, lc.documents);
        }
        eprintln!(
            "  vocabulary   {:>8} features (of {} seen)",
            model.vocabulary.len(),
            model.summary.features_seen
        );
        eprintln!("  time         {:>8.2} s", start.elapsed().as_secs_f64());
    }
    Ok(())
}
