//! Features: from a paragraph's words to a sparse count vector over the vocabulary.
//!
//! A feature is a word, a pair of adjacent words, or (optionally) a character
//! n-gram or a shape token. Each is packed into a [`FeatureKey`] of token ids so
//! that looking one up costs one hash probe and no string building.

use std::cell::RefCell;

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

/// Which features a model extracts, and which it keeps. Stored in every model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureSettings {
    /// Adjacent word pairs beside single words.
    pub word_bigrams: bool,
    /// Character n-grams of this length beside words (0 = none); they help where
    /// jieba cuts unknown names and slang badly.
    pub char_ngrams: usize,
    /// Shape tokens that carry over between sites: length bucket, leading column
    /// tag, how the line ends, share of digits and latin letters, `!`/`?`/`…`.
    pub shape: bool,
    /// Multiplies the value of every shape token before the paragraph's vector
    /// is scaled, so that what a line looks like weighs more against its
    /// words, which tie a model to the sites it was trained on.
    pub shape_weight: f64,
    /// Use `ln(1 + count)` instead of the raw count of a feature in a paragraph,
    /// so a long paragraph that repeats a word does not swamp the rest.
    pub log_counts: bool,
    /// Scale each paragraph's feature vector to unit length, so that a long
    /// paragraph weighs as much as a headline when counts are summed per class.
    pub length_norm: LengthNorm,
    /// Keep a feature only if it occurs at least this often in the training data.
    pub min_count: u32,
    /// Keep at most this many features, the most frequent first.
    pub max_features: Option<usize>,
}

impl Default for FeatureSettings {
    fn default() -> Self {
        FeatureSettings {
            word_bigrams: true,
            char_ngrams: 0,
            shape: true,
            // Leave-one-source-out macro-F1 / accuracy 0.595 → 0.606 / 0.873 →
            // 0.882 against 1 (with `has:space`), dev macro-F1 the same within
            // noise (0.955 → 0.957); 2 gives LOSO 0.612 / 0.886 but no better dev.
            shape_weight: 1.5,
            log_counts: false,
            length_norm: LengthNorm::L2,
            // Features seen once are three quarters of all. Dropping them
            // (`--min-count 2`) makes the model 4x smaller (3 MB) and its lookups
            // cache-friendly, but with alpha 0.01 it costs 0.010 dev macro-F1
            // and doubles the calibration error, so they stay (10.7 MB).
            min_count: 1,
            max_features: None,
        }
    }
}

impl FeatureSettings {
    /// A feature's value from how often it occurs in a paragraph: the count,
    /// or `ln(1 + count)` with [`FeatureSettings::log_counts`].
    fn transform(&self, count: f64) -> f64 {
        if self.log_counts {
            count.ln_1p()
        } else {
            count
        }
    }

    /// The value of a shape token, which occurs once in a paragraph.
    fn shape_value(&self) -> f64 {
        self.transform(1.0) * self.shape_weight
    }

    /// Words and adjacent word pairs with raw counts: the textbook multinomial
    /// model, whose parameters are easy to check by hand.
    pub fn plain() -> Self {
        FeatureSettings {
            word_bigrams: true,
            char_ngrams: 0,
            shape: false,
            shape_weight: 1.0,
            log_counts: false,
            length_norm: LengthNorm::None,
            min_count: 1,
            max_features: None,
        }
    }
}

/// How a paragraph's feature vector is scaled.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum LengthNorm {
    /// Raw values.
    #[default]
    None,
    /// Values sum to 1.
    L1,
    /// Values have Euclidean length 1.
    L2,
}

impl LengthNorm {
    /// What to divide a paragraph's values by: 1, their sum, or their length.
    pub fn divisor(self, values: impl Iterator<Item = f64>) -> f64 {
        let (sum_abs, sum_sq) = values.fold((0.0, 0.0), |(a, q), v| (a + v.abs(), q + v * v));
        self.divisor_of(sum_abs, sum_sq)
    }

    /// [`LengthNorm::divisor`] from the values' sum of absolute values and sum of squares.
    pub fn divisor_of(self, sum_abs: f64, sum_sq: f64) -> f64 {
        let d = match self {
            LengthNorm::None => 1.0,
            LengthNorm::L1 => sum_abs,
            LengthNorm::L2 => sum_sq.sqrt(),
        };
        if d > 0.0 { d } else { 1.0 }
    }
}

/// What a feature is made of; the tag in the top bits of a [`FeatureKey`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
enum Kind {
    Word = 1,
    WordPair = 2,
    CharGram = 3,
    Shape = 4,
}

/// A feature packed as `kind (4 bits) | token a (30 bits) | token b (30 bits)`.
///
/// Tokens are ids in a token table; a character n-gram and a shape token are
/// tokens of their own, told apart from words by the kind.
pub type FeatureKey = u64;

const ID_BITS: u32 = 30;
const ID_MASK: u64 = (1 << ID_BITS) - 1;

fn pack(kind: Kind, a: u32, b: u32) -> FeatureKey {
    ((kind as u64) << (2 * ID_BITS)) | ((a as u64 & ID_MASK) << ID_BITS) | (b as u64 & ID_MASK)
}

fn unpack(key: FeatureKey) -> (u8, u32, u32) {
    (
        (key >> (2 * ID_BITS)) as u8,
        ((key >> ID_BITS) & ID_MASK) as u32,
        (key & ID_MASK) as u32,
    )
}

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

/// The token ids in a key: one, or two for a word pair.
pub(crate) fn key_tokens(key: FeatureKey) -> Vec<u32> {
    let (kind, a, b) = unpack(key);
    if kind_from_tag(kind) == Kind::WordPair {
        vec![a, b]
    } else {
        vec![a]
    }
}

/// Replaces the token ids in a key through `map`, keeping its kind; the second
/// token of a key that is not a word pair is no token and stays 0.
pub fn remap_key(key: FeatureKey, map: impl Fn(u32) -> u32) -> FeatureKey {
    let (kind, a, b) = unpack(key);
    let kind = kind_from_tag(kind);
    let b = if kind == Kind::WordPair { map(b) } else { 0 };
    pack(kind, map(a), b)
}

/// The vocabulary of the given keys (its columns in this order) over the token
/// table `strings`, with tokens renumbered to only those the keys use.
pub fn vocabulary_of<S: AsRef<str>>(strings: &[S], keys: &[FeatureKey]) -> Vocabulary {
    let mut renumber: FxHashMap<u32, u32> = FxHashMap::default();
    let mut tokens = Vec::new();
    let mut new_id = |old: u32| -> u32 {
        *renumber.entry(old).or_insert_with(|| {
            tokens.push(strings[old as usize].as_ref().to_string());
            (tokens.len() - 1) as u32
        })
    };
    let features = keys
        .iter()
        .map(|&k| {
            let (kind, a, b) = unpack(k);
            let kind = kind_from_tag(kind);
            let b = if kind == Kind::WordPair { new_id(b) } else { 0 };
            pack(kind, new_id(a), b)
        })
        .collect();
    Vocabulary::new(tokens, features)
}

fn kind_from_tag(tag: u8) -> Kind {
    match tag {
        1 => Kind::Word,
        2 => Kind::WordPair,
        3 => Kind::CharGram,
        _ => Kind::Shape,
    }
}

/// The features a model knows: a token table and one column per feature.
///
/// Looking a paragraph's features up costs one probe each into an
/// open-addressing table keyed by a 64-bit hash of the feature's strings, so
/// classifying needs no token-id lookup and no string comparison. The table is
/// built from the token strings and packed keys when the vocabulary is made or
/// loaded (a few milliseconds for 600k features).
#[derive(Clone, Serialize, Deserialize)]
#[serde(from = "StoredVocabulary", into = "StoredVocabulary")]
pub struct Vocabulary {
    /// Every token's UTF-8 bytes, one after another.
    blob: String,
    /// Token `i` is `blob[ends[i - 1]..ends[i]]` (`ends[-1]` = 0).
    ends: Vec<u32>,
    features: Vec<FeatureKey>,
    index: SlotTable,
}

impl std::fmt::Debug for Vocabulary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vocabulary")
            .field("tokens", &self.ends.len())
            .field("features", &self.features.len())
            .finish()
    }
}

/// The on-disk form of a [`Vocabulary`]: the lookup table is rebuilt on load.
#[derive(Serialize, Deserialize)]
struct StoredVocabulary {
    tokens: Vec<String>,
    features: Vec<FeatureKey>,
}

impl From<StoredVocabulary> for Vocabulary {
    fn from(s: StoredVocabulary) -> Self {
        Vocabulary::new(s.tokens, s.features)
    }
}

impl From<Vocabulary> for StoredVocabulary {
    fn from(v: Vocabulary) -> Self {
        StoredVocabulary {
            tokens: (0..v.ends.len() as u32)
                .map(|i| v.token(i).to_string())
                .collect(),
            features: v.features,
        }
    }
}

impl PartialEq for Vocabulary {
    fn eq(&self, other: &Self) -> bool {
        self.blob == other.blob && self.ends == other.ends && self.features == other.features
    }
}

/// A stable 64-bit hash of a token's bytes (the same on every platform and
/// build, unlike `std`'s hasher), 8 bytes a step.
///
/// Most tokens are one to three CJK characters (3 to 9 bytes), so short
/// tokens are read in one step with overlapping loads instead of being copied
/// into a buffer; with the length mixed in, every byte still counts.
fn hash_str(s: &str) -> u64 {
    const M: u64 = 0xbf58_476d_1ce4_e5b9;
    let step = |h: u64, x: u64| {
        let h = (h ^ x).wrapping_mul(M);
        h ^ (h >> 31)
    };
    let b = s.as_bytes();
    let n = b.len();
    let word = |at: usize| u64::from_le_bytes(b[at..at + 8].try_into().expect("8 bytes"));
    let half = |at: usize| {
        u64::from(u32::from_le_bytes(
            b[at..at + 4].try_into().expect("4 bytes"),
        ))
    };
    let mut h = 0x9e37_79b9_7f4a_7c15 ^ (n as u64).wrapping_mul(M);
    if n >= 8 {
        let mut at = 0;
        while at + 8 <= n {
            h = step(h, word(at));
            at += 8;
        }
        if at < n {
            h = step(h, word(n - 8));
        }
    } else if n >= 4 {
        h = step(h, half(0) | half(n - 4) << 32);
    } else if n > 0 {
        h = step(
            h,
            u64::from(b[0]) | u64::from(b[n / 2]) << 8 | u64::from(b[n - 1]) << 16,
        );
    }
    mix64(h)
}

/// The splitmix64 finaliser: every input bit reaches every output bit.
fn mix64(mut h: u64) -> u64 {
    h = (h ^ (h >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h = (h ^ (h >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

/// The hash of a feature from the hashes of its tokens.
fn feature_hash(kind: Kind, a: u64, b: u64) -> u64 {
    match kind {
        Kind::WordPair => mix64(a.rotate_left(23) ^ b.wrapping_mul(0x9e37_79b9_7f4a_7c15)),
        // `a` is already well mixed: a different constant per kind keeps a
        // word, a character n-gram and a shape token with the same text apart.
        _ => a ^ (kind as u64).wrapping_mul(0xd6e8_feb8_6659_fd93),
    }
}

/// Open addressing (linear probing, load ≤ 2/3) from feature hash to column,
/// with room in each slot for a payload (a scoring table's weights).
///
/// A slot is `stride` 32-bit words: the fingerprint (the hash's top 32 bits;
/// its low bits pick the slot), the column (`u32::MAX` when empty), then the
/// payload. A probe reads one cache line. An unknown feature matches a stored
/// one only if 32 more bits agree: about once in 10^9 lookups, adding one
/// feature's weight to one paragraph.
#[derive(Clone, Default)]
struct SlotTable {
    mask: usize,
    stride: usize,
    words: Vec<u32>,
}

impl SlotTable {
    const EMPTY: u32 = u32::MAX;

    /// An empty table for `n` features, no payload.
    fn with_capacity(n: usize) -> Self {
        let size = (n + n / 2).next_power_of_two().max(16);
        let mut words = crate::memory::vec_on_huge_pages(size * 2);
        words.resize(size * 2, Self::EMPTY);
        SlotTable {
            mask: size - 1,
            stride: 2,
            words,
        }
    }

    /// Adds a feature; one whose slot and fingerprint are already taken keeps
    /// the first column.
    fn insert(&mut self, hash: u64, column: u32) {
        let fp = (hash >> 32) as u32;
        let mut i = hash as usize & self.mask;
        loop {
            let slot = &mut self.words[i * self.stride..][..2];
            if slot[1] == Self::EMPTY {
                slot.copy_from_slice(&[fp, column]);
                return;
            }
            if slot[0] == fp {
                return;
            }
            i = (i + 1) & self.mask;
        }
    }

    #[inline]
    fn prefetch(&self, hash: u64) {
        prefetch(
            self.words
                .as_ptr()
                .wrapping_add((hash as usize & self.mask) * self.stride),
        );
    }

    /// The column of a feature hash and the index of its slot.
    #[inline]
    fn get(&self, hash: u64) -> Option<(u32, u32)> {
        let fp = (hash >> 32) as u32;
        let mut i = hash as usize & self.mask;
        loop {
            let slot = &self.words[i * self.stride..][..2];
            if slot[1] == Self::EMPTY {
                return None;
            }
            if slot[0] == fp {
                return Some((slot[1], i as u32));
            }
            i = (i + 1) & self.mask;
        }
    }

    /// The payload of slot `i`.
    #[inline]
    fn payload(&self, i: u32) -> &[u32] {
        &self.words[i as usize * self.stride + 2..][..self.stride - 2]
    }

    /// A copy with `extra` payload words per slot, filled by `fill(column, payload)`
    /// for every taken slot (empty slots get zeros). Slots stay where they are,
    /// so lookups probe exactly as here.
    fn widened(&self, extra: usize, fill: impl Fn(u32, &mut [u32])) -> SlotTable {
        let stride = 2 + extra;
        let slots = self.mask + 1;
        let mut words = crate::memory::vec_on_huge_pages(slots * stride);
        words.resize(slots * stride, 0);
        for (i, new) in words.chunks_exact_mut(stride).enumerate() {
            let old = &self.words[i * self.stride..][..2];
            new[..2].copy_from_slice(old);
            if old[1] != Self::EMPTY {
                fill(old[1], &mut new[2..]);
            }
        }
        SlotTable {
            mask: self.mask,
            stride,
            words,
        }
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
        let mut vocab = Vocabulary {
            blob,
            ends,
            features,
            index: SlotTable::default(),
        };
        let hashes: Vec<u64> = (0..vocab.ends.len() as u32)
            .map(|i| hash_str(vocab.token(i)))
            .collect();
        let hash_of = |id: u32| {
            hashes
                .get(id as usize)
                .copied()
                .ok_or_else(|| "a feature refers to a token the table does not have".to_string())
        };
        let feature_hashes = vocab
            .features
            .iter()
            .map(|&key| {
                let (kind, a, b) = unpack(key);
                let kind = kind_from_tag(kind);
                let hb = if kind == Kind::WordPair {
                    hash_of(b)?
                } else {
                    0
                };
                Ok(feature_hash(kind, hash_of(a)?, hb))
            })
            .collect::<std::result::Result<Vec<u64>, String>>()?;
        let mut index = SlotTable::with_capacity(vocab.features.len());
        // Inserts land at random places in a table of megabytes: ask for the
        // slot of a feature a few places ahead so that the waits overlap.
        const AHEAD: usize = 16;
        for (column, &hash) in feature_hashes.iter().enumerate() {
            if let Some(&later) = feature_hashes.get(column + AHEAD) {
                index.prefetch(later);
            }
            index.insert(hash, column as u32);
        }
        vocab.index = index;
        Ok(vocab)
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
        let mut hashes = Vec::new();
        let shapes_from = feature_hashes(text, words, settings, &mut hashes, |h| {
            self.index.prefetch(h)
        });
        let lookup = |hashes: &[u64]| -> Vec<u32> {
            let mut columns: Vec<u32> = hashes
                .iter()
                .filter_map(|&h| self.index.get(h).map(|(column, _)| column))
                .collect();
            columns.sort_unstable();
            columns
        };
        feature_values(
            &lookup(&hashes[..shapes_from]),
            &lookup(&hashes[shapes_from..]),
            settings,
        )
    }

    /// A [`ScoringTable`] for these per-class weights (`weights[c][column]`).
    pub fn scoring_table(&self, weights: &[Vec<f64>]) -> ScoringTable {
        ScoringTable(self.index.widened(weights.len(), |column, payload| {
            for (p, w) in payload.iter_mut().zip(weights) {
                *p = (w[column as usize] as f32).to_bits();
            }
        }))
    }

    /// Adds `Σ x_j · w(c, j)` to `sums[c]` for each class, where `x` is the
    /// paragraph's [`Vocabulary::vectorize`] and `w` the table's weights.
    ///
    /// The same sum as `vectorize` would give (to the last bits of rounding:
    /// features are added in slot order, not column order), without building
    /// `x`, reading a second table or allocating: each thread reuses its buffers.
    pub fn score_into(
        &self,
        table: &ScoringTable,
        text: &str,
        words: &[&str],
        settings: &FeatureSettings,
        sums: &mut [f64],
    ) {
        thread_local! {
            static SCRATCH: RefCell<ScoreScratch> = RefCell::default();
        }
        SCRATCH.with_borrow_mut(|scratch| {
            let ScoreScratch {
                hashes,
                slots,
                partial,
            } = scratch;
            let table = &table.0;
            hashes.clear();
            let shapes_from = feature_hashes(text, words, settings, hashes, |h| table.prefetch(h));
            // Slot indices stand for features: sorting them brings a
            // feature's occurrences together so that they can be counted.
            slots.clear();
            slots.extend(
                hashes[..shapes_from]
                    .iter()
                    .filter_map(|&h| table.get(h))
                    .map(|(_, slot)| slot),
            );
            slots.sort_unstable();
            partial.clear();
            partial.resize(sums.len(), 0.0);
            let (mut sum_abs, mut sum_sq) = (0.0, 0.0);
            let mut add = |slot: u32, v: f64| {
                sum_abs += v.abs();
                sum_sq += v * v;
                for (p, &w) in partial.iter_mut().zip(table.payload(slot)) {
                    *p += v * f64::from(f32::from_bits(w));
                }
            };
            for run in slots.chunk_by(|a, b| a == b) {
                add(run[0], settings.transform(run.len() as f64));
            }
            // No word shares a shape token's column.
            for &h in &hashes[shapes_from..] {
                if let Some((_, slot)) = table.get(h) {
                    add(slot, settings.shape_value());
                }
            }
            let d = settings.length_norm.divisor_of(sum_abs, sum_sq);
            for (s, p) in sums.iter_mut().zip(partial.iter()) {
                *s += p / d;
            }
        });
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

/// Reusable buffers of [`Vocabulary::score_into`].
#[derive(Default)]
struct ScoreScratch {
    hashes: Vec<u64>,
    slots: Vec<u32>,
    partial: Vec<f64>,
}

/// The hash of every feature of a paragraph, once per occurrence: words, word
/// pairs, character n-grams and shape tokens as the settings ask. `prefetch`
/// sees each hash as soon as it is known, so that table lookups can start.
/// They are appended to `hashes`; shape tokens come last, and the return
/// value is where they start.
fn feature_hashes(
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
fn feature_values<K: Copy + Ord>(
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

/// A vocabulary's feature index with each column's weights (one `f32` per
/// class) stored in its slot, so that scoring a feature reads one cache line
/// instead of two. Built by [`Vocabulary::scoring_table`].
#[derive(Clone)]
pub struct ScoringTable(SlotTable);

impl std::fmt::Debug for ScoringTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScoringTable")
            .field("slots", &(self.0.mask + 1))
            .field("classes", &(self.0.stride - 2))
            .finish()
    }
}

/// Asks the CPU to start loading the cache line at `p`, so that a paragraph's
/// lookups wait for memory together rather than one after another.
#[inline]
fn prefetch<T>(p: *const T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is a hint that never faults, whatever the address.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(p.cast())
    };
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn vocabulary_survives_serialisation() {
        let settings = plain();
        let mut interner = Interner::default();
        let feats = interner.features("", &["甲", "乙"], &settings);
        let keys: Vec<FeatureKey> = feats.iter().map(|&(k, _)| k).collect();
        let vocab = interner.vocabulary(&keys);
        let bytes = postcard::to_stdvec(&vocab).unwrap();
        let back: Vocabulary = postcard::from_bytes(&bytes).unwrap();
        assert_eq!(back, vocab);
        assert_eq!(
            back.vectorize("", &["甲", "乙"], &settings),
            vocab.vectorize("", &["甲", "乙"], &settings)
        );
    }
}
