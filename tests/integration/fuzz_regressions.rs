//! Inputs the fuzzers (fuzz/, `cargo fuzz run readers|model_bytes`) found to
//! crash newsbait, kept so the fixes stay fixed. Each file in
//! tests/fuzz-regressions/<target>/ is run the way its fuzz target runs it.

use std::path::Path;

use newsbait::Model;
use newsbait::cli::for_each_line_capped;
use newsbait::cli::frame;
use newsbait::{DataFormat, DocumentFormat, OnInvalid, for_each_document, read_examples_from};

fn inputs(target: &str) -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz-regressions")
        .join(target);
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files.iter().map(|f| std::fs::read(f).unwrap()).collect()
}

#[test]
fn model_bytes_regressions() {
    let found = inputs("model_bytes");
    assert!(!found.is_empty());
    for data in found {
        let _ = Model::from_bytes(&data);
        match Model::from_bytes(&frame(&data)) {
            Ok(model) => {
                for text in ["国务院召开常务会议", "震惊!看完惊呆了", ""] {
                    let p = model.predict(text);
                    assert!(
                        p.probabilities().iter().all(|x| x.is_finite()),
                        "{:?}",
                        p.probabilities()
                    );
                    assert!((p.probabilities().iter().sum::<f64>() - 1.0).abs() < 1e-6);
                }
                for p in model.classify(
                    &["推荐阅读", "国务院召开常务会议", "震惊"],
                    newsbait::Context::Page,
                ) {
                    assert!(
                        p.probabilities().iter().all(|x| x.is_finite()),
                        "{:?}",
                        p.probabilities()
                    );
                }
            }
            Err(e) => assert!(e.to_string().starts_with("<bytes>: "), "{e}"),
        }
    }
}

#[test]
fn readers_regressions() {
    for data in inputs("readers") {
        let path = Path::new("fuzz.in");
        for policy in [OnInvalid::Skip, OnInvalid::Error] {
            for format in [DataFormat::Jsonl, DataFormat::Tsv, DataFormat::Fasttext] {
                let _ = read_examples_from(path, &data[..], format, policy);
            }
            for format in [DocumentFormat::Jsonl, DocumentFormat::Text] {
                let _ = for_each_document(path, &data[..], format, policy, |_| Ok(()));
            }
            let _ = for_each_line_capped(path, &data[..], policy, 64, |_, _| Ok(()));
        }
    }
}
