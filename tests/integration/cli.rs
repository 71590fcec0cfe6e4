//! The binaries end to end, as a user runs them.

use std::path::Path;
use std::process::Command;

use crate::common::*;

/// Trains on the project's sample set into a temporary directory.
fn trained_model(dir: &Path) -> String {
    let model = dir.join("sample.model");
    out_ok(&train(Path::new("training-data/sample.jsonl"), &model, &[]));
    model.to_str().unwrap().to_string()
}

#[test]
fn train_then_classify_with_expected_labels() {
    let dir = tempfile::tempdir().unwrap();
    let model = trained_model(dir.path());
    let doc = write_doc(
        dir.path(),
        &[
            "市政府召开常务会议，研究部署防汛工作",
            "—",
            "网友看完都惊呆了，太实用了！",
        ],
    );
    let out = out_ok(&classify_with(model.as_ref(), &["--format", "tsv"], &doc));
    let rows: Vec<Vec<&str>> = out.lines().map(|l| l.split('\t').collect()).collect();
    assert_eq!(
        rows[0],
        [
            "file",
            "record",
            "line",
            "label",
            "p_clickbait",
            "p_news",
            "text"
        ]
    );
    assert_eq!(rows.len(), 3, "{out}");
    assert_eq!((rows[1][2], rows[1][3]), ("1", "news"));
    assert_eq!((rows[2][2], rows[2][3]), ("3", "clickbait"));
    for row in &rows[1..] {
        let p: f64 = row[4].parse::<f64>().unwrap() + row[5].parse::<f64>().unwrap();
        assert!((p - 1.0).abs() < 1e-5);
    }
}

#[test]
fn keep_news_prints_the_cleaned_document() {
    let o = run_args(classify_bin(), &["--keep", "news", "examples/page.txt"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let page = std::fs::read_to_string("examples/page.txt").unwrap();
    let first_two: Vec<&str> = page.lines().take(2).collect();
    assert_eq!(stdout(&o).lines().collect::<Vec<_>>(), first_two);
}

#[test]
fn jsonl_documents_keep_their_fields() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("docs.jsonl");
    std::fs::write(
        &input,
        "{\"id\": \"a1\", \"url\": \"http://x\", \"text\": \"国务院召开常务会议，部署稳就业工作。\\n震惊！她竟然这样做，网友看完惊呆了\"}\n",
    )
    .unwrap();
    let o = run_args(
        classify_bin(),
        &["--format", "jsonl", input.to_str().unwrap()],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(v["id"], "a1");
    assert_eq!(v["url"], "http://x");
    assert_eq!(v["record"], 1);
    let labels: Vec<&str> = v["paragraphs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["news", "clickbait"]);

    // --keep on JSONL keeps the record and replaces its text.
    let o = run_args(classify_bin(), &["--keep", "news", input.to_str().unwrap()]);
    let v: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(v["id"], "a1");
    assert_eq!(v["text"], "国务院召开常务会议，部署稳就业工作。");
}

#[test]
fn stdin_and_directories_are_inputs() {
    let mut child = Command::new(classify_bin())
        .args(["--format", "tsv", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all("国务院召开常务会议\n".as_bytes())
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(stdout(&o).contains("-\t\t1\tnews\t"), "{}", stdout(&o));

    let o = run_args(classify_bin(), &["examples/"]);
    assert!(o.status.success());
    assert!(stdout(&o).starts_with("== examples/page.txt"));
}

#[test]
fn malformed_training_line_names_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("bad.jsonl");
    std::fs::write(
        &data,
        "{\"label\":\"news\",\"text\":\"国务院\"}\n{\"label\":\"clickbait\",\"text\":\"震惊\"\n",
    )
    .unwrap();
    let out = dir.path().join("m.model");
    // Stopping at the first bad line names it.
    let o = train(&data, &out, &["--on-invalid", "error"]);
    assert!(!o.status.success());
    let err = stderr(&o);
    assert!(
        err.contains(&format!("{}:2: not a JSON object", data.display())),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    assert!(!out.exists());
    // By default the line is skipped with a warning that names it; what is
    // left here has one label, which is an error of its own.
    let o = train(&data, &out, &[]);
    let err = stderr(&o);
    assert!(err.contains("line 2"), "{err}");
    assert!(err.contains("at least two labels"), "{err}");
    assert!(!out.exists());
}

#[test]
fn empty_and_single_label_training_sets_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("m.model");
    for (name, content, needle) in [
        ("empty.tsv", "\n\n", "no training examples"),
        (
            "one.tsv",
            "news\t国务院\nnews\t会议\n",
            "at least two labels",
        ),
    ] {
        let data = dir.path().join(name);
        std::fs::write(&data, content).unwrap();
        let o = train(&data, &out, &[]);
        assert!(!o.status.success());
        assert!(stderr(&o).contains(needle), "{}", stderr(&o));
        assert!(!out.exists());
    }
}

#[test]
fn alpha_zero_is_refused_and_training_prints_no_debug_output() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("m.model");
    let o = train(
        Path::new("training-data/sample.jsonl"),
        &out,
        &["--alpha", "0"],
    );
    assert!(!o.status.success());
    assert!(stderr(&o).contains("alpha must be a positive number"));

    let o = train(Path::new("training-data/sample.jsonl"), &out, &[]);
    assert!(o.status.success());
    // linfa-bayes 0.8.1 dbg!-prints its histograms; users must never see them.
    let err = stderr(&o);
    assert!(
        !err.contains("ClassHistogram") && !err.contains("[src/"),
        "{err}"
    );
    assert!(err.contains("wrote"), "{err}");
}

#[test]
fn bad_model_files_give_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let model = trained_model(dir.path());
    let bytes = std::fs::read(&model).unwrap();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "truncated.model",
            bytes[..bytes.len() / 2].to_vec(),
            "truncated",
        ),
        (
            "text.model",
            b"just some text".to_vec(),
            "not a newsbait model",
        ),
        (
            "corrupt.model",
            {
                let mut b = bytes.clone();
                let last = b.len() - 1;
                b[last] ^= 0xFF;
                b
            },
            "corrupted",
        ),
        (
            "future.model",
            {
                let mut b = bytes.clone();
                b[8] = 99;
                b
            },
            "format version 99",
        ),
    ];
    for (name, content, needle) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, content).unwrap();
        let o = run_args(
            classify_bin(),
            &["--model", path.to_str().unwrap(), "examples/page.txt"],
        );
        assert!(!o.status.success());
        let err = stderr(&o);
        assert!(err.contains(name) && err.contains(needle), "{err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}

#[test]
fn unknown_keep_label_is_an_error() {
    let o = run_args(classify_bin(), &["--keep", "sports", "examples/page.txt"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("clickbait, news"), "{}", stderr(&o));
}

#[test]
fn a_missing_input_is_named_once() {
    let o = Command::new(classify_bin())
        .arg("no-such-page.txt")
        .env("RUST_BACKTRACE", "0")
        .output()
        .unwrap();
    assert!(!o.status.success());
    let err = stderr(&o);
    assert!(err.contains("no-such-page.txt: No such file"), "{err}");
    // The cause is part of the message, not repeated as "Caused by".
    assert_eq!(err.matches("No such file").count(), 1, "{err}");
}
