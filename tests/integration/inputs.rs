//! Input formats of `newsbait-classify`: HTML files, stdin and JSONL `html`
//! records, lines / blocks / TSV / fastText documents, directories, `--keep`
//! over several inputs. Small inputs written for these tests.

use std::path::Path;
use std::process::Output;

use serde_json::Value;

fn classify(args: &[&str], stdin: Option<&[u8]>) -> Output {
    crate::common::classify_stdin(args, stdin.unwrap_or_default())
}

fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn records(out: &str) -> Vec<Value> {
    out.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

const NEWS1: &str =
    "国务院常务会议今天召开，研究部署进一步稳定就业的政策措施，要求各地区各部门抓好落实。";
const NEWS2: &str = "会议指出，要加大对中小企业的支持力度，落实减税降费政策，保障重点群体就业。";

fn page() -> String {
    format!(
        "<html><head><meta charset=utf-8><title>会议</title></head><body>\
         <div class=nav><ul><li><a href=/>首页</a></li><li><a href=/n>新闻</a></li></ul></div>\
         <div id=article><h1>国务院召开常务会议</h1><p>{NEWS1}</p><p>{NEWS2}</p></div>\
         <div class=footer>版权所有 &copy; 2011</div></body></html>"
    )
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn html_file_by_extension_gives_blocks_with_index_and_path() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("page.html");
    std::fs::write(&file, page()).unwrap();
    let recs = records(&ok(&classify(&["-f", "jsonl", path(&file)], None)));
    assert_eq!(recs.len(), 1);
    let blocks = recs[0]["paragraphs"].as_array().unwrap();
    let texts: Vec<&str> = blocks.iter().map(|b| b["text"].as_str().unwrap()).collect();
    assert_eq!(
        texts,
        [
            "首页",
            "新闻",
            "国务院召开常务会议",
            NEWS1,
            NEWS2,
            "版权所有 © 2011"
        ]
    );
    assert_eq!(blocks[0]["block"], 1);
    assert_eq!(blocks[3]["block"], 4);
    assert_eq!(blocks[0]["tag"], "li");
    assert!(
        blocks[3]["path"]
            .as_str()
            .unwrap()
            .ends_with("div#article>p"),
        "{}",
        blocks[3]["path"]
    );
    assert!(blocks[3]["probs"]["news"].as_f64().unwrap() > 0.5);

    // --keep news: the cleaned article text.
    let kept = ok(&classify(&["--keep", "news", path(&file)], None));
    assert!(kept.contains(NEWS1) && kept.contains(NEWS2), "{kept}");
    assert!(!kept.contains("<p>"));

    // .htm and .xhtml too; text and TSV output.
    for ext in ["htm", "xhtml", "HTML"] {
        let f = dir.path().join(format!("p.{ext}"));
        std::fs::write(&f, page()).unwrap();
        let tsv = ok(&classify(&["-f", "tsv", path(&f)], None));
        assert_eq!(tsv.lines().count(), 7, "{ext}: {tsv}");
    }
}

#[test]
fn html_on_stdin_with_input_format_and_charset_detection() {
    let out = ok(&classify(
        &["--input-format", "html", "-f", "jsonl", "-"],
        Some(page().as_bytes()),
    ));
    assert_eq!(records(&out)[0]["paragraphs"].as_array().unwrap().len(), 6);

    // A GBK page without a declaration, from a file: the detector decodes it.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("gbk.html");
    let html = format!("<body><p>{NEWS1}</p><p>{NEWS2}</p></body>");
    let (bytes, _, _) = encoding_rs::GBK.encode(&html);
    std::fs::write(&file, &bytes).unwrap();
    let kept = ok(&classify(&["--keep", "news", path(&file)], None));
    assert!(kept.contains(NEWS1), "{kept}");
}

#[test]
fn jsonl_html_records_keep_adds_text_and_carries_fields() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("pages.ndjson");
    let html_only = serde_json::json!({"id": 1, "url": "http://x/1", "html": page()});
    let both = serde_json::json!({"id": 2, "html": page(), "text": "震惊！这个东西千万别再吃了"});
    let plain = serde_json::json!({"id": 3, "text": format!("{NEWS1}\n{NEWS2}")});
    std::fs::write(&file, format!("{html_only}\n{both}\n{plain}\n")).unwrap();

    let recs = records(&ok(&classify(&["--keep", "news", path(&file)], None)));
    assert_eq!(recs.len(), 3);
    for r in &recs[..2] {
        // The html field is kept, text holds the cleaned article: html wins.
        assert_eq!(r["html"].as_str().unwrap(), page());
        let text = r["text"].as_str().unwrap();
        assert!(text.contains(NEWS1) && text.contains(NEWS2), "{text}");
    }
    assert_eq!(recs[0]["url"], "http://x/1");
    assert!(recs[2]["text"].as_str().unwrap().contains(NEWS1));
    assert!(
        recs[2].get("file").is_none(),
        "JSONL records are written back as they were"
    );

    // Labels: blocks of the html records, the page not repeated.
    let recs = records(&ok(&classify(&["-f", "jsonl", path(&file)], None)));
    assert!(recs[0].get("html").is_none());
    assert_eq!(recs[0]["record"], 1);
    assert!(recs[0]["paragraphs"][0].get("path").is_some());
    assert!(recs[2]["paragraphs"][0].get("line").is_some());
}

#[test]
fn bad_html_is_an_error_naming_the_file_or_a_best_effort() {
    let dir = tempfile::tempdir().unwrap();
    let binary = dir.path().join("junk.html");
    std::fs::write(&binary, [0u8, 1, 2, 3, 0, 0, 7, 8].repeat(1000)).unwrap();
    let o = classify(&[path(&binary)], None);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("junk.html") && err.contains("binary"), "{err}");
    assert!(!err.contains("panicked"));

    // A non-string html field names its record's line.
    let file = dir.path().join("bad.jsonl");
    std::fs::write(&file, "{\"text\": \"x\"}\n{\"html\": 5}\n").unwrap();
    let o = classify(&["--on-invalid", "error", path(&file)], None);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        !o.status.success() && err.contains("bad.jsonl:2") && err.contains("html"),
        "{err}"
    );

    // Truncated and 100,000-deep pages: best effort, no panic.
    let truncated = dir.path().join("cut.html");
    std::fs::write(&truncated, &page().as_bytes()[..page().len() / 2]).unwrap();
    ok(&classify(&[path(&truncated)], None));
    let deep = dir.path().join("deep.html");
    std::fs::write(&deep, format!("{}<p>{NEWS1}</p>", "<div>".repeat(100_000))).unwrap();
    assert!(ok(&classify(&["--keep", "news", path(&deep)], None)).contains(NEWS1));
}

#[test]
fn lines_each_line_is_a_document() {
    let input = format!("{NEWS1}\n\n震惊！这个东西千万别再吃了，看完吓出一身冷汗\n{NEWS2}\n");
    let recs = records(&ok(&classify(
        &["--input-format", "lines", "-f", "jsonl", "-"],
        Some(input.as_bytes()),
    )));
    assert_eq!(recs.len(), 3);
    let lines: Vec<i64> = recs.iter().map(|r| r["record"].as_i64().unwrap()).collect();
    assert_eq!(lines, [1, 3, 4]);
    assert_eq!(recs[1]["paragraphs"][0]["label"], "clickbait");
    // Today's default for a .txt: the whole file one document.
    let recs = records(&ok(&classify(
        &["-f", "jsonl", "-"],
        Some(input.as_bytes()),
    )));
    assert_eq!(recs.len(), 1);
}

#[test]
fn blocks_blank_lines_separate_documents() {
    let input = format!("{NEWS1}\n{NEWS2}\n\n\n推荐阅读\n震惊！这个东西千万别再吃了\n");
    let recs = records(&ok(&classify(
        &["--input-format", "blocks", "-f", "jsonl", "-"],
        Some(input.as_bytes()),
    )));
    assert_eq!(recs.len(), 2);
    assert_eq!(recs[0]["paragraphs"].as_array().unwrap().len(), 2);
    assert_eq!(recs[1]["record"], 5);
    assert_eq!(recs[1]["paragraphs"][1]["line"], 6);
    // --keep keeps the documents apart.
    let kept = ok(&classify(
        &["--input-format", "blocks", "--keep", "news", "-"],
        Some(input.as_bytes()),
    ));
    assert!(kept.starts_with(&format!("{NEWS1}\n{NEWS2}\n\n")), "{kept}");
}

#[test]
fn tsv_and_fasttext_labels_are_ignored_and_a_header_skipped() {
    let tsv = format!("label\ttext\nclickbait\t{NEWS1}\nnews\t震惊！这个东西千万别再吃了\n");
    let recs = records(&ok(&classify(
        &["--input-format", "tsv", "-f", "jsonl", "-"],
        Some(tsv.as_bytes()),
    )));
    assert_eq!(recs.len(), 2, "the header row is no document");
    assert_eq!(recs[0]["paragraphs"][0]["text"], NEWS1);
    assert_eq!(
        recs[0]["paragraphs"][0]["label"], "news",
        "the label column is ignored"
    );
    let ft = format!("__label__clickbait {NEWS1}\n__label__news 震惊！这个东西千万别再吃了\n");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("d.fasttext");
    std::fs::write(&file, ft).unwrap();
    let recs = records(&ok(&classify(&["-f", "jsonl", path(&file)], None)));
    assert_eq!(recs.len(), 2);
    assert_eq!(recs[0]["paragraphs"][0]["text"], NEWS1);
}

#[test]
fn tsv_header_is_skipped_by_the_training_reader() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("train.tsv");
    std::fs::write(&file, "label\ttext\nnews\t国务院开会\nclickbait\t震惊\n").unwrap();
    let ex = newsbait::read_examples(&file, None, newsbait::OnInvalid::Error).unwrap();
    let labels: Vec<&str> = ex.examples.iter().map(|e| e.label().as_str()).collect();
    assert_eq!(labels, ["news", "clickbait"]);
    // Only on the first line: later, it is a record like any other.
    std::fs::write(&file, "news\t国务院开会\nlabel\ttext\n").unwrap();
    let ex = newsbait::read_examples(&file, None, newsbait::OnInvalid::Error).unwrap();
    assert_eq!(ex.examples.len(), 2);
}

#[test]
fn directories_are_read_recursively_by_extension_binary_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("a/b");
    std::fs::create_dir_all(&sub).unwrap();
    std::fs::write(dir.path().join("one.txt"), format!("{NEWS1}\n")).unwrap();
    std::fs::write(sub.join("two.html"), page()).unwrap();
    std::fs::write(
        sub.join("three.jsonl"),
        format!("{{\"text\": \"{NEWS2}\"}}\n"),
    )
    .unwrap();
    std::fs::write(sub.join("image.png"), [0x89u8, b'P', 0, 0]).unwrap();
    std::fs::write(sub.join("notes.md"), "not read").unwrap();
    std::fs::write(dir.path().join(".hidden.txt"), "hidden").unwrap();
    std::fs::write(sub.join("bin.txt"), b"abc\0def").unwrap();
    let o = classify(&["-f", "jsonl", path(dir.path())], None);
    let recs = records(&ok(&o));
    let files: Vec<&str> = recs.iter().map(|r| r["file"].as_str().unwrap()).collect();
    assert_eq!(files.len(), 3, "{files:?}");
    assert!(
        files[0].ends_with("a/b/three.jsonl")
            && files[1].ends_with("a/b/two.html")
            && files[2].ends_with("one.txt"),
        "{files:?}"
    );
    // Each file in its own format: the html file has blocks with paths.
    assert!(recs[1]["paragraphs"][0].get("path").is_some());
    assert!(recs[2]["paragraphs"][0].get("path").is_none());
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.matches("binary").count(), 1, "one warning: {err}");
    assert!(err.contains("bin.txt"), "{err}");

    let recs = records(&ok(&classify(
        &["-f", "jsonl", "--ext", "html", path(dir.path())],
        None,
    )));
    assert_eq!(recs.len(), 1);
}

#[test]
fn keep_over_several_inputs_keeps_each_boundary() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.txt");
    let b = dir.path().join("b.html");
    std::fs::write(&a, format!("{NEWS1}\n")).unwrap();
    std::fs::write(&b, page()).unwrap();
    let text = ok(&classify(&["--keep", "news", path(&a), path(&b)], None));
    assert!(
        text.starts_with(&format!("== {}\n{NEWS1}\n== {}\n", path(&a), path(&b))),
        "{text}"
    );
    let recs = records(&ok(&classify(
        &["--keep", "news", "-f", "jsonl", path(&a), path(&b)],
        None,
    )));
    assert_eq!(recs.len(), 2);
    assert_eq!(recs[0]["file"], path(&a));
    assert_eq!(recs[0]["text"], NEWS1);
    assert_eq!(recs[1]["file"], path(&b));
    assert!(recs[1]["text"].as_str().unwrap().contains(NEWS2));
    // One input: no header.
    let one = ok(&classify(&["--keep", "news", path(&a)], None));
    assert_eq!(one, format!("{NEWS1}\n"));
}

#[test]
fn help_names_the_formats() {
    let help = ok(&classify(&["--help"], None));
    let help = help.split_whitespace().collect::<Vec<_>>().join(" ");
    for needle in [
        ".ndjson",
        ".html",
        "--input-format lines",
        ".txt",
        "whole file one document",
        "--ext",
    ] {
        assert!(help.contains(needle), "--help lacks {needle}");
    }
}
