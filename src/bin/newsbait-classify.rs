//! `newsbait-classify`: labels each paragraph of documents as news or clickbait.

use std::io::{BufWriter, Write};
use std::path::PathBuf;

use anyhow::Result;
use clap::Parser;
use newsbait::Model;
use newsbait::cli::flags::{DocumentFormatArg, OnInvalidArg};
use newsbait::cli::output::{ClassifyOptions, OutputFormat, classify_inputs};
use newsbait::{OnInvalid, expand_inputs};

/// Label every paragraph of scraped news pages as policy news or clickbait.
///
/// A plain text file is one document, a paragraph a non-empty line (lines of
/// only `-`, `—`, `*` ... are skipped). A `.jsonl` file holds one document a
/// line, with a `text` field; its other fields are carried to the output.
#[derive(Parser, Debug)]
#[command(version, about, long_about = None, after_help = "Examples:\n  newsbait-classify examples/\n  newsbait-classify --keep news page.txt > clean.txt\n  cat pages.jsonl | newsbait-classify --input-format jsonl --format jsonl -")]
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
    /// Print only the paragraphs with this label, in order: the cleaned document.
    #[arg(long, value_name = "LABEL")]
    keep: Option<String>,
    /// Input format [default: jsonl for .jsonl/.json files, text otherwise].
    #[arg(long, value_enum)]
    input_format: Option<DocumentFormatArg>,
    /// Score each paragraph on its own, ignoring its neighbours on the page.
    #[arg(long)]
    no_context: bool,
    /// What to do with lines that cannot be read (not UTF-8 text, binary junk,
    /// malformed records): skip them with a warning on stderr, or stop.
    #[arg(long, value_enum, default_value_t = OnInvalid::default().into())]
    on_invalid: OnInvalidArg,
    /// Number of threads [default: all cores].
    #[arg(long)]
    threads: Option<usize>,
}

// Scoring allocates a few small vectors per paragraph on every core, and
// mimalloc's per-thread free lists serve them faster than glibc's malloc
// (about 15% of classify's time on the 50 MB speed input).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> Result<()> {
    let args = Args::parse();
    newsbait::cli::set_threads(args.threads)?;
    // Jieba's dictionary takes 130-200 ms to build: build it while the model loads.
    let model = std::thread::scope(|scope| {
        scope.spawn(newsbait::cli::warm_up);
        let model = match &args.model {
            Some(path) => Model::load(path),
            None => Model::shipped(),
        }?;
        model.prepare();
        anyhow::Ok(model)
    })?;
    let inputs = expand_inputs(&args.inputs)?;
    let options = ClassifyOptions {
        output: args.format,
        input_format: args.input_format.map(Into::into),
        keep: args.keep.clone(),
        context: newsbait::cli::flags::context(!args.no_context),
        on_invalid: args.on_invalid.into(),
        ..ClassifyOptions::default()
    };
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    match classify_inputs(&model, &inputs, &options, &mut out) {
        Ok(stats) => {
            for warning in &stats.warnings {
                eprintln!("warning: {warning}");
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
