//! The vocabulary: a model's token table, its feature columns and their index.

use std::sync::OnceLock;

use rustc_hash::FxHashMap;

use super::extract::{HashSink, feature_values};
use super::hashing::{feature_hash, hash_str};
use super::keys::{FeatureKey, Kind, kind_from_tag, remap_key, unpack};
use super::settings::FeatureSettings;
use super::slots::SlotTable;

/// The vocabulary of the given keys (its columns in this order) over the token
/// table `strings`, with tokens renumbered to only those the keys use.
pub fn vocabulary_of<S: AsRef<str>>(strings: &[S], keys: &[FeatureKey]) -> Vocabulary {
    let mut renumber: FxHashMap<u32, u32> = FxHashMap::default();
    let mut tokens = Vec::new();
    let features = keys
        .iter()
        .map(|&k| {
            remap_key(k, |old| {
                *renumber.entry(old).or_insert_with(|| {
                    tokens.push(strings[old as usize].as_ref().to_string());
                    (tokens.len() - 1) as u32
                })
            })
        })
        .collect();
    Vocabulary::new(tokens, features)
}

/// The features a model knows: a token table and one column per feature.
///
/// Looking a paragraph's features up costs one probe each into an
/// open-addressing table keyed by a 64-bit hash of the feature's strings, so
/// classifying needs no token-id lookup and no string comparison. The table is
/// built from the token strings and packed keys on first use (a few
/// milliseconds for 600k features); scoring builds its own, with the weights
/// in it ([`Vocabulary::scoring_table`]), and never needs this one.
#[derive(Clone)]
pub struct Vocabulary {
    /// Every token's UTF-8 bytes, one after another.
    blob: String,
    /// Token `i` is `blob[ends[i - 1]..ends[i]]` (`ends[-1]` = 0).
    ends: Vec<u32>,
    features: Vec<FeatureKey>,
    /// The feature index, built on first use ([`Vocabulary::index`]).
    index: OnceLock<SlotTable>,
}

impl std::fmt::Debug for Vocabulary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vocabulary")
            .field("tokens", &self.ends.len())
            .field("features", &self.features.len())
            .finish()
    }
}

impl PartialEq for Vocabulary {
    fn eq(&self, other: &Self) -> bool {
        self.blob == other.blob && self.ends == other.ends && self.features == other.features
    }
}

impl Vocabulary {
    /// A vocabulary from its token table and its packed feature keys.
    pub fn new(tokens: Vec<String>, features: Vec<FeatureKey>) -> Self {
        let mut blob = String::with_capacity(tokens.iter().map(String::len).sum());
        let mut ends = Vec::with_capacity(tokens.len());
        for t in &tokens {
            blob.push_str(t);
            ends.push(blob.len() as u32);
        }
        Self::from_parts(blob, ends, features)
            .expect("a token table built from strings is consistent")
    }

    /// A vocabulary from its stored parts: every token's bytes in one string,
    /// where each token ends, and the packed feature keys. `Err` when the parts
    /// disagree (a damaged file).
    pub fn from_parts(
        blob: String,
        ends: Vec<u32>,
        features: Vec<FeatureKey>,
    ) -> std::result::Result<Self, String> {
        let mut start = 0usize;
        for &end in &ends {
            let end = end as usize;
            if end < start || end > blob.len() || !blob.is_char_boundary(end) {
                return Err("the token table is damaged".into());
            }
            start = end;
        }
        let tokens = ends.len();
        let known = |id: u32| (id as usize) < tokens;
        for &key in &features {
            let (kind, a, b) = unpack(key);
            if !known(a) || (kind_from_tag(kind) == Kind::WordPair && !known(b)) {
                return Err("a feature refers to a token the table does not have".into());
            }
        }
        Ok(Vocabulary {
            blob,
            ends,
            features,
            index: OnceLock::new(),
        })
    }

    /// The hash of every feature, by column: what the slot tables are keyed by.
    pub(super) fn feature_hashes(&self) -> Vec<u64> {
        let hashes: Vec<u64> = (0..self.ends.len() as u32)
            .map(|i| hash_str(self.token(i)))
            .collect();
        self.features
            .iter()
            .map(|&key| {
                let (kind, a, b) = unpack(key);
                let kind = kind_from_tag(kind);
                // The token ids were checked when the vocabulary was made.
                let hb = if kind == Kind::WordPair {
                    hashes[b as usize]
                } else {
                    0
                };
                feature_hash(kind, hashes[a as usize], hb)
            })
            .collect()
    }

    /// The feature index: from a feature's hash to its column.
    fn index(&self) -> &SlotTable {
        self.index
            .get_or_init(|| SlotTable::build(&self.feature_hashes(), 0, |_, _| {}))
    }

    /// The token table as one string and the end of each token in it, and the
    /// packed feature keys: what a model file stores.
    pub fn parts(&self) -> (&str, &[u32], &[FeatureKey]) {
        (&self.blob, &self.ends, &self.features)
    }

    fn token(&self, id: u32) -> &str {
        let id = id as usize;
        let start = if id == 0 {
            0
        } else {
            self.ends[id - 1] as usize
        };
        &self.blob[start..self.ends[id] as usize]
    }

    /// Number of features (columns).
    pub fn len(&self) -> usize {
        self.features.len()
    }

    /// The sparse feature vector of a paragraph: `(column, value)` pairs sorted
    /// by column. Unknown words and pairs are left out.
    pub fn vectorize(
        &self,
        text: &str,
        words: &[&str],
        settings: &FeatureSettings,
    ) -> Vec<(u32, f64)> {
        let (mut hashes, mut shapes) = (Vec::new(), Vec::new());
        HashSink {
            hashes: &mut hashes,
            shapes: &mut shapes,
            prefetch: |h| self.index().prefetch(h),
        }
        .extend(text, words, settings);
        let lookup = |hashes: &[u64]| -> Vec<u32> {
            let mut columns: Vec<u32> = hashes
                .iter()
                .filter_map(|&h| self.index().get(h).map(|(column, _)| column))
                .collect();
            columns.sort_unstable();
            columns
        };
        feature_values(&lookup(&hashes), &lookup(&shapes), settings)
    }
    /// A readable name for a column: `国务院`, `国务院 召开`, `#字符`, `@shape`.
    pub fn describe(&self, column: u32) -> String {
        let (kind, a, b) = unpack(self.features[column as usize]);
        let tok = |id: u32| self.token(id);
        match kind_from_tag(kind) {
            Kind::Word => tok(a).to_string(),
            Kind::WordPair => format!("{} {}", tok(a), tok(b)),
            Kind::CharGram => format!("#{}", tok(a)),
            Kind::Shape => format!("@{}", tok(a)),
        }
    }
}
