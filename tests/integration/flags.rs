//! Everyday flags of the binaries (issue 14): user errors without backtraces,
//! eval's usage, the probability digits of text output, classify's JSONL read
//! back by eval, thresholds, top labels, explanations, newsbait-info.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::common::{
    CLICKBAIT, NEWS, classify_bin, classify_with, eval_bin, out_ok, run, stderr, train, train_bin,
    train_small_model, write_doc,
};

/// Writes `records` (label, text, source) as training JSONL.
fn write_labelled(path: &Path, records: &[(&str, &str)]) {
    let mut s = String::new();
    for (i, (label, text)) in records.iter().enumerate() {
        let source = if i % 2 == 0 { "a" } else { "b" };
        s.push_str(
            &serde_json::json!({"label": label, "text": text, "source": source}).to_string(),
        );
        s.push('\n');
    }
    std::fs::write(path, s).unwrap();
}

#[test]
fn user_errors_print_no_backtrace() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.model");
    std::fs::write(&bad, b"not a model").unwrap();
    let cases: Vec<Output> = vec![
        run(Command::new(classify_bin())
            .arg("no-such-page.txt")
            .env("RUST_BACKTRACE", "1")),
        run(Command::new(classify_bin())
            .arg("--model")
            .arg(&bad)
            .arg("examples/page.txt")
            .env("RUST_BACKTRACE", "full")),
        run(Command::new(train_bin())
            .args(["--data", "no-such.jsonl", "--out"])
            .arg(dir.path().join("m.model"))
            .env("RUST_BACKTRACE", "1")),
        run(Command::new(eval_bin())
            .args(["--data", "no-such.jsonl"])
            .env("RUST_BACKTRACE", "1")),
    ];
    for o in &cases {
        let err = stderr(o);
        assert_eq!(o.status.code(), Some(1), "{err}");
        assert!(err.starts_with("error: "), "{err}");
        assert!(!err.to_lowercase().contains("stack backtrace"), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
    }
}

#[test]
fn eval_usage_names_data_or_pages() {
    let o = run(&mut Command::new(eval_bin()));
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("--data <DATA>|--pages <PAGES>"), "{err}");
    let help = out_ok(&run(Command::new(eval_bin()).arg("--help")));
    let help = help.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        help.contains("binary junk, malformed records): skip them"),
        "{help}"
    );
}

#[test]
fn help_is_wrapped_alike_and_examples_are_whole() {
    for bin in [classify_bin(), train_bin(), eval_bin()] {
        let help = out_ok(&run(Command::new(bin).arg("--help")));
        let options = help.split("Examples:\n").next().unwrap();
        let long = options.lines().filter(|l| l.chars().count() > 100).count();
        assert_eq!(long, 0, "{bin}: lines over 100 columns:\n{help}");
        // Every example line is one whole command.
        if let Some((_, examples)) = help.split_once("Examples:\n") {
            for line in examples.lines().filter(|l| !l.trim().is_empty()) {
                assert!(
                    line.trim_start().starts_with("newsbait-")
                        || line.trim_start().starts_with("cat "),
                    "{bin}: {line:?}"
                );
            }
        }
    }
}

#[test]
fn text_output_never_rounds_to_one() {
    let o = run(Command::new(classify_bin()).arg("examples/page.txt"));
    let out = out_ok(&o);
    assert!(!out.contains(" 1.000"), "{out}");
    let line = out.lines().nth(1).unwrap();
    let prob = line.split_whitespace().nth(2).unwrap();
    assert!(
        prob == ">0.9999" || (prob.len() == 6 && prob.starts_with("0.")),
        "{line}"
    );
    let help = out_ok(&run(Command::new(classify_bin()).arg("--help")));
    assert!(help.contains("posteriors"), "{help}");
}

/// 20 labelled records, a small model, and the model's path.
fn twenty_records(dir: &Path) -> (PathBuf, PathBuf) {
    let model = train_small_model(dir);
    let mut records = Vec::new();
    for i in 0..10 {
        records.push(("news", NEWS[i]));
        records.push(("clickbait", CLICKBAIT[(i * 3) % 10]));
    }
    // Two wrong-looking ones, so that the figures are not all perfect.
    records[3] = ("news", "猜你喜欢：这些小窍门让你的生活轻松一半");
    records[6] = (
        "clickbait",
        "统计局发布数据，前三季度全市工业增加值同比增长",
    );
    let data = dir.join("data.jsonl");
    write_labelled(&data, &records);
    (data, model)
}

fn report(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap()).unwrap()
}

#[test]
fn classify_jsonl_is_read_back_by_eval_predictions() {
    let dir = tempfile::tempdir().unwrap();
    let (data, model) = twenty_records(dir.path());
    let preds = dir.path().join("preds.jsonl");
    let out = out_ok(&classify_with(&model, &["-f", "jsonl"], &data));
    assert_eq!(out.lines().count(), 20);
    std::fs::write(&preds, out).unwrap();
    let own = dir.path().join("own");
    let theirs = dir.path().join("theirs");
    out_ok(&run(Command::new(eval_bin())
        .arg("--model")
        .arg(&model)
        .arg("--data")
        .arg(&data)
        .arg("--out")
        .arg(&own)
        .arg("-q")));
    out_ok(&run(Command::new(eval_bin())
        .arg("--predictions")
        .arg(&preds)
        .arg("--data")
        .arg(&data)
        .arg("--out")
        .arg(&theirs)
        .arg("-q")));
    let (own, theirs) = (report(&own), report(&theirs));
    assert_eq!(own["data"]["metrics"], theirs["data"]["metrics"]);
    assert_eq!(own["data"]["groups"], theirs["data"]["groups"]);
    assert_eq!(theirs["data"]["metrics"]["n"], 20);
}

/// A paragraph the model scores, on its own, with p(clickbait) in (lo, hi):
/// a news sentence and a teaser cut at every length, joined.
fn paragraph_with_p(model: &Path, lo: f64, hi: f64) -> (String, f64) {
    let model = newsbait::Model::load(model).unwrap();
    let c = model.label_index("clickbait").unwrap();
    for news in NEWS {
        for bait in CLICKBAIT {
            let bait: Vec<char> = bait.chars().collect();
            for cut in 1..bait.len() {
                let text = format!("{news}{}", bait[..cut].iter().collect::<String>());
                let p = model.predict(&text).probabilities()[c];
                if p > lo && p < hi {
                    return (text, p);
                }
            }
        }
    }
    panic!("no paragraph with p(clickbait) in ({lo}, {hi})");
}

fn labels_of_jsonl(out: &str) -> Vec<String> {
    out.lines()
        .flat_map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["paragraphs"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["label"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn threshold_flips_a_paragraph_near_it() {
    let dir = tempfile::tempdir().unwrap();
    let model = train_small_model(dir.path());
    let (text, p) = paragraph_with_p(&model, 0.52, 0.68);
    let doc = write_doc(dir.path(), &[&text]);
    let label_at = |threshold: &str, extra: &[&str]| {
        let out = out_ok(&run(Command::new(classify_bin())
            .arg("--model")
            .arg(&model)
            .args(["-f", "jsonl", "--threshold", threshold])
            .args(extra)
            .arg(&doc)));
        labels_of_jsonl(&out)
    };
    assert_eq!(label_at("0.5", &[]), ["clickbait"], "p = {p}");
    assert_eq!(label_at("0.7", &[]), ["news"], "p = {p}");
    // The positive label can be the other one: p(news) = 1 - p.
    assert_eq!(
        label_at("0.3", &["--positive", "news"]),
        ["news"],
        "p = {p}"
    );
    assert_eq!(
        label_at("0.5", &["--positive", "news"]),
        ["clickbait"],
        "p = {p}"
    );
    // --keep follows the threshold.
    let kept = out_ok(&classify_with(
        &model,
        &["--keep", "news", "--threshold", "0.7"],
        &doc,
    ));
    assert_eq!(kept.trim(), text);
    let bad = run(Command::new(classify_bin()).args([
        "--threshold",
        "0.5",
        "--positive",
        "sports",
        "examples/page.txt",
    ]));
    assert_eq!(bad.status.code(), Some(1));
    assert!(stderr(&bad).contains("clickbait, news"), "{}", stderr(&bad));
}

const SPORTS: &[&str] = &[
    "主队在加时赛中以三比二击败客队，晋级半决赛。",
    "国家队公布世界杯预选赛大名单，多名新人入选。",
    "男子百米决赛中，他以九秒八七的成绩夺得冠军。",
    "篮球联赛常规赛收官，八支球队进入季后赛。",
    "女排在决胜局中顽强逆转，卫冕联赛冠军。",
];

/// A model with three labels (news, clickbait, sports), trained by the binary.
fn three_label_model(dir: &Path) -> PathBuf {
    let mut records = Vec::new();
    for i in 0..3 {
        for t in NEWS {
            records.push(("news".to_string(), format!("{t}{i}")));
        }
        for t in CLICKBAIT {
            records.push(("clickbait".to_string(), format!("{t}{i}")));
        }
        for t in SPORTS {
            records.push(("sports".to_string(), format!("{t}{i}")));
        }
    }
    let refs: Vec<(&str, &str)> = records
        .iter()
        .map(|(l, t)| (l.as_str(), t.as_str()))
        .collect();
    let data = dir.join("three.jsonl");
    write_labelled(&data, &refs);
    let model = dir.join("three.model");
    out_ok(&train(&data, &model, &[]));
    model
}

#[test]
fn top_k_labels_in_text_tsv_and_jsonl() {
    let dir = tempfile::tempdir().unwrap();
    let model = three_label_model(dir.path());
    let doc = write_doc(dir.path(), &[NEWS[0], SPORTS[1], CLICKBAIT[2]]);
    let classify = |format: &str| out_ok(&classify_with(&model, &["-k", "2", "-f", format], &doc));
    let jsonl = classify("jsonl");
    let record: serde_json::Value = serde_json::from_str(jsonl.lines().next().unwrap()).unwrap();
    let paragraphs = record["paragraphs"].as_array().unwrap();
    let expected = ["news", "sports", "clickbait"];
    for (p, want) in paragraphs.iter().zip(expected) {
        let top = p["top"].as_array().unwrap();
        assert_eq!(top.len(), 2, "{p}");
        assert_eq!(top[0]["label"], want, "{p}");
        assert_ne!(top[0]["label"], top[1]["label"]);
        let (p0, p1) = (
            top[0]["prob"].as_f64().unwrap(),
            top[1]["prob"].as_f64().unwrap(),
        );
        assert!(p0 >= p1, "{p}");
        assert_eq!(
            p["probs"][top[1]["label"].as_str().unwrap()]
                .as_f64()
                .unwrap(),
            p1
        );
    }
    let tsv = classify("tsv");
    let header: Vec<&str> = tsv.lines().next().unwrap().split('\t').collect();
    assert_eq!(
        header,
        [
            "file",
            "record",
            "line",
            "label",
            "p_clickbait",
            "p_news",
            "p_sports",
            "top1",
            "p_top1",
            "top2",
            "p_top2",
            "text"
        ]
    );
    let rows: Vec<Vec<&str>> = tsv
        .lines()
        .skip(1)
        .map(|l| l.split('\t').collect())
        .collect();
    assert_eq!(rows.len(), 3);
    for (row, want) in rows.iter().zip(expected) {
        assert_eq!((row[3], row[7]), (want, want), "{row:?}");
        assert_ne!(row[9], want);
    }
    let text = classify("text");
    let lines: Vec<&str> = text.lines().skip(1).collect();
    assert_eq!(lines.len(), 3, "{text}");
    for (line, want) in lines.iter().zip(expected) {
        let list = line.split_once('[').unwrap().1.split_once(']').unwrap().0;
        let pairs: Vec<&str> = list.split(", ").collect();
        assert_eq!(pairs.len(), 2, "{line}");
        assert!(pairs[0].starts_with(want), "{line}");
    }
}

#[test]
fn explain_gives_n_features_that_agree_with_the_label() {
    let dir = tempfile::tempdir().unwrap();
    let model = train_small_model(dir.path());
    let doc = write_doc(dir.path(), &[NEWS[1], CLICKBAIT[0]]);
    let out = out_ok(&classify_with(
        &model,
        &["--explain=3", "-f", "jsonl", "--no-context"],
        &doc,
    ));
    let record: serde_json::Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    let paragraphs = record["paragraphs"].as_array().unwrap();
    let labels: Vec<&str> = paragraphs
        .iter()
        .map(|p| p["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["news", "clickbait"]);
    for p in paragraphs {
        let explain = p["explain"].as_array().unwrap();
        assert_eq!(explain.len(), 3, "{p}");
        let weights: Vec<f64> = explain
            .iter()
            .map(|e| e["weight"].as_f64().unwrap())
            .collect();
        assert!(
            weights.iter().all(|&w| w > 0.0),
            "{p}: pushes towards its label"
        );
        assert!(weights.windows(2).all(|w| w[0] >= w[1]), "{p}");
        assert!(
            explain
                .iter()
                .all(|e| !e["feature"].as_str().unwrap().is_empty())
        );
    }
    // Text: one `explain:` line under each paragraph, with N signed weights.
    let text = out_ok(&classify_with(&model, &["--explain=2"], &doc));
    let explains: Vec<&str> = text
        .lines()
        .filter(|l| l.trim_start().starts_with("explain: "))
        .collect();
    assert_eq!(explains.len(), 2, "{text}");
    for l in explains {
        assert_eq!(l.matches(" +").count(), 2, "{l}");
    }
    // A bare --explain gives 5.
    let out = out_ok(&classify_with(&model, &["--explain", "-f", "jsonl"], &doc));
    let record: serde_json::Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    assert_eq!(
        record["paragraphs"][0]["explain"].as_array().unwrap().len(),
        5
    );
}

#[test]
fn info_shows_the_shipped_model() {
    let info_bin = env!("CARGO_BIN_EXE_newsbait-info");
    let file = std::fs::read("models/newsbait.model").unwrap();
    let version = u32::from_le_bytes(file[8..12].try_into().unwrap());
    let json: serde_json::Value =
        serde_json::from_str(&out_ok(&run(Command::new(info_bin).arg("--json")))).unwrap();
    assert_eq!(json["format_version"], version);
    assert_eq!(json["labels"], serde_json::json!(["clickbait", "news"]));
    assert_eq!(json["bytes"], file.len() as u64);
    let features = json["features"].as_u64().unwrap();
    assert!(features > 100_000, "{json}");
    assert!(json["page_context"].is_object(), "{json}");
    let text = out_ok(&run(Command::new(info_bin).arg("models/newsbait.model")));
    assert!(text.contains(&format!("version {version}")), "{text}");
    assert!(text.contains("2 (clickbait, news)"), "{text}");
    assert!(text.contains(&features.to_string()), "{text}");
    assert!(text.contains("page context    yes"), "{text}");
    // A model trained without --pages has none.
    let dir = tempfile::tempdir().unwrap();
    let model = train_small_model(dir.path());
    let text = out_ok(&run(Command::new(info_bin).arg(&model)));
    assert!(text.contains("page context    no"), "{text}");
    let bad = run(Command::new(info_bin)
        .arg("README.md")
        .env("RUST_BACKTRACE", "1"));
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        stderr(&bad).starts_with("error: README.md"),
        "{}",
        stderr(&bad)
    );
}

#[test]
fn a_model_without_page_context_says_so_once() {
    let dir = tempfile::tempdir().unwrap();
    let model = train_small_model(dir.path());
    let docs = dir.path().join("docs.jsonl");
    std::fs::write(&docs, crate::common::documents_jsonl(3)).unwrap();
    let note = "has no page context";
    let o = classify_with(&model, &[], &docs);
    out_ok(&o);
    assert_eq!(stderr(&o).matches(note).count(), 1, "{}", stderr(&o));
    let o = classify_with(&model, &["--no-context"], &docs);
    out_ok(&o);
    assert!(!stderr(&o).contains(note), "{}", stderr(&o));
    // One paragraph a document: context would not have been used.
    let single = dir.path().join("single.txt");
    std::fs::write(&single, "市政府召开常务会议\n").unwrap();
    let o = classify_with(&model, &[], &single);
    out_ok(&o);
    assert!(!stderr(&o).contains(note), "{}", stderr(&o));
    // The shipped model has page context.
    let o = run(Command::new(classify_bin()).arg("examples/page.txt"));
    out_ok(&o);
    assert!(!stderr(&o).contains(note), "{}", stderr(&o));
}

#[test]
fn a_threshold_chosen_at_training_is_the_model_default_and_shown_by_info() {
    use crate::common::{CLICKBAIT, NEWS, train_bin, training_jsonl};
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("train.jsonl");
    std::fs::write(&data, training_jsonl(2)).unwrap();
    let held_out = dir.path().join("held-out.jsonl");
    let records: Vec<(&str, &str)> = NEWS
        .iter()
        .map(|t| ("news", *t))
        .chain(CLICKBAIT.iter().map(|t| ("clickbait", *t)))
        .collect();
    write_labelled(&held_out, &records);
    let model = dir.path().join("t.model");
    let trained = run(Command::new(train_bin())
        .arg("--data")
        .arg(&data)
        .arg("--calibrate")
        .arg(&held_out)
        .arg("--choose-threshold")
        .arg("--out")
        .arg(&model));
    assert!(trained.status.success(), "{}", stderr(&trained));
    assert!(
        stderr(&trained).contains("chose threshold"),
        "{}",
        stderr(&trained)
    );
    assert!(
        stderr(&trained).contains("data hash"),
        "{}",
        stderr(&trained)
    );
    let info_bin = env!("CARGO_BIN_EXE_newsbait-info");
    let json: serde_json::Value = serde_json::from_str(&out_ok(&run(Command::new(info_bin)
        .arg("--json")
        .arg(&model))))
    .unwrap();
    assert_eq!(json["format_version"], 6);
    assert_eq!(json["threshold"]["label"], "clickbait");
    assert_eq!(
        json["threshold"]["chosen_on"],
        held_out.display().to_string()
    );
    let at = json["threshold"]["at"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&at), "{json}");
    let hash = json["training"]["data_hash"].as_str().unwrap();
    assert!(
        hash.len() == 32 && hash.chars().all(|c| c.is_ascii_hexdigit()),
        "{json}"
    );
    let text = out_ok(&run(Command::new(info_bin).arg(&model)));
    assert!(text.contains(&format!("data hash       {hash}")), "{text}");
    assert!(text.contains("threshold       "), "{text}");
    // Classify without --threshold decides at the model's; --threshold overrides it.
    let lines = dir.path().join("lines.txt");
    std::fs::write(
        &lines,
        records.iter().map(|r| r.1).collect::<Vec<_>>().join("\n"),
    )
    .unwrap();
    let classify = |extra: &[&str]| -> Vec<(String, f64)> {
        let out = out_ok(&run(Command::new(classify_bin())
            .args([
                "--input-format",
                "lines",
                "--no-context",
                "-f",
                "jsonl",
                "--model",
            ])
            .arg(&model)
            .args(extra)
            .arg(&lines)));
        out.lines()
            .map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).unwrap();
                let p = &v["paragraphs"][0];
                (
                    p["label"].as_str().unwrap().to_string(),
                    p["probs"]["clickbait"].as_f64().unwrap(),
                )
            })
            .collect()
    };
    for (label, p) in classify(&[]) {
        assert_eq!(label == "clickbait", p >= at, "{label} {p} at {at}");
    }
    assert!(
        classify(&["--threshold", "0"])
            .iter()
            .all(|(l, _)| l == "clickbait")
    );
}
