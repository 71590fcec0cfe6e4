//! Should a model carry a default threshold? Leave-one-source-out over the
//! training file, with the training recipe of models/MODEL.md for the
//! paragraph model: for each source S, naive Bayes is trained on the other
//! sources, calibrated (temperature) on the calibration file without S, and
//! the F1-best threshold of the positive label is chosen on that same
//! calibration data (`newsbait-train --choose-threshold`); S is then scored,
//! each paragraph alone, at that threshold and at the most probable label.
//! Prints macro-F1 and accuracy of every held-out source both ways.
//!
//! ```text
//! cargo run --release --example thresholdcv -- ../shared/corpus/train.jsonl ../shared/corpus/dev.jsonl [POSITIVE]
//! ```

use std::path::Path;

use newsbait::cli::metrics::ConfusionMatrix;
use newsbait::{Example, ModelSettings, OnInvalid, read_examples};
use rayon::prelude::*;

fn source(e: &Example) -> String {
    e.fields
        .get("source")
        .and_then(|v| v.as_str())
        .unwrap_or("?")
        .to_string()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (train, dev, positive) = match args.as_slice() {
        [t, d] => (t, d, "clickbait"),
        [t, d, p] => (t, d, p.as_str()),
        _ => return Err("usage: thresholdcv TRAIN.jsonl CALIBRATION.jsonl [POSITIVE]".into()),
    };
    let train = read_examples(Path::new(train), None, OnInvalid::Skip)?.examples;
    let dev = read_examples(Path::new(dev), None, OnInvalid::Skip)?.examples;
    let mut sources: Vec<String> = train.iter().map(source).collect();
    sources.sort();
    sources.dedup();
    println!(
        "held out\tn\tthreshold\tmacro-F1 argmax\tmacro-F1 threshold\taccuracy argmax\taccuracy threshold"
    );
    let (mut sum_a, mut sum_t, mut better, mut worse) = (0.0, 0.0, 0, 0);
    let (mut all_truth, mut all_plain, mut all_tuned) = (Vec::new(), Vec::new(), Vec::new());
    let mut classes = 0;
    for held in &sources {
        let rest: Vec<Example> = train
            .iter()
            .filter(|e| &source(e) != held)
            .cloned()
            .collect();
        let test: Vec<&Example> = train.iter().filter(|e| &source(e) == held).collect();
        let calibration: Vec<Example> =
            dev.iter().filter(|e| &source(e) != held).cloned().collect();
        let mut model =
            newsbait::cli::train(&rest, Path::new("rest"), &ModelSettings::default(), &|_| {})?;
        newsbait::cli::calibrate(&mut model, &calibration);
        let at =
            newsbait::cli::choose_threshold(&mut model, &calibration, positive, "calibration")?
                .at();
        let k = model.labels().len();
        let rows: Vec<(usize, usize, usize)> = test
            .par_iter()
            .filter_map(|e| {
                let truth = model.label_index(e.label.as_str())?;
                // The model decides at its threshold; the most probable label is the plain decision.
                let p = model.predict(&e.text);
                let probs = p.probabilities();
                let argmax = (0..k).fold(0, |b, c| if probs[c] > probs[b] { c } else { b });
                Some((truth, argmax, p.label_index()))
            })
            .collect();
        let truth: Vec<usize> = rows.iter().map(|r| r.0).collect();
        let plain =
            ConfusionMatrix::from_pairs(k, &truth, &rows.iter().map(|r| r.1).collect::<Vec<_>>());
        let tuned =
            ConfusionMatrix::from_pairs(k, &truth, &rows.iter().map(|r| r.2).collect::<Vec<_>>());
        println!(
            "{held}\t{}\t{at:.2}\t{:.4}\t{:.4}\t{:.4}\t{:.4}",
            rows.len(),
            plain.macro_f1(),
            tuned.macro_f1(),
            plain.accuracy(),
            tuned.accuracy()
        );
        all_truth.extend(truth);
        all_plain.extend(rows.iter().map(|r| r.1));
        all_tuned.extend(rows.iter().map(|r| r.2));
        classes = k;
        sum_a += plain.macro_f1();
        sum_t += tuned.macro_f1();
        if tuned.macro_f1() > plain.macro_f1() {
            better += 1;
        } else if tuned.macro_f1() < plain.macro_f1() {
            worse += 1;
        }
    }
    let n = sources.len() as f64;
    println!(
        "mean macro-F1: argmax {:.4}, threshold {:.4}; the threshold is better on {better}, worse on {worse} of {} sources",
        sum_a / n,
        sum_t / n,
        sources.len()
    );
    let plain = ConfusionMatrix::from_pairs(classes, &all_truth, &all_plain);
    let tuned = ConfusionMatrix::from_pairs(classes, &all_truth, &all_tuned);
    println!(
        "all held-out paragraphs pooled ({}): macro-F1 argmax {:.4}, threshold {:.4}; accuracy argmax {:.4}, threshold {:.4}",
        all_truth.len(),
        plain.macro_f1(),
        tuned.macro_f1(),
        plain.accuracy(),
        tuned.accuracy()
    );
    Ok(())
}
