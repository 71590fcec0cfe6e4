//! Which features a model extracts and how their values are scaled.

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
    pub(super) fn transform(&self, count: f64) -> f64 {
        if self.log_counts {
            count.ln_1p()
        } else {
            count
        }
    }

    /// The value of a shape token, which occurs once in a paragraph.
    pub(super) fn shape_value(&self) -> f64 {
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
