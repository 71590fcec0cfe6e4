//! Property tests: normalisation, paragraph splitting, the readers and scoring
//! on arbitrary input. Case counts are kept small so the suite stays fast.

use std::path::Path;
use std::sync::OnceLock;

use newsbait::ModelSettings;
use newsbait::{DataFormat, DocumentFormat, OnInvalid, for_each_document, read_examples_from};
use newsbait::{Example, Label, Model};
use newsbait::{Normalizer, split_paragraphs};
use proptest::prelude::*;

/// A small model trained in-process on the fixture lines, with page context.
fn model() -> &'static Model {
    static MODEL: OnceLock<Model> = OnceLock::new();
    MODEL.get_or_init(|| {
        let examples: Vec<Example> = crate::common::NEWS
            .iter()
            .map(|t| ("news", t))
            .chain(crate::common::CLICKBAIT.iter().map(|t| ("clickbait", t)))
            .map(|(l, t)| Example {
                label: Label::from(l),
                text: t.to_string(),
                fields: Default::default(),
            })
            .collect();
        let mut m = newsbait::cli::train(
            &examples,
            Path::new("fixture"),
            &ModelSettings::default(),
            &|_| {},
        )
        .unwrap();
        let pages = vec![
            serde_json::from_value(serde_json::json!({
                "page": "p",
                "lines": [
                    {"label": "news", "text": crate::common::NEWS[0]},
                    {"label": "clickbait", "text": "推荐阅读"},
                    {"label": "clickbait", "text": crate::common::CLICKBAIT[0]},
                ]
            }))
            .unwrap(),
        ];
        let markers = Some(("clickbait", vec!["推荐阅读".to_string()]));
        newsbait::cli::learn_context(&mut m, &pages, Path::new("pages"), markers).unwrap();
        m
    })
}

/// Text that looks like scraped pages: Chinese, ASCII, full-width, odd spaces,
/// separators, emoji, line ends of every kind.
fn pagey() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            Just("国务院召开会议".to_string()),
            Just("震惊！".to_string()),
            Just("ＧＤＰ１２３".to_string()),
            Just("\u{3000}".to_string()),
            Just("\r\n".to_string()),
            Just("\n".to_string()),
            Just("\r".to_string()),
            Just("-".to_string()),
            Just("——".to_string()),
            Just("\u{FEFF}".to_string()),
            Just("😀".to_string()),
            Just(" \t".to_string()),
            "\\PC{0,8}",
        ],
        0..24,
    )
    .prop_map(|parts| parts.concat())
}

fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![any::<String>(), pagey()]
}

fn assert_probabilities(probs: &[f64]) -> Result<(), TestCaseError> {
    prop_assert!(
        probs.iter().all(|p| p.is_finite() && *p >= 0.0),
        "{:?}",
        probs
    );
    prop_assert!(
        (probs.iter().sum::<f64>() - 1.0).abs() < 1e-9,
        "{:?}",
        probs
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn normalisation_is_idempotent(text in any_text()) {
        for n in [
            Normalizer::default(),
            Normalizer { fold_full_width: true, collapse_whitespace: false },
            Normalizer { fold_full_width: false, collapse_whitespace: true },
        ] {
            let once = n.normalize(&text);
            prop_assert_eq!(n.normalize(&once), once.clone());
            if n.collapse_whitespace {
                prop_assert!(!once.starts_with(' ') && !once.ends_with(' '));
                prop_assert!(!once.contains("  "));
            }
        }
    }

    #[test]
    fn splitting_keeps_each_paragraph_on_its_line(doc in any_text()) {
        let body = doc.strip_prefix('\u{FEFF}').unwrap_or(&doc);
        let lines: Vec<&str> = body.lines().collect();
        let ps = split_paragraphs(&doc);
        let mut last = 0;
        for p in &ps {
            prop_assert!(p.line > last, "lines in order");
            last = p.line;
            prop_assert_eq!(lines[p.line - 1], p.text.as_str());
            prop_assert!(!p.text.trim().is_empty());
        }
        // Every line with a letter or digit is a paragraph.
        let expected = lines.iter().filter(|l| l.chars().any(char::is_alphanumeric)).count();
        prop_assert_eq!(ps.len(), expected);
    }

    #[test]
    fn readers_never_panic_on_arbitrary_bytes(
        bytes in prop_oneof![
            prop::collection::vec(any::<u8>(), 0..600),
            pagey().prop_map(String::into_bytes),
            prop::collection::vec(
                prop_oneof![
                    Just(&b"{\"label\":\"news\",\"text\":\"x\"}"[..]),
                    Just(&b"{\"text\":5}"[..]),
                    Just(&b"__label__a b"[..]),
                    Just(&b"a\tb"[..]),
                    Just(&b"\n"[..]),
                    Just(&b"\r\n"[..]),
                    Just(&b"\xEF\xBB\xBF"[..]),
                    Just(&b"\xFF\0"[..]),
                    Just(&b"{"[..]),
                ],
                0..30,
            )
            .prop_map(|parts| parts.concat()),
        ]
    ) {
        let path = Path::new("prop.in");
        for policy in [OnInvalid::Skip, OnInvalid::Error] {
            for format in [DataFormat::Jsonl, DataFormat::Tsv, DataFormat::Fasttext] {
                if let Ok(ex) = read_examples_from(path, &bytes[..], format, policy) {
                    prop_assert!(ex.examples.iter().all(|e| !e.label.as_str().trim().is_empty()));
                    prop_assert!(ex.stats.skipped() <= ex.stats.lines);
                    if policy == OnInvalid::Error {
                        prop_assert_eq!(ex.stats.skipped(), 0);
                    }
                } else if policy == OnInvalid::Skip {
                    // Skipping never fails on bytes that come from memory.
                    prop_assert!(false, "skip policy failed");
                }
            }
            for format in [DocumentFormat::Jsonl, DocumentFormat::Text] {
                let mut last = 0;
                let r = for_each_document(path, &bytes[..], format, policy, |doc| {
                    if let Some(r) = doc.record {
                        assert!(r > last);
                        last = r;
                    }
                    Ok(())
                });
                prop_assert!(policy == OnInvalid::Error || r.is_ok());
            }
        }
    }

    #[test]
    fn scoring_gives_probabilities_that_sum_to_one(texts in prop::collection::vec(any_text(), 1..6)) {
        let m = model();
        for t in &texts {
            assert_probabilities(m.predict(t).probabilities())?;
        }
        for context in [true, false] {
            let preds = m.classify(&texts, if context { newsbait::Context::Page } else { newsbait::Context::Off });
            prop_assert_eq!(preds.len(), texts.len());
            for p in &preds {
                assert_probabilities(p.probabilities())?;
            }
        }
    }
}

#[test]
fn huge_paragraphs_and_unknown_words_have_finite_probabilities() {
    let huge_news: String = crate::common::NEWS
        .concat()
        .chars()
        .cycle()
        .take(100_000)
        .collect();
    let huge_bait: String = crate::common::CLICKBAIT
        .concat()
        .chars()
        .cycle()
        .take(100_000)
        .collect();
    let unknown: String = "ꙮ𝔘𝔫𝔨𝔫𝔬𝔴𝔫ᚠᚢᚦ".chars().cycle().take(100_000).collect();
    let m = model();
    let shipped = Model::shipped().unwrap();
    for model in [m, &shipped] {
        for text in [
            &huge_news,
            &huge_bait,
            &unknown,
            &"ꙮ".to_string(),
            &String::new(),
        ] {
            assert_distribution(model.predict(text).probabilities());
        }
        let doc = [
            huge_news.as_str(),
            "推荐阅读",
            huge_bait.as_str(),
            unknown.as_str(),
        ];
        for p in model.classify(&doc, newsbait::Context::Page) {
            assert_distribution(p.probabilities());
        }
    }
    let p = m.predict(&huge_news);
    assert_eq!(m.label(&p).as_str(), "news");
    let p = m.predict(&huge_bait);
    assert_eq!(m.label(&p).as_str(), "clickbait");
}

/// Probabilities that are finite and sum to 1.
fn assert_distribution(probs: &[f64]) {
    assert!(probs.iter().all(|x| x.is_finite()), "{probs:?}");
    assert!((probs.iter().sum::<f64>() - 1.0).abs() < 1e-9, "{probs:?}");
}
