//! `newsbait-eval`: evaluates a model (or another tool's predictions) and
//! writes a report; see `newsbait::eval`.

use std::time::Instant;

use anyhow::{Context, Result};
use clap::Parser;
use newsbait::cli::eval::{EvalArgs, run};

newsbait::binary_main!(try_main);

fn try_main() -> Result<()> {
    let args = EvalArgs::parse();
    let start = Instant::now();
    newsbait::cli::set_threads(args.threads)?;
    let report = run(&args)?;
    print!("{}", report.summary_table());
    if let Some(dir) = &args.out {
        let files = report
            .write(dir)
            .with_context(|| format!("cannot write the report to {}", dir.display()))?;
        eprintln!("wrote {} files to {}", files.len(), dir.display());
    }
    eprintln!("done in {:.1} s", start.elapsed().as_secs_f64());
    Ok(())
}
