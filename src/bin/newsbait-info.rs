//! `newsbait-info`: shows what a model file holds.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Result;
use clap::Parser;
use newsbait::Model;

/// Show what a newsbait model holds: labels, feature and tokenizer settings,
/// page context, calibration, training summary, format version and size.
#[derive(Parser, Debug)]
#[command(version, about, long_about = None, max_term_width = 100,
    help_template = "{before-help}{about-with-newline}\n{usage-heading} {usage}\n\n{all-args}{after-help}\n\nExamples:\n  newsbait-info\n  newsbait-info my.model --json")]
struct Args {
    /// Model file [default: the model shipped inside this binary].
    model: Option<PathBuf>,
    /// Print a JSON object instead of text.
    #[arg(long)]
    json: bool,
}

fn main() -> std::process::ExitCode {
    newsbait::cli::exit_code(try_main())
}

fn try_main() -> Result<()> {
    let args = Args::parse();
    let (model, name, bytes) = match &args.model {
        Some(path) => {
            let model = Model::load(path)?;
            let bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
            (model, path.display().to_string(), bytes)
        }
        None => {
            let model = Model::shipped()?;
            let bytes = model.to_bytes().len() as u64;
            (model, "<shipped model>".to_string(), bytes)
        }
    };
    let info = newsbait::cli::info::describe(&model, &name, bytes);
    let text = if args.json {
        format!("{info:#}\n")
    } else {
        newsbait::cli::info::text(&info)
    };
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}
