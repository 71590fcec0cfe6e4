//! The features of a paragraph: as token-id keys while training, as hashes
//! when classifying, and their values.

use rustc_hash::FxHashMap;

use super::hashing::{feature_hash, hash_str};
use super::keys::{FeatureKey, Kind, pack, unpack};
use super::settings::FeatureSettings;
#[cfg(test)]
use super::vocabulary::{Vocabulary, vocabulary_of};
use crate::shape::Shape;

/// Where [`for_each_feature`] puts a paragraph's features: the one
/// enumeration of features, with token interning (training) and token hashing
/// (scoring) as its two sinks.
pub(super) trait FeatureSink {
    /// What a token becomes: an id in a token table, or a hash.
    type Token: Copy + Default;
    /// The token of a string (a word, a character n-gram, a shape token).
    fn token(&mut self, s: &str) -> Self::Token;
    /// One occurrence of a feature of `kind` made of tokens `a` (and `b`, for a
    /// word pair; the default token otherwise).
    fn feature(&mut self, kind: Kind, a: Self::Token, b: Self::Token);
    /// A paragraph's shape token: the feature of its text's token.
    fn shape(&mut self, shape: &Shape) {
        let t = self.token(shape.text);
        self.feature(Kind::Shape, t, Self::Token::default());
    }
}

/// Every feature of a paragraph (normalised text and its words), once per
/// occurrence, into `sink`: each word and, as the settings ask, each pair of
/// adjacent words, then the character n-grams, then the shape tokens. Tokens
/// are asked for in that order (words, n-grams, shapes), which is the order
/// training gives them ids.
pub(super) fn for_each_feature<S: FeatureSink>(
    text: &str,
    words: &[&str],
    settings: &FeatureSettings,
    sink: &mut S,
) {
    for_each_piece_feature(text, words, settings, sink, &mut Carry::default());
    if settings.shape {
        for_each_shape_feature(&crate::shape::shape_tokens(text), sink);
    }
}

/// What the features of one piece of a long paragraph hand on to the next:
/// the last word (for the word pair across the cut) and the last characters
/// (for the character n-grams across it).
#[derive(Debug, Clone)]
pub(super) struct Carry<T> {
    prev: Option<T>,
    chars: Vec<char>,
}

impl<T> Default for Carry<T> {
    fn default() -> Self {
        Carry {
            prev: None,
            chars: Vec::new(),
        }
    }
}

/// The features of a piece of a paragraph that do not need all of it (words,
/// word pairs, character n-grams) into `sink`, continuing from `carry`: the
/// pieces of a paragraph in order give the features of the whole.
pub(super) fn for_each_piece_feature<S: FeatureSink>(
    text: &str,
    words: &[&str],
    settings: &FeatureSettings,
    sink: &mut S,
    carry: &mut Carry<S::Token>,
) {
    let none = S::Token::default();
    for w in words {
        let t = sink.token(w);
        sink.feature(Kind::Word, t, none);
        if settings.word_bigrams
            && let Some(p) = carry.prev
        {
            sink.feature(Kind::WordPair, p, t);
        }
        carry.prev = Some(t);
    }
    let n = settings.char_ngrams;
    if n > 0 {
        let mut chars = std::mem::take(&mut carry.chars);
        chars.extend(text.chars().filter(|c| !c.is_whitespace()));
        let mut gram = String::new();
        for w in chars.windows(n) {
            gram.clear();
            gram.extend(w);
            let t = sink.token(&gram);
            sink.feature(Kind::CharGram, t, none);
        }
        chars.drain(..chars.len().saturating_sub(n - 1));
        carry.chars = chars;
    }
}

/// A paragraph's shape tokens (see [`crate::shape`]) into `sink`.
pub(super) fn for_each_shape_feature<S: FeatureSink>(tokens: &[&Shape], sink: &mut S) {
    for s in tokens {
        sink.shape(s);
    }
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
        let mut sink = KeySink {
            interner: self,
            keys: Vec::with_capacity(words.len() * 2 + 16),
        };
        for_each_feature(text, words, settings, &mut sink);
        count_keys(&mut sink.keys, false)
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

/// The training sink: tokens interned, features packed into keys.
struct KeySink<'a> {
    interner: &'a mut Interner,
    keys: Vec<FeatureKey>,
}

impl FeatureSink for KeySink<'_> {
    type Token = u32;

    fn token(&mut self, s: &str) -> u32 {
        self.interner.intern(s)
    }

    fn feature(&mut self, kind: Kind, a: u32, b: u32) {
        self.keys.push(pack(kind, a, b));
    }
}

/// The scoring sink: tokens and features hashed, the features of words
/// (pairs, n-grams) apart from the shape tokens. `prefetch` sees each hash as
/// soon as it is known, so that table lookups can start.
pub(super) struct HashSink<'a, P: Fn(u64)> {
    /// Hashes of the words, word pairs and character n-grams.
    pub(super) hashes: &'a mut Vec<u64>,
    /// Hashes of the shape tokens (each occurs once).
    pub(super) shapes: &'a mut Vec<u64>,
    /// Called with every feature hash.
    pub(super) prefetch: P,
}

impl<P: Fn(u64)> HashSink<'_, P> {
    /// The hashes of every feature of a paragraph, once per occurrence
    /// (see [`for_each_feature`]), appended to the sink's vectors.
    pub(super) fn extend(&mut self, text: &str, words: &[&str], settings: &FeatureSettings) {
        self.hashes.reserve(words.len() * 2 + 16);
        for_each_feature(text, words, settings, self);
    }
}

impl<P: Fn(u64)> FeatureSink for HashSink<'_, P> {
    type Token = u64;

    fn token(&mut self, s: &str) -> u64 {
        hash_str(s)
    }

    /// The token's hash was taken when compiling.
    fn shape(&mut self, shape: &Shape) {
        self.feature(Kind::Shape, shape.hash, 0);
    }

    fn feature(&mut self, kind: Kind, a: u64, b: u64) {
        let h = feature_hash(kind, a, b);
        (self.prefetch)(h);
        if kind == Kind::Shape {
            self.shapes.push(h);
        } else {
            self.hashes.push(h);
        }
    }
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
