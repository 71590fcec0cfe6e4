//! End-to-end tests of `newsbait-eval`'s library side on the project's own
//! sample data (training-data/sample.jsonl: 20 news then 20 clickbait lines).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use clap::Parser;
use newsbait::cli::eval::{EvalArgs, leave_one_out, leave_one_out_splits, run, stratified_folds};
use newsbait::cli::report::{ReportOptions, SCHEMA, SetReport};
use newsbait::{Example, Model, ModelSettings};
use newsbait::{OnInvalid, read_examples};
use serde_json::{Value, json};

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/training-data/sample.jsonl");

fn sample() -> Vec<Example> {
    read_examples(Path::new(SAMPLE), None, OnInvalid::Error)
        .unwrap()
        .examples
}

fn args(extra: &[&str]) -> EvalArgs {
    let mut v = vec!["newsbait-eval", "--quiet"];
    v.extend_from_slice(extra);
    EvalArgs::parse_from(v)
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

macro_rules! assert_close {
    ($a:expr, $b:expr) => {{
        let (a, b): (f64, f64) = ($a, $b);
        assert!(close(a, b), "{} = {a}, expected {b}", stringify!($a));
    }};
}

fn write_predictions(dir: &Path, name: &str, probs: &[(f64, f64)]) -> PathBuf {
    let path = dir.join(name);
    let lines: Vec<String> = probs
        .iter()
        .map(|&(news, clickbait)| {
            json!({"probs": {"news": news, "clickbait": clickbait}}).to_string()
        })
        .collect();
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    path
}

/// (news, clickbait) probabilities for each sample line, chosen so that every
/// figure can be worked out on paper (see the test below).
fn hand_probs() -> Vec<(f64, f64)> {
    let news = (0..20).map(|i| match i {
        0..=16 => 0.1,
        17 => 0.3,
        18 => 0.7,
        _ => 0.8,
    });
    let bait = (0..20).map(|i| match i {
        0..=15 => 0.9,
        16 | 17 => 0.6,
        18 => 0.4,
        _ => 0.2,
    });
    news.chain(bait).map(|q| (1.0 - q, q)).collect()
}

#[test]
fn hand_computed_report_from_predictions() {
    let dir = tempfile::tempdir().unwrap();
    let preds = write_predictions(dir.path(), "p.jsonl", &hand_probs());
    let out = dir.path().join("report");
    let report = run(&args(&[
        "--data",
        SAMPLE,
        "--predictions",
        preds.to_str().unwrap(),
    ]))
    .unwrap();
    report.write(&out).unwrap();
    let d = report.data.as_ref().unwrap();
    let m = &d.metrics;
    // Labels sorted: clickbait = 0, news = 1. Clickbait q > 0.5 is predicted
    // clickbait: 18 of 20 bait lines, and 2 of 20 news lines (0.7, 0.8).
    assert_eq!(report.scorer.labels, ["clickbait", "news"]);
    assert_eq!(m.confusion, vec![vec![18, 2], vec![2, 18]]);
    assert_close!(m.accuracy, 0.9);
    for c in &m.per_class {
        assert_close!(c.precision, 0.9);
        assert_close!(c.recall, 0.9);
        assert_close!(c.f1, 0.9);
        assert_eq!(c.support, 20);
    }
    assert_close!(m.macro_f1, 0.9);
    assert_close!(m.weighted_f1, 0.9);
    let p = &m.positive;
    // ROC-AUC over 400 (bait, news) pairs: 16 x 20 + 2 x 18 + 18 + 17 = 391.
    assert_close!(p.roc_auc.unwrap(), 391.0 / 400.0);
    // AP: recall steps 0.8 @ P 1, 0.1 @ 18/20, 0.05 @ 19/21, 0.05 @ 20/23.
    assert_close!(
        p.pr_auc.unwrap(),
        0.8 + 0.1 * 0.9 + 0.05 * 19.0 / 21.0 + 0.05 * 20.0 / 23.0
    );
    // Brier: bait 16(.01) + 2(.16) + .36 + .64 = 1.48; news 17(.01) + .09 + .49 + .64 = 1.39.
    assert_close!(p.brier, (1.48 + 1.39) / 40.0);
    let ll = -(16.0 * 0.9f64.ln() + 2.0 * 0.6f64.ln() + 0.4f64.ln() + 0.2f64.ln())
        - (17.0 * 0.9f64.ln() + 0.7f64.ln() + 0.3f64.ln() + 0.2f64.ln());
    assert_close!(p.log_loss, ll / 40.0);
    // ECE: 17(.1) + .8 + .3 + .6 + 2(.4) + .7 + .8 + 16(.1) = 7.3 over 40.
    assert_close!(p.ece, 7.3 / 40.0);
    // Best F1: any threshold in (0.1, 0.2] gives tp 20, fp 3: F1 = 40/43; lowest 0.11.
    let best = p.best_threshold.as_ref().unwrap();
    assert_close!(best.threshold, 0.11);
    assert_close!(best.f1, 40.0 / 43.0);
    assert_eq!(p.threshold_sweep.len(), 99);
    // One group, "sample", equal to the whole.
    assert_eq!(d.groups.len(), 1);
    assert_eq!(d.groups[0].value, "sample");
    assert_eq!(d.groups[0].metrics.accuracy, m.accuracy);
    // The 4 mistakes, most confident first (ties by position), no features.
    let wrong: Vec<(usize, f64)> = d
        .confidently_wrong
        .iter()
        .map(|w| (w.index, w.confidence))
        .collect();
    assert_eq!(
        wrong.iter().map(|w| w.0).collect::<Vec<_>>(),
        [19, 39, 18, 38]
    );
    assert_close!(wrong[0].1, 0.8);
    assert!(d.confidently_wrong.iter().all(|w| w.features.is_none()));

    // The files, and the JSON's layout.
    for f in [
        "report.json",
        "report.md",
        "pr.svg",
        "roc.svg",
        "reliability.svg",
        "confusion.svg",
    ] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    assert_eq!(json["schema"], SCHEMA);
    assert_eq!(json["scorer"]["kind"], "predictions");
    assert_eq!(
        json["data"]["metrics"]["confusion"],
        json!([[18, 2], [2, 18]])
    );
    assert_eq!(
        json["data"]["metrics"]["positive"]["roc_curve"][0]["threshold"],
        Value::Null
    );
    assert!(json["pages"].is_null() && json["cross_validation"].is_null());
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(
        md.contains("| all ") && md.contains("Most confidently wrong"),
        "{md}"
    );
}

#[test]
fn shipped_model_report_is_consistent() {
    let report = run(&args(&["--data", SAMPLE])).unwrap();
    let d = report.data.as_ref().unwrap();
    let m = &d.metrics;
    assert_eq!(report.scorer.kind, "model");
    assert_eq!(m.n, 40);
    let trace: u64 = (0..2).map(|i| m.confusion[i][i]).sum();
    assert_close!(m.accuracy, trace as f64 / 40.0);
    assert_eq!(
        m.per_class.iter().map(|c| c.support).collect::<Vec<_>>(),
        [20, 20]
    );
    assert_eq!(m.positive.label, "clickbait");
    assert_eq!(m.positive.reliability.len(), 10);
    assert_eq!(
        m.positive.reliability.iter().map(|b| b.count).sum::<u64>(),
        40
    );
    assert_eq!(d.groups[0].metrics.confusion, m.confusion);
    assert_eq!(d.confidently_wrong.len() as u64, 40 - trace);
    for w in &d.confidently_wrong {
        assert_ne!(w.truth, w.predicted);
        assert!(w.confidence >= 0.5);
        assert!(!w.features.as_ref().unwrap().is_empty());
    }
    assert!(
        d.confidently_wrong
            .windows(2)
            .all(|w| w[0].confidence >= w[1].confidence)
    );
}

#[test]
fn predictions_give_the_models_own_figures() {
    let model = Model::shipped().unwrap();
    let idx = |l: &str| model.label_index(l).unwrap();
    let probs: Vec<(f64, f64)> = sample()
        .iter()
        .map(|e| {
            let p = model.predict(&e.text).probabilities().to_vec();
            (p[idx("news")], p[idx("clickbait")])
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let preds = write_predictions(dir.path(), "p.jsonl", &probs);
    let own = run(&args(&["--data", SAMPLE])).unwrap();
    let theirs = run(&args(&[
        "--data",
        SAMPLE,
        "--predictions",
        preds.to_str().unwrap(),
    ]))
    .unwrap();
    let (own, theirs) = (own.data.unwrap(), theirs.data.unwrap());
    assert_eq!(
        serde_json::to_value(&own.metrics).unwrap(),
        serde_json::to_value(&theirs.metrics).unwrap()
    );
    assert_eq!(own.groups, theirs.groups);
    let idx = |r: &SetReport| {
        r.confidently_wrong
            .iter()
            .map(|w| w.index)
            .collect::<Vec<_>>()
    };
    assert_eq!(idx(&own), idx(&theirs));
}

#[test]
fn prediction_files_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    let short = write_predictions(dir.path(), "short.jsonl", &hand_probs()[..39]);
    let err = run(&args(&[
        "--data",
        SAMPLE,
        "--predictions",
        short.to_str().unwrap(),
    ]))
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("short.jsonl:40: 39 predictions for 40 example"),
        "{err}"
    );
    let bad = dir.path().join("bad.jsonl");
    std::fs::write(
        &bad,
        "{\"probs\": {\"news\": 0.5, \"clickbait\": 0.5}}\n{\"probs\": {\"news\": 1}}\n",
    )
    .unwrap();
    let err = run(&args(&[
        "--data",
        SAMPLE,
        "--predictions",
        bad.to_str().unwrap(),
    ]))
    .unwrap_err()
    .to_string();
    assert!(err.contains("bad.jsonl:2: labels"), "{err}");
    // A line that names its truth must match the data; fastText's 1.00001 is clamped.
    let shifted = dir.path().join("shifted.jsonl");
    let mut lines =
        vec![json!({"label": "news", "probs": {"news": 1.00001, "clickbait": 0.00001}})];
    lines.extend(
        (1..40).map(|_| json!({"label": "clickbait", "probs": {"news": 0.5, "clickbait": 0.5}})),
    );
    let text: Vec<String> = lines.iter().map(Value::to_string).collect();
    std::fs::write(&shifted, text.join("\n")).unwrap();
    let err = run(&args(&[
        "--data",
        SAMPLE,
        "--predictions",
        shifted.to_str().unwrap(),
    ]))
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("shifted.jsonl:2: this prediction is for a \"clickbait\" example"),
        "{err}"
    );
    let err = run(&args(&["--data", SAMPLE, "--positive", "spam"]))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("--positive \"spam\" is not one of the labels"),
        "{err}"
    );
}

#[test]
fn pages_report_counts_what_cleaning_keeps() {
    let ex = sample();
    let dir = tempfile::tempdir().unwrap();
    let line = |e: &Example| json!({"label": e.label.as_str(), "text": e.text});
    // Page a: news 0, 1, bait 20. Page b: news 2, bait 21, 22.
    let pages = [
        json!({"page": "a", "lines": [line(&ex[0]), line(&ex[1]), line(&ex[20])]}),
        json!({"page": "b", "lines": [line(&ex[2]), line(&ex[21]), line(&ex[22])]}),
    ];
    let pages_path = dir.path().join("pages.jsonl");
    let text: Vec<String> = pages.iter().map(Value::to_string).collect();
    std::fs::write(&pages_path, text.join("\n")).unwrap();
    // Page a all right; on page b news 2 is called bait and bait 22 news.
    let probs = [
        (0.9, 0.1),
        (0.8, 0.2),
        (0.1, 0.9),
        (0.3, 0.7),
        (0.2, 0.8),
        (0.6, 0.4),
    ];
    let preds = write_predictions(dir.path(), "p.jsonl", &probs);
    let report = run(&args(&[
        "--pages",
        pages_path.to_str().unwrap(),
        "--predictions",
        preds.to_str().unwrap(),
    ]))
    .unwrap();
    let p = report.pages.unwrap();
    let chars = |i: usize| ex[i].text.chars().count() as u64;
    assert_eq!((p.pages, p.lines, p.perfect_pages), (2, 6, 1));
    assert_close!(p.perfect_pages_share, 0.5);
    assert_close!(p.line_accuracy, 4.0 / 6.0);
    assert_close!(p.mean_page_accuracy, (1.0 + 1.0 / 3.0) / 2.0);
    assert_eq!(p.negative_chars, chars(0) + chars(1) + chars(2));
    assert_eq!(p.negative_chars_kept, chars(0) + chars(1));
    assert_eq!(p.negative_chars_lost, chars(2));
    assert_eq!(p.positive_chars, chars(20) + chars(21) + chars(22));
    assert_eq!(p.positive_chars_survived, chars(22));
    assert_eq!(p.per_page[1].positive_chars_survived, chars(22));
    assert_eq!(
        p.lines_report.metrics.confusion,
        vec![vec![2, 1], vec![1, 2]]
    );
    assert_eq!(p.lines_report.confidently_wrong[0].fields["page"], "b");
}

#[test]
fn cv_folds_partition_the_data_and_are_stratified() {
    let labels: Vec<String> = sample()
        .into_iter()
        .map(|e| e.label.as_str().to_string())
        .collect();
    // Also an uneven mix: 7 of one label, 23 of the other.
    let uneven: Vec<u8> = (0..30).map(|i| u8::from(i % 4 == 0 && i < 28)).collect();
    for k in [2, 3, 5, 7] {
        check_folds(&labels, k);
        check_folds(&uneven, k);
    }
    let a = stratified_folds(&labels, 5, 1).unwrap();
    assert_eq!(a, stratified_folds(&labels, 5, 1).unwrap(), "same seed");
    assert_ne!(a, stratified_folds(&labels, 5, 2).unwrap(), "seed shuffles");
    assert!(stratified_folds(&labels, 1, 1).is_err());
    assert!(stratified_folds(&labels, 41, 1).is_err());
}

fn check_folds<K: Ord + std::fmt::Debug>(keys: &[K], k: usize) {
    let folds = stratified_folds(keys, k, 42).unwrap();
    assert_eq!(folds.len(), k);
    let mut all: Vec<usize> = folds.iter().flatten().copied().collect();
    all.sort_unstable();
    assert_eq!(all, (0..keys.len()).collect::<Vec<_>>(), "a partition");
    let sizes: Vec<usize> = folds.iter().map(Vec::len).collect();
    assert!(sizes.iter().max().unwrap() - sizes.iter().min().unwrap() <= 1);
    let classes: BTreeSet<&K> = keys.iter().collect();
    for class in classes {
        let per_fold: Vec<usize> = folds
            .iter()
            .map(|f| f.iter().filter(|&&i| &keys[i] == class).count())
            .collect();
        let lo = per_fold.iter().min().unwrap();
        let hi = per_fold.iter().max().unwrap();
        assert!(hi - lo <= 1, "{class:?} spread {per_fold:?} over {k} folds");
    }
}

#[test]
fn leave_one_out_never_trains_on_the_held_out_group() {
    let mut ex = sample();
    for (i, e) in ex.iter_mut().enumerate() {
        e.fields
            .insert("source".into(), json!(["a", "b", "c"][i % 3]));
    }
    ex[5].fields.remove("source"); // a news line without the field
    let splits = leave_one_out_splits(&ex, "source");
    let values: Vec<&str> = splits.iter().map(|s| s.0.as_str()).collect();
    assert_eq!(values, ["(missing)", "a", "b", "c"]);
    let group = |i: usize| ex[i].field("source").unwrap_or("(missing)");
    for (value, train, test) in &splits {
        assert_eq!(train.len() + test.len(), ex.len());
        assert!(test.iter().all(|&i| group(i) == value));
        assert!(train.iter().all(|&i| group(i) != value));
    }

    // Run it with a trainer that records what it was given.
    let seen: Mutex<Vec<BTreeSet<String>>> = Mutex::new(Vec::new());
    let settings = ModelSettings::default();
    let trainer = |train: &[Example]| {
        let sources = train
            .iter()
            .map(|e| e.field("source").unwrap_or("(missing)").to_string())
            .collect();
        seen.lock().unwrap().push(sources);
        newsbait::cli::train(train, Path::new("sample"), &settings, &|_| {})
    };
    let options = ReportOptions::default();
    let loo = leave_one_out(
        &ex,
        Path::new(SAMPLE),
        "source",
        &settings,
        &trainer,
        &options,
    )
    .unwrap();
    let seen = seen.into_inner().unwrap();
    assert_eq!(seen.len(), 4);
    for (group, sources) in loo.groups.iter().zip(&seen) {
        assert!(!sources.contains(&group.name), "trained on {}", group.name);
        assert_eq!(sources.len(), 3, "every other group was used");
    }
    let mean = loo
        .groups
        .iter()
        .map(|g| g.figures["macro_f1"])
        .sum::<f64>()
        / 4.0;
    assert_close!(loo.mean_macro_f1, mean);
}

#[test]
fn cross_validation_runs_end_to_end() {
    let report = run(&args(&["--data", SAMPLE, "--cv", "2", "--min-count", "1"])).unwrap();
    let cv = report.cross_validation.unwrap();
    assert_eq!(
        cv.folds
            .iter()
            .map(|f| (f.train, f.test))
            .collect::<Vec<_>>(),
        [(20, 20), (20, 20)]
    );
    let acc: Vec<f64> = cv.folds.iter().map(|f| f.figures["accuracy"]).collect();
    assert_close!(cv.summary.mean["accuracy"], (acc[0] + acc[1]) / 2.0);
    // Sample std of two values: |a - b| / sqrt 2.
    assert_close!(
        cv.summary.std["accuracy"],
        (acc[0] - acc[1]).abs() / 2f64.sqrt()
    );
    assert_eq!(cv.settings["features"]["min_count"], 1);
    assert!(report.data.is_none());
}
