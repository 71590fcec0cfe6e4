//! The same data and settings give a byte-identical model whatever the thread
//! count; classification output is in input order and the same for 1 and N
//! threads and any batch size.

use std::path::Path;
use std::process::Command;

use crate::common::*;
use newsbait::cli::output::{ClassifyOptions, OutputFormat, classify_inputs};

fn train_with_threads(dir: &Path, data: &Path, threads: usize, extra: &[&str]) -> Vec<u8> {
    let out = dir.join(format!("m{threads}.model"));
    let threads = threads.to_string();
    out_ok(&train(
        data,
        &out,
        &[&["--threads", &threads], extra].concat(),
    ));
    std::fs::read(out).unwrap()
}

#[test]
fn the_model_file_is_byte_identical_for_1_and_2_threads() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("train.jsonl");
    // More than one parallel chunk (256 paragraphs) of work.
    std::fs::write(&data, training_jsonl(30)).unwrap();
    for extra in [
        &[][..],
        &[
            "--char-ngrams",
            "2",
            "--variant",
            "complement",
            "--max-features",
            "300",
        ][..],
    ] {
        let one = train_with_threads(dir.path(), &data, 1, extra);
        let two = train_with_threads(dir.path(), &data, 2, extra);
        assert!(
            one == two,
            "models differ between 1 and 2 threads ({extra:?})"
        );
        assert_eq!(
            one,
            train_with_threads(dir.path(), &data, 1, extra),
            "not repeatable"
        );
    }
}

#[test]
fn classification_is_in_input_order_and_the_same_for_any_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let model = train_small_model(dir.path());
    let docs = dir.path().join("docs.jsonl");
    std::fs::write(&docs, documents_jsonl(1200)).unwrap();
    let outputs: Vec<String> = [1, 2, 4]
        .iter()
        .map(|t| {
            let o = run(Command::new(classify_bin())
                .arg("--model")
                .arg(&model)
                .args(["--format", "jsonl", "--threads", &t.to_string()])
                .arg(&docs));
            assert!(o.status.success(), "{}", stderr(&o));
            stdout(&o)
        })
        .collect();
    assert_eq!(outputs[0], outputs[1]);
    assert_eq!(outputs[0], outputs[2]);
    let ids: Vec<u64> = outputs[0]
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["id"]
                .as_u64()
                .unwrap()
        })
        .collect();
    assert_eq!(ids, (0..1200).collect::<Vec<u64>>());
}

/// The readers hold one line and the classifier one batch: a few MB of
/// documents give the same output for batch sizes 1, 7 and 512, and every
/// record comes out once, in order.
#[test]
fn batches_of_any_size_give_the_same_output() {
    let dir = tempfile::tempdir().unwrap();
    let model = newsbait::Model::load(train_small_model(dir.path())).unwrap();
    let docs = dir.path().join("docs.jsonl");
    let data = documents_jsonl(12_000);
    assert!(data.len() > 3 << 20);
    std::fs::write(&docs, &data).unwrap();
    let run_with = |batch_size: usize| {
        let mut out = Vec::new();
        let options = ClassifyOptions {
            output: OutputFormat::Tsv,
            batch_size,
            ..ClassifyOptions::default()
        };
        let stats =
            classify_inputs(&model, std::slice::from_ref(&docs), &options, &mut out).unwrap();
        assert_eq!(stats.documents, 12_000);
        String::from_utf8(out).unwrap()
    };
    let big = run_with(512);
    assert_eq!(run_with(1), big);
    assert_eq!(run_with(7), big);
    let records: Vec<usize> = big
        .lines()
        .skip(1)
        .map(|l| l.split('\t').nth(1).unwrap().parse().unwrap())
        .collect();
    assert!(records.windows(2).all(|w| w[0] <= w[1]));
    assert_eq!(records.last(), Some(&12_000));
}

/// The document reader never reads far ahead of the record it hands out.
#[test]
fn the_document_reader_streams() {
    use std::cell::Cell;
    use std::io::Read;
    use std::rc::Rc;
    struct Counting<R>(R, Rc<Cell<usize>>);
    impl<R: Read> Read for Counting<R> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.0.read(buf)?;
            self.1.set(self.1.get() + n);
            Ok(n)
        }
    }
    let data = documents_jsonl(20_000);
    let ends: Vec<usize> = data
        .lines()
        .scan(0, |end, l| {
            *end += l.len() + 1;
            Some(*end)
        })
        .collect();
    let read = Rc::new(Cell::new(0));
    let mut handed_out = 0usize;
    let mut max_ahead = 0usize;
    newsbait::for_each_document(
        Path::new("d.jsonl"),
        Counting(data.as_bytes(), read.clone()),
        newsbait::DocumentFormat::Jsonl,
        newsbait::OnInvalid::Error,
        |_| {
            handed_out += 1;
            let consumed = ends[handed_out - 1];
            max_ahead = max_ahead.max(read.get().saturating_sub(consumed));
            Ok(())
        },
    )
    .unwrap();
    assert_eq!(handed_out, 20_000);
    assert!(
        max_ahead <= 64 << 10,
        "read {max_ahead} bytes ahead of the record handed out"
    );
}

/// Pages of one site: the same five lines of chrome around three new lines.
fn crawl_jsonl(pages: usize) -> String {
    let chrome = [
        "首页 | 新闻 | 财经 | 体育 | 娱乐",
        "推荐阅读",
        "震惊!她竟然这样做,看完惊呆了",
        "版权所有 未经许可不得转载",
        "分享到:微博 微信",
    ];
    (0..pages)
        .map(|i| {
            let text = [
                chrome[0].to_string(),
                format!("国务院召开第{i}次常务会议,部署稳就业工作。"),
                format!("会议指出,第{i}季度各地要落实减税降费政策。"),
                chrome[1].to_string(),
                chrome[2].to_string(),
                format!("第{i}期:明星的秘密生活曝光"),
                chrome[3].to_string(),
                chrome[4].to_string(),
            ]
            .join("\n");
            serde_json::json!({ "id": i, "text": text }).to_string() + "\n"
        })
        .collect()
}

#[test]
fn the_paragraph_cache_changes_no_byte_of_the_output_for_any_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("crawl.jsonl");
    std::fs::write(&docs, crawl_jsonl(40)).unwrap();
    let classify = |extra: &[&str]| {
        let o = run(Command::new(classify_bin())
            .args(["--format", "jsonl", "--stats"])
            .args(extra)
            .arg(&docs));
        assert!(o.status.success(), "{}", stderr(&o));
        (stdout(&o), stderr(&o))
    };
    let (off, off_stats) = classify(&["--no-cache", "--threads", "1"]);
    assert!(off_stats.contains("cache: off"), "{off_stats}");
    assert_eq!(off.lines().count(), 40);
    for extra in [
        &["--threads", "1"][..],
        &["--threads", "2"][..],
        &["--cache-mb", "1", "--threads", "2"][..],
        &["--no-cache", "--threads", "2"][..],
    ] {
        assert!(classify(extra).0 == off, "output differs with {extra:?}");
    }
    // One thread: each of the 5 chrome lines misses once and then hits on
    // the 39 other pages; the 120 new lines all miss.
    let (_, stats) = classify(&["--threads", "1"]);
    assert!(
        stats.contains("40 documents, 320 paragraphs; cache: 60.9% of 320 paragraphs, 125 entries"),
        "{stats}"
    );
}
