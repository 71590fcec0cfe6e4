//! Bounded memory: paragraphs too long to hold are scored in pieces and
//! streamed through the writers (see `src/long.rs`).

use newsbait::{Context, DocumentFormat, Model, OnInvalid, PIECE_BYTES};
use serde_json::Value;

use crate::common::{CLICKBAIT, NEWS, classify_stdin, out_ok, read_documents};

/// A long paragraph of the test sentences, each ending in punctuation, with
/// full-width letters, spaces and a leading tag thrown in.
fn long_paragraph(sentences: &[&str], bytes: usize) -> String {
    let mut text = String::from("【快讯】");
    let mut i = 0;
    while text.len() < bytes {
        text.push_str(sentences[i % sentences.len()]);
        if i % 7 == 3 {
            text.push_str("ＧＤＰ增长７％！ 第");
            text.push_str(&i.to_string());
            text.push('期');
        }
        i += 1;
    }
    text
}

fn assert_close(a: &[f64], b: &[f64], tolerance: f64) {
    for (x, y) in a.iter().zip(b) {
        assert!(
            (x - y).abs() <= tolerance * x.abs().max(1.0),
            "{a:?} vs {b:?}"
        );
    }
}

#[test]
fn a_paragraph_scored_in_pieces_scores_as_the_whole() {
    let whole = Model::shipped().unwrap();
    let mut cut = Model::shipped().unwrap();
    for (sentences, bytes) in [(NEWS, 5000), (CLICKBAIT, 3000)] {
        let text = long_paragraph(sentences, bytes);
        let expected = whole.joint_log_likelihood(&text);
        // No run of more than 100 bytes without a boundary next to
        // punctuation (and not next to a space).
        for piece in [100, 257, 1000, 4096] {
            cut.set_piece_bytes(piece);
            let got = cut.joint_log_likelihood(&text);
            // Every cut falls after punctuation, where jieba splits anyway:
            // the same features, added in the same order.
            assert_close(&got, &expected, 1e-12);
            assert_eq!(
                cut.label(&cut.predict(&text)),
                whole.label(&whole.predict(&text))
            );
        }
    }
    // Without punctuation the cuts fall inside runs of ideographs, where the
    // words around a cut may change: close, and the same label.
    let text = "政府召开会议部署工作".repeat(300);
    let expected = whole.joint_log_likelihood(&text);
    cut.set_piece_bytes(1000);
    assert_close(&cut.joint_log_likelihood(&text), &expected, 1e-2);
    assert_eq!(
        cut.label(&cut.predict(&text)),
        whole.label(&whole.predict(&text))
    );
}

/// The documents (windows) a text input is read as.
fn text_documents(page: &str) -> Vec<newsbait::Document> {
    read_documents(
        "p.txt",
        page.as_bytes(),
        DocumentFormat::Text,
        OnInvalid::Error,
    )
    .unwrap()
    .0
}

/// A text page whose middle line is longer than [`PIECE_BYTES`].
fn page_with_long_line() -> (String, String) {
    let long = long_paragraph(NEWS, PIECE_BYTES + 300_000);
    let page = format!("{}\n推荐阅读\n{long}\n{}\n", NEWS[0], CLICKBAIT[0]);
    (page, long)
}

#[test]
fn a_line_too_long_to_hold_is_read_into_a_file_and_scored_as_in_memory() {
    let (page, long) = page_with_long_line();
    let docs = text_documents(&page);
    let doc = &docs[0];
    let lines: Vec<usize> = doc.paragraphs.iter().map(|p| p.line).collect();
    assert_eq!(lines, [1, 2, 3, 4]);
    let held = doc.long_text(2).expect("the long line is in a file");
    assert_eq!(held.len(), long.len() as u64);
    assert!(long.starts_with(doc.paragraphs[2].text.as_str()));
    assert!(doc.paragraphs[2].text.len() <= newsbait::HEAD_BYTES);
    assert!(doc.long_text(1).is_none());
    let mut back = String::new();
    held.for_each_piece(|p| {
        back.push_str(p);
        Ok(())
    })
    .unwrap();
    assert_eq!(back, long);

    let model = Model::shipped().unwrap();
    let texts: Vec<&str> = page.lines().collect();
    for context in [Context::Page, Context::Off] {
        let from_file = model.classify_document(doc, context).unwrap();
        let in_memory = model.classify(&texts, context);
        assert_eq!(from_file.len(), 4);
        for (a, b) in from_file.iter().zip(&in_memory) {
            assert_eq!(a.label_index(), b.label_index());
            assert_close(a.probabilities(), b.probabilities(), 1e-9);
        }
    }
}

#[test]
fn a_long_line_that_is_not_text_is_skipped_or_named() {
    let mut bad = "政府".repeat(PIECE_BYTES);
    bad.push_str("\u{0}x");
    let input = format!("{}\n{bad}\n{}\n", NEWS[0], NEWS[1]);
    let (docs, stats) = read_documents(
        "p.txt",
        input.as_bytes(),
        DocumentFormat::Text,
        OnInvalid::Skip,
    )
    .unwrap();
    assert_eq!(docs[0].paragraphs.len(), 2);
    assert_eq!(stats.skipped_invalid, 1);
    let mut bytes = "政府".repeat(PIECE_BYTES).into_bytes();
    bytes.extend_from_slice(b"\xE4\xB8");
    bytes.extend_from_slice(b"\n");
    let err = read_documents("p.txt", &bytes, DocumentFormat::Text, OnInvalid::Error)
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with(&format!(
            "p.txt:1: not valid UTF-8 at byte {} of the line",
            6 * PIECE_BYTES
        )),
        "{err}"
    );
}

fn classify(args: &[&str], input: &[u8]) -> String {
    out_ok(&classify_stdin(args, input))
}

#[test]
fn the_writers_stream_a_long_paragraph_whole() {
    let (page, long) = page_with_long_line();
    let mut with_tab = page.replacen("推荐阅读", "推荐\t阅读", 1);
    with_tab.push_str("\"引号\"与\\反斜杠\n");
    let jsonl = classify(&["-f", "jsonl", "-"], with_tab.as_bytes());
    let record: Value = serde_json::from_str(jsonl.trim_end()).unwrap();
    let paragraphs = record["paragraphs"].as_array().unwrap();
    let texts: Vec<&str> = paragraphs
        .iter()
        .map(|p| p["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts, with_tab.lines().collect::<Vec<_>>());
    assert_eq!(paragraphs[2]["line"], 3);
    assert!(paragraphs[2]["probs"]["news"].as_f64().unwrap() > 0.5);

    let tsv = classify(&["-f", "tsv", "-"], with_tab.as_bytes());
    let rows: Vec<&str> = tsv.lines().collect();
    assert_eq!(rows.len(), 6);
    assert_eq!(rows[3].rsplit('\t').next().unwrap(), long);
    assert!(rows[2].ends_with("推荐 阅读"));

    let kept = classify(&["--keep", "news", "-"], page.as_bytes());
    assert!(kept.lines().any(|l| l == long));
    let kept_jsonl = classify(&["--keep", "news", "-f", "jsonl", "-"], page.as_bytes());
    let record: Value = serde_json::from_str(kept_jsonl.trim_end()).unwrap();
    assert_eq!(
        record["text"].as_str().unwrap(),
        kept.trim_end_matches('\n')
    );
    assert_eq!(record["file"], "-");

    let text = classify(&["-"], page.as_bytes());
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with("3 "))
        .unwrap();
    assert!(line.ends_with('…') && line.chars().count() < 100, "{line}");
}

/// A text page of `n` short lines, news and clickbait in turn.
fn long_page(n: usize) -> String {
    (0..n)
        .map(|i| {
            let pool = if i % 3 == 0 { CLICKBAIT } else { NEWS };
            format!("{}{i}\n", pool[i % pool.len()])
        })
        .collect()
}

#[test]
fn a_long_document_is_read_in_overlapping_windows_deciding_each_paragraph_once() {
    use newsbait::{WINDOW_CONTEXT, WINDOW_PARAGRAPHS};
    let n = 2 * WINDOW_PARAGRAPHS + 500;
    let page = long_page(n);
    let docs = text_documents(&page);
    assert!(docs.len() >= 3, "{} windows", docs.len());
    let mut decided = Vec::new();
    for (k, doc) in docs.iter().enumerate() {
        let w = doc.window().expect("a window");
        assert_eq!((w.first, w.last), (k == 0, k + 1 == docs.len()));
        assert_eq!(w.before, if k == 0 { 0 } else { WINDOW_CONTEXT });
        assert_eq!(w.after, if w.last { 0 } else { WINDOW_CONTEXT });
        assert!(doc.paragraphs.len() <= WINDOW_PARAGRAPHS + 2 * WINDOW_CONTEXT);
        decided.extend(doc.decided().map(|i| doc.paragraphs[i].line));
        // The context is the neighbouring paragraphs.
        let lines: Vec<usize> = doc.paragraphs.iter().map(|p| p.line).collect();
        assert!(lines.windows(2).all(|w| w[1] == w[0] + 1));
    }
    assert_eq!(decided, (1..=n).collect::<Vec<_>>());
    // Below the bounds: one whole document, as before.
    let docs = text_documents(&long_page(100));
    assert_eq!((docs.len(), docs[0].window()), (1, None));
}

#[test]
fn the_writers_write_a_long_document_as_one() {
    let n = newsbait::WINDOW_PARAGRAPHS + 700;
    let page = long_page(n);
    let model = Model::shipped().unwrap();
    let lines: Vec<&str> = page.lines().collect();

    let jsonl = classify(&["--no-context", "-f", "jsonl", "-"], page.as_bytes());
    assert_eq!(jsonl.lines().count(), 1);
    let record: Value = serde_json::from_str(jsonl.trim_end()).unwrap();
    assert_eq!(record["file"], "-");
    let paragraphs = record["paragraphs"].as_array().unwrap();
    assert_eq!(paragraphs.len(), n);
    for (i, (p, text)) in paragraphs.iter().zip(&lines).enumerate() {
        assert_eq!(
            (p["line"].as_u64(), p["text"].as_str()),
            (Some(i as u64 + 1), Some(*text))
        );
        // On its own, each paragraph gets what the model gives it alone.
        let alone = model.label(&model.predict(text)).as_str();
        assert_eq!(p["label"].as_str(), Some(alone), "line {}", i + 1);
    }

    let with_context = classify(&["-f", "jsonl", "-"], page.as_bytes());
    let record: Value = serde_json::from_str(with_context.trim_end()).unwrap();
    let labels: Vec<&str> = record["paragraphs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels.len(), n);

    let tsv = classify(&["-f", "tsv", "-"], page.as_bytes());
    let rows: Vec<&str> = tsv.lines().collect();
    assert_eq!(rows.len(), n + 1);
    let tsv_labels: Vec<&str> = rows[1..]
        .iter()
        .map(|r| r.split('\t').nth(3).unwrap())
        .collect();
    assert_eq!(tsv_labels, labels);

    let text = classify(&["-"], page.as_bytes());
    assert_eq!(text.lines().filter(|l| l.starts_with("== ")).count(), 1);
    assert_eq!(text.lines().count(), n + 1);

    let kept = classify(&["--keep", "news", "-"], page.as_bytes());
    let expected: Vec<&str> = lines
        .iter()
        .zip(&labels)
        .filter(|(_, l)| **l == "news")
        .map(|(t, _)| *t)
        .collect();
    assert_eq!(kept.lines().collect::<Vec<_>>(), expected);
    let kept_jsonl = classify(&["--keep", "news", "-f", "jsonl", "-"], page.as_bytes());
    let record: Value = serde_json::from_str(kept_jsonl.trim_end()).unwrap();
    assert_eq!(record["text"].as_str().unwrap(), expected.join("\n"));

    // Blocks: a long block and a short one stay apart, each kept text
    // followed by one blank line.
    let blocks = format!("{page}\n{}\n{}\n", NEWS[1], NEWS[2]);
    let kept = classify(
        &["--input-format", "blocks", "--keep", "news", "-"],
        blocks.as_bytes(),
    );
    let parts: Vec<&str> = kept.split("\n\n").collect();
    assert_eq!(
        parts.len(),
        3,
        "{:?}",
        &kept[kept.len().saturating_sub(200)..]
    );
    assert_eq!(parts[0].lines().collect::<Vec<_>>(), expected);
}
