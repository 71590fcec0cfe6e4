//! The library end to end on the project's own small labelled set.

use std::path::Path;

use linfa::prelude::*;
use linfa_bayes::{MultinomialNb, NaiveBayes};
use ndarray::{Array1, Array2};
use newsbait::FeatureSettings;
use newsbait::{DataFormat, OnInvalid, read_examples};
use newsbait::{Example, Model, ModelSettings};

const SAMPLE: &str = "training-data/sample.jsonl";

fn sample() -> Vec<Example> {
    read_examples(Path::new(SAMPLE), None, OnInvalid::Error)
        .unwrap()
        .examples
}

/// Raw counts of words and word pairs: the plain multinomial model that
/// linfa-bayes fits on dense input.
fn plain_settings() -> ModelSettings {
    ModelSettings {
        features: FeatureSettings::plain(),
        alpha: 0.5,
        ..ModelSettings::default()
    }
}

fn train(examples: &[Example], settings: &ModelSettings) -> Model {
    newsbait::cli::train(examples, Path::new(SAMPLE), settings, &|_| {}).unwrap()
}

#[test]
fn sparse_scores_equal_linfa_bayes_on_dense_input() {
    let examples = sample();
    let model = train(&examples, &plain_settings());

    // The dense documents-by-vocabulary matrix of the training set.
    let columns = model.feature_count();
    let mut x = Array2::<f64>::zeros((examples.len(), columns));
    let mut y = Array1::<usize>::zeros(examples.len());
    for (i, e) in examples.iter().enumerate() {
        for (j, v) in model.vectorize(&e.text) {
            x[[i, j as usize]] = v;
        }
        y[i] = model.label_index(e.label.as_str()).unwrap();
    }
    let dense = MultinomialNb::params()
        .alpha(model.settings().alpha)
        .fit(&Dataset::new(x.clone(), y))
        .unwrap();
    let expected = dense.joint_log_likelihood(x.view());

    for (i, e) in examples.iter().enumerate() {
        let ours = model.joint_log_likelihood(&e.text);
        for (class, theirs) in &expected {
            // Weights are stored as f32 (7 significant digits); sums stay in f64.
            let diff = (ours[**class] - theirs[i]).abs();
            assert!(
                diff < 1e-6 * theirs[i].abs().max(1.0),
                "example {i}, class {class}: ours {} linfa {}",
                ours[**class],
                theirs[i]
            );
        }
    }
}

#[test]
fn every_training_format_gives_the_same_model() {
    let settings = plain_settings();
    let models: Vec<Model> = [
        ("training-data/sample.jsonl", DataFormat::Jsonl),
        ("training-data/sample.tsv", DataFormat::Tsv),
        ("training-data/sample.txt", DataFormat::Fasttext),
    ]
    .iter()
    .map(|(path, format)| {
        let ex = read_examples(Path::new(path), Some(*format), OnInvalid::Error)
            .unwrap()
            .examples;
        newsbait::cli::train(&ex, Path::new(SAMPLE), &settings, &|_| {}).unwrap()
    })
    .collect();
    assert_eq!(models[0].to_bytes(), models[1].to_bytes());
    assert_eq!(models[0].to_bytes(), models[2].to_bytes());
    assert_eq!(models[0].labels(), models[2].labels());
}

#[test]
fn save_load_round_trip_gives_identical_scores() {
    let model = train(&sample(), &ModelSettings::default());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.model");
    model.save(&path).unwrap();
    let loaded = Model::load(&path).unwrap();
    assert!(loaded == model);
    for text in ["国务院召开会议", "震惊！竟然这样", "完全没见过的词语组合"]
    {
        assert_eq!(
            loaded.joint_log_likelihood(text),
            model.joint_log_likelihood(text)
        );
        assert_eq!(loaded.predict(text), model.predict(text));
    }
}

#[test]
fn probabilities_are_finite_and_sum_to_one_for_huge_paragraphs() {
    let model = Model::shipped().unwrap();
    let long = "会议强调要加强经济运行调度。".repeat(50_000 / 14 + 1);
    assert!(long.chars().count() >= 50_000);
    let unknown = "ꙮ".repeat(1000);
    for text in [long.as_str(), unknown.as_str(), "", "!!!"] {
        let p = model.predict(text);
        assert!(p.probabilities().iter().all(|x| x.is_finite() && *x >= 0.0));
        assert!(
            (p.probabilities().iter().sum::<f64>() - 1.0).abs() < 1e-9,
            "{text:.20}"
        );
    }
    // A paragraph this long is sure of itself, not NaN or a tie.
    let p = model.predict(&long);
    assert_eq!(model.label(&p).as_str(), "news");
}

#[test]
fn small_model_labels_unseen_sentences() {
    let model = train(&sample(), &ModelSettings::default());
    let news = model.label_index("news").unwrap();
    let bait = model.label_index("clickbait").unwrap();
    let p = model.predict("省政府召开常务会议，研究部署安全生产工作");
    assert_eq!(p.label_index(), news, "{p:?}");
    let p = model.predict("网友看完都惊呆了，太实用了！");
    assert_eq!(p.label_index(), bait, "{p:?}");
}

#[test]
fn training_rejects_empty_sets_and_single_labels() {
    let settings = ModelSettings::default();
    let path = Path::new("x.jsonl");
    let err = newsbait::cli::train(&[], path, &settings, &|_| {}).unwrap_err();
    assert!(
        err.to_string().starts_with("x.jsonl: no training examples"),
        "{err}"
    );

    let one_label: Vec<Example> = sample()
        .into_iter()
        .filter(|e| e.label.as_str() == "news")
        .collect();
    let err = newsbait::cli::train(&one_label, path, &settings, &|_| {}).unwrap_err();
    assert!(err.to_string().contains("at least two labels"), "{err}");

    let mut blank = sample();
    for e in &mut blank {
        e.text = " \u{3000} ".into();
    }
    let err = newsbait::cli::train(&blank, path, &settings, &|_| {}).unwrap_err();
    assert!(err.to_string().contains("no usable text"), "{err}");
}

#[test]
fn shipped_model_reads_the_example_page() {
    let model = Model::shipped().unwrap();
    let page = std::fs::read_to_string("examples/page.txt").unwrap();
    let paragraphs: Vec<String> = newsbait::split_paragraphs(&page)
        .into_iter()
        .map(|p| p.text.into())
        .collect();
    let labels: Vec<&str> = model
        .classify(&paragraphs, newsbait::Context::Page)
        .iter()
        .map(|p| model.label(p).as_str())
        .collect();
    // Two article paragraphs, then the 推荐阅读 heading and its list.
    let mut expected = vec!["news"; 2];
    expected.extend(vec!["clickbait"; paragraphs.len() - 2]);
    assert_eq!(labels, expected);
}

/// Counting runs in parallel over chunks of examples; the model must not depend
/// on how many threads there are. The sample is repeated so that it spans
/// several chunks.
#[test]
fn training_gives_the_same_bytes_with_one_or_two_threads() {
    let examples: Vec<Example> = sample()
        .iter()
        .cycle()
        .take(40 * sample().len())
        .cloned()
        .collect();
    let settings = ModelSettings::default();
    let bytes = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| train(&examples, &settings).to_bytes())
    };
    let one = bytes(1);
    assert_eq!(one, bytes(2));
    assert_eq!(one, bytes(3));
}
