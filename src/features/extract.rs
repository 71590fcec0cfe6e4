//! The features of a paragraph: as token-id keys while training, as hashes
//! when classifying, and their values.

use rustc_hash::FxHashMap;

use super::hashing::{feature_hash, hash_str};
use super::keys::{FeatureKey, Kind, pack, unpack};
use super::settings::FeatureSettings;
#[cfg(test)]
use super::vocabulary::{Vocabulary, vocabulary_of};

/// The strings a paragraph contributes besides its words: character n-grams and
/// shape tokens, in the order features are built from them.
#[derive(Debug, Default)]
struct ExtraTokens {
    char_grams: Vec<String>,
    shapes: Vec<&'static str>,
}

fn extra_tokens(text: &str, settings: &FeatureSettings) -> ExtraTokens {
    let mut extra = ExtraTokens::default();
    if settings.char_ngrams > 0 {
        let chars: Vec<char> = text.chars().filter(|c| !c.is_whitespace()).collect();
        extra.char_grams = chars
            .windows(settings.char_ngrams)
            .map(|w| w.iter().collect())
            .collect();
    }
    if settings.shape {
        extra.shapes = crate::shape::shape_tokens(text);
    }
    extra
}

/// Builds feature keys from token ids; `None` marks a token the vocabulary does
/// not know, which can be part of no feature.
fn push_keys(
    words: &[Option<u32>],
    grams: &[Option<u32>],
    shapes: &[Option<u32>],
    settings: &FeatureSettings,
    out: &mut Vec<FeatureKey>,
) {
    out.extend(words.iter().flatten().map(|&a| pack(Kind::Word, a, 0)));
    if settings.word_bigrams {
        for pair in words.windows(2) {
            if let [Some(a), Some(b)] = pair {
                out.push(pack(Kind::WordPair, *a, *b));
            }
        }
    }
    out.extend(grams.iter().flatten().map(|&a| pack(Kind::CharGram, a, 0)));
    out.extend(shapes.iter().flatten().map(|&a| pack(Kind::Shape, a, 0)));
}

/// Turns a list of keys (with repeats) into `(key, value)` pairs, sorted by key.
fn count_keys(keys: &mut [FeatureKey], log_counts: bool) -> Vec<(FeatureKey, f64)> {
    keys.sort_unstable();
    let mut out: Vec<(FeatureKey, f64)> = Vec::with_capacity(keys.len());
    for &k in keys.iter() {
        match out.last_mut() {
            Some((last, n)) if *last == k => *n += 1.0,
            _ => out.push((k, 1.0)),
        }
    }
    if log_counts {
        for (_, v) in &mut out {
            *v = v.ln_1p();
        }
    }
    out
}

/// Assigns ids to token strings while training.
#[derive(Debug, Default)]
pub struct Interner {
    ids: FxHashMap<String, u32>,
    strings: Vec<String>,
}

impl Interner {
    fn intern(&mut self, s: &str) -> u32 {
        if let Some(&id) = self.ids.get(s) {
            return id;
        }
        let id = self.strings.len() as u32;
        self.ids.insert(s.to_string(), id);
        self.strings.push(s.to_string());
        id
    }

    /// Features of one training paragraph (normalised text and its words), with
    /// their raw counts; new tokens get new ids.
    pub fn features(
        &mut self,
        text: &str,
        words: &[&str],
        settings: &FeatureSettings,
    ) -> Vec<(FeatureKey, f64)> {
        let extra = extra_tokens(text, settings);
        let word_ids: Vec<Option<u32>> = words.iter().map(|w| Some(self.intern(w))).collect();
        let gram_ids: Vec<Option<u32>> = extra
            .char_grams
            .iter()
            .map(|g| Some(self.intern(g)))
            .collect();
        let shape_ids: Vec<Option<u32>> =
            extra.shapes.iter().map(|s| Some(self.intern(s))).collect();
        let mut keys = Vec::new();
        push_keys(&word_ids, &gram_ids, &shape_ids, settings, &mut keys);
        count_keys(&mut keys, false)
    }

    /// The token strings, indexed by id.
    pub fn tokens(&self) -> &[String] {
        &self.strings
    }

    /// The vocabulary of the given keys (its columns in this order), with
    /// tokens renumbered to only those the keys use.
    #[cfg(test)]
    pub fn vocabulary(&self, keys: &[FeatureKey]) -> Vocabulary {
        vocabulary_of(&self.strings, keys)
    }
}

/// The hash of every feature of a paragraph, once per occurrence: words, word
/// pairs, character n-grams and shape tokens as the settings ask. `prefetch`
/// sees each hash as soon as it is known, so that table lookups can start.
/// They are appended to `hashes`; shape tokens come last, and the return
/// value is where they start.
pub(super) fn feature_hashes(
    text: &str,
    words: &[&str],
    settings: &FeatureSettings,
    hashes: &mut Vec<u64>,
    prefetch: impl Fn(u64),
) -> usize {
    hashes.reserve(words.len() * 2 + 16);
    let mut push = |hash: u64| {
        prefetch(hash);
        hashes.push(hash);
    };
    let mut prev: Option<u64> = None;
    for w in words {
        let h = hash_str(w);
        push(feature_hash(Kind::Word, h, 0));
        if settings.word_bigrams
            && let Some(p) = prev
        {
            push(feature_hash(Kind::WordPair, p, h));
        }
        prev = Some(h);
    }
    if settings.char_ngrams > 0 {
        let chars: Vec<char> = text.chars().filter(|c| !c.is_whitespace()).collect();
        let mut gram = String::new();
        for w in chars.windows(settings.char_ngrams) {
            gram.clear();
            gram.extend(w);
            push(feature_hash(Kind::CharGram, hash_str(&gram), 0));
        }
    }
    let shapes_from = hashes.len();
    if settings.shape {
        for s in crate::shape::shape_tokens(text) {
            let h = feature_hash(Kind::Shape, hash_str(s), 0);
            prefetch(h);
            hashes.push(h);
        }
    }
    shapes_from
}

/// Feature keys, sorted, to `(key, value)` pairs sorted by key: counts, the
/// settings' value transform, [`FeatureSettings::shape_weight`] for the shape
/// tokens (given apart: each occurs once, and no word shares its column), and
/// length normalisation. [`feature_value`] is the same transform for training.
pub(super) fn feature_values<K: Copy + Ord>(
    sorted: &[K],
    shapes: &[K],
    settings: &FeatureSettings,
) -> Vec<(K, f64)> {
    let shape_value = settings.shape_value();
    let mut out: Vec<(K, f64)> = Vec::with_capacity(sorted.len() + shapes.len());
    let mut shapes = shapes.iter().peekable();
    for run in sorted.chunk_by(|a, b| a == b) {
        let k = run[0];
        while let Some(&&s) = shapes.peek().filter(|&&&s| s < k) {
            out.push((s, shape_value));
            shapes.next();
        }
        out.push((k, settings.transform(run.len() as f64)));
    }
    out.extend(shapes.map(|&s| (s, shape_value)));
    let d = settings.length_norm.divisor(out.iter().map(|&(_, v)| v));
    out.iter_mut().for_each(|(_, v)| *v /= d);
    out
}

/// The training-time counterpart of [`Vocabulary::vectorize`]'s value transform,
/// before the paragraph's vector is scaled: the count (or `ln(1 + count)`),
/// times [`FeatureSettings::shape_weight`] for a shape token.
pub fn feature_value(key: FeatureKey, raw_count: f64, settings: &FeatureSettings) -> f64 {
    let value = settings.transform(raw_count);
    if unpack(key).0 == Kind::Shape as u8 {
        value * settings.shape_weight
    } else {
        value
    }
}
