use super::extract::{Interner, feature_value};
use super::hashing::{feature_hash, hash_str};
use super::keys::{FeatureKey, Kind, pack, unpack};
use super::{FeatureSettings, LengthNorm, Vocabulary};

fn plain() -> FeatureSettings {
    FeatureSettings::plain()
}

fn words_only() -> FeatureSettings {
    FeatureSettings {
        word_bigrams: false,
        ..plain()
    }
}

#[test]
fn keys_round_trip_through_packing() {
    let k = pack(Kind::WordPair, 123_456, (1 << 30) - 1);
    assert_eq!(unpack(k), (2, 123_456, (1 << 30) - 1));
}

#[test]
fn counts_words_and_pairs() {
    let settings = plain();
    let mut interner = Interner::default();
    let feats = interner.features("", &["a", "b", "a", "b"], &settings);
    // words a×2, b×2; pairs (a b)×2, (b a)×1
    let mut values: Vec<f64> = feats.iter().map(|&(_, v)| v).collect();
    values.sort_by(f64::total_cmp);
    assert_eq!(values, [1.0, 2.0, 2.0, 2.0]);
}

#[test]
fn vectorize_matches_training_features_and_skips_unknowns() {
    let settings = plain();
    let mut interner = Interner::default();
    let feats = interner.features("", &["经济", "增长", "稳定"], &settings);
    let keys: Vec<FeatureKey> = feats.iter().map(|&(k, _)| k).collect();
    let vocab = interner.vocabulary(&keys);
    assert_eq!(vocab.len(), 5);
    let v = vocab.vectorize("", &["经济", "增长", "未知", "稳定"], &settings);
    let names: Vec<String> = v.iter().map(|&(c, _)| vocab.describe(c)).collect();
    // "增长 未知" and "未知 稳定" are unknown pairs; "增长 稳定" is not adjacent.
    assert_eq!(names, ["经济", "增长", "稳定", "经济 增长"]);
}

#[test]
fn scoring_table_sums_what_vectorize_gives() {
    let text = "好 好 新闻 很 好 !";
    let words = ["好", "好", "新闻", "很", "好", "未知"];
    for settings in [
        plain(),
        FeatureSettings {
            shape: true,
            char_ngrams: 2,
            length_norm: LengthNorm::L2,
            ..plain()
        },
        FeatureSettings {
            log_counts: true,
            length_norm: LengthNorm::None,
            ..plain()
        },
    ] {
        let mut interner = Interner::default();
        let feats = interner.features(text, &words[..5], &settings);
        let keys: Vec<FeatureKey> = feats.iter().map(|&(k, _)| k).collect();
        let vocab = interner.vocabulary(&keys);
        // Two classes with weights that differ per column, one of them negative.
        let weights: Vec<Vec<f64>> = (0..2)
            .map(|c| {
                (0..vocab.len())
                    .map(|j| f64::from((j as f32 + 1.5) * if c == 0 { -0.25 } else { 0.75 }))
                    .collect()
            })
            .collect();
        let x = vocab.vectorize(text, &words, &settings);
        let expected: Vec<f64> = weights
            .iter()
            .map(|w| x.iter().map(|&(j, v)| v * w[j as usize]).sum())
            .collect();
        let mut sums = vec![0.0; 2];
        vocab.score_into(
            &vocab.scoring_table(&weights),
            text,
            &words,
            &settings,
            &mut sums,
        );
        for (s, e) in sums.iter().zip(&expected) {
            assert!((s - e).abs() <= 1e-12 * e.abs(), "{s} against {e}");
        }
        assert!(sums.iter().all(|s| *s != 0.0));
    }
}

/// Shape tokens the vocabulary lacks are left out of the score, as
/// `vectorize` leaves them out, whatever the number of classes: the scoring
/// table's slots for them, found once, must agree with a lookup.
#[test]
fn shape_tokens_the_vocabulary_lacks_score_nothing() {
    let settings = FeatureSettings {
        shape: true,
        length_norm: LengthNorm::L2,
        ..plain()
    };
    let mut interner = Interner::default();
    let feats = interner.features("【快讯】好 新闻!", &["好", "新闻"], &settings);
    let keys: Vec<FeatureKey> = feats.iter().map(|&(k, _)| k).collect();
    let vocab = interner.vocabulary(&keys);
    for classes in [2, 3] {
        let weights: Vec<Vec<f64>> = (0..classes)
            .map(|c| {
                (0..vocab.len())
                    .map(|j| f64::from((j as f32 + 0.5) * (c as f32 - 0.75)))
                    .collect()
            })
            .collect();
        let table = vocab.scoring_table(&weights);
        for (text, words) in [
            ("【快讯】好 新闻!", &["好", "新闻"][..]),
            ("某地发布通知 居民可申请补贴? 好", &["某地", "好"][..]),
            ("2020 news...", &["新闻"][..]),
        ] {
            let x = vocab.vectorize(text, words, &settings);
            let expected: Vec<f64> = weights
                .iter()
                .map(|w| x.iter().map(|&(j, v)| v * w[j as usize]).sum())
                .collect();
            let mut sums = vec![0.0; classes];
            vocab.score_into(&table, text, words, &settings, &mut sums);
            for (s, e) in sums.iter().zip(&expected) {
                assert!((s - e).abs() <= 1e-12 * e.abs(), "{text}: {s} against {e}");
            }
        }
    }
}

#[test]
fn every_byte_of_a_token_changes_its_hash() {
    // Every string of `a`s and `b`s up to 12 bytes: the short-token loads
    // overlap, and the long ones end with an overlapping 8-byte step.
    let mut seen = std::collections::HashSet::new();
    for len in 0..=12u32 {
        for bits in 0..1u32 << len {
            let s: String = (0..len)
                .map(|i| if bits >> i & 1 == 1 { 'b' } else { 'a' })
                .collect();
            assert!(seen.insert(hash_str(&s)), "{s:?} collides");
        }
    }
    assert_ne!(hash_str("国务院"), hash_str("国务"));
    assert_ne!(
        feature_hash(Kind::Word, hash_str("好"), 0),
        feature_hash(Kind::Shape, hash_str("好"), 0)
    );
}

#[test]
fn log_counts_dampen_repeats() {
    let settings = FeatureSettings {
        log_counts: true,
        ..words_only()
    };
    let mut interner = Interner::default();
    let feats = interner.features("", &["好", "好", "好"], &settings);
    let keys: Vec<FeatureKey> = feats.iter().map(|&(k, _)| k).collect();
    let vocab = interner.vocabulary(&keys);
    let v = vocab.vectorize("", &["好", "好", "好"], &settings);
    assert_eq!(v.len(), 1);
    assert!((v[0].1 - 4f64.ln()).abs() < 1e-12);
    assert_eq!(feature_value(feats[0].0, 3.0, &settings), v[0].1);
}

#[test]
fn shape_weight_scales_shape_tokens_only_in_training_and_scoring() {
    let settings = FeatureSettings {
        shape: true,
        shape_weight: 2.5,
        ..words_only()
    };
    let text = "甲乙 丙";
    let words = ["甲乙", "丙"];
    let mut interner = Interner::default();
    let feats = interner.features(text, &words, &settings);
    let keys: Vec<FeatureKey> = feats.iter().map(|&(k, _)| k).collect();
    let vocab = interner.vocabulary(&keys);
    let v = vocab.vectorize(text, &words, &settings);
    assert_eq!(v.len(), feats.len());
    for &(c, value) in &v {
        let expected = if vocab.describe(c).starts_with('@') {
            2.5
        } else {
            1.0
        };
        assert_eq!(value, expected, "{}", vocab.describe(c));
        // Training gives the feature the same value.
        assert_eq!(feature_value(keys[c as usize], 1.0, &settings), expected);
    }
    assert!(v.iter().any(|&(c, _)| vocab.describe(c) == "@has:space"));
    // Scaled to unit length, a word and a shape token keep the ratio 1 : 2.5.
    let l2 = FeatureSettings {
        length_norm: LengthNorm::L2,
        ..settings
    };
    let v = vocab.vectorize(text, &words, &l2);
    let norm: f64 = v.iter().map(|&(_, x)| x * x).sum::<f64>().sqrt();
    assert!((norm - 1.0).abs() < 1e-12);
    let word = v
        .iter()
        .find(|&&(c, _)| vocab.describe(c) == "丙")
        .unwrap()
        .1;
    let shape = v
        .iter()
        .find(|&&(c, _)| vocab.describe(c) == "@has:space")
        .unwrap()
        .1;
    assert!((shape / word - 2.5).abs() < 1e-12);
}

#[test]
fn char_ngrams_are_separate_from_words() {
    let settings = FeatureSettings {
        char_ngrams: 2,
        ..words_only()
    };
    let mut interner = Interner::default();
    let feats = interner.features("好吃 吗", &["好吃", "吗"], &settings);
    let keys: Vec<FeatureKey> = feats.iter().map(|&(k, _)| k).collect();
    let vocab = interner.vocabulary(&keys);
    let mut names: Vec<String> = (0..vocab.len() as u32).map(|c| vocab.describe(c)).collect();
    names.sort();
    assert_eq!(names, ["#吃吗", "#好吃", "吗", "好吃"]);
}

#[test]
fn vocabulary_survives_its_stored_parts() {
    let settings = plain();
    let mut interner = Interner::default();
    let feats = interner.features("", &["甲", "乙"], &settings);
    let keys: Vec<FeatureKey> = feats.iter().map(|&(k, _)| k).collect();
    let vocab = interner.vocabulary(&keys);
    // What the model file stores: the token bytes, where each token ends, the keys.
    let (blob, ends, features) = vocab.parts();
    assert_eq!((blob, ends), ("甲乙", &[3, 6][..]));
    let back = Vocabulary::from_parts(blob.to_string(), ends.to_vec(), features.to_vec()).unwrap();
    assert_eq!(back, vocab);
    assert_eq!(
        back.vectorize("", &["甲", "乙"], &settings),
        vocab.vectorize("", &["甲", "乙"], &settings)
    );
    // A token end inside a character, or a key naming a token not in the table.
    assert!(Vocabulary::from_parts(blob.to_string(), vec![1, 6], features.to_vec()).is_err());
    assert!(Vocabulary::from_parts(blob.to_string(), vec![3], features.to_vec()).is_err());
}

/// Records what the one enumeration gives, as strings.
#[derive(Default)]
struct Recorder(Vec<String>);

impl super::extract::FeatureSink for Recorder {
    type Token = &'static str;

    fn token(&mut self, s: &str) -> &'static str {
        // Leaked: a test's handful of short strings.
        Box::leak(s.to_string().into_boxed_str())
    }

    fn feature(&mut self, kind: Kind, a: &'static str, b: &'static str) {
        self.0.push(format!(
            "{kind:?} {a}{}{b}",
            if b.is_empty() { "" } else { "+" }
        ));
    }
}

#[test]
fn one_enumeration_gives_words_pairs_grams_then_shapes() {
    let settings = FeatureSettings {
        char_ngrams: 2,
        shape: true,
        ..plain()
    };
    let mut r = Recorder::default();
    super::extract::for_each_feature("好吃 吗?", &["好吃", "吗", "?"], &settings, &mut r);
    let shapes: Vec<String> = crate::shape::shape_tokens("好吃 吗?")
        .iter()
        .map(|s| format!("Shape {}", s.text))
        .collect();
    let mut expected: Vec<String> = [
        "Word 好吃",
        "Word 吗",
        "WordPair 好吃+吗",
        "Word ?",
        "WordPair 吗+?",
        "CharGram 好吃",
        "CharGram 吃吗",
        "CharGram 吗?",
    ]
    .map(String::from)
    .to_vec();
    expected.extend(shapes);
    assert_eq!(r.0, expected);
}
