//! Throughput of each stage of the pipeline, with divan.
//!
//! ```text
//! cargo bench --bench pipeline
//! ```
//!
//! Paragraphs are read in place from `../shared/corpus/dev.jsonl` (never
//! copied into the repository); without it the benchmarks that need it say so
//! and do nothing, so `cargo test` (which builds and runs this once) passes
//! anywhere. Throughput is reported in bytes/s (MB/s) and items/s
//! (paragraphs/s).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use divan::counter::{BytesCount, ItemsCount};
use divan::{Bencher, black_box};
use newsbait::Model;
use newsbait::{OnInvalid, read_examples};
use newsbait::{Segmenter, TokenizerSettings};

fn main() {
    divan::main();
}

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus")
}

/// The dev split's paragraphs, or `None` (with a message) when the corpus is missing.
fn paragraphs() -> Option<&'static [String]> {
    static TEXTS: OnceLock<Option<Vec<String>>> = OnceLock::new();
    TEXTS
        .get_or_init(|| {
            let path = corpus().join("dev.jsonl");
            match read_examples(&path, None, OnInvalid::Skip) {
                Ok(d) => Some(d.examples.into_iter().map(|e| e.text).collect()),
                Err(e) => {
                    eprintln!("skipping: cannot read the corpus ({e})");
                    None
                }
            }
        })
        .as_deref()
}

fn model() -> &'static Model {
    static MODEL: OnceLock<Model> = OnceLock::new();
    MODEL.get_or_init(|| {
        let m = Model::shipped().expect("the shipped model loads");
        m.segmenter();
        m
    })
}

fn counters<'a, 'b>(b: Bencher<'a, 'b>, texts: &[String]) -> Bencher<'a, 'b> {
    let bytes: usize = texts.iter().map(String::len).sum();
    b.counter(BytesCount::new(bytes))
        .counter(ItemsCount::new(texts.len()))
}

/// jieba-rs `cut` with HMM alone: the floor.
#[divan::bench(sample_count = 10)]
fn segmentation(b: Bencher) {
    let Some(texts) = paragraphs() else { return };
    let seg = Segmenter::new(&TokenizerSettings::default());
    counters(b, texts).bench(|| {
        for t in texts {
            black_box(seg.cut(t));
        }
    });
}

/// Normalisation and feature lookup of already segmented paragraphs.
#[divan::bench(sample_count = 10)]
fn featurisation(b: Bencher) {
    let Some(texts) = paragraphs() else { return };
    let m = model();
    let seg = m.segmenter();
    let normalized: Vec<String> = texts
        .iter()
        .map(|t| m.settings().normalizer.normalize(t))
        .collect();
    let words: Vec<Vec<&str>> = normalized.iter().map(|t| seg.cut(t)).collect();
    counters(b, texts).bench(|| {
        for (t, w) in normalized.iter().zip(&words) {
            black_box(newsbait::cli::vectorize_words(m, t, w));
        }
    });
}

/// Scoring feature vectors: one weight lookup and add per feature and class.
#[divan::bench(sample_count = 10)]
fn scoring(b: Bencher) {
    let Some(texts) = paragraphs() else { return };
    let m = model();
    let seg = m.segmenter();
    let vectors: Vec<Vec<(u32, f64)>> = texts
        .iter()
        .map(|t| {
            let t = m.settings().normalizer.normalize(t);
            newsbait::cli::vectorize_words(m, &t, &seg.cut(&t))
        })
        .collect();
    counters(b, texts).bench(|| {
        for x in &vectors {
            black_box(m.score_vector(x));
        }
    });
}

/// A whole page, raw text to labels with page context, 40 paragraphs at a time.
#[divan::bench(sample_count = 10)]
fn classify_page(b: Bencher) {
    let Some(texts) = paragraphs() else { return };
    let m = model();
    counters(b, texts).bench(|| {
        for page in texts.chunks(40) {
            black_box(m.classify(page, newsbait::Context::Page));
        }
    });
}

/// Decoding the shipped model (10.7 MB) and building its feature index.
#[divan::bench(sample_count = 20)]
fn model_load() -> Model {
    Model::shipped().expect("the shipped model loads")
}

/// What `newsbait-classify` does before its first paragraph: load the model and
/// build its scoring table (jieba's dictionary is built on another thread).
#[divan::bench(sample_count = 20)]
fn model_load_and_prepare() -> Model {
    let m = Model::shipped().expect("the shipped model loads");
    m.prepare();
    m
}

/// Building jieba's default dictionary, paid once per process.
#[divan::bench(sample_count = 5)]
fn jieba_start_up() -> jieba_rs::Jieba {
    jieba_rs::Jieba::new()
}
