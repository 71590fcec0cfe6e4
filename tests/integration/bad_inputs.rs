//! The bad-input catalogue of issue 6: each case gets a clear message (file,
//! line, what was wrong, what to do), a non-zero exit where the run cannot go
//! on, and never a panic.

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};

use crate::common::*;
use newsbait::cli::for_each_line;
use newsbait::{
    DataFormat, DocumentFormat, MAX_LINE_BYTES, OnInvalid, for_each_document, read_examples,
    read_examples_from,
};

/// Writes `data` to `dir/name` and trains on it into `dir/out.model`.
fn train_on(dir: &Path, name: &str, data: &[u8], extra: &[&str]) -> std::process::Output {
    let path = dir.join(name);
    std::fs::write(&path, data).unwrap();
    train(&path, &dir.join("out.model"), extra)
}

fn assert_clean_failure(o: &std::process::Output, needles: &[&str]) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(1), "exit status; stderr: {err}");
    assert!(!err.contains("panicked"), "{err}");
    for n in needles {
        assert!(err.contains(n), "stderr lacks {n:?}: {err}");
    }
}

fn good_lines() -> String {
    training_jsonl(1)
}

// ---- invalid UTF-8, NUL bytes, binary junk, BOM, CRLF ---------------------

#[test]
fn invalid_utf8_is_skipped_with_a_count_or_stops_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let mut data =
        b"{\"label\":\"news\",\"text\":\"ok\"}\n{\"label\":\"news\",\"text\":\"\xFF\xFE\"}\n"
            .to_vec();
    data.extend_from_slice(good_lines().as_bytes());
    let o = train_on(dir.path(), "d.jsonl", &data, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("d.jsonl: skipped 1 of 22 lines") && err.contains("line 2: not valid UTF-8"),
        "{err}"
    );
    assert!(err.contains("--on-invalid error"), "{err}");

    let o = train_on(dir.path(), "d.jsonl", &data, &["--on-invalid", "error"]);
    assert_clean_failure(
        &o,
        &[
            "d.jsonl:2: not valid UTF-8 at byte",
            "re-encode the file as UTF-8",
        ],
    );
}

#[test]
fn nul_bytes_and_binary_junk_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let mut data = good_lines().into_bytes();
    data.extend_from_slice(b"{\"label\":\"news\",\"text\":\"a\0b\"}\n");
    let o = train_on(dir.path(), "d.jsonl", &data, &["--on-invalid", "error"]);
    assert_clean_failure(
        &o,
        &["d.jsonl:21: holds NUL bytes (is this a binary file?)"],
    );

    // Pure binary junk, no line ends: every line skipped, then nothing to train on.
    let junk: Vec<u8> = (0..200_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let o = train_on(dir.path(), "junk.jsonl", &junk, &[]);
    assert_clean_failure(
        &o,
        &[
            "junk.jsonl: no training examples: all 782 lines were skipped",
            "junk.jsonl: skipped",
        ],
    );
    // Without a telling name, the format cannot be guessed.
    let junk: Vec<u8> = junk.iter().map(|b| b | 0x80).collect();
    let o = train_on(dir.path(), "junk.bin", &junk, &[]);
    assert_clean_failure(&o, &["junk.bin:1: cannot tell the format", "--format"]);
}

#[test]
fn bom_and_crlf_are_invisible() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.tsv");
    std::fs::write(&path, "\u{FEFF}news\t国务院开会\r\nclickbait\t震惊\r\n\r\n").unwrap();
    let ex = read_examples(&path, None, OnInvalid::Error).unwrap();
    let got: Vec<(&str, &str)> = ex
        .examples
        .iter()
        .map(|e| (e.label.as_str(), e.text.as_str()))
        .collect();
    assert_eq!(got, [("news", "国务院开会"), ("clickbait", "震惊")]);

    // Documents: a BOM'd CRLF text file gives clean paragraphs with their lines.
    let (docs, _) = crate::common::read_documents(
        "p.txt",
        "\u{FEFF}标题\r\n\r\n正文\r\n".as_bytes(),
        DocumentFormat::Text,
        OnInvalid::Error,
    )
    .unwrap();
    let ps: Vec<(usize, &str)> = docs[0]
        .paragraphs
        .iter()
        .map(|p| (p.line, p.text.as_str()))
        .collect();
    assert_eq!(ps, [(1, "标题"), (3, "正文")]);
}

// ---- empty, blank, huge ----------------------------------------------------

#[test]
fn empty_and_blank_training_files_say_so() {
    let dir = tempfile::tempdir().unwrap();
    for (name, data) in [("empty.jsonl", ""), ("blank.jsonl", "\n  \n\r\n\t\n")] {
        let o = train_on(dir.path(), name, data.as_bytes(), &[]);
        assert_clean_failure(
            &o,
            &[&format!("{name}: no training examples: the file is empty")],
        );
    }
}

#[test]
fn empty_and_blank_documents_give_empty_output() {
    let dir = tempfile::tempdir().unwrap();
    for (name, data) in [("empty.jsonl", ""), ("blank.jsonl", "\n\n \n")] {
        let path = dir.path().join(name);
        std::fs::write(&path, data).unwrap();
        let o = run(Command::new(classify_bin()).arg(&path));
        assert!(o.status.success(), "{}", stderr(&o));
        assert_eq!(stdout(&o), "");
        assert_eq!(stderr(&o), "");
    }
    let path = dir.path().join("empty.txt");
    std::fs::write(&path, "").unwrap();
    let o = run(Command::new(classify_bin()).arg(&path));
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn a_single_50_mb_line_is_read_whole() {
    // One JSONL record of 50 MB: a page of many paragraphs on one line.
    let para = "国务院召开常务会议，部署稳就业工作。";
    let mut text = String::with_capacity(51 << 20);
    while text.len() < 50 << 20 {
        text.push_str(para);
        text.push_str("\\n");
    }
    let line = format!("{{\"id\":1,\"text\":\"{text}\"}}\n");
    let mut seen = Vec::new();
    let stats = for_each_line(
        Path::new("big.jsonl"),
        line.as_bytes(),
        OnInvalid::Error,
        |n, l| {
            seen.push((n, l.len()));
            Ok(())
        },
    )
    .unwrap();
    assert_eq!(stats.lines, 1);
    assert_eq!(seen, [(1, line.len() - 1)]);
    let mut paragraphs = 0;
    for_each_document(
        Path::new("big.jsonl"),
        line.as_bytes(),
        DocumentFormat::Jsonl,
        OnInvalid::Error,
        |d| {
            paragraphs += d.paragraphs.len();
            Ok(())
        },
    )
    .unwrap();
    assert_eq!(paragraphs, text.len() / (para.len() + 2));
}

#[test]
fn a_line_longer_than_the_cap_is_skipped_or_named_without_being_held() {
    // A "file" with no line end, longer than the cap, streamed from a reader.
    let junk = std::io::repeat(b'x').take((MAX_LINE_BYTES + 1000) as u64);
    let tail = &b"\n{\"text\":\"ok\"}\n"[..];
    let mut docs = 0;
    let stats = for_each_document(
        Path::new("j.jsonl"),
        junk.chain(tail),
        DocumentFormat::Jsonl,
        OnInvalid::Skip,
        |_| {
            docs += 1;
            Ok(())
        },
    )
    .unwrap();
    assert_eq!((docs, stats.skipped_overlong), (1, 1));
    let warning = stats.warning(Path::new("j.jsonl")).unwrap();
    assert!(
        warning.contains("line 1: the line is longer than 128 MiB"),
        "{warning}"
    );
    // Counted as too long, not as "not UTF-8".
    assert!(
        warning.contains("(0 not UTF-8 text, 0 malformed records, 1 too long)"),
        "{warning}"
    );
    let junk = std::io::repeat(b'x').take((MAX_LINE_BYTES + 1) as u64);
    let err =
        for_each_line(Path::new("j.jsonl"), junk, OnInvalid::Error, |_, _| Ok(())).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("j.jsonl:1: the line is longer than 128 MiB"),
        "{err}"
    );
}

// ---- malformed records -----------------------------------------------------

const MALFORMED: &[(&str, &str)] = &[
    ("{\"label\":\"news\",\"text\":\"x\"", "not a JSON object"),
    ("[1, 2]", "not a JSON object"),
    ("{\"label\":\"news\"}", "the record has no \"text\" field"),
    (
        "{\"label\":\"news\",\"text\":42}",
        "\"text\" must be a string, found a number",
    ),
    (
        "{\"label\":\"news\",\"text\":null}",
        "\"text\" must be a string, found null",
    ),
    ("{\"label\":\"  \",\"text\":\"x\"}", "the label is empty"),
    ("{\"text\":\"x\"}", "the record has no \"label\" field"),
];

#[test]
fn malformed_training_records_are_skipped_with_a_warning_or_stop_the_run() {
    let dir = tempfile::tempdir().unwrap();
    // Every case through the reader, two of them through the binary (each run
    // of a test build costs a second or two).
    for (record, message) in MALFORMED {
        let data = format!("{}{record}\n", good_lines());
        let path = Path::new("m.jsonl");
        let ex =
            read_examples_from(path, data.as_bytes(), DataFormat::Jsonl, OnInvalid::Skip).unwrap();
        assert_eq!((ex.examples.len(), ex.stats.skipped_malformed), (20, 1));
        let warning = ex.stats.warning(path).unwrap();
        assert!(
            warning.contains(&format!("line 21: {message}")),
            "{warning}"
        );
        let err = read_examples_from(path, data.as_bytes(), DataFormat::Jsonl, OnInvalid::Error)
            .unwrap_err();
        let err = err.to_string();
        assert!(err.starts_with(&format!("m.jsonl:21: {message}")), "{err}");
    }
    for (record, message) in [MALFORMED[0], MALFORMED[3]] {
        let data = format!("{}{record}\n", good_lines());
        let o = train_on(dir.path(), "m.jsonl", data.as_bytes(), &[]);
        assert!(o.status.success(), "{record}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(
            err.contains("skipped 1 of 21 lines (0 not UTF-8 text, 1 malformed records)"),
            "{err}"
        );
        assert!(
            err.contains(&format!("line 21: {message}")),
            "{record}: {err}"
        );

        let o = train_on(
            dir.path(),
            "m.jsonl",
            data.as_bytes(),
            &["--on-invalid", "error"],
        );
        assert_clean_failure(&o, &[&format!("m.jsonl:21: {message}")]);
    }
    // The same in TSV and fastText.
    for (name, line, message) in [
        (
            "m.tsv",
            "no tab here",
            "m.tsv:3: expected `label<TAB>text`, found no tab",
        ),
        ("m.tsv", " \ttext", "m.tsv:3: the label is empty"),
        (
            "m.txt",
            "plain text",
            "m.txt:3: expected `__label__NAME text`",
        ),
    ] {
        let good = if name.ends_with("tsv") {
            "news\t国务院开会\nclickbait\t震惊了\n"
        } else {
            "__label__news 国务院开会\n__label__clickbait 震惊了\n"
        };
        let o = train_on(
            dir.path(),
            name,
            format!("{good}{line}\n").as_bytes(),
            &["--on-invalid", "error"],
        );
        assert_clean_failure(&o, &[message]);
    }
}

#[test]
fn malformed_documents_are_skipped_with_a_warning_or_stop_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("docs.jsonl");
    let mut data = documents_jsonl(2);
    for (record, _) in MALFORMED
        .iter()
        .filter(|(r, _)| !r.contains("label\":\"news\",\"text\":\"x\"}"))
    {
        data.push_str(record);
        data.push('\n');
    }
    data.push_str(&documents_jsonl(1));
    std::fs::write(&path, &data).unwrap();
    let o = run(Command::new(classify_bin())
        .arg(&path)
        .args(["--format", "jsonl"]));
    assert!(o.status.success(), "{}", stderr(&o));
    let records: Vec<u64> = stdout(&o)
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["record"]
                .as_u64()
                .unwrap()
        })
        .collect();
    // Documents without a string text (records 3..=6) are skipped; the rest come through.
    let skipped = data.lines().count() - records.len();
    assert_eq!(records.first(), Some(&1));
    assert_eq!(*records.last().unwrap() as usize, data.lines().count());
    let err = stderr(&o);
    assert!(
        err.contains(&format!("docs.jsonl: skipped {skipped} of")),
        "{err}"
    );
    assert!(err.contains("line 3: not a JSON object"), "{err}");

    let o = run(Command::new(classify_bin())
        .arg(&path)
        .args(["--on-invalid", "error"]));
    assert_clean_failure(&o, &["docs.jsonl:3: not a JSON object"]);
}

// ---- training sets that cannot give a model -------------------------------

#[test]
fn one_label_or_no_usable_text_stops_training() {
    let dir = tempfile::tempdir().unwrap();
    let o = train_on(
        dir.path(),
        "one.tsv",
        "news\t国务院开会\nnews\t部署工作\n".as_bytes(),
        &[],
    );
    assert_clean_failure(
        &o,
        &[
            "one.tsv: every example has the label \"news\"",
            "add examples of another label",
        ],
    );
    let o = train_on(
        dir.path(),
        "none.tsv",
        "news\t   \nclickbait\t——\nnews\t!!!\n".as_bytes(),
        &[],
    );
    assert_clean_failure(&o, &["none.tsv: no usable text"]);
    assert!(!dir.path().join("out.model").exists());
}

// ---- model files -----------------------------------------------------------

#[test]
fn damaged_model_files_are_named_and_explained() {
    let dir = tempfile::tempdir().unwrap();
    let model = train_small_model(dir.path());
    let good = std::fs::read(&model).unwrap();
    let doc = dir.path().join("page.txt");
    std::fs::write(&doc, "国务院开会\n").unwrap();
    let mut corrupted = good.clone();
    let mid = corrupted.len() / 2;
    corrupted[mid] ^= 0x20;
    let mut other_version = good.clone();
    other_version[8] = 99;
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "truncated",
            good[..good.len() - 10].to_vec(),
            "the file is truncated or has trailing bytes",
        ),
        ("header-only", good[..10].to_vec(), "not a newsbait model"),
        (
            "corrupted",
            corrupted,
            "the model is corrupted (its checksum does not match); retrain it or copy it again",
        ),
        (
            "version",
            other_version,
            "model format version 99 is newer than this newsbait reads (versions 5 to 6)",
        ),
        (
            "text",
            b"news\tthis is a TSV file, not a model\n".to_vec(),
            "not a newsbait model",
        ),
        ("empty", Vec::new(), "not a newsbait model"),
    ];
    for (name, bytes, message) in cases {
        let path = dir.path().join(format!("{name}.model"));
        std::fs::write(&path, bytes).unwrap();
        let o = run(Command::new(classify_bin())
            .arg("--model")
            .arg(&path)
            .arg(&doc));
        assert_clean_failure(&o, &[&format!("{name}.model: {message}")]);
    }
    let o = run(Command::new(classify_bin())
        .arg("--model")
        .arg(dir.path().join("missing.model"))
        .arg(&doc));
    assert_clean_failure(&o, &["missing.model: No such file or directory"]);
}

// ---- outputs that cannot be written ----------------------------------------

#[test]
fn an_unwritable_output_path_fails_before_training() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d.jsonl");
    std::fs::write(&data, good_lines()).unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    for out in [
        dir.path().join("no-such-dir/m.model"),
        file.join("m.model"),
        dir.path().to_path_buf(),
    ] {
        let o = train(&data, &out, &[]);
        assert_clean_failure(
            &o,
            &[
                &format!("{}: cannot write", out.display()),
                "choose another path",
            ],
        );
    }
    assert_eq!(std::fs::read(&file).unwrap(), b"x");
}

#[test]
fn a_full_disk_is_an_error_not_a_half_file() {
    if !Path::new("/dev/full").exists() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d.jsonl");
    std::fs::write(&data, good_lines()).unwrap();
    let o = run(Command::new(train_bin())
        .arg("--data")
        .arg(&data)
        .args(["--out", "/dev/full"]));
    assert_clean_failure(&o, &["/dev/full: cannot write: No space left on device"]);
    // The device is still a device: nothing was renamed over it.
    use std::os::unix::fs::FileTypeExt;
    assert!(
        std::fs::metadata("/dev/full")
            .unwrap()
            .file_type()
            .is_char_device()
    );

    let docs = dir.path().join("docs.jsonl");
    std::fs::write(&docs, documents_jsonl(50)).unwrap();
    let o = Command::new(classify_bin())
        .arg(&docs)
        .stdin(Stdio::null())
        .stdout(
            std::fs::OpenOptions::new()
                .write(true)
                .open("/dev/full")
                .unwrap(),
        )
        .output()
        .unwrap();
    assert_clean_failure(&o, &["No space left on device"]);
}

#[test]
fn a_closed_pipe_ends_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("big.jsonl");
    std::fs::write(&docs, documents_jsonl(3000)).unwrap();
    let mut child = Command::new(classify_bin())
        .arg(&docs)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Like `| head -c 100`: read a little, then close the pipe.
    let mut first = [0u8; 100];
    child
        .stdout
        .as_mut()
        .unwrap()
        .read_exact(&mut first)
        .unwrap();
    drop(child.stdout.take());
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stderr(&o), "");

    // The shell form, when there is a shell.
    let script = format!(
        "{} {} | head -n 2 >/dev/null; echo ${{PIPESTATUS[0]}}",
        classify_bin(),
        docs.display()
    );
    if let Ok(o) = Command::new("bash")
        .arg("-c")
        .arg(&script)
        .stdin(Stdio::null())
        .output()
    {
        assert_eq!(stdout(&o).trim(), "0", "{}", stderr(&o));
        assert_eq!(stderr(&o), "");
    }
}

// ---- the readers, directly -------------------------------------------------

#[test]
fn readers_report_the_line_of_each_problem() {
    let data = b"{\"label\":\"a\",\"text\":\"x\"}\n\xFF\n{\"label\":\"a\"}\n{\"label\":\"b\",\"text\":\"y\"}\n";
    let ex = read_examples_from(
        Path::new("t.jsonl"),
        &data[..],
        DataFormat::Jsonl,
        OnInvalid::Skip,
    )
    .unwrap();
    assert_eq!(ex.examples.len(), 2);
    assert_eq!(
        (ex.stats.skipped_invalid, ex.stats.skipped_malformed),
        (1, 1)
    );
    assert_eq!(ex.stats.first_skipped.as_ref().map(|s| s.0), Some(2));
    let err = read_examples_from(
        Path::new("t.jsonl"),
        &data[..],
        DataFormat::Jsonl,
        OnInvalid::Error,
    )
    .unwrap_err();
    assert!(
        err.to_string().starts_with("t.jsonl:2: not valid UTF-8"),
        "{err}"
    );
}

#[test]
fn classify_writes_nothing_partial_to_a_failing_writer() {
    // A writer that fails after some bytes: the error names the output.
    struct Failing(usize);
    impl Write for Failing {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if self.0 < buf.len() {
                return Err(std::io::Error::other("device gone"));
            }
            self.0 -= buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("d.jsonl");
    std::fs::write(&docs, documents_jsonl(10)).unwrap();
    let model = newsbait::Model::load(train_small_model(dir.path())).unwrap();
    let err = newsbait::cli::output::classify_inputs(
        &model,
        &[docs],
        &newsbait::cli::output::ClassifyOptions::default(),
        &mut Failing(500),
    )
    .unwrap_err();
    assert!(err.to_string().contains("device gone"), "{err}");
}

#[test]
fn a_big_file_given_as_a_model_is_not_read_whole() {
    // A sparse 4 GB file: reading it whole would take seconds and 4 GB of memory.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.jsonl");
    let f = std::fs::File::create(&path).unwrap();
    f.set_len(4 << 30).unwrap();
    let start = std::time::Instant::now();
    let err = newsbait::Model::load(&path).unwrap_err().to_string();
    assert!(err.contains("big.jsonl: not a newsbait model"), "{err}");
    assert!(start.elapsed() < std::time::Duration::from_secs(2));
}
