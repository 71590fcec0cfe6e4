//! What the binaries share and the library leaves out: flags and their
//! mapping to library types, output formats, signal handling, thread set-up,
//! and evaluation with its reports. Not part of the library's API (hidden from
//! the docs, behind the `cli` feature).

pub mod eval;
pub mod flags;
pub mod info;
pub mod metrics;
pub mod output;
pub mod pages;
pub mod plots;
pub mod report;

use crate::io::remove_temporaries;

// Crate internals the binaries, the integration tests and the fuzzers reach;
// not part of the library's API.
pub use crate::data::{for_each_line, for_each_line_capped};
pub use crate::io::check_writable;
pub use crate::model::frame;
pub use crate::segment::warm_up;
pub use crate::train::{calibrate, count, learn_context, train};

/// Records how many input lines counting skipped, for the model's card.
pub fn set_counts_skipped_invalid(counts: &mut crate::Counts, skipped: usize) {
    counts.skipped_invalid = skipped;
}

/// Chooses the threshold of label `positive` with the best F1 on held-out
/// `examples` (each paragraph scored on its own; thresholds 0.01 to 0.99, the
/// lowest of equals) and makes it the model's default
/// ([`crate::Model::threshold`]); `source` names the data in the model.
pub fn choose_threshold(
    model: &mut crate::Model,
    examples: &[crate::Example],
    positive: &str,
    source: &str,
) -> crate::Result<crate::DecisionThreshold> {
    use rayon::prelude::*;
    let pos = model.label_index(positive).ok_or_else(|| {
        crate::Error::Settings(format!(
            "--positive {positive:?}: the model has no such label"
        ))
    })?;
    let (y, p): (Vec<bool>, Vec<f64>) = examples
        .par_iter()
        .map(|e| (e.label.0 == positive, model.predict(&e.text).probs[pos]))
        .unzip();
    let best = metrics::best_f1_threshold(&y, &p).ok_or_else(|| {
        crate::Error::Settings(format!(
            "--choose-threshold: {source} has no paragraph labelled {positive:?} to choose a threshold on"
        ))
    })?;
    model.set_threshold(Some((positive, best.threshold, source, best.f1)))?;
    Ok(model.threshold().cloned().expect("just set"))
}

/// Records how many input lines training skipped, for the model's card.
pub fn set_skipped_invalid(model: &mut crate::Model, skipped: usize) {
    model.summary.skipped_invalid = skipped;
}

/// Installs handlers for SIGINT, SIGTERM and SIGHUP that remove the temporary
/// files being written, say so on stderr and exit with 128 + the signal's
/// number: an interrupted run leaves no partial file behind, and an existing
/// file at an output path is untouched.
pub fn clean_up_on_signals() -> std::io::Result<()> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP])?;
    std::thread::Builder::new()
        .name("newsbait-signals".into())
        .spawn(move || {
            if let Some(signal) = signals.forever().next() {
                remove_temporaries();
                eprintln!("interrupted (signal {signal}): no output file was written or changed");
                std::process::exit(128 + signal);
            }
        })?;
    Ok(())
}

/// Sets the number of threads of rayon's global pool, if asked.
pub fn set_threads(threads: Option<usize>) -> anyhow::Result<()> {
    use anyhow::Context as _;
    if let Some(n) = threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global()
            .context("cannot set the number of threads")?;
    }
    Ok(())
}

/// [`crate::Model::vectorize`] of a paragraph already normalised and cut into
/// words, so that the benchmarks can time featurisation alone.
pub fn vectorize_words(model: &crate::Model, normalized: &str, words: &[&str]) -> Vec<(u32, f64)> {
    model
        .vocabulary
        .vectorize(normalized, words, &model.settings.features)
}

/// mimalloc, the allocator of the binaries that segment, count and score
/// (see [`binary_main!`](crate::binary_main)).
pub use mimalloc::MiMalloc;

/// Declares a binary's `main` (ending through [`exit_code`]) and mimalloc as
/// its global allocator: scoring, counting and evaluation allocate many
/// small, short-lived vectors on every core, and mimalloc's per-thread free
/// lists serve them faster than glibc's malloc (classify 5.67 → 4.69 s on the
/// 50 MB speed input, training 2.19 → 1.99 s median; benches/README.md).
///
/// It is mimalloc v2 (the crate's `v2` feature), not v3: v3 keeps freed pages
/// resident for a second before returning them (`purge_delay` 1000 ms, v2's is
/// 10 ms), and on a crawl, where every batch frees what the last one held,
/// that alone took classify's peak RSS from about 155 MB to 190-216 MB at the
/// same speed (benches/README.md, "Peak memory and the allocator").
#[macro_export]
#[doc(hidden)]
macro_rules! binary_main {
    ($try_main:ident) => {
        #[global_allocator]
        static ALLOCATOR: $crate::cli::MiMalloc = $crate::cli::MiMalloc;

        fn main() -> std::process::ExitCode {
            $crate::cli::exit_code($try_main())
        }
    };
}

/// Ends a binary's `main`: on an error, prints `error: ` and the message with
/// its causes on one line (`{:#}`) to stderr and exits with status 1. A user
/// error prints its message only, never a backtrace, even with
/// `RUST_BACKTRACE=1` set (returning the error from `main` would print the
/// backtrace anyhow captured); a bug still panics with its backtrace.
pub fn exit_code(result: anyhow::Result<()>) -> std::process::ExitCode {
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
