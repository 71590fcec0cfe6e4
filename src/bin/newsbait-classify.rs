//! `newsbait-classify`: labels each paragraph of documents as news or clickbait.

use std::io::{BufWriter, Write};
use std::path::PathBuf;

use anyhow::{Context as _, Result};
use clap::Parser;
use newsbait::Model;
use newsbait::cli::flags::{DocumentFormatArg, OnInvalidArg};
use newsbait::cli::output::{
    ClassifyOptions, DEFAULT_POSITIVE, NO_CONTEXT_NOTE, OutputFormat, Threshold, classify_inputs,
};
use newsbait::{DEFAULT_CACHE_BYTES, DEFAULT_EXTENSIONS, OnInvalid, collect_inputs};

/// Label every paragraph of scraped news pages as policy news or clickbait.
///
/// Each file's format follows its extension unless --input-format is given:
///
/// - `.txt` and any other name: text, the whole file one document, a
///   paragraph a non-empty line (lines of only `-`, `—`, `*` ... are
///   skipped). For a file of unrelated lines (titles), pass
///   `--input-format lines`; for blank-line-separated documents, `blocks`.
///
/// - `.html`, `.htm`, `.xhtml`: one HTML page, charset detected (byte order
///   mark, UTF-8, `<meta charset>`, GBK/GB18030/Big5 guessed); a paragraph a
///   block (`p`, `li`, `td`, `h1`, ...).
///
/// - `.jsonl`, `.ndjson`, `.json`: one document a line, a JSON object with an
///   `html` field (a page) or a `text` field (plain text); when a record has
///   both, `html` wins. Its other fields are carried to the output.
///
/// - `.tsv` (`label<TAB>text`, a header row skipped), `.ft`/`.fasttext`
///   (`__label__x text`): each line its own document, the label ignored.
///
/// Directories are read recursively for the extensions of --ext; binary
/// files are skipped with one warning. With page context on (the default),
/// the probabilities printed are posteriors given the whole page.
#[derive(Parser, Debug)]
#[command(version, about, max_term_width = 100,
    // The examples are part of the template, which clap does not wrap: a
    // command is never cut in two.
    help_template = "{before-help}{about-with-newline}\n{usage-heading} {usage}\n\n{all-args}{after-help}\n\nExamples:\n  newsbait-classify examples/\n  newsbait-classify --threshold 0.7 -k 2 --explain=3 page.txt\n  newsbait-classify --keep news page.txt > clean.txt\n  newsbait-classify --keep news page.html > article.txt\n  newsbait-classify --input-format lines titles.txt\n  cat pages.jsonl | newsbait-classify --input-format jsonl --format jsonl -")]
struct Args {
    /// Files or directories to classify; `-` reads standard input.
    #[arg(default_value = "-")]
    inputs: Vec<PathBuf>,
    /// Model file [default: the model shipped inside this binary].
    #[arg(long, short)]
    model: Option<PathBuf>,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = OutputFormat::Text)]
    format: OutputFormat,
    /// Print only the paragraphs with this label, in order: the cleaned
    /// document (over several files, each after a `== file` header; with
    /// `-f jsonl` or JSONL input, one record a document, its `text` the
    /// cleaned article and its other fields carried).
    #[arg(long, value_name = "LABEL")]
    keep: Option<String>,
    /// Input format of every input, standard input included [default: by
    /// extension: jsonl for .jsonl/.ndjson/.json, html for .html/.htm/.xhtml,
    /// tsv for .tsv, fasttext for .ft/.fasttext, text (one document a file)
    /// for .txt and anything else].
    #[arg(long, value_enum)]
    input_format: Option<DocumentFormatArg>,
    /// Extensions of the files read from directories, comma-separated.
    #[arg(long, value_delimiter = ',', default_values_t = DEFAULT_EXTENSIONS.iter().map(|s| s.to_string()))]
    ext: Vec<String>,
    /// Score each paragraph on its own, ignoring its neighbours on the page.
    /// With page context (the default, for a model trained with --pages) the
    /// probabilities printed are posteriors given the whole page: a
    /// paragraph's probability depends on the paragraphs around it.
    #[arg(long)]
    no_context: bool,
    /// What to do with lines that cannot be read (not UTF-8 text, binary junk,
    /// malformed records): skip them with a warning on stderr, or stop.
    #[arg(long, value_enum, default_value_t = OnInvalid::default().into())]
    on_invalid: OnInvalidArg,
    /// Label a paragraph with the positive label (see --positive) when its
    /// probability is at least P, else with the most probable other label
    /// [default: the most probable label].
    #[arg(long, value_name = "P")]
    threshold: Option<f64>,
    /// The positive label of --threshold.
    #[arg(long, value_name = "LABEL", requires = "threshold", default_value = DEFAULT_POSITIVE)]
    positive: String,
    /// Also write the N most probable labels of each paragraph with their
    /// probabilities (text, TSV and JSONL).
    #[arg(short = 'k', long = "top", value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    top: Option<u64>,
    /// Also write the N features (5 with a bare --explain) that pushed each
    /// paragraph most towards its label, with their weights (how much each
    /// raised the label's log-odds against the others).
    #[arg(long, value_name = "N", num_args = 0..=1, require_equals = true, default_missing_value = "5")]
    explain: Option<usize>,
    /// Number of threads [default: all cores].
    #[arg(long)]
    threads: Option<usize>,
    /// Memory for the cache of paragraph scores, in MiB: a paragraph seen
    /// before (a site's menus, footers and teaser lists) costs a lookup
    /// instead of segmentation. The output is the same with any size.
    #[arg(long, value_name = "MIB", default_value_t = DEFAULT_CACHE_BYTES >> 20)]
    cache_mb: usize,
    /// Turn the paragraph score cache off (as --cache-mb 0).
    #[arg(long, conflicts_with = "cache_mb")]
    no_cache: bool,
    /// At the end, print to stderr how many documents and paragraphs were
    /// read and how often the cache answered.
    #[arg(long)]
    stats: bool,
}

newsbait::binary_main!(try_main);

fn try_main() -> Result<()> {
    let args = Args::parse();
    newsbait::cli::set_threads(args.threads)?;
    // Jieba's dictionary takes 100-200 ms to build: build it while the model
    // loads and the first documents are read (the first cut waits for it).
    std::thread::spawn(newsbait::cli::warm_up);
    let mut model = match &args.model {
        Some(path) => Model::load(path),
        None => Model::shipped(),
    }?;
    let cache_mb = if args.no_cache { 0 } else { args.cache_mb };
    let bytes = cache_mb
        .checked_mul(1 << 20)
        .with_context(|| format!("--cache-mb {cache_mb}: too large"))?;
    model.set_cache_bytes(bytes);
    model.prepare();
    let inputs = collect_inputs(&args.inputs, &args.ext)?;
    if let Some(warning) = inputs.warning() {
        eprintln!("warning: {warning}");
    }
    let inputs = inputs.files;
    let options = ClassifyOptions {
        output: args.format,
        input_format: args.input_format.map(Into::into),
        keep: args.keep.clone(),
        context: newsbait::cli::flags::context(!args.no_context),
        on_invalid: args.on_invalid.into(),
        threshold: args.threshold.map(|at| Threshold {
            positive: Some(args.positive.clone()),
            at,
        }),
        top: args.top.map(|k| k as usize),
        explain: args.explain,
        ..ClassifyOptions::default()
    };
    // The model lives until the process ends: freeing its tables and its
    // cache's entries one by one took 13 ms at the end of the 50 MB speed
    // input, for memory the system takes back at once.
    let model: &Model = Box::leak(Box::new(model));
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    match classify_inputs(model, &inputs, &options, &mut out) {
        Ok(stats) => {
            for warning in &stats.warnings {
                eprintln!("warning: {warning}");
            }
            if stats.context_missing {
                eprintln!("{NO_CONTEXT_NOTE}");
            }
            if args.stats {
                eprintln!(
                    "{} documents, {} paragraphs; {}",
                    stats.documents,
                    stats.paragraphs,
                    model.cache_stats()
                );
            }
            Ok(())
        }
        // A reader that stops early (`| head`) is not an error.
        Err(newsbait::Error::Io { cause, .. })
            if cause.kind() == std::io::ErrorKind::BrokenPipe =>
        {
            Ok(())
        }
        Err(e) => Err(e.into()),
    }
    .and_then(|()| out.flush().or_else(ignore_broken_pipe))
}

fn ignore_broken_pipe(e: std::io::Error) -> Result<()> {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        Ok(())
    } else {
        Err(e.into())
    }
}
