//! Every reader, on arbitrary bytes, under both policies: it may return an
//! error, never panic, and what it returns is well formed.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use newsbait::{
    DataFormat, DocumentFormat, OnInvalid, for_each_document, read_examples_from};
use newsbait::cli::for_each_line_capped;

fuzz_target!(|data: &[u8]| {
    let path = Path::new("fuzz.in");
    for policy in [OnInvalid::Skip, OnInvalid::Error] {
        for format in [DataFormat::Jsonl, DataFormat::Tsv, DataFormat::Fasttext] {
            if let Ok(ex) = read_examples_from(path, data, format, policy) {
                for e in &ex.examples {
                    assert!(!e.label.as_str().trim().is_empty());
                }
                assert!(ex.stats.skipped() <= ex.stats.lines);
            }
        }
        for format in [DocumentFormat::Jsonl, DocumentFormat::Text] {
            let mut last_line = 0;
            let _ = for_each_document(path, data, format, policy, |doc| {
                for p in &doc.paragraphs {
                    assert!(p.line >= 1);
                    assert!(!p.text.trim().is_empty());
                }
                if let Some(r) = doc.record {
                    assert!(r > last_line, "records in order");
                    last_line = r;
                }
                Ok(())
            });
        }
        // A small line cap, to reach the overlong-line path.
        let _ = for_each_line_capped(path, data, policy, 64, |_, line| {
            assert!(line.len() <= 64);
            Ok(())
        });
    }
});
